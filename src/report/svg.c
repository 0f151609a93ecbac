/* The SVG picture of runs: see svg.h.
 *
 * The picture is laid out top down:
 *
 *   title                        the program and its title (compare: the runs)
 *   heading                      total, --param values, scale
 *   0 s      1 s      2 s        the time axis, shared by every run
 *   [A label ▬▬▬▬▬▬ 3.0 s]       compare: each run's header, its total a bar
 *   lane   ███──▓▓▓ [callout]    the lanes, callouts over them
 *   notes                        lanes not shown, callouts that did not fit
 *   legend                       the states drawn
 *
 * Callouts are placed greedily, the blocked windows first and then the
 * printed lines in time order, each at its time: first every one on its
 * own lane where that is free, then the others in the free slot nearest
 * their lane (above, below, two above...) with a leader to it; one that
 * finds no free slot is left out and counted in the "+N more" note. What is drawn for each lane
 * state comes from one table, so that a new state needs one row. */
#define _POSIX_C_SOURCE 200809L
#include "svg.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/i18n.h"
#include "util/text.h"

/* A column of text (text_width()) in em: wide enough for DejaVu Sans'
 * average letter, and more than a CJK character's half. */
#define COLUMN_EM 0.62

/* How a state's spans are drawn. */
enum bar { BAR_NONE, BAR_FULL, BAR_THIN, BAR_MID, BAR_DOT, BAR_MARK };

static const struct state_look {
	const char *fill;
	const char *legend; /* N_(): translated where drawn */
	enum bar bar;       /* BAR_MARK: a task's fate, drawn as its glyph where it ended */
	bool telling;       /* time in it makes a lane worth a place on a slide */
} state_looks[ST_LAST + 1] = {
	[ST_NONE] = { "none", NULL, BAR_NONE, false },
	[ST_WAIT] = { "#c9d3dd", N_("waiting (sleep, await)"), BAR_THIN, false },
	/* A wait for a Lock, a Queue...: thicker than a sleep's. */
	[ST_SYNC] = { "#8c564b", N_("waiting for a lock, semaphore, event or queue"), BAR_MID,
	              true },
	[ST_QUEUED] = { "#9ecae1", N_("job queued"), BAR_FULL, true },
	[ST_READY] = { "#f2b134", N_("ready, waiting for the loop"), BAR_FULL, true },
	[ST_JOB] = { "#1f77b4", N_("job running"), BAR_FULL, true },
	[ST_RUN] = { "#2e9d4f", N_("running on the loop"), BAR_FULL, true },
	[ST_BLOCK] = { "#d62728", N_("blocking the loop"), BAR_FULL, true },
	[ST_BEAT] = { "#555555", N_("heartbeat"), BAR_DOT, false },
	[ST_GIL_WAIT] = { "#9467bd", N_("waiting for the GIL"), BAR_FULL, true },
	[ST_GIL] = { "#17becf", N_("the GIL held"), BAR_FULL, true },
	[ST_FAILED] = { "#b00020", N_("the task failed"), BAR_MARK, false },
	[ST_CANCELLED] = { "#7f7f7f", N_("the task was cancelled"), BAR_MARK, false },
};

/* The glyph of a fate (BAR_MARK). */
static const char *mark_of(enum lane_state st)
{
	return st == ST_FAILED ? "✗" : "⊘";
}

/* A state a row of the table does not yet describe is drawn as a grey bar. */
static struct state_look look_of(enum lane_state st)
{
	if ((int)st < 0 || st > ST_LAST || !state_looks[st].fill)
		return (struct state_look){ "#888888", NULL, BAR_FULL, true };
	return state_looks[st];
}

/* Sizes of a style, in pixels. */
struct look {
	int width;       /* of the picture */
	int height;      /* of the picture, or 0: as tall as the lanes make it */
	int pad;         /* around everything */
	int label_w;     /* the lanes' names */
	int row_min;     /* a lane's height: at least */
	int row_max;     /* and at most */
	int max_lanes;   /* in all, or 0 for no limit */
	int fs_title;    /* type sizes */
	int fs_head;     /* the heading under the title */
	int fs_text;     /* lanes' names, the axis, runs' headers */
	int fs_callout;  /* callouts */
	int fs_note;     /* notes and the legend */
	int title_y;     /* the title's baseline */
	int head_y;      /* the heading's */
	int top;         /* the lanes' top */
	int max_offsets; /* a callout's slot: at most this many slots off its lane */
};

