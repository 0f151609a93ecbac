/* Writing a run to files: the record and a Chrome trace (the SVG picture: svg.c). */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/i18n.h"
#include "util/text.h"

static int flush_buf(FILE *f, struct buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	buf_clear(b);
	return 0;
}

/* @s as a JSON string, "" for NULL. JSON is UTF-8: a file name or an
 * argument that is not (they are bytes) has U+FFFD for its bad bytes. */
static void json_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n && !text_is_utf8(s, n, NULL)) {
		struct buf valid = { 0 };
		text_add_utf8(&valid, s, n);
		buf_json_string(b, valid.data, valid.len);
		buf_free(&valid);
		return;
	}
	buf_json_string(b, s ? s : "", n);
}

/* The shortest decimal that reads back as @x: 0.1, not 0.10000000000000001. */
static void json_num(struct buf *b, double x)
{
	char text[32];
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(text, sizeof(text), "%.*g", digits, x);
		if (strtod(text, NULL) == x)
			break;
	}
	buf_puts(b, text);
}

/* The program's arguments, a JSON list, or null when not known. */
static void json_args(struct buf *b, const struct record_info *info)
{
	if (info->nargs < 0) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '[');
	for (int i = 0; i < info->nargs; i++) {
		if (i)
			buf_putc(b, ',');
		json_str(b, info->args[i]);
	}
	buf_putc(b, ']');
}

/* The parameters and their values in the run, {"workers":"4"}, or null. */
static void json_param_values(struct buf *b, const struct record_info *info)
{
	if (info->nparams < 0) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '{');
	for (int i = 0; i < info->nparams; i++) {
		if (i)
			buf_putc(b, ',');
		json_str(b, info->params[i].name);
		buf_putc(b, ':');
		json_str(b, info->params[i].value);
	}
	buf_putc(b, '}');
}

/* The machine, {"cpus":4,"kernel":"Linux ...","hostname":"box"}, or null. */
static void json_machine(struct buf *b, const struct record_machine *m)
{
	if (!m->kernel) {
		buf_puts(b, "null");
		return;
	}
	buf_printf(b, "{\"cpus\":%d,\"kernel\":", m->cpus);
	json_str(b, m->kernel);
	if (m->hostname) {
		buf_puts(b, ",\"hostname\":");
		json_str(b, m->hostname);
	}
	buf_putc(b, '}');
}

const char *export_title(const struct record_info *info)
{
	return i18n_lang() == I18N_ZH && info->title_zh ? info->title_zh : info->title;
}

const char *export_source(const struct record_info *info)
{
	return i18n_lang() == I18N_ZH && info->source_zh ? info->source_zh : info->source;
}

const char *export_notice(const struct record_info *info)
{
	return i18n_lang() == I18N_ZH && info->notice_zh ? info->notice_zh : info->notice;
}

void export_header(struct buf *b, const struct record_info *info)
{
	buf_printf(b, "{\"kind\":\"header\",\"schema\":%d,\"aiodemo\":", STREAM_SCHEMA);
	buf_json_text(b, info->aiodemo);
	buf_puts(b, ",\"python\":");
	buf_json_text(b, info->python);
	buf_puts(b, ",\"started\":");
	buf_json_text(b, info->started);
	buf_puts(b, ",\"machine\":");
	json_machine(b, &info->machine);
	buf_puts(b, ",\"scenario\":{\"name\":");
	json_str(b, info->name);
	buf_puts(b, ",\"title\":");
	buf_json_text(b, info->title);
	if (info->title_zh) {
		buf_puts(b, ",\"title_zh\":");
		json_str(b, info->title_zh);
	}
	buf_puts(b, ",\"source\":");
	buf_json_text(b, info->source);
	if (info->source_zh) {
		buf_puts(b, ",\"source_zh\":");
		json_str(b, info->source_zh);
	}
	buf_puts(b, "},\"file\":");
	json_str(b, info->file);
	buf_puts(b, ",\"args\":");
	json_args(b, info);
	buf_puts(b, ",\"params\":");
	json_param_values(b, info);
	buf_puts(b, ",\"params_set\":");
	if (info->nparams < 0) {
		buf_puts(b, "null");
	} else {
		buf_putc(b, '[');
		for (int i = 0, k = 0; i < info->nparams; i++)
			if (info->params[i].set) {
				if (k++)
					buf_putc(b, ',');
				json_str(b, info->params[i].name);
			}
		buf_putc(b, ']');
	}
	buf_puts(b, ",\"scale\":");
	json_num(b, info->scale);
	buf_puts(b, "}\n");
}

void export_params_text(struct buf *b, const struct record_info *info, const char *sep, bool utf8)
{
	for (int i = 0; i < info->nparams; i++) {
		if (!info->params[i].set)
			continue;
		struct buf valid = { 0 };
		buf_printf(&valid, "%s=%s", info->params[i].name, info->params[i].value);
		struct buf clean = { 0 };
		text_add_utf8(&clean, valid.data, valid.len);
		buf_puts(b, sep);
		text_add_visible(b, clean.data, utf8);
		buf_free(&valid);
		buf_free(&clean);
	}
}

