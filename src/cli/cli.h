/* What the commands of the command line share: their options, usage
 * errors, colour, and the signals that stop them. */
#ifndef AIODEMO_CLI_CLI_H
#define AIODEMO_CLI_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "child.h"
#include "record/timeline.h"
#include "report/svg.h"
#include "util/buf.h"
#include "util/diag.h"

/** Exit statuses of aiodemo's own. */
enum { EXIT_USAGE = 2, RUN_INTERRUPTED = 130, RUN_BROKEN_PIPE = 141 };

/** The command line, parsed. */
struct options {
	const char *command;
	const char *target;
	double scale;
	enum tl_format format;
	int color; /* -1 auto, 0 never, 1 always */
	char **params;
	int nparams;
	bool tap;
	bool view_events, view_gantt;     /* --view */
	const char *record, *trace, *svg; /* files to write */
	const char *html;                 /* --html: the page of the run */
	enum svg_style svg_style;         /* --svg-style */
	double slow;                      /* --slow, seconds of scenario time */
	size_t max_events;                /* --max-events */
	int repeat;                       /* --repeat: runs of each program, 1 by default */
	bool csv;                         /* --format csv, which only sweep writes */
	double timeout;                   /* sweep --timeout, or 0 */
	const char *plot;                 /* sweep --plot */
	bool quick;                       /* bench: small sizes */
	bool names;                       /* list --names: the names alone */
	bool show_params;                 /* show --params: the header's parameters */
	bool serve;                       /* serve: a run whose server lasts until Ctrl-C */
	long port;                        /* serve, httpbin --port, or -1 */
	int clients;                      /* serve --clients: requests at once, or 0 */
	double latency;                   /* httpbin --latency, seconds */
	char **targets;                   /* check, compare, bench: what to run; sweep: its axes */
	int ntargets;
	char **args; /* run: the arguments of a Python program */
	int nargs;
};

/** Prints a usage error and the hint to --help; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) ATTR_PRINTF(1, 2);

/** Reads @s, a decimal number greater than 0 and at most @max as people
 *  write one (not " 1", "0x10" or "inf", which strtod() takes), into
 *  *@out: a scale or a number of seconds. Returns 0, or -1. */
int parse_amount(const char *s, double max, double *out);

/** Whether colour is off by the environment: NO_COLOR set and not empty
 *  (no-color.org), or a dumb terminal. */
bool no_color(void);

/** Whether the text output of @o is coloured (--color, a terminal). */
bool use_color(const struct options *o);

/** The status of a command whose output broke: 141 when the reader went
 *  away, else 1, after saying why. */
int output_failed(int err);

/** The signal (SIGINT, SIGTERM, SIGHUP) that came while commands that run
 *  programs in children (check, compare, sweep, run --repeat) ran, or 0. */
extern volatile sig_atomic_t caught_signal;

/** The signal aiodemo ends by once its output is complete, or 0: as
 *  python3 ends after a KeyboardInterrupt nobody handled. */
extern int end_signal;

/** Sets the handlers of those commands: the first signal is noted (and a
 *  SIGTERM passed on to the running child); after a second one between
 *  child runs the command has 2 s to report the run it stopped, and a
 *  third ends aiodemo at once. Returns 0, or -1 (errno). */
int install_signals(void);

/** Ends the process by @sig, unblocked and with its default action. */
void end_by(int sig);

/** Appends the usage text (usage_text's lines: "usage: aiodemo CMD ...",
 *  each continued on lines of "[...]" under it) as it is when every line
 *  fits @width columns, else each command's synopsis rewrapped between
 *  its bracketed options. */
void cli_usage_fit(struct buf *b, const char *text, int width);

/** Appends help text as it is when every line fits @width columns, else
 *  rewrapped: paragraphs, and entries ("  NAME   what it does") whose
 *  description goes on under its own column. */
void cli_help_fit(struct buf *b, const char *text, int width);

/** Appends the title line of a program, "NAME: TITLE" (@title may be
 *  NULL), wrapped to the width of text views, the name in bold when
 *  @color. */
void cli_title_line(struct buf *b, const char *name, const char *title, bool color);

/** The options a child run gets from the command line. */
struct child_options child_options_of(const struct options *o);

#endif
