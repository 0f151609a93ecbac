/* Files a run can be saved as: its full event stream (--record, read back
 * by `aiodemo replay`) and a Chrome trace for DevTools, Perfetto and
 * speedscope (--trace), and the header line of the JSON stream, which says
 * what the record says of the run. The SVG picture (--svg) is svg.h's. */
#ifndef AIODEMO_EXPORT_H
#define AIODEMO_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "util/buf.h"
#include "render.h"
#include "util/buf.h"
#include "record/timeline.h"

/** The version of the record format written by export_record(). */
#define RECORD_VERSION 3
/** The oldest version of records that replay still reads. */
#define RECORD_OLDEST 2

/** The form of the JSON stream (--format json), its header's "schema":
 *  it grows when a line changes form incompatibly (a key removed or
 *  renamed, a type or a meaning changed); new keys and kinds do not. */
#define STREAM_SCHEMA 1

/** A parameter the program's header declares (aiodemo-program(5)). */
struct record_param {
	const char *name;
	const char *value;    /* in the run */
	const char *declared; /* in the header */
	bool set;             /* --param gave it its value */
};

/** The machine a run ran on. */
struct record_machine {
	int cpus;             /* online CPUs (os.cpu_count()); 0 if unknown */
	const char *kernel;   /* "Linux 6.1.0-18-amd64 x86_64" */
	const char *hostname; /* NULL if unknown */
};

/** What a record says about the scenario it ran, and the program itself:
 *  its name in messages and its text, as it ran (with --param's values);
 *  and what the JSON stream's header says of the run. A record of version
 *  2 does not say the last: NULL, -1 and 0 there. */
struct record_info {
	const char *name, *title, *source, *notice;
	const char *title_zh, *source_zh, *notice_zh; /* the Chinese ones, or NULL */
	double scale;
	const char *file, *text;
	const char *const *args; /* the program's sys.argv[1:] */
	int nargs;               /* -1: not known */
	const struct record_param *params;
	int nparams;                   /* -1: not known */
	const char *aiodemo;           /* the version of the aiodemo that ran it */
	const char *python;            /* the version of CPython that ran it */
	const char *started;           /* when, in UTC: "2026-12-02T05:50:01Z" */
	struct record_machine machine; /* kernel NULL: not known */
};

/** The title in the language of aiodemo's words: title_zh in Chinese when
 *  there is one, else the title (or NULL). */
const char *export_title(const struct record_info *info);

/** The same of the source. */
const char *export_source(const struct record_info *info);

/** The same of what to notice. */
const char *export_notice(const struct record_info *info);

/** Writes the run as a record (one JSON document). Returns 0 or -1 (errno). */
int export_record(FILE *f, const struct record_info *info, const struct timeline *tl,
                  const struct run_summary *s);

/** Appends the first line of the JSON stream of the run @info tells of,
 *  {"kind":"header",...} and its newline, to @b. */
void export_header(struct buf *b, const struct record_info *info);

/** Appends the parameters --param set, as the headings show them
 *  (" · workers=4 · urls=8", each after @sep), to @b: visible text. */
void export_params_text(struct buf *b, const struct record_info *info, const char *sep, bool utf8);

/** Writes Chrome Trace Event JSON: a track per lane, complete slices for
 *  running, ready, blocking, each wait (named after what it waits for) and
 *  each job, flows from each offload to its job and back, counters for
 *  queue depth and loop lag, instants for say lines. Returns 0 or -1 (errno). */
int export_trace(FILE *f, const struct record_info *info, const struct timeline *tl,
                 const struct model *m);

/** Appends @s as XML character data: markup escaped, and the control
 *  characters XML 1.0 refuses outright (even as &#1;) shown as U+FFFD. */
void export_xml_text(struct buf *b, const char *s);

#endif
