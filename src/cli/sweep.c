/* aiodemo sweep: see sweep.h.
 *
 * Everything is checked before the first run: the axes' syntax, the
 * program, its parameters, that it compiles with the values, the --plot
 * figure and the SVG's path. Then the points run in the grid's order,
 * each point's runs one after another, and each point's row is printed
 * as soon as its runs are done (the CSV's rows as soon as each run is);
 * the plot, the JSON document and the SVG come once all are. A run that
 * fails (an error, a crash, a timeout) is told in its row and the sweep
 * goes on; a signal (Ctrl-C, SIGTERM) stops it, and what it has so far
 * is told all the same. */
#include "sweep.h"

#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "cli.h"
#include "outfile.h"
#include "host/host.h"
#include "host/program.h"
#include "report/figures.h"
#include "report/plot.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/signals.h"
#include "util/text.h"
#include "util/i18n.h"

/* --- the axes ---------------------------------------------------------------------- */

/* Whether @s is a value --param takes: a number as Python writes one, or
 * True, False or None (as program_set_param() has it). */
static bool is_literal(const char *s)
{
	if (!strcmp(s, "True") || !strcmp(s, "False") || !strcmp(s, "None"))
		return true;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	return end != s && !*end && isfinite(v) && strspn(s, "0123456789.eE+-") == strlen(s);
}

/* A number of a range, the @n bytes at @s: [+-]DIGITS[.DIGITS]. Sets *@v,
 * and *@decimals to the digits after the point. */
static bool parse_decimal(const char *s, size_t n, double *v, int *decimals)
{
	char text[64];
	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	size_t i = text[0] == '+' || text[0] == '-';
	size_t digits = strspn(text + i, "0123456789");
	i += digits;
	*decimals = 0;
	if (text[i] == '.') {
		size_t frac = strspn(text + i + 1, "0123456789");
		*decimals = (int)frac;
		digits += frac;
		i += 1 + frac;
	}
	if (!digits || text[i] || *decimals > 9)
		return false;
	*v = strtod(text, NULL);
	return isfinite(*v);
}

static void add_value(struct sweep_axis *axis, char *value)
{
	axis->values = xrealloc(axis->values, (size_t)(axis->nvalues + 1) * sizeof(char *));
	axis->values[axis->nvalues++] = value;
}

static int parse_range(struct sweep_axis *axis, const char *dots, char *err, size_t size)
{
	const char *spec = axis->spec, *last = dots + 2, *colon = strchr(last, ':');
	const char *parts[3] = { spec, last, colon ? colon + 1 : NULL };
	size_t lens[3] = { (size_t)(dots - spec), colon ? (size_t)(colon - last) : strlen(last),
		           colon ? strlen(colon + 1) : 0 };
	double v[3] = { 0, 0, 1 };
	int decimals[3] = { 0, 0, 0 };
	for (int k = 0; k < 3; k++) {
		if (!parts[k] || parse_decimal(parts[k], lens[k], &v[k], &decimals[k]))
			continue;
		snprintf(err, size,
		         _("%s=%s: '%.*s' is not a number: a range is FIRST..LAST or "
		           "FIRST..LAST:STEP, of decimal numbers (1..6, 0.5..2:0.5)"),
		         axis->name, spec, (int)lens[k], parts[k]);
		return -1;
	}
	if (v[2] <= 0) {
		snprintf(err, size, _("%s=%s: the step must be greater than 0"), axis->name, spec);
		return -1;
	}
	if (v[1] < v[0]) {
		snprintf(err, size,
		         _("%s=%s: the range is empty, its last value below its first (a list "
		           "can go down: 3,2,1)"),
		         axis->name, spec);
		return -1;
	}
	/* The values that the step reaches, LAST too where a rounding error
	 * would leave it out. */
	double count = floor((v[1] - v[0]) / v[2] + 1e-9) + 1;
	if (count > SWEEP_MAX_POINTS) {
		snprintf(err, size,
		         _("%s=%s has %.0f values, more than the %d points a sweep can have"),
		         axis->name, spec, count, SWEEP_MAX_POINTS);
		return -1;
	}
	int d = decimals[0] > decimals[1] ? decimals[0] : decimals[1];
	d = decimals[2] > d ? decimals[2] : d;
	for (int i = 0; i < (int)count; i++) {
		double x = v[0] + i * v[2];
		if (fabs(x) < 0.5 * pow(10, -d))
			x = 0; /* not "-0.0" */
		struct buf b = { 0 };
		buf_printf(&b, "%.*f", d, x);
		add_value(axis, buf_steal(&b));
	}
	return 0;
}

static int parse_list(struct sweep_axis *axis, char *err, size_t size)
{
	const char *s = axis->spec;
	for (;;) {
		const char *comma = strchr(s, ',');
		char *value = xstrndup(s, comma ? (size_t)(comma - s) : strlen(s));
		const char *problem = !*value ? _("an empty value")
		                      : !is_literal(value)
		                              ? _("not a number (or True, False, None)")
		                              : NULL;
		for (int i = 0; !problem && i < axis->nvalues; i++)
			if (!strcmp(axis->values[i], value))
				problem = _("in the list twice");
		if (problem) {
			if (*value)
				snprintf(err, size, _("%s=%s: '%s' is %s"), axis->name, axis->spec,
				         value, problem);
			else
				snprintf(err, size, _("%s=%s: %s in the list"), axis->name,
				         axis->spec, problem);
			free(value);
			return -1;
		}
		if (axis->nvalues == SWEEP_MAX_POINTS) {
			snprintf(err, size, _("%s=%s has more than the %d values a sweep can have"),
			         axis->name, axis->spec, SWEEP_MAX_POINTS);
			free(value);
			return -1;
		}
		add_value(axis, value);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int sweep_axis_parse(const char *arg, struct sweep_axis *axis, char *err, size_t size)
{
	memset(axis, 0, sizeof(*axis));
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1]) {
		snprintf(err, size,
		         _("'%s' is not a parameter to sweep: write NAME=LIST (workers=1,2,4) or "
		           "NAME=FIRST..LAST[:STEP] (workers=1..6)"),
		         arg);
		return -1;
	}
	axis->name = xstrndup(arg, (size_t)(eq - arg));
	axis->spec = xstrdup(eq + 1);
	const char *dots = strstr(axis->spec, "..");
	int rc = dots ? parse_range(axis, dots, err, size) : parse_list(axis, err, size);
	if (rc != 0)
		sweep_axis_free(axis);
	return rc;
}

