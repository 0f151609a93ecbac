/* The scenario language: a line-oriented reader with Python-like indentation,
 * a recursive-descent expression parser, and a compiler from statements to
 * flat operation lists with resolved variable slots.
 *
 * A file is a sequence of top-level lines:
 *
 *     name / title / source TEXT        header lines, raw text
 *     param NAME = LITERAL              a value --param can override
 *     pool NAME threads|processes [N]   an executor
 *     expect total DURATION             what must be true
 *     python: / notice:                 raw indented blocks
 *     [async] def NAME(PARAMS):         a function, an indented code block
 *
 * Errors unwind with longjmp after formatting "file:line:col: error: ...";
 * every allocation goes through p_alloc(), so the unwinding frees it all. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

#define MAX_EXPR_DEPTH 100 /* expressions inside expressions */
#define MAX_LINE 4096      /* bytes in a line of code or a header line */

enum tok_kind { T_EOL, T_NAME, T_INT, T_FLOAT, T_STRING, T_OP };

struct token {
	enum tok_kind kind;
	const char *s; /* source text (for T_STRING: the contents between quotes) */
	size_t n;
	int col;
	int64_t i;
	double f;
	bool duration;
};

/* Everything the parse allocates, so that an error can free it all. */
struct alloc_list {
	void **ptrs;
	size_t n, cap;
};

struct scope_entry {
	const char *name;
	size_t n;
	int slot;
};

struct parser {
	const char *file, *text;
	size_t len;
	char *errbuf;
	size_t errsize;
	jmp_buf fail;

	/* The reader: the next line starts at next_pos. */
	const char *next_pos;
	int next_lineno;
	/* The current line. */
	const char *line, *line_end;
	int lineno, indent;
	struct token *toks;
	int ntoks, tokcap, tpos;
	struct token *outer_toks; /* the line's tokens, while a {...} in a string is parsed */
	struct buf lit;           /* the literal text of the string being parsed */
	int depth;                /* expressions being parsed, one inside the other */

	struct scenario *sc;
	struct alloc_list allocs;
	struct func *fn; /* the function being compiled, NULL outside */
	struct scope_entry *scope; /* comprehension variables in scope */
	int nscope, scopecap;
	struct expr **calls; /* E_CALL and E_OFFLOAD nodes resolved after parsing */
	int ncalls, callcap;
	struct value *constants; /* immortal constants, freed with the scenario */
	int nconst, constcap;
	int except_slots[16]; /* the exceptions being handled, innermost last */
	int nexcept;
	int finally_depth;    /* try blocks with a finally around this statement */
};

/* The allocations a finished scenario owns. */
struct scenario_mem {
	struct alloc_list allocs;
	struct value *constants;
	int nconst;
};

static struct scenario_mem *mem_of(const struct scenario *sc);

/* --- allocation -------------------------------------------------------- */

static void track(struct alloc_list *l, void *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->ptrs = xrealloc(l->ptrs, l->cap * sizeof(*l->ptrs));
	}
	l->ptrs[l->n++] = p;
}

static void *p_alloc(struct parser *P, size_t size)
{
	void *p = xcalloc(1, size);
	track(&P->allocs, p);
	return p;
}

/* Grows an array allocated with p_alloc/p_grow, keeping the list current. */
static void *p_grow(struct parser *P, void *old, size_t size)
{
	void *p = xrealloc(old, size);
	if (old) {
		for (size_t i = P->allocs.n; i-- > 0;)
			if (P->allocs.ptrs[i] == old) {
				P->allocs.ptrs[i] = p;
				return p;
			}
	}
	track(&P->allocs, p);
	return p;
}

static char *p_strndup(struct parser *P, const char *s, size_t n)
{
	char *p = p_alloc(P, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static struct value immortal(struct parser *P, struct value v)
{
	if (!value_is_obj(v))
		return v;
	v.o->refs = IMMORTAL_REFS;
	if (P->nconst == P->constcap) {
		P->constcap = P->constcap ? P->constcap * 2 : 16;
		P->constants = xrealloc(P->constants, (size_t)P->constcap * sizeof(*P->constants));
	}
	P->constants[P->nconst++] = v;
	return v;
}

/* --- errors ------------------------------------------------------------ */

static _Noreturn void fail_at(struct parser *P, int line, int col, const char *fmt, ...)
	ATTR_PRINTF(4, 5);

static _Noreturn void fail_at(struct parser *P, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_format_at(P->errbuf, P->errsize, P->file, P->text, P->len, line, col, fmt, ap);
	va_end(ap);
	longjmp(P->fail, 1);
}

static int tok_col(struct parser *P)
{
	return P->toks[P->tpos].col;
}

#define FAIL_TOK(P, ...) fail_at((P), (P)->lineno, tok_col(P), __VA_ARGS__)

/* --- suggestions -------------------------------------------------------- */

/* Optimal string alignment distance: a swap of two neighbours costs 1, so
 * "rnu" is one edit from "run". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = (char)tolower((unsigned char)a[i - 1]), cb = (char)tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *suggest_name(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	size_t limit = strlen(word) <= 3 ? 1 : strlen(word) <= 6 ? 2 : 3;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || names[i][0] == '.')
			continue;
		size_t d = edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/* --- the line reader ---------------------------------------------------- */

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_ident(char c)
{
	return is_ident_start(c) || isdigit((unsigned char)c);
}

/* Width of leading white space (tabs to the next multiple of 8); sets *@body. */
static int measure_indent(const char *s, const char *end, const char **body)
{
	int w = 0;
	while (s < end && (*s == ' ' || *s == '\t')) {
		w = *s == '\t' ? (w / 8 + 1) * 8 : w + 1;
		s++;
	}
	*body = s;
	return w;
}

static bool line_is_blank(const char *s, const char *end)
{
	const char *b;
	measure_indent(s, end, &b);
	return b == end || *b == '#' || *b == '\r';
}

/* Finds the end of the physical line at @s (before '\n' and any '\r'). */
static const char *line_end_of(const struct parser *P, const char *s, const char **next)
{
	const char *end = P->text + P->len;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	*next = nl ? nl + 1 : end;
	const char *e = nl ? nl : end;
	if (e > s && e[-1] == '\r')
		e--;
	return e;
}

/* Skips blank and comment lines; returns the indent of the next line with
 * code, or -1 at the end of the file. Does not consume it. */
static int peek_indent(struct parser *P)
{
	const char *end = P->text + P->len;
	while (P->next_pos < end) {
		const char *next;
		const char *e = line_end_of(P, P->next_pos, &next);
		if (!line_is_blank(P->next_pos, e)) {
			const char *b;
			return measure_indent(P->next_pos, e, &b);
		}
		P->next_pos = next;
		P->next_lineno++;
	}
	return -1;
}

static void tokenize(struct parser *P, const char *s, const char *end, int line, const char *line_start);

/* Makes the next line with code current and tokenizes it. */
static void take_line(struct parser *P)
{
	peek_indent(P);
	const char *next;
	P->line = P->next_pos;
	P->line_end = line_end_of(P, P->next_pos, &next);
	P->lineno = P->next_lineno;
	P->next_pos = next;
	P->next_lineno++;
	const char *body;
	if (P->line_end - P->line > MAX_LINE)
		fail_at(P, P->lineno, MAX_LINE + 1, "line longer than %d bytes", MAX_LINE);
	P->indent = measure_indent(P->line, P->line_end, &body);
	if (memchr(P->line, '\0', (size_t)(P->line_end - P->line)))
		fail_at(P, P->lineno, 1, "a NUL byte in the file");
	tokenize(P, body, P->line_end, P->lineno, P->line);
}

static void push_token(struct parser *P, struct token t)
{
	if (P->ntoks == P->tokcap) {
		P->tokcap = P->tokcap ? P->tokcap * 2 : 32;
		P->toks = xrealloc(P->toks, (size_t)P->tokcap * sizeof(*P->toks));
	}
	P->toks[P->ntoks++] = t;
}

static const char *const two_char_ops[] = {"//", "==", "!=", "<=", ">=", NULL};

static void tokenize(struct parser *P, const char *s, const char *end, int line, const char *line_start)
{
	P->ntoks = 0;
	P->tpos = 0;
	while (s < end) {
		char c = *s;
		int col = (int)(s - line_start) + 1;
		if (c == ' ' || c == '\t' || c == '\r') {
			s++;
			continue;
		}
		if (c == '#')
			break;
		struct token t = {.s = s, .col = col};
		if (is_ident_start(c)) {
			while (s < end && is_ident(*s))
				s++;
			t.kind = T_NAME;
			t.n = (size_t)(s - t.s);
		} else if (isdigit((unsigned char)c) || (c == '.' && s + 1 < end && isdigit((unsigned char)s[1]))) {
			char tmp[64];
			const char *q = s;
			bool is_float = false;
			while (q < end && (isdigit((unsigned char)*q) || *q == '.' || *q == '_')) {
				if (*q == '.')
					is_float = true;
				q++;
			}
			if (q < end && (*q == 'e' || *q == 'E') && q + 1 < end &&
			    (isdigit((unsigned char)q[1]) || ((q[1] == '-' || q[1] == '+') && q + 2 < end && isdigit((unsigned char)q[2])))) {
				is_float = true;
				q += 2;
				while (q < end && isdigit((unsigned char)*q))
					q++;
			}
			size_t n = 0;
			for (const char *r = s; r < q && n + 1 < sizeof(tmp); r++)
				if (*r != '_')
					tmp[n++] = *r;
			tmp[n] = '\0';
			if ((size_t)(q - s) >= sizeof(tmp) - 1)
				fail_at(P, line, col, "number too long");
			char *endp;
			errno = 0;
			if (is_float) {
				t.kind = T_FLOAT;
				t.f = strtod(tmp, &endp);
			} else {
				t.kind = T_INT;
				long long v = strtoll(tmp, &endp, 10);
				t.i = v;
				t.f = (double)v;
			}
			if (*endp || errno == ERANGE)
				fail_at(P, line, col, "malformed number '%.*s'", (int)(q - s), s);
			/* A unit right after the number makes a duration in seconds. */
			if (q + 1 < end && q[0] == 'm' && q[1] == 's' && (q + 2 == end || !is_ident(q[2]))) {
				t.kind = T_FLOAT;
				t.f = t.f / 1000.0;
				t.duration = true;
				q += 2;
			} else if (q < end && q[0] == 's' && (q + 1 == end || !is_ident(q[1]))) {
				t.kind = T_FLOAT;
				t.duration = true;
				q += 1;
			} else if (q < end && is_ident(*q)) {
				fail_at(P, line, (int)(q - line_start) + 1,
					"unexpected '%c' after a number (durations are written 2s or 100ms)", *q);
			}
			s = q;
			t.n = (size_t)(s - t.s);
		} else if (c == '"' || c == '\'') {
			const char *q = s + 1;
			while (q < end && *q != c) {
				if (*q == '\\' && q + 1 < end)
					q++;
				q++;
			}
			if (q >= end)
				fail_at(P, line, col, "unterminated string: expected a closing %c on this line", c);
			t.kind = T_STRING;
			t.s = s + 1;
			t.n = (size_t)(q - s - 1);
			s = q + 1;
		} else {
			t.kind = T_OP;
			t.n = 1;
			for (int i = 0; two_char_ops[i]; i++)
				if (s + 1 < end && s[0] == two_char_ops[i][0] && s[1] == two_char_ops[i][1])
					t.n = 2;
			if (t.n == 1 && !strchr("()[],:=+-*/%<>.", c)) {
				if ((unsigned char)c < 0x20 || c == 0x7f)
					fail_at(P, line, col, "unexpected control character 0x%02x", (unsigned char)c);
				fail_at(P, line, col, "unexpected character '%c'", c);
			}
			s += t.n;
		}
		push_token(P, t);
	}
	struct token eol = {.kind = T_EOL, .s = end, .col = (int)(end - line_start) + 1};
	push_token(P, eol);
}

/* --- token helpers ------------------------------------------------------ */

static struct token *peek(struct parser *P)
{
	return &P->toks[P->tpos];
}

static struct token *peek2(struct parser *P)
{
	return P->tpos + 1 < P->ntoks ? &P->toks[P->tpos + 1] : &P->toks[P->ntoks - 1];
}

static bool tok_is(const struct token *t, enum tok_kind k, const char *s)
{
	return t->kind == k && strlen(s) == t->n && memcmp(t->s, s, t->n) == 0;
}

static bool at_op(struct parser *P, const char *s)
{
	return tok_is(peek(P), T_OP, s);
}

static bool at_name(struct parser *P, const char *s)
{
	return tok_is(peek(P), T_NAME, s);
}

static const char *describe(const struct token *t, char *buf, size_t size)
{
	switch (t->kind) {
	case T_EOL: return "the end of the line";
	case T_STRING: return "a string";
	case T_INT:
	case T_FLOAT: snprintf(buf, size, "'%.*s'", (int)t->n, t->s); return buf;
	default: snprintf(buf, size, "'%.*s'", (int)(t->n > 40 ? 40 : t->n), t->s); return buf;
	}
}

static _Noreturn void expected(struct parser *P, const char *what)
{
	char tmp[64];
	FAIL_TOK(P, "expected %s, found %s", what, describe(peek(P), tmp, sizeof(tmp)));
}

static void expect_op(struct parser *P, const char *s)
{
	if (!at_op(P, s)) {
		char what[16];
		snprintf(what, sizeof(what), "'%s'", s);
		expected(P, what);
	}
	P->tpos++;
}

static void expect_eol(struct parser *P)
{
	if (peek(P)->kind != T_EOL)
		expected(P, "the end of the line");
}

static const char *const keywords[] = {
	"say", "sleep", "block", "return", "pass", "for", "in", "if", "else", "elif", "await",
	"spawn", "offload", "to", "gather", "def", "async", "None", "True", "False", "and",
	"or", "not", "while", "try", "except", "finally", "raise", "with", "as", NULL,
};

static bool is_keyword(const char *s, size_t n)
{
	for (int i = 0; keywords[i]; i++)
		if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0)
			return true;
	return false;
}

static char *take_name(struct parser *P, const char *what)
{
	struct token *t = peek(P);
	if (t->kind != T_NAME)
		expected(P, what);
	if (is_keyword(t->s, t->n))
		FAIL_TOK(P, "'%.*s' is a keyword and cannot be used as %s", (int)t->n, t->s, what);
	P->tpos++;
	return p_strndup(P, t->s, t->n);
}

/* --- nodes and slots ---------------------------------------------------- */

static struct expr *new_expr(struct parser *P, enum expr_kind kind, int col)
{
	struct expr *e = p_alloc(P, sizeof(*e));
	e->kind = kind;
	e->line = P->lineno;
	e->col = col;
	return e;
}

static int find_slot(struct func *F, const char *name, size_t n)
{
	for (int i = 0; i < F->nslots; i++)
		if (strlen(F->slot_names[i]) == n && memcmp(F->slot_names[i], name, n) == 0)
			return i;
	return -1;
}

static int add_slot(struct parser *P, struct func *F, const char *name, size_t n)
{
	F->slot_names = p_grow(P, F->slot_names, (size_t)(F->nslots + 1) * sizeof(char *));
	F->slot_names[F->nslots] = p_strndup(P, name, n);
	return F->nslots++;
}

/* A hidden slot has a name no user variable can have. */
static int hidden_slot(struct parser *P, struct func *F, const char *what)
{
	char name[32];
	snprintf(name, sizeof(name), ".%s%d", what, F->nslots);
	return add_slot(P, F, name, strlen(name));
}

static int define_var(struct parser *P, const struct token *t)
{
	if (is_keyword(t->s, t->n))
		fail_at(P, P->lineno, t->col, "'%.*s' is a keyword and cannot be assigned to", (int)t->n, t->s);
	for (int i = 0; i < P->sc->nparams; i++)
		if (strlen(P->sc->params[i].name) == t->n && !memcmp(P->sc->params[i].name, t->s, t->n))
			fail_at(P, P->lineno, t->col,
				"'%.*s' is a scenario parameter (line %d) and cannot be assigned to",
				(int)t->n, t->s, P->sc->params[i].line);
	int slot = find_slot(P->fn, t->s, t->n);
	return slot >= 0 ? slot : add_slot(P, P->fn, t->s, t->n);
}

/* --- expressions -------------------------------------------------------- */

/* Nesting costs C stack in the parser and the interpreter: bound it. */
static void enter(struct parser *P)
{
	if (++P->depth > MAX_EXPR_DEPTH)
		FAIL_TOK(P, "expression nested too deeply (the limit is %d levels)", MAX_EXPR_DEPTH);
}

static struct expr *parse_expr(struct parser *P);
static struct expr *parse_or(struct parser *P);

static struct expr *constant(struct parser *P, struct value v, int col)
{
	struct expr *e = new_expr(P, E_CONST, col);
	e->constant = immortal(P, v);
	return e;
}

/* Decodes backslash escapes of a string literal's contents. */
static void unescape(struct parser *P, const char *s, size_t n, int col, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			buf_putc(out, s[i]);
			continue;
		}
		char c = s[++i];
		switch (c) {
		case 'n': buf_putc(out, '\n'); break;
		case 't': buf_putc(out, '\t'); break;
		case '\\': buf_putc(out, '\\'); break;
		case '\'': buf_putc(out, '\''); break;
		case '"': buf_putc(out, '"'); break;
		case '{': buf_puts(out, "{{"); break;
		case '}': buf_puts(out, "}}"); break;
		default:
			buf_free(out);
			fail_at(P, P->lineno, col + (int)i, "unknown escape '\\%c'", c);
		}
	}
}

