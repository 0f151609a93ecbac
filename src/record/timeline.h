/* The timeline: every event of a run, stamped on the monotonic clock,
 * printed live as text or JSON lines and kept for the summary. */
#ifndef AIODEMO_TIMELINE_H
#define AIODEMO_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/diag.h"

enum tl_format { TL_TEXT, TL_JSON };

enum lane_kind {
	LANE_LOOP,
	LANE_TASK,
	LANE_THREAD,
	LANE_PROCESS,
	LANE_SERVER, /* a socket the program listens on: its connections' requests */
	LANE_GIL,    /* CPython's GIL: which thread holds it */
};

enum tl_kind {
	K_POOL,      /* a pool is ready */
	K_WORKER,    /* a worker thread or process started */
	K_SPAWN,     /* a task was created (on the creator's lane) */
	K_SAY,       /* a line the program prints */
	K_SLEEP,     /* asyncio.sleep */
	K_AWAIT,     /* a task waits for an unfinished task, job or gather */
	K_GATHER,    /* gather starts its tasks */
	K_BLOCK,     /* a blocking step begins on a thread (the loop's or a worker's) */
	K_UNBLOCK,   /* ... and ends */
	K_OFFLOAD,   /* a job was submitted to a pool */
	K_JOB_START, /* a worker took the job */
	K_JOB_DONE,  /* the worker finished it */
	K_DONE,      /* a task returned */
	K_ERROR,     /* a task raised, or the run failed */
	K_CANCEL,    /* a task or job was cancelled */
	K_END,       /* main() returned */
	K_STDERR,    /* a line the program writes to stderr */
	K_IO,        /* a socket the loop watches: connected, a request, an answer, closed */
	/* The steps of the loop, recorded for the pictures but not printed
	 * as events: */
	K_READY,    /* a task is on the ready queue, waiting for the loop */
	K_STEP,     /* the loop runs a task ... */
	K_YIELD,    /* ... until it gives the loop back */
	K_EXIT,     /* ... for the last time: the task is over */
	K_BEAT,     /* a heartbeat of the loop; dur is how late it was */
	K_GIL,      /* the GIL changed hands (on the GIL's lane; text: the holder's lane) */
	K_GIL_WAIT, /* a thread begins to wait for the GIL (on its lane) ... */
	K_GIL_TAKE, /* ... and stops waiting */
	/* What a player shows of a moment (the other lane or the timer is
	 * the event's other): */
	K_CHILD,     /* the task on the lane made the task on another lane */
	K_WAITS,     /* the task on the lane waits for the task on another */
	K_TIMER,     /* a timer is set, due dur seconds later (text: what for) */
	K_TIMER_OFF, /* ... and cancelled */
	K_LAST = K_TIMER_OFF
};

/** What a task waits for when it awaits one of asyncio's synchronisation
 *  primitives (the "waits_for" of an await event), or W_NONE. */
enum tl_wait {
	W_NONE,
	W_LOCK,
	W_SEMAPHORE, /* BoundedSemaphore too */
	W_EVENT,
	W_CONDITION,
	W_QUEUE, /* get, put or join; any Queue class */
	W_BARRIER,
	W_LAST = W_BARRIER
};

/** The JSON name of @w ("lock", "semaphore", ...), or NULL for W_NONE. */
const char *timeline_wait_name(enum tl_wait w);

/** The tl_wait of JSON name @name, or -1. */
int timeline_wait_from_name(const char *name);

/** Whether events of @kind name another lane or a timer (other), not a job. */
bool timeline_kind_relates(enum tl_kind kind);

/** Whether events of @kind are printed as they happen (not K_READY and co). */
bool timeline_kind_printed(enum tl_kind kind);

/** One event; text is owned by the timeline. */
struct tl_event {
	double t;         /* seconds since the run started */
	double dur;       /* a duration the event reports, or -1 */
	const char *text; /* interned: events with the same text share it */
	int lane;
	int line; /* scenario line, 0 if none */
	union {
		int job;   /* job number, 0 if none */
		int other; /* timeline_kind_relates(): the other lane, or the timer's number */
	};
	/* Narrow: a run keeps millions of events. */
	unsigned char kind;  /* enum tl_kind */
	unsigned char waits; /* K_AWAIT: enum tl_wait, what it waits for */
};

struct tl_lane {
	char *name;
	enum lane_kind kind;
};

/** A window in which the loop thread could not run anything else. */
struct tl_blocked {
	double start, end;
	int lane;
	int line;
	char *what; /* the scenario step, e.g. "block 2s" */
	double cpu; /* the share of it the thread spent on the CPU, or -1 if unknown */
};

