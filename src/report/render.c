/* Pictures of a run. The model turns the event stream into spans per lane
 * (a task's ready / running / blocking / waiting stretches, a worker's jobs,
 * a pool's queue, the loop's heartbeats); the Gantt chart samples the spans
 * into character cells on one time axis. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "util/i18n.h"
#include "util/text.h"

static void add_span_held(struct lane_spans *l, double t0, double t1, enum lane_state st,
                          int holder)
{
	if (t1 < t0)
		t1 = t0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->spans = xrealloc(l->spans, l->cap * sizeof(*l->spans));
	}
	l->spans[l->n++] = (struct span){ t0, t1, st, holder };
}

static void add_span(struct lane_spans *l, double t0, double t1, enum lane_state st)
{
	add_span_held(l, t0, t1, st, -1);
}

/* The state machine of a task lane, fed its events in order. */
struct task_track {
	enum lane_state state; /* ST_NONE: not started or over */
	double since;
	bool over;
	bool sync;            /* its last await waits for a Lock, a Queue... */
	enum lane_state fate; /* as its last done, error or cancel says */
};

static void task_event(struct lane_spans *l, struct task_track *tr, const struct tl_event *e)
{
	double t = e->t;
	switch (e->kind) {
	case K_READY:
		if (tr->over)
			break;
		if (tr->state == ST_WAIT || tr->state == ST_SYNC)
			add_span(l, tr->since, t, tr->state);
		if (tr->state != ST_READY) {
			tr->state = ST_READY;
			tr->since = t;
		}
		break;
	case K_STEP:
		if (tr->state == ST_READY || tr->state == ST_WAIT || tr->state == ST_SYNC)
			add_span(l, tr->since, t, tr->state);
		tr->state = ST_RUN;
		tr->since = t;
		tr->sync = false;
		break;
	case K_AWAIT:
		tr->sync = e->waits != W_NONE;
		break;
	case K_BLOCK:
		if (tr->state == ST_RUN) {
			add_span(l, tr->since, t, ST_RUN);
			tr->state = ST_BLOCK;
			tr->since = t;
		}
		break;
	case K_UNBLOCK:
		if (tr->state == ST_BLOCK) {
			add_span(l, tr->since, t, ST_BLOCK);
			tr->state = ST_RUN;
			tr->since = t;
		}
		break;
	case K_YIELD:
	case K_EXIT:
		if (tr->state == ST_RUN || tr->state == ST_BLOCK)
			add_span(l, tr->since, t, tr->state);
		tr->state = e->kind == K_EXIT ? ST_NONE : tr->sync ? ST_SYNC : ST_WAIT;
		tr->over = e->kind == K_EXIT;
		tr->since = t;
		if (e->kind == K_EXIT && tr->fate != ST_NONE) {
			l->fate = tr->fate;
			l->fate_t = t;
		}
		break;
	case K_DONE:
		tr->fate = ST_NONE;
		break;
	case K_ERROR:
		tr->fate = ST_FAILED;
		break;
	case K_CANCEL:
		/* A request, or the end: the task's last word says which. */
		tr->fate = ST_CANCELLED;
		/* Dropped when main() returned or on Ctrl-C: the lane ends here. */
		if (!strncmp(e->text, "cancelled: ", 11) && tr->state != ST_NONE) {
			add_span(l, tr->since, t, tr->state);
			tr->state = ST_NONE;
			tr->over = true;
			l->fate = ST_CANCELLED;
			l->fate_t = t;
		}
		break;
	default:
		break;
	}
}

/* The queue lane of the pool that worker lane "NAME/N" belongs to, or -1. */
static int pool_queue_lane(const struct model *m, const char *worker_lane_name)
{
	size_t plen = strcspn(worker_lane_name, "/");
	for (int i = 0; i < m->nlanes; i++)
		if (m->lanes[i].queue && strlen(m->lanes[i].name) == plen + 6 &&
		    !strncmp(m->lanes[i].name, worker_lane_name, plen))
			return i;
	return -1;
}

/* The queue lane of the pool that a hand-off's text ("job 4: f(1) to
 * POOL") names, or -1. */
static int queue_of_pool(const struct model *m, const char *offload_text)
{
	const char *to = NULL;
	for (const char *p = strstr(offload_text, " to "); p; p = strstr(p + 1, " to "))
		to = p + 4;
	if (!to || !*to)
		return -1;
	size_t plen = strlen(to);
	for (int i = 0; i < m->nlanes; i++)
		if (m->lanes[i].queue && strlen(m->lanes[i].name) == plen + 6 &&
		    !strncmp(m->lanes[i].name, to, plen))
			return i;
	return -1;
}

/* A worker lane of a pool, and its number ("pool/12": 12; -1 if none). */
struct worker_order {
	int lane;
	long number;
};

