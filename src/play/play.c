/* The terminal player: see play.h.
 *
 *   ┌ header: the program, the moment, the event's number, play/pause ──┐
 *   │ source, the current line marked ▶,   │ the loop's state at the     │
 *   │ other tasks' lines marked ·          │ moment, and the task tree   │
 *   ├ the chart's lanes up to the moment, a cursor on the axis ─────────┤
 *   │ the last lines printed                                            │
 *   │ the event in plain words                                          │
 *   └ the keys ─────────────────────────────────────────────────────────┘
 *
 * Everything shown is computed from the record (report/state.c), the same
 * state an HTML page of the run shows. */
#include "play.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/i18n.h"

#ifdef HAVE_NCURSES

#include <curses.h>
#include <langinfo.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/text.h"
#include "report/render.h"
#include "report/state.h"

enum { C_CURRENT = 1, C_RUN, C_READY, C_WAIT, C_JOB, C_BLOCK, C_DIM, C_HEAD };

static const double speeds[] = { 1, 0.25, 0.1, 0.01 };

struct player {
	const struct replay *r;
	struct run_state st;
	struct model m;
	double end;
	char **lines; /* the program's source, by line - 1 */
	int nlines;
	int body; /* the first line after a built-in's header */
	bool utf8, color;
	bool playing, help;
	int speed;          /* index in speeds */
	double play_origin; /* clock_now() at which the run's moment play_from was shown */
	double play_from;
	char message[160]; /* a line for the footer: "not found", ... */
};

static void split_source(struct player *p, const char *text)
{
	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		p->lines = xrealloc(p->lines, ((size_t)p->nlines + 1) * sizeof(char *));
		p->lines[p->nlines++] = xstrndup(s, n);
		s = nl ? nl + 1 : NULL;
	}
	p->body = 1;
	while (p->body <= p->nlines && !strncmp(p->lines[p->body - 1], "# aiodemo:", 10))
		p->body++;
}

/* Draws @s at @y, @x, cut or padded to @w columns. */
static void put(int y, int x, int w, const char *s, bool utf8)
{
	if (w <= 0)
		return;
	struct buf b = { 0 };
	struct buf vis = { 0 };
	text_add_visible(&vis, s ? s : "", utf8);
	text_pad(&b, vis.data ? vis.data : "", w, utf8);
	mvaddstr(y, x, b.data ? b.data : "");
	buf_free(&b);
	buf_free(&vis);
}

static void attr(const struct player *p, int pair, bool on)
{
	if (!p->color)
		return;
	if (on)
		attron(COLOR_PAIR(pair));
	else
		attroff(COLOR_PAIR(pair));
}

static void draw_source(const struct player *p, int top, int h, int w)
{
	const struct run_state *s = &p->st;
	int focus = state_focus(s);
	int cur = focus >= 0 ? s->tasks[focus].line : 0;
	int first = cur > 0 ? cur - h / 2 : p->body;
	if (first > p->nlines - h + 1)
		first = p->nlines - h + 1;
	if (first < 1)
		first = 1;
	for (int row = 0; row < h; row++) {
		int n = first + row;
		move(top + row, 0);
		if (n > p->nlines) {
			put(top + row, 0, w, "", p->utf8);
			continue;
		}
		/* Other tasks suspended or ready at this line. */
		bool other = false;
		for (int l = 0; l < s->nlanes && !other; l++)
			other = l != focus && s->lanes[l].kind == LANE_TASK &&
			        (s->tasks[l].state == TS_WAITING ||
			         s->tasks[l].state == TS_READY) &&
			        s->tasks[l].line == n;
		/* A worker running a function defined here. */
		bool job = false;
		for (int j = 1; j <= s->njobs && !job; j++)
			job = s->jobs[j].worker >= 0 && !s->jobs[j].done && s->jobs[j].line == n;
		const char *mark = n == cur ? (p->utf8 ? "▶" : ">")
		                   : job    ? (p->utf8 ? "◆" : "*")
		                   : other  ? (p->utf8 ? "·" : ".")
		                            : " ";
		struct buf b = { 0 };
		buf_printf(&b, "%4d %s ", n, mark);
		if (n == cur) {
			attr(p, C_CURRENT, true);
			attron(A_BOLD);
		}
		put(top + row, 0, 7, b.data, p->utf8);
		put(top + row, 7, w - 7, p->lines[n - 1], p->utf8);
		if (n == cur) {
			attroff(A_BOLD);
			attr(p, C_CURRENT, false);
		}
		buf_free(&b);
	}
}