/* Parses a string literal, splitting "{expr}" parts out of it. */
static struct expr *parse_string(struct parser *P, const struct token *t)
{
	int col0 = t->col + 1; /* column of the first character inside the quotes */
	if (!memchr(t->s, '{', t->n) && !memchr(t->s, '}', t->n)) {
		struct buf b = {0};
		unescape(P, t->s, t->n, col0, &b);
		struct expr *e = constant(P, value_str(b.data ? b.data : "", b.len), t->col);
		buf_free(&b);
		return e;
	}
	struct expr *e = new_expr(P, E_FSTRING, t->col);
	struct fpart *parts = NULL;
	int n = 0;
	size_t i = 0;
	/* The parser owns the buffer, so that an error inside {...} frees it. */
	buf_clear(&P->lit);
	while (i <= t->n) {
		char c = i < t->n ? t->s[i] : '\0';
		if (i == t->n || (c == '{' && !(i + 1 < t->n && t->s[i + 1] == '{'))) {
			if (P->lit.len || i == t->n) {
				struct buf dec = {0};
				unescape(P, P->lit.data ? P->lit.data : "", P->lit.len, col0, &dec);
				/* Collapse the doubled braces kept by unescape(). */
				size_t w = 0;
				for (size_t r = 0; r < dec.len; r++) {
					dec.data[w++] = dec.data[r];
					if ((dec.data[r] == '{' || dec.data[r] == '}') && r + 1 < dec.len &&
					    dec.data[r + 1] == dec.data[r])
						r++;
				}
				parts = p_grow(P, parts, (size_t)(n + 1) * sizeof(*parts));
				parts[n++] = (struct fpart){.text = p_strndup(P, dec.data ? dec.data : "", w),
							    .len = w, .precision = -1};
				buf_free(&dec);
				buf_clear(&P->lit);
			}
			if (i == t->n)
				break;
			size_t j = i + 1, spec = 0;
			while (j < t->n && t->s[j] != '}') {
				if (t->s[j] == ':' && !spec)
					spec = j;
				if (t->s[j] == '{' || t->s[j] == '"' || t->s[j] == '\'') {
					buf_clear(&P->lit);
					fail_at(P, P->lineno, col0 + (int)j, "'%c' is not allowed inside {...}", t->s[j]);
				}
				j++;
			}
			if (j >= t->n) {
				buf_clear(&P->lit);
				fail_at(P, P->lineno, col0 + (int)i, "'{' without a closing '}' (write {{ for a literal brace)");
			}
			size_t expr_end = spec ? spec : j;
			/* Parse the inner expression with the tokens of just that range. */
			struct token *saved = P->toks;
			int saved_n = P->ntoks, saved_cap = P->tokcap, saved_pos = P->tpos;
			P->outer_toks = saved; /* freed by the error path if the inner parse fails */
			P->toks = NULL;
			P->ntoks = P->tokcap = 0;
			tokenize(P, t->s + i + 1, t->s + expr_end, P->lineno, P->line);
			if (peek(P)->kind == T_EOL) {
				free(P->toks);
				P->toks = saved;
				P->outer_toks = NULL;
				P->ntoks = saved_n;
				P->tokcap = saved_cap;
				P->tpos = saved_pos;
				buf_clear(&P->lit);
				fail_at(P, P->lineno, col0 + (int)i, "empty {} in a string (write {{}} for literal braces)");
			}
			struct expr *inner = parse_or(P);
			if (peek(P)->kind != T_EOL) {
				buf_clear(&P->lit);
				expected(P, "'}'");
			}
			free(P->toks);
			P->toks = saved;
			P->outer_toks = NULL;
			P->ntoks = saved_n;
			P->tokcap = saved_cap;
			P->tpos = saved_pos;
			int precision = -1;
			if (spec) {
				const char *sp = t->s + spec + 1;
				size_t sn = j - spec - 1;
				int digits = 0;
				if (sn >= 3 && sp[0] == '.' && sp[sn - 1] == 'f') {
					precision = 0;
					for (size_t k = 1; k + 1 < sn; k++) {
						if (!isdigit((unsigned char)sp[k]) || ++digits > 2) {
							precision = -2;
							break;
						}
						precision = precision * 10 + (sp[k] - '0');
					}
				}
				if (precision < 0 || digits == 0) {
					buf_clear(&P->lit);
					fail_at(P, P->lineno, col0 + (int)spec + 1,
						"unsupported format '%.*s' (only .Nf, like {x:.2f})", (int)sn, sp);
				}
			}
			parts = p_grow(P, parts, (size_t)(n + 1) * sizeof(*parts));
			parts[n++] = (struct fpart){.e = inner, .precision = precision};
			i = j + 1;
			continue;
		}
		if (c == '}' && !(i + 1 < t->n && t->s[i + 1] == '}')) {
			buf_clear(&P->lit);
			fail_at(P, P->lineno, col0 + (int)i, "single '}' in a string (write }} for a literal brace)");
		}
		if (c == '{' || c == '}') {
			buf_putc(&P->lit, c);
			buf_putc(&P->lit, c);
			i += 2;
			continue;
		}
		buf_putc(&P->lit, c);
		if (c == '\\' && i + 1 < t->n)
			buf_putc(&P->lit, t->s[++i]);
		i++;
	}
	buf_clear(&P->lit);
	e->fstring.parts = parts;
	e->fstring.n = n;
	return e;

}