static long worker_number(const char *name)
{
	const char *slash = strrchr(name, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return -1;
	char *end;
	long n = strtol(slash + 1, &end, 10);
	return *end ? -1 : n;
}

/* By number, then in the timeline's order. */
static int by_worker_number(const void *a, const void *b)
{
	const struct worker_order *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->lane - y->lane;
}

void model_build(struct model *m, const struct timeline *tl, double end)
{
	int ntl;
	const struct tl_lane *tlanes = timeline_lanes(tl, &ntl);
	size_t nev;
	const struct tl_event *ev = timeline_events(tl, &nev);
	memset(m, 0, sizeof(*m));
	m->end = end;
	/* Display order: tasks, then each pool (its queue, then its workers),
	 * then the loop; map timeline lanes to model lanes. */
	int *map = xcalloc((size_t)ntl + 1, sizeof(int));
	m->lanes = xcalloc((size_t)ntl * 2 + 1, sizeof(*m->lanes));
	for (int i = 0; i < ntl; i++)
		map[i] = -1;
	for (int i = 0; i < ntl; i++)
		if (tlanes[i].kind == LANE_TASK) {
			map[i] = m->nlanes;
			m->lanes[m->nlanes++] =
			        (struct lane_spans){ .name = xstrdup(tlanes[i].name),
				                     .kind = LANE_TASK };
		}
	for (int i = 0; i < ntl; i++) {
		if (tlanes[i].kind != LANE_THREAD && tlanes[i].kind != LANE_PROCESS)
			continue;
		size_t plen = strcspn(tlanes[i].name, "/");
		bool have_queue = false;
		for (int k = 0; k < m->nlanes; k++)
			have_queue |= m->lanes[k].queue &&
			              !strncmp(m->lanes[k].name, tlanes[i].name, plen) &&
			              m->lanes[k].name[plen] == ' ';
		if (!have_queue) {
			struct buf name = { 0 };
			buf_printf(&name, "%.*s queue", (int)plen, tlanes[i].name);
			m->lanes[m->nlanes++] = (struct lane_spans){ .name = buf_steal(&name),
				                                     .kind = tlanes[i].kind,
				                                     .queue = true };
			/* Workers of the pool follow its queue, by their number:
			 * /2 before /10, whichever took a job first. */
			struct worker_order *order = xcalloc((size_t)(ntl - i), sizeof(*order));
			int nw = 0;
			for (int j = i; j < ntl; j++)
				if ((tlanes[j].kind == LANE_THREAD ||
				     tlanes[j].kind == LANE_PROCESS) &&
				    strcspn(tlanes[j].name, "/") == plen &&
				    !strncmp(tlanes[j].name, tlanes[i].name, plen))
					order[nw++] = (struct worker_order){
						j, worker_number(tlanes[j].name)
					};
			qsort(order, (size_t)nw, sizeof(*order), by_worker_number);
			for (int k = 0; k < nw; k++) {
				int j = order[k].lane;
				map[j] = m->nlanes;
				m->lanes[m->nlanes++] =
				        (struct lane_spans){ .name = xstrdup(tlanes[j].name),
					                     .kind = tlanes[j].kind };
			}
			free(order);
		}
	}
	int loop = -1;
	for (int i = 0; i < ntl; i++)
		if (tlanes[i].kind == LANE_LOOP) {
			map[i] = loop = m->nlanes;
			m->lanes[m->nlanes++] =
			        (struct lane_spans){ .name = xstrdup(tlanes[i].name),
				                     .kind = LANE_LOOP };
		}

	int gil = -1;
	for (int i = 0; i < ntl; i++)
		if (tlanes[i].kind == LANE_GIL) {
			map[i] = gil = m->nlanes;
			m->lanes[m->nlanes++] = (struct lane_spans){
				.name = xstrdup(tlanes[i].name), .kind = LANE_GIL, .gil = true
			};
		}

	struct task_track *tracks = xcalloc((size_t)m->nlanes + 1, sizeof(*tracks));
	/* The GIL: since when each lane waits for it (-1: it does not), and
	 * who holds it since when. */
	double *gil_wait = xcalloc((size_t)m->nlanes + 1, sizeof(double));
	for (int i = 0; i < m->nlanes; i++)
		gil_wait[i] = -1;
	int holder = -1;
	double held_since = -1;
	/* Jobs: when each was submitted, and where and when it started. */
	size_t njobs = 0;
	for (size_t i = 0; i < nev; i++)
		if (!timeline_kind_relates(ev[i].kind) && ev[i].job > 0 &&
		    (size_t)ev[i].job > njobs)
			njobs = (size_t)ev[i].job;
	double *submitted = xcalloc(njobs + 1, sizeof(double));
	double *started = xcalloc(njobs + 1, sizeof(double));
	int *job_lane = xcalloc(njobs + 1, sizeof(int));
	/* A job that never started: its hand-off, and where and when it was
	 * cancelled in the queue, if it was. */
	const struct tl_event **offload = xcalloc(njobs + 1, sizeof(*offload));
	const struct tl_event **dropped = xcalloc(njobs + 1, sizeof(*dropped));
	int *dropped_lane = xcalloc(njobs + 1, sizeof(int));
	for (size_t i = 0; i < nev; i++) {
		const struct tl_event *e = &ev[i];
		int li = e->lane < ntl ? map[e->lane] : -1;
		if (li < 0)
			continue;
		struct lane_spans *l = &m->lanes[li];
		if (e->kind == K_GIL_WAIT) {
			if (gil_wait[li] < 0)
				gil_wait[li] = e->t;
			continue;
		}
		if (e->kind == K_GIL_TAKE) {
			if (gil_wait[li] >= 0)
				add_span(l, gil_wait[li], e->t, ST_GIL_WAIT);
			gil_wait[li] = -1;
			continue;
		}
		if (e->kind == K_GIL) {
			if (held_since >= 0)
				add_span_held(l, held_since, e->t, ST_GIL, holder);
			held_since = -1;
			holder = -1;
			if (strcmp(e->text, "nobody") != 0) {
				held_since = e->t;
				for (int k = 0; k < ntl; k++)
					if (map[k] >= 0 && !strcmp(tlanes[k].name, e->text) &&
					    k != e->lane)
						holder = map[k];
			}
			continue;
		}
		if (l->kind == LANE_TASK) {
			task_event(l, &tracks[li], e);
			if (e->kind == K_OFFLOAD && e->job > 0) {
				submitted[e->job] = e->t;
				offload[e->job] = e;
			}
		} else if (l->kind == LANE_LOOP) {
			if (e->kind == K_BEAT)
				add_span(l, e->t, e->t, ST_BEAT);
		} else if (e->kind == K_CANCEL && e->job > 0 && job_lane[e->job] == 0) {
			dropped[e->job] = e;
			dropped_lane[e->job] = li;
		} else if (e->kind == K_JOB_START && e->job > 0) {
			started[e->job] = e->t;
			job_lane[e->job] = li + 1;
		} else if ((e->kind == K_JOB_DONE || e->kind == K_ERROR) && e->job > 0 &&
		           job_lane[e->job] == li + 1) {
			add_span_held(l, started[e->job], e->t, ST_JOB, e->job);
			job_lane[e->job] = -(li + 1); /* done */
		}
	}
	/* Jobs still running at the end, and open task states, last to the end. */
	for (size_t j = 1; j <= njobs; j++)
		if (job_lane[j] > 0)
			add_span_held(&m->lanes[job_lane[j] - 1], started[j], end, ST_JOB, (int)j);
	for (int i = 0; i < m->nlanes; i++) {
		if (m->lanes[i].kind == LANE_TASK && tracks[i].state != ST_NONE)
			add_span(&m->lanes[i], tracks[i].since, end, tracks[i].state);
		if (gil_wait[i] >= 0)
			add_span(&m->lanes[i], gil_wait[i], end, ST_GIL_WAIT);
	}
	if (gil >= 0 && held_since >= 0)
		add_span_held(&m->lanes[gil], held_since, end, ST_GIL, holder);
	free(gil_wait);
	/* A pool's queue: every job from its submission to its start. */
	for (size_t j = 1; j <= njobs; j++) {
		int wl = job_lane[j] > 0   ? job_lane[j] - 1
		         : job_lane[j] < 0 ? -job_lane[j] - 1
		                           : -1;
		if (wl < 0)
			continue;
		int q = pool_queue_lane(m, m->lanes[wl].name);
		if (q >= 0 && started[j] > submitted[j])
			add_span(&m->lanes[q], submitted[j], started[j], ST_QUEUED);
	}
	/* A job that never started waited in its queue until it was dropped
	 * from it, or to the end (a run stopped with jobs queued). */
	for (size_t j = 1; j <= njobs; j++) {
		if (job_lane[j] != 0 || !offload[j])
			continue;
		int q = dropped[j] ? pool_queue_lane(m, m->lanes[dropped_lane[j]].name)
		                   : queue_of_pool(m, offload[j]->text);
		if (q >= 0)
			add_span(&m->lanes[q], submitted[j], dropped[j] ? dropped[j]->t : end,
			         ST_QUEUED);
	}
	free(offload);
	free(dropped);
	free(dropped_lane);
	size_t nb;
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &nb);
	for (size_t i = 0; loop >= 0 && i < nb; i++)
		add_span(&m->lanes[loop], bw[i].start, bw[i].end, ST_BLOCK);
	free(tracks);
	free(submitted);
	free(started);
	free(job_lane);
	/* A task lane with nothing drawn (the main thread's, when the program
	 * only prints there) is left out of the pictures, and so is the GIL's
	 * when nobody waited for it: then it has nothing to teach. */
	bool gil_waits = false;
	for (int i = 0; i < m->nlanes && !gil_waits; i++)
		gil_waits = model_time_in(&m->lanes[i], ST_GIL_WAIT) > 0;
	int kept = 0;
	int *moved = xcalloc((size_t)m->nlanes + 1, sizeof(int));
	for (int i = 0; i < m->nlanes; i++) {
		moved[i] = -1;
		if ((m->lanes[i].kind == LANE_TASK && m->lanes[i].n == 0) ||
		    (m->lanes[i].gil && !gil_waits)) {
			free(m->lanes[i].name);
			free(m->lanes[i].spans);
			continue;
		}
		moved[i] = kept;
		m->lanes[kept++] = m->lanes[i];
	}
	/* The GIL's holders are lane indices too. */
	for (int i = 0; i < kept; i++)
		for (size_t k = 0; m->lanes[i].gil && k < m->lanes[i].n; k++)
			if (m->lanes[i].spans[k].holder >= 0)
				m->lanes[i].spans[k].holder = moved[m->lanes[i].spans[k].holder];
	m->nlanes = kept;
	for (int i = 0; i < ntl; i++)
		if (map[i] >= 0)
			map[i] = moved[map[i]];
	free(moved);
	m->lane_of = map;
	m->nlane_of = ntl;
}