/* A task and its children, indented: "Task-2 waits for job 1". */
static void tree(const struct player *p, int lane, int depth, int *row, int top, int h, int x,
                 int w)
{
	const struct run_state *s = &p->st;
	if (*row >= h || depth > 12)
		return;
	const struct st_task *k = &s->tasks[lane];
	if (k->state != TS_NONE && strcmp(s->lanes[lane].name, "__main__") != 0) {
		struct buf b = { 0 };
		for (int i = 0; i < depth; i++)
			buf_puts(&b, "  ");
		state_short_name(s, lane, &b);
		buf_printf(&b, " %s", _(state_task_word(k->state)));
		if (k->state == TS_WAITING) {
			char *what = state_waits_for(k);
			if (k->non) {
				buf_puts(&b, _(" for "));
				if (what && !strcmp(what, "asyncio.gather"))
					buf_puts(&b, "gather: ");
				for (int i = 0; i < k->non; i++) {
					if (i)
						buf_puts(&b, _(", "));
					state_short_name(s, k->on[i], &b);
				}
			} else if (k->job && k->job <= s->njobs && !s->jobs[k->job].done) {
				buf_printf(&b, _(" for job %d"), k->job);
				if (s->jobs[k->job].worker >= 0)
					buf_printf(&b, _(" on %s"),
					           s->lanes[s->jobs[k->job].worker].name);
			} else if (what) {
				buf_printf(&b, _(" for %s"), what);
			}
			free(what);
		} else if (k->state == TS_DONE && k->end &&
		           (k->end_kind == K_ERROR || k->end_kind == K_CANCEL)) {
			/* The chart's mark of how it ended, and its words. */
			bool failed = k->end_kind == K_ERROR;
			buf_printf(&b, " %s %s",
			           p->utf8 ? (failed ? "✗" : "⊘") : (failed ? "X" : "/"), k->end);
		}
		int pair = k->state == TS_RUNNING ? C_RUN
		           : k->state == TS_READY ? C_READY
		           : k->state == TS_DONE  ? C_DIM
		                                  : C_WAIT;
		attr(p, pair, true);
		put(top + (*row)++, x, w, b.data, p->utf8);
		attr(p, pair, false);
		buf_free(&b);
		depth++;
	}
	for (int l = 0; l < s->nlanes; l++)
		if (s->tasks[l].parent == lane && l != lane)
			tree(p, l, depth, row, top, h, x, w);
}

