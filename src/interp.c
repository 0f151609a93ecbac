/* The interpreter. Expressions never suspend; only OP_SLEEP and OP_AWAIT
 * on a future hand control back to the runtime, so a task's whole state is
 * its frame stack and the C stack is never kept across a suspension.
 * Awaiting a coroutine object pushes a frame and goes on without yielding,
 * as `await coro()` does in asyncio. */
#include "interp.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "http.h"
#include "runtime.h"

#define MAX_CALL_DEPTH 200
#define MAX_LIST_ITEMS 10000000
#define MAX_FILE_READ (16u << 20)
#define MAX_STEP_SECONDS 3600 /* a sleep or block of scenario time */

static _Thread_local int call_depth;

struct ctx {
	struct interp_env *env;
	struct value *slots;
	struct exec *x; /* NULL in a plain call */
	int line;
};

static bool throw(struct ctx *c, struct value *out, const char *type, const char *fmt, ...)
	ATTR_PRINTF(4, 5);

static bool throw(struct ctx *c, struct value *out, const char *type, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*out = value_exc(type, c->line, "%s", b.data ? b.data : "");
	buf_free(&b);
	return false;
}

static bool eval(struct ctx *c, const struct expr *e, struct value *out);

/* Python's exception hierarchy, as far as scenarios meet it. */
static const struct {
	const char *name, *parent;
} exc_tree[] = {
	{"Exception", "BaseException"}, {"CancelledError", "BaseException"},
	{"KeyboardInterrupt", "BaseException"}, {"SystemExit", "BaseException"},
	{"ArithmeticError", "Exception"}, {"ZeroDivisionError", "ArithmeticError"},
	{"OverflowError", "ArithmeticError"}, {"LookupError", "Exception"},
	{"IndexError", "LookupError"}, {"KeyError", "LookupError"}, {"OSError", "Exception"},
	{"TimeoutError", "OSError"}, {"FileNotFoundError", "OSError"}, {"FileExistsError", "OSError"},
	{"PermissionError", "OSError"}, {"IsADirectoryError", "OSError"}, {"RuntimeError", "Exception"},
	{"RecursionError", "RuntimeError"}, {"NotImplementedError", "RuntimeError"},
	{"BrokenProcessPool", "RuntimeError"}, {"UnicodeError", "ValueError"},
	{"ConnectionError", "OSError"},
};

bool exc_matches(const char *type, const char *handler)
{
	const char *t = type;
	for (int guard = 0; t && guard < 16; guard++) {
		if (!strcmp(t, handler))
			return true;
		const char *parent = NULL;
		for (size_t i = 0; i < sizeof(exc_tree) / sizeof(exc_tree[0]); i++)
			if (!strcmp(exc_tree[i].name, t))
				parent = exc_tree[i].parent;
		/* Any other named type is a kind of Exception, as user classes are. */
		if (!parent && strcmp(t, "BaseException") != 0 && strcmp(t, "Exception") != 0)
			parent = "Exception";
		else if (!parent && !strcmp(t, "Exception"))
			parent = "BaseException";
		t = parent;
	}
	return false;
}