static const struct look looks[] = {
	[SVG_PAGE] = { .width = 1180,
	               .pad = 20,
	               .label_w = 260,
	               .row_min = 26,
	               .row_max = 26,
	               .fs_title = 18,
	               .fs_head = 14,
	               .fs_text = 14,
	               .fs_callout = 12,
	               .fs_note = 14,
	               .title_y = 28,
	               .head_y = 50,
	               .top = 86,
	               .max_offsets = 3 },
	[SVG_SLIDES] = { .width = 1920,
	                 .height = 1080,
	                 .pad = 48,
	                 .label_w = 430,
	                 .row_min = 46,
	                 .row_max = 88,
	                 .max_lanes = 12,
	                 .fs_title = 52,
	                 .fs_head = 34,
	                 .fs_text = 28,
	                 .fs_callout = 26,
	                 .fs_note = 26,
	                 .title_y = 100,
	                 .head_y = 152,
	                 .top = 214,
	                 .max_offsets = 2 },
};

int svg_style_parse(const char *name, enum svg_style *out)
{
	if (!strcmp(name, "page"))
		*out = SVG_PAGE;
	else if (!strcmp(name, "slides"))
		*out = SVG_SLIDES;
	else
		return -1;
	return 0;
}

/* --- text widths ------------------------------------------------------------ */

/* Widths are reckoned as in a UTF-8 locale whatever the environment's
 * (LC_ALL=C would make a CJK character one column). */
static int columns(const char *s)
{
	static locale_t utf8;
	static bool tried;
	if (!tried) {
		tried = true;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (!utf8)
		return text_width(s);
	locale_t old = uselocale(utf8);
	int w = text_width(s);
	uselocale(old);
	return w;
}

double svg_text_px(const char *s, double font_size)
{
	return columns(s) * COLUMN_EM * font_size;
}

/* Appends @s (valid UTF-8) cut to @max_px at @fs, an ellipsis marking the cut. */
static void add_cut(struct buf *b, const char *s, double max_px, double fs)
{
	if (svg_text_px(s, fs) <= max_px) {
		buf_puts(b, s);
		return;
	}
	double room = max_px - svg_text_px("…", fs), used = 0;
	char one[8];
	while (*s) {
		size_t k = 1;
		while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80 && k < sizeof(one) - 1)
			k++;
		memcpy(one, s, k);
		one[k] = '\0';
		double w = svg_text_px(one, fs);
		if (used + w > room)
			break;
		used += w;
		buf_puts(b, one);
		s += k;
	}
	buf_puts(b, "…");
}

/* Appends <text> holding @s cut to @max_px: @attrs go into the tag. */
static void add_text(struct buf *b, double x, double y, int fs, const char *attrs, const char *s,
                     double max_px)
{
	struct buf valid = { 0 }, cut = { 0 };
	text_add_utf8(&valid, s, strlen(s));
	add_cut(&cut, valid.data ? valid.data : "", max_px, fs);
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\"%s%s>", x, y, fs,
	           *attrs ? " " : "", attrs);
	export_xml_text(b, cut.data ? cut.data : "");
	buf_puts(b, "</text>\n");
	buf_free(&valid);
	buf_free(&cut);
}

/* "2.00 s", "350 ms": a duration on a callout. */
static void add_duration(struct buf *b, double s)
{
	if (s >= 1)
		buf_printf(b, _("%.2f s"), s);
	else
		buf_printf(b, _("%.0f ms"), s * 1e3);
}

/* --- what each run shows ---------------------------------------------------- */

/* A callout: a printed line or a blocked window, at its time on its lane. */
struct callout {
	double t;
	int lane; /* model lane */
	bool blocked;
	char *text;
};

/* One run's part of the picture. */
struct block {
	const struct svg_run *run;
	bool *shown; /* by model lane */
	int nshown;
	int *row;       /* by model lane: its row in the block, -1 if not shown */
	double y;       /* the block's top: its header (compare) or its first lane */
	double lanes_y; /* its first lane's top */
	struct callout *callouts;
	size_t ncallouts;
	int more; /* callouts left out */
};