void sweep_axis_free(struct sweep_axis *axis)
{
	for (int i = 0; i < axis->nvalues; i++)
		free(axis->values[i]);
	free(axis->values);
	free(axis->name);
	free(axis->spec);
	memset(axis, 0, sizeof(*axis));
}

/* --- the runs ------------------------------------------------------------------------ */

/* One run of a point. */
struct run {
	const char *status; /* "ok", "error", "timeout", "crashed" or "interrupted" */
	int exit_status;    /* -1 when a signal ended it */
	int term_signal;    /* that signal, or 0 */
	char *message;      /* what went wrong, in a few words; NULL when ok */
	char *error;        /* the program's error, from its record, or NULL */
	bool have_figures;  /* from its record: a run that ended, ok or not */
	double fig[NFIGURES];
};

/* One point of the grid. */
struct point {
	int *at; /* the index of each axis's value */
	struct run *runs;
	int nruns, nok, nfailed;        /* done, ended ok, failed (not interrupted) */
	struct spread spread[NFIGURES]; /* of the runs that ended ok */
};

struct sweep {
	const struct sweep_options *o;
	struct program *p;
	struct sweep_axis *axes;
	int naxes;
	struct point *points;
	int npoints, ndone;
	int figure;      /* the one plotted */
	int runs;        /* runs done */
	int failed;      /* runs that failed: neither ok nor interrupted */
	int interrupted; /* the signal that stopped the sweep, or 0 */
	int out_errno;   /* writing stdout failed */
	bool utf8, progress;
	int *widths; /* of each axis's column */
};

/* "SIGSEGV", or "signal 40". */
static void signal_name(struct buf *b, int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		buf_printf(b, "SIG%s", abbrev);
	else
		buf_printf(b, "signal %d", sig);
}

/* The first line of @s, at most 160 bytes of it (cut between two UTF-8
 * characters), as a terminal can show it. */