static void draw_state(const struct player *p, int top, int h, int x, int w)
{
	const struct run_state *s = &p->st;
	int row = 0;
	struct buf b = { 0 };
#define LINE(pair)                                                                                 \
	do {                                                                                       \
		if (row < h) {                                                                     \
			attr(p, pair, true);                                                       \
			put(top + row++, x, w, b.data ? b.data : "", p->utf8);                     \
			attr(p, pair, false);                                                      \
		}                                                                                  \
		buf_clear(&b);                                                                     \
	} while (0)
	/* The labels of the lines, in a column 9 wide. */
	text_pad(&b, _("running"), 8, p->utf8);
	buf_putc(&b, ' ');
	if (s->running >= 0)
		state_short_name(s, s->running, &b);
	else
		buf_puts(&b, s->at ? _("nothing: the loop waits") : _("nothing yet"));
	LINE(s->running >= 0 ? C_RUN : C_DIM);
	text_pad(&b, _("ready"), 8, p->utf8);
	buf_putc(&b, ' ');
	for (int i = 0; i < s->nready; i++) {
		if (i)
			buf_puts(&b, " ");
		state_short_name(s, s->ready[i], &b);
	}
	if (!s->nready)
		buf_puts(&b, _("(empty)"));
	LINE(s->nready ? C_READY : C_DIM);
	if (!s->ntimers) {
		text_pad(&b, _("timers"), 8, p->utf8);
		buf_printf(&b, " %s", _("(none)"));
		LINE(C_DIM);
	}
	for (int i = 0; i < s->ntimers && row < h; i++) {
		const struct st_timer *t = &s->timers[i];
		text_pad(&b, i ? "" : _("timers"), 8, p->utf8);
		buf_printf(&b, " %8.3f ", t->due);
		state_short_name(s, t->lane, &b);
		if (t->line)
			buf_printf(&b, _(" line %d"), t->line);
		LINE(C_WAIT);
	}
	int jobs = 0;
	for (int j = 1; j <= s->njobs && row < h; j++) {
		const struct st_job *jb = &s->jobs[j];
		if (jb->done || jb->queued < 0)
			continue;
		text_pad(&b, jobs++ ? "" : _("jobs"), 8, p->utf8);
		buf_printf(&b, _(" job %d "), j);
		if (jb->worker >= 0)
			buf_printf(&b, _("on %s: "), s->lanes[jb->worker].name);
		else
			buf_printf(&b, _("queued in %s: "), jb->pool ? jb->pool : "?");
		buf_puts(&b, jb->what ? jb->what : "");
		LINE(jb->worker >= 0 ? C_JOB : C_READY);
	}
	if (s->gil != -2) {
		text_pad(&b, "GIL", 8, p->utf8);
		buf_printf(&b, " %s", s->gil_text ? s->gil_text : "");
		LINE(C_JOB);
	}
	if (row < h) {
		buf_puts(&b, _("tasks"));
		LINE(C_HEAD);
	}
	/* The roots: tasks made by no task (by __main__, or a callback). */
	for (int l = 0; l < s->nlanes; l++) {
		int parent = s->tasks[l].parent;
		if (s->lanes[l].kind == LANE_TASK && strcmp(s->lanes[l].name, "__main__") != 0 &&
		    (parent < 0 || s->lanes[parent].kind != LANE_TASK ||
		     !strcmp(s->lanes[parent].name, "__main__")))
			tree(p, l, 1, &row, top, h, x, w);
	}
	while (row < h)
		LINE(0);
#undef LINE
	buf_free(&b);
}

/* The state a chart cell shows: the strongest of the spans in it. */
static enum lane_state cell(const struct lane_spans *l, double t0, double t1)
{
	enum lane_state best = ST_NONE;
	for (size_t i = 0; i < l->n; i++) {
		const struct span *sp = &l->spans[i];
		if (sp->t1 > t0 && sp->t0 < t1 && sp->state > best)
			best = sp->state;
	}
	return best;
}