static const struct builtin_sig {
	const char *name;
	enum builtin id;
	int min_args, max_args;
	bool async_only; /* needs the loop: only in an async def */
	const char *params[3]; /* names for keyword arguments */
} builtins[] = {
	{"primes", B_PRIMES, 2, 2, false, {"start", "end"}},
	{"range", B_RANGE, 1, 2, false, {NULL}},
	{"len", B_LEN, 1, 1, false, {NULL}},
	{"str", B_STR, 1, 1, false, {NULL}},
	{"strftime", B_STRFTIME, 1, 1, false, {"format"}},
	{"read_file", B_READ_FILE, 1, 1, false, {"name"}},
	{"write_file", B_WRITE_FILE, 2, 2, false, {"name", "text"}},
	{"wait_for", B_WAIT_FOR, 2, 2, true, {"aw", "timeout"}},
	{"wait", B_WAIT, 1, 3, true, {"aws", "return_when", "timeout"}},
	{"semaphore", B_SEMAPHORE, 0, 1, true, {"value"}},
	{"taskgroup", B_TASKGROUP, 0, 0, true, {NULL}},
	{"http_get", B_HTTP_GET, 1, 2, false, {"url", "timeout"}},
	{"local_server", B_LOCAL_SERVER, 0, 0, true, {NULL}},
	{"serve", B_SERVE, 3, 3, true, {"path", "handler", "arg"}},
	{"int", B_INT, 1, 1, false, {NULL}},
	{"random_string", B_RANDOM_STRING, 2, 2, false, {"alphabet", "k"}},
};

/* Names of exception types a scenario may raise and catch; any other
 * CapitalisedError or CapitalisedException is taken as a kind of Exception. */
static bool is_exception_name(const char *s, size_t n)
{
	static const char *const known[] = {"BaseException", "Exception", "CancelledError",
					    "KeyboardInterrupt", "SystemExit", "ExceptionGroup", "BrokenProcessPool", NULL};
	for (int i = 0; known[i]; i++)
		if (strlen(known[i]) == n && !memcmp(known[i], s, n))
			return true;
	if (n < 6 || !isupper((unsigned char)s[0]))
		return false;
	return (n > 5 && !memcmp(s + n - 5, "Error", 5)) || (n > 9 && !memcmp(s + n - 9, "Exception", 9));
}

static const char *const method_names[] = {"result", "done", "cancelled", "cancel", "exception",
					   "create_task", "append"};

static void note_call(struct parser *P, struct expr *e)
{
	if (P->ncalls == P->callcap) {
		P->callcap = P->callcap ? P->callcap * 2 : 16;
		P->calls = xrealloc(P->calls, (size_t)P->callcap * sizeof(*P->calls));
	}
	P->calls[P->ncalls++] = e;
}

/* Parses "a, b, *c" up to @close; items may be starred when @stars. */
static struct expr **parse_items(struct parser *P, const char *close, bool stars, int *n)
{
	struct expr **items = NULL;
	*n = 0;
	while (!at_op(P, close)) {
		struct expr *item;
		if (stars && at_op(P, "*")) {
			item = new_expr(P, E_STAR, tok_col(P));
			P->tpos++;
			item->operand = parse_or(P);
		} else {
			item = parse_expr(P);
		}
		items = p_grow(P, items, (size_t)(*n + 1) * sizeof(*items));
		items[(*n)++] = item;
		if (!at_op(P, ","))
			break;
		P->tpos++;
	}
	if (!at_op(P, close)) {
		char what[40];
		snprintf(what, sizeof(what), "',' or '%s'", close);
		expected(P, what);
	}
	P->tpos++;
	return items;
}

/* Looks ahead for "for" at this bracket depth before @close: a comprehension. */
static int find_comp_for(struct parser *P, const char *close)
{
	int depth = 0;
	for (int i = P->tpos; i < P->ntoks && P->toks[i].kind != T_EOL; i++) {
		struct token *t = &P->toks[i];
		if (t->kind == T_OP && (tok_is(t, T_OP, "(") || tok_is(t, T_OP, "[")))
			depth++;
		else if (t->kind == T_OP && (tok_is(t, T_OP, ")") || tok_is(t, T_OP, "]"))) {
			if (depth == 0)
				return tok_is(t, T_OP, close) ? -1 : -1;
			depth--;
		} else if (depth == 0 && tok_is(t, T_NAME, "for")) {
			return i;
		}
	}
	return -1;
}

/* Parses "elem for var in iter" followed by @close. */
static struct expr *parse_comprehension(struct parser *P, int for_pos, const char *close)
{
	struct token *var = &P->toks[for_pos + 1];
	if (var->kind != T_NAME || is_keyword(var->s, var->n)) {
		P->tpos = for_pos + 1;
		expected(P, "a variable name after 'for'");
	}
	if (!P->fn)
		FAIL_TOK(P, "a comprehension needs to be inside a function");
	struct expr *e = new_expr(P, E_COMP, tok_col(P));
	e->comp.var_slot = hidden_slot(P, P->fn, "comp");
	if (P->nscope == P->scopecap) {
		P->scopecap = P->scopecap ? P->scopecap * 2 : 4;
		P->scope = xrealloc(P->scope, (size_t)P->scopecap * sizeof(*P->scope));
	}
	P->scope[P->nscope++] = (struct scope_entry){var->s, var->n, e->comp.var_slot};
	e->comp.elem = parse_expr(P);
	P->nscope--;
	if (P->tpos != for_pos)
		expected(P, "'for'");
	P->tpos += 2;
	if (!at_name(P, "in"))
		expected(P, "'in'");
	P->tpos++;
	e->comp.iter = parse_or(P);
	expect_op(P, close);
	return e;
}

static bool lookup_var(struct parser *P, const struct token *t, struct expr *e)
{
	for (int i = P->nscope; i-- > 0;)
		if (P->scope[i].n == t->n && memcmp(P->scope[i].name, t->s, t->n) == 0) {
			e->kind = E_LOCAL;
			e->slot = P->scope[i].slot;
			return true;
		}
	int slot = P->fn ? find_slot(P->fn, t->s, t->n) : -1;
	if (slot >= 0) {
		e->kind = E_LOCAL;
		e->slot = slot;
		return true;
	}
	for (int i = 0; i < P->sc->nparams; i++)
		if (strlen(P->sc->params[i].name) == t->n && !memcmp(P->sc->params[i].name, t->s, t->n)) {
			e->kind = E_PARAM;
			e->param = i;
			return true;
		}
	return false;
}

static _Noreturn void unknown_name(struct parser *P, const struct token *t)
{
	const char **names = xcalloc((size_t)(P->sc->nparams + (P->fn ? P->fn->nslots : 0) + P->nscope) + 1,
				     sizeof(char *));
	size_t n = 0;
	for (int i = 0; i < P->sc->nparams; i++)
		names[n++] = P->sc->params[i].name;
	for (int i = 0; P->fn && i < P->fn->nslots; i++)
		names[n++] = P->fn->slot_names[i];
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(t->n < 63 ? t->n : 63), t->s);
	const char *s = suggest_name(word, names, n);
	char hint[96] = "";
	if (s)
		snprintf(hint, sizeof(hint), "; did you mean '%s'?", s);
	free(names);
	fail_at(P, P->lineno, t->col, "unknown name '%s'%s", word, hint);
}

static void require_async(struct parser *P, int col, const char *what)
{
	if (!P->fn)
		fail_at(P, P->lineno, col, "'%s' is only allowed inside a function", what);
	if (!P->fn->is_async)
		fail_at(P, P->lineno, col, "'%s' needs an 'async def'; '%s' is a plain def, which runs "
			"without the loop (in a worker, or blocking the loop)", what, P->fn->name);
}

/* Arguments of a built-in: positional first, then NAME=VALUE by the names
 * in @sig; the result has sig->max_args entries, NULL where none was given. */
static struct expr **parse_builtin_args(struct parser *P, const struct builtin_sig *sig, int col)
{
	struct expr **args = p_alloc(P, (size_t)(sig->max_args ? sig->max_args : 1) * sizeof(*args));
	int npos = 0;
	bool named = false;
	while (!at_op(P, ")")) {
		if (peek(P)->kind == T_NAME && tok_is(peek2(P), T_OP, "=")) {
			struct token *k = peek(P);
			int i = 0;
			while (i < 3 && sig->params[i] && !(strlen(sig->params[i]) == k->n && !memcmp(sig->params[i], k->s, k->n)))
				i++;
			if (i == 3 || !sig->params[i] || i >= sig->max_args)
				FAIL_TOK(P, "%s() has no parameter '%.*s'", sig->name, (int)k->n, k->s);
			if (args[i])
				FAIL_TOK(P, "%s() got '%s' twice", sig->name, sig->params[i]);
			P->tpos += 2;
			args[i] = parse_expr(P);
			named = true;
		} else {
			if (named)
				FAIL_TOK(P, "a positional argument after a keyword argument");
			if (npos == sig->max_args)
				fail_at(P, P->lineno, col, "%s() takes at most %d argument%s", sig->name,
					sig->max_args, sig->max_args == 1 ? "" : "s");
			args[npos++] = parse_expr(P);
		}
		if (!at_op(P, ","))
			break;
		P->tpos++;
	}
	expect_op(P, ")");
	for (int i = 0; i < sig->min_args; i++) {
		if (args[i])
			continue;
		char range[32];
		if (sig->min_args == sig->max_args)
			snprintf(range, sizeof(range), "%d", sig->min_args);
		else
			snprintf(range, sizeof(range), "%d to %d", sig->min_args, sig->max_args);
		if (sig->params[i])
			fail_at(P, P->lineno, col, "%s() takes %s argument%s; '%s' is missing", sig->name, range,
				sig->max_args == 1 ? "" : "s", sig->params[i]);
		fail_at(P, P->lineno, col, "%s() takes %s argument%s", sig->name, range, sig->max_args == 1 ? "" : "s");
	}
	return args;
}

