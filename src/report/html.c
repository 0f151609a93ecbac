/* The HTML page of a run (or of two, for compare): report/page.html with
 * the runs' data written into it. What each moment shows is computed here,
 * by report/state.c, as aiodemo play computes it; the page's script only
 * draws it. */
#include "html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/i18n.h"
#include "state.h"
#include "util/i18n.h"

#include "page.inc"

/* A page shows the moments of the first events of a long run, not all:
 * each moment carries the whole state. */
#define MAX_MOMENTS 20000

static void str(struct buf *b, const char *s)
{
	buf_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static const char *span_state(enum lane_state st)
{
	static const char *const names[ST_LAST + 1] = {
		[ST_NONE] = "none",
		[ST_WAIT] = "wait",
		[ST_QUEUED] = "queued",
		[ST_READY] = "ready",
		[ST_JOB] = "job",
		[ST_RUN] = "run",
		[ST_BLOCK] = "block",
		[ST_BEAT] = "beat",
		[ST_GIL_WAIT] = "gil-wait",
		[ST_GIL] = "gil",
		[ST_SYNC] = "sync",
		[ST_FAILED] = "failed",
		[ST_CANCELLED] = "cancelled",
	};
	return names[st];
}

/* Where, on each lane, the details of a span are found: the moments its
 * steps began at a line, its blocking steps, the jobs it took. */
struct marks {
	double *t;
	int *v;
	size_t n, cap;
};

struct lane_marks {
	struct marks yields, blocks, jobs; /* v: the line, the line, the job */
};

struct index {
	struct lane_marks *lanes;
	int nlanes;
	const char **offload; /* by job number: "job 3: time.sleep(2) to asyncio" */
	int njobs;
};

static void mark(struct marks *m, double t, int v)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->t = xrealloc(m->t, m->cap * sizeof(double));
		m->v = xrealloc(m->v, m->cap * sizeof(int));
	}
	m->t[m->n] = t;
	m->v[m->n++] = v;
}

/* The value of the last mark at or before @t (+ a nanosecond), or -1. */
static int mark_at(const struct marks *m, double t, bool exact)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->t[mid] <= t + 1e-9)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || (exact && m->t[lo - 1] < t - 1e-9))
		return -1;
	return m->v[lo - 1];
}

static void index_build(struct index *x, const struct tl_event *ev, size_t n, int nlanes)
{
	memset(x, 0, sizeof(*x));
	x->nlanes = nlanes;
	x->lanes = xcalloc((size_t)nlanes + 1, sizeof(*x->lanes));
	for (size_t i = 0; i < n; i++) {
		const struct tl_event *e = &ev[i];
		if (e->lane < 0 || e->lane >= nlanes)
			continue;
		struct lane_marks *l = &x->lanes[e->lane];
		if (e->kind == K_YIELD)
			mark(&l->yields, e->t, e->line);
		else if (e->kind == K_BLOCK)
			mark(&l->blocks, e->t, e->line);
		else if (e->kind == K_JOB_START)
			mark(&l->jobs, e->t, e->job);
		else if (e->kind == K_OFFLOAD && e->job > 0) {
			if (e->job > x->njobs) {
				x->offload =
				        xrealloc(x->offload, ((size_t)e->job + 1) * sizeof(char *));
				for (int k = x->njobs + 1; k <= e->job; k++)
					x->offload[k] = NULL;
				x->njobs = e->job;
			}
			x->offload[e->job] = e->text;
		}
	}
}

static void index_free(struct index *x)
{
	for (int i = 0; i < x->nlanes; i++) {
		struct marks *ms[] = { &x->lanes[i].yields, &x->lanes[i].blocks,
			               &x->lanes[i].jobs };
		for (int k = 0; k < 3; k++) {
			free(ms[k]->t);
			free(ms[k]->v);
		}
	}
	free(x->lanes);
	free((void *)x->offload);
}

/* What a span of timeline lane @lane (or -1: a pool's queue) is, in words:
 * the line a step resumed at, the line that blocked, the job. */