int export_record(FILE *f, const struct record_info *info, const struct timeline *tl,
                  const struct run_summary *s)
{
	struct buf b = { 0 };
	int rc = 0;
	buf_printf(&b, "{\"format\":\"aiodemo-record\",\"version\":%d,\n\"scenario\":{\"name\":",
	           RECORD_VERSION);
	json_str(&b, info->name);
	buf_puts(&b, ",\"title\":");
	json_str(&b, info->title);
	buf_puts(&b, ",\"source\":");
	json_str(&b, info->source);
	buf_puts(&b, ",\"notice\":");
	json_str(&b, info->notice);
	if (info->title_zh) {
		buf_puts(&b, ",\"title_zh\":");
		json_str(&b, info->title_zh);
	}
	if (info->source_zh) {
		buf_puts(&b, ",\"source_zh\":");
		json_str(&b, info->source_zh);
	}
	if (info->notice_zh) {
		buf_puts(&b, ",\"notice_zh\":");
		json_str(&b, info->notice_zh);
	}
	buf_printf(&b, ",\"scale\":%.17g},\n\"program\":{\"file\":", info->scale);
	json_str(&b, info->file);
	buf_puts(&b, ",\"text\":");
	json_str(&b, info->text);
	buf_puts(&b, ",\"args\":");
	json_args(&b, info);
	buf_puts(&b, ",\"params\":");
	if (info->nparams < 0) {
		buf_puts(&b, "null");
	} else {
		buf_putc(&b, '[');
		for (int i = 0; i < info->nparams; i++) {
			const struct record_param *pp = &info->params[i];
			buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
			json_str(&b, pp->name);
			buf_puts(&b, ",\"value\":");
			json_str(&b, pp->value);
			buf_puts(&b, ",\"declared\":");
			json_str(&b, pp->declared);
			buf_printf(&b, ",\"set\":%s}", pp->set ? "true" : "false");
		}
		buf_putc(&b, ']');
	}
	buf_puts(&b, "},\n\"run\":{\"aiodemo\":");
	buf_json_text(&b, info->aiodemo);
	buf_puts(&b, ",\"python\":");
	buf_json_text(&b, info->python);
	buf_puts(&b, ",\"started\":");
	buf_json_text(&b, info->started);
	buf_puts(&b, ",\"machine\":");
	json_machine(&b, &info->machine);
	buf_puts(&b, "},\n\"lanes\":[");
	int nlanes;
	const struct tl_lane *lanes = timeline_lanes(tl, &nlanes);
	for (int i = 0; i < nlanes; i++) {
		buf_printf(&b, "%s{\"name\":", i ? "," : "");
		json_str(&b, lanes[i].name);
		buf_printf(&b, ",\"kind\":\"%s\"}", timeline_lane_kind_name(lanes[i].kind));
	}
	buf_puts(&b, "],\n\"events\":[\n");
	size_t n;
	const struct tl_event *ev = timeline_events(tl, &n);
	struct buf en = { 0 };
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct tl_event *e = &ev[i];
		buf_printf(&b, "%s{\"t\":%.17g,\"lane\":%d,\"kind\":\"%s\"", i ? ",\n" : "", e->t,
		           e->lane, timeline_kind_name(e->kind));
		if (e->text[0]) {
			buf_puts(&b, ",\"text\":");
			json_str(&b, e->text);
		}
		buf_clear(&en);
		if (e->kind == K_SAY && timeline_render_en(tl, e->text, &en)) {
			buf_puts(&b, ",\"en\":");
			json_str(&b, en.data);
		}
		if (e->line)
			buf_printf(&b, ",\"line\":%d", e->line);
		if (timeline_kind_relates(e->kind))
			buf_printf(&b, ",\"other\":%d", e->other);
		else if (e->job)
			buf_printf(&b, ",\"job\":%d", e->job);
		if (e->kind == K_AWAIT && timeline_wait_name(e->waits))
			buf_printf(&b, ",\"waits_for\":\"%s\"", timeline_wait_name(e->waits));
		if (e->dur >= 0)
			buf_printf(&b, ",\"dur\":%.17g", e->dur);
		buf_putc(&b, '}');
		if (b.len > 1 << 16)
			rc = flush_buf(f, &b);
	}
	buf_free(&en);
	buf_puts(&b, "],\n\"blocked\":[");
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &n);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%s{\"start\":%.17g,\"end\":%.17g,\"lane\":%d,\"line\":%d,\"what\":",
		           i ? "," : "", bw[i].start, bw[i].end, bw[i].lane, bw[i].line);
		json_str(&b, bw[i].what);
		if (bw[i].cpu >= 0)
			buf_printf(&b, ",\"cpu\":%.6f", bw[i].cpu);
		buf_putc(&b, '}');
	}
	buf_printf(&b, "],\n\"summary\":{\"status\":\"%s\",\"error\":", s->status);
	json_str(&b, s->error);
	buf_printf(
	        &b,
	        ",\"total\":%.17g,\"expected_total\":%.17g,\"tolerance\":%.17g,\"max_lag\":%.17g,"
	        "\"heartbeat\":%.17g,\"tasks\":%zu,\"jobs\":%zu,\"max_queue_wait\":%.17g,\"scale\":"
	        "%.17g,"
	        "\"lag_p50\":%.17g,\"lag_p99\":%.17g,\"utilization\":%.6f,"
	        "\"slow_threshold\":%.17g,",
	        s->total, s->expected_total, s->tolerance, s->max_lag, s->heartbeat, s->tasks,
	        s->jobs, s->max_queue_wait, s->scale, s->lag_p50, s->lag_p99, s->utilization,
	        s->slow_threshold);
	if (s->code_end >= 0)
		buf_printf(&b, "\"code_end\":%.17g,", s->code_end);
	if (s->jobs_not_started)
		buf_printf(&b, "\"jobs_not_started\":%zu,", s->jobs_not_started);
	size_t limit, not_kept = timeline_not_kept(tl, &limit);
	if (not_kept)
		buf_printf(&b, "\"max_events\":%zu,\"events_not_kept\":%zu,", limit, not_kept);
	buf_puts(&b, "\"slow_passes\":[");
	for (int i = 0; i < s->nslow; i++)
		buf_printf(&b, "%s{\"t\":%.17g,\"dur\":%.17g,\"steps\":%zu}", i ? "," : "",
		           s->slow[i].t, s->slow[i].dur, s->slow[i].steps);
	buf_puts(&b, "],\"expectations\":[");
	for (int i = 0; i < s->nchecks; i++) {
		buf_printf(&b, "%s{\"ok\":%s,\"text\":", i ? "," : "",
		           s->checks[i].ok ? "true" : "false");
		json_str(&b, s->checks[i].text);
		buf_putc(&b, '}');
	}
	buf_puts(&b, "]}}\n");
	if (rc == 0)
		rc = flush_buf(f, &b);
	buf_free(&b);
	return rc;
}