struct timeline;

/** Creates a timeline printing to @out (may be NULL to print nothing) with
 *  times relative to @t0 (clock_now() seconds). */
struct timeline *timeline_new(FILE *out, enum tl_format fmt, bool color, double t0);

/** The clock_now() value that is time 0. */
double timeline_t0(const struct timeline *tl);

/** Registers a lane and returns its id; safe from any thread. */
int timeline_lane(struct timeline *tl, enum lane_kind kind, const char *name);

/** Renames lane @id (a task named after its creation); safe from any thread. */
void timeline_lane_rename(struct timeline *tl, int id, const char *name);

/** The name of lane @id. */
const char *timeline_lane_name(struct timeline *tl, int id);

/** Records an event at absolute time @when (clock_now() seconds) and prints
 *  it; safe from any thread. */
void timeline_add(struct timeline *tl, double when, int lane, enum tl_kind kind, int line, int job,
                  double dur, const char *fmt, ...) ATTR_PRINTF(8, 9);

/** Records a K_AWAIT of @lane at line @line, waiting for a primitive of
 *  kind @waits (W_NONE: anything else), with text @text; safe from any thread. */
void timeline_add_await(struct timeline *tl, double when, int lane, int line, enum tl_wait waits,
                        const char *text);

/** @on: the calling thread's lines wait in a batch, written when it
 *  calls this with !@on, every 10 ms, at 32 KiB and before any other
 *  thread's line (the loop thread while it runs: a write per event would
 *  cost a system call each). */
void timeline_batch(struct timeline *tl, bool on);

/** Writes the batch if it has waited 10 ms; from any thread. */
void timeline_flush_stale(struct timeline *tl);

/** Records one of the loop's steps (K_READY, K_STEP, K_YIELD) for @lane. */
void timeline_step(struct timeline *tl, double when, int lane, enum tl_kind kind, int line,
                   double dur);

/** Adds an event of a kind that relates @lane to @other (a lane, or a
 *  timer's number; see enum tl_kind); @text may be NULL. Not printed but
 *  among the JSON steps. */
void timeline_relate(struct timeline *tl, double when, int lane, enum tl_kind kind, int other,
                     int line, double dur, const char *text);

/** Holds each event for @window seconds (0: none, the default) and keeps
 *  and prints the held ones in time order, so that a worker's line
 *  stamped before the loop's but added after it comes first; a thread of
 *  the timeline's lets them out when no other event comes. What is held
 *  is printed before any text and summary, and by timeline_flush(). A
 *  window of 0 lets out everything held and stops the thread. Returns 0,
 *  or -1 if the thread cannot start (then there is no window). */
int timeline_set_reorder(struct timeline *tl, double window);

/** Keeps and prints every event held in the reorder window now. */
void timeline_flush(struct timeline *tl);

struct renderings;
struct buf;

/** Renders what the program prints with @r (not owned; NULL: nothing): in
 *  JSON, a say event gains the member "en", and in text, when @show, a
 *  line of its own under it. */
void timeline_set_renderings(struct timeline *tl, const struct renderings *r, bool show);

/** Appends the English of @text, a say event's, to @out; returns whether
 *  there is one. */
bool timeline_render_en(const struct timeline *tl, const char *text, struct buf *out);

/** Prints every printable event recorded so far (for a replay). */
void timeline_print_events(struct timeline *tl);

/** Whether events are printed as they happen (default yes), and, in JSON,
 *  the loop's steps as well (default no). */
void timeline_set_printing(struct timeline *tl, bool events, bool steps);

/** Records a window in which the loop was blocked (absolute times). */
void timeline_blocked(struct timeline *tl, double start, double end, int lane, int line,
                      const char *what);

/** Sets the CPU share of the blocked window recorded last. */
void timeline_blocked_cpu(struct timeline *tl, double share);

/** Moves time 0 to @t0 (clock_now() seconds); only before any event. */
void timeline_set_t0(struct timeline *tl, double t0);

/** Whether the output stream broke (the reader went away). */
bool timeline_output_broken(const struct timeline *tl);

/** The errno of the write that failed (EPIPE: the reader went away). */
int timeline_output_errno(const struct timeline *tl);

/** Whether the locale is UTF-8 (else the marks are ASCII). */
bool timeline_utf8(const struct timeline *tl);

/** Prints text that is not an event, in any format. */
void timeline_print_text_any(struct timeline *tl, const char *fmt, ...) ATTR_PRINTF(2, 3);

/** Prints a line that is not an event (headings, in text format only). */
void timeline_print_text(struct timeline *tl, const char *fmt, ...) ATTR_PRINTF(2, 3);