void model_free(struct model *m)
{
	for (int i = 0; i < m->nlanes; i++) {
		free(m->lanes[i].name);
		free(m->lanes[i].spans);
	}
	free(m->lanes);
	free(m->lane_of);
	memset(m, 0, sizeof(*m));
}

bool model_shows(const struct model *m, enum lane_state state)
{
	for (int i = 0; i < m->nlanes; i++) {
		if (m->lanes[i].fate == state)
			return true;
		for (size_t k = 0; k < m->lanes[i].n; k++)
			if (m->lanes[i].spans[k].state == state)
				return true;
	}
	return false;
}

double model_time_in(const struct lane_spans *l, enum lane_state state)
{
	double sum = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->spans[i].state == state)
			sum += l->spans[i].t1 - l->spans[i].t0;
	return sum;
}

/* What one cell, [a, b), of a lane shows: the most telling state in it. */
static enum lane_state cell_state(const struct lane_spans *l, double a, double b)
{
	double in[ST_LAST + 1] = { 0 };
	bool any[ST_LAST + 1] = { false };
	for (size_t i = 0; i < l->n; i++) {
		const struct span *s = &l->spans[i];
		if (s->t1 < a || s->t0 >= b)
			continue;
		if (s->state == ST_BEAT && s->t0 >= a && s->t0 < b) {
			any[ST_BEAT] = true;
			continue;
		}
		double lo = s->t0 > a ? s->t0 : a, hi = s->t1 < b ? s->t1 : b;
		if (hi > lo || (s->t0 >= a && s->t0 < b)) {
			any[s->state] = true;
			in[s->state] += hi > lo ? hi - lo : 0;
		}
	}
	if (any[ST_BLOCK])
		return ST_BLOCK;
	/* A thread that waits for the GIL a third of the cell is shown waiting:
	 * threads that take turns hand it over every 5 ms, so each waits about
	 * half of every cell, and half would show it only now and then. */
	if (in[ST_GIL_WAIT] * 3 >= b - a)
		return ST_GIL_WAIT;
	if (any[ST_RUN])
		return ST_RUN;
	/* A moment on the ready queue is normal; a third of a cell is starving. */
	if (in[ST_READY] * 3 >= b - a)
		return ST_READY;
	if (any[ST_JOB])
		return ST_JOB;
	if (in[ST_QUEUED] * 3 >= b - a)
		return ST_QUEUED;
	/* Waiting for a primitive is the lesson: shown if it is most of the wait. */
	if (any[ST_SYNC] && in[ST_SYNC] >= in[ST_WAIT])
		return ST_SYNC;
	if (any[ST_WAIT] || any[ST_READY])
		return ST_WAIT;
	if (any[ST_BEAT])
		return ST_BEAT;
	return ST_NONE;
}

