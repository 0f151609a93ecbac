/* Loading a Python program and reading aiodemo's header in its comments. */
#include "program.h"

#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "catalog.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/text.h"
#include "util/i18n.h"

#define PREFIX      "# aiodemo:"
#define MAX_PROGRAM (16 << 20)

static int header_error(const struct program *p, int line, const char *fmt, ...) ATTR_PRINTF(3, 4);

static int header_error(const struct program *p, int line, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diag_error(_("%s:%d: %s"), p->file, line, b.data);
	buf_free(&b);
	return -1;
}

/* A "quoted" string at *@s; advances past it. */
static char *take_quoted(const char **s)
{
	while (**s == ' ')
		(*s)++;
	if (**s != '"')
		return NULL;
	const char *start = ++*s;
	struct buf b = { 0 };
	while (**s && **s != '"') {
		if (**s == '\\' && (*s)[1])
			(*s)++;
		buf_putc(&b, **s);
		(*s)++;
	}
	if (**s != '"') {
		buf_free(&b);
		*s = start;
		return NULL;
	}
	(*s)++;
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal(&b);
}

/* A duration: 2s, 1.5s, 100ms, 0s. */
static bool take_duration(const char **s, double *out)
{
	while (**s == ' ')
		(*s)++;
	char *end;
	errno = 0;
	double v = strtod(*s, &end);
	if (end == *s || errno || !isfinite(v) || v < 0 || isspace((unsigned char)**s))
		return false;
	if (!strncmp(end, "ms", 2)) {
		v /= 1000;
		end += 2;
	} else if (*end == 's') {
		end++;
	} else {
		return false;
	}
	*s = end;
	*out = v;
	return true;
}

static int parse_expect(struct program *p, const char *s, int line)
{
	struct expect_decl x = { .line = line };
	if (!strncmp(s, "total", 5)) {
		s += 5;
		x.kind = EXPECT_TOTAL;
		if (!take_duration(&s, &x.seconds))
			return header_error(p, line,
			                    _("expect total takes a duration such as 2s or 100ms"));
	} else if (!strncmp(s, "blocked", 7)) {
		s += 7;
		x.kind = EXPECT_BLOCKED;
		if (!take_duration(&s, &x.seconds))
			return header_error(p, line,
			                    _("expect blocked takes a duration such as 0s or 2s"));
	} else if (!strncmp(s, "before", 6)) {
		s += 6;
		x.kind = EXPECT_BEFORE;
		x.text = take_quoted(&s);
		x.text2 = x.text ? take_quoted(&s) : NULL;
		if (!x.text2) {
			free(x.text);
			return header_error(
			        p, line,
			        _("expect before takes two quoted lines: before \"A\" \"B\""));
		}
	} else if (!strncmp(s, "says", 4)) {
		s += 4;
		x.kind = EXPECT_SAYS;
		if (!(x.text = take_quoted(&s)))
			return header_error(p, line, _("expect says takes a quoted line"));
	} else if (!strcmp(s, "ok") || !strcmp(s, "error")) {
		x.kind = EXPECT_STATUS;
		x.failure = !strcmp(s, "error");
		s += strlen(s);
	} else if (*s == '"') {
		x.kind = EXPECT_AT;
		x.text = take_quoted(&s);
		while (*s == ' ')
			s++;
		if (!x.text || strncmp(s, "at", 2) != 0 ||
		    (s += 2, !take_duration(&s, &x.seconds))) {
			free(x.text);
			return header_error(
			        p, line,
			        _("expect \"LINE\" at DURATION: a printed line and its moment"));
		}
	} else {
		return header_error(p, line,
		                    _("unknown expectation '%s' (total, \"LINE\" at, before, "
		                      "blocked, says, ok, error)"),
		                    s);
	}
	while (*s == ' ')
		s++;
	/* "+ D cpu": a part of it that no --scale shortens */
	if (*s == '+' && x.kind != EXPECT_BEFORE && x.kind != EXPECT_SAYS &&
	    x.kind != EXPECT_STATUS) {
		s++;
		while (*s == ' ')
			s++;
		if (!take_duration(&s, &x.fixed) || strncmp(s, " cpu", 4) != 0 ||
		    (s[4] != '\0' && s[4] != ' ')) {
			free(x.text);
			return header_error(p, line,
			                    _("after + comes a duration that --scale leaves alone, "
			                      "such as + 60ms cpu"));
		}
		for (s += 4; *s == ' '; s++)
			;
	}
	/* "cpu": the time is CPU work's, the same at every --scale */
	if (x.kind != EXPECT_BEFORE && x.kind != EXPECT_SAYS && x.kind != EXPECT_STATUS &&
	    !strncmp(s, "cpu", 3) && (s[3] == '\0' || s[3] == ' ')) {
		x.cpu = true;
		for (s += 3; *s == ' '; s++)
			;
	}
	if (*s) {
		free(x.text);
		free(x.text2);
		return header_error(p, line, _("unexpected '%s' after the expectation"), s);
	}
	p->info.expects.items =
	        xrealloc(p->info.expects.items, (size_t)(p->info.expects.n + 1) * sizeof(x));
	p->info.expects.items[p->info.expects.n++] = x;
	return 0;
}

