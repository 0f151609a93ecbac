/* The HTML page of a run (--html): one self-contained file, no network,
 * no external script, that steps through the run as aiodemo play does: the
 * chart with a time slider and a play button, the source with the current
 * line, the loop's state and the task tree at the slider's moment, the
 * lines printed, details on every bar; for compare, both runs on one time
 * axis. Dark and light, large type, printable. */
#ifndef AIODEMO_REPORT_HTML_H
#define AIODEMO_REPORT_HTML_H

#include <stdio.h>

#include "export.h"
#include "render.h"
#include "record/timeline.h"

/** One run of the page. */
struct html_run {
	const struct record_info *info;
	const struct timeline *tl;
	const struct model *m;
	const struct run_summary *s;
};

/** Writes the page of @nruns runs (1, or 2 for compare). Returns 0 or -1
 *  (errno). */
int export_html(FILE *f, const struct html_run *runs, int nruns);

#endif