/* serve(PATH, HANDLER, ARG): HANDLER names an async def of one parameter,
 * kept as a call with no argument expression (resolve() checks it). */
static struct expr **parse_serve_args(struct parser *P)
{
	struct expr **args = p_alloc(P, 3 * sizeof(*args));
	args[0] = parse_expr(P);
	expect_op(P, ",");
	struct token *t = peek(P);
	if (t->kind != T_NAME || tok_is(peek2(P), T_OP, "("))
		FAIL_TOK(P, "serve() takes the name of an async def as its handler, like "
			 "serve(\"/captcha\", handle_captcha, \"length\")");
	P->tpos++;
	struct expr *h = new_expr(P, E_CALL, t->col);
	h->call.name = p_strndup(P, t->s, t->n);
	h->call.args = p_alloc(P, sizeof(*h->call.args));
	h->call.nargs = 1;
	note_call(P, h);
	args[1] = h;
	expect_op(P, ",");
	args[2] = parse_expr(P);
	expect_op(P, ")");
	return args;
}

static struct expr *parse_call(struct parser *P, struct token *name)
{
	int col = name->col;
	P->tpos += 2; /* the name and "(" */
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		const struct builtin_sig *sig = &builtins[i];
		if (strlen(sig->name) != name->n || memcmp(sig->name, name->s, name->n))
			continue;
		if (sig->async_only)
			require_async(P, col, sig->name);
		struct expr *e = new_expr(P, E_BUILTIN, col);
		e->call.name = p_strndup(P, name->s, name->n);
		e->call.builtin = sig->id;
		if (sig->id == B_READ_FILE || sig->id == B_WRITE_FILE)
			P->sc->uses_files = true;
		if (sig->id == B_SERVE) {
			e->call.args = parse_serve_args(P);
			e->call.nargs = 3;
		} else if (sig->id == B_RANGE) {
			e->call.args = parse_items(P, ")", false, &e->call.nargs);
			if (e->call.nargs < 1 || e->call.nargs > 2)
				fail_at(P, e->line, col, "range() takes 1 to 2 arguments, not %d", e->call.nargs);
		} else {
			e->call.args = parse_builtin_args(P, sig, col);
			e->call.nargs = sig->max_args;
		}
		return e;
	}
	if (tok_is(name, T_NAME, "block"))
		fail_at(P, P->lineno, col, "'block' is a statement: write 'block 2s'");
	if (is_exception_name(name->s, name->n)) {
		struct expr *e = new_expr(P, E_NEWEXC, col);
		e->call.name = p_strndup(P, name->s, name->n);
		e->call.args = parse_items(P, ")", false, &e->call.nargs);
		if (e->call.nargs > 1)
			fail_at(P, e->line, col, "%s() takes a message at most", e->call.name);
		return e;
	}
	struct expr *e = new_expr(P, E_CALL, col);
	e->call.name = p_strndup(P, name->s, name->n);
	e->call.args = parse_items(P, ")", false, &e->call.nargs);
	note_call(P, e);
	return e;
}

static struct expr *parse_atom(struct parser *P)
{
	struct token *t = peek(P);
	int col = t->col;
	switch (t->kind) {
	case T_INT:
		P->tpos++;
		return constant(P, value_int(t->i), col);
	case T_FLOAT:
		P->tpos++;
		return constant(P, value_float(t->f), col);
	case T_STRING:
		P->tpos++;
		return parse_string(P, t);
	case T_NAME:
		break;
	case T_OP:
		if (at_op(P, "(")) {
			P->tpos++;
			struct expr *e = parse_expr(P);
			expect_op(P, ")");
			return e;
		}
		if (at_op(P, "[")) {
			P->tpos++;
			int for_pos = find_comp_for(P, "]");
			if (for_pos >= 0)
				return parse_comprehension(P, for_pos, "]");
			struct expr *e = new_expr(P, E_LIST, col);
			e->list.items = parse_items(P, "]", true, &e->list.n);
			return e;
		}
		/* fall through */
	default:
		expected(P, "an expression");
	}
	if (at_name(P, "FIRST_COMPLETED") || at_name(P, "ALL_COMPLETED") || at_name(P, "FIRST_EXCEPTION")) {
		P->tpos++;
		return constant(P, value_str(t->s, t->n), col);
	}
	if (at_name(P, "None") || at_name(P, "True") || at_name(P, "False")) {
		P->tpos++;
		struct value v = t->s[0] == 'N' ? value_none() : value_bool(t->s[0] == 'T');
		return constant(P, v, col);
	}
	if (at_name(P, "await"))
		FAIL_TOK(P, "'await' must begin a statement: 'x = await ...', 'await ...' or 'return await ...'");
	if (at_name(P, "gather")) {
		require_async(P, col, "gather");
		P->tpos++;
		if (!at_op(P, "("))
			expected(P, "'(' after gather");
		P->tpos++;
		struct expr *e = new_expr(P, E_GATHER, col);
		int for_pos = find_comp_for(P, ")");
		if (for_pos >= 0) {
			e->gather.items = parse_comprehension(P, for_pos, ")");
			return e;
		}
		struct expr *list = new_expr(P, E_LIST, col);
		e->gather.items = list;
		while (!at_op(P, ")")) {
			if (tok_is(peek(P), T_NAME, "return_exceptions") && tok_is(peek2(P), T_OP, "=")) {
				P->tpos += 2;
				e->gather.return_exceptions = parse_expr(P);
				if (!at_op(P, ")"))
					expected(P, "')' after return_exceptions=...");
				break;
			}
			struct expr *item;
			if (at_op(P, "*")) {
				item = new_expr(P, E_STAR, tok_col(P));
				P->tpos++;
				item->operand = parse_or(P);
			} else {
				item = parse_expr(P);
			}
			list->list.items = p_grow(P, list->list.items, (size_t)(list->list.n + 1) * sizeof(struct expr *));
			list->list.items[list->list.n++] = item;
			if (!at_op(P, ","))
				break;
			P->tpos++;
		}
		expect_op(P, ")");
		return e;
	}
	if (is_keyword(t->s, t->n))
		FAIL_TOK(P, "unexpected keyword '%.*s'", (int)t->n, t->s);
	if (tok_is(peek2(P), T_OP, "("))
		return parse_call(P, t);
	struct expr *e = new_expr(P, E_LOCAL, col);
	if (!lookup_var(P, t, e))
		unknown_name(P, t);
	P->tpos++;
	return e;
}

static struct expr *parse_postfix(struct parser *P)
{
	struct expr *e = parse_atom(P);
	for (;;) {
		if (at_op(P, "[")) {
			struct expr *ix = new_expr(P, E_INDEX, tok_col(P));
			P->tpos++;
			ix->index.base = e;
			ix->index.index = parse_expr(P);
			expect_op(P, "]");
			e = ix;
		} else if (at_op(P, ".")) {
			P->tpos++;
			struct token *m = peek(P);
			if (m->kind != T_NAME)
				expected(P, "a method name after '.'");
			size_t k = 0, nm = sizeof(method_names) / sizeof(method_names[0]);
			while (k < nm && !(strlen(method_names[k]) == m->n && !memcmp(method_names[k], m->s, m->n)))
				k++;
			if (k == nm) {
				char word[64];
				snprintf(word, sizeof(word), "%.*s", (int)(m->n < 63 ? m->n : 63), m->s);
				const char *s = suggest_name(word, method_names, nm);
				if (s)
					FAIL_TOK(P, "unknown method '%s'; did you mean '%s'?", word, s);
				FAIL_TOK(P, "unknown method '%s' (there are: result, done, cancelled, cancel, "
					 "exception, create_task, append)", word);
			}
			if (!strcmp(method_names[k], "create_task"))
				require_async(P, m->col, "create_task");
			struct expr *me = new_expr(P, E_METHOD, m->col);
			me->call.name = p_strndup(P, m->s, m->n);
			me->call.base = e;
			P->tpos++;
			expect_op(P, "(");
			me->call.args = parse_items(P, ")", false, &me->call.nargs);
			e = me;
		} else {
			return e;
		}
	}
}

static struct expr *parse_unary(struct parser *P)
{
	if (at_op(P, "-")) {
		struct expr *e = new_expr(P, E_NEG, tok_col(P));
		P->tpos++;
		enter(P);
		e->operand = parse_unary(P);
		P->depth--;
		return e;
	}
	return parse_postfix(P);
}

static struct expr *binary(struct parser *P, enum binop op, int col, struct expr *l, struct expr *r)
{
	struct expr *e = new_expr(P, E_BINARY, col);
	e->binary.op = op;
	e->binary.l = l;
	e->binary.r = r;
	return e;
}

static struct expr *parse_term(struct parser *P)
{
	struct expr *e = parse_unary(P);
	for (;;) {
		int col = tok_col(P);
		enum binop op;
		if (at_op(P, "*"))
			op = OP_MUL;
		else if (at_op(P, "/"))
			op = OP_DIV;
		else if (at_op(P, "//"))
			op = OP_FLOORDIV;
		else if (at_op(P, "%"))
			op = OP_MOD;
		else
			return e;
		P->tpos++;
		e = binary(P, op, col, e, parse_unary(P));
	}
}

static struct expr *parse_sum(struct parser *P)
{
	struct expr *e = parse_term(P);
	for (;;) {
		int col = tok_col(P);
		enum binop op;
		if (at_op(P, "+"))
			op = OP_ADD;
		else if (at_op(P, "-"))
			op = OP_SUB;
		else
			return e;
		P->tpos++;
		e = binary(P, op, col, e, parse_term(P));
	}
}

static struct expr *parse_comparison(struct parser *P)
{
	struct expr *e = parse_sum(P);
	static const struct {
		const char *s;
		enum binop op;
	} cmp[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT}, {"<=", OP_LE}, {">", OP_GT}, {">=", OP_GE}};
	for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		if (at_op(P, cmp[i].s)) {
			int col = tok_col(P);
			P->tpos++;
			return binary(P, cmp[i].op, col, e, parse_sum(P));
		}
	}
	return e;
}

static struct expr *parse_not(struct parser *P)
{
	if (at_name(P, "not")) {
		struct expr *e = new_expr(P, E_NOT, tok_col(P));
		P->tpos++;
		enter(P);
		e->operand = parse_not(P);
		P->depth--;
		return e;
	}
	return parse_comparison(P);
}

static struct expr *parse_and(struct parser *P)
{
	struct expr *e = parse_not(P);
	while (at_name(P, "and")) {
		int col = tok_col(P);
		P->tpos++;
		e = binary(P, OP_AND, col, e, parse_not(P));
	}
	return e;
}