/* --- Chrome Trace Event format ------------------------------------------------ */

/* The trace as the viewers read it (Chrome DevTools' trace engine,
 * speedscope, Perfetto):
 *
 *   Task-2 blocked_task()  [running ·offload job 1 ][await job 1 ........][running]
 *                                    │ offload                              ▲
 *                                    ▼                                      │ job done
 *   asyncio/1                        [job 1: time.sleep(2) ...............]─┘
 *
 * Every slice is a complete event ("X", with dur): DevTools pairs "B" and
 * "E" events with one stack for all threads, so interleaved lanes would
 * not pair. On each lane the states of the Gantt chart follow one
 * another at level 0; GIL waits and offloads nest inside them, cut where
 * a state ends, so that the nesting is valid per thread. Times are
 * multiples of 1/8 µs (a "tick"): ts + dur is then exact in binary
 * floating point, and a child never outlasts its parent by a rounding.
 * A flow event binds to the slice of its thread that begins at its ts
 * (DevTools: the first such slice in the file with its cat; Perfetto:
 * the enclosing slice), so an offload is a slice of its own, of no
 * length, and the slices are written in time order, offloads first
 * among equals. */

#define TRACE_CAT "aiodemo"

/* A change of a queue's depth. */
struct depth_step {
	double t;
	int d;
};

/* In time order, a start before a submission at the same moment. */
static int by_time(const void *a, const void *b)
{
	const struct depth_step *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : x->d - y->d;
}

/* Seconds as ticks of 1/8 µs; nothing before the start. */
static int64_t trace_ticks(double s)
{
	return s > 0 ? llround(s * 8e6) : 0;
}

/* Ticks as microseconds, exactly: 1/8 is 0.125. */
static void trace_us(struct buf *b, int64_t ticks)
{
	buf_printf(b, "%" PRId64 ".%03d", ticks / 8, (int)(ticks % 8) * 125);
}

/* A slice of one lane. */
struct trace_slice {
	int64_t t0, t1;
	char *name;
	char *args;            /* the members of its args object, "\"line\":3", or NULL */
	int level;             /* 0: a state of the lane; 1: nested in one (GIL waits, offloads) */
	bool offload;          /* an offload's slice, which a flow starts from */
	enum lane_state state; /* of a level 0 slice */
	int tid;
};

struct slice_list {
	struct trace_slice *s;
	size_t n, cap;
};

static void add_slice(struct slice_list *l, struct trace_slice s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->s = xrealloc(l->s, l->cap * sizeof(*l->s));
	}
	if (s.t1 < s.t0)
		s.t1 = s.t0;
	l->s[l->n++] = s;
}

/* Time order; at the same moment an offload first (the slice its flow
 * binds to), then the longer, then the outer. */
static int slice_order(const void *a, const void *b)
{
	const struct trace_slice *x = a, *y = b;
	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	if (x->offload != y->offload)
		return x->offload ? -1 : 1;
	if (x->t1 != y->t1)
		return x->t1 > y->t1 ? -1 : 1;
	if (x->level != y->level)
		return x->level - y->level;
	return x->tid - y->tid;
}

/* What the trace needs of the timeline: each lane's events in time order
 * (indices into the events), and each job's events. */
struct trace_index {
	const struct tl_event *ev;
	const struct tl_lane *lanes;
	int nlanes;
	size_t **by_lane; /* per timeline lane, in time order */
	size_t *nby_lane;
	int njobs;
	const struct tl_event **offload, **start, **done; /* by job number, from 1 */
	int **jobs_by; /* per timeline lane, the jobs it offloaded, in time order */
	size_t *njobs_by;
	size_t *job_from; /* per lane: its jobs before this one are done (wait_name) */
	double *job_from_t;
};

/* An event's place in its lane: its time, then its index. */
struct event_at {
	double t;
	size_t i;
};