/* How much a lane tells: time in the states that say something, and
 * @callouts, its callouts' weight in seconds. */
static double lane_score(const struct lane_spans *l, double callouts)
{
	if (l->kind == LANE_LOOP)
		return INFINITY;
	double score = callouts;
	for (size_t k = 0; k < l->n; k++)
		if (look_of(l->spans[k].state).telling)
			score += l->spans[k].t1 - l->spans[k].t0;
	return score;
}

/* Blocked windows first, then the printed lines, each in time order. */
static int by_priority(const void *a, const void *b)
{
	const struct callout *x = a, *y = b;
	if (x->blocked != y->blocked)
		return x->blocked ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t ? 1 : 0;
}

static void collect_callouts(struct block *bk)
{
	const struct model *m = bk->run->m;
	size_t n, nb;
	const struct tl_event *ev = timeline_events(bk->run->tl, &n);
	const struct tl_blocked *bw = timeline_blocked_windows(bk->run->tl, &nb);
	size_t says = 0;
	for (size_t i = 0; i < n; i++)
		says += ev[i].kind == K_SAY;
	bk->callouts = xcalloc(says + nb + 1, sizeof(*bk->callouts));
	for (size_t i = 0; i < nb; i++) {
		int li = bw[i].lane >= 0 && bw[i].lane < m->nlane_of ? m->lane_of[bw[i].lane] : -1;
		if (li < 0)
			continue;
		struct buf t = { 0 }, d = { 0 };
		add_duration(&d, bw[i].end - bw[i].start);
		if (bw[i].line > 0 && bw[i].what && bw[i].what[0])
			buf_printf(&t, _("blocked %s at line %d: %s"), d.data, bw[i].line,
			           bw[i].what);
		else if (bw[i].what && bw[i].what[0])
			buf_printf(&t, _("blocked %s: %s"), d.data, bw[i].what);
		else
			buf_printf(&t, _("blocked %s"), d.data);
		buf_free(&d);
		bk->callouts[bk->ncallouts++] = (struct callout){ bw[i].start, li, true, t.data };
	}
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind != K_SAY || !ev[i].text || !ev[i].text[strspn(ev[i].text, " \t")])
			continue; /* an empty line says nothing on the chart */
		int li = ev[i].lane >= 0 && ev[i].lane < m->nlane_of ? m->lane_of[ev[i].lane] : -1;
		if (li < 0)
			continue;
		bk->callouts[bk->ncallouts++] =
		        (struct callout){ ev[i].t, li, false,
			                  xstrdup(ev[i].text ? ev[i].text : "") };
	}
	qsort(bk->callouts, bk->ncallouts, sizeof(*bk->callouts), by_priority);
}

/* A lane and how much it tells. */
struct ranked {
	double score;
	int lane;
};

/* The highest score first, in display order among equals. */
static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->lane - y->lane;
}

/* Shows the @keep lanes that tell the most, in their order. A blocked
 * window weighs as much as the whole run, a printed line a twentieth. */
static void choose_lanes(struct block *bk, int keep, double end)
{
	const struct model *m = bk->run->m;
	int n = m->nlanes;
	bk->shown = xcalloc((size_t)n + 1, sizeof(*bk->shown));
	bk->row = xcalloc((size_t)n + 1, sizeof(*bk->row));
	double *weight = xcalloc((size_t)n + 1, sizeof(*weight));
	for (size_t c = 0; c < bk->ncallouts; c++)
		weight[bk->callouts[c].lane] += (bk->callouts[c].blocked ? 1 : 0.05) * end;
	struct ranked *order = xcalloc((size_t)n + 1, sizeof(*order));
	for (int i = 0; i < n; i++)
		order[i] = (struct ranked){ lane_score(&m->lanes[i], weight[i]), i };
	qsort(order, (size_t)n, sizeof(*order), by_score);
	for (int i = 0; i < n && i < keep; i++)
		bk->shown[order[i].lane] = true;
	bk->nshown = 0;
	for (int i = 0; i < n; i++)
		bk->row[i] = bk->shown[i] ? bk->nshown++ : -1;
	free(weight);
	free(order);
}

