/* The runtime's internals, shared by runtime.c (the loop, tasks, jobs) and
 * primitives.c (wait_for, wait, semaphores, task groups, methods). */
#ifndef AIODEMO_RTPRIV_H
#define AIODEMO_RTPRIV_H

#include <ev.h>
#include <stdint.h>

#include "interp.h"
#include "procpool.h"
#include "ptimer.h"
#include "runtime.h"
#include "threadpool.h"

enum fut_kind {
	FUT_TASK,    /* a task running a coroutine */
	FUT_JOB,     /* a job offloaded to a pool */
	FUT_GATHER,  /* gather(...) */
	FUT_SLEEP,   /* the future a sleep waits for */
	FUT_WAITFOR, /* wait_for(aw, timeout) */
	FUT_WAIT,    /* wait(tasks, return_when) */
	FUT_PLAIN,   /* a bare future: a semaphore's waiter, a task group's exit */
	FUT_SEM,     /* a semaphore (not awaitable) */
	FUT_GROUP,   /* a task group (not awaitable) */
};
enum fut_state { FS_PENDING, FS_DONE, FS_FAILED, FS_CANCELLED };

struct future;
/* @tag tells a callback registered several times which registration fired. */
typedef void callback_fn(struct runtime *rt, struct future *arg, size_t tag);

struct waiter {
	callback_fn *fn;
	struct future *arg; /* holds a reference */
	size_t tag;
	struct waiter *next;
};

struct handle {
	callback_fn *fn;
	struct future *arg; /* holds a reference */
	size_t tag;
	struct handle *next;
};

struct future {
	struct obj h;
	struct runtime *rt;
	enum fut_kind kind;
	enum fut_state state;
	struct value result; /* the value, or the exception */
	struct waiter *waiters, **waiters_tail;
	int id;
	int lane;  /* the task's lane; for jobs and gathers, the creator's */
	char *label;
	bool label_borrowed; /* a task's label is its lane's name, the timeline's */
};

struct group;

struct task {
	struct future f;
	struct exec x;
	struct future *awaiting; /* holds a reference while waiting */
	bool dead;               /* dropped when main() returned or on Ctrl-C */
	bool must_cancel;        /* cancel() was called: raise CancelledError at the next step */
	struct group *group;     /* the task group it belongs to, or NULL */
	struct task *prev, *next; /* the runtime's list of unfinished tasks */
};

struct pool;

struct job {
	struct future f;
	struct pool *pool;
	union {
		struct tp_work tw;
		struct pp_job pj;
	} u;
	const struct func *fn;
	enum builtin builtin;
	struct value *args;
	int nargs;
	int line;
	bool ok;
	struct value result; /* set by the worker */
	struct buf req;      /* the request, for a process */
	char *desc;
	int worker_lane;
	double block_start; /* a worker process's current blocking step */
	double ideal_submit, ideal_start; /* the ideal run's times */
};

struct gather {
	struct future f;
	struct value children; /* a list of futures */
	size_t finished;
	bool return_exceptions;
	bool cancel_requested;
};

struct pool {
	struct runtime *rt;
	const struct pool_decl *decl;
	bool processes;
	int size;
	struct threadpool *tp;
	struct procpool *pp;
	int *lanes; /* lanes[worker], 1-based */
	double *free_at; /* the ideal run: when each worker is free again */
};

struct timer {
	double when;
	uint64_t seq;
	callback_fn *fn;
	struct future *arg;
};

struct runtime {
	const struct scenario *sc;
	struct timeline *tl;
	double scale;
	struct ev_loop *loop;
	ev_check check;
	ev_prepare prepare; /* with polled: how long the loop waits, for utilization */
	ev_check polled;
	double poll_started, idle_time;
	double *lags;       /* heartbeat lateness samples */
	size_t nlags, lagcap;
	struct slow_pass *slow;
	int nslow, slowcap;
	double slow_threshold;
	ev_idle idle;
	struct ptimer timer;     /* the earliest deadline of the heap */
	struct ptimer heartbeat; /* unreferenced: it only measures */
	ev_async wakeup;
	struct interp_env env;