static int by_event_time(const void *a, const void *b)
{
	const struct event_at *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

static void index_build(struct trace_index *ix, const struct timeline *tl)
{
	size_t n;
	memset(ix, 0, sizeof(*ix));
	ix->ev = timeline_events(tl, &n);
	ix->lanes = timeline_lanes(tl, &ix->nlanes);
	ix->by_lane = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->by_lane));
	ix->nby_lane = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->nby_lane));
	for (size_t i = 0; i < n; i++) {
		const struct tl_event *e = &ix->ev[i];
		if (e->lane >= 0 && e->lane < ix->nlanes)
			ix->nby_lane[e->lane]++;
		if (!timeline_kind_relates(e->kind) && e->job > ix->njobs)
			ix->njobs = e->job;
	}
	for (int l = 0; l < ix->nlanes; l++) {
		ix->by_lane[l] = xcalloc(ix->nby_lane[l] + 1, sizeof(size_t));
		ix->nby_lane[l] = 0;
	}
	ix->offload = xcalloc((size_t)ix->njobs + 1, sizeof(*ix->offload));
	ix->start = xcalloc((size_t)ix->njobs + 1, sizeof(*ix->start));
	ix->done = xcalloc((size_t)ix->njobs + 1, sizeof(*ix->done));
	for (size_t i = 0; i < n; i++) {
		const struct tl_event *e = &ix->ev[i];
		if (e->lane < 0 || e->lane >= ix->nlanes)
			continue;
		ix->by_lane[e->lane][ix->nby_lane[e->lane]++] = i;
		if (timeline_kind_relates(e->kind) || e->job <= 0)
			continue;
		if (e->kind == K_OFFLOAD)
			ix->offload[e->job] = e;
		else if (e->kind == K_JOB_START)
			ix->start[e->job] = e;
		else if ((e->kind == K_JOB_DONE || e->kind == K_ERROR) && !ix->done[e->job])
			ix->done[e->job] = e;
	}
	/* Events come from several threads: nearly in order already. */
	ix->jobs_by = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->jobs_by));
	ix->njobs_by = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->njobs_by));
	ix->job_from = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->job_from));
	ix->job_from_t = xcalloc((size_t)ix->nlanes + 1, sizeof(*ix->job_from_t));
	for (int l = 0; l < ix->nlanes; l++) {
		size_t nl = ix->nby_lane[l];
		struct event_at *at = xcalloc(nl + 1, sizeof(*at));
		for (size_t k = 0; k < nl; k++)
			at[k] = (struct event_at){ ix->ev[ix->by_lane[l][k]].t, ix->by_lane[l][k] };
		qsort(at, nl, sizeof(*at), by_event_time);
		ix->jobs_by[l] = xcalloc(nl + 1, sizeof(int));
		for (size_t k = 0; k < nl; k++) {
			const struct tl_event *e = &ix->ev[at[k].i];
			ix->by_lane[l][k] = at[k].i;
			if (e->kind == K_OFFLOAD && e->job > 0 && ix->offload[e->job] == e)
				ix->jobs_by[l][ix->njobs_by[l]++] = e->job;
		}
		free(at);
	}
}

static void index_free(struct trace_index *ix)
{
	for (int l = 0; l < ix->nlanes; l++) {
		free(ix->by_lane[l]);
		free(ix->jobs_by[l]);
	}
	free(ix->jobs_by);
	free(ix->njobs_by);
	free(ix->job_from);
	free(ix->job_from_t);
	free(ix->by_lane);
	free(ix->nby_lane);
	free(ix->offload);
	free(ix->start);
	free(ix->done);
}

