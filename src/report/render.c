/* Pictures of a run. The model turns the event stream into spans per lane
 * (a task's ready / running / blocking / waiting stretches, a worker's jobs,
 * a pool's queue, the loop's heartbeats); the Gantt chart samples the spans
 * into character cells on one time axis. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

#define LABEL_WIDTH 26

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
};

static void task_event(struct lane_spans *l, struct task_track *tr, const struct tl_event *e)
{
	double t = e->t;
	switch (e->kind) {
	case K_READY:
		if (tr->over)
			break;
		if (tr->state == ST_WAIT)
			add_span(l, tr->since, t, ST_WAIT);
		if (tr->state != ST_READY) {
			tr->state = ST_READY;
			tr->since = t;
		}
		break;
	case K_STEP:
		if (tr->state == ST_READY || tr->state == ST_WAIT)
			add_span(l, tr->since, t, tr->state);
		tr->state = ST_RUN;
		tr->since = t;
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
		tr->state = e->kind == K_EXIT ? ST_NONE : ST_WAIT;
		tr->over = e->kind == K_EXIT;
		tr->since = t;
		break;
	case K_CANCEL:
		/* Dropped when main() returned or on Ctrl-C: the lane ends here. */
		if (!strncmp(e->text, "cancelled: ", 11) && tr->state != ST_NONE) {
			add_span(l, tr->since, t, tr->state);
			tr->state = ST_NONE;
			tr->over = true;
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
			/* Workers of the pool follow its queue, in their order. */
			for (int j = i; j < ntl; j++)
				if ((tlanes[j].kind == LANE_THREAD ||
				     tlanes[j].kind == LANE_PROCESS) &&
				    strcspn(tlanes[j].name, "/") == plen &&
				    !strncmp(tlanes[j].name, tlanes[i].name, plen)) {
					map[j] = m->nlanes;
					m->lanes[m->nlanes++] = (struct lane_spans){
						.name = xstrdup(tlanes[j].name),
						.kind = tlanes[j].kind
					};
				}
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
			if (e->kind == K_OFFLOAD && e->job > 0)
				submitted[e->job] = e->t;
		} else if (l->kind == LANE_LOOP) {
			if (e->kind == K_BEAT)
				add_span(l, e->t, e->t, ST_BEAT);
		} else if (e->kind == K_JOB_START && e->job > 0) {
			started[e->job] = e->t;
			job_lane[e->job] = li + 1;
		} else if ((e->kind == K_JOB_DONE || e->kind == K_ERROR) && e->job > 0 &&
		           job_lane[e->job] == li + 1) {
			add_span(l, started[e->job], e->t, ST_JOB);
			job_lane[e->job] = -(li + 1); /* done */
		}
	}
	/* Jobs still running at the end, and open task states, last to the end. */
	for (size_t j = 1; j <= njobs; j++)
		if (job_lane[j] > 0)
			add_span(&m->lanes[job_lane[j] - 1], started[j], end, ST_JOB);
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
	/* A thread that waits for the GIL half the cell is shown waiting. */
	if (in[ST_GIL_WAIT] * 2 >= b - a)
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
	if (any[ST_WAIT] || any[ST_READY])
		return ST_WAIT;
	if (any[ST_BEAT])
		return ST_BEAT;
	return ST_NONE;
}

static const char *const glyph_utf8[] = {
	[ST_NONE] = " ", [ST_WAIT] = "─",  [ST_QUEUED] = "░", [ST_READY] = "▒",    [ST_JOB] = "█",
	[ST_RUN] = "█",  [ST_BLOCK] = "▓", [ST_BEAT] = "·",   [ST_GIL_WAIT] = "╳", [ST_GIL] = "█",
};
static const char *const glyph_ascii[] = {
	[ST_NONE] = " ", [ST_WAIT] = "-",  [ST_QUEUED] = ":", [ST_READY] = "+",    [ST_JOB] = "=",
	[ST_RUN] = "#",  [ST_BLOCK] = "!", [ST_BEAT] = ".",   [ST_GIL_WAIT] = "x", [ST_GIL] = "#",
};
static const char *const glyph_color[] = {
	[ST_NONE] = "",          [ST_WAIT] = "\033[2m", [ST_QUEUED] = "\033[36m",
	[ST_READY] = "\033[33m", [ST_JOB] = "\033[36m", [ST_RUN] = "\033[32m",
	[ST_BLOCK] = "\033[31m", [ST_BEAT] = "\033[2m", [ST_GIL_WAIT] = "\033[35m",
	[ST_GIL] = "\033[36m",
};

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