static struct expr *parse_or(struct parser *P)
{
	struct expr *e = parse_and(P);
	while (at_name(P, "or")) {
		int col = tok_col(P);
		P->tpos++;
		e = binary(P, OP_OR, col, e, parse_and(P));
	}
	return e;
}

/* "offload block D [to POOL]" or "offload CALL [to POOL]". */
static struct expr *parse_offload(struct parser *P)
{
	int col = tok_col(P);
	require_async(P, col, "offload");
	P->tpos++;
	struct expr *e = new_expr(P, E_OFFLOAD, col);
	if (at_name(P, "block")) {
		struct expr *job = new_expr(P, E_BUILTIN, tok_col(P));
		P->tpos++;
		job->call.name = p_strndup(P, "block", 5);
		job->call.builtin = B_BLOCK;
		job->call.args = p_alloc(P, sizeof(struct expr *));
		job->call.args[0] = parse_or(P);
		job->call.nargs = 1;
		e->offload.job = job;
	} else {
		struct token *t = peek(P);
		if (t->kind != T_NAME || !tok_is(peek2(P), T_OP, "("))
			expected(P, "'block DURATION' or a function call after 'offload'");
		e->offload.job = parse_postfix(P);
		enum builtin b = e->offload.job->kind == E_BUILTIN ? e->offload.job->call.builtin : B_NONE;
		if (e->offload.job->kind == E_BUILTIN && b != B_PRIMES && b != B_HTTP_GET && b != B_READ_FILE &&
		    b != B_WRITE_FILE)
			fail_at(P, e->line, e->offload.job->col, "%s() is not something to offload; offload block, "
				"primes(), http_get(), read_file(), write_file() or a def", e->offload.job->call.name);
		if (e->offload.job->kind != E_CALL && e->offload.job->kind != E_BUILTIN)
			fail_at(P, e->line, e->offload.job->col, "offload takes a single call");
	}
	if (at_name(P, "to")) {
		P->tpos++;
		e->offload.pool_name = take_name(P, "a pool name after 'to'");
	}
	note_call(P, e);
	return e;
}

static struct expr *parse_expr_at(struct parser *P);

static struct expr *parse_expr(struct parser *P)
{
	enter(P);
	struct expr *e = parse_expr_at(P);
	P->depth--;
	return e;
}

static struct expr *parse_expr_at(struct parser *P)
{
	if (at_name(P, "spawn")) {
		int col = tok_col(P);
		require_async(P, col, "spawn");
		P->tpos++;
		struct expr *e = new_expr(P, E_SPAWN, col);
		e->operand = parse_expr(P);
		return e;
	}
	if (at_name(P, "offload"))
		return parse_offload(P);
	return parse_or(P);
}

/* --- statements --------------------------------------------------------- */

static int emit(struct parser *P, enum op_kind kind, int col, struct expr *e)
{
	struct func *F = P->fn;
	F->ops = p_grow(P, F->ops, (size_t)(F->nops + 1) * sizeof(*F->ops));
	F->ops[F->nops] = (struct op){.kind = kind, .line = P->lineno, .col = col, .slot = -1, .e = e};
	return F->nops++;
}

static void parse_block(struct parser *P, int parent_indent, const char *owner);

/* After "x =", "return" or at a statement's start: "await EXPR" or EXPR. */
static void parse_rhs(struct parser *P, enum op_kind plain, int slot, int col)
{
	if (at_name(P, "await")) {
		int acol = tok_col(P);
		require_async(P, acol, "await");
		P->tpos++;
		if (peek(P)->kind == T_EOL)
			expected(P, "something to await");
		int tmp = plain == OP_RETURN ? hidden_slot(P, P->fn, "ret") : slot;
		int op = emit(P, OP_AWAIT, acol, parse_expr(P));
		P->fn->ops[op].slot = tmp;
		if (plain == OP_RETURN) {
			struct expr *v = new_expr(P, E_LOCAL, acol);
			v->slot = tmp;
			emit(P, OP_RETURN, col, v);
		}
		return;
	}
	struct expr *e = parse_expr(P);
	if (plain == OP_EXPR && e->kind == E_CALL)
		note_call(P, e); /* checked after resolution: an unawaited coroutine is an error */
	int op = emit(P, plain, col, e);
	P->fn->ops[op].slot = slot;
}

/* Whether the next line with code is at @indent and starts with the word @kw. */
static bool next_line_starts(struct parser *P, int indent, const char *kw)
{
	if (peek_indent(P) != indent)
		return false;
	const char *next, *body;
	const char *e = line_end_of(P, P->next_pos, &next);
	measure_indent(P->next_pos, e, &body);
	size_t n = strlen(kw);
	return (size_t)(e - body) >= n && !memcmp(body, kw, n) && (body + n == e || !is_ident(body[n]));
}

/* An optional "as NAME": the slot it binds, or -1. */
static int parse_as(struct parser *P)
{
	if (!at_name(P, "as"))
		return -1;
	P->tpos++;
	struct token *nt = peek(P);
	take_name(P, "a name after 'as'");
	return define_var(P, nt);
}

/* try: / except [TYPE] [as NAME]: / else: / finally:
 *
 *         TRY exc -> H            (TRY fin -> F first, with a finally)
 *         body
 *         TRY_END
 *         else-body
 *         JUMP END
 *     H:  EXCEPT exc TYPE1 -> H2
 *         handler 1, JUMP END
 *     H2: ... RAISE exc           (no clause matched)
 *   END:  (TRY_END, fin = None)   (with a finally)
 *     F:  finally-body
 *         END_FINALLY fin */
static void parse_try(struct parser *P, int col)
{
	int indent = P->indent;
	int try_line = P->lineno;
	P->tpos++;
	expect_op(P, ":");
	expect_eol(P);
	bool has_except = false, has_finally = false;
	/* Look ahead past the body for the clauses, to know about finally now. */
	const char *save_pos = P->next_pos;
	int save_line = P->next_lineno;
	{
		int d = peek_indent(P);
		while (d > indent || (d == indent && (next_line_starts(P, indent, "except") ||
						      next_line_starts(P, indent, "else") ||
						      next_line_starts(P, indent, "finally")))) {
			if (d == indent && next_line_starts(P, indent, "finally"))
				has_finally = true;
			const char *next;
			line_end_of(P, P->next_pos, &next);
			P->next_pos = next;
			P->next_lineno++;
			d = peek_indent(P);
		}
	}
	P->next_pos = save_pos;
	P->next_lineno = save_line;
	int fin_slot = -1, fin_try = -1;
	if (has_finally) {
		fin_slot = hidden_slot(P, P->fn, "finally");
		fin_try = emit(P, OP_TRY, col, NULL);
		P->fn->ops[fin_try].slot = fin_slot;
		P->finally_depth++;
	}
	int exc_slot = hidden_slot(P, P->fn, "exc");
	int try_op = emit(P, OP_TRY, col, NULL);
	P->fn->ops[try_op].slot = exc_slot;
	parse_block(P, indent, "try");
	emit(P, OP_TRY_END, col, NULL);
	int jumps[64], njumps = 0;
	int else_pending = -1;
	/* except clauses */
	int handler_start = -1;
	int prev_test = -1;
	bool saw_bare = false;
	while (next_line_starts(P, indent, "except")) {
		take_line(P);
		int ecol = tok_col(P);
		if (saw_bare)
			FAIL_TOK(P, "a bare 'except:' must be the last except clause");
		if (!has_except) {
			/* The body ran to its end: skip the handlers (to the else). */
			else_pending = emit(P, OP_JUMP, col, NULL);
			handler_start = P->fn->nops;
		}
		has_except = true;
		P->tpos++;
		struct expr *type = NULL;
		if (!at_op(P, ":")) {
			struct token *t = peek(P);
			if (t->kind != T_NAME || !is_exception_name(t->s, t->n))
				expected(P, "an exception type such as ValueError, or ':'");
			type = constant(P, value_str(t->s, t->n), t->col);
			P->tpos++;
		} else {
			saw_bare = true;
		}
		int bind = parse_as(P);
		expect_op(P, ":");
		expect_eol(P);
		if (prev_test >= 0)
			P->fn->ops[prev_test].target = P->fn->nops;
		int test = emit(P, OP_EXCEPT, ecol, type);
		P->fn->ops[test].slot = exc_slot;
		P->fn->ops[test].slot2 = bind;
		prev_test = test;
		if (P->nexcept == 16)
			fail_at(P, P->lineno, ecol, "except clauses nested too deeply");
		P->except_slots[P->nexcept++] = exc_slot;
		parse_block(P, indent, "except");
		P->nexcept--;
		if (njumps == 64)
			fail_at(P, P->lineno, ecol, "too many except clauses");
		jumps[njumps++] = emit(P, OP_JUMP, ecol, NULL);
	}
	(void)handler_start;
	if (has_except) {
		/* No clause matched: the exception goes on. */
		P->fn->ops[prev_test].target = P->fn->nops;
		int re = emit(P, OP_RAISE, col, NULL);
		P->fn->ops[re].slot = exc_slot;
		P->fn->ops[try_op].target = handler_start;
		P->fn->ops[else_pending].target = P->fn->nops;
	} else {
		/* try/finally without except: the inner handler re-raises at once. */
		int skip = emit(P, OP_JUMP, col, NULL);
		P->fn->ops[try_op].target = P->fn->nops;
		int re = emit(P, OP_RAISE, col, NULL);
		P->fn->ops[re].slot = exc_slot;
		P->fn->ops[skip].target = P->fn->nops;
	}
	if (next_line_starts(P, indent, "else")) {
		if (!has_except)
			fail_at(P, P->next_lineno, indent + 1, "'else' after 'try' needs an 'except' clause first");
		take_line(P);
		P->tpos++;
		expect_op(P, ":");
		expect_eol(P);
		parse_block(P, indent, "else");
	}
	for (int i = 0; i < njumps; i++)
		P->fn->ops[jumps[i]].target = P->fn->nops;
	if (has_finally) {
		P->finally_depth--;
		if (!next_line_starts(P, indent, "finally"))
			fail_at(P, P->next_lineno, indent + 1, "expected 'finally:' here");
		take_line(P);
		P->tpos++;
		expect_op(P, ":");
		expect_eol(P);
		emit(P, OP_TRY_END, col, NULL);
		struct expr *none = constant(P, value_none(), col);
		int clear = emit(P, OP_ASSIGN, col, none);
		P->fn->ops[clear].slot = fin_slot;
		P->fn->ops[fin_try].target = P->fn->nops;
		parse_block(P, indent, "finally");
		int end = emit(P, OP_END_FINALLY, col, NULL);
		P->fn->ops[end].slot = fin_slot;
	} else if (!has_except) {
		fail_at(P, try_line, col, "'try' needs an 'except' or a 'finally' clause");
	}
}