static void add_line_of(struct buf *b, const char *s, bool utf8)
{
	size_t n = strcspn(s, "\n"), cut = n;
	if (cut > 160)
		for (cut = 160; cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
			;
	char *line = xstrndup(s, cut);
	text_add_visible(b, line, utf8);
	if (cut < n)
		buf_puts(b, utf8 ? "…" : "...");
	free(line);
}

/* The messages of runs (kept in English: JSON, CSV), as a row shows them. */
static void message_shown(struct buf *out, const char *message)
{
	static const char *const messages[] = {
		N_("interrupted by %s"),
		N_("timeout after %g s"),
		N_("killed by %s"),
		N_("exit %d, and no record of the run"),
		N_("exit %d: %s"),
		N_("exit %d"),
		N_("the run could not start"),
	};
	i18n_retranslate(out, message, messages, sizeof(messages) / sizeof(messages[0]));
}

/* What became of the run of @r: its status, its message and its figures. */
static void judge(const struct sweep *sw, struct run *run, const struct child_result *r)
{
	const struct run_summary *s = r->have_record ? &r->record.summary : NULL;
	bool ended_ok = s && r->exit_status == 0 && !strcmp(s->status, "ok");
	struct buf m = { 0 };
	run->exit_status = r->term_signal ? -1 : r->exit_status;
	run->term_signal = r->term_signal;
	if (s && s->error)
		run->error = xstrdup(s->error);
	if (*sw->o->caught_signal && !ended_ok) {
		run->status = "interrupted";
		buf_printf(&m, "interrupted by %s", signals_name(*sw->o->caught_signal));
	} else if (r->timed_out) {
		run->status = "timeout";
		buf_printf(&m, "timeout after %g s", sw->o->timeout);
	} else if (r->term_signal) {
		run->status = "crashed";
		buf_puts(&m, "killed by ");
		signal_name(&m, r->term_signal);
	} else if (!s) {
		run->status = "error";
		buf_printf(&m, "exit %d, and no record of the run", r->exit_status);
	} else if (!ended_ok) {
		run->status = "error";
		buf_printf(&m, "exit %d", r->exit_status);
		if (s->error) {
			buf_puts(&m, ": ");
			add_line_of(&m, s->error, sw->utf8);
		}
	} else {
		run->status = "ok";
	}
	run->message = m.len ? buf_steal(&m) : NULL;
	buf_free(&m);
	if (s && (!strcmp(run->status, "ok") || !strcmp(run->status, "error"))) {
		figures_of(r->record.tl, s, run->fig);
		run->have_figures = true;
	}
}

/* --- output ------------------------------------------------------------------------ */

/* Writes @b to stdout and empties it; false once writing has failed. */
static bool emit(struct sweep *sw, struct buf *b)
{
	if (!sw->out_errno && b->len &&
	    (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0))
		sw->out_errno = errno ? errno : EIO;
	buf_clear(b);
	return !sw->out_errno;
}

/* "workers=2, jobs=8": the point's values of axes @from to the last. */
static void point_label(struct buf *b, const struct sweep *sw, const struct point *pt, int from)
{
	for (int a = from; a < sw->naxes; a++)
		buf_printf(b, "%s%s=%s", a > from ? ", " : "", sw->axes[a].name,
		           sw->axes[a].values[pt->at[a]]);
}

/* The table's columns after the parameters'. */
enum column { COL_TOTAL, COL_RANGE, COL_LAG, COL_WAIT, COL_BLOCKED, COL_PLOTTED, COL_SPEEDUP };
static const struct {
	const char *head;
	int width;
} columns[] = {
	[COL_TOTAL] = { N_("total"), 10 },          [COL_RANGE] = { "min..max", 17 },
	[COL_LAG] = { N_("loop lag p99"), 13 },     [COL_WAIT] = { N_("queue wait"), 11 },
	[COL_BLOCKED] = { N_("time blocked"), 13 }, [COL_PLOTTED] = { "", 13 },
	[COL_SPEEDUP] = { N_("speedup"), 8 },
};

static bool shows(const struct sweep *sw, enum column c)
{
	if (c == COL_RANGE)
		return sw->o->repeat > 1;
	if (c == COL_PLOTTED) /* the plotted figure, when no column has it */
		return sw->figure == FIG_MAX_LAG || sw->figure == FIG_BUSY;
	return true;
}

/* A figure for people: "4.012 s", "0.052 ms", "13%". */
static void figure_text(struct buf *b, int f, double v)
{
	figure_format(b, v, figure_info((enum figure)f)->unit);
}

static double median_of(const struct point *pt, int f)
{
	return pt->spread[f].n > 0 ? pt->spread[f].median : NAN;
}

/* This point's speedup: the first point's median total over its own. */
static double speedup_of(const struct sweep *sw, const struct point *pt)
{
	double a = median_of(&sw->points[0], FIG_TOTAL), b = median_of(pt, FIG_TOTAL);
	double r = isfinite(a) && isfinite(b) ? figure_ratio(a, b) : NAN;
	return isfinite(r) ? r : NAN;
}

/* The columns of the table in the width: each one's width and the line
 * of a row it is on. When they do not fit, they narrow to their heads
 * and values, and those that still do not fit go on under the first. */
struct table_layout {
	int width[COL_SPEEDUP + 1];
	int line[COL_SPEEDUP + 1];
	int lines;
	int indent; /* where the figures start: past the parameters */
};

static struct table_layout layout_of(const struct sweep *sw)
{
	struct table_layout t = { .indent = 1, .lines = 1 };
	int width = text_columns(), full;
	for (int a = 0; a < sw->naxes; a++)
		t.indent += 1 + sw->widths[a];
	full = t.indent;
	for (int c = 0; c <= COL_SPEEDUP; c++)
		if (shows(sw, (enum column)c))
			full += 1 + columns[c].width;
	int used = t.indent;
	for (int c = 0; c <= COL_SPEEDUP; c++) {
		if (!shows(sw, (enum column)c))
			continue;
		int w = columns[c].width;
		if (full > width) {
			const char *head =
			        _(c == COL_PLOTTED ? figure_info((enum figure)sw->figure)->name
			                           : columns[c].head);
			int least = c == COL_RANGE ? 17 : 9;
			w = text_width(head) > least ? text_width(head) : least;
		}
		if (used > t.indent && used + 1 + w > width) {
			t.lines++;
			used = t.indent;
		}
		t.width[c] = w;
		t.line[c] = t.lines - 1;
		used += 1 + w;
	}
	return t;
}

static void table_head(struct sweep *sw, struct buf *b)
{
	bool color = sw->o->color;
	struct table_layout t = layout_of(sw);
	buf_putc(b, '\n');
	for (int line = 0; line < t.lines; line++) {
		buf_printf(b, "%s ", color ? "\033[1m" : "");
		for (int a = 0; a < sw->naxes; a++)
			buf_printf(b, " %*s", sw->widths[a], line ? "" : sw->axes[a].name);
		for (int c = 0; c <= COL_SPEEDUP; c++)
			if (shows(sw, (enum column)c) && t.line[c] == line) {
				buf_putc(b, ' ');
				text_pad_left(b,
				              _(c == COL_PLOTTED
				                        ? figure_info((enum figure)sw->figure)->name
				                        : columns[c].head),
				              t.width[c]);
			}
		buf_printf(b, "%s\n", color ? "\033[0m" : "");
	}
}

/* What went wrong in the point's runs: "timeout after 5 s", "run 2: exit 1:
 * ...", "all 3 runs: killed by SIGSEGV". */
static void failures(struct buf *b, const struct point *pt)
{
	int nbad = pt->nruns - pt->nok;
	const char *same = NULL;
	bool alike = true;
	for (int k = 0; k < pt->nruns; k++)
		if (pt->runs[k].message) {
			alike &= !same || !strcmp(same, pt->runs[k].message);
			same = same ? same : pt->runs[k].message;
		}
	struct buf shown = { 0 };
	if (same)
		message_shown(&shown, same);
	if (pt->nruns == 1)
		buf_puts(b, shown.data ? shown.data : "");
	else if (alike && nbad == pt->nruns)
		buf_printf(b, _("all %d runs: %s"), nbad, shown.data);
	else if (alike)
		buf_printf(b, _("%d of %d runs: %s"), nbad, pt->nruns, shown.data);
	else
		for (int k = 0, n = 0; k < pt->nruns; k++)
			if (pt->runs[k].message) {
				buf_clear(&shown);
				message_shown(&shown, pt->runs[k].message);
				if (n++)
					buf_puts(b, _("; "));
				buf_printf(b, _("run %d: %s"), k + 1, shown.data);
			}
	buf_free(&shown);
}

/* failures(), after @column columns of the row, in lines of the width
 * that go on under its start (with no newline at the end). */
static void failures_wrapped(struct buf *b, const struct point *pt, int column)
{
	struct buf text = { 0 }, lines = { 0 }, pad = { 0 };
	failures(&text, pt);
	buf_printf(&pad, "%*s", column, "");
	text_wrap(&lines, text.data ? text.data : "", text_columns(), pad.data, pad.data);
	if (lines.len > pad.len)
		buf_add(b, lines.data + pad.len, lines.len - pad.len - 1);
	buf_free(&text);
	buf_free(&lines);
	buf_free(&pad);
}

static void table_row(struct sweep *sw, struct buf *b, const struct point *pt)
{
	bool color = sw->o->color;
	buf_putc(b, ' ');
	for (int a = 0; a < sw->naxes; a++)
		buf_printf(b, " %*s", sw->widths[a], sw->axes[a].values[pt->at[a]]);
	struct table_layout t = layout_of(sw);
	if (pt->nok == 0) {
		buf_printf(b, "   %s", color ? "\033[31m" : "");
		failures_wrapped(b, pt, t.indent + 3);
		buf_printf(b, "%s\n", color ? "\033[0m" : "");
		return;
	}
	int indent = t.indent, line = 0;
	for (int c = 0; c <= COL_SPEEDUP; c++) {
		if (!shows(sw, (enum column)c))
			continue;
		struct buf cell = { 0 };
		switch ((enum column)c) {
		case COL_TOTAL:
			figure_text(&cell, FIG_TOTAL, median_of(pt, FIG_TOTAL));
			break;
		case COL_RANGE:
			figure_format_range(&cell, pt->spread[FIG_TOTAL], UNIT_SECONDS);
			break;
		case COL_LAG:
			figure_text(&cell, FIG_LAG_P99, median_of(pt, FIG_LAG_P99));
			break;
		case COL_WAIT:
			figure_text(&cell, FIG_QUEUE_WAIT, median_of(pt, FIG_QUEUE_WAIT));
			break;
		case COL_BLOCKED:
			figure_text(&cell, FIG_BLOCKED, median_of(pt, FIG_BLOCKED));
			break;
		case COL_PLOTTED:
			figure_text(&cell, sw->figure, median_of(pt, sw->figure));
			break;
		case COL_SPEEDUP: {
			double r = speedup_of(sw, pt);
			if (isfinite(r))
				buf_printf(&cell, "%.2fx", r);
			else
				buf_puts(&cell, "-");
			break;
		}
		}
		if (t.line[c] != line) {
			buf_printf(b, "\n%*s", indent, "");
			line = t.line[c];
		}
		buf_printf(b, " %*s", t.width[c] + (int)cell.len - text_width(cell.data),
		           cell.data);
		buf_free(&cell);
	}
	buf_putc(b, '\n');
	if (pt->nok < pt->nruns) {
		buf_printf(b, "%*s  %s", indent, "", color ? "\033[31m" : "");
		failures_wrapped(b, pt, indent + 2);
		buf_printf(b, "%s\n", color ? "\033[0m" : "");
	}
}

static void heading(struct sweep *sw, struct buf *b)
{
	const struct sweep_options *o = sw->o;
	bool color = o->color;
	struct buf line = { 0 };
	cli_title_line(b, sw->p->info.name, program_title(&sw->p->info), color);
	struct buf *out = b;
	b = &line;
	struct buf axes = { 0 };
	for (int a = 0; a < sw->naxes; a++) {
		if (a)
			buf_puts(&axes, _(" by "));
		buf_printf(&axes,
		           ngettext("%s = %s (%d value)", "%s = %s (%d values)",
		                    (unsigned long)sw->axes[a].nvalues),
		           sw->axes[a].name, sw->axes[a].spec, sw->axes[a].nvalues);
	}
	if (sw->naxes > 1)
		buf_printf(&axes, _(": %d points"), sw->npoints);
	buf_printf(b, _("sweep of %s"), axes.data);
	buf_free(&axes);
	buf_printf(b,
	           ngettext(", %d run each, scale %g, ", ", %d runs each, scale %g, ",
	                    (unsigned long)o->repeat),
	           o->repeat, o->scale);
	if (o->timeout > 0)
		buf_printf(b, _("timeout %g s"), o->timeout);
	else
		buf_puts(b, _("no timeout"));
	for (int k = 0; k < o->nparams; k++)
		buf_printf(b, k ? _(", %s") : _(", with %s"), o->params[k]);
	text_wrap(out, line.data, text_columns(), "", "  ");
	buf_free(&line);
}

/* "  running workers=3 (run 2 of 3)...", on a terminal, until the row. */
static void show_progress(struct sweep *sw, const struct point *pt, int k)
{
	if (!sw->progress)
		return;
	struct buf b = { 0 };
	struct buf label = { 0 };
	point_label(&label, sw, pt, 0);
	buf_puts(&b, "\r\033[K  ");
	if (sw->o->repeat > 1)
		buf_printf(&b, _("running %s (run %d of %d)"), label.data, k + 1, sw->o->repeat);
	else
		buf_printf(&b, _("running %s"), label.data);
	buf_free(&label);
	buf_puts(&b, sw->utf8 ? "…" : "...");
	emit(sw, &b);
	buf_free(&b);
}

static void json_run(struct buf *b, const struct run *run, int k)
{
	buf_printf(b, "{\"run\":%d,\"status\":\"%s\",\"exit_status\":", k + 1, run->status);
	if (run->exit_status >= 0)
		buf_printf(b, "%d", run->exit_status);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"signal\":");
	if (run->term_signal) {
		struct buf name = { 0 };
		signal_name(&name, run->term_signal);
		buf_json_text(b, name.data);
		buf_free(&name);
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"message\":");
	buf_json_text(b, run->message);
	buf_puts(b, ",\"error\":");
	buf_json_text(b, run->error);
	buf_puts(b, ",\"figures\":");
	if (run->have_figures) {
		for (int f = 0; f < NFIGURES; f++) {
			buf_printf(b, "%s\"%s\":", f ? "," : "{", figure_info((enum figure)f)->key);
			buf_json_number(b, run->fig[f]);
		}
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
	buf_putc(b, '}');
}

static void json_document(struct sweep *sw, struct buf *b)
{
	const struct sweep_options *o = sw->o;
	buf_puts(b, "{\"kind\":\"sweep\",\"schema\":1,\"aiodemo\":");
	buf_json_text(b, o->version);
	buf_puts(b, ",\"program\":{\"name\":");
	buf_json_text(b, sw->p->info.name);
	buf_puts(b, ",\"title\":");
	buf_json_text(b, sw->p->info.title);
	buf_printf(b, "},\"scale\":%.15g,\"repeat\":%d,\"timeout\":", o->scale, o->repeat);
	if (o->timeout > 0)
		buf_printf(b, "%.15g", o->timeout);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"params\":[");
	for (int a = 0; a < sw->naxes; a++) {
		buf_puts(b, a ? "," : "");
		buf_json_text(b, sw->axes[a].name);
	}
	buf_puts(b, "],\"values\":{");
	for (int a = 0; a < sw->naxes; a++) {
		buf_puts(b, a ? "," : "");
		buf_json_text(b, sw->axes[a].name);
		buf_puts(b, ":[");
		for (int i = 0; i < sw->axes[a].nvalues; i++) {
			buf_puts(b, i ? "," : "");
			buf_json_text(b, sw->axes[a].values[i]);
		}
		buf_putc(b, ']');
	}
	buf_puts(b, "},\"fixed\":{");
	for (int k = 0; k < o->nparams; k++) {
		const char *eq = strchr(o->params[k], '=');
		buf_puts(b, k ? "," : "");
		buf_json_string(b, o->params[k], (size_t)(eq - o->params[k]));
		buf_putc(b, ':');
		buf_json_text(b, eq + 1);
	}
	buf_printf(b, "},\"plot\":\"%s\",\"points\":[", figure_info((enum figure)sw->figure)->key);
	for (int i = 0; i < sw->ndone; i++) {
		const struct point *pt = &sw->points[i];
		buf_printf(b, "%s\n{\"params\":{", i ? "," : "");
		for (int a = 0; a < sw->naxes; a++) {
			buf_puts(b, a ? "," : "");
			buf_json_text(b, sw->axes[a].name);
			buf_putc(b, ':');
			buf_json_text(b, sw->axes[a].values[pt->at[a]]);
		}
		buf_printf(b, "},\"ok\":%d,\"failed\":%d,\"runs\":[", pt->nok, pt->nfailed);
		for (int k = 0; k < pt->nruns; k++) {
			buf_puts(b, k ? "," : "");
			json_run(b, &pt->runs[k], k);
		}
		buf_puts(b, "],\"figures\":{");
		for (int f = 0; f < NFIGURES; f++) {
			struct spread s = pt->spread[f];
			buf_printf(b, "%s\"%s\":{\"median\":", f ? "," : "",
			           figure_info((enum figure)f)->key);
			buf_json_number(b, s.n ? s.median : NAN);
			buf_puts(b, ",\"min\":");
			buf_json_number(b, s.n ? s.min : NAN);
			buf_puts(b, ",\"max\":");
			buf_json_number(b, s.n ? s.max : NAN);
			buf_printf(b, ",\"n\":%d}", s.n);
		}
		buf_puts(b, "},\"speedup\":");
		buf_json_number(b, speedup_of(sw, pt));
		buf_putc(b, '}');
	}
	buf_printf(b, "],\n\"runs\":%d,\"failed\":%d,\"interrupted\":", sw->runs, sw->failed);
	if (sw->interrupted)
		buf_printf(b, "\"%s\"", signals_name(sw->interrupted));
	else
		buf_puts(b, "null");
	buf_puts(b, "}\n");
}

