/* Renderings of printed lines: patterns matched with backtracking (each
 * {} as short as the rest allows), and exact lines in a hash table. */
#include "rendering.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/i18n.h"

#define MAX_HOLES 9
/* A placeholder's text is rendered in turn at most this deep. */
#define MAX_DEPTH 3

/* A part of an English rendering: literal text, or a placeholder's. */
struct part {
	char *text; /* NULL: placeholder hole */
	int hole;
};

struct pattern {
	char *source;             /* as the header gives it, to find a repeat */
	char *lit[MAX_HOLES + 1]; /* the text before each {} and after the last */
	size_t litlen[MAX_HOLES + 1];
	int nholes;
	struct part *parts;
	int nparts;
};

struct renderings {
	struct pattern *patterns;
	int npatterns;
	/* Exact lines, open addressing: lines[i] renders as ens[i]. */
	char **lines, **ens;
	size_t nlines, cap;
};

struct renderings *renderings_new(void)
{
	return xcalloc(1, sizeof(struct renderings));
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void renderings_add_line(struct renderings *r, const char *line, const char *en)
{
	if (r->nlines * 2 >= r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		char **lines = xcalloc(cap, sizeof(char *)), **ens = xcalloc(cap, sizeof(char *));
		for (size_t i = 0; i < r->cap; i++) {
			if (!r->lines[i])
				continue;
			size_t j = hash(r->lines[i]) & (cap - 1);
			while (lines[j])
				j = (j + 1) & (cap - 1);
			lines[j] = r->lines[i];
			ens[j] = r->ens[i];
		}
		free(r->lines);
		free(r->ens);
		r->lines = lines;
		r->ens = ens;
		r->cap = cap;
	}
	size_t j = hash(line) & (r->cap - 1);
	for (; r->lines[j]; j = (j + 1) & (r->cap - 1))
		if (!strcmp(r->lines[j], line))
			return; /* the first stays */
	r->lines[j] = xstrdup(line);
	r->ens[j] = xstrdup(en);
	r->nlines++;
}

static const char *find_line(const struct renderings *r, const char *line)
{
	if (!r->nlines)
		return NULL;
	for (size_t j = hash(line) & (r->cap - 1); r->lines[j]; j = (j + 1) & (r->cap - 1))
		if (!strcmp(r->lines[j], line))
			return r->ens[j];
	return NULL;
}

static void pattern_free(struct pattern *p)
{
	free(p->source);
	for (int i = 0; i <= p->nholes; i++)
		free(p->lit[i]);
	for (int i = 0; i < p->nparts; i++)
		free(p->parts[i].text);
	free(p->parts);
}

/* Splits @s at its {}: the literal texts into @p. */
static int parse_pattern(struct pattern *p, const char *s, const char **why, int *at)
{
	struct buf lit = { 0 };
	bool any_text = false;
	for (const char *c = s;; c++) {
		if (*c == '\0' || (c[0] == '{' && c[1] == '}')) {
			if (*c && p->nholes == MAX_HOLES) {
				*why = _("more than 9 {} in one pattern");
				*at = (int)(c - s);
				buf_free(&lit);
				return -1;
			}
			if (*c && p->nholes > 0 && lit.len == 0) {
				*why = _("two {} side by side: where would one end?");
				*at = (int)(c - s);
				buf_free(&lit);
				return -1;
			}
			p->litlen[p->nholes] = lit.len;
			p->lit[p->nholes] = lit.data ? buf_steal(&lit) : xstrdup("");
			if (!*c)
				break;
			p->nholes++;
			c++;
		} else if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
			buf_putc(&lit, *c++);
			any_text = true;
		} else if (*c == '{' || *c == '}') {
			*why = _("a brace that is not {}, {{ or }}");
			*at = (int)(c - s);
			buf_free(&lit);
			return -1;
		} else {
			buf_putc(&lit, *c);
			any_text = true;
		}
	}
	if (!any_text) {
		*why = _("a pattern without text would match every line");
		*at = 0;
		return -1;
	}
	return 0;
}