/* The position in lane @lane's events of the first at @t or later. */
static size_t index_at(const struct trace_index *ix, int lane, double t)
{
	size_t lo = 0, hi = ix->nby_lane[lane];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->ev[ix->by_lane[lane][mid]].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Lane @lane's event of @kind at exactly @t (spans begin and end at their
 * events' times), or NULL. */
static const struct tl_event *index_find(const struct trace_index *ix, int lane, double t,
                                         enum tl_kind kind)
{
	if (lane < 0 || lane >= ix->nlanes)
		return NULL;
	for (size_t k = index_at(ix, lane, t); k < ix->nby_lane[lane]; k++) {
		const struct tl_event *e = &ix->ev[ix->by_lane[lane][k]];
		if (e->t != t)
			break;
		if (e->kind == kind)
			return e;
	}
	return NULL;
}

/* "line 23: await asyncio.to_thread(time.sleep, 2)  (waits for X)": the
 * code without the line's number, and X. */
static void split_await(const char *text, struct buf *code, struct buf *what)
{
	const char *c = strncmp(text, "line ", 5) ? NULL : strstr(text, ": ");
	c = c ? c + 2 : text;
	const char *w = strstr(c, "  (waits for ");
	buf_add(code, c, w ? (size_t)(w - c) : strlen(c));
	if (w) {
		w += 13;
		size_t len = strlen(w);
		buf_add(what, w, len && w[len - 1] == ')' ? len - 1 : len);
	}
}

/* "job 3: time.sleep(2) to asyncio": what the job runs, and its pool. */
static void split_offload(const char *text, struct buf *what, struct buf *pool)
{
	const char *colon = strstr(text, ": "), *to = NULL;
	for (const char *p = strstr(text, " to "); p; p = strstr(p + 1, " to "))
		to = p;
	if (!colon || !to || to < colon)
		return;
	buf_add(what, colon + 2, (size_t)(to - colon - 2));
	buf_puts(pool, to + 4);
}

/* The wait slice of task lane @lane that begins at @t, when it yields:
 * named after what it waits for, as far as the timeline says it — the
 * task it awaits, the tasks of a gather, its jobs not done yet, a lock,
 * a queue... — with the line, the jobs and the primitive in @args. */
static char *wait_name(struct trace_index *ix, int lane, double t, struct buf *args)
{
	const struct tl_event *await = NULL;
	int nwaits = 0, other = -1;
	for (size_t k = index_at(ix, lane, t); k < ix->nby_lane[lane]; k++) {
		const struct tl_event *e = &ix->ev[ix->by_lane[lane][k]];
		if (e->t != t)
			break;
		if (e->kind == K_AWAIT)
			await = e;
		else if (e->kind == K_WAITS && e->other >= 0 && e->other < ix->nlanes) {
			nwaits++;
			other = e->other;
		}
	}
	struct buf code = { 0 }, what = { 0 }, name = { 0 };
	if (await) {
		split_await(await->text, &code, &what);
		if (await->line)
			buf_printf(args, "\"line\":%d,", await->line);
		buf_puts(args, "\"await\":");
		json_str(args, code.data ? code.data : "");
		buf_putc(args, ',');
		if (timeline_wait_name(await->waits))
			buf_printf(args, "\"waits_for\":\"%s\",", timeline_wait_name(await->waits));
	}
	/* Its jobs offloaded by then and not done by then. Its waits come in
	 * time order: the jobs done before the last one are not looked at
	 * again. */
	int njobs = 0, job = 0;
	if (t < ix->job_from_t[lane])
		ix->job_from[lane] = 0;
	ix->job_from_t[lane] = t;
	const int *mine = ix->jobs_by[lane];
	size_t *from = &ix->job_from[lane];
	while (*from < ix->njobs_by[lane] && ix->done[mine[*from]] && ix->done[mine[*from]]->t <= t)
		++*from;
	for (size_t k = *from; k < ix->njobs_by[lane]; k++) {
		int j = mine[k];
		const struct tl_event *o = ix->offload[j], *d = ix->done[j];
		if (o->t > t)
			break;
		if (d && d->t <= t)
			continue;
		buf_printf(args, njobs ? ",%d" : "\"jobs\":[%d", j);
		njobs++;
		job = j;
	}
	if (njobs)
		buf_puts(args, "],");
	/* What it awaits says it best, then what its line says; its jobs are
	 * what is left. */
	const char *code_s = code.data ? code.data : "";
	bool job_words = what.len && !strcmp(what.data, "a job in a thread");
	if (nwaits == 1)
		buf_printf(&name, "await %s", ix->lanes[other].name);
	else if (nwaits > 1 && what.len)
		buf_printf(&name, "await %s", what.data);
	else if (nwaits > 1)
		buf_printf(&name, "await %s",
		           strstr(code_s, "gather(") ? "asyncio.gather" : "tasks");
	else if (what.len && !job_words)
		buf_printf(&name, "await %s", what.data);
	else if (strstr(code_s, "asyncio.sleep("))
		buf_puts(&name, "await asyncio.sleep");
	else if (njobs == 1)
		buf_printf(&name, "await job %d", job);
	else if (njobs > 1)
		buf_printf(&name, "await %d jobs", njobs);
	else if (job_words)
		buf_printf(&name, "await %s", what.data);
	else if (strstr(code_s, "sleep("))
		buf_puts(&name, "await asyncio.sleep");
	else if (strstr(code_s, "gather("))
		buf_puts(&name, "await asyncio.gather");
	else
		buf_puts(&name, "waiting");
	buf_free(&code);
	buf_free(&what);
	return buf_steal(&name);
}

/* The slices of model lane @i (timeline lane @tl_lane, -1 for none). */
static void lane_slices(struct trace_index *ix, const struct model *m, int i, int tl_lane,
                        const struct timeline *tl, struct slice_list *out)
{
	const struct lane_spans *l = &m->lanes[i];
	size_t nb, nblock = 0;
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &nb);
	for (size_t k = 0; k < l->n; k++) {
		const struct span *s = &l->spans[k];
		int64_t t0 = trace_ticks(s->t0), t1 = trace_ticks(s->t1);
		struct buf args = { 0 };
		char *name = NULL;
		const struct tl_event *e;
		switch (s->state) {
		case ST_RUN:
			/* Where it gives the loop back, or blocks it. */
			if ((e = index_find(ix, tl_lane, s->t1, K_YIELD)) == NULL)
				e = index_find(ix, tl_lane, s->t1, K_BLOCK);
			if (e && e->line)
				buf_printf(&args, "\"line\":%d,", e->line);
			name = xstrdup("running");
			break;
		case ST_BLOCK:
			if (l->kind == LANE_LOOP && nblock < nb) {
				const struct tl_blocked *w = &bw[nblock++];
				if (w->line)
					buf_printf(&args, "\"line\":%d,", w->line);
				buf_puts(&args, "\"what\":");
				json_str(&args, w->what);
				if (w->lane >= 0 && w->lane < ix->nlanes) {
					buf_puts(&args, ",\"task\":");
					json_str(&args, ix->lanes[w->lane].name);
				}
				buf_putc(&args, ',');
			} else if ((e = index_find(ix, tl_lane, s->t0, K_BLOCK)) != NULL) {
				if (e->line)
					buf_printf(&args, "\"line\":%d,", e->line);
				buf_puts(&args, "\"what\":");
				json_str(&args, e->text);
				buf_putc(&args, ',');
			}
			name = xstrdup("blocking the loop");
			break;
		case ST_READY:
			name = xstrdup("ready");
			break;
		case ST_WAIT:
		case ST_SYNC:
			if (tl_lane >= 0)
				name = wait_name(ix, tl_lane, s->t0, &args);
			else
				name = xstrdup("waiting");
			break;
		case ST_JOB: {
			e = index_find(ix, tl_lane, s->t0, K_JOB_START);
			int job = e                                         ? e->job
			          : s->holder > 0 && s->holder <= ix->njobs ? s->holder
			                                                    : 0;
			const struct tl_event *o = job ? ix->offload[job] : NULL;
			struct buf what = { 0 }, pool = { 0 }, title = { 0 };
			if (o)
				split_offload(o->text, &what, &pool);
			if (job) {
				buf_printf(&args, "\"job\":%d,", job);
				buf_printf(&title, "job %d", job);
			} else {
				buf_puts(&title, "job");
			}
			if (what.len)
				buf_printf(&title, ": %s", what.data);
			if (e && e->line)
				buf_printf(&args, "\"line\":%d,", e->line);
			if (pool.len) {
				buf_puts(&args, "\"pool\":");
				json_str(&args, pool.data);
				buf_putc(&args, ',');
			}
			if (o && o->lane >= 0 && o->lane < ix->nlanes) {
				buf_puts(&args, "\"by\":");
				json_str(&args, ix->lanes[o->lane].name);
				buf_putc(&args, ',');
			}
			if (e && e->dur >= 0)
				buf_printf(&args, "\"queued_ms\":%.3f,", e->dur * 1e3);
			buf_free(&what);
			buf_free(&pool);
			name = buf_steal(&title);
			break;
		}
		case ST_GIL_WAIT:
			add_slice(out, (struct trace_slice){ .t0 = t0,
			                                     .t1 = t1,
			                                     .name = xstrdup("waiting for the GIL"),
			                                     .level = 1 });
			continue;
		case ST_GIL:
			/* Named after the thread that holds it. */
			name = xstrdup(s->holder >= 0 && s->holder < m->nlanes
			                       ? m->lanes[s->holder].name
			                       : "another thread");
			break;
		default:
			continue;
		}
		/* A state that lasts less than a tick says nothing; a job is
		 * kept, for its flows. */
		if (t1 == t0 && s->state != ST_JOB) {
			free(name);
			buf_free(&args);
			continue;
		}
		if (args.len)
			args.data[--args.len] = '\0'; /* the last comma */
		add_slice(out, (struct trace_slice){ .t0 = t0,
		                                     .t1 = t1,
		                                     .name = name,
		                                     .args = args.len ? buf_steal(&args) : NULL,
		                                     .state = s->state });
		buf_free(&args);
	}
	/* Offloads: where the flows to the jobs start. */
	for (size_t k = 0; tl_lane >= 0 && k < ix->nby_lane[tl_lane]; k++) {
		const struct tl_event *e = &ix->ev[ix->by_lane[tl_lane][k]];
		if (e->kind != K_OFFLOAD || e->job <= 0)
			continue;
		struct buf name = { 0 }, args = { 0 };
		buf_printf(&name, "offload job %d", e->job);
		buf_printf(&args, "\"job\":%d", e->job);
		if (e->line)
			buf_printf(&args, ",\"line\":%d", e->line);
		add_slice(out, (struct trace_slice){ .t0 = trace_ticks(e->t),
		                                     .t1 = trace_ticks(e->t),
		                                     .name = buf_steal(&name),
		                                     .args = buf_steal(&args),
		                                     .level = 1,
		                                     .offload = true });
	}
}

