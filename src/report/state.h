/* The state of a run at one of its events, as a player shows it: the task
 * the loop runs, the ready queue in order, the timers waiting with their
 * due times, the jobs queued and running and the workers that run them,
 * the GIL's holder, who made each task and whom each waits for, the lines
 * printed so far, and the event itself in plain words. Everything is
 * computed from the recorded events, walking them in order. */
#ifndef AIODEMO_REPORT_STATE_H
#define AIODEMO_REPORT_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "record/timeline.h"

enum task_state { TS_NONE, TS_READY, TS_RUNNING, TS_WAITING, TS_DONE };

/** A task lane's state. */
struct st_task {
	enum task_state state;
	int parent;            /* the lane of the task that made it, or -1 */
	int line;              /* the line it runs, or waits at; 0 if unknown */
	const char *await;     /* the await's text while it waits, or NULL */
	const char *end;       /* how it ended: "finished", "raised ...", "cancelled" */
	enum tl_kind end_kind; /* the event of it: K_DONE, K_ERROR or K_CANCEL */
	int *on;               /* the lanes it waits for */
	int non, oncap;
	int job; /* the job it waits for (the last it handed out, not done), or 0 */
};

/** A timer that is set and neither fired nor cancelled. */
struct st_timer {
	int number;
	int lane; /* who set it */
	int line;
	double due;       /* seconds since the run began */
	const char *what; /* its callback's name */
};

/** A job handed to a pool. */
struct st_job {
	int by;           /* the lane that handed it out */
	int worker;       /* the lane running it, or -1 while queued */
	double queued;    /* when it was handed out, or -1 if the record has no such event */
	const char *what; /* "time.sleep(2)" */
	const char *pool; /* "asyncio", "ThreadPoolExecutor-0" */
	bool done;
	int line; /* its line: where it last printed, else where the program
	             defines the function it runs; 0 if unknown */
};

/** The state after events [0, at) of a timeline. */
struct run_state {
	const struct tl_event *events;
	size_t nevents;
	const struct tl_lane *lanes;
	int nlanes;
	size_t at;
	double t;    /* the moment of event at - 1, or 0 */
	int running; /* the task lane the loop runs, or -1 */
	int *ready;  /* task lanes on the ready queue, in order */
	int nready, readycap;
	struct st_task *tasks; /* by lane */
	struct st_timer *timers;
	int ntimers, timercap;
	struct st_job *jobs; /* by job number, from 1 */
	int njobs;
	int *worker_job; /* by lane: the job it runs, or 0 */
	int gil;         /* the lane holding the GIL, -1 for nobody, -2 before it is seen */
	const char *gil_text;
	size_t printed; /* say and stderr events so far */
};

/** Starts at the run's beginning (no event applied). */
void state_init(struct run_state *s, const struct timeline *tl);

/** Moves to the state after events [0, @at): forward by applying the
 *  events between, backward by starting again. */
void state_seek(struct run_state *s, size_t at);

/** Whether a player stops at event @i (not the heartbeats, nor the events
 *  that only go with another: child, waits, gil-wait, gil-take). */
bool state_is_stop(const struct run_state *s, size_t i);

/** The stop after @at (the index of its event + 1), or @at if none. */
size_t state_next_stop(const struct run_state *s, size_t at);

/** The stop before @at, or 0. */
size_t state_prev_stop(const struct run_state *s, size_t at);

/** The first stop at or after moment @t (or the last, if none). */
size_t state_stop_at_time(const struct run_state *s, double t);

/** The lane whose line is the moment's: the task the last event is
 *  about, if its line is known, else the task the loop runs; or -1. */
int state_focus(const struct run_state *s);

/** What a waiting task waits for, in words, from its await (malloc'ed, or
 *  NULL): "asyncio.gather" for a gather, "a Lock", "I/O"... */
char *state_waits_for(const struct st_task *k);

/** A task's state in a word: "ready", "running", "waits", "done", or
 *  "none" before it is seen. */
const char *state_task_word(enum task_state st);

/** A timer's callback, in words: "asyncio.sleep" for the one sleep sets. */
const char *state_timer_words(const char *callback);

/** Appends the last applied event in plain words. */
void state_note(const struct run_state *s, struct buf *out);

/** The lane's name without its "Task-N " prefix's function, shortened: for
 *  tight columns, "Task-3". */
void state_short_name(const struct run_state *s, int lane, struct buf *out);

void state_free(struct run_state *s);

#endif