/* "NAME = " at @s: the name into *@name, and where the value begins, or
 * NULL without an "=". */
static const char *take_assignment(const char *s, char **name)
{
	const char *n = s;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
		s++;
	*name = xstrndup(n, (size_t)(s - n));
	while (*s == ' ')
		s++;
	const char *v = *s == '=' ? s + 1 : NULL;
	while (v && *v == ' ')
		v++;
	return v;
}

/* Adds parameter @pp of line @line, unless its name is declared already
 * (then it is freed). */
static int add_param(struct program *p, struct program_param pp, int line)
{
	for (int i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].name, pp.name)) {
			int first = p->params[i].line;
			free(pp.name);
			free(pp.value);
			free(pp.context);
			return header_error(p, line, _("param %s is declared already, on line %d"),
			                    p->params[i].name, first);
		}
	pp.declared = xstrdup(pp.value);
	p->params = xrealloc(p->params, (size_t)(p->nparams + 1) * sizeof(pp));
	p->params[p->nparams++] = pp;
	return 0;
}

/* param NAME = VALUE at "CONTEXT" */
static int parse_param(struct program *p, const char *s, int line)
{
	struct program_param pp = { .line = line };
	const char *v = take_assignment(s, &pp.name);
	const char *at = v ? strstr(v, " at ") : NULL;
	const char *q = at ? at + 4 : NULL;
	if (!*pp.name || !at || at == v || !(pp.context = take_quoted(&q))) {
		free(pp.name);
		return header_error(p, line, _("param takes NAME = VALUE at \"CONTEXT\""));
	}
	pp.value = xstrndup(v, (size_t)(at - v));
	return add_param(p, pp, line);
}

/* Whether @s is a URL a url parameter may take: http:// or https://, a
 * host, and nothing that would end the string literal it is in (quotes,
 * backslashes, spaces, control characters). */
static bool url_ok(const char *s)
{
	size_t scheme = !strncmp(s, "http://", 7) ? 7 : !strncmp(s, "https://", 8) ? 8 : 0;
	if (!scheme || !s[scheme] || s[scheme] == '/')
		return false;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= ' ' || *c == 0x7f || strchr("\"'\\`", *c))
			return false;
	return true;
}

/* url NAME = ORIGIN [latency DURATION] */
static int parse_url(struct program *p, const char *s, int line)
{
	struct program_param pp = { .line = line, .url = true };
	const char *v = take_assignment(s, &pp.name);
	size_t vlen = v ? strcspn(v, " ") : 0;
	if (v)
		pp.value = xstrndup(v, vlen);
	const char *rest = v ? v + vlen : "";
	while (*rest == ' ')
		rest++;
	bool ok = *pp.name && pp.value && url_ok(pp.value);
	if (ok && !strncmp(rest, "latency", 7)) {
		rest += 7;
		ok = take_duration(&rest, &pp.latency);
		while (*rest == ' ')
			rest++;
	}
	if (!ok || *rest) {
		free(pp.name);
		free(pp.value);
		return header_error(p, line,
		                    _("url takes NAME = URL [latency DURATION], such as "
		                      "base = https://httpbin.org latency 1s"));
	}
	return add_param(p, pp, line);
}

/* clients N ask PATH: N requests at once, each GET PATH on the port
 * parameter (the program serves HTTP there). */