/* Makes the slices of one lane nest: the states at level 0 follow one
 * another, and each slice of level 1 is cut where a state begins or ends
 * inside it, so that each piece lies within one state or between two. */
static void nest_slices(struct slice_list *l)
{
	struct slice_list outer = { 0 }, inner = { 0 };
	for (size_t k = 0; k < l->n; k++)
		add_slice(l->s[k].level ? &inner : &outer, l->s[k]);
	if (outer.n > 1) /* an empty list is NULL, which qsort refuses */
		qsort(outer.s, outer.n, sizeof(*outer.s), slice_order);
	for (size_t k = 1; k < outer.n; k++) {
		if (outer.s[k].t0 < outer.s[k - 1].t1)
			outer.s[k].t0 = outer.s[k - 1].t1;
		if (outer.s[k].t1 < outer.s[k].t0)
			outer.s[k].t1 = outer.s[k].t0;
	}
	l->n = 0;
	for (size_t k = 0; k < outer.n; k++)
		add_slice(l, outer.s[k]);
	for (size_t k = 0; k < inner.n; k++) {
		struct trace_slice *s = &inner.s[k];
		/* The first state that ends after it begins. */
		size_t lo = 0, hi = outer.n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (outer.s[mid].t1 <= s->t0)
				lo = mid + 1;
			else
				hi = mid;
		}
		int64_t from = s->t0;
		for (size_t o = lo; o < outer.n && from < s->t1; o++) {
			int64_t cuts[2] = { outer.s[o].t0, outer.s[o].t1 };
			for (int c = 0; c < 2; c++)
				if (cuts[c] > from && cuts[c] < s->t1) {
					struct trace_slice piece = *s;
					piece.t0 = from;
					piece.t1 = cuts[c];
					piece.name = xstrdup(s->name);
					piece.args = s->args ? xstrdup(s->args) : NULL;
					add_slice(l, piece);
					from = cuts[c];
				}
		}
		s->t0 = from;
		add_slice(l, *s);
	}
	free(outer.s);
	free(inner.s);
	if (l->n > 1)
		qsort(l->s, l->n, sizeof(*l->s), slice_order);
}