static void span_detail(struct buf *b, const struct span *sp, const struct model *m, int lane,
                        const struct index *x)
{
	const struct lane_marks *l = lane >= 0 && lane < x->nlanes ? &x->lanes[lane] : NULL;
	int v;
	switch (sp->state) {
	case ST_RUN:
		/* A task's step resumes where its last one gave the loop back;
		 * the first begins at the top of its coroutine. */
		v = l ? mark_at(&l->yields, sp->t0 - 2e-9, false) : -1;
		if (v > 0)
			buf_printf(b, _("running on the loop, from line %d"), v);
		else
			buf_puts(b, _("running on the loop"));
		return;
	case ST_BLOCK:
		v = l ? mark_at(&l->blocks, sp->t0, true) : -1;
		if (v > 0)
			buf_printf(b, _("blocking the loop, at line %d"), v);
		else
			buf_puts(b, _("blocking the loop"));
		return;
	case ST_READY:
		buf_puts(b, _("ready, waiting for the loop"));
		return;
	case ST_WAIT:
		v = l ? mark_at(&l->yields, sp->t0, false) : -1;
		if (v > 0)
			buf_printf(b, _("waiting (sleep, await) at line %d"), v);
		else
			buf_puts(b, _("waiting (sleep, await)"));
		return;
	case ST_SYNC:
		v = l ? mark_at(&l->yields, sp->t0, false) : -1;
		buf_puts(b, _("waiting for a lock, semaphore, event or queue"));
		if (v > 0)
			buf_printf(b, _(" at line %d"), v);
		return;
	case ST_QUEUED:
		buf_puts(b, _("jobs waiting in the queue"));
		return;
	case ST_GIL_WAIT:
		buf_puts(b, _("waiting for the GIL"));
		return;
	case ST_GIL:
		buf_printf(b, _("the GIL held by %s"),
		           sp->holder >= 0 && sp->holder < m->nlanes ? m->lanes[sp->holder].name
		                                                     : _("another thread"));
		return;
	case ST_JOB:
		v = l ? mark_at(&l->jobs, sp->t0, true) : -1;
		if (v > 0 && v <= x->njobs && x->offload[v])
			timeline_note_text(b, K_OFFLOAD, x->offload[v]);
		else if (v > 0)
			buf_printf(b, _("job %d"), v);
		else
			buf_puts(b, _("running a job"));
		return;
	default:
		buf_puts(b, span_state(sp->state));
		return;
	}
}

static void add_moment(struct buf *b, const struct run_state *s)
{
	struct buf note = { 0 };
	state_note(s, &note);
	int focus = state_focus(s);
	buf_printf(b, "{\"at\":%zu,\"t\":%.9g,\"note\":", s->at, s->t);
	str(b, note.data);
	buf_printf(b, ",\"running\":%d,\"focus\":%d,\"line\":%d,\"printed\":%zu,\"ready\":[",
	           s->running, focus, focus >= 0 ? s->tasks[focus].line : 0, s->printed);
	for (int i = 0; i < s->nready; i++)
		buf_printf(b, "%s%d", i ? "," : "", s->ready[i]);
	buf_puts(b, "],\"timers\":[");
	for (int i = 0; i < s->ntimers; i++) {
		const struct st_timer *t = &s->timers[i];
		buf_printf(b, "%s[%.9g,%d,%d,", i ? "," : "", t->due, t->lane, t->line);
		str(b, state_timer_words(t->what));
		buf_putc(b, ']');
	}
	buf_puts(b, "],\"jobs\":[");
	bool first = true;
	for (int j = 1; j <= s->njobs; j++) {
		const struct st_job *jb = &s->jobs[j];
		if (jb->done || jb->queued < 0)
			continue;
		buf_printf(b, "%s[%d,%d,", first ? "" : ",", j, jb->worker);
		str(b, jb->pool ? jb->pool : "?");
		buf_putc(b, ',');
		str(b, jb->what);
		buf_printf(b, ",%d]", jb->worker >= 0 ? jb->line : 0);
		first = false;
	}
	buf_puts(b, "],\"gil\":");
	if (s->gil == -2)
		buf_puts(b, "null");
	else
		str(b, s->gil_text);
	buf_puts(b, ",\"tasks\":[");
	first = true;
	for (int l = 0; l < s->nlanes; l++) {
		const struct st_task *k = &s->tasks[l];
		if (s->lanes[l].kind != LANE_TASK || k->state == TS_NONE ||
		    !strcmp(s->lanes[l].name, "__main__"))
			continue;
		buf_printf(b, "%s[%d,\"%s\",%d,%d,[", first ? "" : ",", l,
		           state_task_word(k->state), k->parent, k->line);
		for (int i = 0; i < k->non; i++)
			buf_printf(b, "%s%d", i ? "," : "", k->on[i]);
		buf_printf(b, "],%d,",
		           k->job && k->job <= s->njobs && !s->jobs[k->job].done ? k->job : 0);
		char *what = state_waits_for(k);
		if (what)
			str(b, what);
		else
			buf_puts(b, "null");
		free(what);
		buf_putc(b, ']');
		first = false;
	}
	buf_puts(b, "]}");
	buf_free(&note);
}