static void draw_chart(const struct player *p, int top, int h, int w)
{
	const int label = 16;
	int cols = w - label - 1;
	if (cols < 10 || h < 2)
		return;
	double end = p->end > 0 ? p->end : 1;
	double now = p->st.t;
	int cursor = (int)floor(now / end * cols);
	if (cursor >= cols)
		cursor = cols - 1;
	int rows = h - 1;
	int shown = 0;
	/* The chart's glyphs (report/render.c's), one for each state. */
	static const char *const u[] = {
		[ST_NONE] = " ",      [ST_WAIT] = "─",     [ST_SYNC] = "═", [ST_QUEUED] = "░",
		[ST_READY] = "▒",     [ST_JOB] = "▄",      [ST_RUN] = "█",  [ST_BLOCK] = "▓",
		[ST_BEAT] = "·",      [ST_GIL_WAIT] = "╳", [ST_GIL] = "▌",  [ST_FAILED] = "✗",
		[ST_CANCELLED] = "⊘",
	};
	static const char *const a[] = {
		[ST_NONE] = " ",      [ST_WAIT] = "-",     [ST_SYNC] = "~", [ST_QUEUED] = ":",
		[ST_READY] = "+",     [ST_JOB] = "=",      [ST_RUN] = "#",  [ST_BLOCK] = "!",
		[ST_BEAT] = ".",      [ST_GIL_WAIT] = "x", [ST_GIL] = "|",  [ST_FAILED] = "X",
		[ST_CANCELLED] = "/",
	};
	for (int i = 0; i < p->m.nlanes && shown < rows; i++) {
		const struct lane_spans *l = &p->m.lanes[i];
		if (l->kind == LANE_LOOP && !l->n)
			continue;
		struct buf name = { 0 };
		model_lane_label(l, &name);
		put(top + shown, 0, label, name.data, p->utf8);
		buf_free(&name);
		move(top + shown, label);
		/* How the task ended, once the moment is past it. */
		int fate = l->fate != ST_NONE && l->fate_t <= now
		                   ? (int)floor(l->fate_t / end * cols)
		                   : -1;
		if (fate >= cols)
			fate = cols - 1;
		for (int c = 0; c < cols; c++) {
			double t0 = end * c / cols, t1 = end * (c + 1) / cols;
			enum lane_state st = t0 <= now ? cell(l, t0, t1 < now ? t1 : now) : ST_NONE;
			if (st == ST_FAILED || st == ST_CANCELLED)
				st = ST_NONE; /* not spans: fates */
			if (c == fate)
				st = l->fate;
			int pair = st == ST_RUN                        ? C_RUN
			           : st == ST_READY                    ? C_READY
			           : st == ST_BLOCK || st == ST_FAILED ? C_BLOCK
			           : st == ST_JOB || st == ST_GIL      ? C_JOB
			                                               : C_WAIT;
			if (c == cursor && st == ST_NONE)
				attron(A_REVERSE);
			attr(p, pair, true);
			addstr(p->utf8 ? u[st] : a[st]);
			attr(p, pair, false);
			if (c == cursor && st == ST_NONE)
				attroff(A_REVERSE);
		}
		shown++;
	}
	/* The axis: the run's length, and the cursor at the moment. */
	struct buf b = { 0 };
	buf_printf(&b, "%*s", label, "0 s");
	put(top + shown, 0, w, b.data, p->utf8);
	buf_clear(&b);
	buf_printf(&b, "%.3f s", end);
	mvaddstr(top + shown, label + cols - (int)b.len + 1, b.data);
	attron(A_BOLD);
	mvaddstr(top + shown, label + cursor, p->utf8 ? "▲" : "^");
	attroff(A_BOLD);
	buf_free(&b);
}

static void draw_printed(const struct player *p, int top, int h, int w)
{
	const struct run_state *s = &p->st;
	/* The last lines printed before the moment that @h rows hold; in
	 * English, each with its English on a row under it when it has one. */
	size_t found[16];
	bool with_en[16];
	int n = 0, rows = 0;
	for (size_t i = s->at; i > 0 && rows < h && n < 16; i--) {
		const struct tl_event *e = &s->events[i - 1];
		if (e->kind != K_SAY && e->kind != K_STDERR)
			continue;
		struct buf en = { 0 };
		with_en[n] = e->kind == K_SAY && i18n_lang() == I18N_EN && rows + 2 <= h &&
		             timeline_render_en(p->r->tl, e->text, &en);
		buf_free(&en);
		rows += 1 + with_en[n];
		found[n++] = i - 1;
	}
	int row = 0;
	for (int k = n - 1; k >= 0; k--) { /* oldest at the top */
		const struct tl_event *e = &s->events[found[k]];
		struct buf b = { 0 };
		buf_printf(&b, "%8.3f  ", e->t);
		state_short_name(s, e->lane, &b);
		buf_printf(&b, "%s  %s", e->kind == K_STDERR ? _(" (stderr)") : "", e->text);
		if (e->kind == K_STDERR)
			attr(p, C_BLOCK, true);
		put(top + row++, 0, w, b.data, p->utf8);
		if (e->kind == K_STDERR)
			attr(p, C_BLOCK, false);
		if (with_en[k]) {
			buf_clear(&b);
			buf_printf(&b, "%10s%s en: ", "", p->utf8 ? "↳" : "->");
			timeline_render_en(p->r->tl, e->text, &b);
			if (p->color)
				attron(A_DIM);
			put(top + row++, 0, w, b.data, p->utf8);
			if (p->color)
				attroff(A_DIM);
		}
		buf_free(&b);
	}
	for (; row < h; row++)
		put(top + row, 0, w, row == 0 && !n ? _("(nothing printed yet)") : "", p->utf8);
}