static int parse_clients(struct program *p, const char *s, int line)
{
	char *end;
	long n = strtol(s, &end, 10);
	const char *rest = end;
	while (*rest == ' ')
		rest++;
	bool ok = end != s && n >= 1 && n <= CLIENTS_MAX && !strncmp(rest, "ask ", 4);
	if (ok) {
		rest += 4;
		while (*rest == ' ')
			rest++;
		ok = rest[0] == '/' && !strpbrk(rest, " \t\"");
	}
	if (!ok)
		return header_error(p, line,
		                    _("clients takes N ask PATH, N from 1 to %d and PATH from /, "
		                      "such as 10 ask /captcha?length=8"),
		                    CLIENTS_MAX);
	free(p->info.client_path);
	p->info.clients = (int)n;
	p->info.client_path = xstrdup(rest);
	return 0;
}

/* The offset in the header line of the @at-th character of the quoted
 * string whose text begins at @q (its backslashes counted). */
static int quoted_offset(const char *q, int at)
{
	const char *c = q;
	for (int i = 0; i < at && *c && *c != '"'; i++)
		c += *c == '\\' && c[1] ? 2 : 1;
	return (int)(c - q);
}

/* say.en "PATTERN" = "ENGLISH"; @val is in @l, the header line after the
 * prefix, for the columns of messages. */
static int parse_say(struct program *p, const char *val, const char *l, int line)
{
	const int base = (int)sizeof(PREFIX) - 1 + 1; /* the column of l[0] */
	const char *s = val, *q1, *q2 = NULL;
	char *pattern = NULL, *en = NULL;
	const char *why = NULL;
	const char *where = s;
	while (*s == ' ')
		s++;
	q1 = s;
	if (*s != '"') {
		why = _("say.en takes \"PATTERN\" = \"ENGLISH\"");
		where = s;
	} else if (!(pattern = take_quoted(&s))) {
		why = _("the quote that opens here is not closed");
		where = q1;
	} else {
		while (*s == ' ')
			s++;
		if (*s != '=') {
			why = _("expected = and the English after the pattern");
			where = s;
		} else {
			s++;
			while (*s == ' ')
				s++;
			q2 = s;
			if (*s != '"') {
				why = _("expected the English, quoted, after =");
				where = s;
			} else if (!(en = take_quoted(&s))) {
				why = _("the quote that opens here is not closed");
				where = q2;
			} else if (!*en) {
				why = _("the English is empty");
				where = q2;
			} else if (!text_is_utf8(en, strlen(en), NULL) ||
			           !text_is_utf8(pattern, strlen(pattern), NULL)) {
				why = _("the pattern and the English must be UTF-8");
				where = q1;
			} else {
				while (*s == ' ')
					s++;
				if (*s) {
					why = _("unexpected text after the English");
					where = s;
				}
			}
		}
	}
	if (!why) {
		if (!p->info.say_en)
			p->info.say_en = renderings_new();
		int at;
		bool in_en;
		if (renderings_add(p->info.say_en, pattern, en, &why, &at, &in_en) != 0)
			where = (in_en ? q2 : q1) + 1 + quoted_offset((in_en ? q2 : q1) + 1, at);
	}
	free(pattern);
	free(en);
	if (!why)
		return 0;
	diag_at(p->file, p->text, p->len, line, base + (int)(where - l), "%s", why);
	return -1;
}

static void append_line(char **field, const char *s)
{
	struct buf b = { 0 };
	if (*field)
		buf_printf(&b, "%s\n", *field);
	buf_puts(&b, s);
	free(*field);
	*field = buf_steal(&b);
}

