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
#include "util/text.h"

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
	diag_error("%s:%d: %s", p->file, line, b.data);
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
			                    "expect total takes a duration such as 2s or 100ms");
	} else if (!strncmp(s, "blocked", 7)) {
		s += 7;
		x.kind = EXPECT_BLOCKED;
		if (!take_duration(&s, &x.seconds))
			return header_error(p, line,
			                    "expect blocked takes a duration such as 0s or 2s");
	} else if (!strncmp(s, "before", 6)) {
		s += 6;
		x.kind = EXPECT_BEFORE;
		x.text = take_quoted(&s);
		x.text2 = x.text ? take_quoted(&s) : NULL;
		if (!x.text2) {
			free(x.text);
			return header_error(
			        p, line,
			        "expect before takes two quoted lines: before \"A\" \"B\"");
		}
	} else if (!strncmp(s, "says", 4)) {
		s += 4;
		x.kind = EXPECT_SAYS;
		if (!(x.text = take_quoted(&s)))
			return header_error(p, line, "expect says takes a quoted line");
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
			        "expect \"LINE\" at DURATION: a printed line and its moment");
		}
	} else {
		return header_error(p, line,
		                    "unknown expectation '%s' (total, \"LINE\" at, before, "
		                    "blocked, says, ok, error)",
		                    s);
	}
	while (*s == ' ')
		s++;
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
		return header_error(p, line, "unexpected '%s' after the expectation", s);
	}
	p->info.expects.items =
	        xrealloc(p->info.expects.items, (size_t)(p->info.expects.n + 1) * sizeof(x));
	p->info.expects.items[p->info.expects.n++] = x;
	return 0;
}

/* param NAME = VALUE at "CONTEXT" */
static int parse_param(struct program *p, const char *s, int line)
{
	const char *n = s;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
		s++;
	struct program_param pp = { .name = xstrndup(n, (size_t)(s - n)), .line = line };
	while (*s == ' ')
		s++;
	const char *v = *s == '=' ? s + 1 : NULL;
	while (v && *v == ' ')
		v++;
	const char *at = v ? strstr(v, " at ") : NULL;
	const char *q = at ? at + 4 : NULL;
	if (!*pp.name || !at || at == v || !(pp.context = take_quoted(&q))) {
		free(pp.name);
		return header_error(p, line, "param takes NAME = VALUE at \"CONTEXT\"");
	}
	for (int i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].name, pp.name)) {
			int first = p->params[i].line;
			free(pp.name);
			free(pp.context);
			return header_error(p, line, "param %s is declared already, on line %d",
			                    p->params[i].name, first);
		}
	pp.value = xstrndup(v, (size_t)(at - v));
	pp.declared = xstrdup(pp.value);
	p->params = xrealloc(p->params, (size_t)(p->nparams + 1) * sizeof(pp));
	p->params[p->nparams++] = pp;
	return 0;
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
			} else if (k == 6 && !strncmp(v, "expect", 6)) {
				rc = parse_expect(p, val, line);
			} else if (k == 5 && !strncmp(v, "param", 5)) {
				rc = parse_param(p, val, line);
			} else {
				rc = header_error(p, line,
				                  "unknown header key '%.*s' (name, title, source, "
				                  "param, expect, "
				                  "notice, end)",
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
	/* Each parameter's context occurs once in the code, around its value. */
	for (int i = 0; i < p->nparams; i++) {
		const struct program_param *pp = &p->params[i];
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
		p->text = catalog_read_file(arg, "Python program", MAX_PROGRAM, &p->len);
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
			diag_error("%s has no parameter '%s'; did you mean '%s'?", p->info.name,
			           typed.data, near);
		else
			diag_error("%s has no parameter '%s'%s%s", p->info.name,
			           typed.data ? typed.data : "",
			           names.len ? "; it has: " : "; it has none",
			           names.len ? names.data : "");
		free(list);
		buf_free(&names);
		buf_free(&typed);
		return -1;
	}
	const char *value = eq + 1;
	/* A literal, not code: a number (as Python writes one), True, False or None. */
	char *end;
	errno = 0;
	double num = strtod(value, &end);
	bool ok = (end != value && *end == '\0' && isfinite(num) &&
	           strspn(value, "0123456789.eE+-") == strlen(value)) ||
	          !strcmp(value, "True") || !strcmp(value, "False") || !strcmp(value, "None");
	if (!ok) {
		diag_error("--param %s takes a number (or True, False, None), not '%s'", pp->name,
		           value);
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

void program_free(struct program *p)
{
	if (!p)
		return;
	expectations_free(&p->info.expects);
	free(p->info.name);
	free(p->info.title);
	free(p->info.source);
	free(p->info.notice);
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