static void draw_help(const struct player *p, int H, int W)
{
	static const char *const keys[] = {
		N_("→ or space   the next event"),
		N_("←            the event before"),
		N_("↓ / ↑        a moment later / earlier (one column of the chart)"),
		N_("Home / End   the start / the end"),
		N_("p            play / pause, at the speed shown"),
		N_("s            the speed: 1x, 0.25x, 0.1x, 0.01x of the run's own pace"),
		N_("g            go to a moment (seconds)"),
		N_("/            find a printed line"),
		N_("?            these keys"),
		N_("q            quit"),
	};
	int n = (int)(sizeof(keys) / sizeof(keys[0]));
	int w = W < 74 ? W - 2 : 72, y0 = (H - n - 2) / 2, x0 = (W - w) / 2;
	for (int i = -1; i <= n; i++) {
		attron(A_REVERSE);
		put(y0 + i + 1, x0, w,
		    i < 0    ? _("  keys (any key closes this)")
		    : i == n ? ""
		             : _(keys[i]),
		    p->utf8);
		attroff(A_REVERSE);
	}
}

static void draw(struct player *p)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	erase();
	if (H < 12 || W < 40) {
		put(0, 0, W, _("The terminal is too small: 80 columns and 24 lines are enough."),
		    p->utf8);
		refresh();
		return;
	}
	const struct run_state *s = &p->st;
	struct buf b = { 0 };
	buf_printf(&b, " aiodemo play  %s", p->r->info.name);
	if (export_title(&p->r->info))
		buf_printf(&b, ": %s", export_title(&p->r->info));
	struct buf right = { 0 };
	buf_printf(&right, _(" t = %.3f s  event %zu/%zu  %s %gx "), s->t, s->at, s->nevents,
	           p->playing ? (p->utf8 ? "▶" : ">") : _("paused"), speeds[p->speed]);
	int rw = text_width(right.data);
	attron(A_REVERSE | A_BOLD);
	put(0, 0, W - rw, b.data, p->utf8);
	put(0, W - rw, rw, right.data, p->utf8);
	attroff(A_REVERSE | A_BOLD);
	int printed = H >= 30 ? 4 : 2, note = 1;
	int chart = p->m.nlanes + 1;
	int max_chart = H / 4 > 4 ? H / 4 : 4;
	if (chart > max_chart)
		chart = max_chart;
	int top_h = H - 1 - chart - printed - note - 1 - 2;
	int sw = W / 2;
	draw_source(p, 1, top_h, sw);
	for (int y = 1; y <= top_h; y++)
		mvaddstr(y, sw, p->utf8 ? "│" : "|");
	draw_state(p, 1, top_h, sw + 2, W - sw - 2);
	int y = 1 + top_h;
	attr(p, C_HEAD, true);
	buf_clear(&b);
	buf_printf(&b, p->utf8 ? "── %s ──" : "-- %s --", _("lanes"));
	put(y++, 0, W, b.data, p->utf8);
	attr(p, C_HEAD, false);
	draw_chart(p, y, chart, W);
	y += chart;
	attr(p, C_HEAD, true);
	buf_clear(&b);
	buf_printf(&b, p->utf8 ? "── %s ──" : "-- %s --", _("printed"));
	put(y++, 0, W, b.data, p->utf8);
	attr(p, C_HEAD, false);
	draw_printed(p, y, printed, W);
	y += printed;
	buf_clear(&b);
	state_note(s, &b);
	attron(A_BOLD);
	put(y++, 0, W, b.data, p->utf8);
	attroff(A_BOLD);
	buf_clear(&b);
	if (p->message[0])
		buf_puts(&b, p->message);
	else
		buf_puts(&b,
		         p->utf8 ? _(" → next  ← back  ↓↑ time  p play  s speed  g go to  / find  "
		                     "? keys  q quit")
		                 : _(" > next  < back  v^ time  p play  s speed  g go to  / find  "
		                     "? keys  q quit"));
	attr(p, C_DIM, true);
	put(H - 1, 0, W, b.data, p->utf8);
	attr(p, C_DIM, false);
	if (p->help)
		draw_help(p, H, W);
	refresh();
	buf_free(&b);
	buf_free(&right);
}

