/* aiodemo compare: see compare.h. */
#include "compare.h"

#include <errno.h>
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "report/html.h"
#include "report/render.h"
#include "report/svg.h"
#include "report/table.h"
#include "runs.h"
#include "util/buf.h"
#include "util/signals.h"
#include "util/text.h"
#include "util/i18n.h"

#ifndef AIODEMO_VERSION
#define AIODEMO_VERSION "unknown"
#endif

/* The letters that name the runs in headings and tables. */
enum { MAX_RUNS = 26 };

static char letter(int i)
{
	return (char)('A' + i);
}

/* What compare knows of each set once its runs are done. */
struct shown {
	int run;                    /* the run shown: the median total */
	struct spread sp[NFIGURES]; /* over the set's runs */
	struct model m;             /* the shown run's, for its chart */
	const struct child_result *r;
};

/* The table: a row per figure (and its range when runs were repeated), a
 * column per set and, after the first, its ratio to the first. */
static void print_table(const struct run_set *sets, const struct shown *sh, int n, int repeat,
                        struct buf *out, int width)
{
	int cols = 1 + n + (n - 1);
	struct table t;
	table_init(&t, 1 + NFIGURES * (repeat > 1 ? 2 : 1), cols);
	struct buf b = { 0 };
	for (int i = 0; i < n; i++) {
		int col = i == 0 ? 1 : 2 * i;
		buf_printf(&b, "%c", letter(i));
		table_set(&t, 0, col, &b);
		if (i > 0) {
			buf_printf(&b, "%c/A", letter(i));
			table_set(&t, 0, col + 1, &b);
		}
	}
	int row = 1;
	for (int f = 0; f < NFIGURES; f++, row++) {
		const struct figure_info *fi = figure_info((enum figure)f);
		buf_puts(&b, _(fi->name));
		table_set(&t, row, 0, &b);
		if (repeat > 1) {
			buf_printf(&b, "  %s", _("range"));
			table_set(&t, row + 1, 0, &b);
		}
		for (int i = 0; i < n; i++) {
			int col = i == 0 ? 1 : 2 * i;
			figure_format(&b, sh[i].sp[f].median, fi->unit);
			table_set(&t, row, col, &b);
			if (repeat > 1) {
				figure_format_range(&b, sh[i].sp[f], fi->unit);
				table_set(&t, row + 1, col, &b);
			}
			if (i > 0) {
				double r = figure_ratio(sh[i].sp[f].median, sh[0].sp[f].median);
				if (isfinite(r))
					buf_printf(&b, "%.2fx", r);
				else
					buf_puts(&b, "-");
				table_set(&t, row, col + 1, &b);
			}
		}
		if (repeat > 1)
			row++;
	}
	(void)sets;
	buf_free(&b);
	table_print(&t, out, width);
	table_free(&t);
}

/* A difference in total that repeated runs of one program on one machine
 * show (what else runs, caches, the CPU's clock): not a difference the
 * programs make, even where the ranges do not overlap. */
#define SMALL_DIFFERENCE 0.05

/* What the spread says of each set against the first: whether a
 * difference in total is beyond the runs' own variation. */