static void axis(struct buf *out, double end, int cols)
{
	double step = tick_step(end, cols);
	char *line = xmalloc((size_t)cols + 32);
	memset(line, ' ', (size_t)cols + 31);
	line[cols + 31] = '\0';
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
		 * copied from past the buffer's end. */
		if (n < 0 || n >= (int)sizeof(label) || col + n > cols + 30)
			break;
		memcpy(line + col, label, (size_t)n);
	}
	/* Trim trailing spaces. */
	int last = cols + 30;
	while (last > 0 && line[last - 1] == ' ')
		last--;
	line[last] = '\0';
	buf_printf(out, "%*s  %s\n", LABEL_WIDTH, "", line);
	free(line);
}

void render_gantt(const struct model *m, struct buf *out, int width, int max_lanes, bool utf8,
                  bool color)
{
	int cols = width - LABEL_WIDTH - 4;
	if (cols < 20)
		cols = 20;
	/* A run shorter than a microsecond (a record's total of 5e-324 s) is
	 * drawn as one of 0 is, 1 ms long: the axis's step would be 0 and never
	 * reach the end, and times divided by it infinite. */
	double end = m->end >= 1e-6 ? m->end : 1e-3;
	const char *const *glyph = utf8 ? glyph_utf8 : glyph_ascii;
	buf_puts(out, "\n");
	axis(out, end, cols);
	int tasks = 0, hidden = 0;
	for (int i = 0; i < m->nlanes; i++) {
		const struct lane_spans *l = &m->lanes[i];
		if (l->kind == LANE_TASK && tasks++ >= max_lanes) {
			hidden++;
			continue;
		}
		if (hidden && l->kind != LANE_TASK) {
			buf_printf(out, "%-*s  (%d more task%s)\n", LABEL_WIDTH, "...", hidden,
			           hidden == 1 ? "" : "s");
			hidden = 0;
		}
		text_pad(out, l->name, LABEL_WIDTH, utf8);
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
		for (int c = 0; c < cols; c++) {
			double a = end * c / cols, b = end * (c + 1) / cols;
			enum lane_state st = cell_state(l, a, b);
			/* Reset first: a dim or coloured cell must not tint the next. */
			if (color && st != prev) {
				if (prev != ST_NONE)
					buf_puts(out, "\033[0m");
				buf_puts(out, glyph_color[st]);
			}
			buf_puts(out, glyph[st]);
			prev = st;
		}
		if (color && prev != ST_NONE)
			buf_puts(out, "\033[0m");
		buf_putc(out, '\n');
	}
	if (hidden)
		buf_printf(out, "%-*s  (%d more task%s)\n", LABEL_WIDTH, "...", hidden,
		           hidden == 1 ? "" : "s");
	buf_printf(out,
	           "%*s  %s running on the loop  %s blocking the loop  %s ready, waiting for the "
	           "loop\n",
	           LABEL_WIDTH, "", glyph[ST_RUN], glyph[ST_BLOCK], glyph[ST_READY]);
	buf_printf(out,
	           "%*s  %s waiting (sleep, await)  %s job running  %s job queued  %s heartbeat\n",
	           LABEL_WIDTH, "", glyph[ST_WAIT], glyph[ST_JOB], glyph[ST_QUEUED],
	           glyph[ST_BEAT]);
	for (int i = 0; i < m->nlanes; i++)
		if (m->lanes[i].gil) {
			buf_printf(out,
			           "%*s  %s waiting for the GIL  GIL: %s the loop's thread, 1 2 "
			           "... the worker "
			           "holding it\n",
			           LABEL_WIDTH, "", glyph[ST_GIL_WAIT], glyph[ST_RUN]);
			break;
		}
}

