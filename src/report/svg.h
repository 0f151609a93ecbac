/* The SVG picture of runs (--svg): the Gantt chart of one run, or of the
 * runs of a comparison stacked on one time axis, with the lines the
 * programs printed and the windows in which the loop was blocked as
 * callouts at their times on their lanes; as a page of a document, or as
 * a 16:9 slide with type large enough for the back of a classroom. */
#ifndef AIODEMO_REPORT_SVG_H
#define AIODEMO_REPORT_SVG_H

#include <stdio.h>

#include "export.h"
#include "render.h"
#include "record/timeline.h"

/** The fonts of aiodemo's pictures: the Latin ones first, then fonts with
 *  CJK glyphs for the lines that programs print in Chinese, and emoji. */
#define SVG_FONTS                                                                                  \
	"DejaVu Sans, Arial, Noto Sans CJK SC, Droid Sans Fallback, Noto Sans CJK, "               \
	"Noto Color Emoji, sans-serif"

/** The look of the picture (--svg-style). */
enum svg_style {
	SVG_PAGE,   /* 1180 pixels wide, as tall as its lanes need, small type */
	SVG_SLIDES, /* 1920x1080, large type, at most a dozen lanes */
};

/** One run of the picture. */
struct svg_run {
	const struct record_info *info;
	const struct timeline *tl;
	const struct model *m;
	const struct run_summary *s;
	const char *label; /* compare: the run as given ("bounded-pool workers=4"), else NULL */
};

/** Reads a style's name, "page" or "slides", into *@out. Returns 0, or -1. */
int svg_style_parse(const char *name, enum svg_style *out);

/** The width in pixels that @s takes at @font_size pixels, as the picture
 *  reckons it: a column (text_width(), CJK characters two) is 0.62 em. */
double svg_text_px(const char *s, double font_size);

/** Writes the picture of @nruns runs (more than one: labelled A, B, ...,
 *  on the time axis of the longest). Returns 0 or -1 (errno). */
int svg_write(FILE *f, const struct svg_run *runs, int nruns, enum svg_style style);

#endif