/* async with EXPR [as NAME]: a semaphore or a task group around a block,
 * left properly however the block ends (like try/finally). */
static void parse_async_with(struct parser *P, int col)
{
	int indent = P->indent;
	require_async(P, col, "async with");
	P->tpos += 2;
	struct expr *ctx = parse_expr(P);
	int bind = parse_as(P);
	expect_op(P, ":");
	expect_eol(P);
	int ctx_slot = hidden_slot(P, P->fn, "ctx");
	int exc_slot = hidden_slot(P, P->fn, "exc");
	int enter = emit(P, OP_AENTER, col, ctx);
	P->fn->ops[enter].slot = ctx_slot;
	P->fn->ops[enter].slot2 = bind;
	int try_op = emit(P, OP_TRY, col, NULL);
	P->fn->ops[try_op].slot = exc_slot;
	P->finally_depth++;
	parse_block(P, indent, "async with");
	P->finally_depth--;
	emit(P, OP_TRY_END, col, NULL);
	int leave = emit(P, OP_AEXIT, col, NULL);
	P->fn->ops[leave].slot = ctx_slot;
	int skip = emit(P, OP_JUMP, col, NULL);
	P->fn->ops[try_op].target = P->fn->nops;
	int leave_exc = emit(P, OP_AEXIT_EXC, col, NULL);
	P->fn->ops[leave_exc].slot = ctx_slot;
	P->fn->ops[leave_exc].slot2 = exc_slot;
	P->fn->ops[skip].target = P->fn->nops;
}

static void parse_raise(struct parser *P, int col)
{
	P->tpos++;
	if (peek(P)->kind == T_EOL) {
		if (!P->nexcept)
			fail_at(P, P->lineno, col, "a bare 'raise' re-raises inside an except clause only");
		int op = emit(P, OP_RAISE, col, NULL);
		P->fn->ops[op].slot = P->except_slots[P->nexcept - 1];
		return;
	}
	struct token *t = peek(P);
	struct expr *e;
	if (t->kind == T_NAME && is_exception_name(t->s, t->n) && !tok_is(peek2(P), T_OP, "(")) {
		/* "raise ValueError" makes one with no message. */
		e = new_expr(P, E_NEWEXC, t->col);
		e->call.name = p_strndup(P, t->s, t->n);
		P->tpos++;
	} else {
		e = parse_expr(P);
	}
	emit(P, OP_RAISE, col, e);
}

/* "a, b = RHS": RHS into a hidden slot, then one assignment per name. */
static void parse_unpack(struct parser *P, int col)
{
	struct token *names[16];
	int n = 0;
	for (;;) {
		if (peek(P)->kind != T_NAME)
			expected(P, "a variable name");
		if (n == 16)
			FAIL_TOK(P, "too many names to unpack into");
		names[n++] = peek(P);
		P->tpos++;
		if (at_op(P, "="))
			break;
		expect_op(P, ",");
	}
	P->tpos++;
	if (peek(P)->kind == T_EOL)
		expected(P, "a value after '='");
	int tmp = hidden_slot(P, P->fn, "unpack");
	parse_rhs(P, OP_ASSIGN, tmp, col);
	struct expr *count = new_expr(P, E_CONST, col);
	count->constant = value_int(n);
	int check = emit(P, OP_UNPACK, col, count);
	P->fn->ops[check].slot = tmp;
	for (int i = 0; i < n; i++) {
		struct expr *ix = new_expr(P, E_INDEX, names[i]->col);
		ix->index.base = new_expr(P, E_LOCAL, col);
		ix->index.base->slot = tmp;
		ix->index.index = new_expr(P, E_CONST, col);
		ix->index.index->constant = value_int(i);
		int op = emit(P, OP_ASSIGN, names[i]->col, ix);
		P->fn->ops[op].slot = define_var(P, names[i]);
	}
}

static void parse_statement(struct parser *P)
{
	struct token *t = peek(P);
	int col = t->col;
	if (at_name(P, "say")) {
		P->tpos++;
		emit(P, OP_SAY, col, parse_expr(P));
	} else if (at_name(P, "sleep")) {
		require_async(P, col, "sleep");
		P->tpos++;
		emit(P, OP_SLEEP, col, parse_expr(P));
	} else if (at_name(P, "block")) {
		P->tpos++;
		emit(P, OP_BLOCK, col, parse_expr(P));
	} else if (at_name(P, "pass")) {
		P->tpos++;
	} else if (at_name(P, "try")) {
		parse_try(P, col);
		return;
	} else if (at_name(P, "raise")) {
		parse_raise(P, col);
	} else if (at_name(P, "async") && tok_is(peek2(P), T_NAME, "with")) {
		parse_async_with(P, col);
		return;
	} else if (at_name(P, "except") || at_name(P, "finally")) {
		FAIL_TOK(P, "'%.*s' without a matching 'try'", (int)t->n, t->s);
	} else if (at_name(P, "return")) {
		if (P->finally_depth)
			FAIL_TOK(P, "'return' inside a try with 'finally' or an 'async with' is not supported; "
				 "assign the result and return after the block");
		P->tpos++;
		if (peek(P)->kind == T_EOL)
			emit(P, OP_RETURN, col, NULL);
		else
			parse_rhs(P, OP_RETURN, -1, col);
	} else if (at_name(P, "for")) {
		P->tpos++;
		struct token *var = peek(P);
		char *name = take_name(P, "a loop variable");
		(void)name;
		if (!at_name(P, "in"))
			expected(P, "'in'");
		P->tpos++;
		struct expr *iter = parse_or(P);
		expect_op(P, ":");
		expect_eol(P);
		int list_slot = hidden_slot(P, P->fn, "list");
		hidden_slot(P, P->fn, "index");
		int var_slot = define_var(P, var);
		int init = emit(P, OP_FOR_INIT, col, iter);
		P->fn->ops[init].slot = list_slot;
		int next = emit(P, OP_FOR_NEXT, col, NULL);
		P->fn->ops[next].slot = var_slot;
		P->fn->ops[next].slot2 = list_slot;
		int for_line = P->lineno;
		parse_block(P, P->indent, "for");
		int jump = emit(P, OP_JUMP, col, NULL);
		P->fn->ops[jump].line = for_line;
		P->fn->ops[jump].target = next;
		P->fn->ops[next].target = P->fn->nops;
		return;
	} else if (at_name(P, "if")) {
		int indent = P->indent;
		P->tpos++;
		struct expr *cond = parse_expr(P);
		expect_op(P, ":");
		expect_eol(P);
		int test = emit(P, OP_JUMP_IF_NOT, col, cond);
		parse_block(P, indent, "if");
		int lineno = P->lineno;
		if (peek_indent(P) == indent) {
			const char *body;
			const char *next;
			const char *e = line_end_of(P, P->next_pos, &next);
			measure_indent(P->next_pos, e, &body);
			if ((size_t)(e - body) >= 4 && !memcmp(body, "else", 4) && (body + 4 == e || !is_ident(body[4]))) {
				take_line(P);
				P->tpos++;
				expect_op(P, ":");
				expect_eol(P);
				int skip = emit(P, OP_JUMP, col, NULL);
				P->fn->ops[test].target = P->fn->nops;
				parse_block(P, indent, "else");
				P->fn->ops[skip].target = P->fn->nops;
				return;
			}
		}
		(void)lineno;
		P->fn->ops[test].target = P->fn->nops;
		return;
	} else if (at_name(P, "else") || at_name(P, "elif")) {
		FAIL_TOK(P, "'%.*s' without a matching 'if'", (int)t->n, t->s);
	} else if (at_name(P, "while")) {
		FAIL_TOK(P, "'while' loops are not supported; use 'for x in range(n):'");
	} else if (t->kind == T_NAME && tok_is(peek2(P), T_OP, ",")) {
		parse_unpack(P, col);
	} else if (t->kind == T_NAME && tok_is(peek2(P), T_OP, "=")) {
		P->tpos += 2;
		if (peek(P)->kind == T_EOL)
			expected(P, "a value after '='");
		/* Define the target after the right side: "x = x + 1" reads the old x. */
		int mark = P->fn->nops;
		parse_rhs(P, OP_ASSIGN, -1, col);
		int slot = define_var(P, t);
		for (int i = mark; i < P->fn->nops; i++)
			if (P->fn->ops[i].kind == OP_ASSIGN || P->fn->ops[i].kind == OP_AWAIT)
				P->fn->ops[i].slot = slot;
	} else {
		/* "word something" is no expression: a mistyped statement. */
		if (t->kind == T_NAME && !is_keyword(t->s, t->n) && peek2(P)->kind != T_OP &&
		    peek2(P)->kind != T_EOL) {
			char word[64];
			snprintf(word, sizeof(word), "%.*s", (int)(t->n < 63 ? t->n : 63), t->s);
			static const char *const stmts[] = {"say", "sleep", "block", "return", "pass", "for", "if",
							    "await", "try", "raise"};
			const char *s = suggest_name(word, stmts, sizeof(stmts) / sizeof(stmts[0]));
			if (s)
				FAIL_TOK(P, "unknown statement '%s'; did you mean '%s'?", word, s);
			FAIL_TOK(P, "unknown statement '%s'", word);
		}
		parse_rhs(P, OP_EXPR, -1, col);
	}
	if (peek(P)->kind != T_EOL)
		expected(P, "the end of the statement");
}

static void parse_block(struct parser *P, int parent_indent, const char *owner)
{
	int owner_line = P->lineno;
	int indent = peek_indent(P);
	if (indent <= parent_indent) {
		int line = indent < 0 ? P->lineno : P->next_lineno;
		fail_at(P, line, indent < 0 ? 1 : indent + 1,
			"expected an indented block after '%s' on line %d", owner, owner_line);
	}
	if (indent > 200)
		fail_at(P, P->next_lineno, indent + 1, "indented too deeply");
	for (;;) {
		int next = peek_indent(P);
		if (next <= parent_indent)
			return;
		if (next != indent) {
			fail_at(P, P->next_lineno, next + 1,
				next > indent ? "unexpected indentation" :
				"this line's indentation matches no enclosing block");
		}
		take_line(P);
		parse_statement(P);
	}
}

/* --- top level ---------------------------------------------------------- */

static void parse_params(struct parser *P, struct func *F)
{
	expect_op(P, "(");
	while (!at_op(P, ")")) {
		struct token *t = peek(P);
		take_name(P, "a parameter name");
		if (find_slot(F, t->s, t->n) >= 0)
			fail_at(P, P->lineno, t->col, "duplicate parameter '%.*s'", (int)t->n, t->s);
		add_slot(P, F, t->s, t->n);
		F->nparams++;
		if (!at_op(P, ","))
			break;
		P->tpos++;
	}
	expect_op(P, ")");
}