/* A flow event: "s" binds to the slice of @tid that begins at @ticks,
 * "f" (with bp "e") too. */
static void flow_event(struct buf *b, char ph, const char *name, int id, int tid, int64_t ticks)
{
	buf_printf(b,
	           ",\n{\"ph\":\"%c\",%s\"name\":\"%s\",\"cat\":\"" TRACE_CAT "\",\"id\":%d,"
	           "\"pid\":1,\"tid\":%d,\"ts\":",
	           ph, ph == 'f' ? "\"bp\":\"e\"," : "", name, id, tid);
	trace_us(b, ticks);
	buf_putc(b, '}');
}

/* Where the task of a lane goes on after each job it handed out, in
 * @back by job number: the running (or blocking) slice after its first
 * wait that begins after the offload and ends after the job, and after
 * the job began. The worker stamps the job done after it wakes the loop,
 * so the task may be ready or running again a little before that: a wait
 * that ended less than a millisecond earlier will do. @l: the lane's
 * nested slices. */
static void note_resumes(const struct trace_index *ix, int tl_lane, const struct slice_list *l,
                         int64_t *back)
{
	/* ticks: 10 ms, what a loaded machine takes from the worker waking the
	 * loop to its stamping the job done */
	const int64_t race = 80000;
	for (size_t k = 0; tl_lane >= 0 && k < ix->nby_lane[tl_lane]; k++) {
		const struct tl_event *o = &ix->ev[ix->by_lane[tl_lane][k]];
		if (o->kind != K_OFFLOAD || o->job <= 0 || !ix->done[o->job] || !ix->start[o->job])
			continue;
		int64_t offloaded = trace_ticks(o->t), started = trace_ticks(ix->start[o->job]->t);
		int64_t done = trace_ticks(ix->done[o->job]->t);
		/* The slices that begin after the offload: [lo, l->n). */
		size_t lo = 0, hi = l->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (l->s[mid].t0 < offloaded)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool waited = false;
		for (size_t r = lo; r < l->n; r++) {
			const struct trace_slice *x = &l->s[r];
			if (x->level != 0)
				continue;
			if (x->state == ST_WAIT || x->state == ST_SYNC)
				waited = x->t1 + race >= done;
			else if ((x->state == ST_RUN || x->state == ST_BLOCK) && waited &&
			         x->t0 >= started) {
				back[o->job] = x->t0;
				break;
			}
		}
	}
}

/* Every lane is a thread of one process, its tid the lane's index + 1, so
 * no two lanes share a track. Times are microseconds. */