/* A CSV field as RFC 4180 has it: quoted when it holds a comma, a quote or
 * a line break, its quotes doubled. */
static void csv_field(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_putc(b, ',');
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static void csv_head(const struct sweep *sw, struct buf *b)
{
	for (int a = 0; a < sw->naxes; a++)
		csv_field(b, sw->axes[a].name, a == 0);
	static const char *const heads[] = { "run", "status", "exit_status", "signal", "message" };
	for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++)
		csv_field(b, heads[k], false);
	for (int f = 0; f < NFIGURES; f++)
		csv_field(b, figure_info((enum figure)f)->key, false);
	buf_puts(b, "\r\n");
}

static void csv_row(const struct sweep *sw, struct buf *b, const struct point *pt, int k)
{
	const struct run *run = &pt->runs[k];
	struct buf f = { 0 };
	for (int a = 0; a < sw->naxes; a++)
		csv_field(b, sw->axes[a].values[pt->at[a]], a == 0);
	buf_printf(&f, "%d", k + 1);
	csv_field(b, f.data, false);
	csv_field(b, run->status, false);
	buf_clear(&f);
	if (run->exit_status >= 0)
		buf_printf(&f, "%d", run->exit_status);
	csv_field(b, f.len ? f.data : NULL, false);
	buf_clear(&f);
	if (run->term_signal)
		signal_name(&f, run->term_signal);
	csv_field(b, f.len ? f.data : NULL, false);
	csv_field(b, run->message, false);
	for (int i = 0; i < NFIGURES; i++) {
		buf_clear(&f);
		if (run->have_figures && isfinite(run->fig[i]))
			buf_printf(&f, "%.6f", run->fig[i]);
		csv_field(b, f.len ? f.data : NULL, false);
	}
	buf_puts(b, "\r\n");
	buf_free(&f);
}

