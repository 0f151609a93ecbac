/* aiodemo sweep: a program run over a grid of its parameters' values.
 *
 *   aiodemo sweep bounded-pool workers=1..6 --repeat 3
 *
 * Each PARAM=LIST|RANGE is an axis; the grid is every combination of
 * their values, the first parameter's outermost. Each point is run
 * --repeat times, every run a child process of its own (child.h), and
 * told as a row of figures (report/figures.h) once its runs are done;
 * then a plot of one figure against the first parameter (report/plot.h).
 * Or one JSON document, or CSV, one row a run. */
#ifndef AIODEMO_CLI_SWEEP_H
#define AIODEMO_CLI_SWEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/** The most points a grid may have, and the most runs of each. */
enum { SWEEP_MAX_POINTS = 1000, SWEEP_MAX_REPEAT = 100 };

/** One swept parameter: its name and values, as --param takes them. */
struct sweep_axis {
	char *name;
	char *spec; /* what followed NAME=: "1..6", "1,2,4" */
	char **values;
	int nvalues;
};

/** Parses "NAME=LIST" (1,2,4,8; numbers, True, False or None) or
 *  "NAME=FIRST..LAST[:STEP]" (1..6, 0.5..2:0.5; STEP 1 by default, the
 *  values written with as many decimals as FIRST, LAST and STEP have).
 *  Returns 0, or -1 with the reason in @err. */
int sweep_axis_parse(const char *arg, struct sweep_axis *axis, char *err, size_t size);

/** Frees what sweep_axis_parse() made; a zeroed axis is a no-op. */
void sweep_axis_free(struct sweep_axis *axis);

/** How the output is written. */
enum sweep_format { SWEEP_TEXT, SWEEP_JSON, SWEEP_CSV };

/** What `aiodemo sweep` was asked. */
struct sweep_options {
	const char *target; /* NAME or FILE.py */
	char *const *axes;  /* PARAM=LIST|RANGE */
	int naxes;
	char *const *params; /* --param NAME=VALUE, the same at every point */
	int nparams;
	double scale, slow; /* passed to every run, as --max-events is */
	size_t max_events;
	int repeat;       /* runs of each point, 1 to SWEEP_MAX_REPEAT */
	double timeout;   /* real seconds a run may take; 0: no limit */
	const char *plot; /* the figure to plot (a key of figures.h), or NULL: total */
	const char *svg;  /* the file to save the plot in, or NULL */
	bool svg_slides;  /* --svg-style slides: the plot as a 1920x1080 slide */
	enum sweep_format format;
	bool color;
	const char *version; /* aiodemo's, for the JSON document */
	/* Set by the command's signal handler when SIGINT, SIGTERM or SIGHUP came. */
	volatile sig_atomic_t *caught_signal;
};

/** Runs the sweep and writes what it finds on stdout. Returns 0 when
 *  every run ended ok, 1 when one did not, 2 for a usage error (printed),
 *  141 when the reader of the output went away, or 128 + N when signal N
 *  stopped it (after telling what it had so far). */
int sweep_run(const struct sweep_options *o);

#endif
