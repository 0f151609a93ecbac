/* Values of the scenario language: numbers, strings, lists, coroutine objects,
 * futures and exceptions, with reference counting and Python-style printing. */
#ifndef AIODEMO_VALUE_H
#define AIODEMO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct func;

enum value_kind {
	V_NONE,
	V_BOOL,
	V_INT,
	V_FLOAT,
	V_STR,
	V_LIST,
	V_CORO,   /* a coroutine object: an async call not yet started */
	V_FUTURE, /* a task, an offloaded job or a gather */
	V_EXC,    /* an exception */
	V_RTOBJ,  /* a semaphore or a task group: the runtime's, not awaitable */
};

/** The count of objects owned by a parsed scenario: it never changes, so
 *  worker threads may read such objects while the loop thread runs. */
#define IMMORTAL_REFS UINT32_MAX

/** The header of every heap object; destroy() frees it when refs drops to 0. */
struct obj {
	uint32_t refs;
	void (*destroy)(struct obj *o);
};

/** A value: small kinds inline, the rest behind a counted reference. */
struct value {
	enum value_kind kind;
	union {
		bool b;
		int64_t i;
		double f;
		struct obj *o;
	};
};

struct str_obj {
	struct obj h;
	size_t len;
	char s[];
};

struct list_obj {
	struct obj h;
	size_t n, cap;
	struct value *items;
};

struct coro_obj {
	struct obj h;
	const struct func *fn;
	bool started; /* a coroutine object can be awaited once */
	int nargs;
	struct value args[];
};

struct exc_obj {
	struct obj h;
	char *type;    /* "TypeError", "TimeoutError", ... */
	char *message;
	int line;      /* scenario line where it was raised */
};

/** The None value. */
static inline struct value value_none(void)
{
	return (struct value){.kind = V_NONE};
}

/** An int value. */
static inline struct value value_int(int64_t i)
{
	return (struct value){.kind = V_INT, .i = i};
}

/** A float value. */
static inline struct value value_float(double f)
{
	return (struct value){.kind = V_FLOAT, .f = f};
}

/** A bool value. */
static inline struct value value_bool(bool b)
{
	return (struct value){.kind = V_BOOL, .b = b};
}

/** Whether @v holds a heap object. */
static inline bool value_is_obj(struct value v)
{
	return v.kind >= V_STR;
}

/** A new string value copying @n bytes of @s. */
struct value value_str(const char *s, size_t n);
/** A new string value from a NUL-terminated string. */
struct value value_cstr(const char *s);
/** A new empty list with room for @cap items. */
struct value value_list(size_t cap);
/** Appends @item to list @list, taking over the caller's reference. */
void value_list_push(struct value list, struct value item);
/** A new coroutine object for async function @fn, taking over @args' references. */
struct value value_coro(const struct func *fn, struct value *args, int nargs);
/** A new exception of @type with a formatted message. */
struct value value_exc(const char *type, int line, const char *fmt, ...) ATTR_PRINTF(3, 4);

/** Adds a reference; returns @v. */
struct value value_ref(struct value v);
/** Drops a reference, freeing the object at zero. */
void value_unref(struct value v);

/** Accessors; the caller checks the kind first. */
static inline struct str_obj *value_as_str(struct value v)
{
	return (struct str_obj *)v.o;
}
static inline struct list_obj *value_as_list(struct value v)
{
	return (struct list_obj *)v.o;
}
static inline struct coro_obj *value_as_coro(struct value v)
{
	return (struct coro_obj *)v.o;
}
static inline struct exc_obj *value_as_exc(struct value v)
{
	return (struct exc_obj *)v.o;
}

/** Python's name for the type of @v ("int", "str", ...). */
const char *value_type_name(struct value v);

/** Appends str(@v) as Python prints it. */
void value_format(struct buf *b, struct value v);
/** Appends repr(@v) as Python prints it (strings quoted). */
void value_repr(struct buf *b, struct value v);
/** Python truthiness. */
bool value_truthy(struct value v);
/** The number in @v as a double; false if it is not a number. */
bool value_number(struct value v, double *out);

/** A copy that shares nothing with @v, for handing to another thread.
 *  Returns false (and an exception in *@out) for kinds that cannot travel. */
bool value_clone(struct value v, struct value *out);
/** Appends a byte encoding of @v for another process; false if it cannot travel. */
bool value_encode(struct buf *b, struct value v);
/** Decodes a value from *@p (advancing it) within @end; false on bad input. */
bool value_decode(const char **p, const char *end, struct value *out);

#endif