static int parse_header(struct program *p)
{
	const char *s = p->text;
	for (int line = 1; *s; line++) {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);
		if (n && s[0] != '#')
			break;
		if (n >= sizeof(PREFIX) - 1 && !strncmp(s, PREFIX, sizeof(PREFIX) - 1)) {
			char *l = xstrndup(s + sizeof(PREFIX) - 1, n - (sizeof(PREFIX) - 1));
			char *v = l;
			while (*v == ' ')
				v++;
			size_t k = strcspn(v, " ");
			char *val = v + k;
			while (*val == ' ')
				val++;
			int rc = 0;
			if (!strncmp(v, "end", k) && k == 3) {
				free(l);
				break;
			} else if (k == 4 && !strncmp(v, "name", 4)) {
				free(p->info.name);
				p->info.name = xstrdup(val);
			} else if (k == 5 && !strncmp(v, "title", 5)) {
				free(p->info.title);
				p->info.title = xstrdup(val);
			} else if (k == 6 && !strncmp(v, "source", 6)) {
				free(p->info.source);
				p->info.source = xstrdup(val);
			} else if (k == 6 && !strncmp(v, "notice", 6)) {
				append_line(&p->info.notice, val);
			} else if (k == 8 && !strncmp(v, "title.zh", 8)) {
				free(p->info.title_zh);
				p->info.title_zh = xstrdup(val);
			} else if (k == 9 && !strncmp(v, "source.zh", 9)) {
				free(p->info.source_zh);
				p->info.source_zh = xstrdup(val);
			} else if (k == 9 && !strncmp(v, "notice.zh", 9)) {
				append_line(&p->info.notice_zh, val);
			} else if (k == 6 && !strncmp(v, "say.en", 6)) {
				rc = parse_say(p, val, l, line);
			} else if (k == 6 && !strncmp(v, "expect", 6)) {
				rc = parse_expect(p, val, line);
			} else if (k == 5 && !strncmp(v, "param", 5)) {
				rc = parse_param(p, val, line);
			} else if (k == 3 && !strncmp(v, "url", 3)) {
				rc = parse_url(p, val, line);
			} else if (k == 7 && !strncmp(v, "clients", 7)) {
				rc = parse_clients(p, val, line);
			} else {
				rc = header_error(
				        p, line,
				        _("unknown header key '%.*s' (name, title, title.zh, "
				          "source, source.zh, param, url, clients, expect, notice, "
				          "notice.zh, say.en, end)"),
				        (int)k, v);
			}
			free(l);
			if (rc)
				return -1;
		}
		if (!eol)
			break;
		s = eol + 1;
	}
	p->body = (size_t)(s - p->text);
	if (p->info.notice)
		append_line(&p->info.notice, "");
	if (p->info.notice_zh)
		append_line(&p->info.notice_zh, "");
	/* Each parameter's context occurs once in the code, around its value;
	 * a url's value, somewhere. */
	for (int i = 0; i < p->nparams; i++) {
		const struct program_param *pp = &p->params[i];
		if (pp->url) {
			if (!strstr(p->text + p->body, pp->value))
				return header_error(p, pp->line,
				                    _("url %s: %s does not occur in the program"),
				                    pp->name, pp->value);
			continue;
		}
		const char *hit = strstr(p->text + p->body, pp->context);
		if (!hit || strstr(hit + 1, pp->context) || !strstr(pp->context, pp->value))
			return header_error(
			        p, pp->line,
			        "param %s: \"%s\" must occur once in the program and contain %s",
			        pp->name, pp->context, pp->value);
	}
	return 0;
}

struct program *program_load(const char *arg)
{
	struct program *p = xcalloc(1, sizeof(*p));
	int is_file;
	const struct builtin_program *b = catalog_resolve(arg, &is_file);
	if (!b && !is_file) {
		free(p);
		return NULL;
	}
	if (b) {
		struct buf f = { 0 };
		buf_printf(&f, "%s.py", b->name);
		p->file = buf_steal(&f);
		p->builtin = true;
		p->text = xstrndup(b->text, b->len);
		p->len = b->len;
	} else {
		p->text = catalog_read_file(arg, _("Python program"), MAX_PROGRAM, &p->len);
		if (!p->text) {
			free(p);
			return NULL;
		}
		p->file = xstrdup(arg);
		p->path = xstrdup(arg);
	}
	char cwd[PATH_MAX];
	if (p->path && p->path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		struct buf abs = { 0 };
		buf_printf(&abs, "%s/%s", cwd, p->path);
		p->filename = buf_steal(&abs);
	} else {
		p->filename = xstrdup(p->path ? p->path : p->file);
	}
	if (parse_header(p) != 0) {
		program_free(p);
		return NULL;
	}
	if (!p->info.name) {
		const char *base = strrchr(p->file, '/');
		base = base ? base + 1 : p->file;
		size_t n = strlen(base);
		p->info.name = xstrndup(base, n > 3 && !strcmp(base + n - 3, ".py") ? n - 3 : n);
	}
	return p;
}

const char *program_title(const struct program_info *info)
{
	return i18n_lang() == I18N_ZH && info->title_zh ? info->title_zh : info->title;
}

