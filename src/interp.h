/* The interpreter: evaluates expressions and runs a function's operations,
 * in a task on the loop thread (suspending at sleep and await) or to
 * completion in a worker thread or process. */
#ifndef AIODEMO_INTERP_H
#define AIODEMO_INTERP_H

#include <stdbool.h>

#include "scenario.h"
#include "value.h"

struct runtime;

/** What an environment reports to its surroundings. */
enum emit_kind {
	EMIT_SAY,         /* text is the printed line */
	EMIT_BLOCK_BEGIN, /* text describes the step ("block 2s", "primes(1, 100000)") */
	EMIT_BLOCK_END,   /* same text; the step is over */
};

/** Where code runs: the loop thread (rt set) or a worker (rt NULL). */
struct interp_env {
	const struct scenario *sc;
	double scale;              /* multiplies every duration */
	volatile const int *stop;  /* when it becomes non-zero, block and primes end early */
	struct runtime *rt;        /* the loop's runtime; NULL in workers */
	void (*emit)(void *ctx, enum emit_kind kind, int line, const char *text);
	void *ctx;
	const char *tmpdir;        /* where read_file/write_file work; NULL if unused */
};

/** An exception handler of a frame: where to go, and where the exception goes. */
struct handler {
	int pc;
	int slot;
};

/** One activation of a function. */
struct frame {
	const struct func *fn;
	int pc;
	int ret_slot; /* where the caller wants the result, -1 for none */
	struct frame *caller;
	struct handler *handlers; /* the try blocks entered and not left, innermost last */
	int nhandlers, hcap;
	struct value slots[];
};

/** The execution state of a task: a stack of frames. */
struct exec {
	struct interp_env *env;
	struct frame *top;
	int resume_slot;        /* where an awaited result goes, -1 for none */
	struct value pending;   /* an exception to raise when resumed */
	void *owner;            /* the runtime's task, for spawn/offload/gather */
	int depth;              /* frames above the first */
};

/** Why exec_run() returned. */
enum step {
	STEP_RETURN, /* the task's coroutine returned *out */
	STEP_RAISE,  /* an exception (*out) left the task */
	STEP_SLEEP,  /* the task sleeps for *out seconds (already scaled) */
	STEP_AWAIT,  /* the task awaits the future *out */
};

/** Starts executing coroutine object @coro (a reference is taken). Returns
 *  false with an exception in *@err if it was already awaited. */
bool exec_init(struct exec *x, struct interp_env *env, struct value coro, void *owner,
	       struct value *err);

/** Runs until the task finishes or suspends. */
enum step exec_run(struct exec *x, struct value *out);

/** Delivers the awaited result (reference taken over) before the next exec_run(). */
void exec_resume(struct exec *x, struct value v);

/** Makes the next exec_run() raise @exc (reference taken over) at the await. */
void exec_resume_error(struct exec *x, struct value exc);

/** The scenario line the task is at. */
int exec_line(const struct exec *x);

/** Frees the frames. */
void exec_clear(struct exec *x);

/** Runs a plain call to completion: def @fn, or the built-in @builtin when
 *  @fn is NULL, with @nargs @args (borrowed). Returns true with the result
 *  in *@out, or false with an exception there. Used on the loop thread
 *  and in workers. */
bool interp_call(struct interp_env *env, const struct func *fn, enum builtin builtin,
		 struct value *args, int nargs, int line, struct value *out);

/** Evaluates an expression outside any function (only parameters in scope). */
bool interp_eval(struct interp_env *env, const struct expr *e, struct value *out);

/** Whether an exception of type @type is caught by "except @handler". */
bool exc_matches(const char *type, const char *handler);

/** Describes a job call as text: "block 2s", "primes(1, 100000)", "fetch(1)". */
void interp_describe_call(const struct func *fn, enum builtin builtin, const struct value *args,
			  int nargs, struct buf *out);

/** The documents' count_primes(start, end): numbers in [start, end) with no
 *  divisor in 2..isqrt(n) (so 0 and 1 count, as in the Python). Returns -1
 *  if *@stop was raised. */
long long count_primes(long long start, long long end, volatile const int *stop);

#endif
