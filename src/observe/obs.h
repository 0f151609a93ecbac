/* The inside of observation, shared by its files: the observer's state. */
#ifndef AIODEMO_OBSERVE_OBS_H
#define AIODEMO_OBSERVE_OBS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "observe.h"

/** One job handed to an executor. */
struct obs_job {
	double submitted, started;
	int lane;   /* the worker's lane once started, else -1 */
	int line;   /* the program's line defining the function it runs, or 0 */
	bool ended; /* its end is on the timeline */
};

struct observer {
	struct timeline *tl;
	struct observe_options opt;
	double slow_real; /* opt.slow in real seconds */
	pid_t pid;        /* aiodemo's process; a worker process is another */
	double start;

	int main_lane, loop_lane; /* the main thread outside tasks; the loop */

	/* The step the observed loop runs (loop thread, GIL held). */
	bool stepping;
	PyObject *step_task;     /* NULL for a plain callback */
	PyObject *step_callback; /* a plain callback's function, while it runs */
	int step_lane;
	double step_start;
	unsigned long loop_ident; /* PyThread_get_thread_ident() of the loop */

	/* Shared with the sampler thread, under lock. */
	pthread_mutex_t lock;
	unsigned long step_seq; /* odd while a step runs */
	double step_start_shared;
	unsigned long sampled_seq;
	int blocked_line;
	char *blocked_what;
	bool blocked_reported;
	/* The loop thread's CPU time, read by the sampler at cpu_at in step
	 * cpu_seq: a blocked step's share of the CPU is measured from there,
	 * without a system call in every step. */
	unsigned long cpu_seq;
	double cpu_at, cpu_then;

	/* The loop's passes. */
	bool in_pass;
	double pass_start, busy, loop_time, loop_since;
	bool loop_running;
	size_t pass_steps;
	bool pass_blocked;
	struct slow_pass *slow;
	int nslow, slowcap;

	/* Heartbeats (written by the loop thread without the GIL). */
	double *lags;
	size_t nlags, lagcap;
	double max_lag;

	/* Tasks and jobs. */
	PyObject *lanes;        /* id(task) -> (lane, weakref to the task) */
	PyObject *cancel_noted; /* id(task) of tasks whose cancellation is on the timeline */
	PyObject *thread_lanes; /* thread ident -> lane, for threads not of an executor */
	PyObject *linecache;    /* (filename, line) -> stripped source */
	PyObject *getline;      /* linecache.getline */
	PyObject *libdirs;      /* tuple of library prefixes: frames there are not the program's */
	size_t ntasks;
	bool *named; /* by lane: the task's name was read at its first step */
	size_t namedcap;
	struct obs_job *jobs; /* by job number, under lock */
	size_t njobs, jobcap;
	double max_queue_wait;

	/* Worker processes: the channel back, and its reader. */
	int chan[2];
	pthread_t reader;
	bool reader_started;

	pthread_t sampler;
	bool sampler_started, sampler_stop;
	pthread_cond_t sampler_cond;
};

extern struct observer obs;

/** The lane of the code running now on this thread: the task the loop
 *  steps, the worker's job, or the thread's own lane. GIL held. */
int obs_current_lane(void);

/** The lane of a thread that is not a worker, named after it. GIL held. */
int obs_thread_lane(void);

/** @o's attribute @name, as PyObject_GetAttrString() gives it, with the
 *  name made into a string once (by the address of @name, a literal),
 *  and NULL without an exception when there is none. GIL held. */
PyObject *obs_attr(PyObject *o, const char *name);

/** @o's method @name called without arguments, as PyObject_CallMethod(o,
 *  name, NULL) calls it; the name is obs_attr()'s. GIL held. */
PyObject *obs_call0(PyObject *o, const char *name);

/** Time in seconds since the run started, for timeline_add(). */
double obs_now(void);

/** Instead of PyErr_Clear() in what observation does on the loop thread.
 *  Its calls into Python (a repr, a property) are where the interpreter
 *  may run the program's signal handler, whose exception (the
 *  KeyboardInterrupt of a second Ctrl-C) is the program's: it is held, and
 *  obs_raise_held() raises it where the program would meet it, never
 *  between taking a callback off the ready queue and running it. Any
 *  other error of the observation's own is cleared. */
void obs_clear(void);

/** Raises the exception obs_clear() held, if any: returns true then. */
bool obs_raise_held(void);

/** @r, the result of a call of the program's that a hook wraps, or NULL
 *  with the exception obs_clear() held raised, as the program would meet
 *  it at its next instruction. */
PyObject *obs_then_held(PyObject *r);

/** A method for a class, written in C as @def: no frame of aiodemo's in a
 *  traceback of the program's (a new reference, or NULL). */
PyObject *obs_method(PyMethodDef *def);

/** The loop thread's CPU time in *@seconds, from any thread; 0, or -1. */
int obs_loop_cpu(double *seconds);

/** The program's line for @frame and its outer frames: the innermost
 *  frame outside the libraries; sets *@line, returns the stripped source
 *  (a new reference, or NULL without an exception). GIL held. */
PyObject *obs_program_line(PyObject *frame, int *line);

/** The program's line that the running code is at (obs_program_line() of
 *  this thread's frame), or 0. GIL held. */
int obs_current_line(void);

/** Methods of _aiodemo defined by jobs.c, output.c, timers.c and io.c. */
extern PyMethodDef obs_job_methods[], obs_output_methods[], obs_timer_methods[], obs_io_methods[];

/** The loop's sockets (io.c): the selector watches @fd for @events; the
 *  loop's wait found @fd ready at @now; the task of @lane is over; forget
 *  them all. GIL held. */
void obs_io_watch(int fd, int events);
void obs_io_ready(int fd, int events, double now);
void obs_io_lane_done(int lane);
void obs_io_free(void);

/** Adds Job, a job's function wrapped, to the module. */
int obs_add_job(PyObject *module);

/** Starts the channel from worker processes; 0 or -1 with errno. */
int obs_channel_start(void);
/** Stops its reader after every worker is gone. */
void obs_channel_stop(void);

/** Starts the sampler thread that names the line a blocked loop is stuck on. */
int obs_sampler_start(void);
/** Stops and joins it; GIL held (released while joining). */
void obs_sampler_stop(void);

/** Adds the event that the loop is blocked since @start on @lane, at the
 *  program's @line (0: not known) whose text is @what. */
void obs_note_blocked(double start, int lane, int line, const char *what);

/** The GIL's observation (gil.c): the loop's thread, observed from the
 *  start; a worker thread's job begins (@running) or ends, on @lane. GIL held. */
void obs_gil_loop_thread(int lane);
void obs_gil_job(int lane, bool running);
/** Stops the GIL's sampler and records that nobody holds it; GIL held. */
void obs_gil_stop(void);

/** Emits every partial line still buffered. GIL held. */
void obs_output_flush_all(void);

/** The lane + 1 of this worker thread of an executor, 0 if it is none. */
extern _Thread_local int obs_worker_lane;

/** A line printed in a worker process, sent back on the channel. */
void obs_child_line(bool err, const char *text, size_t len);

/** Sends a record from a worker process to aiodemo (pid != obs.pid). */
void obs_channel_send(int kind, int job, const char *label, const char *text, size_t len);

#endif