int export_trace(FILE *f, const struct record_info *info, const struct timeline *tl,
                 const struct model *m)
{
	struct buf b = { 0 };
	int rc = 0;
	buf_puts(&b, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":");
	json_str(&b, info->name);
	buf_printf(&b, ",\"scale\":%g,\"params\":", info->scale);
	json_param_values(&b, info);
	buf_puts(&b, "},\"traceEvents\":[\n");
	buf_puts(&b, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"ts\":0,"
	             "\"args\":{\"name\":");
	struct buf pname = { 0 };
	buf_printf(&pname, "aiodemo %s", info->name ? info->name : "");
	json_str(&b, pname.data);
	buf_free(&pname);
	buf_puts(&b, "}}");
	for (int i = 0; i < m->nlanes; i++) {
		buf_printf(&b,
		           ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"ts\":"
		           "0,\"args\":{\"name\":",
		           i + 1);
		json_str(&b, m->lanes[i].name);
		buf_printf(&b,
		           "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":%d,"
		           "\"ts\":0,"
		           "\"args\":{\"sort_index\":%d}}",
		           i + 1, i);
	}
	struct trace_index ix;
	index_build(&ix, tl);
	/* The timeline lane of each model lane (none for a pool's queue). */
	int *tl_lane = xcalloc((size_t)m->nlanes + 1, sizeof(int));
	for (int i = 0; i < m->nlanes; i++)
		tl_lane[i] = -1;
	for (int i = 0; i < m->nlane_of; i++)
		if (m->lane_of[i] >= 0 && m->lane_of[i] < m->nlanes)
			tl_lane[m->lane_of[i]] = i;
	struct slice_list slices = { 0 };
	int64_t *back = xcalloc((size_t)ix.njobs + 1, sizeof(*back));
	for (int j = 0; j <= ix.njobs; j++)
		back[j] = -1;
	for (int i = 0; i < m->nlanes && rc == 0; i++) {
		const struct lane_spans *l = &m->lanes[i];
		if (l->queue) {
			/* Queue depth over time: +1 at each submission, -1 at each start. */
			struct depth_step *steps = xcalloc(l->n * 2 + 1, sizeof(*steps));
			size_t ns = 0;
			int depth = 0;
			for (size_t k = 0; k < l->n; k++) {
				steps[ns].t = l->spans[k].t0;
				steps[ns++].d = 1;
				steps[ns].t = l->spans[k].t1;
				steps[ns++].d = -1;
			}
			qsort(steps, ns, sizeof(*steps), by_time);
			for (size_t x = 0; x < ns; x++) {
				depth += steps[x].d;
				buf_printf(&b, ",\n{\"ph\":\"C\",\"name\":");
				json_str(&b, l->name);
				buf_printf(&b, ",\"pid\":1,\"tid\":%d,\"ts\":", i + 1);
				trace_us(&b, trace_ticks(steps[x].t));
				buf_printf(&b, ",\"args\":{\"jobs\":%d}}", depth);
			}
			free(steps);
			continue;
		}
		struct slice_list lane = { 0 };
		lane_slices(&ix, m, i, tl_lane[i], tl, &lane);
		nest_slices(&lane);
		note_resumes(&ix, tl_lane[i], &lane, back);
		for (size_t k = 0; k < lane.n; k++) {
			lane.s[k].tid = i + 1;
			add_slice(&slices, lane.s[k]);
		}
		free(lane.s);
	}
	/* All the slices in time order: DevTools keeps a flow's slices in the
	 * order it reads them. */
	if (slices.n > 1)
		qsort(slices.s, slices.n, sizeof(*slices.s), slice_order);
	for (size_t k = 0; k < slices.n; k++) {
		const struct trace_slice *s = &slices.s[k];
		if (rc == 0) {
			buf_puts(&b, ",\n{\"ph\":\"X\",\"name\":");
			json_str(&b, s->name);
			buf_printf(&b, ",\"cat\":\"" TRACE_CAT "\",\"pid\":1,\"tid\":%d,\"ts\":",
			           s->tid);
			trace_us(&b, s->t0);
			buf_puts(&b, ",\"dur\":");
			trace_us(&b, s->t1 - s->t0);
			if (s->args)
				buf_printf(&b, ",\"args\":{%s}", s->args);
			buf_putc(&b, '}');
			if (b.len > 1 << 16)
				rc = flush_buf(f, &b);
		}
		free(s->name);
		free(s->args);
	}
	free(slices.s);
	/* Flows: from each offload to its job, and from the job to the task
	 * that handed it out, where it goes on after it. DevTools tells flows
	 * apart by id alone: job N's are 2N - 1 and 2N. */
	for (int j = 1; j <= ix.njobs && rc == 0; j++) {
		const struct tl_event *o = ix.offload[j], *st = ix.start[j];
		if (!o || !st || o->lane >= m->nlane_of || st->lane >= m->nlane_of)
			continue;
		int from = m->lane_of[o->lane], to = m->lane_of[st->lane];
		if (from < 0 || to < 0)
			continue;
		flow_event(&b, 's', "offload", 2 * j - 1, from + 1, trace_ticks(o->t));
		flow_event(&b, 'f', "offload", 2 * j - 1, to + 1, trace_ticks(st->t));
		if (back[j] >= 0) {
			flow_event(&b, 's', "job done", 2 * j, to + 1, trace_ticks(st->t));
			flow_event(&b, 'f', "job done", 2 * j, from + 1, back[j]);
		}
		if (b.len > 1 << 16)
			rc = flush_buf(f, &b);
	}
	size_t n;
	const struct tl_event *ev = timeline_events(tl, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct tl_event *e = &ev[i];
		int li = e->lane < m->nlane_of ? m->lane_of[e->lane] : -1;
		if (li < 0)
			continue;
		if (e->kind == K_SAY || e->kind == K_IO) {
			buf_printf(&b, ",\n{\"ph\":\"i\",\"s\":\"t\",\"name\":");
			json_str(&b, e->text);
			buf_printf(&b, ",\"cat\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":",
			           e->kind == K_IO ? "io" : "say", li + 1);
			trace_us(&b, trace_ticks(e->t));
			buf_putc(&b, '}');
		} else if (e->kind == K_BEAT) {
			buf_printf(&b,
			           ",\n{\"ph\":\"C\",\"name\":\"loop lag "
			           "(ms)\",\"pid\":1,\"tid\":%d,\"ts\":",
			           li + 1);
			trace_us(&b, trace_ticks(e->t));
			buf_printf(&b, ",\"args\":{\"lag\":%.3f}}",
			           (e->dur > 0 ? e->dur : 0) * 1e3);
		}
		if (b.len > 1 << 16)
			rc = flush_buf(f, &b);
	}
	free(back);
	free(tl_lane);
	index_free(&ix);
	buf_puts(&b, "\n]}\n");
	if (rc == 0)
		rc = flush_buf(f, &b);
	buf_free(&b);
	return rc;
}

/* --- SVG ---------------------------------------------------------------------- */

/* Text as XML takes it: markup escaped, and the control characters XML 1.0
 * refuses outright (even as &#1;) shown as U+FFFD. */
void export_xml_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\t':
		case '\n':
		case '\r':
			buf_putc(b, *s);
			break;
		default:
			if ((unsigned char)*s < 0x20)
				buf_puts(b, "\xef\xbf\xbd");
			else
				buf_putc(b, *s);
		}
	}
}
