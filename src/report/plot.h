/* A plot of one figure against a parameter's values, on the terminal and
 * as SVG: points (a median), each with its range (min..max of repeated
 * runs), joined by lines, one series for each combination of the other
 * parameters. It takes numbers and labels, nothing of the runs. */
#ifndef AIODEMO_REPORT_PLOT_H
#define AIODEMO_REPORT_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "report/figures.h"
#include "util/buf.h"

/** One series: a value for each x position, NAN where there is none. */
struct plot_series {
	const char *label;     /* in the legend: "jobs=8"; NULL for the only series */
	const double *mid;     /* the point: the median */
	const double *lo, *hi; /* its range, or NULL for none */
};

/** What to plot. */
struct plot {
	const char *title;           /* above it: "total against workers" */
	const char *subtitle;        /* the SVG's second line, or NULL */
	const char *y_name;          /* the figure: "total" */
	enum figure_unit unit;       /* seconds, shares of 0..1, or counts */
	const char *x_name;          /* the parameter: "workers" */
	const char *const *x_labels; /* its @nx values, evenly spaced in this order */
	int nx;
	const struct plot_series *series;
	int nseries;
	const char *range_note; /* the legend of a range, "min..max of 3 runs", or NULL */
	bool slides;            /* SVG: a 1920x1080 slide, the plot scaled up to fill it */
};

/** Appends the plot, at most @width columns wide, with UTF-8 lines and
 *  braille (or ASCII) and, if @color, ANSI colours. */
void plot_text(const struct plot *p, struct buf *out, int width, bool utf8, bool color);

/** Writes the plot as a self-contained SVG picture (a slide if p->slides).
 *  Returns 0 or -1 (errno). */
int plot_svg(FILE *f, const struct plot *p);

#endif