static void notes_of(const struct shown *sh, int n, int repeat, struct buf *notes, bool json,
                     int width)
{
	if (repeat < 2)
		return;
	for (int i = 1; i < n; i++) {
		struct spread a = sh[0].sp[FIG_TOTAL], b = sh[i].sp[FIG_TOTAL];
		struct buf ra = { 0 }, rb = { 0 }, line = { 0 };
		figure_format_range(&ra, a, UNIT_SECONDS);
		figure_format_range(&rb, b, UNIT_SECONDS);
		double r = figure_ratio(b.median, a.median);
		if (spread_overlap(a, b))
			buf_printf(&line,
			           T_(!json,
			              "%c's total and A's overlap (A %s, %c %s over %d runs "
			              "each): the difference is within the runs' own variation"),
			           letter(i), ra.data, letter(i), rb.data, repeat);
		else if (fabs(r - 1) < SMALL_DIFFERENCE)
			buf_printf(&line,
			           T_(!json,
			              "%c's total is %.2fx A's: their ranges do not overlap (A %s, "
			              "%c %s over %d runs each), but a difference under %.0f%% is "
			              "what a busy machine makes of the same run"),
			           letter(i), r, ra.data, letter(i), rb.data, repeat,
			           SMALL_DIFFERENCE * 100);
		else
			buf_printf(&line,
			           T_(!json,
			              "%c's total is %.2fx A's, beyond the runs' own variation "
			              "(A %s, %c %s over %d runs each)"),
			           letter(i), r, ra.data, letter(i), rb.data, repeat);
		if (json) {
			if (notes->len)
				buf_putc(notes, ',');
			buf_json_string(notes, line.data, line.len);
		} else {
			text_wrap(notes, line.data, width, "  ", "    ");
		}
		buf_free(&ra);
		buf_free(&rb);
		buf_free(&line);
	}
}

/* The figures of @v as an object. */
static void json_figures(struct buf *b, const double v[NFIGURES])
{
	buf_putc(b, '{');
	for (int f = 0; f < NFIGURES; f++) {
		buf_printf(b, "%s\"%s\":", f ? "," : "", figure_info((enum figure)f)->key);
		buf_json_number(b, v[f]);
	}
	buf_putc(b, '}');
}

/* The --param values of a spec, as an object: the last of a name wins. */
static void json_params(struct buf *b, const struct run_spec *s)
{
	buf_putc(b, '{');
	bool any = false;
	for (int k = 0; k < s->nparams; k++) {
		const char *eq = strchr(s->params[k], '=');
		size_t len = (size_t)(eq - s->params[k]);
		bool later = false;
		for (int j = k + 1; j < s->nparams; j++)
			later |= !strncmp(s->params[j], s->params[k], len + 1);
		if (later)
			continue;
		if (any)
			buf_putc(b, ',');
		any = true;
		buf_json_string(b, s->params[k], len);
		buf_putc(b, ':');
		buf_json_string(b, eq + 1, strlen(eq + 1));
	}
	buf_putc(b, '}');
}

static void print_json(const struct run_set *sets, const struct shown *sh, int n, int repeat,
                       struct buf *out)
{
	buf_printf(out, "{\"kind\":\"compare\",\"schema\":1,\"aiodemo\":");
	buf_json_text(out, AIODEMO_VERSION);
	buf_printf(out, ",\"repeat\":%d,\"runs\":[", repeat);
	for (int i = 0; i < n; i++) {
		const struct run_set *set = &sets[i];
		const struct child_result *r = sh[i].r;
		const struct run_summary *s = &r->record.summary;
		buf_printf(out, "%s{\"label\":\"%c\",\"run\":", i ? "," : "", letter(i));
		buf_json_text(out, set->spec->label);
		buf_puts(out, ",\"program\":");
		buf_json_text(out, set->spec->target);
		buf_puts(out, ",\"scenario\":");
		buf_json_text(out, r->record.info.name);
		buf_puts(out, ",\"title\":");
		buf_json_text(out, r->record.info.title);
		buf_puts(out, ",\"params\":");
		json_params(out, set->spec);
		buf_printf(out, ",\"scale\":%.17g,\"status\":", set->spec->scale);
		buf_json_text(out, s->status);
		buf_puts(out, ",\"error\":");
		buf_json_text(out, s->error);
		buf_printf(out, ",\"exit_status\":%d,\"shown\":%d", run_set_status(set), sh[i].run);
		double med[NFIGURES], lo[NFIGURES], hi[NFIGURES], ratio[NFIGURES];
		for (int f = 0; f < NFIGURES; f++) {
			med[f] = sh[i].sp[f].median;
			lo[f] = sh[i].sp[f].min;
			hi[f] = sh[i].sp[f].max;
			ratio[f] = figure_ratio(med[f], sh[0].sp[f].median);
		}
		buf_puts(out, ",\"figures\":");
		json_figures(out, med);
		buf_puts(out, ",\"min\":");
		json_figures(out, lo);
		buf_puts(out, ",\"max\":");
		json_figures(out, hi);
		buf_puts(out, ",\"ratio\":");
		json_figures(out, ratio);
		buf_puts(out, ",\"each\":[");
		for (int k = 0; k < set->n; k++) {
			const struct child_result *rk = &set->r[k];
			buf_printf(out, "%s{\"status\":", k ? "," : "");
			buf_json_text(out, rk->record.summary.status);
			buf_printf(out, ",\"exit_status\":%d,\"figures\":", rk->exit_status);
			json_figures(out, set->figures[k]);
			buf_putc(out, '}');
		}
		buf_puts(out, "]}");
	}
	struct buf notes = { 0 };
	notes_of(sh, n, repeat, &notes, true, 0);
	buf_printf(out, "],\"notes\":[%s]}\n", notes.data ? notes.data : "");
	buf_free(&notes);
}