/* --- the plot ------------------------------------------------------------------------ */

/* The plot of the figure against the first axis, one series for each
 * combination of the other axes' values (the points i * nseries + s, the
 * first axis being the grid's outermost). Free with plot_free(). */
static struct plot plot_of(const struct sweep *sw, struct buf *title)
{
	const struct sweep_axis *x = &sw->axes[0];
	int nseries = sw->npoints / x->nvalues;
	struct plot_series *series = xcalloc((size_t)nseries, sizeof(*series));
	bool ranges = sw->o->repeat > 1;
	for (int s = 0; s < nseries; s++) {
		double *mid = xcalloc((size_t)x->nvalues, sizeof(double));
		double *lo = ranges ? xcalloc((size_t)x->nvalues, sizeof(double)) : NULL;
		double *hi = ranges ? xcalloc((size_t)x->nvalues, sizeof(double)) : NULL;
		for (int i = 0; i < x->nvalues; i++) {
			int at = i * nseries + s;
			const struct spread *sp = &sw->points[at].spread[sw->figure];
			bool have = at < sw->ndone && sp->n > 0;
			mid[i] = have ? sp->median : NAN;
			if (ranges) {
				lo[i] = have ? sp->min : NAN;
				hi[i] = have ? sp->max : NAN;
			}
		}
		struct buf label = { 0 };
		if (sw->naxes > 1)
			point_label(&label, sw, &sw->points[s], 1);
		series[s] =
		        (struct plot_series){ label.len ? buf_steal(&label) : NULL, mid, lo, hi };
		buf_free(&label);
	}
	const struct figure_info *fi = figure_info((enum figure)sw->figure);
	if (ranges)
		buf_printf(title, _("%s against %s (the median of %d runs)"), _(fi->name), x->name,
		           sw->o->repeat);
	else
		buf_printf(title, _("%s against %s"), _(fi->name), x->name);
	struct plot p = { .title = title->data,
		          .y_name = _(fi->name),
		          .unit = fi->unit,
		          .x_name = x->name,
		          .x_labels = (const char *const *)x->values,
		          .nx = x->nvalues,
		          .series = series,
		          .nseries = nseries };
	if (ranges)
		p.range_note = "min..max";
	return p;
}