/* One glyph for each thing the chart says; the legend says each once. */
static const char *const glyph_utf8[] = {
	[ST_NONE] = " ",      [ST_WAIT] = "─",     [ST_SYNC] = "═", [ST_QUEUED] = "░",
	[ST_READY] = "▒",     [ST_JOB] = "▄",      [ST_RUN] = "█",  [ST_BLOCK] = "▓",
	[ST_BEAT] = "·",      [ST_GIL_WAIT] = "╳", [ST_GIL] = "█",  [ST_FAILED] = "✗",
	[ST_CANCELLED] = "⊘",
};
static const char *const glyph_ascii[] = {
	[ST_NONE] = " ",      [ST_WAIT] = "-",     [ST_SYNC] = "~", [ST_QUEUED] = ":",
	[ST_READY] = "+",     [ST_JOB] = "=",      [ST_RUN] = "#",  [ST_BLOCK] = "!",
	[ST_BEAT] = ".",      [ST_GIL_WAIT] = "x", [ST_GIL] = "#",  [ST_FAILED] = "X",
	[ST_CANCELLED] = "/",
};
static const char *const glyph_color[] = {
	[ST_NONE] = "",
	[ST_WAIT] = "\033[2m",
	[ST_SYNC] = "\033[34m",
	[ST_QUEUED] = "\033[36m",
	[ST_READY] = "\033[33m",
	[ST_JOB] = "\033[36m",
	[ST_RUN] = "\033[32m",
	[ST_BLOCK] = "\033[31m",
	[ST_BEAT] = "\033[2m",
	[ST_GIL_WAIT] = "\033[35m",
	[ST_GIL] = "\033[36m",
	[ST_FAILED] = "\033[1;31m",
	[ST_CANCELLED] = "\033[1;33m",
};
/* Where a worker's job ends and its next begins. */
#define BOUNDARY_UTF8  "┃"
#define BOUNDARY_ASCII "|"
/* The legend's indices of a job's boundary and of its number, after the
 * states'. */
#define JOB_BOUNDARY (ST_LAST + 1)
#define JOB_NUMBER   (ST_LAST + 2)

/* The GIL's lane in cell [a, b): the lane that held it longest, -1 for a
 * thread not observed, -2 if nobody held it. */
static int gil_cell(const struct lane_spans *l, int nlanes, double a, double b)
{
	double best = 0, other = 0;
	int who = -2;
	double *held = xcalloc((size_t)nlanes + 1, sizeof(double));
	for (size_t i = 0; i < l->n; i++) {
		const struct span *s = &l->spans[i];
		double lo = s->t0 > a ? s->t0 : a, hi = s->t1 < b ? s->t1 : b;
		if (s->state != ST_GIL || hi <= lo)
			continue;
		if (s->holder >= 0 && s->holder < nlanes)
			held[s->holder] += hi - lo;
		else
			other += hi - lo;
	}
	for (int k = 0; k < nlanes; k++)
		if (held[k] > best) {
			best = held[k];
			who = k;
		}
	free(held);
	if (other > best)
		who = -1;
	/* Held for less than a third of the cell: the cell says nobody. */
	return (who == -1 ? other : best) * 3 >= b - a ? who : -2;
}

/* The mark of the GIL's holder: the loop's running mark, or the worker's
 * number (the last digit of "pool/N"), or ? for a thread not observed. */