static void add_run(struct buf *b, const struct html_run *r)
{
	const struct record_info *info = r->info;
	size_t n;
	const struct tl_event *ev = timeline_events(r->tl, &n);
	int nlanes;
	const struct tl_lane *lanes = timeline_lanes(r->tl, &nlanes);
	double end = r->m->end;
	buf_puts(b, "{\"name\":");
	str(b, info->name);
	buf_puts(b, ",\"title\":");
	str(b, export_title(info));
	buf_printf(b, ",\"scale\":%g,\"total\":%.9g,\"end\":%.9g,\"events\":%zu,\"status\":",
	           info->scale, r->s ? r->s->total : end, end, n);
	str(b, r->s ? r->s->status : "ok");
	buf_puts(b, ",\"params\":["); /* those --param set, as the heading shows them */
	for (int i = 0, k = 0; i < info->nparams; i++) {
		if (!info->params[i].set)
			continue;
		buf_puts(b, k++ ? ",[" : "[");
		str(b, info->params[i].name);
		buf_putc(b, ',');
		str(b, info->params[i].value);
		buf_putc(b, ']');
	}
	buf_puts(b, "],\"lanes\":[");
	for (int i = 0; i < nlanes; i++) {
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		str(b, lanes[i].name);
		buf_printf(b, ",\"kind\":\"%s\"}", timeline_lane_kind_name(lanes[i].kind));
	}
	buf_puts(b, "],\"source\":[");
	bool first = true;
	for (const char *p = info->text; p && *p; first = false) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!first)
			buf_putc(b, ',');
		buf_json_string(b, p, len);
		p = nl ? nl + 1 : NULL;
	}
	struct index x;
	index_build(&x, ev, n, nlanes);
	buf_puts(b, "],\"chart\":[");
	for (int i = 0; i < r->m->nlanes; i++) {
		const struct lane_spans *l = &r->m->lanes[i];
		int lane = -1; /* the timeline's lane drawn here */
		for (int k = 0; k < r->m->nlane_of && lane < 0; k++)
			if (r->m->lane_of[k] == i)
				lane = k;
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		struct buf label = { 0 };
		model_lane_label(l, &label); /* "asyncio queue", its word translated */
		str(b, label.data);
		buf_free(&label);
		buf_puts(b, ",\"spans\":[");
		for (size_t k = 0; k < l->n; k++) {
			const struct span *sp = &l->spans[k];
			struct buf d = { 0 };
			span_detail(&d, sp, r->m, l->queue ? -1 : lane, &x);
			buf_printf(b, "%s[%.9g,%.9g,\"%s\",", k ? "," : "", sp->t0, sp->t1,
			           span_state(sp->state));
			str(b, d.data);
			buf_putc(b, ']');
			buf_free(&d);
		}
		buf_putc(b, ']');
		/* How a task ended, if it failed or was cancelled: its last word. */
		if (l->fate == ST_FAILED || l->fate == ST_CANCELLED) {
			const char *last = NULL;
			for (size_t k = 0; k < n && lane >= 0; k++)
				if (ev[k].lane == lane && ev[k].t <= l->fate_t &&
				    (ev[k].kind == K_ERROR || ev[k].kind == K_CANCEL))
					last = ev[k].text;
			buf_printf(b, ",\"fate\":[%.9g,\"%s\",", l->fate_t, span_state(l->fate));
			str(b, last ? last : "");
			buf_putc(b, ']');
		}
		buf_putc(b, '}');
	}
	index_free(&x);
	buf_puts(b, "],\"printed\":[");
	first = true;
	struct buf en = { 0 };
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == K_SAY || ev[i].kind == K_STDERR) {
			buf_printf(b, "%s[%.9g,%d,%d,", first ? "" : ",", ev[i].t, ev[i].lane,
			           ev[i].kind == K_STDERR);
			str(b, ev[i].text);
			/* In English, the line's English too. */
			buf_clear(&en);
			if (ev[i].kind == K_SAY && i18n_lang() == I18N_EN &&
			    timeline_render_en(r->tl, ev[i].text, &en)) {
				buf_putc(b, ',');
				str(b, en.data);
			}
			buf_putc(b, ']');
			first = false;
		}
	buf_free(&en);
	buf_puts(b, "],\"moments\":[");
	struct run_state st;
	state_init(&st, r->tl);
	size_t moments = 0;
	for (size_t at = state_next_stop(&st, 0); at > st.at && moments < MAX_MOMENTS;
	     at = state_next_stop(&st, at)) {
		state_seek(&st, at);
		if (moments++)
			buf_putc(b, ',');
		add_moment(b, &st);
	}
	bool cut = state_next_stop(&st, st.at) > st.at;
	state_free(&st);
	buf_printf(b, "],\"moments_cut\":%s}", cut ? "true" : "false");
}

