/* Values: reference counting, Python-style str()/repr(), and the copies and
 * encodings that carry values to worker threads and processes. */
#include "value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_plain(struct obj *o)
{
	free(o);
}

static void free_list(struct obj *o)
{
	struct list_obj *l = (struct list_obj *)o;
	for (size_t i = 0; i < l->n; i++)
		value_unref(l->items[i]);
	free(l->items);
	free(l);
}

static void free_coro(struct obj *o)
{
	struct coro_obj *c = (struct coro_obj *)o;
	for (int i = 0; i < c->nargs; i++)
		value_unref(c->args[i]);
	free(c);
}

static void free_exc(struct obj *o)
{
	struct exc_obj *e = (struct exc_obj *)o;
	free(e->type);
	free(e->message);
	free(e);
}

struct value value_str(const char *s, size_t n)
{
	struct str_obj *o = xmalloc(sizeof(*o) + n + 1);
	o->h.refs = 1;
	o->h.destroy = free_plain;
	o->len = n;
	if (n)
		memcpy(o->s, s, n);
	o->s[n] = '\0';
	return (struct value){.kind = V_STR, .o = &o->h};
}

struct value value_cstr(const char *s)
{
	return value_str(s, strlen(s));
}

struct value value_list(size_t cap)
{
	struct list_obj *l = xcalloc(1, sizeof(*l));
	l->h.refs = 1;
	l->h.destroy = free_list;
	l->cap = cap;
	l->items = cap ? xmalloc(cap * sizeof(*l->items)) : NULL;
	return (struct value){.kind = V_LIST, .o = &l->h};
}

void value_list_push(struct value list, struct value item)
{
	struct list_obj *l = value_as_list(list);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->n++] = item;
}

struct value value_coro(const struct func *fn, struct value *args, int nargs)
{
	struct coro_obj *c = xmalloc(sizeof(*c) + (size_t)nargs * sizeof(struct value));
	c->h.refs = 1;
	c->h.destroy = free_coro;
	c->fn = fn;
	c->started = false;
	c->nargs = nargs;
	for (int i = 0; i < nargs; i++)
		c->args[i] = args[i];
	return (struct value){.kind = V_CORO, .o = &c->h};
}

struct value value_exc(const char *type, int line, const char *fmt, ...)
{
	struct exc_obj *e = xmalloc(sizeof(*e));
	e->h.refs = 1;
	e->h.destroy = free_exc;
	e->type = xstrdup(type);
	e->line = line;
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	e->message = buf_steal(&b);
	return (struct value){.kind = V_EXC, .o = &e->h};
}

struct value value_ref(struct value v)
{
	if (value_is_obj(v) && v.o->refs != IMMORTAL_REFS)
		v.o->refs++;
	return v;
}

void value_unref(struct value v)
{
	if (value_is_obj(v) && v.o->refs != IMMORTAL_REFS && --v.o->refs == 0)
		v.o->destroy(v.o);
}

const char *value_type_name(struct value v)
{
	switch (v.kind) {
	case V_NONE: return "NoneType";
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_FLOAT: return "float";
	case V_STR: return "str";
	case V_LIST: return "list";
	case V_CORO: return "coroutine";
	case V_FUTURE: return "Task";
	case V_EXC: return value_as_exc(v)->type;
	case V_RTOBJ: return "object";
	}
	return "?";
}

/* Python's repr(float): the shortest digits that read back as the same double. */
static void format_float(struct buf *b, double f)
{
	if (isnan(f)) {
		buf_puts(b, "nan");
		return;
	}
	if (isinf(f)) {
		buf_puts(b, f < 0 ? "-inf" : "inf");
		return;
	}
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	buf_puts(b, tmp);
	if (!strpbrk(tmp, ".e"))
		buf_puts(b, ".0");
}

static void repr_string(struct buf *b, const char *s, size_t n)
{
	/* Python picks double quotes only when that avoids escaping. */
	char q = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
	buf_putc(b, q);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == q || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, c);
		} else if (c == '\n') {
			buf_puts(b, "\\n");
		} else if (c == '\t') {
			buf_puts(b, "\\t");
		} else {
			buf_putc(b, c);
		}
	}
	buf_putc(b, q);
}

extern void future_describe(struct buf *b, struct obj *future);
extern const char *func_name(const struct func *fn);