static void parse_function(struct parser *P, bool is_async)
{
	int indent = P->indent;
	P->tpos++; /* def */
	struct token *nt = peek(P);
	char *name = take_name(P, "a function name");
	for (int i = 0; i < P->sc->nfuncs; i++)
		if (!strcmp(P->sc->funcs[i]->name, name))
			fail_at(P, P->lineno, nt->col, "function '%s' is already defined on line %d", name,
				P->sc->funcs[i]->line);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			fail_at(P, P->lineno, nt->col, "'%s' is a built-in function; pick another name", name);
	struct func *F = p_alloc(P, sizeof(*F));
	F->name = name;
	F->is_async = is_async;
	F->line = P->lineno;
	F->col = nt->col;
	P->fn = F;
	parse_params(P, F);
	expect_op(P, ":");
	expect_eol(P);
	P->sc->funcs = p_grow(P, P->sc->funcs, (size_t)(P->sc->nfuncs + 1) * sizeof(*P->sc->funcs));
	P->sc->funcs[P->sc->nfuncs++] = F;
	parse_block(P, indent, is_async ? "async def" : "def");
	/* Falling off the end returns None. */
	int ret = emit(P, OP_RETURN, 1, NULL);
	F->ops[ret].line = P->lineno;
	P->fn = NULL;
	if (!strcmp(name, "main")) {
		if (!is_async)
			fail_at(P, F->line, F->col, "main must be 'async def main():', as asyncio.run(main()) needs");
		if (F->nparams)
			fail_at(P, F->line, F->col, "main takes no parameters");
		P->sc->main = F;
	}
}

/* Collects the indented lines after "python:" or "notice:", dedented. */
static char *parse_raw_block(struct parser *P)
{
	const char *end = P->text + P->len;
	const char *start = P->next_pos;
	const char *stop = start;
	int min_indent = -1;
	int lines = 0, stop_line = P->next_lineno;
	const char *pos = start;
	while (pos < end) {
		const char *next;
		const char *e = line_end_of(P, pos, &next);
		const char *body;
		int ind = measure_indent(pos, e, &body);
		bool blank = body == e;
		if (!blank && ind == 0)
			break;
		lines++;
		if (!blank) {
			if (min_indent < 0 || ind < min_indent)
				min_indent = ind;
			stop = next;
			stop_line = P->next_lineno + lines;
		}
		pos = next;
	}
	if (min_indent < 0)
		fail_at(P, P->lineno, (int)(P->line_end - P->line) + 1,
			"expected an indented block of text after '%.*s'", (int)(P->line_end - P->line), P->line);
	struct buf b = {0};
	for (pos = start; pos < stop;) {
		const char *next;
		const char *e = line_end_of(P, pos, &next);
		/* Drop min_indent columns of leading white space. */
		int w = 0;
		const char *s = pos;
		while (s < e && w < min_indent && (*s == ' ' || *s == '\t')) {
			w = *s == '\t' ? (w / 8 + 1) * 8 : w + 1;
			s++;
		}
		buf_add(&b, s, (size_t)(e - s));
		buf_putc(&b, '\n');
		pos = next;
	}
	char *text = p_strndup(P, b.data ? b.data : "", b.len);
	buf_free(&b);
	P->next_pos = stop;
	P->next_lineno = stop_line;
	return text;
}

/* The rest of a header line after its keyword, trimmed. */
static char *rest_of_line(struct parser *P, const char *after)
{
	while (after < P->line_end && (*after == ' ' || *after == '\t'))
		after++;
	const char *e = P->line_end;
	while (e > after && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == after)
		fail_at(P, P->lineno, (int)(after - P->line) + 1, "expected text after the keyword");
	return p_strndup(P, after, (size_t)(e - after));
}

static double take_duration(struct parser *P)
{
	struct token *t = peek(P);
	if (t->kind != T_FLOAT && t->kind != T_INT)
		expected(P, "a duration such as 2s or 150ms");
	P->tpos++;
	return t->kind == T_INT ? (double)t->i : t->f;
}

static char *take_string(struct parser *P, const char *what)
{
	struct token *t = peek(P);
	if (t->kind != T_STRING)
		expected(P, what);
	struct buf b = {0};
	unescape(P, t->s, t->n, t->col + 1, &b);
	/* Say lines are compared as printed: undo the doubled braces. */
	size_t w = 0;
	for (size_t r = 0; r < b.len; r++) {
		b.data[w++] = b.data[r];
		if ((b.data[r] == '{' || b.data[r] == '}') && r + 1 < b.len && b.data[r + 1] == b.data[r])
			r++;
	}
	char *s = p_strndup(P, b.data ? b.data : "", w);
	buf_free(&b);
	P->tpos++;
	return s;
}

static struct value literal_value(struct parser *P)
{
	bool neg = false;
	if (at_op(P, "-")) {
		neg = true;
		P->tpos++;
	}
	struct token *t = peek(P);
	struct value v;
	if (t->kind == T_INT)
		v = value_int(neg ? -t->i : t->i);
	else if (t->kind == T_FLOAT)
		v = value_float(neg ? -t->f : t->f);
	else if (t->kind == T_STRING && !neg) {
		char *s = take_string(P, "a string");
		P->tpos--; /* consumed below, as for numbers */
		v = immortal(P, value_cstr(s));
	} else
		expected(P, "a number, a duration or a string");
	P->tpos++;
	return v;
}

/* expect total D | "text" at D | before "a" "b" | blocked D | says "text" | ok | error */
static void parse_expect(struct parser *P)
{
	struct expect_decl x = {.line = P->lineno, .col = tok_col(P)};
	if (at_name(P, "total") || at_name(P, "blocked")) {
		x.kind = at_name(P, "total") ? EXPECT_TOTAL : EXPECT_BLOCKED;
		P->tpos++;
		x.seconds = take_duration(P);
		for (int i = 0; i < P->sc->nexpects; i++)
			if (P->sc->expects[i].kind == x.kind)
				fail_at(P, x.line, x.col, "'expect %s' is given twice (line %d)",
					x.kind == EXPECT_TOTAL ? "total" : "blocked", P->sc->expects[i].line);
	} else if (peek(P)->kind == T_STRING) {
		x.kind = EXPECT_AT;
		x.text = take_string(P, "a say line in quotes");
		if (!at_name(P, "at"))
			expected(P, "'at' and a time, as in: expect \"Done\" at 1s");
		P->tpos++;
		x.seconds = take_duration(P);
	} else if (at_name(P, "before")) {
		x.kind = EXPECT_BEFORE;
		P->tpos++;
		x.text = take_string(P, "the say line that comes first, in quotes");
		x.text2 = take_string(P, "the say line that comes after it, in quotes");
	} else if (at_name(P, "says")) {
		x.kind = EXPECT_SAYS;
		P->tpos++;
		x.text = take_string(P, "a say line in quotes");
	} else if (at_name(P, "ok") || at_name(P, "error")) {
		x.kind = EXPECT_STATUS;
		x.failure = at_name(P, "error");
		P->tpos++;
	} else {
		expected(P, "total, blocked, a \"say line\" at, before, says, ok or error");
	}
	expect_eol(P);
	P->sc->expects = p_grow(P, P->sc->expects, (size_t)(P->sc->nexpects + 1) * sizeof(*P->sc->expects));
	P->sc->expects[P->sc->nexpects++] = x;
}

static void parse_header(struct parser *P, const char *word, size_t wn)
{
	const char *after = P->line + P->indent + wn;
	char **field = NULL;
	if (wn == 4 && !memcmp(word, "name", 4))
		field = &P->sc->name;
	else if (wn == 5 && !memcmp(word, "title", 5))
		field = &P->sc->title;
	else if (wn == 6 && !memcmp(word, "source", 6))
		field = &P->sc->source;
	if (field) {
		if (*field)
			fail_at(P, P->lineno, 1, "'%.*s' is given twice", (int)wn, word);
		*field = rest_of_line(P, after);
		return;
	}
	tokenize(P, P->line + P->indent, P->line_end, P->lineno, P->line);
	if (at_name(P, "python") || at_name(P, "notice")) {
		char **slot = at_name(P, "python") ? &P->sc->python : &P->sc->notice;
		P->tpos++;
		expect_op(P, ":");
		expect_eol(P);
		if (*slot)
			fail_at(P, P->lineno, 1, "'%.*s:' is given twice", (int)wn, word);
		*slot = parse_raw_block(P);
	} else if (at_name(P, "param")) {
		P->tpos++;
		struct token *nt = peek(P);
		char *name = take_name(P, "a parameter name");
		if (scenario_param_index(P->sc, name) >= 0)
			fail_at(P, P->lineno, nt->col, "parameter '%s' is declared twice", name);
		expect_op(P, "=");
		struct value v = literal_value(P);
		expect_eol(P);
		P->sc->params = p_grow(P, P->sc->params, (size_t)(P->sc->nparams + 1) * sizeof(*P->sc->params));
		P->sc->params[P->sc->nparams++] = (struct param_decl){name, v, P->lineno, nt->col};
	} else if (at_name(P, "pool")) {
		P->tpos++;
		struct token *nt = peek(P);
		char *name = take_name(P, "a pool name");
		for (int i = 0; i < P->sc->npools; i++)
			if (!strcmp(P->sc->pools[i].name, name))
				fail_at(P, P->lineno, nt->col, i == 0 ? "'default' is the built-in thread pool (asyncio's default executor); pick another name"
									: "pool '%s' is declared twice", name);
		bool processes;
		if (at_name(P, "threads"))
			processes = false;
		else if (at_name(P, "processes"))
			processes = true;
		else
			expected(P, "'threads' or 'processes'");
		P->tpos++;
		struct expr *size = NULL;
		if (peek(P)->kind != T_EOL) {
			int scol = tok_col(P);
			size = parse_or(P);
			if (size->kind == E_CONST && (size->constant.kind != V_INT || size->constant.i < 1 ||
						      size->constant.i > 256))
				fail_at(P, P->lineno, scol, "a pool has from 1 to 256 workers");
		}
		expect_eol(P);
		P->sc->pools = p_grow(P, P->sc->pools, (size_t)(P->sc->npools + 1) * sizeof(*P->sc->pools));
		P->sc->pools[P->sc->npools++] = (struct pool_decl){name, processes, size, P->lineno, nt->col};
	} else if (at_name(P, "expect")) {
		P->tpos++;
		parse_expect(P);
	} else if (at_name(P, "async")) {
		P->tpos++;
		if (!at_name(P, "def"))
			expected(P, "'def' after 'async'");
		parse_function(P, true);
	} else if (at_name(P, "def")) {
		parse_function(P, false);
	} else {
		static const char *const tops[] = {"name", "title", "source", "param", "pool", "expect",
						   "python", "notice", "async", "def"};
		char w[64];
		snprintf(w, sizeof(w), "%.*s", (int)(wn < 63 ? wn : 63), word);
		const char *s = wn ? suggest_name(w, tops, sizeof(tops) / sizeof(tops[0])) : NULL;
		if (s)
			fail_at(P, P->lineno, 1, "unknown keyword '%s'; did you mean '%s'?", w, s);
		fail_at(P, P->lineno, 1, "expected name, title, source, param, pool, expect, python:, "
			"notice:, 'async def' or 'def' at the start of a line");
	}
}