/* --- callouts ------------------------------------------------------------- */

struct box {
	double x0, y0, x1, y1;
};

static bool overlap(struct box a, struct box b)
{
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* Where the callouts go: the chart's area, the boxes placed so far. */
struct placing {
	const struct look *lk;
	double x0, chart_w, end, row_h;
	struct box *placed;
	size_t nplaced, cap;
};

/* Draws callout @c of @bk in the first free slot: its own lane's, or (if
 * @off_lane) one above or below it. Returns whether it found one. */
static bool place_one(struct buf *b, struct placing *pl, const struct block *bk,
                      const struct callout *c, bool off_lane)
{
	const struct look *lk = pl->lk;
	int fs = lk->fs_callout, row = bk->row[c->lane];
	double padx = fs * 0.35, box_h = fs * 1.45, gap = fs * 0.2;
	double top = bk->lanes_y, bottom = bk->lanes_y + bk->nshown * pl->row_h;
	double right = pl->x0 + pl->chart_w, max_w = pl->chart_w * 0.55;
	/* Slots a row apart where a row holds a callout: one that moves off
	 * its lane sits on another lane, not astride two. */
	double step = pl->row_h >= box_h + gap ? pl->row_h : box_h + gap;
	struct buf valid = { 0 }, text = { 0 };
	text_add_utf8(&valid, c->text, strlen(c->text));
	add_cut(&text, valid.data ? valid.data : "", max_w - 2 * padx, fs);
	buf_free(&valid);
	double w = svg_text_px(text.data, fs) + 2 * padx;
	double x = pl->x0 + c->t / pl->end * pl->chart_w;
	double cy = top + (row + 0.5) * pl->row_h;
	/* At its time: starting there, or ending there near the right edge. */
	double bx = x + w <= right ? x : x - w;
	if (bx < pl->x0)
		bx = pl->x0;
	struct box found = { 0 };
	bool ok = false;
	int first = off_lane ? 1 : 0, last = off_lane ? 2 * lk->max_offsets : 0;
	for (int k = first; k <= last && !ok; k++) {
		int off = (k + 1) / 2 * (k % 2 ? -1 : 1); /* 0, -1, 1, -2, 2... */
		double y = cy + off * step - box_h / 2;
		struct box cand = { bx, y, bx + w, y + box_h };
		if (cand.y0 < top - 1 || cand.y1 > bottom + 1)
			continue;
		ok = true;
		for (size_t p = 0; p < pl->nplaced && ok; p++)
			ok = !overlap(cand, pl->placed[p]);
		found = cand;
	}
	if (!ok) {
		buf_free(&text);
		return false;
	}
	if (pl->nplaced == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 32;
		pl->placed = xrealloc(pl->placed, pl->cap * sizeof(*pl->placed));
	}
	pl->placed[pl->nplaced++] = found;
	const char *stroke = c->blocked ? look_of(ST_BLOCK).fill : "#333333";
	int stroke_w = fs > 20 ? 2 : 1;
	double ly = found.y0 > cy ? found.y0 : found.y1 < cy ? found.y1 : cy;
	buf_printf(b, "<g class=\"callout%s\">", c->blocked ? " blocked" : "");
	if (ly != cy)
		buf_printf(b,
		           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		           "stroke-width=\"%d\"/>",
		           x, cy, x, ly, stroke, stroke_w);
	buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", x, cy, fs * 0.22,
	           stroke);
	buf_printf(b,
	           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\" "
	           "fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"%s\" stroke-width=\"%d\"/>\n",
	           found.x0, found.y0, w, box_h, fs * 0.2, stroke, stroke_w);
	buf_printf(b, "<text class=\"callout\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\"%s>",
	           found.x0 + padx, found.y0 + fs * 1.05, fs,
	           c->blocked ? " fill=\"#a01010\"" : "");
	export_xml_text(b, text.data);
	buf_puts(b, "</text></g>\n");
	buf_free(&text);
	return true;
}

/* Draws the callouts of @bk that fit, and counts the others: first each
 * on its own lane, then those that found it taken above or below, so that
 * no lane's own line is pushed off by another lane's. */