#define MAX_NESTING 100 /* a list inside itself prints as [...], as in Python */

/* The lists being printed, outermost first: one met again prints as [...]. */
struct printing {
	const struct obj *lists[MAX_NESTING];
	int depth;
};

static void format_at(struct buf *b, struct value v, struct printing *p);

static void repr_at(struct buf *b, struct value v, struct printing *p)
{
	if (v.kind == V_STR) {
		repr_string(b, value_as_str(v)->s, value_as_str(v)->len);
	} else if (v.kind == V_EXC) {
		struct exc_obj *e = value_as_exc(v);
		buf_printf(b, "%s(", e->type);
		if (*e->message)
			repr_string(b, e->message, strlen(e->message));
		buf_putc(b, ')');
	} else {
		format_at(b, v, p);
	}
}

void value_repr(struct buf *b, struct value v)
{
	struct printing p = {.depth = 0};
	repr_at(b, v, &p);
}

void value_format(struct buf *b, struct value v)
{
	struct printing p = {.depth = 0};
	format_at(b, v, &p);
}

static void format_at(struct buf *b, struct value v, struct printing *p)
{
	switch (v.kind) {
	case V_NONE:
		buf_puts(b, "None");
		break;
	case V_BOOL:
		buf_puts(b, v.b ? "True" : "False");
		break;
	case V_INT:
		buf_printf(b, "%lld", (long long)v.i);
		break;
	case V_FLOAT:
		format_float(b, v.f);
		break;
	case V_STR:
		buf_add(b, value_as_str(v)->s, value_as_str(v)->len);
		break;
	case V_LIST: {
		struct list_obj *l = value_as_list(v);
		bool again = p->depth >= MAX_NESTING;
		for (int i = 0; i < p->depth && !again; i++)
			again = p->lists[i] == v.o;
		if (again) {
			buf_puts(b, "[...]");
			break;
		}
		p->lists[p->depth++] = v.o;
		buf_putc(b, '[');
		for (size_t i = 0; i < l->n; i++) {
			if (i)
				buf_puts(b, ", ");
			repr_at(b, l->items[i], p);
		}
		buf_putc(b, ']');
		p->depth--;
		break;
	}
	case V_CORO:
		buf_printf(b, "<coroutine object %s>", func_name(value_as_coro(v)->fn));
		break;
	case V_FUTURE:
	case V_RTOBJ:
		future_describe(b, v.o);
		break;
	case V_EXC:
		buf_puts(b, value_as_exc(v)->message);
		break;
	}
}

bool value_truthy(struct value v)
{
	switch (v.kind) {
	case V_NONE: return false;
	case V_BOOL: return v.b;
	case V_INT: return v.i != 0;
	case V_FLOAT: return v.f != 0;
	case V_STR: return value_as_str(v)->len != 0;
	case V_LIST: return value_as_list(v)->n != 0;
	default: return true;
	}
}

bool value_number(struct value v, double *out)
{
	switch (v.kind) {
	case V_INT: *out = (double)v.i; return true;
	case V_FLOAT: *out = v.f; return true;
	case V_BOOL: *out = v.b; return true;
	default: return false;
	}
}

static bool clone_at(struct value v, struct value *out, int depth);

bool value_clone(struct value v, struct value *out)
{
	return clone_at(v, out, 0);
}

static bool clone_at(struct value v, struct value *out, int depth)
{
	switch (v.kind) {
	case V_STR:
		*out = value_str(value_as_str(v)->s, value_as_str(v)->len);
		return true;
	case V_LIST: {
		struct list_obj *l = value_as_list(v);
		if (depth >= MAX_NESTING) {
			*out = value_exc("ValueError", 0, "a list nested too deeply to pass to a worker");
			return false;
		}
		struct value copy = value_list(l->n);
		for (size_t i = 0; i < l->n; i++) {
			struct value item;
			if (!clone_at(l->items[i], &item, depth + 1)) {
				value_unref(copy);
				*out = item;
				return false;
			}
			value_list_push(copy, item);
		}
		*out = copy;
		return true;
	}
	case V_EXC: {
		struct exc_obj *e = value_as_exc(v);
		*out = value_exc(e->type, e->line, "%s", e->message);
		return true;
	}
	case V_CORO:
	case V_FUTURE:
	case V_RTOBJ:
		*out = value_exc("TypeError", 0, "%s cannot be passed to a worker", value_type_name(v));
		return false;
	default:
		*out = v;
		return true;
	}
}

