/* The runtime: an asyncio-like event loop on libev. Tasks, a FIFO ready
 * queue, timers, futures, gather, and offload to thread and process pools;
 * every step is recorded on a timeline. */
#ifndef AIODEMO_RUNTIME_H
#define AIODEMO_RUNTIME_H

#include <stdbool.h>

#include "scenario.h"
#include "timeline.h"
#include "value.h"

struct runtime;

/** How a run ended; also the process exit status. */
enum run_status {
	RUN_OK = 0,
	RUN_FAILED = 1,
	RUN_INTERRUPTED = 130,
	RUN_BROKEN_PIPE = 141,
};

/** Checks that every pool of @sc has a valid size with the current
 *  parameters; returns 0, or -1 after printing an error. */
int runtime_check_pools(const struct scenario *sc, double scale);

/** Creates a runtime for @sc on libev's default loop, printing to @tl, with
 *  every duration multiplied by @scale. Starts the scenario's pools (worker
 *  processes are forked here, before the run grows). Returns NULL after
 *  printing an error. */
struct runtime *runtime_new(const struct scenario *sc, struct timeline *tl, double scale);

/** Sets what counts as slow for the diagnostics: a blocking step or a pass
 *  of the loop of at least @seconds of scenario time (default 0.1, as
 *  asyncio's debug mode). Call before runtime_run(). */
void runtime_set_slow(struct runtime *rt, double seconds);

/** Like runtime_new(), for the ideal run: on a virtual clock, without
 *  workers (jobs run in place, each on the first worker of its pool to be
 *  free), so that the run takes exactly what the scenario says and its
 *  computing takes. runtime_run() then returns at once. */
struct runtime *runtime_new_ideal(const struct scenario *sc, struct timeline *tl, double scale);

/** Runs main() to completion and returns the status; the events were
 *  printed as they happened, the summary is runtime_summary()'s. */
enum run_status runtime_run(struct runtime *rt);

struct expect_result;

/** What the finished run measured, for timeline_print_summary(); valid
 *  until runtime_free(). */
const struct run_summary *runtime_summary(const struct runtime *rt);

/** The scenario's expectations as checked at the end of runtime_run() (none
 *  after an interrupted run), and how long the run took. */
const struct expect_result *runtime_checks(const struct runtime *rt, int *n, double *total);

/** Stops pools, reaps workers and frees everything; free(NULL) is a no-op. */
void runtime_free(struct runtime *rt);

/** aiodemo serve: serve() listens on @port (0 for a free one), and the
 *  server outlives main() until the run is interrupted. */
void runtime_set_serve(struct runtime *rt, unsigned port);

/** Whether serve() started a server that still runs. */
bool runtime_serving(const struct runtime *rt);

/** Asks a running runtime to stop (async-signal-safe): Ctrl-C. */
void runtime_interrupt(struct runtime *rt);

/* Called by the interpreter on the loop thread. Each returns true with a
 * new reference in *out, or false with an exception there. */

/** spawn CORO: asyncio.create_task. */
bool runtime_spawn(struct runtime *rt, void *owner, struct value coro, int line, struct value *out);

/** offload CALL to POOL: run_in_executor; @args are borrowed. */
bool runtime_offload(struct runtime *rt, void *owner, int pool, const struct func *fn,
		     enum builtin builtin, struct value *args, int nargs, int line, struct value *out);

/** gather(...): asyncio.gather over the list @items (borrowed). */
bool runtime_gather(struct runtime *rt, void *owner, struct value items, bool return_exceptions,
		    int line, struct value *out);

/** serve(path, handler, arg): answers GET @path on the loop with a task
 *  running async def @handler on the request's query argument @arg; *out
 *  is the server's URL. */
bool runtime_serve(struct runtime *rt, const char *path, const struct func *handler, const char *arg, int line,
		   struct value *out);

/** wait_for, wait, semaphore and taskgroup; @args are borrowed. */
bool runtime_builtin(struct runtime *rt, void *owner, enum builtin builtin, struct value *args,
		     int nargs, int line, struct value *out);

/** A method of a task, job, gather or task group: result(), cancel(),
 *  create_task(coro), ...; @args are borrowed. */
bool runtime_method(struct runtime *rt, void *owner, struct value base, const char *name,
		    struct value *args, int nargs, int line, struct value *out);

/** Enters "async with @ctx". Returns 0 when entered, 1 when the task must
 *  first await the future in *out, -1 with an exception in *out. */
int runtime_enter(struct runtime *rt, void *owner, struct value ctx, int line, struct value *out);

/** What "async with @ctx as NAME" binds: a task group itself, None for a semaphore. */
struct value runtime_enter_value(struct value ctx);

/** Leaves "async with @ctx", normally (@exc is None) or because of @exc.
 *  Returns 0 when left (the caller re-raises @exc, if any), 1 when the task
 *  must await the future in *out (which raises, if the block failed), -1
 *  with an exception in *out. */
int runtime_exit(struct runtime *rt, void *owner, struct value ctx, struct value exc, int line,
		 struct value *out);

#endif
