/* Files a run can be saved as: its full event stream (--record, read back
 * by `aiodemo replay`), a Chrome trace for Perfetto (--trace), and an SVG
 * picture of its Gantt chart (--svg). */
#ifndef AIODEMO_EXPORT_H
#define AIODEMO_EXPORT_H

#include <stdio.h>

#include "render.h"
#include "util/buf.h"
#include "record/timeline.h"

/** The version of the record format written by export_record(). */
#define RECORD_VERSION 2

/** What a record says about the scenario it ran, and the program itself:
 *  its name in messages and its text, as it ran (with --param's values). */
struct record_info {
	const char *name, *title, *source, *notice;
	double scale;
	const char *file, *text;
};

/** Writes the run as a record (one JSON document). Returns 0 or -1 (errno). */
int export_record(FILE *f, const struct record_info *info, const struct timeline *tl,
                  const struct run_summary *s);

/** Writes Chrome Trace Event JSON: a track per lane, slices for running,
 *  blocking and jobs, counters for queue depth and loop lag, instants for
 *  say lines. Returns 0 or -1 (errno). */
int export_trace(FILE *f, const struct record_info *info, const struct timeline *tl,
                 const struct model *m);

/** Appends @s as XML character data: markup escaped, and the control
 *  characters XML 1.0 refuses outright (even as &#1;) shown as U+FFFD. */
void export_xml_text(struct buf *b, const char *s);

/** Writes a self-contained SVG of the Gantt chart. Returns 0 or -1 (errno). */
int export_svg(FILE *f, const struct record_info *info, const struct model *m,
               const struct run_summary *s);

#endif
