/* Writing a run to files: the record, a Chrome trace and an SVG picture. */
#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
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
	buf_puts(b, ",\"source\":");
	buf_json_text(b, info->source);
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
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct tl_event *e = &ev[i];
		buf_printf(&b, "%s{\"t\":%.17g,\"lane\":%d,\"kind\":\"%s\"", i ? ",\n" : "", e->t,
		           e->lane, timeline_kind_name(e->kind));
		if (e->text[0]) {
			buf_puts(&b, ",\"text\":");
			json_str(&b, e->text);
		}
		if (e->line)
			buf_printf(&b, ",\"line\":%d", e->line);
		if (timeline_kind_relates(e->kind))
			buf_printf(&b, ",\"other\":%d", e->other);
		else if (e->job)
			buf_printf(&b, ",\"job\":%d", e->job);
		if (e->dur >= 0)
			buf_printf(&b, ",\"dur\":%.17g", e->dur);
		buf_putc(&b, '}');
		if (b.len > 1 << 16)
			rc = flush_buf(f, &b);
	}
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
	static const char *const names[ST_LAST + 1] = {
		[ST_RUN] = "running",
		[ST_BLOCK] = "blocking the loop",
		[ST_JOB] = "job",
		[ST_READY] = "ready",
		[ST_WAIT] = "waiting",
		[ST_QUEUED] = "queued",
		[ST_GIL_WAIT] = "waiting for the GIL",
		[ST_GIL] = "holds the GIL",
	};
	for (int i = 0; i < m->nlanes && rc == 0; i++) {
		const struct lane_spans *l = &m->lanes[i];
		int depth = 0; /* queue depth, for a queue lane's counter */
		for (size_t k = 0; k < l->n; k++) {
			const struct span *s = &l->spans[k];
			if (s->state == ST_BEAT || s->state == ST_NONE)
				continue;
			if (l->queue)
				continue; /* drawn as a counter below */
			if (s->state == ST_WAIT || s->state == ST_READY)
				continue; /* the gaps between slices say it */
			double t0 = s->t0 * 1e6, t1 = s->t1 * 1e6;
			/* The GIL's slices are named after the thread that holds it. */
			const char *name = s->state == ST_GIL
			                           ? (s->holder >= 0 && s->holder < m->nlanes
			                                      ? m->lanes[s->holder].name
			                                      : "another thread")
			                           : names[s->state];
			buf_puts(&b, ",\n{\"ph\":\"B\",\"name\":");
			json_str(&b, name ? name : "?");
			buf_printf(&b, ",\"cat\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":%.3f}",
			           timeline_lane_kind_name(l->kind), i + 1, t0);
			buf_printf(&b, ",\n{\"ph\":\"E\",\"pid\":1,\"tid\":%d,\"ts\":%.3f}", i + 1,
			           t1 > t0 ? t1 : t0);
		}
		if (l->queue) {
			/* Queue depth over time: +1 at each submission, -1 at each start. */
			struct depth_step *steps = xcalloc(l->n * 2 + 1, sizeof(*steps));
			size_t ns = 0;
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
				buf_printf(
				        &b,
				        ",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"args\":{\"jobs\":%d}}",
				        i + 1, steps[x].t * 1e6, depth);
			}
			free(steps);
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
		if (e->kind == K_SAY) {
			buf_printf(&b, ",\n{\"ph\":\"i\",\"s\":\"t\",\"name\":");
			json_str(&b, e->text);
			buf_printf(&b, ",\"cat\":\"say\",\"pid\":1,\"tid\":%d,\"ts\":%.3f}", li + 1,
			           e->t * 1e6);
		} else if (e->kind == K_BEAT) {
			buf_printf(&b,
			           ",\n{\"ph\":\"C\",\"name\":\"loop lag "
			           "(ms)\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,"
			           "\"args\":{\"lag\":%.3f}}",
			           li + 1, e->t * 1e6, (e->dur > 0 ? e->dur : 0) * 1e3);
		}
		if (b.len > 1 << 16)
			rc = flush_buf(f, &b);
	}
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

static const char *const fills[ST_LAST + 1] = {
	[ST_NONE] = "none",      [ST_RUN] = "#2e9d4f",  [ST_BLOCK] = "#d62728",
	[ST_READY] = "#f2b134",  [ST_WAIT] = "#c9d3dd", [ST_JOB] = "#1f77b4",
	[ST_QUEUED] = "#9ecae1", [ST_BEAT] = "#555555", [ST_GIL_WAIT] = "#9467bd",
	[ST_GIL] = "#17becf",
};