static void gil_mark(struct buf *out, const struct model *m, int who, const char *const *glyph,
                     bool color)
{
	if (who == -2) {
		buf_putc(out, ' ');
		return;
	}
	const struct lane_spans *h = who >= 0 ? &m->lanes[who] : NULL;
	if (h && h->kind == LANE_LOOP) {
		if (color)
			buf_puts(out, glyph_color[ST_RUN]);
		buf_puts(out, glyph[ST_RUN]);
	} else {
		const char *slash = h ? strrchr(h->name, '/') : NULL;
		size_t n = slash ? strlen(slash) : 0;
		char c = n > 1 && slash[n - 1] >= '0' && slash[n - 1] <= '9' ? slash[n - 1] : '?';
		if (color)
			buf_puts(out, glyph_color[ST_GIL]);
		buf_putc(out, c);
	}
	if (color)
		buf_puts(out, "\033[0m");
}

/* A round step for the axis: 1, 2 or 5 times a power of ten. */
static double tick_step(double span, int cols)
{
	double raw = span / (cols / 12.0 > 1 ? cols / 12.0 : 1);
	double p = pow(10, floor(log10(raw)));
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void axis(struct buf *out, double end, int cols, int label_width)
{
	double step = tick_step(end, cols);
	char *line = xmalloc((size_t)cols + 32);
	memset(line, ' ', (size_t)cols + 31);
	line[cols + 31] = '\0';
	int free_from = 0; /* the first column no label holds */
	for (double t = 0; t <= end * (1 + 1e-9); t += step) {
		int col = (int)floor(t / end * cols + 0.5);
		char label[32];
		int n = snprintf(label, sizeof(label),
		                 step >= 1      ? "%.0fs"
		                 : step >= 0.1  ? "%.1fs"
		                 : step >= 0.01 ? "%.2fs"
		                                : "%.3fs",
		                 t);
		/* A label cut short by its buffer (a time of 1e300 s) is not
		 * copied from past the buffer's end; the last ends where the
		 * chart's rows do, two columns past their cells, if there is
		 * room for it. */
		if (n < 0 || n >= (int)sizeof(label))
			break;
		if (col + n > cols + 2)
			col = cols + 2 - n;
		if (col < free_from + (free_from > 0))
			break;
		memcpy(line + col, label, (size_t)n);
		free_from = col + n;
	}
	/* Trim trailing spaces. */
	int last = cols + 30;
	while (last > 0 && line[last - 1] == ' ')
		last--;
	line[last] = '\0';
	buf_printf(out, "%*s  %s\n", label_width, "", line);
	free(line);
}

/* The column of moment @t on an axis of @cols columns to @end: the last
 * for the very end. */
static int col_of(double t, double end, int cols)
{
	int c = (int)floor(t / end * cols);
	return c < 0 ? 0 : c >= cols ? cols - 1 : c;
}

/* The job of worker lane @l that starts in cell [a, b), or NULL; *@boundary
 * says whether another job of the lane ended within a cell before it. */
static const struct span *job_starting(const struct lane_spans *l, double a, double b,
                                       bool *boundary)
{
	const struct span *job = NULL;
	for (size_t i = 0; i < l->n && !job; i++)
		if (l->spans[i].state == ST_JOB && l->spans[i].t0 >= a && l->spans[i].t0 < b)
			job = &l->spans[i];
	*boundary = false;
	for (size_t i = 0; job && i < l->n && !*boundary; i++) {
		const struct span *o = &l->spans[i];
		*boundary = o != job && o->state == ST_JOB && o->holder != job->holder &&
		            o->t1 <= job->t0 + 1e-9 && o->t1 >= a - (b - a);
	}
	return job;
}

/* The legend under the chart: its entries ("█ running on the loop") in
 * lines that fit, under the chart's cells. */
struct legend {
	struct buf *out;
	struct buf line;
	int col; /* the columns of line so far */
	int indent, width;
};

/* Ends the legend's line in hand, which the next entry then starts anew. */
static void legend_break(struct legend *lg)
{
	if (lg->line.len)
		buf_printf(lg->out, "%s\n", lg->line.data);
	buf_clear(&lg->line);
	lg->col = 0;
}

/* One entry: its glyph (coloured like the bars when @color) and words. */
static void legend_add(struct legend *lg, const char *glyph, const char *color, const char *what)
{
	bool has_glyph = glyph && *glyph;
	int w = (has_glyph ? text_width(glyph) + 1 : 0) + text_width(what);
	if (lg->col > lg->indent && lg->col + 2 + w > lg->width)
		legend_break(lg);
	if (lg->indent + w > lg->width) {
		/* Longer than a line: lines of its own. */
		struct buf entry = { 0 }, indent = { 0 }, more = { 0 };
		if (has_glyph)
			buf_printf(&entry, "%s ", glyph);
		buf_puts(&entry, what);
		buf_printf(&indent, "%*s", lg->indent, "");
		buf_printf(&more, "%*s", lg->indent + 2, "");
		legend_break(lg);
		text_wrap(lg->out, entry.data, lg->width, indent.data, more.data);
		buf_free(&entry);
		buf_free(&indent);
		buf_free(&more);
		return;
	}
	if (lg->col == 0) {
		buf_printf(&lg->line, "%*s", lg->indent, "");
		lg->col = lg->indent;
	} else {
		buf_puts(&lg->line, "  ");
		lg->col += 2;
	}
	if (has_glyph && color && *color)
		buf_printf(&lg->line, "%s%s\033[0m ", color, glyph);
	else if (has_glyph)
		buf_printf(&lg->line, "%s ", glyph);
	buf_puts(&lg->line, what);
	lg->col += w;
}

/* The legend: every state drawn says what it means, each glyph once; the
 * task states always, the rarer ones when the chart shows them. */
static void legend(struct buf *out, const struct model *m, const bool *shown,
                   const char *const *glyph, bool utf8, bool color, int width, int label_width)
{
	static const struct {
		enum lane_state st;
		bool always, last; /* last: the end of a line */
		const char *words;
	} entries[] = {
		{ ST_RUN, true, false, N_("running on the loop") },
		{ ST_BLOCK, true, false, N_("blocking the loop") },
		{ ST_READY, true, true, N_("ready, waiting for the loop") },
		{ ST_WAIT, true, false, N_("waiting (sleep, await)") },
		{ ST_SYNC, false, false, N_("waiting for a lock, semaphore, event or queue") },
		{ ST_JOB, true, false, N_("job running") },
		{ ST_QUEUED, true, false, N_("job queued") },
		{ ST_BEAT, true, false, N_("heartbeat") },
		{ ST_FAILED, false, false, N_("the task failed") },
		{ ST_CANCELLED, false, false, N_("the task was cancelled") },
	};
	/* Under the cells, or from the left when they leave too little room. */
	struct legend lg = { out, { 0 }, 0, label_width + 2, width };
	if (width - lg.indent < 36)
		lg.indent = 2;
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		if (entries[i].always || shown[entries[i].st])
			legend_add(&lg, glyph[entries[i].st],
			           color ? glyph_color[entries[i].st] : NULL, _(entries[i].words));
		if (entries[i].last)
			legend_break(&lg);
	}
	if (shown[JOB_BOUNDARY])
		legend_add(&lg, utf8 ? BOUNDARY_UTF8 "#2" : BOUNDARY_ASCII "2",
		           color ? glyph_color[ST_JOB] : NULL, _("the next job of a worker"));
	else if (shown[JOB_NUMBER])
		legend_add(&lg, utf8 ? "#1" : "1", color ? glyph_color[ST_JOB] : NULL,
		           _("the job's number"));
	legend_break(&lg);
	bool gil = false;
	for (int i = 0; i < m->nlanes; i++)
		gil |= m->lanes[i].gil;
	if (gil) {
		legend_add(&lg, glyph[ST_GIL_WAIT], color ? glyph_color[ST_GIL_WAIT] : NULL,
		           _("waiting for the GIL"));
		struct buf holders = { 0 };
		buf_printf(&holders, _("GIL: %s the loop's thread, 1 2 ... the worker holding it"),
		           glyph[ST_RUN]);
		legend_add(&lg, NULL, NULL, holders.data);
		buf_free(&holders);
		legend_break(&lg);
	}
	buf_free(&lg.line);
}