static bool encode_at(struct buf *b, struct value v, int depth);

bool value_encode(struct buf *b, struct value v)
{
	return encode_at(b, v, 0);
}

/* Encoding: one kind byte, then a fixed-size payload or a length and bytes. */
static bool encode_at(struct buf *b, struct value v, int depth)
{
	unsigned char k = (unsigned char)v.kind;
	switch (v.kind) {
	case V_NONE:
		buf_add(b, &k, 1);
		return true;
	case V_BOOL: {
		unsigned char x = v.b;
		buf_add(b, &k, 1);
		buf_add(b, &x, 1);
		return true;
	}
	case V_INT:
		buf_add(b, &k, 1);
		buf_add(b, &v.i, sizeof(v.i));
		return true;
	case V_FLOAT:
		buf_add(b, &k, 1);
		buf_add(b, &v.f, sizeof(v.f));
		return true;
	case V_STR: {
		uint64_t n = value_as_str(v)->len;
		buf_add(b, &k, 1);
		buf_add(b, &n, sizeof(n));
		buf_add(b, value_as_str(v)->s, n);
		return true;
	}
	case V_LIST: {
		struct list_obj *l = value_as_list(v);
		uint64_t n = l->n;
		if (depth >= MAX_NESTING)
			return false;
		buf_add(b, &k, 1);
		buf_add(b, &n, sizeof(n));
		for (size_t i = 0; i < l->n; i++)
			if (!encode_at(b, l->items[i], depth + 1))
				return false;
		return true;
	}
	case V_EXC: {
		struct exc_obj *e = value_as_exc(v);
		int32_t line = e->line;
		uint64_t n1 = strlen(e->type), n2 = strlen(e->message);
		buf_add(b, &k, 1);
		buf_add(b, &line, sizeof(line));
		buf_add(b, &n1, sizeof(n1));
		buf_add(b, e->type, n1);
		buf_add(b, &n2, sizeof(n2));
		buf_add(b, e->message, n2);
		return true;
	}
	default:
		return false;
	}
}

static bool take(const char **p, const char *end, void *dst, size_t n)
{
	if ((size_t)(end - *p) < n)
		return false;
	memcpy(dst, *p, n);
	*p += n;
	return true;
}

static bool take_len(const char **p, const char *end, uint64_t *n)
{
	return take(p, end, n, sizeof(*n)) && *n <= (uint64_t)(end - *p);
}

bool value_decode(const char **p, const char *end, struct value *out)
{
	unsigned char k;
	if (!take(p, end, &k, 1))
		return false;
	switch (k) {
	case V_NONE:
		*out = value_none();
		return true;
	case V_BOOL: {
		unsigned char x;
		if (!take(p, end, &x, 1))
			return false;
		*out = value_bool(x != 0);
		return true;
	}
	case V_INT:
		out->kind = V_INT;
		return take(p, end, &out->i, sizeof(out->i));
	case V_FLOAT:
		out->kind = V_FLOAT;
		return take(p, end, &out->f, sizeof(out->f));
	case V_STR: {
		uint64_t n;
		if (!take_len(p, end, &n))
			return false;
		*out = value_str(*p, n);
		*p += n;
		return true;
	}
	case V_LIST: {
		uint64_t n;
		if (!take(p, end, &n, sizeof(n)) || n > (uint64_t)(end - *p))
			return false;
		struct value l = value_list(n);
		for (uint64_t i = 0; i < n; i++) {
			struct value item;
			if (!value_decode(p, end, &item)) {
				value_unref(l);
				return false;
			}
			value_list_push(l, item);
		}
		*out = l;
		return true;
	}
	case V_EXC: {
		int32_t line;
		uint64_t n1, n2;
		if (!take(p, end, &line, sizeof(line)) || !take_len(p, end, &n1))
			return false;
		const char *type = *p;
		*p += n1;
		if (!take_len(p, end, &n2))
			return false;
		*out = value_exc("", line, "%.*s", (int)n2, *p);
		free(value_as_exc(*out)->type);
		value_as_exc(*out)->type = xstrndup(type, n1);
		*p += n2;
		return true;
	}
	default:
		return false;
	}
}