/* Reads a line at the footer after @prompt; false if Esc or nothing. */
static bool ask(struct player *p, const char *prompt, char *out, int n)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	put(H - 1, 0, W, prompt, p->utf8);
	move(H - 1, text_width(prompt));
	echo();
	curs_set(1);
	timeout(-1);
	int rc = getnstr(out, n - 1);
	noecho();
	curs_set(0);
	return rc != ERR && out[0];
}

static void find_line(struct player *p)
{
	char what[128];
	if (!ask(p, _("find a printed line: "), what, sizeof(what)))
		return;
	const struct run_state *s = &p->st;
	for (size_t k = 0; k < s->nevents; k++) {
		size_t i = (s->at + k) % s->nevents; /* from the next event on, round */
		const struct tl_event *e = &s->events[i];
		if ((e->kind == K_SAY || e->kind == K_STDERR) && strstr(e->text, what)) {
			state_seek(&p->st, i + 1);
			snprintf(p->message, sizeof(p->message), _(" found at %.3f s"), e->t);
			return;
		}
	}
	snprintf(p->message, sizeof(p->message), _(" no printed line has \"%.100s\""), what);
}

static void go_to(struct player *p)
{
	char what[64];
	if (!ask(p, _("go to the moment (seconds): "), what, sizeof(what)))
		return;
	char *end;
	double t = strtod(what, &end);
	if (end == what || !isfinite(t)) {
		snprintf(p->message, sizeof(p->message), _(" not a time in seconds: %.40s"), what);
		return;
	}
	state_seek(&p->st, t <= 0 ? 0 : state_stop_at_time(&p->st, t));
}

/* One column of the chart, in seconds. */
static double column(const struct player *p)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	(void)H;
	int cols = W - 17 > 10 ? W - 17 : 10;
	return (p->end > 0 ? p->end : 1) / cols;
}

static void step_time(struct player *p, double dt)
{
	double t = p->st.t + dt;
	if (dt < 0) {
		/* The last stop at or before t. */
		size_t at = 0;
		for (size_t i = 0; i < p->st.nevents && p->st.events[i].t <= t; i++)
			if (state_is_stop(&p->st, i))
				at = i + 1;
		state_seek(&p->st, t < 0 ? 0 : at);
	} else {
		size_t at = state_stop_at_time(&p->st, t);
		if (at <= p->st.at)
			at = state_next_stop(&p->st, p->st.at);
		state_seek(&p->st, at);
	}
}

/* Playing: the events whose moment has come at the speed chosen. */
static void advance(struct player *p)
{
	double t = p->play_from + (clock_now() - p->play_origin) * speeds[p->speed];
	size_t at = p->st.at;
	while (at < p->st.nevents && p->st.events[at].t <= t)
		at++;
	state_seek(&p->st, at);
	if (at >= p->st.nevents)
		p->playing = false;
}

static void start_playing(struct player *p)
{
	if (p->st.at >= p->st.nevents)
		state_seek(&p->st, 0);
	p->playing = true;
	p->play_from = p->st.t;
	p->play_origin = clock_now();
}