long long count_primes(long long start, long long end, volatile const int *stop)
{
	long long count = 0;
	for (long long n = start; n < end; n++) {
		if ((n & 4095) == 0 && stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
			return -1;
		long long limit = (long long)sqrt((double)n);
		while (limit * limit > n)
			limit--;
		while ((limit + 1) * (limit + 1) <= n)
			limit++;
		long long i;
		for (i = 2; i <= limit; i++)
			if (n % i == 0)
				break;
		if (i > limit)
			count++;
	}
	return count;
}

static void describe_duration(struct buf *b, double seconds)
{
	if (seconds != 0 && fabs(seconds) < 1)
		buf_printf(b, "%gms", seconds * 1000);
	else
		buf_printf(b, "%gs", seconds);
}

void interp_describe_call(const struct func *fn, enum builtin builtin, const struct value *args,
			  int nargs, struct buf *out)
{
	if (!fn && builtin == B_BLOCK) {
		double d = 0;
		value_number(args[0], &d);
		buf_puts(out, "block ");
		describe_duration(out, d);
		return;
	}
	static const char *const names[] = {
		[B_PRIMES] = "primes", [B_HTTP_GET] = "http_get", [B_READ_FILE] = "read_file",
		[B_WRITE_FILE] = "write_file",
	};
	const char *name = fn ? fn->name : (size_t)builtin < sizeof(names) / sizeof(names[0]) && names[builtin]
					     ? names[builtin] : "?";
	buf_printf(out, "%s(", name);
	for (int i = 0; i < nargs; i++) {
		if (i)
			buf_puts(out, ", ");
		value_repr(out, args[i]);
	}
	buf_putc(out, ')');
}

static bool number_arg(struct ctx *c, struct value v, const char *what, double *d, struct value *out)
{
	if (!value_number(v, d))
		return throw(c, out, "TypeError", "%s takes a number of seconds, not %s", what,
			     value_type_name(v));
	if (*d < 0 || !isfinite(*d))
		return throw(c, out, "ValueError", "%s length must be non-negative", what);
	if (*d > MAX_STEP_SECONDS)
		return throw(c, out, "ValueError", "%s of %g s is longer than the limit of %d s", what, *d,
			     MAX_STEP_SECONDS);
	return true;
}

/* time.sleep on the current thread: the loop thread, when the env has a runtime. */
static bool do_block(struct ctx *c, double seconds, struct value *out)
{
	struct buf what = {0};
	buf_puts(&what, "block ");
	describe_duration(&what, seconds);
	c->env->emit(c->env->ctx, EMIT_BLOCK_BEGIN, c->line, what.data);
	int rc = clock_sleep(seconds * c->env->scale, c->env->stop);
	c->env->emit(c->env->ctx, EMIT_BLOCK_END, c->line, what.data);
	buf_free(&what);
	if (rc != 0)
		return throw(c, out, "KeyboardInterrupt", "interrupted");
	return true;
}

static bool int_arg(struct ctx *c, struct value v, const char *fn, long long *n, struct value *out)
{
	if (v.kind == V_INT) {
		*n = v.i;
		return true;
	}
	if (v.kind == V_BOOL) {
		*n = v.b;
		return true;
	}
	return throw(c, out, "TypeError", "%s() needs whole numbers, not %s", fn, value_type_name(v));
}

/* Strings are UTF-8; len() and indexing count characters, as Python does. */
static size_t utf8_length(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += ((unsigned char)s[i] & 0xC0) != 0x80;
	return count;
}

/* The bytes of character @index of @s (0-based). */
static void utf8_char(const char *s, size_t n, size_t index, size_t *start, size_t *len)
{
	size_t i = 0, seen = 0;
	while (i < n) {
		size_t j = i + 1;
		while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		if (seen++ == index) {
			*start = i;
			*len = j - i;
			return;
		}
		i = j;
	}
	*start = n;
	*len = 0;
}

/* read_file(name) and write_file(name, text): plain names only, inside the
 * run's own temporary directory, so a scenario writes nowhere else. */
static bool file_builtin(struct ctx *c, enum builtin b, struct value *args, struct value *out)
{
	const char *fn = b == B_READ_FILE ? "read_file" : "write_file";
	if (args[0].kind != V_STR)
		return throw(c, out, "TypeError", "%s() takes a file name, not %s", fn, value_type_name(args[0]));
	const char *name = value_as_str(args[0])->s;
	size_t n = value_as_str(args[0])->len;
	bool plain = n > 0 && n < 128 && name[0] != '.';
	for (size_t i = 0; plain && i < n; i++)
		plain = isalnum((unsigned char)name[i]) || name[i] == '.' || name[i] == '_' || name[i] == '-';
	if (!plain)
		return throw(c, out, "ValueError", "%s('%s'): a plain file name is needed (letters, digits, "
			     "'.', '_', '-'); files live in the run's temporary directory", fn, name);
	if (!c->env->tmpdir)
		return throw(c, out, "RuntimeError", "%s(): no temporary directory", fn);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", c->env->tmpdir, name);
	if (b == B_WRITE_FILE) {
		if (args[1].kind != V_STR)
			return throw(c, out, "TypeError", "write_file() writes a str, not %s", value_type_name(args[1]));
		FILE *f = fopen(path, "wb");
		size_t len = value_as_str(args[1])->len;
		if (!f || fwrite(value_as_str(args[1])->s, 1, len, f) != len || fclose(f) != 0) {
			int err = errno;
			if (f)
				fclose(f);
			return throw(c, out, "OSError", "write_file('%s'): %s", name, strerror(err));
		}
		*out = value_int((int64_t)utf8_length(value_as_str(args[1])->s, len));
		return true;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return throw(c, out, errno == ENOENT ? "FileNotFoundError" : "OSError",
			     "[Errno %d] %s: '%s'", errno, strerror(errno), name);
	struct buf data = {0};
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && data.len <= MAX_FILE_READ)
		buf_add(&data, chunk, got);
	bool failed = ferror(f);
	fclose(f);
	if (failed || data.len > MAX_FILE_READ) {
		buf_free(&data);
		return throw(c, out, "OSError", failed ? "read_file('%s'): read error" : "read_file('%s'): larger than 16 MiB",
			     name);
	}
	*out = value_str(data.data ? data.data : "", data.len);
	buf_free(&data);
	return true;
}

/* int(x), as Python's for the values a scenario has: a string of decimal
 * digits with an optional sign and surrounding blanks, a number, a bool. */
static bool to_int(struct ctx *c, struct value v, struct value *out)
{
	switch (v.kind) {
	case V_INT:
		*out = v;
		return true;
	case V_BOOL:
		*out = value_int(v.b);
		return true;
	case V_FLOAT:
		if (!isfinite(v.f))
			return throw(c, out, isnan(v.f) ? "ValueError" : "OverflowError",
				     "cannot convert float %s to integer", isnan(v.f) ? "NaN" : "infinity");
		if (v.f >= 9.2e18 || v.f <= -9.2e18)
			return throw(c, out, "OverflowError", "int() of %g is too large for a scenario", v.f);
		*out = value_int((int64_t)v.f);
		return true;
	case V_STR: {
		const struct str_obj *so = value_as_str(v);
		const char *p = so->s, *end = so->s + so->len;
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		bool neg = p < end && *p == '-';
		const char *d = p + (p < end && (*p == '-' || *p == '+'));
		if (d == end)
			goto invalid;
		uint64_t n = 0;
		for (const char *q = d; q < end; q++) {
			if (*q < '0' || *q > '9')
				goto invalid;
			if (n > (UINT64_MAX - 9) / 10)
				return throw(c, out, "OverflowError", "int() of '%.40s' is too large for a scenario",
					     so->s);
			n = n * 10 + (uint64_t)(*q - '0');
		}
		if (n > (uint64_t)INT64_MAX)
			return throw(c, out, "OverflowError", "int() of '%.40s' is too large for a scenario", so->s);
		*out = value_int(neg ? -(int64_t)n : (int64_t)n);
		return true;
	invalid:
		return throw(c, out, "ValueError", "invalid literal for int() with base 10: '%.40s'", so->s);
	}
	default:
		return throw(c, out, "TypeError", "int() argument must be a string or a number, not '%s'",
			     value_type_name(v));
	}
}

#define MAX_RANDOM_STRING (1 << 20)

/* random_string(alphabet, k): ''.join(random.choices(alphabet, k=k)), one
 * character (not byte) at a time; fresh randomness in every worker process. */
static bool random_string(struct ctx *c, struct value alphabet, struct value k, struct value *out)
{
	if (alphabet.kind != V_STR)
		return throw(c, out, "TypeError", "random_string() takes a string of characters to choose from, "
			     "not %s", value_type_name(alphabet));
	if (k.kind != V_INT)
		return throw(c, out, "TypeError", "random_string() takes a whole number of characters, not %s",
			     value_type_name(k));
	if (k.i > MAX_RANDOM_STRING)
		return throw(c, out, "ValueError", "random_string() of more than %d characters", MAX_RANDOM_STRING);
	const struct str_obj *a = value_as_str(alphabet);
	size_t *starts = xcalloc(a->len + 1, sizeof(*starts)), n = 0;
	for (size_t i = 0; i < a->len; i++)
		if (((unsigned char)a->s[i] & 0xC0) != 0x80)
			starts[n++] = i;
	starts[n] = a->len;
	if (n == 0 && k.i > 0) {
		free(starts);
		return throw(c, out, "IndexError", "random_string() cannot choose from an empty string");
	}
	struct buf b = {0};
	for (int64_t i = 0; i < k.i; i++) {
		size_t j = arc4random_uniform((uint32_t)n);
		buf_add(&b, a->s + starts[j], starts[j + 1] - starts[j]);
	}
	free(starts);
	*out = value_str(b.data ? b.data : "", b.len);
	buf_free(&b);
	return true;
}

static bool call_builtin(struct ctx *c, enum builtin b, struct value *args, int nargs, struct value *out)
{
	switch (b) {
	case B_BLOCK: {
		double d;
		if (!number_arg(c, args[0], "block", &d, out) || !do_block(c, d, out))
			return false;
		*out = value_none();
		return true;
	}
	case B_PRIMES: {
		long long a = 0, z = 0;
		if (!int_arg(c, args[0], "primes", &a, out) || !int_arg(c, args[1], "primes", &z, out))
			return false;
		if (a < 0 && z > a)
			return throw(c, out, "ValueError", "primes() of a negative number: math domain error");
		struct buf what = {0};
		interp_describe_call(NULL, B_PRIMES, args, nargs, &what);
		c->env->emit(c->env->ctx, EMIT_BLOCK_BEGIN, c->line, what.data);
		/* Computing takes real time, which a virtual clock is charged. */
		double t0 = clock_real_now();
		long long n = count_primes(a, z, c->env->stop);
		clock_charge(clock_real_now() - t0);
		c->env->emit(c->env->ctx, EMIT_BLOCK_END, c->line, what.data);
		buf_free(&what);
		if (n < 0)
			return throw(c, out, "KeyboardInterrupt", "interrupted");
		*out = value_int(n);
		return true;
	}
	case B_RANGE: {
		long long a = 0, z = 0;
		if (!int_arg(c, args[0], "range", nargs == 1 ? &z : &a, out))
			return false;
		if (nargs == 2 && !int_arg(c, args[1], "range", &z, out))
			return false;
		if (z > a && z - a > MAX_LIST_ITEMS)
			return throw(c, out, "MemoryError", "range() of more than %d numbers", MAX_LIST_ITEMS);
		*out = value_list(z > a ? (size_t)(z - a) : 0);
		for (long long i = a; i < z; i++)
			value_list_push(*out, value_int(i));
		return true;
	}
	case B_LEN:
		if (args[0].kind == V_STR)
			*out = value_int((int64_t)utf8_length(value_as_str(args[0])->s, value_as_str(args[0])->len));
		else if (args[0].kind == V_LIST)
			*out = value_int((int64_t)value_as_list(args[0])->n);
		else
			return throw(c, out, "TypeError", "object of type '%s' has no len()",
				     value_type_name(args[0]));
		return true;
	case B_STR: {
		struct buf s = {0};
		value_format(&s, args[0]);
		*out = value_str(s.data ? s.data : "", s.len);
		buf_free(&s);
		return true;
	}
	case B_STRFTIME: {
		if (args[0].kind != V_STR)
			return throw(c, out, "TypeError", "strftime() takes a format string, not %s",
				     value_type_name(args[0]));
		char text[256];
		time_t now = time(NULL);
		struct tm tm;
		if (!localtime_r(&now, &tm))
			return throw(c, out, "OSError", "the local time is unknown");
		size_t n = strftime(text, sizeof(text), value_as_str(args[0])->s, &tm);
		*out = value_str(text, n);
		return true;
	}
	case B_READ_FILE:
	case B_WRITE_FILE:
		return file_builtin(c, b, args, out);
	case B_INT:
		return to_int(c, args[0], out);
	case B_RANDOM_STRING:
		return random_string(c, args[0], args[1], out);
	case B_HTTP_GET: {
		double timeout = 10;
		if (args[0].kind != V_STR)
			return throw(c, out, "TypeError", "http_get() takes a URL, not %s", value_type_name(args[0]));
		if (nargs > 1 && args[1].kind != V_NONE && !number_arg(c, args[1], "timeout", &timeout, out))
			return false;
		long status = 0;
		struct buf body = {0};
		char err[256];
		/* Waiting on the network is real time, which a virtual clock is charged. */
		struct buf what = {0};
		interp_describe_call(NULL, B_HTTP_GET, args, 1, &what);
		c->env->emit(c->env->ctx, EMIT_BLOCK_BEGIN, c->line, what.data);
		double t0 = clock_real_now();
		int rc = http_get(value_as_str(args[0])->s, timeout * c->env->scale, c->env->stop, &status, &body, err,
				  sizeof(err));
		clock_charge(clock_real_now() - t0);
		c->env->emit(c->env->ctx, EMIT_BLOCK_END, c->line, what.data);
		buf_free(&what);
		if (rc != 0) {
			buf_free(&body);
			return throw(c, out, "ConnectionError", "%s: %s", value_as_str(args[0])->s, err);
		}
		*out = value_list(2);
		value_list_push(*out, value_int(status));
		value_list_push(*out, value_str(body.data ? body.data : "", body.len));
		buf_free(&body);
		return true;
	}
	case B_WAIT_FOR:
	case B_WAIT:
	case B_SEMAPHORE:
	case B_TASKGROUP:
	case B_SERVE: /* evaluated by eval_call() */
	case B_LOCAL_SERVER:
		if (!c->env->rt || !c->x)
			return throw(c, out, "RuntimeError", "no running event loop");
		return runtime_builtin(c->env->rt, c->x->owner, b, args, nargs, c->line, out);
	case B_NONE:
		break;
	}
	return throw(c, out, "SystemError", "unknown built-in");
}

static void free_values(struct value *v, int n)
{
	for (int i = 0; i < n; i++)
		value_unref(v[i]);
}

/* Evaluates @n expressions into @vals; on failure nothing is left to free. */
static bool eval_args(struct ctx *c, struct expr *const *args, int n, struct value *vals, struct value *out)
{
	for (int i = 0; i < n; i++) {
		if (!args[i]) {
			vals[i] = value_none(); /* an optional argument not given */
			continue;
		}
		if (!eval(c, args[i], &vals[i])) {
			*out = vals[i];
			free_values(vals, i);
			return false;
		}
	}
	return true;
}

static bool arith(struct ctx *c, enum binop op, struct value l, struct value r, struct value *out)
{
	if (l.kind == V_STR && r.kind == V_STR && op == OP_ADD) {
		struct str_obj *a = value_as_str(l), *b = value_as_str(r);
		struct buf s = {0};
		buf_add(&s, a->s, a->len);
		buf_add(&s, b->s, b->len);
		*out = value_str(s.data, s.len);
		buf_free(&s);
		return true;
	}
	if (l.kind == V_LIST && r.kind == V_LIST && op == OP_ADD) {
		struct list_obj *a = value_as_list(l), *b = value_as_list(r);
		*out = value_list(a->n + b->n);
		for (size_t i = 0; i < a->n; i++)
			value_list_push(*out, value_ref(a->items[i]));
		for (size_t i = 0; i < b->n; i++)
			value_list_push(*out, value_ref(b->items[i]));
		return true;
	}
	if (l.kind == V_INT && r.kind == V_STR && op == OP_MUL)
		return arith(c, op, r, l, out); /* 3 * "ab" is "ab" * 3 */
	if (l.kind == V_STR && r.kind == V_INT && op == OP_MUL) {
		struct str_obj *a = value_as_str(l);
		if (r.i > 0 && a->len * (uint64_t)r.i > 1 << 24)
			return throw(c, out, "MemoryError", "string too long");
		struct buf s = {0};
		for (int64_t i = 0; i < r.i; i++)
			buf_add(&s, a->s, a->len);
		*out = value_str(s.data ? s.data : "", s.len);
		buf_free(&s);
		return true;
	}
	double a, b;
	if (!value_number(l, &a) || !value_number(r, &b)) {
		static const char *const sym[] = {"+", "-", "*", "/", "//", "%"};
		return throw(c, out, "TypeError", "unsupported operand type(s) for %s: '%s' and '%s'",
			     sym[op], value_type_name(l), value_type_name(r));
	}
	bool ints = l.kind != V_FLOAT && r.kind != V_FLOAT;
	int64_t li = l.kind == V_INT ? l.i : (int64_t)a, ri = r.kind == V_INT ? r.i : (int64_t)b;
	int64_t res;
	switch (op) {
	case OP_ADD:
		if (!ints)
			*out = value_float(a + b);
		else if (__builtin_add_overflow(li, ri, &res))
			return throw(c, out, "OverflowError", "integer too large");
		else
			*out = value_int(res);
		return true;
	case OP_SUB:
		if (!ints)
			*out = value_float(a - b);
		else if (__builtin_sub_overflow(li, ri, &res))
			return throw(c, out, "OverflowError", "integer too large");
		else
			*out = value_int(res);
		return true;
	case OP_MUL:
		if (!ints)
			*out = value_float(a * b);
		else if (__builtin_mul_overflow(li, ri, &res))
			return throw(c, out, "OverflowError", "integer too large");
		else
			*out = value_int(res);
		return true;
	case OP_DIV:
		if (b == 0)
			return throw(c, out, "ZeroDivisionError", "division by zero");
		*out = value_float(a / b);
		return true;
	case OP_FLOORDIV:
	case OP_MOD:
		if (b == 0)
			return throw(c, out, "ZeroDivisionError", "integer division or modulo by zero");
		if (ints) {
			if (li == INT64_MIN && ri == -1)
				return throw(c, out, "OverflowError", "integer too large");
			int64_t q = li / ri, m = li % ri;
			/* Python rounds toward negative infinity. */
			if (m != 0 && ((m < 0) != (ri < 0))) {
				q--;
				m += ri;
			}
			*out = value_int(op == OP_FLOORDIV ? q : m);
		} else {
			double q = floor(a / b);
			*out = value_float(op == OP_FLOORDIV ? q : a - q * b);
		}
		return true;
	default:
		break;
	}
	return throw(c, out, "SystemError", "bad operator");
}

static bool values_equal_at(struct value l, struct value r, int depth);

static bool values_equal(struct value l, struct value r)
{
	return values_equal_at(l, r, 0);
}

static bool values_equal_at(struct value l, struct value r, int depth)
{
	double a, b;
	if (value_number(l, &a) && value_number(r, &b))
		return a == b;
	if (l.kind != r.kind)
		return false;
	switch (l.kind) {
	case V_NONE: return true;
	case V_STR:
		return value_as_str(l)->len == value_as_str(r)->len &&
		       !memcmp(value_as_str(l)->s, value_as_str(r)->s, value_as_str(l)->len);
	case V_LIST: {
		struct list_obj *la = value_as_list(l), *lb = value_as_list(r);
		if (la->n != lb->n || depth > 100)
			return la == lb;
		for (size_t i = 0; i < la->n; i++)
			if (!values_equal_at(la->items[i], lb->items[i], depth + 1))
				return false;
		return true;
	}
	default:
		return l.o == r.o;
	}
}

static bool compare(struct ctx *c, enum binop op, struct value l, struct value r, struct value *out)
{
	if (op == OP_EQ || op == OP_NE) {
		*out = value_bool(values_equal(l, r) == (op == OP_EQ));
		return true;
	}
	int cmp;
	double a, b;
	if (value_number(l, &a) && value_number(r, &b)) {
		cmp = (a > b) - (a < b);
	} else if (l.kind == V_STR && r.kind == V_STR) {
		struct str_obj *x = value_as_str(l), *y = value_as_str(r);
		size_t n = x->len < y->len ? x->len : y->len;
		cmp = memcmp(x->s, y->s, n);
		if (cmp == 0)
			cmp = (x->len > y->len) - (x->len < y->len);
	} else {
		static const char *const sym[] = {[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">="};
		return throw(c, out, "TypeError", "'%s' not supported between '%s' and '%s'", sym[op],
			     value_type_name(l), value_type_name(r));
	}
	bool res = op == OP_LT ? cmp < 0 : op == OP_LE ? cmp <= 0 : op == OP_GT ? cmp > 0 : cmp >= 0;
	*out = value_bool(res);
	return true;
}

static bool iterable(struct ctx *c, struct value v, struct value *out)
{
	if (v.kind == V_LIST)
		return true;
	value_unref(v);
	return throw(c, out, "TypeError", "'%s' object is not iterable (use a list or range())",
		     value_type_name(v));
}

static bool eval_list(struct ctx *c, const struct expr *e, struct value *out)
{
	struct value list = value_list((size_t)e->list.n);
	for (int i = 0; i < e->list.n; i++) {
		const struct expr *item = e->list.items[i];
		struct value v;
		if (!eval(c, item->kind == E_STAR ? item->operand : item, &v)) {
			value_unref(list);
			*out = v;
			return false;
		}
		if (item->kind != E_STAR) {
			value_list_push(list, v);
			continue;
		}
		if (!iterable(c, v, out)) {
			value_unref(list);
			return false;
		}
		struct list_obj *l = value_as_list(v);
		for (size_t k = 0; k < l->n; k++)
			value_list_push(list, value_ref(l->items[k]));
		value_unref(v);
	}
	*out = list;
	return true;
}

static bool eval_comp(struct ctx *c, const struct expr *e, struct value *out)
{
	struct value iter;
	if (!eval(c, e->comp.iter, &iter)) {
		*out = iter;
		return false;
	}
	if (!iterable(c, iter, out))
		return false;
	struct list_obj *l = value_as_list(iter);
	struct value list = value_list(l->n);
	for (size_t i = 0; i < l->n; i++) {
		value_unref(c->slots[e->comp.var_slot]);
		c->slots[e->comp.var_slot] = value_ref(l->items[i]);
		struct value v;
		if (!eval(c, e->comp.elem, &v)) {
			value_unref(list);
			value_unref(iter);
			*out = v;
			return false;
		}
		value_list_push(list, v);
	}
	value_unref(iter);
	*out = list;
	return true;
}

static bool eval_fstring(struct ctx *c, const struct expr *e, struct value *out)
{
	struct buf s = {0};
	for (int i = 0; i < e->fstring.n; i++) {
		const struct fpart *p = &e->fstring.parts[i];
		if (!p->e) {
			buf_add(&s, p->text, p->len);
			continue;
		}
		struct value v;
		if (!eval(c, p->e, &v)) {
			buf_free(&s);
			*out = v;
			return false;
		}
		if (p->precision >= 0) {
			double d;
			if (!value_number(v, &d)) {
				buf_free(&s);
				value_unref(v);
				return throw(c, out, "ValueError", "format '.%df' needs a number, not %s",
					     p->precision, value_type_name(v));
			}
			buf_printf(&s, "%.*f", p->precision, d);
		} else {
			value_format(&s, v);
		}
		value_unref(v);
	}
	*out = value_str(s.data ? s.data : "", s.len);
	buf_free(&s);
	return true;
}

/* serve(path, handler, arg): the handler is a def, not a value. */
static bool eval_serve(struct ctx *c, const struct expr *e, struct value *out)
{
	struct value path, arg;
	if (!c->env->rt || !c->x)
		return throw(c, out, "RuntimeError", "no running event loop");
	if (!eval(c, e->call.args[0], &path)) {
		*out = path;
		return false;
	}
	if (!eval(c, e->call.args[2], &arg)) {
		value_unref(path);
		*out = arg;
		return false;
	}
	bool ok;
	if (path.kind != V_STR || value_as_str(path)->s[0] != '/')
		ok = throw(c, out, "ValueError", "serve() takes a path that starts with '/', like \"/captcha\"");
	else if (arg.kind != V_STR)
		ok = throw(c, out, "TypeError", "serve() takes the name of the query argument to pass, not %s",
			   value_type_name(arg));
	else
		ok = runtime_serve(c->env->rt, value_as_str(path)->s, e->call.args[1]->call.fn,
				   value_as_str(arg)->s, c->line, out);
	value_unref(path);
	value_unref(arg);
	return ok;
}

static bool eval_call(struct ctx *c, const struct expr *e, struct value *out)
{
	if (e->kind == E_BUILTIN && e->call.builtin == B_SERVE)
		return eval_serve(c, e, out);
	struct value args[e->call.nargs ? e->call.nargs : 1];
	if (!eval_args(c, e->call.args, e->call.nargs, args, out))
		return false;
	if (e->kind == E_CALL && e->call.fn->is_async) {
		*out = value_coro(e->call.fn, args, e->call.nargs);
		return true;
	}
	/* A built-in runs in this context: wait_for() and friends need the task. */
	bool ok = e->kind == E_BUILTIN ? call_builtin(c, e->call.builtin, args, e->call.nargs, out)
				       : interp_call(c->env, e->call.fn, B_NONE, args, e->call.nargs, c->line, out);
	free_values(args, e->call.nargs);
	return ok;
}

static bool eval_offload(struct ctx *c, const struct expr *e, struct value *out)
{
	const struct expr *job = e->offload.job;
	struct value args[job->call.nargs ? job->call.nargs : 1];
	if (!eval_args(c, job->call.args, job->call.nargs, args, out))
		return false;
	if (job->kind == E_BUILTIN && job->call.builtin == B_BLOCK) {
		double d;
		if (!number_arg(c, args[0], "block", &d, out)) {
			free_values(args, job->call.nargs);
			return false;
		}
	}
	bool ok = runtime_offload(c->env->rt, c->x->owner, e->offload.pool,
				  job->kind == E_CALL ? job->call.fn : NULL, job->call.builtin, args,
				  job->call.nargs, c->line, out);
	free_values(args, job->call.nargs);
	return ok;
}

/* Whether @v is the list @list or holds it, at any depth. */
static bool holds(struct value v, const struct obj *list, int depth)
{
	if (v.kind != V_LIST)
		return false;
	if (v.o == list || depth > 100)
		return true;
	struct list_obj *l = value_as_list(v);
	for (size_t i = 0; i < l->n; i++)
		if (holds(l->items[i], list, depth + 1))
			return true;
	return false;
}

static bool eval_method(struct ctx *c, const struct expr *e, struct value *out)
{
	struct value base;
	if (!eval(c, e->call.base, &base)) {
		*out = base;
		return false;
	}
	struct value args[e->call.nargs ? e->call.nargs : 1];
	if (!eval_args(c, e->call.args, e->call.nargs, args, out)) {
		value_unref(base);
		return false;
	}
	bool ok;
	if (base.kind == V_LIST && !strcmp(e->call.name, "append")) {
		if (e->call.nargs != 1) {
			ok = throw(c, out, "TypeError", "append() takes exactly one argument (%d given)", e->call.nargs);
		} else if (holds(args[0], base.o, 0)) {
			/* Python allows it; with counted references such a list would never be freed. */
			ok = throw(c, out, "ValueError", "a list cannot hold itself here");
		} else {
			value_list_push(base, value_ref(args[0]));
			*out = value_none();
			ok = true;
		}
	} else if ((base.kind == V_FUTURE || base.kind == V_RTOBJ) && c->env->rt && c->x) {
		ok = runtime_method(c->env->rt, c->x->owner, base, e->call.name, args, e->call.nargs, c->line, out);
	} else {
		ok = throw(c, out, "AttributeError", "'%s' object has no attribute '%s'", value_type_name(base),
			   e->call.name);
	}
	free_values(args, e->call.nargs);
	value_unref(base);
	return ok;
}

static bool eval(struct ctx *c, const struct expr *e, struct value *out)
{
	struct value l, r;
	switch (e->kind) {
	case E_CONST:
		*out = value_ref(e->constant);
		return true;
	case E_FSTRING:
		return eval_fstring(c, e, out);
	case E_LOCAL:
		*out = value_ref(c->slots[e->slot]);
		return true;
	case E_PARAM:
		*out = value_ref(c->env->sc->params[e->param].value);
		return true;
	case E_BINARY:
		if (!eval(c, e->binary.l, &l)) {
			*out = l;
			return false;
		}
		if (e->binary.op == OP_AND || e->binary.op == OP_OR) {
			if (value_truthy(l) == (e->binary.op == OP_OR)) {
				*out = l;
				return true;
			}
			value_unref(l);
			return eval(c, e->binary.r, out);
		}
		if (!eval(c, e->binary.r, &r)) {
			value_unref(l);
			*out = r;
			return false;
		}
		bool ok = e->binary.op >= OP_EQ ? compare(c, e->binary.op, l, r, out)
						: arith(c, e->binary.op, l, r, out);
		value_unref(l);
		value_unref(r);
		return ok;
	case E_NEG:
		if (!eval(c, e->operand, &l)) {
			*out = l;
			return false;
		}
		if (l.kind == V_INT && l.i != INT64_MIN) {
			*out = value_int(-l.i);
			return true;
		}
		if (l.kind == V_FLOAT) {
			*out = value_float(-l.f);
			return true;
		}
		value_unref(l);
		return throw(c, out, "TypeError", "bad operand type for unary -: '%s'", value_type_name(l));
	case E_NOT:
		if (!eval(c, e->operand, &l)) {
			*out = l;
			return false;
		}
		*out = value_bool(!value_truthy(l));
		value_unref(l);
		return true;
	case E_LIST:
		return eval_list(c, e, out);
	case E_COMP:
		return eval_comp(c, e, out);
	case E_INDEX: {
		if (!eval(c, e->index.base, &l)) {
			*out = l;
			return false;
		}
		if (!eval(c, e->index.index, &r)) {
			value_unref(l);
			*out = r;
			return false;
		}
		bool good = false;
		if ((l.kind == V_LIST || l.kind == V_STR) && r.kind == V_INT) {
			int64_t n = l.kind == V_LIST ? (int64_t)value_as_list(l)->n
						     : (int64_t)utf8_length(value_as_str(l)->s, value_as_str(l)->len);
			int64_t i = r.i < 0 ? r.i + n : r.i;
			if (i >= 0 && i < n) {
				if (l.kind == V_LIST) {
					*out = value_ref(value_as_list(l)->items[i]);
				} else {
					size_t at, len;
					utf8_char(value_as_str(l)->s, value_as_str(l)->len, (size_t)i, &at, &len);
					*out = value_str(value_as_str(l)->s + at, len);
				}
				good = true;
			} else {
				throw(c, out, "IndexError", "%s index out of range", value_type_name(l));
			}
		} else {
			throw(c, out, "TypeError", "'%s' cannot be indexed by '%s'", value_type_name(l),
			      value_type_name(r));
		}
		value_unref(l);
		return good;
	}
	case E_CALL:
	case E_BUILTIN:
		return eval_call(c, e, out);
	case E_STAR:
		return throw(c, out, "SyntaxError", "'*' is only allowed in a list or gather(...)");
	case E_SPAWN:
		if (!eval(c, e->operand, &l)) {
			*out = l;
			return false;
		}
		if (l.kind == V_FUTURE) {
			*out = l;
			return true;
		}
		if (l.kind != V_CORO) {
			value_unref(l);
			return throw(c, out, "TypeError", "spawn needs a coroutine, like 'spawn fetch(1)', not %s",
				     value_type_name(l));
		}
		{
			bool good = runtime_spawn(c->env->rt, c->x->owner, l, c->line, out);
			value_unref(l);
			return good;
		}
	case E_OFFLOAD:
		return eval_offload(c, e, out);
	case E_GATHER: {
		bool return_exceptions = false;
		if (e->gather.return_exceptions) {
			if (!eval(c, e->gather.return_exceptions, &r)) {
				*out = r;
				return false;
			}
			return_exceptions = value_truthy(r);
			value_unref(r);
		}
		if (!eval(c, e->gather.items, &l)) {
			*out = l;
			return false;
		}
		bool good = runtime_gather(c->env->rt, c->x->owner, l, return_exceptions, c->line, out);
		value_unref(l);
		return good;
	}
	case E_METHOD:
		return eval_method(c, e, out);
	case E_NEWEXC: {
		struct buf msg = {0};
		if (e->call.nargs == 1) {
			if (!eval(c, e->call.args[0], &l)) {
				*out = l;
				return false;
			}
			value_format(&msg, l);
			value_unref(l);
		}
		*out = value_exc(e->call.name, c->line, "%s", msg.data ? msg.data : "");
		buf_free(&msg);
		return true;
	}
	}
	return throw(c, out, "SystemError", "bad expression");
}

/* --- frames ------------------------------------------------------------- */

static struct frame *frame_new(const struct func *fn, struct value *args, int nargs, int ret_slot)
{
	struct frame *f = xmalloc(sizeof(*f) + (size_t)fn->nslots * sizeof(struct value));
	f->fn = fn;
	f->pc = 0;
	f->ret_slot = ret_slot;
	f->caller = NULL;
	f->handlers = NULL;
	f->nhandlers = f->hcap = 0;
	for (int i = 0; i < fn->nslots; i++)
		f->slots[i] = i < nargs ? value_ref(args[i]) : value_none();
	return f;
}

static void frame_free(struct frame *f)
{
	for (int i = 0; i < f->fn->nslots; i++)
		value_unref(f->slots[i]);
	free(f->handlers);
	free(f);
}

static bool start_coro(struct value coro, int ret_slot, struct frame **f, struct value *err, int line)
{
	struct coro_obj *co = value_as_coro(coro);
	if (co->started) {
		*err = value_exc("RuntimeError", line, "cannot reuse already awaited coroutine %s()",
				 co->fn->name);
		return false;
	}
	co->started = true;
	*f = frame_new(co->fn, co->args, co->nargs, ret_slot);
	return true;
}

bool exec_init(struct exec *x, struct interp_env *env, struct value coro, void *owner, struct value *err)
{
	memset(x, 0, sizeof(*x));
	x->env = env;
	x->owner = owner;
	x->resume_slot = -1;
	x->pending = value_none();
	return start_coro(coro, -1, &x->top, err, 0);
}

void exec_clear(struct exec *x)
{
	while (x->top) {
		struct frame *f = x->top;
		x->top = f->caller;
		frame_free(f);
	}
	value_unref(x->pending);
	x->pending = value_none();
}

int exec_line(const struct exec *x)
{
	if (!x->top)
		return 0;
	int pc = x->top->pc;
	if (pc > 0 && pc <= x->top->fn->nops)
		pc--;
	return x->top->fn->ops[pc].line;
}

void exec_resume(struct exec *x, struct value v)
{
	if (x->resume_slot >= 0 && x->top) {
		value_unref(x->top->slots[x->resume_slot]);
		x->top->slots[x->resume_slot] = v;
	} else {
		value_unref(v);
	}
	x->resume_slot = -1;
}

void exec_resume_error(struct exec *x, struct value exc)
{
	value_unref(x->pending);
	x->pending = exc;
	x->resume_slot = -1;
}

static void set_slot(struct frame *f, int slot, struct value v)
{
	if (slot < 0) {
		value_unref(v);
		return;
	}
	value_unref(f->slots[slot]);
	f->slots[slot] = v;
}

enum step exec_run(struct exec *x, struct value *out)
{
	struct value v;
	if (x->pending.kind != V_NONE) {
		v = x->pending;
		x->pending = value_none();
		goto fail;
	}
run:
	for (;;) {
		struct frame *f = x->top;
		const struct op *op = &f->fn->ops[f->pc];
		struct ctx c = {x->env, f->slots, x, op->line};
		switch (op->kind) {
		case OP_SAY: {
			if (!eval(&c, op->e, &v))
				goto fail;
			struct buf s = {0};
			value_format(&s, v);
			value_unref(v);
			x->env->emit(x->env->ctx, EMIT_SAY, op->line, s.data ? s.data : "");
			buf_free(&s);
			f->pc++;
			break;
		}
		case OP_SLEEP: {
			double d;
			if (!eval(&c, op->e, &v))
				goto fail;
			bool good = number_arg(&c, v, "sleep", &d, out);
			value_unref(v);
			if (!good) {
				v = *out;
				goto fail;
			}
			f->pc++;
			*out = value_float(d);
			return STEP_SLEEP;
		}
		case OP_BLOCK: {
			double d;
			if (!eval(&c, op->e, &v))
				goto fail;
			bool good = number_arg(&c, v, "block", &d, out);
			value_unref(v);
			if (!good || !do_block(&c, d, out)) {
				v = *out;
				goto fail;
			}
			f->pc++;
			break;
		}
		case OP_ASSIGN:
		case OP_EXPR:
			if (!eval(&c, op->e, &v))
				goto fail;
			set_slot(f, op->kind == OP_ASSIGN ? op->slot : -1, v);
			f->pc++;
			break;
		case OP_AWAIT:
			if (!eval(&c, op->e, &v))
				goto fail;
			f->pc++;
			if (v.kind == V_CORO) {
				if (x->depth >= MAX_CALL_DEPTH) {
					value_unref(v);
					throw(&c, &v, "RecursionError", "maximum await depth exceeded");
					goto fail;
				}
				struct frame *callee;
				bool good = start_coro(v, op->slot, &callee, out, op->line);
				value_unref(v);
				if (!good) {
					v = *out;
					goto fail;
				}
				callee->caller = f;
				x->top = callee;
				x->depth++;
				break;
			}
			if (v.kind == V_FUTURE) {
				x->resume_slot = op->slot;
				*out = v;
				return STEP_AWAIT;
			}
			value_unref(v);
			throw(&c, &v, "TypeError", "object %s can't be used in 'await' expression",
			      value_type_name(v));
			goto fail;
		case OP_RETURN:
			if (op->e) {
				if (!eval(&c, op->e, &v))
					goto fail;
			} else {
				v = value_none();
			}
			x->top = f->caller;
			if (!x->top) {
				frame_free(f);
				*out = v;
				return STEP_RETURN;
			}
			set_slot(x->top, f->ret_slot, v);
			frame_free(f);
			x->depth--;
			break;
		case OP_FOR_INIT:
			if (!eval(&c, op->e, &v))
				goto fail;
			if (!iterable(&c, v, &v))
				goto fail;
			set_slot(f, op->slot, v);
			set_slot(f, op->slot + 1, value_int(0));
			f->pc++;
			break;
		case OP_FOR_NEXT: {
			struct list_obj *l = value_as_list(f->slots[op->slot2]);
			int64_t i = f->slots[op->slot2 + 1].i;
			if ((size_t)i < l->n) {
				set_slot(f, op->slot, value_ref(l->items[i]));
				f->slots[op->slot2 + 1].i = i + 1;
				f->pc++;
			} else {
				f->pc = op->target;
			}
			break;
		}
		case OP_JUMP:
			f->pc = op->target;
			break;
		case OP_TRY:
			if (f->nhandlers == 64) {
				throw(&c, &v, "RecursionError", "try blocks nested too deeply");
				goto fail;
			}
			if (f->nhandlers == f->hcap) {
				f->hcap = f->hcap ? f->hcap * 2 : 4;
				f->handlers = xrealloc(f->handlers, (size_t)f->hcap * sizeof(*f->handlers));
			}
			f->handlers[f->nhandlers++] = (struct handler){op->target, op->slot};
			f->pc++;
			break;
		case OP_TRY_END:
			f->nhandlers--;
			f->pc++;
			break;
		case OP_EXCEPT: {
			struct value exc = f->slots[op->slot];
			if (!op->e || exc_matches(value_as_exc(exc)->type, value_as_str(op->e->constant)->s)) {
				if (op->slot2 >= 0)
					set_slot(f, op->slot2, value_ref(exc));
				f->pc++;
			} else {
				f->pc = op->target;
			}
			break;
		}
		case OP_RAISE:
			if (!op->e) {
				v = value_ref(f->slots[op->slot]);
				goto fail;
			}
			if (!eval(&c, op->e, &v))
				goto fail;
			if (v.kind != V_EXC) {
				struct value bad = v;
				throw(&c, &v, "TypeError", "exceptions must derive from BaseException, not %s",
				      value_type_name(bad));
				value_unref(bad);
			}
			goto fail;
		case OP_END_FINALLY:
			if (f->slots[op->slot].kind == V_EXC) {
				v = f->slots[op->slot];
				f->slots[op->slot] = value_none();
				goto fail;
			}
			f->pc++;
			break;
		case OP_AENTER:
		case OP_AEXIT:
		case OP_AEXIT_EXC: {
			int rc;
			struct value ctx;
			if (op->kind == OP_AENTER) {
				if (!eval(&c, op->e, &ctx))
					goto fail_with_ctx;
				set_slot(f, op->slot, ctx);
				/* "as" gets what __aenter__ returns: the group itself, None for a semaphore. */
				if (op->slot2 >= 0)
					set_slot(f, op->slot2, runtime_enter_value(ctx));
				f->pc++;
				rc = runtime_enter(x->env->rt, x->owner, ctx, op->line, out);
			} else {
				ctx = f->slots[op->slot];
				struct value exc = op->kind == OP_AEXIT_EXC ? f->slots[op->slot2] : value_none();
				f->pc++;
				rc = runtime_exit(x->env->rt, x->owner, ctx, exc, op->line, out);
				if (rc == 0 && exc.kind == V_EXC) {
					/* Left cleanly; the block's exception goes on. */
					v = exc;
					f->slots[op->slot2] = value_none();
					goto fail;
				}
			}
			if (rc < 0) {
				v = *out;
				goto fail;
			}
			if (rc > 0) {
				x->resume_slot = -1;
				return STEP_AWAIT;
			}
			break;
		fail_with_ctx:
			v = ctx;
			goto fail;
		}
		case OP_UNPACK: {
			struct value l = f->slots[op->slot];
			size_t want = (size_t)op->e->constant.i;
			if (l.kind != V_LIST) {
				throw(&c, &v, "TypeError", "cannot unpack non-iterable %s object", value_type_name(l));
				goto fail;
			}
			if (value_as_list(l)->n != want) {
				throw(&c, &v, "ValueError", "%s values to unpack (expected %zu, got %zu)",
				      value_as_list(l)->n > want ? "too many" : "not enough", want,
				      value_as_list(l)->n);
				goto fail;
			}
			f->pc++;
			break;
		}
		case OP_JUMP_IF_NOT:
			if (!eval(&c, op->e, &v))
				goto fail;
			f->pc = value_truthy(v) ? f->pc + 1 : op->target;
			value_unref(v);
			break;
		}
	}
fail:
	/* The innermost try block of the innermost frame takes the exception;
	 * frames without one are left, as the exception travels up. */
	while (x->top) {
		struct frame *f = x->top;
		if (f->nhandlers) {
			struct handler h = f->handlers[--f->nhandlers];
			set_slot(f, h.slot, v);
			f->pc = h.pc;
			goto run;
		}
		x->top = f->caller;
		frame_free(f);
		if (x->top)
			x->depth--;
	}
	*out = v;
	return STEP_RAISE;
}

bool interp_eval(struct interp_env *env, const struct expr *e, struct value *out)
{
	struct ctx c = {env, NULL, NULL, e->line};
	return eval(&c, e, out);
}

bool interp_call(struct interp_env *env, const struct func *fn, enum builtin builtin,
		 struct value *args, int nargs, int line, struct value *out)
{
	if (!fn) {
		struct ctx c = {env, NULL, NULL, line};
		return call_builtin(&c, builtin, args, nargs, out);
	}
	if (call_depth >= MAX_CALL_DEPTH) {
		*out = value_exc("RecursionError", line, "maximum call depth exceeded in %s()", fn->name);
		return false;
	}
	struct exec x = {.env = env, .resume_slot = -1, .pending = value_none()};
	x.top = frame_new(fn, args, nargs, -1);
	call_depth++;
	enum step st = exec_run(&x, out);
	call_depth--;
	exec_clear(&x);
	return st == STEP_RETURN;
}