static void print_text(const struct options *o, const struct run_set *sets, struct shown *sh, int n,
                       int repeat, struct buf *out)
{
	bool color = use_color(o);
	const char *cs = nl_langinfo(CODESET);
	bool utf8 = cs && !strcmp(cs, "UTF-8");
	int width = text_columns();
	/* One time axis for all: the longest shown run's. */
	double end = 0;
	int label_width = 0;
	for (int i = 0; i < n; i++) {
		if (sh[i].r->record.summary.total > end)
			end = sh[i].r->record.summary.total;
		if (render_label_width(&sh[i].m, width) > label_width)
			label_width = render_label_width(&sh[i].m, width);
	}
	for (int i = 0; i < n; i++) {
		const struct record_info *info = &sh[i].r->record.info;
		const struct run_summary *s = &sh[i].r->record.summary;
		struct buf label = { 0 };
		text_wrap(&label, sets[i].spec->label, width - 2, "", "    ");
		buf_printf(out, "%s%c %s%.*s%s%s", i ? "\n" : "", letter(i), color ? "\033[1m" : "",
		           (int)strcspn(label.data, "\n"), label.data, color ? "\033[0m" : "",
		           label.data + strcspn(label.data, "\n"));
		buf_free(&label);
		if (export_title(info))
			text_wrap(out, export_title(info), width, "  ", "  ");
		if (repeat > 1)
			buf_printf(out, _("  run %d of %d shown: the median total\n"),
			           sh[i].run + 1, sets[i].n);
		if (strcmp(s->status, "ok") != 0) {
			struct buf error = { 0 };
			if (s->error)
				timeline_error_text(&error, s->error);
			buf_printf(out, _("  the run ended with %s%s%s\n"),
			           timeline_status_word(s->status), s->error ? _(": ") : "",
			           error.data ? error.data : "");
			buf_free(&error);
		}
		sh[i].m.end = end;
		sh[i].m.label_width = label_width;
		render_gantt(&sh[i].m, out, width, 12, utf8, color);
	}
	buf_putc(out, '\n');
	print_table(sets, sh, n, repeat, out, width);
	struct buf notes = { 0 };
	notes_of(sh, n, repeat, &notes, false, width);
	if (notes.len)
		buf_printf(out, "\n%s", notes.data);
	buf_free(&notes);
}

/* The files of compare: the page (--html) and the picture (--svg). */
enum { FILE_PAGE, FILE_SVG, NFILES };

/* What write_files() writes. */
struct pictures {
	struct html_run *runs;
	struct svg_run *svg;
	int n;
	enum svg_style style;
};

static int write_file(FILE *f, int k, void *ctx)
{
	const struct pictures *p = ctx;
	return k == FILE_PAGE ? export_html(f, p->runs, p->n)
	                      : svg_write(f, p->svg, p->n, p->style);
}