void render_task_times(const struct model *m, struct buf *out, int max_rows)
{
	int rows = 0, tasks = 0;
	for (int i = 0; i < m->nlanes; i++)
		tasks += m->lanes[i].kind == LANE_TASK;
	if (!tasks)
		return;
	buf_printf(out, "  %-14s %-24s %10s %10s %10s\n", "per task", "", "running", "ready",
	           "waiting");
	for (int i = 0; i < m->nlanes && rows < max_rows; i++) {
		const struct lane_spans *l = &m->lanes[i];
		if (l->kind != LANE_TASK)
			continue;
		rows++;
		struct buf a = { 0 }, b = { 0 }, c = { 0 };
		buf_seconds(&a, model_time_in(l, ST_RUN) + model_time_in(l, ST_BLOCK));
		buf_seconds(&b, model_time_in(l, ST_READY));
		buf_seconds(&c, model_time_in(l, ST_WAIT));
		buf_puts(out, "    ");
		text_pad(out, l->name, 37, true);
		buf_printf(out, " %10s %10s %10s\n", a.data, b.data, c.data);
		buf_free(&a);
		buf_free(&b);
		buf_free(&c);
	}
	if (tasks > rows)
		buf_printf(out, "    ... and %d more tasks\n", tasks - rows);
}

void render_pool_times(const struct model *m, struct buf *out)
{
	bool header = false;
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
		if (!header) {
			buf_printf(out, "  %-14s %-10s %5s %10s %10s %8s %11s %8s\n", "per pool",
			           "", "jobs", "work", "took", "speedup", "efficiency", "ceiling");
			header = true;
		}
		/* Time a worker waited for the GIL inside its jobs is not work. */
		double in_jobs = busy;
		busy -= gil_wait < busy ? gil_wait : busy;
		double span = last - first, speedup = busy / span;
		int used = (size_t)workers < jobs ? workers : (int)jobs;
		struct buf a = { 0 }, b = { 0 };
		buf_seconds(&a, busy);
		buf_seconds(&b, span);
		/* More workers than the longest job allows do not help; fewer cap it too. */
		double ceiling = busy / longest < used ? busy / longest : used;
		buf_printf(out, "    %-23.*s %7zu %10s %10s %7.2fx %6.0f%% of %d %7.2fx\n",
		           (int)plen, queue->name, jobs, a.data, b.data, speedup,
		           100 * speedup / used, used, ceiling);
		buf_free(&a);
		buf_free(&b);
		if (gil_wait > 0.05 * in_jobs)
			buf_printf(out,
			           "      its jobs waited for the GIL %.0f%% of their time: its "
			           "threads take turns "
			           "running Python\n",
			           100 * gil_wait / in_jobs);
	}
}

void render_diagnostics(const struct timeline *tl, const struct run_summary *s, double threshold,
                        struct buf *out)
{
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
		buf_printf(
		        out,
		        "  line %d: `%s` in %s blocked the loop for %s; every other task waited.\n",
		        bw[i].line, bw[i].what, lanes[bw[i].lane].name, dur.data);
		if (bw[i].cpu >= 0)
			buf_printf(out, "    The loop thread was on the CPU for %.0f%% of it.\n",
			           bw[i].cpu * 100);
		buf_printf(out, "    %s\n",
		           cpu ? "CPU work belongs in a pool of processes: offload it there\n"
		                 "    (ProcessPoolExecutor; see aiodemo run process-primes)."
		               : "Offload it to a thread (asyncio.to_thread; see aiodemo run "
		                 "offload-sleep),\n"
		                 "    or use asyncio.sleep if it only waits.");
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
		buf_printf(out,
		           "  at %.3f s one pass of the loop ran %zu callbacks for %s (over %s): "
		           "none may be "
		           "slow alone, but together they held back every timer and wake-up.\n",
		           s->slow[i].t, s->slow[i].steps, dur.data, lim.data);
		buf_free(&dur);
		buf_free(&lim);
	}
}
