/* The parsed form of a scenario file: header, pools, parameters,
 * expectations, and functions compiled to flat lists of operations. */
#ifndef AIODEMO_SCENARIO_H
#define AIODEMO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* The built-in functions a scenario can call. */
enum builtin {
	B_NONE,
	B_BLOCK,  /* block D: time.sleep(D) on the current thread */
	B_PRIMES, /* primes(a, b): the documents' trial-division count_primes */
	B_RANGE,  /* range(n) / range(a, b) */
	B_LEN,    /* len(x) */
	B_STR,    /* str(x) */
	B_STRFTIME, /* strftime(fmt): the wall-clock time, as time.strftime */
	B_READ_FILE,  /* read_file(name): a file in the run's temporary directory */
	B_WRITE_FILE, /* write_file(name, text): creates or replaces such a file */
	B_WAIT_FOR,   /* wait_for(aw, timeout): asyncio.wait_for */
	B_WAIT,       /* wait(tasks, return_when, timeout): asyncio.wait */
	B_SEMAPHORE,  /* semaphore(n): asyncio.Semaphore */
	B_TASKGROUP,  /* taskgroup(): asyncio.TaskGroup */
	B_HTTP_GET,   /* http_get(url, timeout): requests.get, blocking: [status, body] */
	B_LOCAL_SERVER, /* local_server(): the URL of aiodemo's own HTTP server */
	B_SERVE,      /* serve(path, handler, arg): an HTTP server on the loop; its URL */
	B_INT,        /* int(x) */
	B_RANDOM_STRING, /* random_string(alphabet, k): random.choices, joined */
};

enum expr_kind {
	E_CONST,   /* a literal: number, duration, string without {}, None, True, False */
	E_FSTRING, /* a string with {expr} parts */
	E_LOCAL,   /* a local variable or parameter of the function */
	E_PARAM,   /* a scenario parameter (param NAME = VALUE) */
	E_BINARY,  /* l op r */
	E_NEG,     /* -x */
	E_NOT,     /* not x */
	E_LIST,    /* [a, b, *c] */
	E_COMP,    /* [elem for var in iter] */
	E_INDEX,   /* a[i] */
	E_CALL,    /* a user function: async gives a coroutine object, def runs now */
	E_BUILTIN, /* a built-in function */
	E_STAR,    /* *x inside a list or gather(...) */
	E_SPAWN,   /* spawn CORO: asyncio.create_task */
	E_OFFLOAD, /* offload JOB [to POOL]: run_in_executor / to_thread */
	E_GATHER,  /* gather(...): asyncio.gather */
	E_METHOD,  /* base.name(args): task.result(), tg.create_task(coro), ... */
	E_NEWEXC,  /* ValueError("message"): a new exception */
};

enum binop { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD,
	     OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND, OP_OR };

struct func;
struct expr;

/** One piece of an f-string: literal text, or an expression with an optional
 *  ".Nf" precision (-1 for none). */
struct fpart {
	char *text;
	size_t len;
	struct expr *e;
	int precision;
};

struct expr {
	enum expr_kind kind;
	int line, col;
	union {
		struct value constant;
		struct {
			struct fpart *parts;
			int n;
		} fstring;
		int slot;  /* E_LOCAL */
		int param; /* E_PARAM */
		struct {
			enum binop op;
			struct expr *l, *r;
		} binary;
		struct expr *operand; /* E_NEG, E_NOT, E_STAR, E_SPAWN */
		struct {
			struct expr **items;
			int n;
		} list; /* E_LIST, and the arguments of E_GATHER */
		struct {
			struct expr *elem, *iter;
			int var_slot;
		} comp;
		struct {
			struct expr *base, *index;
		} index;
		struct {
			char *name;                /* E_METHOD: the method; E_NEWEXC: the type */
			const struct func *fn;     /* E_CALL, resolved after parsing */
			enum builtin builtin;      /* E_BUILTIN */
			struct expr **args;        /* missing optional arguments are NULL */
			int nargs;
			struct expr *base;         /* E_METHOD */
		} call;
		struct {
			struct expr *job;  /* an E_CALL of a def or an E_BUILTIN */
			char *pool_name;   /* NULL for the default pool */
			int pool;          /* index into scenario.pools */
		} offload;
		struct {
			struct expr *items; /* an E_LIST or E_COMP of awaitables */
			struct expr *return_exceptions; /* NULL for False */
		} gather;
	};
};

