/* Pictures of a run: a Gantt chart of every lane in the terminal, the time
 * each task spent running, ready and waiting, and diagnostics in words. */
#ifndef AIODEMO_RENDER_H
#define AIODEMO_RENDER_H

#include <stdbool.h>

#include "util/buf.h"
#include "record/timeline.h"

/** What a lane is doing at a moment, as the pictures show it. */
enum lane_state {
	ST_NONE,
	ST_WAIT,     /* a task waits (sleep, await) with the loop free */
	ST_SYNC,     /* a task waits for a Lock, Semaphore, Event, Condition, Queue or Barrier */
	ST_QUEUED,   /* jobs wait in a pool's queue */
	ST_READY,    /* a task is ready but the loop is busy elsewhere */
	ST_JOB,      /* a worker runs a job */
	ST_RUN,      /* the loop runs the task */
	ST_BLOCK,    /* the task blocks the loop thread */
	ST_BEAT,     /* a heartbeat of the loop */
	ST_GIL_WAIT, /* a thread waits for the GIL */
	ST_GIL,      /* the GIL's lane: held by the thread of span.holder */
	/* How a task ended, a mark at its end (lane_spans.fate), not a span: */
	ST_FAILED,    /* it raised */
	ST_CANCELLED, /* it was cancelled */
	ST_LAST = ST_CANCELLED
};

/** A stretch of time in one state. */
struct span {
	double t0, t1;
	enum lane_state state;
	int holder; /* ST_GIL: the model lane of the thread holding it, -1 if not observed;
	               ST_JOB: the job's number, or -1 */
};

/** The spans of one lane of the picture. */
struct lane_spans {
	char *name;
	enum lane_kind kind;
	bool queue;           /* the queue of a pool, drawn above its workers */
	bool gil;             /* the GIL's lane, drawn last */
	enum lane_state fate; /* a task's: ST_FAILED or ST_CANCELLED at fate_t, else ST_NONE */
	double fate_t;
	struct span *spans;
	size_t n, cap;
};

/** The picture's model of a run: lanes in display order. */
struct model {
	struct lane_spans *lanes;
	int nlanes;
	double end;      /* the run's length, seconds */
	int label_width; /* the chart's label column, or 0: as its names need */
	int *lane_of;    /* the model lane of each of the timeline's lanes, or -1 */
	int nlane_of;
};

/** Appends the name of lane @l as pictures show it: a pool's queue, named
 *  "POOL queue" in the model (and in traces), with the word translated. */
void model_lane_label(const struct lane_spans *l, struct buf *out);

/** Builds the model from a finished run's events. */
void model_build(struct model *m, const struct timeline *tl, double end);

/** Frees the model's memory. */
void model_free(struct model *m);

/** Whether a lane of @m shows @state: in a span, or as a task's fate. */
bool model_shows(const struct model *m, enum lane_state state);

/** Seconds that lane @l spent in @state. */
double model_time_in(const struct lane_spans *l, enum lane_state state);

/** The width of the label column of @m's chart in @width columns: as wide
 *  as its longest name, within the lane column of text views (charts on
 *  one time axis share the widest). */
int render_label_width(const struct model *m, int width);

/** Appends the Gantt chart, @width columns wide, with at most @max_lanes task lanes. */
void render_gantt(const struct model *m, struct buf *out, int width, int max_lanes, bool utf8,
                  bool color);

/** Appends a table of the time each task spent running, ready and
 *  waiting, @width columns wide at most. */
void render_task_times(const struct model *m, struct buf *out, int max_rows, int width);

/** Appends, for each pool that ran two jobs or more, how much work its
 *  workers did against the time it took: speedup over one worker,
 *  efficiency, and the ceiling the longest job sets; @width columns wide
 *  at most. */
void render_pool_times(const struct model *m, struct buf *out, int width);

/** Appends diagnostics in plain words, each pointing at the scenario line
 *  that caused it: blocking steps at least @threshold seconds long, and the
 *  slow passes of @s; in lines of @width columns at most. */
void render_diagnostics(const struct timeline *tl, const struct run_summary *s, double threshold,
                        struct buf *out, int width);

#endif