static void place_callouts(struct buf *b, struct placing *pl, struct block *bk)
{
	bool *done = xcalloc(bk->ncallouts + 1, sizeof(*done));
	/* Each try looks at every box placed: past thousands of boxes or of
	 * callouts that found no room, the rest are only counted. */
	size_t failed = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < bk->ncallouts; i++) {
			const struct callout *c = &bk->callouts[i];
			if (done[i] || bk->row[c->lane] < 0 || pl->nplaced >= 4000 || failed > 4000)
				continue;
			done[i] = place_one(b, pl, bk, c, pass == 1);
			failed += pass == 1 && !done[i];
		}
	for (size_t i = 0; i < bk->ncallouts; i++)
		bk->more += !done[i];
	free(done);
}

/* --- the picture ------------------------------------------------------------ */

/* The legend of the states in @used (all of them when NULL), from @y on,
 * into @b (or only measured when NULL). Returns the number of its rows. */
static int legend(struct buf *b, const struct look *lk, const bool *used, double y)
{
	int fs = lk->fs_note, rows = 1;
	double x = lk->pad, sw = fs * 1.3, row_h = fs * 1.8;
	for (int st = 0; st <= ST_LAST; st++) {
		struct state_look sl = look_of((enum lane_state)st);
		if (!sl.legend || (used && !used[st]))
			continue;
		const char *what = _(sl.legend);
		double w = sw + fs * 0.5 + svg_text_px(what, fs) + fs * 1.5;
		if (x > lk->pad && x + w > lk->width - lk->pad) {
			x = lk->pad;
			rows++;
		}
		double ry = y + (rows - 1) * row_h;
		if (b && sl.bar == BAR_MARK)
			buf_printf(b,
			           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" "
			           "font-weight=\"bold\" fill=\"%s\">%s</text>",
			           x + sw * 0.15, ry, fs, sl.fill, mark_of((enum lane_state)st));
		else if (b)
			buf_printf(b,
			           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			           "fill=\"%s\"/>",
			           x, ry - fs * 0.85, sw, fs * 1.0, sl.fill);
		if (b)
			add_text(b, x + sw + fs * 0.5, ry, fs, "", what, lk->width);
		x += w;
	}
	return rows;
}

/* The spans of one lane, in the row from @y, @h high. */
static void draw_lane(struct buf *b, const struct look *lk, const struct lane_spans *l, double x0,
                      double chart_w, double end, double y, double h, bool *used)
{
	double dot = lk->fs_text > 20 ? 4 : 2, min_w = lk->fs_text > 20 ? 2 : 1.5;
	for (size_t k = 0; k < l->n; k++) {
		const struct span *sp = &l->spans[k];
		struct state_look sl = look_of(sp->state);
		if (sl.bar == BAR_NONE)
			continue;
		if (used && (int)sp->state >= 0 && sp->state <= ST_LAST)
			used[sp->state] = true;
		double x = x0 + sp->t0 / end * chart_w;
		if (sl.bar == BAR_DOT) {
			buf_printf(b, "<circle cx=\"%.2f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\"/>\n",
			           x, y + h / 2, dot, sl.fill);
			continue;
		}
		double w = (sp->t1 - sp->t0) / end * chart_w;
		double bh = sl.bar == BAR_THIN ? h * 0.16 : sl.bar == BAR_MID ? h * 0.32 : h * 0.7;
		buf_printf(b,
		           "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
		           "fill=\"%s\"%s/>\n",
		           x, y + (h - bh) / 2, w < min_w ? min_w : w, bh, sl.fill,
		           /* One job ends where the next begins on a worker. */
		           sp->state == ST_JOB ? " stroke=\"#ffffff\" stroke-width=\"1\"" : "");
	}
	if (l->fate == ST_FAILED || l->fate == ST_CANCELLED) {
		struct state_look sl = look_of(l->fate);
		if (used)
			used[l->fate] = true;
		buf_printf(b,
		           "<text x=\"%.2f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%.0f\" "
		           "font-weight=\"bold\" fill=\"%s\">%s</text>\n",
		           x0 + l->fate_t / end * chart_w, y + h * 0.75, h * 0.7, sl.fill,
		           mark_of(l->fate));
	}
}