enum op_kind {
	OP_SAY,      /* say EXPR */
	OP_SLEEP,    /* sleep EXPR: asyncio.sleep */
	OP_BLOCK,    /* block EXPR: time.sleep on the current thread */
	OP_ASSIGN,   /* slot = EXPR */
	OP_EXPR,     /* EXPR, result dropped */
	OP_AWAIT,    /* [slot =] await EXPR */
	OP_RETURN,   /* return [EXPR] */
	OP_FOR_INIT, /* slot, slot+1 = list(EXPR), 0 */
	OP_FOR_NEXT, /* var = next item of slot, or jump to target */
	OP_JUMP,     /* jump to target */
	OP_JUMP_IF_NOT, /* jump to target unless EXPR is true */
	OP_UNPACK,   /* slot must hold a list of EXPR items */
	OP_TRY,      /* push a handler: an exception goes to slot, then to target */
	OP_TRY_END,  /* pop the innermost handler */
	OP_EXCEPT,   /* if the exception in slot is of type EXPR (a string; NULL
			catches all), bind it to slot2 (or not, -1); else go to target */
	OP_RAISE,    /* raise EXPR, or the exception in slot when EXPR is NULL */
	OP_END_FINALLY, /* raise the exception in slot, if there is one */
	OP_AENTER,   /* async with EXPR: slot holds the context, slot2 the "as" name */
	OP_AEXIT,    /* leave the async with whose context is in slot */
	OP_AEXIT_EXC, /* leave it with the exception in slot2 */
};

struct op {
	enum op_kind kind;
	int line, col;
	int slot;   /* destination, or -1 */
	int slot2;  /* OP_FOR_NEXT: the hidden list/index slots */
	int target; /* jump target */
	struct expr *e;
};

struct func {
	char *name;
	bool is_async;
	int line, col;
	int nparams;
	int nslots;
	char **slot_names; /* nslots names; hidden slots start with '.' */
	struct op *ops;
	int nops;
};

struct pool_decl {
	char *name;
	bool processes;
	struct expr *size; /* NULL: Python's default size */
	int line, col;
};

struct param_decl {
	char *name;
	struct value value;
	int line, col;
};

enum expect_kind {
	EXPECT_TOTAL,   /* expect total D: the run takes D */
	EXPECT_AT,      /* expect "text" at D: a say line with that text at D */
	EXPECT_BEFORE,  /* expect before "a" "b": a is said before b */
	EXPECT_BLOCKED, /* expect blocked D: the loop is blocked D in all */
	EXPECT_SAYS,    /* expect says "text": some say line has that text */
	EXPECT_STATUS,  /* expect error / expect ok: how the run ends */
};

struct expect_decl {
	enum expect_kind kind;
	double seconds;
	char *text, *text2; /* the say lines it names */
	bool failure;       /* EXPECT_STATUS: the run must end with an error */
	bool cpu;           /* the duration is CPU work's, which --scale leaves alone */
	int line, col;
};

struct scenario {
	char *file;  /* as given, for messages */
	char *text;  /* the whole file */
	size_t len;
	char *name, *title, *source;
	char *python; /* the original program, dedented */
	char *notice; /* what to notice, dedented */
	struct param_decl *params;
	int nparams;
	struct pool_decl *pools; /* pools[0] is always the default thread pool */
	int npools;
	struct expect_decl *expects;
	int nexpects;
	struct func **funcs;
	int nfuncs;
	const struct func *main;
	bool uses_files; /* read_file/write_file appear: the run gets a temporary directory */
};

/** The name of @fn (for printing coroutine objects). */
const char *func_name(const struct func *fn);

/** Parses @len bytes of @text from @file (the name used in messages).
 *  Returns NULL after printing "file:line:col: error: ..." to stderr; with
 *  @errbuf non-NULL the message goes there instead. */
struct scenario *scenario_parse(const char *file, const char *text, size_t len, char *errbuf,
				size_t errsize);

/** Finds a parameter by name; -1 if there is none. */
int scenario_param_index(const struct scenario *sc, const char *name);

/** Overrides parameter @name with the text @value (a number or a string).
 *  Returns 0, or -1 with a message in @errbuf. */
int scenario_set_param(struct scenario *sc, const char *name, const char *value, char *errbuf,
		       size_t errsize);

/** Writes the parsed structure as text (for tests and `aiodemo dump`). */
void scenario_dump(const struct scenario *sc, struct buf *out);

/** Copies line @line (1-based) of the scenario text, trimmed, into @out. */
void scenario_line_text(const struct scenario *sc, int line, struct buf *out);

/** Frees everything; free(NULL) is a no-op. */
void scenario_free(struct scenario *sc);

/** The closest of @n @names to @word within a small edit distance, or NULL. */
const char *suggest_name(const char *word, const char *const *names, size_t n);

#endif
