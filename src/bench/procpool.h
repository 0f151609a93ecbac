/* A pool of forked worker processes fed over pipes watched by a libev loop. */
#ifndef AIODEMO_PROCPOOL_H
#define AIODEMO_PROCPOOL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct procpool;
struct pp_job;
struct pp_reply;

/** Runs in a worker process for each job: reads the request bytes and answers
 *  with pp_reply_event() (any number) and pp_reply_result() (once). */
typedef void pp_handler_fn(void *ctx, const void *req, size_t len, struct pp_reply *r);

/** A message a job sent with pp_reply_event(), delivered on the loop thread;
 *  @t is the clock_now() stamp taken in the worker when it was sent. */
typedef void pp_event_fn(struct pp_job *j, double t, const void *msg, size_t len);

/** The job is over, on the loop thread. @status is 0 with the worker's
 *  result in @reply, ECANCELED if it was cancelled before a worker took it,
 *  or EPIPE if the worker died (see pp_job.error). */
typedef void pp_done_fn(struct pp_job *j, int status, const void *reply, size_t len);

/** One job; the caller owns it and the request bytes until done() has run. */
struct pp_job {
	const void *req;    /**< request bytes, set by the caller */
	size_t req_len;     /**< their length */
	pp_event_fn *event; /**< may be NULL */
	pp_done_fn *done;   /**< set by the caller */
	void *data;         /**< free for the caller */
	/* Filled in by the pool. */
	struct pp_job *next; /**< queue link (private) */
	int worker;          /**< 1-based index of the worker process that ran it */
	pid_t pid;           /**< its pid */
	double t_submit;     /**< clock_now() when submitted */
	double t_start;      /**< clock_now() in the worker when it began the job */
	double t_end;        /**< clock_now() in the worker when it finished */
	char error[128];     /**< why the worker died, when status is EPIPE */
};

/** Sends an intermediate message to the parent. Returns 0 or -1. */
int pp_reply_event(struct pp_reply *r, const void *msg, size_t len);
/** Sends the job's result; call once. Returns 0 or -1. */
int pp_reply_result(struct pp_reply *r, const void *msg, size_t len);

/** Forks @nprocs workers named @name (visible in ps as "aio-NAME/N"),
 *  each running @handler(@ctx, ...) per job. Workers die with the parent.
 *  Returns NULL with errno set on failure (no worker is left behind). */
struct procpool *procpool_new(struct ev_loop *loop, const char *name, int nprocs,
			      pp_handler_fn *handler, void *ctx);

/** Queues @j for the next idle worker. Returns 0, or -1 with errno set. */
int procpool_submit(struct procpool *p, struct pp_job *j);

/** Removes @j if no worker has taken it yet (done() runs with ECANCELED from
 *  the loop); returns true if it was removed. */
bool procpool_cancel(struct procpool *p, struct pp_job *j);

/** Number of submitted jobs whose done() has not yet run. */
size_t procpool_outstanding(const struct procpool *p);

/** Number of worker processes. */
int procpool_size(const struct procpool *p);

/** The pid of worker @worker (1-based), or -1. */
pid_t procpool_pid(const struct procpool *p, int worker);

/** The pool's name. */
const char *procpool_name(const struct procpool *p);

/** Stops the pool: queued jobs get done(ECANCELED), idle workers are told to
 *  exit (their request pipe closes), busy ones are killed and their jobs get
 *  done(EPIPE); every child is reaped before this returns. Callers that want
 *  running jobs to finish run the loop until procpool_outstanding() is 0
 *  first. destroy(NULL) is a no-op. */
void procpool_destroy(struct procpool *p);

#endif