/* The page's own words (page.html's W() and T(); {0}, {1}... are what
 * T() puts in), translated: none in English, where the page says them as
 * they are. */
static void add_words(struct buf *b)
{
	static const char *const words[] = {
		N_("running"),
		N_("ready"),
		N_("waits"),
		N_("done"),
		N_("ready queue"),
		N_("timers"),
		N_("jobs"),
		N_("tasks"),
		N_("nothing: the loop waits"),
		N_("nothing yet"),
		N_("(empty)"),
		N_("(none)"),
		N_("(not seen)"),
		N_(" line {0}"),
		N_("job {0} on {1}: {2}"),
		N_("job {0} queued in {1}: {2}"),
		N_(" for "),
		N_(", "),
		N_(" for job {0}"),
		N_(" on {0}"),
		N_(" for {0}"),
		N_("The run is about to begin."),
		N_("(nothing printed yet)"),
		N_("play"),
		N_("pause"),
		N_("theme"),
		N_("the event before (←)"),
		N_("play / pause (p)"),
		N_("the next event (→)"),
		N_("the speed of play"),
		N_("the moment"),
		N_("dark or light"),
		N_("total {0}, scale {1}"),
		N_(", status {0}"),
		N_(" (the page steps through the first {0} events of {1})"),
		N_("ok"),
		N_("error"),
		N_("interrupted"),
		N_("running on the loop"),
		N_("blocking the loop"),
		N_("ready, waiting for the loop"),
		N_("waiting (sleep, await)"),
		N_("job running"),
		N_("job queued"),
		N_("GIL held"),
	};
	if (i18n_lang() == I18N_EN)
		return;
	buf_printf(b, ",\"lang\":\"%s\",\"words\":{", i18n_lang_name());
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (i)
			buf_putc(b, ',');
		buf_json_string(b, words[i], strlen(words[i]));
		buf_putc(b, ':');
		const char *w = _(words[i]);
		buf_json_string(b, w, strlen(w));
	}
	buf_putc(b, '}');
}

int export_html(FILE *f, const struct html_run *runs, int nruns)
{
	static const char marker[] = "/*AIODEMO_DATA*/";
	const char *page = (const char *)page_html;
	const char *at = strstr(page, marker);
	if (!at) {
		errno = EINVAL;
		return -1;
	}
	struct buf data = { 0 };
	buf_puts(&data, "{\"runs\":[");
	for (int i = 0; i < nruns; i++) {
		if (i)
			buf_putc(&data, ',');
		add_run(&data, &runs[i]);
	}
	buf_putc(&data, ']');
	add_words(&data);
	buf_putc(&data, '}');
	/* Inside <script>, "</script>" in a string would end it: every "<" of
	 * the JSON (only strings have them) is written \u003c. */
	struct buf out = { 0 };
	buf_printf(&out, "%.*s", (int)(at - page), page);
	for (size_t i = 0; i < data.len; i++)
		if (data.data[i] == '<')
			buf_puts(&out, "\\u003c");
		else
			buf_putc(&out, data.data[i]);
	buf_puts(&out, at + strlen(marker));
	int rc = fwrite(out.data, 1, out.len, f) == out.len ? 0 : -1;
	buf_free(&data);
	buf_free(&out);
	return rc;
}