/* The total of a run, and its end on the axis. */
static double total_of(const struct svg_run *r)
{
	return r->s ? r->s->total : r->m->end;
}

/* The title and the heading under it. */
static void heading(struct buf *b, const struct look *lk, enum svg_style style,
                    const struct svg_run *runs, int nruns)
{
	struct buf t = { 0 }, h = { 0 };
	const char *sep = " · ";
	if (nruns == 1) {
		const struct record_info *info = runs[0].info;
		buf_puts(&t, info->name ? info->name : "");
		if (export_title(info))
			buf_printf(&t, ": %s", export_title(info));
		if (style == SVG_PAGE) {
			buf_printf(&h, _("total %.3f s, scale %g"), total_of(&runs[0]),
			           info->scale);
			export_params_text(&h, info, ", ", true);
			buf_printf(&h, _(", loop busy %.0f%%"),
			           runs[0].s ? runs[0].s->utilization * 100 : 0);
		} else {
			buf_printf(&h, _("total %.3f s"), total_of(&runs[0]));
			export_params_text(&h, info, sep, true);
			buf_printf(&h, "%s", sep);
			buf_printf(&h, _("scale %g"), info->scale);
			if (runs[0].s) {
				buf_printf(&h, "%s", sep);
				buf_printf(&h, _("loop busy %.0f%%"), runs[0].s->utilization * 100);
			}
		}
	} else {
		for (int i = 0; i < nruns; i++) {
			const char *name = runs[i].label ? runs[i].label : runs[i].info->name;
			buf_printf(&t, "%s%c %s", i ? sep : "", 'A' + i, name ? name : "");
			buf_printf(&h, "%s%c ", i ? sep : "", 'A' + i);
			buf_printf(&h, _("%.3f s"), total_of(&runs[i]));
		}
		buf_printf(&h, "%s", sep);
		buf_puts(&h, _("on one time axis"));
	}
	double w = lk->width - 2 * lk->pad;
	add_text(b, lk->pad, lk->title_y, lk->fs_title, "font-weight=\"bold\" class=\"title\"",
	         t.data ? t.data : "", w);
	add_text(b, lk->pad, lk->head_y, lk->fs_head, "fill=\"#555\" class=\"heading\"",
	         h.data ? h.data : "", w);
	buf_free(&t);
	buf_free(&h);
}

/* Lanes for each run within @budget lanes in all, taken in turns. */
static void share_lanes(const struct svg_run *runs, int nruns, int budget, int *keep)
{
	int left = budget;
	for (int i = 0; i < nruns; i++)
		keep[i] = 0;
	for (bool more = true; more && left > 0;) {
		more = false;
		for (int i = 0; i < nruns && left > 0; i++)
			if (keep[i] < runs[i].m->nlanes) {
				keep[i]++;
				left--;
				more = true;
			}
	}
}

/* The note of a run: callouts left out, lanes not shown (their names, as
 * many as the line holds). */
static void block_note(struct buf *n, const struct block *bk, int index, int nruns)
{
	const struct model *m = bk->run->m;
	int hidden = m->nlanes - bk->nshown;
	if (!hidden && !bk->more)
		return;
	if (nruns > 1)
		buf_printf(n, "%c: ", 'A' + index);
	if (bk->more)
		buf_printf(n,
		           ngettext("+%d more: a printed line or blocked window without room",
		                    "+%d more: printed lines and blocked windows without room",
		                    bk->more),
		           bk->more);
	if (hidden) {
		if (bk->more)
			buf_puts(n, "; ");
		buf_printf(n,
		           ngettext("%d lane not shown, the one that tells least:",
		                    "%d lanes not shown, the ones that tell least:", hidden),
		           hidden);
		for (int i = 0, k = 0; i < m->nlanes; i++)
			if (!bk->shown[i])
				buf_printf(n, "%s %s", k++ ? "," : "", m->lanes[i].name);
	}
}

