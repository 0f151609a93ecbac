/* A bounded pool of worker threads that hands finished work back to a libev loop. */
#ifndef AIODEMO_THREADPOOL_H
#define AIODEMO_THREADPOOL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

struct threadpool;
struct tp_work;

/** Runs on a worker thread. */
typedef void tp_work_fn(struct tp_work *w);
/** Runs on the loop thread once the work is finished (@status 0) or was
 *  cancelled before a worker took it (@status ECANCELED). */
typedef void tp_done_fn(struct tp_work *w, int status);

/** One unit of work; the caller owns the memory until done() has run. */
struct tp_work {
	tp_work_fn *work; /**< set by the caller */
	tp_done_fn *done; /**< set by the caller */
	void *data;       /**< free for the caller */
	/* Filled in by the pool. */
	struct tp_work *next; /**< queue link (private) */
	struct threadpool *pool; /**< the pool it was submitted to */
	int worker;       /**< 1-based index of the worker thread that ran it */
	double t_submit;  /**< clock_now() when submitted */
	double t_start;   /**< clock_now() when a worker took it */
	double t_end;     /**< clock_now() when the worker finished it */
};

/** Called on a new worker thread before it takes its first job (may be NULL). */
typedef void tp_thread_start_fn(struct threadpool *p, int worker, void *arg);

/** Creates a pool named @name with at most @max_threads threads, started
 *  lazily as work arrives (like Python's ThreadPoolExecutor). Returns NULL
 *  with errno set on failure. */
struct threadpool *threadpool_new(struct ev_loop *loop, const char *name, int max_threads,
				  tp_thread_start_fn *on_start, void *arg);

/** Queues @w; returns 0, or -1 with errno set if no thread could be started
 *  and none is running. */
int threadpool_submit(struct threadpool *p, struct tp_work *w);

/** Removes @w if no worker has taken it yet; its done() runs with ECANCELED
 *  from the loop. Returns true if it was removed. */
bool threadpool_cancel(struct threadpool *p, struct tp_work *w);

/** Number of submitted jobs whose done() has not yet run. */
size_t threadpool_outstanding(const struct threadpool *p);

/** Number of worker threads started so far. */
int threadpool_threads(const struct threadpool *p);

/** The pool's name. */
const char *threadpool_name(const struct threadpool *p);

/** The maximum number of worker threads. */
int threadpool_max_threads(const struct threadpool *p);

/** Flag that long-running work should poll to stop early (see clock_sleep). */
volatile const int *threadpool_stop_flag(const struct threadpool *p);

/** Stops the pool: queued work is cancelled (done() with ECANCELED runs
 *  before this returns), the stop flag is raised, running work is waited for,
 *  and every thread is joined. destroy(NULL) is a no-op. */
void threadpool_destroy(struct threadpool *p);

#endif