static void plot_free(struct plot *p)
{
	struct plot_series *series = (struct plot_series *)p->series;
	for (int s = 0; s < p->nseries; s++) {
		free((char *)series[s].label);
		free((double *)series[s].mid);
		free((double *)series[s].lo);
		free((double *)series[s].hi);
	}
	free(series);
}

static bool plot_has_points(const struct plot *p)
{
	for (int s = 0; s < p->nseries; s++)
		for (int i = 0; i < p->nx; i++)
			if (isfinite(p->series[s].mid[i]))
				return true;
	return false;
}

/* Writes the SVG, whole or not at all; signals wait meanwhile. Returns 0 or 1. */
static int write_svg(struct sweep *sw, struct outfile *svg)
{
	struct buf title = { 0 }, t2 = { 0 }, sub = { 0 };
	struct plot p = plot_of(sw, &title);
	buf_printf(&t2, "%s: %s", sw->p->info.name, title.data);
	p.title = t2.data;
	if (program_title(&sw->p->info))
		buf_printf(&sub, "%s. ", program_title(&sw->p->info));
	buf_printf(&sub, _("Scale %g"), sw->o->scale);
	if (sw->interrupted)
		buf_printf(&sub, _("; interrupted after %d of %d points"), sw->ndone, sw->npoints);
	p.subtitle = sub.data;
	p.slides = sw->o->svg_slides;
	sigset_t block, old;
	signals_stopping(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	int rc = outfile_open(svg);
	if (rc == 0) {
		rc = plot_svg(svg->f, &p);
		int e = errno;
		if (outfile_close(svg, rc == 0) != 0)
			rc = -1;
		else
			errno = e;
	}
	if (rc != 0)
		diag_error(_("cannot write the SVG to '%s': %s"), svg->path, strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
	plot_free(&p);
	buf_free(&title);
	buf_free(&t2);
	buf_free(&sub);
	return rc != 0;
}

/* --- the sweep ----------------------------------------------------------------------- */

/* Parses and checks everything before the first run. Returns -1 to go
 * on, or an exit status. */
static int prepare(struct sweep *sw)
{
	const struct sweep_options *o = sw->o;
	char err[512];
	sw->figure = FIG_TOTAL;
	if (o->plot && (sw->figure = figure_by_key(o->plot)) < 0) {
		int n;
		const char *const *keys = figure_keys(&n);
		const char *near = suggest_name(o->plot, keys, (size_t)n);
		struct buf all = { 0 };
		for (int i = 0; i < n; i++)
			buf_printf(&all, "%s%s",
			           i == 0       ? ""
			           : i == n - 1 ? _(" or ")
			                        : _(", "),
			           keys[i]);
		int rc = near ? usage_error(_("--plot takes a figure (%s), not '%s'; did you mean "
		                              "'%s'?"),
		                            all.data, o->plot, near)
		              : usage_error(_("--plot takes a figure (%s), not '%s'"), all.data,
		                            o->plot);
		buf_free(&all);
		return rc;
	}
	sw->axes = xcalloc((size_t)o->naxes, sizeof(*sw->axes));
	for (int a = 0; a < o->naxes; a++) {
		if (sweep_axis_parse(o->axes[a], &sw->axes[a], err, sizeof(err)) != 0)
			return usage_error("%s", err);
		sw->naxes++;
		for (int b = 0; b < a; b++)
			if (!strcmp(sw->axes[a].name, sw->axes[b].name))
				return usage_error(_("%s is swept twice (%s and %s): give it one "
				                     "list or range"),
				                   sw->axes[a].name, o->axes[b], o->axes[a]);
		for (int k = 0; k < o->nparams; k++) {
			size_t n = strcspn(o->params[k], "=");
			if (n == strlen(sw->axes[a].name) &&
			    !strncmp(o->params[k], sw->axes[a].name, n))
				return usage_error(
				        _("%s is swept: it cannot be set with --param %s too"),
				        sw->axes[a].name, o->params[k]);
		}
	}
	double points = 1;
	for (int a = 0; a < sw->naxes; a++)
		points *= sw->axes[a].nvalues;
	if (points > SWEEP_MAX_POINTS) {
		struct buf dims = { 0 };
		for (int a = 0; a < sw->naxes; a++)
			buf_printf(&dims, "%s%d", a ? " x " : "", sw->axes[a].nvalues);
		int rc = usage_error(
		        _("the grid has %.0f points (%s), more than the %d a sweep can have"),
		        points, dims.data, SWEEP_MAX_POINTS);
		buf_free(&dims);
		return rc;
	}
	sw->npoints = (int)points;
	/* The program, its parameters, and that it compiles with the first
	 * point's values: as for run, a mistake is found before anything runs.
	 * (A parameter's value is a literal: any other compiles as well.) */
	if (!(sw->p = program_load(o->target)))
		return EXIT_USAGE;
	for (int k = 0; k < o->nparams; k++)
		if (program_set_param(sw->p, o->params[k]) != 0)
			return EXIT_USAGE;
	for (int a = 0; a < sw->naxes; a++) {
		struct buf set = { 0 };
		buf_printf(&set, "%s=%s", sw->axes[a].name, sw->axes[a].values[0]);
		int rc = program_set_param(sw->p, set.data);
		buf_free(&set);
		if (rc != 0)
			return EXIT_USAGE;
	}
	if (host_check_compiles(&sw->p, 1) != 0)
		return EXIT_USAGE;
	return -1;
}

/* The grid: the first axis outermost, the last changing fastest. */
static void make_points(struct sweep *sw)
{
	sw->points = xcalloc((size_t)sw->npoints, sizeof(*sw->points));
	for (int i = 0; i < sw->npoints; i++) {
		struct point *pt = &sw->points[i];
		pt->at = xcalloc((size_t)sw->naxes, sizeof(int));
		pt->runs = xcalloc((size_t)sw->o->repeat, sizeof(*pt->runs));
		for (int a = sw->naxes - 1, rest = i; a >= 0; a--) {
			pt->at[a] = rest % sw->axes[a].nvalues;
			rest /= sw->axes[a].nvalues;
		}
	}
	sw->widths = xcalloc((size_t)sw->naxes, sizeof(int));
	for (int a = 0; a < sw->naxes; a++) {
		sw->widths[a] = text_width(sw->axes[a].name);
		for (int i = 0; i < sw->axes[a].nvalues; i++) {
			int w = text_width(sw->axes[a].values[i]);
			sw->widths[a] = w > sw->widths[a] ? w : sw->widths[a];
		}
	}
}

/* Runs the point's runs, and writes a CSV row after each. */
static void run_point(struct sweep *sw, struct point *pt, struct buf *b)
{
	const struct sweep_options *o = sw->o;
	int n = o->nparams + sw->naxes;
	char **params = xcalloc((size_t)n, sizeof(char *));
	for (int k = 0; k < o->nparams; k++)
		params[k] = xstrdup(o->params[k]);
	for (int a = 0; a < sw->naxes; a++) {
		struct buf set = { 0 };
		buf_printf(&set, "%s=%s", sw->axes[a].name, sw->axes[a].values[pt->at[a]]);
		params[o->nparams + a] = buf_steal(&set);
	}
	struct child_options co = { .scale = o->scale,
		                    .slow = o->slow,
		                    .max_events = o->max_events,
		                    .params = params,
		                    .nparams = n,
		                    .timeout = o->timeout };
	for (int k = 0; k < o->repeat && !sw->out_errno; k++) {
		show_progress(sw, pt, k);
		/* A signal that came between two runs reached neither. */
		if (*o->caught_signal) {
			sw->interrupted = *o->caught_signal;
			break;
		}
		struct run *run = &pt->runs[k];
		struct child_result r;
		if (child_run(o->target, &co, &r) != 0) {
			*run = (struct run){ "error", -1,
				             0,       xstrdup("the run could not start"),
				             NULL,    false,
				             { 0 } };
		} else {
			judge(sw, run, &r);
			child_result_free(&r);
		}
		pt->nruns++;
		if (!strcmp(run->status, "ok"))
			pt->nok++;
		else if (strcmp(run->status, "interrupted") != 0)
			pt->nfailed++;
		if (o->format == SWEEP_CSV) {
			csv_row(sw, b, pt, k);
			emit(sw, b);
		}
		if (*o->caught_signal) {
			sw->interrupted = *o->caught_signal;
			break;
		}
	}
	for (int f = 0; f < NFIGURES; f++) {
		double *v = xcalloc((size_t)o->repeat, sizeof(double));
		int nv = 0;
		for (int k = 0; k < pt->nruns; k++)
			if (!strcmp(pt->runs[k].status, "ok"))
				v[nv++] = pt->runs[k].fig[f];
		pt->spread[f] = spread_of(v, nv);
		free(v);
	}
	for (int k = 0; k < n; k++)
		free(params[k]);
	free(params);
}

static void sweep_free(struct sweep *sw)
{
	for (int i = 0; sw->points && i < sw->npoints; i++) {
		for (int k = 0; k < sw->points[i].nruns; k++) {
			free(sw->points[i].runs[k].message);
			free(sw->points[i].runs[k].error);
		}
		free(sw->points[i].runs);
		free(sw->points[i].at);
	}
	free(sw->points);
	for (int a = 0; a < sw->naxes; a++)
		sweep_axis_free(&sw->axes[a]);
	free(sw->axes);
	free(sw->widths);
	program_free(sw->p);
}

/* The points whose runs were all done: all but the last one done, if a
 * signal stopped it. */
static int complete_points(const struct sweep *sw)
{
	if (!sw->ndone)
		return 0;
	const struct point *last = &sw->points[sw->ndone - 1];
	bool whole = last->nruns == sw->o->repeat;
	for (int k = 0; k < last->nruns; k++)
		whole &= strcmp(last->runs[k].status, "interrupted") != 0;
	return sw->ndone - !whole;
}

/* The end of a text sweep: how the runs went, and the plot. */
static void text_end(struct sweep *sw, struct buf *b)
{
	if (sw->interrupted)
		buf_printf(b, _("\ninterrupted by %s after %d of %d points\n"),
		           signals_name(sw->interrupted), complete_points(sw), sw->npoints);
	else if (sw->failed)
		buf_printf(b, _("\n%d of %d runs failed\n"), sw->failed, sw->runs);
	/* One point is a row, not a plot. */
	if (sw->npoints == 1)
		return;
	struct buf title = { 0 };
	struct plot p = plot_of(sw, &title);
	if (plot_has_points(&p)) {
		buf_putc(b, '\n');
		plot_text(&p, b, text_columns(), sw->utf8, sw->o->color);
	}
	plot_free(&p);
	buf_free(&title);
}

int sweep_run(const struct sweep_options *o)
{
	struct sweep sw = { .o = o };
	const char *cs = nl_langinfo(CODESET);
	sw.utf8 = cs && !strcmp(cs, "UTF-8");
	int status = prepare(&sw);
	struct outfile svg = { o->svg, _("SVG"), NULL, NULL };
	const char *inputs[] = { sw.p ? sw.p->path : NULL };
	if (status < 0 && o->svg && outfile_check(&svg, 1, inputs, inputs[0] ? 1 : 0) != 0)
		status = EXIT_USAGE;
	if (status >= 0) {
		sweep_free(&sw);
		return status;
	}
	make_points(&sw);
	sw.progress = o->format == SWEEP_TEXT && isatty(STDOUT_FILENO);
	struct buf b = { 0 };
	if (o->format == SWEEP_TEXT) {
		heading(&sw, &b);
		table_head(&sw, &b);
	} else if (o->format == SWEEP_CSV) {
		csv_head(&sw, &b);
	}
	emit(&sw, &b);
	while (sw.ndone < sw.npoints && !sw.interrupted && !sw.out_errno) {
		if (*o->caught_signal) {
			sw.interrupted = *o->caught_signal;
			break;
		}
		struct point *pt = &sw.points[sw.ndone];
		run_point(&sw, pt, &b);
		if (sw.progress)
			buf_puts(&b, "\r\033[K");
		if (!pt->nruns) { /* stopped before its first run */
			emit(&sw, &b);
			break;
		}
		sw.ndone++;
		sw.runs += pt->nruns;
		sw.failed += pt->nfailed;
		if (o->format == SWEEP_TEXT)
			table_row(&sw, &b, pt);
		emit(&sw, &b);
	}
	if (o->format == SWEEP_TEXT)
		text_end(&sw, &b);
	else if (o->format == SWEEP_JSON)
		json_document(&sw, &b);
	emit(&sw, &b);
	buf_free(&b);
	if (o->format != SWEEP_TEXT && sw.interrupted)
		diag_note(_("the sweep was interrupted by %s after %d of %d points"),
		          signals_name(sw.interrupted), complete_points(&sw), sw.npoints);
	status = sw.failed ? 1 : 0;
	if (o->svg && write_svg(&sw, &svg) != 0)
		status = 1;
	if (sw.out_errno == EPIPE) {
		status = RUN_BROKEN_PIPE;
	} else if (sw.out_errno) {
		diag_error(_("writing the output failed: %s"), strerror(sw.out_errno));
		status = 1;
	}
	if (sw.interrupted)
		status = 128 + sw.interrupted;
	sweep_free(&sw);
	return status;
}