int program_set_param(struct program *p, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t n = eq ? (size_t)(eq - assignment) : 0;
	struct program_param *pp = NULL;
	for (int i = 0; eq && i < p->nparams; i++)
		if (strlen(p->params[i].name) == n && !strncmp(p->params[i].name, assignment, n))
			pp = &p->params[i];
	if (!pp) {
		struct buf names = { 0 }, typed = { 0 };
		const char **list = xcalloc((size_t)p->nparams + 1, sizeof(char *));
		for (int i = 0; i < p->nparams; i++) {
			buf_printf(&names, "%s%s", i ? ", " : "", p->params[i].name);
			list[i] = p->params[i].name;
		}
		buf_add(&typed, assignment, eq ? n : strlen(assignment));
		const char *near =
		        suggest_name(typed.data ? typed.data : "", list, (size_t)p->nparams);
		if (near)
			diag_error(_("%s has no parameter '%s'; did you mean '%s'?"), p->info.name,
			           typed.data, near);
		else if (names.len)
			diag_error(_("%s has no parameter '%s'; it has: %s"), p->info.name,
			           typed.data ? typed.data : "", names.data);
		else
			diag_error(_("%s has no parameter '%s'; it has none"), p->info.name,
			           typed.data ? typed.data : "");
		free(list);
		buf_free(&names);
		buf_free(&typed);
		return -1;
	}
	const char *value = eq + 1;
	if (pp->url) {
		if (!url_ok(value)) {
			diag_error(_("--param %s takes a URL that begins with http:// or https://, "
			             "without quotes, backslashes or spaces, not '%s'"),
			           pp->name, value);
			return -1;
		}
		program_set_url(p, (int)(pp - p->params), value);
		pp->set = true;
		return 0;
	}
	/* A literal, not code: a number (as Python writes one), True, False or None. */
	char *end;
	errno = 0;
	double num = strtod(value, &end);
	bool ok = (end != value && *end == '\0' && isfinite(num) &&
	           strspn(value, "0123456789.eE+-") == strlen(value)) ||
	          !strcmp(value, "True") || !strcmp(value, "False") || !strcmp(value, "None");
	if (!ok) {
		diag_error(_("--param %s takes a number (or True, False, None), not '%s'"),
		           pp->name, value);
		return -1;
	}
	/* Replace the value inside the context, and the context in the program. */
	char *hit = strstr(p->text + p->body, pp->context);
	char *in = strstr(pp->context, pp->value);
	struct buf ctx = { 0 }, prog = { 0 };
	buf_add(&ctx, pp->context, (size_t)(in - pp->context));
	buf_puts(&ctx, value);
	buf_puts(&ctx, in + strlen(pp->value));
	buf_add(&prog, p->text, (size_t)(hit - p->text));
	buf_puts(&prog, ctx.data);
	buf_puts(&prog, hit + strlen(pp->context));
	free(p->text);
	p->len = prog.len;
	p->text = buf_steal(&prog);
	free(pp->context);
	pp->context = buf_steal(&ctx);
	free(pp->value);
	pp->value = xstrdup(value);
	pp->set = true;
	p->edited = true;
	return 0;
}

void program_set_url(struct program *p, int i, const char *url)
{
	struct program_param *pp = &p->params[i];
	struct buf prog = { 0 };
	buf_add(&prog, p->text, p->body);
	size_t n = strlen(pp->value);
	for (const char *s = p->text + p->body, *hit; *s; s = hit + n) {
		if (!(hit = strstr(s, pp->value))) {
			buf_puts(&prog, s);
			break;
		}
		buf_add(&prog, s, (size_t)(hit - s));
		buf_puts(&prog, url);
	}
	free(p->text);
	p->len = prog.len;
	p->text = buf_steal(&prog);
	free(pp->value);
	pp->value = xstrdup(url);
	p->edited = true;
}

void program_free(struct program *p)
{
	if (!p)
		return;
	expectations_free(&p->info.expects);
	free(p->info.name);
	free(p->info.title);
	free(p->info.source);
	free(p->info.notice);
	free(p->info.title_zh);
	free(p->info.source_zh);
	free(p->info.notice_zh);
	free(p->info.client_path);
	renderings_free(p->info.say_en);
	for (int i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
		free(p->params[i].context);
		free(p->params[i].declared);
	}
	free(p->params);
	free(p->file);
	free(p->path);
	free(p->filename);
	free(p->text);
	free(p);
}