	struct handle *ready, **ready_tail, *spare;
	size_t nready;
	struct timer *timers;
	size_t ntimers, timercap;
	uint64_t timer_seq;

	struct pool *pools;
	int npools;

	struct task *main, *current, *live;
	int loop_lane;
	int next_task, next_job;
	size_t ntasks, njobs;
	double max_queue_wait;
	double t0, t_main_end;
	double hb_period, hb_next, max_lag;
	volatile int interrupted;
	bool main_done;
	bool overtime; /* the run passed MAX_RUN_TIME */
	double block_started; /* when the loop thread's current blocking step began */
	char *error;
	char *tmpdir; /* for read_file/write_file, removed at the end */
	bool ideal;   /* a run on the virtual clock, without overhead */
	double ideal_deadline; /* the ideal run's grace for cancelled tasks, or 0 */
	size_t ideal_jobs;     /* the ideal run's jobs whose result is yet to come */
	struct run_summary summary;   /* what runtime_run() found */
	struct summary_check *summary_checks;
	struct expect_result *checks; /* the expectations, checked after the run */
	int nchecks;
	double total;
	struct http_server *http; /* started by local_server(), stopped with the run */
	int http_lane;
	struct serve *serve;      /* started by serve(), stopped when main() returns */
	unsigned serve_port;      /* where serve() listens; 0 for a free port */
	bool serve_forever;       /* aiodemo serve: keep serving after main() returns */
};

/** Adds a reference. */
struct future *fut_ref(struct future *f);
/** Drops a reference; NULL is a no-op. */
void fut_unref(struct future *f);
/** A V_FUTURE value with a new reference to @f. */
struct value fut_value(struct future *f);
/** Sets up the future part of a new object. */
void future_init(struct runtime *rt, struct future *f, enum fut_kind kind, void (*destroy)(struct obj *));
/** Frees what future_init and the waiters hold (not @f itself). */
void future_fini(struct future *f);
/** Drops every waiter without running it. */
void free_waiters(struct future *f);
/** add_done_callback: @fn(@arg) runs from the ready queue once @f is done. */
void future_add_waiter(struct future *f, callback_fn *fn, struct future *arg);
/** The same, passing @tag to @fn (gather's and wait's children pass their index). */
void future_add_waiter_tagged(struct future *f, callback_fn *fn, struct future *arg, size_t tag);
/** Completes @f with @v (taken over) and schedules its waiters. */
void future_finish(struct future *f, enum fut_state state, struct value v);
/** future.cancel(): true if @f was pending and is (being) cancelled. */
bool future_cancel(struct runtime *rt, struct future *f, int line);
/** A new CancelledError. */
struct value cancelled_error(int line);
/** call_soon with a new reference to @arg. */
void call_soon(struct runtime *rt, callback_fn *fn, struct future *arg);
/** call_at: @fn(@arg) runs from the ready queue at @when (clock_now() seconds). */
void timer_add(struct runtime *rt, double when, callback_fn *fn, struct future *arg);
/** A new task running coroutine @coro, scheduled to start; NULL with *@err set. */
struct task *task_new(struct runtime *rt, struct value coro, const char *name, struct value *err);
/** Task.cancel(). */
bool task_cancel(struct runtime *rt, struct task *t, int line);
/** The lane of @owner (a task), or the loop's. */
int owner_lane(struct runtime *rt, void *owner);
/** local_server(): starts aiodemo's HTTP server once, returns its URL. */
bool runtime_local_server(struct runtime *rt, int line, struct value *out);

/** Stops serve()'s server: requests not answered are dropped. */
void serve_stop(struct runtime *rt);
/** Appends "Type: message (line N)". */
void exc_text(struct buf *b, struct value exc);
/** The destroy function of a bare future (FUT_PLAIN, FUT_SLEEP). */
void plain_future_destroy(struct obj *o);
/** Cancels a wait_for or wait (primitives.c); false for other kinds. */
bool primitives_cancel(struct runtime *rt, struct future *f, int line);

#endif