int export_svg(FILE *f, const struct record_info *info, const struct model *m,
               const struct run_summary *s)
{
	const int label_w = 260, chart_w = 900, row_h = 26, top = 86, pad = 20;
	int rows = m->nlanes;
	int height = top + rows * row_h + 110;
	int width = label_w + chart_w + 2 * pad;
	/* A run shorter than a microsecond (a record's total of 5e-324 s) is
	 * drawn as one of 0 is, 1 ms long: the axis's step would be 0 and never
	 * reach the end, and times divided by it infinite. */
	double end = m->end >= 1e-6 ? m->end : 1e-3;
	struct buf b = { 0 };
	buf_printf(&b,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	           "viewBox=\"0 0 %d %d\" "
	           "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"14\">\n",
	           width, height, width, height);
	buf_printf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	buf_printf(&b, "<text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">", pad);
	export_xml_text(&b, info->name ? info->name : "");
	if (info->title) {
		buf_puts(&b, ": ");
		export_xml_text(&b, info->title);
	}
	buf_puts(&b, "</text>\n");
	buf_printf(&b, "<text x=\"%d\" y=\"50\" fill=\"#555\">total %.3f s, scale %g", pad,
	           s ? s->total : end, info->scale);
	struct buf params = { 0 };
	export_params_text(&params, info, ", ", true);
	if (params.len)
		export_xml_text(&b, params.data);
	buf_free(&params);
	buf_printf(&b, ", loop busy %.0f%%</text>\n", s ? s->utilization * 100 : 0);
	/* Axis: ticks every round step. */
	double raw = end / 8, p = pow(10, floor(log10(raw)));
	double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
	int x0 = pad + label_w;
	for (double t = 0; t <= end + step / 2; t += step) {
		double x = x0 + t / end * chart_w;
		buf_printf(
		        &b,
		        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>\n",
		        x, top - 6, x, top + rows * row_h);
		buf_printf(&b,
		           "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%g "
		           "s</text>\n",
		           x, top - 10, round(t / step) * step);
	}
	for (int i = 0; i < rows; i++) {
		const struct lane_spans *l = &m->lanes[i];
		int y = top + i * row_h;
		if (i % 2)
			buf_printf(&b,
			           "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			           "fill=\"#f7f7f7\"/>\n",
			           pad, y, label_w + chart_w, row_h);
		buf_printf(&b, "<text x=\"%d\" y=\"%d\">", pad, y + row_h - 8);
		export_xml_text(&b, l->name);
		buf_puts(&b, "</text>\n");
		for (size_t k = 0; k < l->n; k++) {
			const struct span *sp = &l->spans[k];
			if (sp->state == ST_NONE)
				continue;
			double x = x0 + sp->t0 / end * chart_w;
			if (sp->state == ST_BEAT) {
				buf_printf(&b,
				           "<circle cx=\"%.2f\" cy=\"%d\" r=\"2\" fill=\"%s\"/>\n",
				           x, y + row_h / 2, fills[ST_BEAT]);
				continue;
			}
			double w = (sp->t1 - sp->t0) / end * chart_w;
			int h = sp->state == ST_WAIT ? 4 : row_h - 8;
			int yy = sp->state == ST_WAIT ? y + row_h / 2 - 2 : y + 4;
			buf_printf(&b,
			           "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
			           "fill=\"%s\"/>\n",
			           x, yy, w < 1.5 ? 1.5 : w, h, fills[sp->state]);
		}
	}
	/* Legend. */
	static const struct {
		enum lane_state st;
		const char *what;
	} legend[] = {
		{ ST_RUN, "running on the loop" },
		{ ST_BLOCK, "blocking the loop" },
		{ ST_READY, "ready, waiting for the loop" },
		{ ST_WAIT, "waiting (sleep, await)" },
		{ ST_JOB, "job running" },
		{ ST_QUEUED, "job queued" },
		{ ST_BEAT, "heartbeat" },
		{ ST_GIL_WAIT, "waiting for the GIL" },
		{ ST_GIL, "the GIL held" },
	};
	int ly = top + rows * row_h + 30;
	int lx = pad;
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++) {
		if (lx > width - 250) {
			lx = pad;
			ly += 26;
		}
		buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"14\" fill=\"%s\"/>",
		           lx, ly - 12, fills[legend[i].st]);
		buf_printf(&b, "<text x=\"%d\" y=\"%d\">%s</text>\n", lx + 24, ly, legend[i].what);
		lx += 24 + 9 * (int)strlen(legend[i].what) + 30;
	}
	buf_puts(&b, "</svg>\n");
	int rc = flush_buf(f, &b);
	buf_free(&b);
	return rc;
}