int svg_write(FILE *f, const struct svg_run *runs, int nruns, enum svg_style style)
{
	const struct look *lk = &looks[style];
	bool compare = nruns > 1;
	/* A run shorter than a microsecond (a record's total of 5e-324 s) is
	 * drawn as one of 0 is, 1 ms long: the axis's step would be 0 and never
	 * reach the end, and times divided by it infinite. */
	double end = 0;
	for (int i = 0; i < nruns; i++)
		if (total_of(&runs[i]) > end)
			end = total_of(&runs[i]);
	for (int i = 0; i < nruns; i++)
		if (runs[i].m->end > end)
			end = runs[i].m->end;
	if (!(end >= 1e-6))
		end = 1e-3;
	int x0 = lk->pad + lk->label_w;
	double chart_w = lk->width - lk->pad - x0;
	double header_h = compare ? lk->fs_text * 2.3 : 0;
	double note_h = lk->fs_note * 1.6, legend_row = lk->fs_note * 1.8;

	struct block *bk = xcalloc((size_t)nruns, sizeof(*bk));
	int *keep = xcalloc((size_t)nruns, sizeof(*keep));
	int total_lanes = 0;
	for (int i = 0; i < nruns; i++) {
		bk[i].run = &runs[i];
		collect_callouts(&bk[i]);
		total_lanes += runs[i].m->nlanes;
	}
	bool *used = NULL;
	double row_h = lk->row_max, bottom_room = 0;
	int legend_rows = 0;
	if (lk->height) {
		/* A slide: what fits above the notes and the legend. */
		legend_rows = legend(NULL, lk, NULL, 0);
		bottom_room = nruns * note_h + legend_rows * legend_row + lk->pad;
		double room = lk->height - bottom_room - lk->top - nruns * header_h;
		int budget = (int)(room / lk->row_min);
		if (budget > lk->max_lanes)
			budget = lk->max_lanes;
		if (budget < nruns)
			budget = nruns;
		share_lanes(runs, nruns, budget, keep);
		int shown = 0;
		for (int i = 0; i < nruns; i++)
			shown += keep[i];
		row_h = shown ? room / shown : lk->row_max;
		if (row_h > lk->row_max)
			row_h = lk->row_max;
		if (row_h < lk->row_min)
			row_h = lk->row_min;
		used = xcalloc(ST_LAST + 1, sizeof(*used));
	} else {
		for (int i = 0; i < nruns; i++)
			keep[i] = runs[i].m->nlanes;
	}
	double y = lk->top;
	for (int i = 0; i < nruns; i++) {
		choose_lanes(&bk[i], keep[i], end);
		bk[i].y = y;
		bk[i].lanes_y = y + header_h;
		y = bk[i].lanes_y + bk[i].nshown * row_h;
	}
	double chart_bottom = y;

	struct buf b = { 0 };
	heading(&b, lk, style, runs, nruns);
	/* Axis: ticks every round step. */
	double raw = end / 8, p = pow(10, floor(log10(raw)));
	double step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
	for (double t = 0; t <= end + step / 2; t += step) {
		double x = x0 + t / end * chart_w;
		if (x > x0 + chart_w + 1)
			break; /* its label would stand past the picture's edge */
		buf_printf(&b,
		           "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
		           "stroke=\"#e0e0e0\"/>\n",
		           x, lk->top - 6, x, chart_bottom);
		buf_printf(&b,
		           "<text x=\"%.1f\" y=\"%d\" font-size=\"%d\" text-anchor=\"middle\" "
		           "fill=\"#333\">%g s</text>\n",
		           x, lk->top - lk->fs_text / 2 - 4, lk->fs_text, round(t / step) * step);
	}
	for (int i = 0; i < nruns; i++) {
		const struct model *m = runs[i].m;
		buf_printf(&b, "<g class=\"chart\" data-run=\"%c\">\n", 'A' + i);
		if (compare) {
			/* The run's header: its letter and program, its total as a bar. */
			struct buf h = { 0 };
			const char *name = runs[i].label ? runs[i].label : runs[i].info->name;
			buf_printf(&h, "%c  %s", 'A' + i, name ? name : "");
			if (export_title(runs[i].info))
				buf_printf(&h, ": %s", export_title(runs[i].info));
			double ty = bk[i].y + lk->fs_text * 1.0;
			buf_printf(&b,
			           "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			           "fill=\"#eef2f6\"/>\n",
			           lk->pad, bk[i].y, lk->width - 2.0 * lk->pad, header_h);
			add_text(&b, lk->pad + 4, ty, lk->fs_text,
			         "font-weight=\"bold\" class=\"run\"", h.data,
			         lk->width - 2 * lk->pad - 8);
			buf_free(&h);
			double total = total_of(&runs[i]);
			double bw = total / end * chart_w, bh = lk->fs_text * 0.55;
			double by = bk[i].y + header_h - bh - lk->fs_text * 0.25;
			buf_printf(
			        &b,
			        "<rect class=\"run-total\" data-total=\"%.6f\" x=\"%d\" y=\"%.1f\" "
			        "width=\"%.2f\" height=\"%.1f\" fill=\"#4a5a6a\"/>\n",
			        total, x0, by, bw, bh);
			struct buf tt = { 0 };
			buf_printf(&tt, _("%.3f s"), total);
			double tw = svg_text_px(tt.data, lk->fs_text);
			double tx = x0 + bw + lk->fs_text * 0.4;
			if (tx + tw > lk->width - lk->pad)
				tx = x0 - tw - lk->fs_text * 0.4;
			add_text(&b, tx, by + bh, lk->fs_text, "class=\"run-total-text\"", tt.data,
			         tw + 1);
			buf_free(&tt);
		}
		for (int li = 0; li < m->nlanes; li++) {
			int row = bk[i].row[li];
			if (row < 0)
				continue;
			const struct lane_spans *l = &m->lanes[li];
			double ly = bk[i].lanes_y + row * row_h;
			if (row % 2)
				buf_printf(
				        &b,
				        "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				        "fill=\"#f7f7f7\"/>\n",
				        lk->pad, ly, lk->label_w + chart_w, row_h);
			struct buf name = { 0 };
			model_lane_label(l, &name);
			add_text(&b, lk->pad, ly + row_h / 2 + lk->fs_text * 0.35, lk->fs_text,
			         "class=\"lane\"", name.data, lk->label_w - lk->fs_text * 0.5);
			buf_free(&name);
			draw_lane(&b, lk, l, x0, chart_w, end, ly, row_h, used);
		}
		buf_puts(&b, "</g>\n");
	}
	struct placing pl = { lk, x0, chart_w, end, row_h, NULL, 0, 0 };
	for (int i = 0; i < nruns; i++)
		place_callouts(&b, &pl, &bk[i]);
	free(pl.placed);
	double ny = chart_bottom + note_h;
	for (int i = 0; i < nruns; i++) {
		struct buf n = { 0 };
		block_note(&n, &bk[i], i, nruns);
		if (n.len) {
			add_text(&b, lk->pad, ny, lk->fs_note, "fill=\"#555\" class=\"note\"",
			         n.data, lk->width - 2 * lk->pad);
			ny += note_h;
		}
		buf_free(&n);
	}
	int height = lk->height;
	if (lk->height) {
		/* More runs than a slide holds (compare takes 26) make it taller
		 * rather than cut off. */
		double needed = chart_bottom + bottom_room;
		if (needed > height + 1)
			height = (int)ceil(needed);
		double ly = height - lk->pad - (legend_rows - 1) * legend_row;
		legend(&b, lk, used, ly);
	} else {
		double ly = ny - note_h + lk->fs_note * 2.2;
		int rows = legend(&b, lk, NULL, ly);
		height = (int)ceil(ly + (rows - 1) * legend_row + lk->pad * 2);
	}
	buf_puts(&b, "</svg>\n");
	struct buf head = { 0 };
	buf_printf(&head,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	           "viewBox=\"0 0 %d %d\" font-family=\"" SVG_FONTS "\" font-size=\"%d\">\n"
	           "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
	           lk->width, height, lk->width, height, lk->fs_text);
	int rc = 0;
	if (fwrite(head.data, 1, head.len, f) != head.len || fwrite(b.data, 1, b.len, f) != b.len)
		rc = -1;
	buf_free(&head);
	buf_free(&b);
	for (int i = 0; i < nruns; i++) {
		for (size_t c = 0; c < bk[i].ncallouts; c++)
			free(bk[i].callouts[c].text);
		free(bk[i].callouts);
		free(bk[i].shown);
		free(bk[i].row);
	}
	free(bk);
	free(keep);
	free(used);
	return rc;
}