/* Splits @s, the English, into text and placeholders of @p. */
static int parse_en(struct pattern *p, const char *s, const char **why, int *at)
{
	struct buf lit = { 0 };
	int next = 0; /* the hole of the next {} */
	bool counted = false, numbered = false;
	for (const char *c = s;; c++) {
		int hole = -1;
		const char *start = c;
		if (c[0] == '{' && c[1] == '}') {
			hole = next++;
			counted = true;
			c++;
		} else if (c[0] == '{' && c[1] >= '1' && c[1] <= '9' && c[2] == '}') {
			hole = c[1] - '1';
			numbered = true;
			c += 2;
		} else if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
			buf_putc(&lit, *c++);
			continue;
		} else if (*c == '{' || *c == '}') {
			*why = _("a brace that is not {}, {N}, {{ or }}");
			*at = (int)(c - s);
			buf_free(&lit);
			return -1;
		} else if (*c) {
			buf_putc(&lit, *c);
			continue;
		}
		const char *wrong = counted && numbered ? _("both {} and {N}: use one or the other")
		                    : hole >= p->nholes ? _("no such {} in the pattern")
		                                        : NULL;
		if (wrong) {
			*why = wrong;
			*at = (int)(start - s);
			buf_free(&lit);
			return -1;
		}
		if (lit.len || !*c) {
			p->parts = xrealloc(p->parts, (size_t)(p->nparts + 1) * sizeof(*p->parts));
			p->parts[p->nparts++] =
			        (struct part){ lit.data ? buf_steal(&lit) : xstrdup(""), -1 };
		}
		if (!*c)
			break;
		p->parts = xrealloc(p->parts, (size_t)(p->nparts + 1) * sizeof(*p->parts));
		p->parts[p->nparts++] = (struct part){ NULL, hole };
	}
	return 0;
}

int renderings_add(struct renderings *r, const char *pattern, const char *en, const char **why,
                   int *at, bool *in_en)
{
	struct pattern p = { .source = xstrdup(pattern) };
	*in_en = false;
	if (parse_pattern(&p, pattern, why, at) != 0) {
		pattern_free(&p);
		return -1;
	}
	*in_en = true;
	if (parse_en(&p, en, why, at) != 0) {
		pattern_free(&p);
		return -1;
	}
	for (int i = 0; i < r->npatterns; i++)
		if (!strcmp(r->patterns[i].source, pattern)) {
			*why = _("this pattern has a rendering already");
			*at = 0;
			*in_en = false;
			pattern_free(&p);
			return -1;
		}
	r->patterns = xrealloc(r->patterns, (size_t)(r->npatterns + 1) * sizeof(p));
	r->patterns[r->npatterns++] = p;
	return 0;
}

/* A placeholder's text: where it starts in the line, and how long. */
struct capture {
	size_t start, len;
};

/* Matches hole @k onwards of @p at @pos of @line (length @len). */
static bool match_from(const struct pattern *p, int k, const char *line, size_t len, size_t pos,
                       struct capture *caps)
{
	const char *next = p->lit[k + 1];
	size_t n = p->litlen[k + 1];
	if (k + 1 == p->nholes) { /* the last hole runs to the text after it */
		if (len < pos + 1 + n || memcmp(line + len - n, next, n) != 0)
			return false;
		caps[k] = (struct capture){ pos, len - n - pos };
		return true;
	}
	/* The hole takes one character at least, then as few as the rest allows. */
	if (pos >= len)
		return false;
	for (const char *hit = strstr(line + pos + 1, next); hit; hit = strstr(hit + 1, next)) {
		if (((unsigned char)*hit & 0xC0) == 0x80)
			continue;
		caps[k] = (struct capture){ pos, (size_t)(hit - line) - pos };
		if (match_from(p, k + 1, line, len, (size_t)(hit - line) + n, caps))
			return true;
	}
	return false;
}

static bool match(const struct pattern *p, const char *line, struct capture *caps)
{
	size_t len = strlen(line);
	if (p->nholes == 0)
		return !strcmp(line, p->lit[0]);
	if (strncmp(line, p->lit[0], p->litlen[0]) != 0 || len <= p->litlen[0])
		return false;
	return match_from(p, 0, line, len, p->litlen[0], caps);
}

static bool render(const struct renderings *r, const char *line, struct buf *out, int depth)
{
	const char *en = find_line(r, line);
	if (en) {
		buf_puts(out, en);
		return true;
	}
	struct capture caps[MAX_HOLES];
	for (int i = 0; i < r->npatterns; i++) {
		const struct pattern *p = &r->patterns[i];
		if (!match(p, line, caps))
			continue;
		for (int k = 0; k < p->nparts; k++) {
			const struct part *part = &p->parts[k];
			if (part->text) {
				buf_puts(out, part->text);
				continue;
			}
			char *text = xstrndup(line + caps[part->hole].start, caps[part->hole].len);
			if (depth >= MAX_DEPTH || !render(r, text, out, depth + 1))
				buf_puts(out, text);
			free(text);
		}
		return true;
	}
	return false;
}

bool renderings_render(const struct renderings *r, const char *line, struct buf *out)
{
	if (!r || !line || !*line)
		return false;
	return render(r, line, out, 0);
}

void renderings_free(struct renderings *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->npatterns; i++)
		pattern_free(&r->patterns[i]);
	free(r->patterns);
	for (size_t i = 0; i < r->cap; i++) {
		free(r->lines[i]);
		free(r->ens[i]);
	}
	free(r->lines);
	free(r->ens);
	free(r);
}