static int find_pool(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->npools; i++)
		if (!strcmp(sc->pools[i].name, name))
			return i;
	return -1;
}

static const struct func *find_func(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->nfuncs; i++)
		if (!strcmp(sc->funcs[i]->name, name))
			return sc->funcs[i];
	return NULL;
}

/* Resolves calls and pools, now that every function and pool is known. */
static void resolve(struct parser *P)
{
	struct scenario *sc = P->sc;
	for (int i = 0; i < P->ncalls; i++) {
		struct expr *e = P->calls[i];
		if (e->kind == E_OFFLOAD) {
			e->offload.pool = e->offload.pool_name ? find_pool(sc, e->offload.pool_name) : 0;
			if (e->offload.pool < 0) {
				const char **names = xcalloc((size_t)sc->npools, sizeof(char *));
				for (int k = 0; k < sc->npools; k++)
					names[k] = sc->pools[k].name;
				const char *s = suggest_name(e->offload.pool_name, names, (size_t)sc->npools);
				free(names);
				if (s)
					fail_at(P, e->line, e->col, "unknown pool '%s'; did you mean '%s'?",
						e->offload.pool_name, s);
				fail_at(P, e->line, e->col, "unknown pool '%s' (declare it: pool %s threads 3)",
					e->offload.pool_name, e->offload.pool_name);
			}
			struct expr *job = e->offload.job;
			if (job->kind == E_CALL && job->call.fn && job->call.fn->is_async)
				fail_at(P, job->line, job->col, "offload runs a plain 'def' in a worker; '%s' is "
					"an 'async def' (use spawn or await)", job->call.name);
			continue;
		}
		if (e->call.fn)
			continue; /* an expression statement noted twice */
		const struct func *fn = find_func(sc, e->call.name);
		if (!fn) {
			const char **names = xcalloc((size_t)sc->nfuncs + sizeof(builtins) / sizeof(builtins[0]), sizeof(char *));
			size_t n = 0;
			for (int k = 0; k < sc->nfuncs; k++)
				names[n++] = sc->funcs[k]->name;
			for (size_t k = 0; k < sizeof(builtins) / sizeof(builtins[0]); k++)
				names[n++] = builtins[k].name;
			const char *s = suggest_name(e->call.name, names, n);
			free(names);
			if (s)
				fail_at(P, e->line, e->col, "unknown function '%s'; did you mean '%s'?", e->call.name, s);
			fail_at(P, e->line, e->col, "unknown function '%s'", e->call.name);
		}
		if (e->call.nargs == 1 && !e->call.args[0] && fn->nparams != 1)
			fail_at(P, e->line, e->col, "a serve() handler takes one argument (the request's query "
				"argument), but %s() takes %d", fn->name, fn->nparams);
		if (fn->nparams != e->call.nargs)
			fail_at(P, e->line, e->col, "%s() takes %d argument%s, but %d %s given", fn->name,
				fn->nparams, fn->nparams == 1 ? "" : "s", e->call.nargs, e->call.nargs == 1 ? "was" : "were");
		/* A serve() handler: the only call whose argument is missing. */
		if (e->call.nargs == 1 && !e->call.args[0] && !fn->is_async)
			fail_at(P, e->line, e->col, "serve() needs an 'async def' handler; '%s' is a plain def",
				fn->name);
		e->call.fn = fn;
	}
	/* Every OP_EXPR that is a bare call of an async def is a coroutine never awaited. */
	for (int f = 0; f < sc->nfuncs; f++) {
		const struct func *F = sc->funcs[f];
		for (int i = 0; i < F->nops; i++) {
			const struct op *op = &F->ops[i];
			if (op->kind == OP_EXPR && op->e->kind == E_CALL && op->e->call.fn->is_async)
				fail_at(P, op->line, op->col, "calling %s() only creates a coroutine object and "
					"nothing runs; write 'await %s(...)' or 'spawn %s(...)'",
					op->e->call.name, op->e->call.name, op->e->call.name);
		}
	}
	if (!sc->main)
		fail_at(P, P->lineno ? P->lineno : 1, 1, "no 'async def main():' in the file: it is where the run starts");
	if (!sc->name)
		fail_at(P, 1, 1, "the file needs a 'name' line (e.g. 'name my-scenario')");
	for (const char *c = sc->name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			fail_at(P, 1, 1, "a scenario name uses letters, digits, '-' and '_' only: '%s'", sc->name);
}

struct scenario *scenario_parse(const char *file, const char *text, size_t len, char *errbuf,
				size_t errsize)
{
	char local_err[1024];
	struct parser *P = xcalloc(1, sizeof(*P));
	P->file = file;
	P->text = text;
	P->len = len;
	P->errbuf = errbuf ? errbuf : local_err;
	P->errsize = errbuf ? errsize : sizeof(local_err);
	P->next_pos = text;
	P->next_lineno = 1;
	struct scenario *volatile sc = NULL;
	if (setjmp(P->fail)) {
		if (!errbuf) {
			fflush(stdout);
			fprintf(stderr, "%s\n", local_err);
		}
		for (size_t i = 0; i < P->allocs.n; i++)
			free(P->allocs.ptrs[i]);
		free(P->allocs.ptrs);
		for (int i = 0; i < P->nconst; i++)
			P->constants[i].o->destroy(P->constants[i].o);
		free(P->constants);
		free(P->toks);
		free(P->outer_toks);
		buf_free(&P->lit);
		free(P->scope);
		free(P->calls);
		free(sc);
		free(P);
		return NULL;
	}
	sc = xcalloc(1, sizeof(struct scenario) + sizeof(struct scenario_mem));
	P->sc = sc;
	sc->file = p_strndup(P, file, strlen(file));
	sc->text = p_strndup(P, text, len);
	sc->len = len;
	sc->pools = p_grow(P, NULL, sizeof(*sc->pools));
	sc->pools[0] = (struct pool_decl){.name = p_strndup(P, "default", 7)};
	sc->npools = 1;
	if (len > 1024 * 1024)
		fail_at(P, 1, 1, "file too large (%zu bytes; the limit is 1 MiB)", len);
	for (;;) {
		int indent = peek_indent(P);
		if (indent < 0)
			break;
		if (indent > 0) {
			P->lineno = P->next_lineno;
			fail_at(P, P->next_lineno, indent + 1, "unexpected indentation at the top level");
		}
		const char *next;
		P->line = P->next_pos;
		P->line_end = line_end_of(P, P->next_pos, &next);
		P->lineno = P->next_lineno;
		P->indent = 0;
		if (P->line_end - P->line > MAX_LINE)
			fail_at(P, P->lineno, MAX_LINE + 1, "line longer than %d bytes", MAX_LINE);
		P->next_pos = next;
		P->next_lineno++;
		if (memchr(P->line, '\0', (size_t)(P->line_end - P->line)))
			fail_at(P, P->lineno, 1, "a NUL byte in the file");
		const char *w = P->line;
		while (w < P->line_end && is_ident(*w))
			w++;
		parse_header(P, P->line, (size_t)(w - P->line));
	}
	resolve(P);
	struct scenario_mem *mem = mem_of(sc);
	mem->allocs = P->allocs;
	mem->constants = P->constants;
	mem->nconst = P->nconst;
	free(P->toks);
	buf_free(&P->lit);
	free(P->scope);
	free(P->calls);
	free(P);
	return sc;
}

static struct scenario_mem *mem_of(const struct scenario *sc)
{
	return (struct scenario_mem *)(void *)((char *)(uintptr_t)sc + sizeof(struct scenario));
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	struct scenario_mem *mem = mem_of(sc);
	for (int i = 0; i < mem->nconst; i++)
		mem->constants[i].o->destroy(mem->constants[i].o);
	free(mem->constants);
	for (size_t i = 0; i < mem->allocs.n; i++)
		free(mem->allocs.ptrs[i]);
	free(mem->allocs.ptrs);
	free(sc);
}

const char *func_name(const struct func *fn)
{
	return fn->name;
}

int scenario_param_index(const struct scenario *sc, const char *name)
{
	for (int i = 0; i < sc->nparams; i++)
		if (!strcmp(sc->params[i].name, name))
			return i;
	return -1;
}

int scenario_set_param(struct scenario *sc, const char *name, const char *value, char *errbuf,
		       size_t errsize)
{
	int i = scenario_param_index(sc, name);
	if (i < 0) {
		const char **names = xcalloc((size_t)sc->nparams + 1, sizeof(char *));
		for (int k = 0; k < sc->nparams; k++)
			names[k] = sc->params[k].name;
		const char *s = suggest_name(name, names, (size_t)sc->nparams);
		if (s)
			snprintf(errbuf, errsize, "scenario '%s' has no parameter '%s'; did you mean '%s'?",
				 sc->name, name, s);
		else if (sc->nparams == 0)
			snprintf(errbuf, errsize, "scenario '%s' declares no parameters", sc->name);
		else {
			struct buf b = {0};
			for (int k = 0; k < sc->nparams; k++)
				buf_printf(&b, "%s%s", k ? ", " : "", sc->params[k].name);
			snprintf(errbuf, errsize, "scenario '%s' has no parameter '%s' (it has: %s)", sc->name,
				 name, b.data);
			buf_free(&b);
		}
		free(names);
		return -1;
	}
	struct value old = sc->params[i].value;
	struct value v;
	char *end;
	errno = 0;
	long long iv = strtoll(value, &end, 10);
	if (*value && !*end && errno == 0) {
		v = value_int(iv);
	} else {
		errno = 0;
		double d = strtod(value, &end);
		if (*value && end != value && errno == 0 && isfinite(d) &&
		    (!*end || !strcmp(end, "s") || !strcmp(end, "ms")))
			v = value_float(!strcmp(end, "ms") ? d / 1000 : d);
		else
			v = value_cstr(value);
	}
	if (old.kind == V_STR && v.kind != V_STR) {
		value_unref(v);
		v = value_cstr(value);
	} else if ((old.kind == V_INT || old.kind == V_FLOAT) && v.kind == V_STR) {
		snprintf(errbuf, errsize, "parameter '%s' takes a number (it is %s on line %d), not '%s'",
			 name, old.kind == V_INT ? "an int" : "a number", sc->params[i].line, value);
		value_unref(v);
		return -1;
	}
	/* The old value stays among the constants until scenario_free(). */
	if (value_is_obj(v)) {
		struct scenario_mem *mem = mem_of(sc);
		v.o->refs = IMMORTAL_REFS;
		mem->constants = xrealloc(mem->constants, (size_t)(mem->nconst + 1) * sizeof(*mem->constants));
		mem->constants[mem->nconst++] = v;
	}
	sc->params[i].value = v;
	return 0;
}