/* Writes the files asked for, each whole or not at all. Returns 0 or 1. */
static int write_files(const struct options *o, const struct run_set *sets,
                       struct outfile files[NFILES], const struct shown *sh, int n)
{
	struct html_run *runs = xcalloc((size_t)n, sizeof(*runs));
	struct svg_run *pictures = xcalloc((size_t)n, sizeof(*pictures));
	for (int i = 0; i < n; i++) {
		runs[i] = (struct html_run){ &sh[i].r->record.info, sh[i].r->record.tl, &sh[i].m,
			                     &sh[i].r->record.summary };
		pictures[i] = (struct svg_run){ runs[i].info, runs[i].tl, runs[i].m, runs[i].s,
			                        sets[i].spec->label };
	}
	struct pictures p = { runs, pictures, n, o->svg_style };
	int status = outfiles_write(files, NFILES, write_file, &p);
	free(runs);
	free(pictures);
	return status;
}

int cmd_compare(const struct options *o)
{
	if (o->ntargets > MAX_RUNS)
		return usage_error(_("'compare' takes at most %d runs, not %d"), MAX_RUNS,
		                   o->ntargets);
	if (install_signals() != 0) {
		diag_error(_("cannot set up signal handling: %s"), strerror(errno));
		return 1;
	}
	int n = o->ntargets;
	struct run_spec *specs = xcalloc((size_t)n, sizeof(*specs));
	int status = 0, parsed = 0;
	for (; parsed < n && !status; parsed++)
		status = run_spec_parse(o->targets[parsed], o, &specs[parsed]);
	if (status) {
		parsed--;
		goto free_specs;
	}
	if (!run_specs_load(specs, n)) {
		status = EXIT_USAGE;
		goto free_specs;
	}
	struct outfile files[NFILES] = {
		[FILE_PAGE] = { o->html, _("page"), NULL, NULL },
		[FILE_SVG] = { o->svg, _("SVG"), NULL, NULL },
	};
	if (o->html || o->svg) {
		const char **inputs = xcalloc((size_t)n, sizeof(*inputs));
		for (int i = 0; i < n; i++)
			inputs[i] = specs[i].target;
		int rc = outfile_check(files, NFILES, inputs, n);
		free(inputs);
		if (rc != 0) {
			status = EXIT_USAGE;
			goto free_specs;
		}
	}
	struct run_set *sets = xcalloc((size_t)n, sizeof(*sets));
	struct child_options base = child_options_of(o);
	enum runs_end end = run_sets_execute(specs, n, o->repeat, &base, sets, NULL, NULL);
	if (end != RUNS_DONE) {
		status = end == RUNS_NO_RECORD ? runs_report_missing(sets, n) : 1;
		if (end == RUNS_INTERRUPTED) {
			end_signal = caught_signal ? caught_signal : SIGINT;
			status = 128 + end_signal;
		}
		goto free_sets;
	}
	struct shown *sh = xcalloc((size_t)n, sizeof(*sh));
	for (int i = 0; i < n; i++) {
		sh[i].run = run_set_shown(&sets[i]);
		sh[i].r = &sets[i].r[sh[i].run];
		for (int f = 0; f < NFIGURES; f++)
			sh[i].sp[f] = run_set_spread(&sets[i], (enum figure)f);
		model_build(&sh[i].m, sh[i].r->record.tl, sh[i].r->record.summary.total);
		if (run_set_status(&sets[i]) != 0 ||
		    strcmp(sh[i].r->record.summary.status, "ok") != 0)
			status = 1;
	}
	struct buf b = { 0 };
	if (o->format == TL_JSON)
		print_json(sets, sh, n, o->repeat, &b);
	else
		print_text(o, sets, sh, n, o->repeat, &b);
	bool written = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0;
	buf_free(&b);
	if (!written)
		status = output_failed(errno);
	else if ((o->html || o->svg) && write_files(o, sets, files, sh, n) != 0)
		status = 1;
	for (int i = 0; i < n; i++)
		model_free(&sh[i].m);
	free(sh);
free_sets:
	run_sets_free(sets, n);
	free(sets);
	parsed = n;
free_specs:
	for (int i = 0; i < parsed; i++)
		run_spec_free(&specs[i]);
	free(specs);
	return status;
}
