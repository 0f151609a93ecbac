/* The figures that compare, --repeat and sweep tell of a run, and their
 * spread over repeated runs. */
#ifndef AIODEMO_REPORT_FIGURES_H
#define AIODEMO_REPORT_FIGURES_H

#include <stdbool.h>

#include "record/timeline.h"
#include "util/buf.h"

/** A run's figures, in the order of the tables. */
enum figure {
	FIG_TOTAL,      /* seconds from the program's start to its end */
	FIG_MAX_LAG,    /* the loop's worst lateness */
	FIG_LAG_P99,    /* its 99th percentile */
	FIG_QUEUE_WAIT, /* the longest a job waited for a worker */
	FIG_BLOCKED,    /* the time the loop was blocked, all windows */
	FIG_BUSY,       /* the share of the run the loop thread was busy */
	FIG_THREADS,    /* the threads besides the loop's that the run used */
	FIG_PROCESSES,  /* the worker processes it used */
	NFIGURES
};

/** What a figure counts in. */
enum figure_unit {
	UNIT_SECONDS,
	UNIT_SHARE, /* from 0 to 1, shown as a percentage */
	UNIT_COUNT,
};

/** What a figure is called. */
struct figure_info {
	const char *key;  /* in JSON, CSV and --plot: "total", "lag_p99", ... */
	const char *name; /* in tables: "total", "loop lag p99", ... */
	enum figure_unit unit;
};

/** The names of figure @f. */
const struct figure_info *figure_info(enum figure f);

/** The figure whose key is @key, or -1. */
int figure_by_key(const char *key);

/** The keys of every figure, for suggestions; *@n gets their number. */
const char *const *figure_keys(int *n);

/** Fills @out with the figures of a run: its timeline and summary. */
void figures_of(const struct timeline *tl, const struct run_summary *s, double out[NFIGURES]);

/** The median and the range of some values. */
struct spread {
	double median, min, max;
	int n; /* how many values; 0 when there were none */
};

/** The spread of the @n values @v (which it sorts). */
struct spread spread_of(double *v, int n);

/** Whether two spreads' ranges overlap: a difference between their
 *  medians that the runs' own variation could make. */
bool spread_overlap(struct spread a, struct spread b);

/** @b / @a, with the conventions of the tables: 1 when both are 0,
 *  infinity when only @a is. */
double figure_ratio(double b, double a);

/** Appends @v as tables show a figure of @unit: "1.002 s", "0.4 ms",
 *  "37%", "6" (a median of counts may be "5.5"), "-" when it is not
 *  finite. */
void figure_format(struct buf *b, double v, enum figure_unit unit);

/** Appends the range of @s in the unit of its larger end: "0.99..1.03 s",
 *  "4..6". */
void figure_format_range(struct buf *b, struct spread s, enum figure_unit unit);

#endif