/* Ctrl-C, SIGTERM and SIGHUP end the player as q does, the terminal put
 * back; aiodemo then ends by the signal. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void catch_stops(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void loop(struct player *p)
{
	for (;;) {
		if (stop_signal)
			return;
		draw(p);
		timeout(p->playing ? 30 : 250);
		int ch = getch();
		if (ch == ERR) {
			if (p->playing)
				advance(p);
			continue;
		}
		p->message[0] = '\0';
		if (p->help) {
			p->help = false;
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			return;
		case KEY_RIGHT:
		case ' ':
		case 'l':
			p->playing = false;
			state_seek(&p->st, state_next_stop(&p->st, p->st.at));
			break;
		case KEY_LEFT:
		case 'h':
			p->playing = false;
			state_seek(&p->st, state_prev_stop(&p->st, p->st.at));
			break;
		case KEY_DOWN:
		case 'j':
			p->playing = false;
			step_time(p, column(p));
			break;
		case KEY_UP:
		case 'k':
			p->playing = false;
			step_time(p, -column(p));
			break;
		case KEY_HOME:
			p->playing = false;
			state_seek(&p->st, 0);
			break;
		case KEY_END:
			p->playing = false;
			state_seek(&p->st, p->st.nevents);
			break;
		case 'p':
			if (p->playing)
				p->playing = false;
			else
				start_playing(p);
			break;
		case 's':
			p->speed = (p->speed + 1) % (int)(sizeof(speeds) / sizeof(speeds[0]));
			if (p->playing)
				start_playing(p);
			break;
		case 'g':
			p->playing = false;
			go_to(p);
			break;
		case '/':
			p->playing = false;
			find_line(p);
			break;
		case '?':
			p->help = true;
			break;
		default:
			break;
		}
	}
}

bool play_available(void)
{
	return true;
}

int play_record(const struct replay *r)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		diag_error(isatty(STDIN_FILENO)
		                   ? _("aiodemo play needs a terminal: standard output is not one "
		                       "(aiodemo replay shows a record without one)")
		                   : _("aiodemo play needs a terminal: standard input is not one "
		                       "(aiodemo replay shows a record without one)"));
		return 2;
	}
	struct player p = { .r = r };
	state_init(&p.st, r->tl);
	p.end = r->summary.total;
	if (p.st.nevents && p.st.events[p.st.nevents - 1].t > p.end)
		p.end = p.st.events[p.st.nevents - 1].t;
	model_build(&p.m, r->tl, p.end);
	split_source(&p, r->info.text);
	const char *cs = nl_langinfo(CODESET);
	p.utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	catch_stops(on_stop);
	if (!initscr()) {
		diag_error(_("cannot start the terminal's screen"));
		return 2;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	p.color = has_colors() && !getenv("NO_COLOR");
	if (p.color) {
		start_color();
		use_default_colors();
		init_pair(C_CURRENT, COLOR_BLACK, COLOR_YELLOW);
		init_pair(C_RUN, COLOR_GREEN, -1);
		init_pair(C_READY, COLOR_YELLOW, -1);
		init_pair(C_WAIT, COLOR_BLUE, -1);
		init_pair(C_JOB, COLOR_CYAN, -1);
		init_pair(C_BLOCK, COLOR_RED, -1);
		init_pair(C_DIM, -1, -1);
		init_pair(C_HEAD, COLOR_MAGENTA, -1);
	}
	loop(&p);
	endwin();
	catch_stops(SIG_DFL);
	for (int i = 0; i < p.nlines; i++)
		free(p.lines[i]);
	free(p.lines);
	model_free(&p.m);
	state_free(&p.st);
	return stop_signal ? 128 + stop_signal : 0;
}

#else

bool play_available(void)
{
	return false;
}

int play_record(const struct replay *r)
{
	(void)r;
	fprintf(stderr, _("aiodemo: error: this aiodemo was built without ncurses: aiodemo play "
	                  "needs it (libncurses-dev)\n"));
	return 2;
}

#endif