int render_label_width(const struct model *m, int width)
{
	int most = timeline_lane_width(width), w = 8;
	for (int i = 0; i < m->nlanes && w < most; i++)
		if (text_width(m->lanes[i].name) > w)
			w = text_width(m->lanes[i].name);
	return w < most ? w : most;
}

void model_lane_label(const struct lane_spans *l, struct buf *out)
{
	size_t n = strlen(l->name);
	if (l->queue && n >= 6 && !strcmp(l->name + n - 6, " queue"))
		buf_printf(out, _("%.*s queue"), (int)(n - 6), l->name);
	else
		buf_puts(out, l->name);
}

void render_gantt(const struct model *m, struct buf *out, int width, int max_lanes, bool utf8,
                  bool color)
{
	int label_width = m->label_width > 0 ? m->label_width : render_label_width(m, width);
	int cols = width - label_width - 4;
	if (cols < 20)
		cols = 20;
	/* A run shorter than a microsecond (a record's total of 5e-324 s) is
	 * drawn as one of 0 is, 1 ms long: the axis's step would be 0 and never
	 * reach the end, and times divided by it infinite. */
	double end = m->end >= 1e-6 ? m->end : 1e-3;
	const char *const *glyph = utf8 ? glyph_utf8 : glyph_ascii;
	/* The states drawn, for the legend. */
	bool shown[JOB_NUMBER + 1] = { false };
	buf_puts(out, "\n");
	axis(out, end, cols, label_width);
	int tasks = 0, hidden = 0;
	for (int i = 0; i < m->nlanes; i++) {
		const struct lane_spans *l = &m->lanes[i];
		if (l->kind == LANE_TASK && tasks++ >= max_lanes) {
			hidden++;
			continue;
		}
		if (hidden && l->kind != LANE_TASK) {
			buf_printf(out, "%-*s  ", label_width, "...");
			buf_printf(out, ngettext("(%d more task)", "(%d more tasks)", hidden),
			           hidden);
			buf_putc(out, '\n');
			hidden = 0;
		}
		struct buf name = { 0 };
		model_lane_label(l, &name);
		timeline_lane_label(out, name.data, label_width, utf8);
		buf_free(&name);
		buf_puts(out, "  ");
		if (l->gil) {
			for (int c = 0; c < cols; c++)
				gil_mark(out, m,
				         gil_cell(l, m->nlanes, end * c / cols,
				                  end * (c + 1) / cols),
				         glyph, color);
			buf_putc(out, '\n');
			continue;
		}
		enum lane_state prev = ST_NONE;
		bool worker = (l->kind == LANE_THREAD || l->kind == LANE_PROCESS) && !l->queue;
		int fate_col = l->fate != ST_NONE ? col_of(l->fate_t, end, cols) : -1;
		char label[16] = "";
		size_t label_at = 0; /* the next character of the job's number to draw */
		for (int c = 0; c < cols; c++) {
			double a = end * c / cols, b = end * (c + 1) / cols;
			enum lane_state st = cell_state(l, a, b);
			const char *g = glyph[st];
			char digit[2] = "";
			if (worker && (st == ST_JOB || st == ST_GIL_WAIT)) {
				bool boundary = false;
				const struct span *job = job_starting(l, a, b, &boundary);
				if (job) {
					/* Its number, if it fits in its bar after the boundary. */
					int from = c + boundary, to = col_of(job->t1, end, cols);
					/* (In ASCII, # is running on the loop.) */
					int n = snprintf(label, sizeof(label), utf8 ? "#%d" : "%d",
					                 job->holder);
					label_at = n > 0 && from + n < to ? 0 : strlen(label);
					if (boundary) {
						g = utf8 ? BOUNDARY_UTF8 : BOUNDARY_ASCII;
						shown[JOB_BOUNDARY] = true;
					}
				}
				if (g == glyph[st] && label[label_at]) {
					digit[0] = label[label_at++];
					g = digit;
					shown[JOB_NUMBER] = true;
				}
			} else {
				label[label_at = 0] = '\0';
			}
			if (c == fate_col) {
				st = l->fate;
				g = glyph[st];
			}
			shown[st] = true;
			/* Reset first: a dim or coloured cell must not tint the next. */
			if (color && st != prev) {
				if (prev != ST_NONE)
					buf_puts(out, "\033[0m");
				buf_puts(out, glyph_color[st]);
			}
			buf_puts(out, g);
			prev = st;
		}
		if (color && prev != ST_NONE)
			buf_puts(out, "\033[0m");
		buf_putc(out, '\n');
	}
	if (hidden) {
		buf_printf(out, "%-*s  ", label_width, "...");
		buf_printf(out, ngettext("(%d more task)", "(%d more tasks)", hidden), hidden);
		buf_putc(out, '\n');
	}
	legend(out, m, shown, glyph, utf8, color, width, label_width);
}