/** Events kept so far, in the order they were kept (time order, with a
 *  reorder window). While other threads add events, the array may move:
 *  read it once they are done. */
const struct tl_event *timeline_events(const struct timeline *tl, size_t *n);

/** The lanes registered so far, in order. */
const struct tl_lane *timeline_lanes(const struct timeline *tl, int *n);

/** Blocked windows recorded so far. */
const struct tl_blocked *timeline_blocked_windows(const struct timeline *tl, size_t *n);

/** The width of the lane column of text views @columns wide: a quarter of
 *  them (26 of 100), at least 12 and at most 40. */
int timeline_lane_width(int columns);

/** Appends lane name @name in @width columns, padded: a name too long
 *  keeps its start and the end that tells tasks apart, and loses its
 *  middle ("Task-2 task_with…, 0)"); in a column narrower than 20, a
 *  task's "Task-N" becomes "tN". */
void timeline_lane_label(struct buf *b, const char *name, int width, bool utf8);

/** Appends the text of an event of @kind as it is shown: aiodemo's notes
 *  (kept in English in the event) in the language chosen, a program's line
 *  or a task's name as it is. */
void timeline_note_text(struct buf *out, enum tl_kind kind, const char *text);

/** The JSON name of an event kind ("say", "job-start", ...). */
const char *timeline_kind_name(enum tl_kind kind);

/** The name of lane kind @kind ("loop", "task", ...), as records and JSON say it. */
const char *timeline_lane_kind_name(enum lane_kind kind);

/** A pass of the loop that took long, though no single step blocked it. */
struct slow_pass {
	double t;     /* when it began, seconds since the start */
	double dur;   /* how long it ran */
	size_t steps; /* how many callbacks it ran */
};

/** One checked expectation, for the summary. */
struct summary_check {
	const char *text;
	bool ok;
};

/** What the summary reports at the end of a run. */
struct run_summary {
	const char *status;      /* "ok", "error" or "interrupted" */
	const char *error;       /* the failure, when status is "error" */
	double total;            /* seconds from the start to the end (CPython finalized) */
	double code_end;         /* seconds until the program's code returned, before
	                            CPython's finalization: what "expect total"
	                            checks; -1 when not known */
	double expected_total;   /* from "expect total", or -1 */
	double tolerance;        /* allowed deviation from expected_total, seconds */
	double max_lag;          /* worst heartbeat lateness, seconds */
	double heartbeat;        /* heartbeat period, seconds */
	size_t tasks;            /* tasks created, main included */
	size_t jobs;             /* jobs offloaded */
	size_t jobs_not_started; /* of them, jobs still queued when the run stopped, or
	                            cancelled there: none of them ever ran */
	double max_queue_wait;   /* longest a job waited for a worker, seconds */
	double scale;
	double lag_p50, lag_p99;      /* heartbeat lateness, with the beats a block swallowed */
	double utilization;           /* share of the run the loop thread was busy */
	const struct slow_pass *slow; /* loop passes slower than the threshold */
	int nslow;
	double slow_threshold;
	const struct summary_check *checks; /* the scenario's expectations, checked */
	int nchecks;
	const char *json_more; /* more members of the JSON summary ("\"k\":v,..."), or NULL */
};

/** Says that lane @id's task has ended: once the limit is reached, the
 *  slot of a lane made since is used again for another. */
void timeline_lane_done(struct timeline *tl, int id);

/** The events a run keeps by default: some 300 MB at most. */
#define TL_DEFAULT_MAX_EVENTS 4000000

/** Keeps at most @max events (0: no limit, the default): later ones are
 *  still printed as they happen, and counted, so that a server that
 *  serves for hours, or a program that prints forever, has a bounded
 *  timeline and a whole event stream. */
void timeline_set_limit(struct timeline *tl, size_t max);

/** The events the limit kept out, and the limit (0 if none). */
size_t timeline_not_kept(const struct timeline *tl, size_t *limit);

/** Sets the count of events not kept (a record read back). */
void timeline_set_not_kept(struct timeline *tl, size_t n, size_t limit);

/** The word shown for a run's status ("ok", "error", "interrupted",
 *  "timeout", "crashed"), in the language chosen. */
const char *timeline_status_word(const char *status);

/** Appends a run's failure (the summary's error, kept in English) as it is
 *  shown: aiodemo's own words translated, CPython's exception as it is. */
void timeline_error_text(struct buf *out, const char *error);

/** Prints the summary (text) or the last JSON line. */
void timeline_print_summary(struct timeline *tl, const struct run_summary *s);

/** Frees the timeline; free(NULL) is a no-op. */
void timeline_free(struct timeline *tl);

#endif