void render_task_times(const struct model *m, struct buf *out, int max_rows, int width)
{
	int rows = 0, tasks = 0, longest = 0;
	for (int i = 0; i < m->nlanes; i++)
		if (m->lanes[i].kind == LANE_TASK) {
			tasks++;
			if (text_width(m->lanes[i].name) > longest)
				longest = text_width(m->lanes[i].name);
		}
	if (!tasks)
		return;
	/* The names in 37 columns, or as many as their longest takes and the
	 * width leaves beside the three times (4 + name + 3 x 11). */
	int name_width = longest > 37 ? longest : 37;
	if (name_width > width - 37)
		name_width = width - 37;
	/* Narrower, a name has a line of its own above its times. */
	bool own_line = name_width < 12;
	if (own_line)
		name_width = width - 4;
	buf_puts(out, "  ");
	if (own_line)
		buf_printf(out, "%s\n      ", _("per task"));
	else
		text_pad(out, _("per task"), name_width + 2, true);
	buf_putc(out, ' ');
	text_pad_left(out, _("running"), 10);
	buf_putc(out, ' ');
	text_pad_left(out, _("ready"), 10);
	buf_putc(out, ' ');
	text_pad_left(out, _("waiting"), 10);
	buf_putc(out, '\n');
	for (int i = 0; i < m->nlanes && rows < max_rows; i++) {
		const struct lane_spans *l = &m->lanes[i];
		if (l->kind != LANE_TASK)
			continue;
		rows++;
		struct buf a = { 0 }, b = { 0 }, c = { 0 };
		buf_seconds(&a, model_time_in(l, ST_RUN) + model_time_in(l, ST_BLOCK));
		buf_seconds(&b, model_time_in(l, ST_READY));
		buf_seconds(&c, model_time_in(l, ST_WAIT) + model_time_in(l, ST_SYNC));
		buf_puts(out, "    ");
		timeline_lane_label(out, l->name, name_width, true);
		if (own_line) {
			while (out->len && out->data[out->len - 1] == ' ')
				out->data[--out->len] = '\0';
			buf_puts(out, "\n      ");
		}
		buf_printf(out, " %10s %10s %10s\n", a.data, b.data, c.data);
		buf_free(&a);
		buf_free(&b);
		buf_free(&c);
	}
	if (tasks > rows)
		buf_printf(out,
		           ngettext("    ... and %d more task\n", "    ... and %d more tasks\n",
		                    tasks - rows),
		           tasks - rows);
}

void render_pool_times(const struct model *m, struct buf *out, int width)
{
	struct table t;
	table_init(&t, m->nlanes + 1, 7);
	struct buf cell = { 0 }, gil_notes = { 0 };
	static const char *const heads[] = { N_("per pool"), N_("jobs"),    N_("work"),
		                             N_("took"),     N_("speedup"), N_("efficiency"),
		                             N_("ceiling") };
	for (int c = 0; c < 7; c++) {
		buf_puts(&cell, _(heads[c]));
		table_set(&t, 0, c, &cell);
	}
	int rows = 1;
	for (int q = 0; q < m->nlanes; q++) {
		const struct lane_spans *queue = &m->lanes[q];
		if (!queue->queue)
			continue;
		size_t plen = strlen(queue->name) - strlen(" queue");
		size_t jobs = 0;
		int workers = 0;
		double busy = 0, longest = 0, first = INFINITY, last = -INFINITY, gil_wait = 0;
		for (int w = q + 1;
		     w < m->nlanes && !m->lanes[w].queue && m->lanes[w].kind != LANE_LOOP; w++) {
			const struct lane_spans *l = &m->lanes[w];
			if (strncmp(l->name, queue->name, plen) != 0)
				break;
			workers++;
			for (size_t k = 0; k < l->n; k++) {
				const struct span *s = &l->spans[k];
				if (s->state == ST_GIL_WAIT)
					gil_wait += s->t1 - s->t0;
				if (s->state != ST_JOB)
					continue;
				jobs++;
				busy += s->t1 - s->t0;
				longest = s->t1 - s->t0 > longest ? s->t1 - s->t0 : longest;
				first = s->t0 < first ? s->t0 : first;
				last = s->t1 > last ? s->t1 : last;
			}
		}
		if (jobs < 2 || last <= first)
			continue;
		/* Time a worker waited for the GIL inside its jobs is not work. */
		double in_jobs = busy;
		busy -= gil_wait < busy ? gil_wait : busy;
		double span = last - first, speedup = busy / span;
		int used = (size_t)workers < jobs ? workers : (int)jobs;
		/* More workers than the longest job allows do not help; fewer cap it too. */
		double ceiling = busy / longest < used ? busy / longest : used;
		buf_printf(&cell, "  %.*s", (int)plen, queue->name);
		table_set(&t, rows, 0, &cell);
		buf_printf(&cell, "%zu", jobs);
		table_set(&t, rows, 1, &cell);
		buf_seconds(&cell, busy);
		table_set(&t, rows, 2, &cell);
		buf_seconds(&cell, span);
		table_set(&t, rows, 3, &cell);
		buf_printf(&cell, "%.2fx", speedup);
		table_set(&t, rows, 4, &cell);
		buf_printf(&cell, _("%.0f%% of %d"), 100 * speedup / used, used);
		table_set(&t, rows, 5, &cell);
		buf_printf(&cell, "%.2fx", ceiling);
		table_set(&t, rows, 6, &cell);
		rows++;
		if (gil_wait > 0.05 * in_jobs) {
			struct buf note = { 0 };
			buf_printf(&note,
			           _("%.*s: its jobs waited for the GIL %.0f%% of their time: its "
			             "threads take turns running Python"),
			           (int)plen, queue->name, 100 * gil_wait / in_jobs);
			text_wrap(&gil_notes, note.data, width, "    ", "      ");
			buf_free(&note);
		}
	}
	t.rows = rows;
	if (rows > 1)
		table_print(&t, out, width);
	if (gil_notes.len)
		buf_puts(out, gil_notes.data);
	t.rows = m->nlanes + 1;
	table_free(&t);
	buf_free(&cell);
	buf_free(&gil_notes);
}

void render_diagnostics(const struct timeline *tl, const struct run_summary *s, double threshold,
                        struct buf *out, int width)
{
	struct buf text = { 0 };
	size_t nb;
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &nb);
	int nlanes;
	const struct tl_lane *lanes = timeline_lanes(tl, &nlanes);
	int shown = 0;
	for (size_t i = 0; i < nb; i++) {
		double d = bw[i].end - bw[i].start;
		if (d < threshold)
			continue;
		if (shown++ == 10)
			break;
		bool cpu = bw[i].cpu >= 0 ? bw[i].cpu > 0.5 : strncmp(bw[i].what, "primes", 6) == 0;
		struct buf dur = { 0 };
		buf_seconds(&dur, d);
		buf_clear(&text);
		buf_printf(
		        &text,
		        _("line %d: `%s` in %s blocked the loop for %s; every other task waited."),
		        bw[i].line, bw[i].what, lanes[bw[i].lane].name, dur.data);
		text_wrap(out, text.data, width, "  ", "    ");
		buf_clear(&text);
		if (bw[i].cpu >= 0)
			buf_printf(&text, _("The loop thread was on the CPU for %.0f%% of it. "),
			           bw[i].cpu * 100);
		buf_puts(&text,
		         cpu ? _("CPU work belongs in a pool of processes: offload it there "
		                 "(ProcessPoolExecutor; see aiodemo run process-primes).")
		             : _("Offload it to a thread (asyncio.to_thread; see aiodemo run "
		                 "offload-sleep), or use asyncio.sleep if it only waits."));
		text_wrap(out, text.data, width, "    ", "    ");
		buf_free(&dur);
	}
	for (int i = 0; i < s->nslow && i < 10; i++) {
		/* A pass that holds a blocking step was said above. */
		bool explained = false;
		for (size_t k = 0; k < nb && !explained; k++)
			explained = bw[k].end > s->slow[i].t &&
			            bw[k].start < s->slow[i].t + s->slow[i].dur &&
			            bw[k].end - bw[k].start >= threshold &&
			            bw[k].end - bw[k].start >= s->slow[i].dur / 2;
		if (explained)
			continue;
		struct buf dur = { 0 }, lim = { 0 };
		buf_seconds(&dur, s->slow[i].dur);
		buf_seconds(&lim, threshold);
		buf_clear(&text);
		buf_printf(&text,
		           _("at %.3f s one pass of the loop ran %zu callbacks for %s (over %s): "
		             "none may be slow alone, but together they held back every timer and "
		             "wake-up."),
		           s->slow[i].t, s->slow[i].steps, dur.data, lim.data);
		text_wrap(out, text.data, width, "  ", "    ");
		buf_free(&dur);
		buf_free(&lim);
	}
	buf_free(&text);
}
