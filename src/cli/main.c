/* aiodemo: runs Python asyncio programs on embedded CPython, on aiodemo's
 * own libev event loop, and prints a timeline of what really happened:
 * every task step, executor job, printed line and blocked window, measured.
 *
 * The layers, lowest first:
 *   buf, clock, diag, text   utilities
 *   timeline, expect         the run's events, and checking them
 *   render, export, replay   pictures, records, traces, SVG; reading records
 *   loop/                    the libev loop CPython's selector loop drives
 *   net/                     the local HTTP server of the network programs
 *   observe/                 hooks that record the run (tasks, jobs, output,
 *                            the blocked loop's line, the GIL)
 *   host/                    embedded CPython: programs, their header, --scale
 *   catalog                  the built-in programs (scenarios/NAME.py)
 *   cli/child, bench         runs in child processes; `aiodemo bench`
 *   cli/compare, runs        `aiodemo compare`, run --repeat: runs with their
 *                            own options, each run K times
 *   cli/sweep                `aiodemo sweep`: a program over a grid of values
 *   main.c                   the command line
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "host/catalog.h"
#include "child.h"
#include "cli.h"
#include "compare.h"
#include "httpbin_command.h"
#include "runs.h"
#include "serve.h"
#include "sweep.h"
#include "outfile.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/machine.h"
#include "util/signals.h"
#include "record/expect.h"
#include "report/export.h"
#include "report/figures.h"
#include "report/html.h"
#include "report/table.h"
#include "host/host.h"
#include "host/program.h"
#include "host/urls.h"
#include "report/render.h"
#include "report/replay.h"
#include "report/svg.h"
#include "play/play.h"
#include "util/text.h"
#include "record/timeline.h"

#ifndef AIODEMO_VERSION
#define AIODEMO_VERSION "unknown"
#endif

/* How long a run's events wait to be printed in time order, seconds: a
 * worker's event comes in some microseconds after it is stamped, a few
 * milliseconds on a busy machine. */
#define REORDER_WINDOW 0.015

/* The commands, in the order of the usage text. */
enum command {
	CMD_LIST,
	CMD_RUN,
	CMD_SERVE,
	CMD_SHOW,
	CMD_CHECK,
	CMD_COMPARE,
	CMD_REPLAY,
	CMD_PLAY,
	CMD_SWEEP,
	CMD_BENCH,
	CMD_HTTPBIN,
	CMD_HELP,
	NCOMMANDS
};

static const char *const command_names[NCOMMANDS] = {
	[CMD_LIST] = "list",     [CMD_RUN] = "run",         [CMD_SERVE] = "serve",
	[CMD_SHOW] = "show",     [CMD_CHECK] = "check",     [CMD_COMPARE] = "compare",
	[CMD_REPLAY] = "replay", [CMD_PLAY] = "play",       [CMD_BENCH] = "bench",
	[CMD_SWEEP] = "sweep",   [CMD_HTTPBIN] = "httpbin", [CMD_HELP] = "help",
};

/* The help of each command, the one copy that `aiodemo --help` and
 * `aiodemo help COMMAND` print: its usage after "aiodemo " (a newline goes
 * on under it), its name and operands in the list of commands, and what it
 * does. */
static const struct {
	const char *usage, *head, *about;
} command_help[NCOMMANDS] = {
	[CMD_LIST] = { N_("list [--names]"), N_("list"),
	               N_("list the built-in programs: name and title (--names: the names "
	                  "alone)") },
	[CMD_RUN] = { N_("run NAME|FILE.py [ARG]... [--scale F] [--param NAME=VALUE]...\n"
	                 "[--format text|json] [--view events|gantt|both]\n"
	                 "[--color=auto|always|never] [--slow SECONDS] [--repeat K]\n"
	                 "[--record FILE] [--trace FILE] [--svg FILE] [--html FILE]\n"
	                 "[--svg-style page|slides] [--max-events N]"),
	              N_("run NAME|FILE"),
	              N_("run a program (as python3 would) and print its timeline and a "
	                 "summary; arguments after it are its sys.argv[1:]") },
	[CMD_SERVE] = { N_("serve NAME|FILE.py [--port P] [--clients N] [--param NAME=VALUE]... "
	                   "[--scale F]"),
	                N_("serve NAME|FILE"),
	                N_("run a server program until Ctrl-C, which ends it normally "
	                   "(--port P sets the program's port parameter)") },
	[CMD_SHOW] = { N_("show NAME|FILE [--param NAME=VALUE]... [--params]"),
	               N_("show NAME|FILE"),
	               N_("print the program with the values of --param (--params: the "
	                  "parameters its header declares, NAME=VALUE a line)") },
	[CMD_CHECK] = { N_("check [NAME|FILE]... [--scale F] [--param NAME=VALUE]... [--tap]"),
	                N_("check [NAME|FILE]..."),
	                N_("run programs quietly and verify what their headers expect (all "
	                   "the built-in ones when none is named)") },
	[CMD_COMPARE] = { N_("compare RUN RUN [RUN]... [--scale F] [--param NAME=VALUE]...\n"
	                     "[--repeat K] [--format text|json] [--color=WHEN]\n"
	                     "[--html FILE] [--svg FILE] [--svg-style page|slides]"),
	                  N_("compare RUN RUN [RUN]..."),
	                  N_("run programs and show them on one time axis, with a table of "
	                     "their figures and ratios to the first; a RUN is a program with "
	                     "its own options: 'bounded-pool workers=4', 'offload-sleep "
	                     "--scale 0.5'") },
	[CMD_REPLAY] = { N_("replay RECORD [--view events|gantt|both] [--format text|json]\n"
	                    "[--color=WHEN] [--record FILE] [--trace FILE] [--svg FILE]\n"
	                    "[--svg-style page|slides] [--html FILE]"),
	                 N_("replay RECORD"),
	                 N_("show a run saved with --record again, in any view") },
	[CMD_PLAY] = { N_("play NAME|FILE.py|RECORD [--scale F] [--param NAME=VALUE]..."),
	               N_("play NAME|FILE|RECORD"),
	               N_("step through a run on the terminal, event by event, with the "
	                  "program's line, the loop's state and the chart (a program is run "
	                  "and recorded first); ? shows the keys") },
	[CMD_SWEEP] = { N_("sweep NAME|FILE.py PARAM=LIST|RANGE... [--repeat K]\n"
	                   "[--timeout SECONDS] [--plot FIGURE] [--svg FILE] [--scale F]\n"
	                   "[--param NAME=VALUE]... [--format text|json|csv]\n"
	                   "[--color=WHEN] [--svg-style page|slides]"),
	                N_("sweep NAME|FILE PARAM=LIST|RANGE..."),
	                N_("run a program at every combination of its parameters' values "
	                   "(1,2,4 or 1..6 or 0.5..2:0.5), each run a process of its own, "
	                   "with a row of figures a point and a plot") },
	[CMD_BENCH] = { N_("bench [overhead|loop|timers|start|all]... [--quick]\n"
	                   "[--format text|json]"),
	                N_("bench [SET]..."),
	                N_("measure Python programs under aiodemo beside python3.11: what "
	                   "observing costs, the loop's speed, timers' lateness and start-up "
	                   "(uvloop too where it is installed)") },
	[CMD_HTTPBIN] = { N_("httpbin [--port P] [--scale F] [--latency SECONDS]"), N_("httpbin"),
	                  N_("serve the local HTTP server of the network programs on 127.0.0.1 "
	                     "until Ctrl-C (/get, /delay/N, /bytes/N, /status/CODE, "
	                     "/redirect/N), to run them under python3 against it") },
	[CMD_HELP] = { N_("help [COMMAND]"), N_("help [COMMAND]"),
	               N_("show the help of a command (its usage and its options), or this "
	                  "help") },
};

#define ON(c) (1u << (c))
/* What runs a program the way run does, and takes what shapes a run. */
#define RUNS                                                                                       \
	(ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_CHECK) | ON(CMD_COMPARE) | ON(CMD_PLAY) |            \
	 ON(CMD_SWEEP))

/* Options without a short form of their own. */
enum {
	OPT_PLOT = 256,
	OPT_CLIENTS,
	OPT_TIMEOUT,
	OPT_LANG,
	OPT_LATENCY,
	OPT_NAMES,
	OPT_PARAMS,
	OPT_SVG_STYLE,
	OPT_WIDTH
};

/* The options that have a short form, as getopt_long() takes them. */
static const char short_options[] = ":f:hp:s:V";

/* Every option, the commands it applies to, and its help: its value after
 * the name, and what it does (no help: not shown). Given to another
 * command, an option is a usage error, not silently ignored. --help,
 * --lang and --version go with any command (or none). */
static const struct {
	struct option opt;
	unsigned commands;
	const char *value, *help;
} option_table[] = {
	{ { "clients", required_argument, NULL, OPT_CLIENTS },
	  ON(CMD_SERVE),
	  "=N",
	  N_("serve: once the program listens, send N requests at once to its port (the "
	     "path its header's clients line names, else /), then stop it as Ctrl-C does "
	     "and tell each answer") },
	{ { "color", required_argument, NULL, 'c' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_SWEEP),
	  "=WHEN",
	  N_("colour the timeline: auto (default: on a terminal, unless NO_COLOR is set and "
	     "not empty), always, never") },
	{ { "format", required_argument, NULL, 'f' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_BENCH) |
	          ON(CMD_SWEEP),
	  "=FORMAT",
	  N_("text (default) or json (one object per line); sweep: text, json (one "
	     "document) or csv (a row a run)") },
	{ { "ideal", no_argument, NULL, 'i' }, ~0u, NULL, NULL },
	{ { "help", no_argument, NULL, 'h' }, ~0u, "", N_("show this help") },
	{ { "html", required_argument, NULL, 'H' },
	  ON(CMD_RUN) | ON(CMD_COMPARE) | ON(CMD_REPLAY),
	  "=FILE",
	  N_("save a page (HTML, one file) that steps through the run: chart, slider, "
	     "source, the loop's state") },
	{ { "lang", required_argument, NULL, OPT_LANG },
	  ~0u,
	  "=LANG",
	  N_("the language of aiodemo's own words: zh or en (default: the locale's)") },
	{ { "latency", required_argument, NULL, OPT_LATENCY },
	  ON(CMD_HTTPBIN),
	  "=SECONDS",
	  N_("httpbin: wait this long before each answer, as a far server does (default 0, "
	     "scaled)") },
	{ { "max-events", required_argument, NULL, 'M' },
	  RUNS,
	  "=N",
	  N_("keep the first N events of a run for its chart and record (default "
	     "4000000); later ones are printed as they happen and counted") },
	{ { "names", no_argument, NULL, OPT_NAMES },
	  ON(CMD_LIST),
	  "",
	  N_("list: the names alone, one a line") },
	{ { "param", required_argument, NULL, 'p' },
	  RUNS | ON(CMD_SHOW),
	  " NAME=VALUE",
	  N_("set a parameter the program's header declares") },
	{ { "params", no_argument, NULL, OPT_PARAMS },
	  ON(CMD_SHOW),
	  "",
	  N_("show: the parameters the header declares, NAME=VALUE a line") },
	{ { "plot", required_argument, NULL, OPT_PLOT },
	  ON(CMD_SWEEP),
	  "=FIGURE",
	  N_("sweep: the figure plotted, total (default), max_lag, lag_p99, queue_wait, "
	     "blocked, utilization, threads or processes") },
	{ { "port", required_argument, NULL, 'P' },
	  ON(CMD_SERVE) | ON(CMD_HTTPBIN),
	  "=P",
	  N_("serve: the program's port parameter; httpbin: the port to serve on (default: "
	     "a free one)") },
	{ { "quick", no_argument, NULL, 'q' },
	  ON(CMD_BENCH),
	  "",
	  N_("bench: small sizes, to see that it runs") },
	{ { "record", required_argument, NULL, 'r' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY),
	  "=FILE",
	  N_("save the run's full event stream (JSON) for replay") },
	{ { "repeat", required_argument, NULL, 'R' },
	  ON(CMD_RUN) | ON(CMD_COMPARE) | ON(CMD_SWEEP),
	  "=K",
	  N_("run, compare, sweep: run each program (each point) K times, and tell each "
	     "figure's median and range") },
	{ { "scale", required_argument, NULL, 's' },
	  RUNS | ON(CMD_HTTPBIN),
	  "=F",
	  N_("multiply every duration by F (default 1)") },
	{ { "slow", required_argument, NULL, 'S' },
	  RUNS,
	  "=SECONDS",
	  N_("what the diagnostics call slow: a blocking step or a pass of the loop this "
	     "long (default 0.1, scaled)") },
	{ { "svg", required_argument, NULL, 'g' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_SWEEP),
	  "=FILE",
	  N_("save the Gantt chart (compare: of every run; sweep: the plot) as SVG") },
	{ { "svg-style", required_argument, NULL, OPT_SVG_STYLE },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_SWEEP),
	  "=STYLE",
	  N_("the SVG's look: page (default), or slides: 1920x1080, large type") },
	{ { "tap", no_argument, NULL, 't' },
	  ON(CMD_CHECK),
	  "",
	  N_("check: print TAP (Test Anything Protocol)") },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT },
	  ON(CMD_SWEEP),
	  "=SECONDS",
	  N_("sweep: stop a run that takes longer (real seconds, not scaled; default: no "
	     "limit)") },
	{ { "trace", required_argument, NULL, 'T' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY),
	  "=FILE",
	  N_("save a Chrome trace (Perfetto, chrome://tracing)") },
	{ { "version", no_argument, NULL, 'V' }, ~0u, "", N_("show the version") },
	{ { "view", required_argument, NULL, 'v' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY),
	  "=VIEW",
	  N_("text output: events (the timeline), gantt (a chart of every lane), or both "
	     "(default)") },
	{ { "width", required_argument, NULL, OPT_WIDTH },
	  ~(ON(CMD_SHOW) | ON(CMD_PLAY)),
	  "=N",
	  N_("fit text output to N columns (default: $COLUMNS, the terminal's width, or "
	     "80)") },
};
enum { NOPTIONS = sizeof(option_table) / sizeof(option_table[0]) };

/* The width of the help, and the column where options' help begins. */
enum { HELP_OPTION_COLUMN = 25, HELP_COMMAND_COLUMN = 19 };

/* The help's width: 80 columns, or the screen's when narrower. */
static int help_width(void)
{
	return text_columns() < 80 ? text_columns() : 80;
}

/* The usage lines of @cmd after @first ("usage: " or its width). */
static void help_usage(struct buf *b, int cmd, const char *first)
{
	const char *u = _(command_help[cmd].usage);
	buf_printf(b, "%saiodemo ", first);
	for (; *u; u++) {
		buf_putc(b, *u);
		if (*u == '\n')
			buf_printf(b, "%*s", HELP_COMMAND_COLUMN, "");
	}
	buf_putc(b, '\n');
}

/* The options of the commands of @mask, one a line with its help. */
static void help_options(struct buf *b, unsigned mask)
{
	char indent[HELP_OPTION_COLUMN + 1];
	memset(indent, ' ', HELP_OPTION_COLUMN);
	indent[HELP_OPTION_COLUMN] = '\0';
	buf_printf(b, "%s\n", _("options:"));
	for (int i = 0; i < NOPTIONS; i++) {
		if (!option_table[i].help || !(option_table[i].commands & mask))
			continue;
		int c = option_table[i].opt.val;
		struct buf head = { 0 };
		if (c < 256 && strchr(short_options, c))
			buf_printf(&head, "  -%c, --%s%s", c, option_table[i].opt.name,
			           option_table[i].value);
		else
			buf_printf(&head, "      --%s%s", option_table[i].opt.name,
			           option_table[i].value);
		if (head.len >= HELP_OPTION_COLUMN) {
			buf_printf(b, "%s\n", head.data);
			text_wrap(b, _(option_table[i].help), help_width(), indent, indent);
		} else {
			buf_printf(&head, "%*s", HELP_OPTION_COLUMN - (int)head.len, "");
			text_wrap(b, _(option_table[i].help), help_width(), head.data, indent);
		}
		buf_free(&head);
	}
}

/* `aiodemo --help`: every command's usage, what each does, every option
 * and the exit statuses. */
static void help_general(struct buf *b)
{
	char indent[HELP_COMMAND_COLUMN + 1];
	memset(indent, ' ', HELP_COMMAND_COLUMN);
	indent[HELP_COMMAND_COLUMN] = '\0';
	struct buf usage = { 0 };
	for (int c = 0; c < NCOMMANDS; c++)
		help_usage(&usage, c, c ? "       " : _("usage: "));
	buf_puts(&usage, "       aiodemo --help | --version\n");
	cli_usage_fit(b, usage.data, help_width());
	buf_free(&usage);
	buf_putc(b, '\n');
	text_reflow(b,
	            _("Runs Python asyncio programs on embedded CPython, on aiodemo's own libev\n"
	              "event loop, and prints a measured timeline that shows when the loop is\n"
	              "blocked, what offloading to threads and processes changes, and the GIL."),
	            help_width(), "");
	buf_printf(b, "\n%s\n", _("commands:"));
	for (int c = 0; c < NCOMMANDS; c++) {
		struct buf head = { 0 };
		buf_printf(&head, "  %s", _(command_help[c].head));
		if (head.len >= HELP_COMMAND_COLUMN) {
			buf_printf(b, "%s\n", head.data);
			text_wrap(b, _(command_help[c].about), help_width(), indent, indent);
		} else {
			buf_printf(&head, "%*s", HELP_COMMAND_COLUMN - (int)head.len, "");
			text_wrap(b, _(command_help[c].about), help_width(), head.data, indent);
		}
		buf_free(&head);
	}
	buf_putc(b, '\n');
	help_options(b, ~0u);
	buf_putc(b, '\n');
	text_reflow(b,
	            _("exit status: the program's own (0 ok, 1 an uncaught exception, or its\n"
	              "SystemExit); check: 1 when an expectation was not met; sweep: 1 when a run\n"
	              "failed (an error, a crash, a timeout); 2 a usage error or a\n"
	              "program that does not compile; interrupted, aiodemo ends by the signal\n"
	              "(SIGINT, SIGTERM, SIGHUP: $? 130, 143, 129) as python3 does; 141 the\n"
	              "reader of the output went away."),
	            help_width(), "");
	buf_printf(b, "%s\n", _("See aiodemo(1) and aiodemo-program(5)."));
}

/* `aiodemo help COMMAND`, `aiodemo COMMAND --help`: its usage, what it
 * does, and only its options. */
static void help_command(struct buf *b, int cmd)
{
	struct buf usage = { 0 };
	help_usage(&usage, cmd, _("usage: "));
	cli_usage_fit(b, usage.data, help_width());
	buf_free(&usage);
	buf_putc(b, '\n');
	text_wrap(b, _(command_help[cmd].about), help_width(), "", "");
	buf_putc(b, '\n');
	help_options(b, ON(cmd));
	buf_printf(b, "\n%s\n", _("See aiodemo(1) and aiodemo-program(5)."));
}

/* Prints the help of @cmd, or the general help when it is -1. */
static int print_help(int cmd)
{
	struct buf b = { 0 };
	if (cmd < 0 || cmd == CMD_HELP)
		help_general(&b);
	else
		help_command(&b, cmd);
	fputs(b.data, stdout);
	buf_free(&b);
	return 0;
}

/* The option of @val, given as -x or --name: for messages. */
static int option_index(int val)
{
	for (int i = 0; i < NOPTIONS; i++)
		if (option_table[i].opt.val == val)
			return i;
	return -1;
}

/* "'run', 'serve' and 'replay'": the commands of @mask. */
static void commands_of(unsigned mask, char *out, size_t size)
{
	int n = 0, total = 0;
	for (int c = 0; c < NCOMMANDS; c++)
		total += !!(mask & ON(c));
	size_t len = 0;
	out[0] = '\0';
	/* TRANSLATORS: what separates commands: "'run', 'serve' and 'replay'". */
	const char *and = _(" and "), *comma = _(", ");
	for (int c = 0; c < NCOMMANDS && len < size; c++) {
		if (!(mask & ON(c)))
			continue;
		n++;
		len += (size_t)snprintf(out + len, size - len, "%s'%s'",
		                        n == 1       ? ""
		                        : n == total ? and
		                                     : comma,
		                        command_names[c]);
	}
}

/* A whole number from @lo to @hi, in decimal digits only. */
static int parse_count(const char *s, long long lo, long long hi, long long *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The command called @name, or -1 after a usage error that suggests one. */
static int command_of(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, command_names[i]))
			return i;
	const char *s = suggest_name(name, command_names, NCOMMANDS);
	if (s)
		usage_error(_("unknown command '%s'; did you mean '%s'?"), name, s);
	else
		usage_error(_("unknown command '%s'"), name);
	return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	struct option longopts[NOPTIONS + 1];
	for (int i = 0; i < NOPTIONS; i++)
		longopts[i] = option_table[i].opt;
	longopts[NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	o->scale = 1;
	o->format = TL_TEXT;
	o->color = -1;
	o->slow = 0.1;
	o->max_events = TL_DEFAULT_MAX_EVENTS;
	o->repeat = 1;
	o->port = -1;
	o->view_events = o->view_gantt = true;
	/* The options given, by their index in option_table: checked against
	 * the command once it is known. */
	bool given[NOPTIONS] = { 0 };
	bool help = false, version = false;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, short_options, longopts, NULL)) != -1) {
		int k = option_index(c);
		if (k >= 0)
			given[k] = true;
		long long n;
		switch (c) {
		case 'c':
			if (!strcmp(optarg, "auto"))
				o->color = -1;
			else if (!strcmp(optarg, "always"))
				o->color = 1;
			else if (!strcmp(optarg, "never"))
				o->color = 0;
			else
				return usage_error(
				        _("--color takes auto, always or never, not '%s'"), optarg);
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = TL_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = TL_JSON;
			else if (strcmp(optarg, "csv") != 0)
				return usage_error(
				        _("--format takes text or json (sweep: or csv), not '%s'"),
				        optarg);
			o->csv = !strcmp(optarg, "csv");
			break;
		case 'h':
			help = true;
			break;
		case 'p':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error(_("--param takes NAME=VALUE, not '%s'"), optarg);
			o->params = xrealloc(o->params, (size_t)(o->nparams + 1) * sizeof(char *));
			o->params[o->nparams++] = optarg;
			break;
		case 'P':
			if (parse_count(optarg, 1, 65535, &n) != 0)
				return usage_error(
				        _("--port takes a port number from 1 to 65535, not '%s'"),
				        optarg);
			o->port = (long)n;
			break;
		case OPT_CLIENTS:
			if (parse_count(optarg, 1, CLIENTS_MAX, &n) != 0)
				return usage_error(
				        _("--clients takes a number from 1 to %d, not '%s'"),
				        CLIENTS_MAX, optarg);
			o->clients = (int)n;
			break;
		case OPT_LANG:
			break; /* chosen before the options are read: lang_option() */
		case OPT_LATENCY:
			/* 0 (0.0, 0e3) is no latency; parse_amount() takes the rest */
			o->latency = 0;
			if (!(strspn(optarg, "0.eE+-") == strlen(optarg) && strchr(optarg, '0') &&
			      strtod(optarg, NULL) == 0) &&
			    parse_amount(optarg, 3600, &o->latency) != 0)
				return usage_error(
				        _("--latency takes seconds from 0 to 3600, not '%s'"),
				        optarg);
			break;
		case OPT_WIDTH:
			if (parse_count(optarg, 40, 1000, &n) != 0)
				return usage_error(_("--width takes a number of columns from 40 to "
				                     "1000, not '%s'"),
				                   optarg);
			text_set_columns((int)n);
			break;
		case OPT_PLOT:
			o->plot = optarg; /* a figure's key: sweep checks it */
			break;
		case OPT_SVG_STYLE:
			if (svg_style_parse(optarg, &o->svg_style) != 0)
				return usage_error(_("--svg-style takes page or slides, not '%s'"),
				                   optarg);
			break;
		case OPT_TIMEOUT:
			if (parse_amount(optarg, 86400, &o->timeout) != 0)
				return usage_error(
				        _("--timeout takes seconds greater than 0 and at "
				          "most 86400, not '%s'"),
				        optarg);
			break;
		case 'R':
			if (parse_count(optarg, 1, 100, &n) != 0)
				return usage_error(
				        _("--repeat takes a number of runs from 1 to 100, "
				          "not '%s'"),
				        optarg);
			o->repeat = (int)n;
			break;
		case 's':
			if (parse_amount(optarg, 1000, &o->scale) != 0)
				return usage_error(_("--scale takes a number greater than 0 and at "
				                     "most 1000, not '%s'"),
				                   optarg);
			break;
		case 't':
			o->tap = true;
			break;
		case 'r':
			o->record = optarg;
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'H':
			o->html = optarg;
			break;
		case 'g':
			o->svg = optarg;
			break;
		case 'q':
			o->quick = true;
			break;
		case OPT_NAMES:
			o->names = true;
			break;
		case OPT_PARAMS:
			o->show_params = true;
			break;
		case 'M':
			if (parse_count(optarg, 1, 1000000000, &n) != 0)
				return usage_error(_("--max-events takes a whole number from 1 to "
				                     "1000000000, not '%s'"),
				                   optarg);
			o->max_events = (size_t)n;
			break;
		case 'i':
			return usage_error(_("--ideal is not available for Python programs: a "
			                     "virtual clock would change "
			                     "what their threads, processes and CPU work do"));
		case 'S':
			if (parse_amount(optarg, 1000, &o->slow) != 0)
				return usage_error(_("--slow takes seconds greater than 0 and at "
				                     "most 1000, not '%s'"),
				                   optarg);
			break;
		case 'V':
			version = true;
			break;
		case 'v':
			if (!strcmp(optarg, "events") || !strcmp(optarg, "gantt") ||
			    !strcmp(optarg, "both")) {
				o->view_events = strcmp(optarg, "gantt") != 0;
				o->view_gantt = strcmp(optarg, "events") != 0;
			} else {
				return usage_error(
				        _("--view takes events, gantt or both, not '%s'"), optarg);
			}
			break;
		case ':':
			return usage_error(_("option '%s' needs a value"), argv[optind - 1]);
		default:
			if (optopt)
				return usage_error(_("unknown option '-%c'"), optopt);
			return usage_error(_("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (version) {
		printf("aiodemo %s\n", AIODEMO_VERSION);
		return 0;
	}
	if (optind >= argc) {
		if (help)
			return print_help(-1);
		return usage_error(_("no command given"));
	}
	o->command = argv[optind++];
	int cmd = command_of(o->command);
	if (cmd < 0)
		return EXIT_USAGE;
	for (int i = 0; i < NOPTIONS; i++) {
		if (!given[i] || (option_table[i].commands & ON(cmd)))
			continue;
		char list[256];
		commands_of(option_table[i].commands, list, sizeof(list));
		return usage_error(_("--%s is not an option of '%s' (only of %s)"),
		                   option_table[i].opt.name, o->command, list);
	}
	/* aiodemo COMMAND --help is aiodemo help COMMAND. */
	if (help)
		return print_help(cmd);
	if (cmd == CMD_HELP) {
		if (optind >= argc)
			return print_help(-1);
		if (optind + 1 < argc)
			return usage_error(_("unexpected argument '%s'"), argv[optind + 1]);
		int of = command_of(argv[optind]);
		return of < 0 ? EXIT_USAGE : print_help(of);
	}
	o->serve = cmd == CMD_SERVE;
	if (given[option_index(OPT_SVG_STYLE)] && !o->svg)
		return usage_error(_("--svg-style says how to draw the picture of --svg FILE, "
		                     "which is not given"));
	if (o->csv && cmd != CMD_SWEEP)
		return usage_error(_("--format csv is for 'sweep': %s writes text or json"),
		                   o->command);
	if (cmd == CMD_SWEEP) {
		if (optind >= argc)
			return usage_error(
			        _("'sweep' needs a program name or file, and a parameter "
			          "to sweep: NAME=LIST or NAME=FIRST..LAST[:STEP]"));
		if (argc - optind < 2)
			return usage_error(_("'sweep' needs a parameter of %s to sweep after it: "
			                     "NAME=LIST (workers=1,2,4) or NAME=FIRST..LAST[:STEP] "
			                     "(workers=1..6)"),
			                   argv[optind]);
		o->target = argv[optind];
		o->targets = argv + optind + 1;
		o->ntargets = argc - optind - 1;
		return -1;
	}
	if (cmd == CMD_CHECK || cmd == CMD_BENCH) {
		o->targets = argv + optind;
		o->ntargets = argc - optind;
		return -1;
	}
	if (cmd == CMD_COMPARE) {
		if (argc - optind < 2)
			return usage_error(
			        _("'compare' needs two programs or more (names or files, "
			          "each with its own parameters), not %d"),
			        argc - optind);
		o->targets = argv + optind;
		o->ntargets = argc - optind;
		return -1;
	}
	if (cmd != CMD_LIST && cmd != CMD_HTTPBIN) {
		if (optind >= argc)
			return usage_error(cmd == CMD_REPLAY ? _("'%s' needs a record file (saved "
			                                         "with --record)")
			                   : cmd == CMD_PLAY
			                           ? _("'%s' needs a program name or file, or a "
			                               "record file")
			                           : _("'%s' needs a program name or file"),
			                   o->command);
		o->target = argv[optind++];
	}
	if (optind < argc && cmd == CMD_RUN) {
		o->args = argv + optind; /* sys.argv[1:] */
		o->nargs = argc - optind;
		return -1;
	}
	if (optind < argc)
		return usage_error(_("unexpected argument '%s'"), argv[optind]);
	return -1;
}

static int cmd_list(const struct options *o)
{
	size_t n;
	const struct builtin_program *all = catalog_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (o->names) {
			printf("%s\n", all[i].name);
			continue;
		}
		struct program *p = program_load(all[i].name);
		const char *title = p ? program_title(&p->info) : NULL;
		struct buf b = { 0 };
		char name[64];
		snprintf(name, sizeof(name), "%-24s ", all[i].name);
		text_wrap(&b, title ? title : "", text_columns(), name,
		          "                         ");
		fputs(b.data, stdout);
		buf_free(&b);
		program_free(p);
	}
	return 0;
}

/* Whether all @n targets load and compile: a typo should be a usage error
 * found before anything runs. */
static bool all_load(const struct options *o, char *const *targets, int n)
{
	/* --param goes to every run: each program must declare it. */
	struct run_spec *specs = xcalloc((size_t)n + 1, sizeof(*specs));
	for (int i = 0; i < n; i++)
		run_spec_whole(targets[i], o, &specs[i]);
	bool ok = run_specs_load(specs, n);
	for (int i = 0; i < n; i++)
		run_spec_free(&specs[i]);
	free(specs);
	return ok;
}

/* The files asked for, as outfile_check() and write_files() take them. */
enum { NFILES = 4 };
static void outfiles_of(const struct options *o, struct outfile files[NFILES])
{
	files[0] = (struct outfile){ o->record, _("record"), NULL, NULL };
	files[1] = (struct outfile){ o->trace, _("trace"), NULL, NULL };
	files[2] = (struct outfile){ o->svg, _("SVG"), NULL, NULL };
	files[3] = (struct outfile){ o->html, _("page"), NULL, NULL };
}

/* Writes the files asked for, each whole or not at all. Signals wait until
 * they are in place: a second Ctrl-C must not leave half a record. */
/* What a run's files are written from. */
struct run_files {
	const struct options *o;
	const struct record_info *info;
	const struct timeline *tl;
	const struct run_summary *s;
	const struct model *m;
};

/* File @k of outfiles_of()'s: the record, the trace, the SVG, the page. */
static int write_run_file(FILE *f, int k, void *ctx)
{
	const struct run_files *r = ctx;
	if (k == 0)
		return export_record(f, r->info, r->tl, r->s);
	if (k == 1)
		return export_trace(f, r->info, r->tl, r->m);
	if (k == 2) {
		struct svg_run picture = { r->info, r->tl, r->m, r->s, NULL };
		return svg_write(f, &picture, 1, r->o->svg_style);
	}
	struct html_run page = { r->info, r->tl, r->m, r->s };
	return export_html(f, &page, 1);
}

static int write_files(const struct options *o, const struct record_info *info,
                       const struct timeline *tl, const struct run_summary *s,
                       const struct model *m)
{
	struct outfile files[NFILES];
	outfiles_of(o, files);
	struct run_files r = { o, info, tl, s, m };
	return outfiles_write(files, NFILES, write_run_file, &r);
}

/* Checks the files asked for before anything runs; @input is the file the
 * command reads (the program or the record). */
static bool files_ok(const struct options *o, const char *input)
{
	struct outfile files[NFILES];
	outfiles_of(o, files);
	const char *inputs[] = { input };
	return outfile_check(files, NFILES, inputs, input ? 1 : 0) == 0;
}

/* After the run (or a replay): the Gantt chart, the summary, the time of
 * each task, the diagnostics and what to notice (text), or the summary
 * line (JSON); then the files asked for. Returns 0, or 1 if a file failed. */
static int report(const struct options *o, const struct record_info *info, struct timeline *tl,
                  const struct run_summary *s, bool color, const char *after_summary)
{
	struct model m;
	model_build(&m, tl, s->total);
	if (o->format == TL_JSON) {
		timeline_print_summary(tl, s);
	} else {
		struct buf b = { 0 };
		if (o->view_gantt) {
			render_gantt(&m, &b, text_columns(), 30, timeline_utf8(tl), color);
			timeline_print_text(tl, "%s", b.data);
		}
		timeline_print_summary(tl, s);
		if (after_summary)
			timeline_print_text(tl, "%s", after_summary);
		buf_clear(&b);
		render_task_times(&m, &b, 12, text_columns());
		render_pool_times(&m, &b, text_columns());
		if (b.len)
			timeline_print_text(tl, "%s", b.data);
		buf_clear(&b);
		render_diagnostics(tl, s, s->slow_threshold, &b, text_columns());
		if (b.len)
			timeline_print_text(tl, "\n%s%s%s\n%s", color ? "\033[1m" : "",
			                    _("diagnostics"), color ? "\033[0m" : "", b.data);
		if (export_notice(info)) {
			buf_clear(&b);
			text_reflow(&b, export_notice(info), text_columns(), "");
			timeline_print_text(tl, "\n%s\n%s", _("what to notice"), b.data);
		}
		buf_free(&b);
	}
	int status = write_files(o, info, tl, s, &m);
	model_free(&m);
	return status;
}

/* The lines above the events: name, title, source, scale, the values of
 * --param, column heads; in JSON, the stream's header line. */
static void print_heading(const struct options *o, struct timeline *tl,
                          const struct record_info *info, bool color)
{
	struct buf b = { 0 };
	if (o->format == TL_JSON) {
		export_header(&b, info);
		timeline_print_text_any(tl, "%s", b.data);
		buf_free(&b);
		return;
	}
	const char *sep = timeline_utf8(tl) ? " · " : " - ";
	const char *title = export_title(info);
	int columns = text_columns();
	struct buf line = { 0 };
	cli_title_line(&b, info->name, title, color);
	timeline_print_text(tl, "%s", b.data);
	buf_clear(&b);
	if (export_source(info)) {
		buf_printf(&line, _("from %s"), export_source(info));
		buf_puts(&line, sep);
	}
	buf_printf(&line, _("scale %g"), info->scale);
	export_params_text(&line, info, sep, timeline_utf8(tl));
	text_wrap(&b, line.data, columns, "", "  ");
	timeline_print_text(tl, "%s", b.data);
	buf_free(&line);
	buf_free(&b);
	if (o->view_events) {
		/* The heads of the columns of the events (timeline.c's widths). */
		struct buf h = { 0 };
		buf_putc(&h, '\n');
		text_pad_left(&h, _("time (s)"), 8);
		buf_puts(&h, "  ");
		text_pad(&h, _("lane"), timeline_lane_width(columns), timeline_utf8(tl));
		buf_printf(&h, "  %s\n", _("event"));
		timeline_print_text(tl, "%s", h.data);
		buf_free(&h);
	}
}

/* The heading of a run, printed once its program compiles. */
struct heading {
	const struct options *o;
	struct timeline *tl;
	const struct record_info *info;
	bool color;
};

static void heading_now(void *arg)
{
	struct heading *h = arg;
	print_heading(h->o, h->tl, h->info, h->color);
}

static int cmd_replay(const struct options *o)
{
	bool color = use_color(o);
	struct replay r;
	if (!files_ok(o, o->target))
		return EXIT_USAGE;
	if (replay_load(o->target, stdout, o->format, color, false, &r) != 0) {
		replay_free(&r);
		return EXIT_USAGE;
	}
	print_heading(o, r.tl, &r.info, color);
	if (o->format == TL_JSON || o->view_events)
		timeline_print_events(r.tl);
	int status = report(o, &r.info, r.tl, &r.summary, color, NULL);
	if (timeline_output_broken(r.tl))
		status = output_failed(timeline_output_errno(r.tl));
	replay_free(&r);
	return status;
}

/* The Python program o->target with the values of --param, or NULL after
 * printing an error. */
static struct program *load_program(const struct options *o)
{
	struct program *p = program_load(o->target);
	for (int i = 0; p && i < o->nparams; i++)
		if (program_set_param(p, o->params[i]) != 0) {
			program_free(p);
			return NULL;
		}
	if (p && o->port > 0) {
		char port[32];
		snprintf(port, sizeof(port), "port=%ld", o->port);
		if (program_set_param(p, port) != 0) {
			program_free(p);
			return NULL;
		}
	}
	return p;
}

/* run --repeat: one line a run as it ends. */
static void repeat_progress(const struct run_set *set, void *arg)
{
	const struct options *o = arg;
	const struct child_result *r = &set->r[set->n - 1];
	struct buf b = { 0 };
	buf_seconds(&b, set->figures[set->n - 1][FIG_TOTAL]);
	const char *status = timeline_status_word(r->record.summary.status);
	if (r->exit_status)
		printf(_("run %d of %d: %s, %s (exit status %d)"), set->n, o->repeat, b.data,
		       status, r->exit_status);
	else
		printf(_("run %d of %d: %s, %s"), set->n, o->repeat, b.data, status);
	putchar('\n');
	fflush(stdout);
	buf_free(&b);
}

/* run --repeat K: the program run K times in children; the run whose total
 * is the median is shown as run shows one, with every figure's spread
 * after the summary (in JSON, the summary's "repeat" member). */
static int cmd_run_repeat(const struct options *o)
{
	struct run_spec spec;
	run_spec_whole(o->target, o, &spec);
	int status = 0;
	if (!run_specs_load(&spec, 1) || !files_ok(o, o->target)) {
		run_spec_free(&spec);
		return EXIT_USAGE;
	}
	if (install_signals() != 0) {
		diag_error(_("cannot set up signal handling: %s"), strerror(errno));
		run_spec_free(&spec);
		return 1;
	}
	bool color = use_color(o);
	struct child_options base = child_options_of(o);
	base.out = stdout;
	base.format = o->format;
	base.color = color;
	base.args = o->args;
	base.nargs = o->nargs;
	struct run_set set;
	enum runs_end end =
	        run_sets_execute(&spec, 1, o->repeat, &base, &set,
	                         o->format == TL_TEXT ? repeat_progress : NULL, (void *)o);
	if (end != RUNS_DONE) {
		status = end == RUNS_NO_RECORD ? runs_report_missing(&set, 1) : 1;
		if (end == RUNS_INTERRUPTED) {
			end_signal = caught_signal ? caught_signal : SIGINT;
			diag_error(_("interrupted by %s after %d of %d runs"),
			           signals_name(end_signal), set.n, o->repeat);
			status = 128 + end_signal;
		}
		goto out;
	}
	int shown = run_set_shown(&set);
	struct replay *r = &set.r[shown].record;
	struct buf more = { 0 }, text = { 0 };
	struct table t;
	table_init(&t, 1 + NFIGURES, 3);
	buf_printf(&text, _("median of %d"), set.n);
	table_set(&t, 0, 1, &text);
	buf_puts(&text, _("range"));
	table_set(&t, 0, 2, &text);
	buf_printf(&more, "\"repeat\":{\"runs\":%d,\"shown\":%d,\"figures\":{", set.n, shown);
	for (int f = 0; f < NFIGURES; f++) {
		const struct figure_info *fi = figure_info((enum figure)f);
		struct spread sp = run_set_spread(&set, (enum figure)f);
		buf_printf(&more, "%s\"%s\":{\"median\":%.6f,\"min\":%.6f,\"max\":%.6f}",
		           f ? "," : "", fi->key, sp.median, sp.min, sp.max);
		buf_puts(&text, _(fi->name));
		table_set(&t, 1 + f, 0, &text);
		figure_format(&text, sp.median, fi->unit);
		table_set(&t, 1 + f, 1, &text);
		figure_format_range(&text, sp, fi->unit);
		table_set(&t, 1 + f, 2, &text);
	}
	buf_puts(&more, "},\"exit_statuses\":[");
	for (int k = 0; k < set.n; k++)
		buf_printf(&more, "%s%d", k ? "," : "", set.r[k].exit_status);
	buf_puts(&more, "]}");
	buf_putc(&text, '\n');
	buf_printf(&text, _("%d runs (run %d is shown: the median total)"), set.n, shown + 1);
	buf_putc(&text, '\n');
	table_print(&t, &text, text_columns());
	table_free(&t);
	r->summary.json_more = more.data;
	print_heading(o, r->tl, &r->info, color);
	if (o->format == TL_JSON || o->view_events)
		timeline_print_events(r->tl);
	status = run_set_status(&set);
	if (report(o, &r->info, r->tl, &r->summary, color, text.data) != 0 && status == 0)
		status = 1;
	if (timeline_output_broken(r->tl))
		status = output_failed(timeline_output_errno(r->tl));
	r->summary.json_more = NULL;
	buf_free(&more);
	buf_free(&text);
out:
	run_sets_free(&set, 1);
	run_spec_free(&spec);
	return status;
}

/* run (and serve): the program on embedded CPython, on aiodemo's loop. */
static int cmd_run(const struct options *o)
{
	if (o->repeat > 1)
		return cmd_run_repeat(o);
	struct program *p = load_program(o);
	if (!p)
		return EXIT_USAGE;
	if (!files_ok(o, p->path)) {
		program_free(p);
		return EXIT_USAGE;
	}
	struct url_servers *servers = urls_serve(p, o->scale);
	if (!servers) {
		program_free(p);
		return 1;
	}
	bool color = use_color(o);
	struct timeline *tl = timeline_new(stdout, o->format, color, clock_now());
	if (!tl) {
		diag_error(_("cannot set up the run: %s"), strerror(errno));
		urls_stop(servers);
		program_free(p);
		return 1;
	}
	struct serve_clients *clients = NULL;
	if (o->clients) {
		bool usage;
		clients = serve_clients_start(p, o->clients, o->scale, &usage);
		if (!clients) {
			timeline_free(tl);
			urls_stop(servers);
			program_free(p);
			return usage ? EXIT_USAGE : 1;
		}
	}
	struct record_param *params = xcalloc((size_t)p->nparams + 1, sizeof(*params));
	for (int i = 0; i < p->nparams; i++)
		params[i] = (struct record_param){ p->params[i].name, p->params[i].value,
			                           p->params[i].declared, p->params[i].set };
	struct machine machine;
	machine_describe(&machine);
	char started[32];
	machine_utc_now(started, sizeof(started));
	struct record_info info = { .name = p->info.name,
		                    .title = p->info.title,
		                    .source = p->info.source,
		                    .notice = p->info.notice,
		                    .title_zh = p->info.title_zh,
		                    .source_zh = p->info.source_zh,
		                    .notice_zh = p->info.notice_zh,
		                    .scale = o->scale,
		                    .file = p->file,
		                    .text = p->text,
		                    .args = (const char *const *)o->args,
		                    .nargs = o->nargs,
		                    .params = params,
		                    .nparams = p->nparams,
		                    .aiodemo = AIODEMO_VERSION,
		                    .python = host_python_version(),
		                    .started = started[0] ? started : NULL,
		                    .machine = { machine.cpus,
		                                 machine.kernel[0] ? machine.kernel : NULL,
		                                 machine.hostname[0] ? machine.hostname : NULL } };
	timeline_set_printing(tl, o->format == TL_JSON || o->view_events, false);
	timeline_set_renderings(tl, p->info.say_en, i18n_lang() == I18N_EN);
	timeline_set_limit(tl, o->max_events);
	/* Events from the loop and the workers, printed in time order. */
	if (timeline_set_reorder(tl, REORDER_WINDOW) != 0)
		diag_warning(_("events may print a little out of order: %s"), strerror(errno));
	struct heading h = { o, tl, &info, color };
	struct host_options ho = { o->scale, o->slow, o->args, o->nargs, heading_now, &h };
	struct run_summary s = { .expected_total = -1, .code_end = -1, .status = "ok" };
	struct host_result r;
	int rc = host_run(p, &ho, tl, &s, &r);
	/* The clients' stop is the run's planned end, as a program's own return. */
	bool planned = clients && serve_clients_end(clients);
	urls_stop(servers);          /* the program is over: nothing is asked of them now */
	timeline_set_reorder(tl, 0); /* the program's threads are over: all of it out */
	if (rc != 0) {
		serve_clients_free(clients);
		host_free(&r);
		timeline_free(tl);
		free(params);
		program_free(p);
		return rc;
	}
	if (planned && r.interrupted) {
		r.interrupted = false;
		r.exit_status = 0;
		r.stop_signal = 0;
		free(r.error);
		r.error = NULL;
	}
	s.status = r.interrupted ? "interrupted" : r.failed ? "error" : "ok";
	s.error = r.error;
	s.code_end = r.code_end;
	int nchecks = 0;
	struct expect_result *checks = r.interrupted
	                                       ? NULL
	                                       : expect_verify(&p->info.expects, tl, o->scale,
	                                                       r.code_end, r.failed, &nchecks);
	struct summary_check *sum =
	        expect_summarize(&p->info.expects, o->scale, checks, nchecks, &s);
	int status = r.exit_status;
	struct buf told = { 0 };
	if (clients) {
		if (o->format == TL_JSON) {
			serve_clients_json(clients, timeline_t0(tl), &told);
			s.json_more = told.data;
		}
		if (status == 0 && (!planned || !serve_clients_ok(clients)))
			status = 1;
	}
	if (o->serve && r.interrupted && status == RUN_INTERRUPTED)
		status = 0; /* Ctrl-C is how a server ends */
	else if (o->serve && !r.interrupted && !planned && !r.handled_signal) {
		diag_error(_("%s ended by itself, after %.3f s: serve is for a program that serves "
		             "until Ctrl-C "
		             "('aiodemo run %s' runs any program)"),
		           p->info.name, s.total, o->target);
		if (status == 0)
			status = 1;
	}
	if (!timeline_output_broken(tl) && report(o, &info, tl, &s, color, NULL) != 0 &&
	    status == 0)
		status = 1;
	if (clients && o->format != TL_JSON && !timeline_output_broken(tl)) {
		serve_clients_text(clients, timeline_t0(tl), text_columns(), &told);
		printf("\n%s", told.data ? told.data : "");
		fflush(stdout);
	}
	buf_free(&told);
	serve_clients_free(clients);
	if (timeline_output_broken(tl))
		status = output_failed(timeline_output_errno(tl));
	if (r.stop_signal && status == r.exit_status)
		end_signal = r.stop_signal;
	expect_free(checks, nchecks);
	free(sum);
	host_free(&r);
	timeline_free(tl);
	free(params);
	program_free(p);
	return status;
}

/* Runs one program in a child process; returns true if it ran to its end
 * and met every expectation, and adds lines describing the result to
 * @report. */
static bool check_one(const struct options *o, const char *target, struct buf *report,
                      double *total, bool *interrupted)
{
	struct child_options co = child_options_of(o);
	struct child_result r;
	if (child_run(target, &co, &r) != 0) {
		buf_printf(report, "%s\n", _("could not start the run"));
		return false;
	}
	bool ok = false;
	*interrupted =
	        r.exit_status == 128 + SIGINT || r.exit_status == 128 + SIGTERM || caught_signal;
	if (!r.have_record) {
		buf_printf(report, _("the run ended with status %d and no record"), r.exit_status);
		buf_putc(report, '\n');
	} else {
		const struct run_summary *s = &r.record.summary;
		*total = s->total;
		ok = strcmp(s->status, "interrupted") != 0;
		if (!ok)
			buf_printf(report, "%s\n", _("the run was interrupted"));
		/* An exception is the implicit check's ("the run ends ok", or an
		 * "expect error"); another status is sys.exit()'s, a failure. */
		else if (r.exit_status != 0 && strcmp(s->status, "error") != 0) {
			ok = false;
			buf_printf(report, _("the program exited with status %d"), r.exit_status);
			buf_putc(report, '\n');
		}
		for (int i = 0; i < s->nchecks; i++) {
			ok &= s->checks[i].ok;
			buf_printf(report, "%s ", s->checks[i].ok ? _("met:") : _("NOT met:"));
			expect_text_shown(report, s->checks[i].text);
			buf_putc(report, '\n');
		}
	}
	child_result_free(&r);
	return ok;
}

static int cmd_check(const struct options *o)
{
	size_t nbuiltin;
	const struct builtin_program *all = catalog_all(&nbuiltin);
	int n = o->ntargets ? o->ntargets : (int)nbuiltin;
	if (install_signals() != 0) {
		diag_error(_("cannot set up signal handling: %s"), strerror(errno));
		return 1;
	}
	if (!all_load(o, o->targets, o->ntargets))
		return EXIT_USAGE;
	if (o->tap)
		printf("1..%d\n", n);
	int failed = 0;
	const char *met = _("met:"); /* the lines of a check met, as check_one() says them */
	size_t metlen = strlen(met);
	for (int i = 0; i < n; i++) {
		const char *target = o->ntargets ? o->targets[i] : all[i].name;
		struct buf report = { 0 };
		double total = 0;
		bool interrupted = false;
		bool ok = check_one(o, target, &report, &total, &interrupted);
		failed += !ok;
		if (o->tap) {
			printf("%sok %d - %s (%.3f s)\n", ok ? "" : "not ", i + 1, target, total);
			for (char *line = report.data, *nl; line && *line; line = nl + 1) {
				nl = strchr(line, '\n');
				*nl = '\0';
				if (!ok || strncmp(line, met, metlen) != 0)
					printf("# %s\n", line);
			}
		} else {
			struct buf row = { 0 };
			text_pad(&row, ok ? P_("check", "ok") : P_("check", "FAIL"), 4, true);
			printf("%s %-24s %8.3f s\n", row.data, target, total);
			buf_free(&row);
			for (char *line = report.data, *nl; !ok && line && *line; line = nl + 1) {
				nl = strchr(line, '\n');
				*nl = '\0';
				if (strncmp(line, met, metlen) != 0) {
					struct buf b = { 0 };
					text_wrap(&b, line, text_columns(), "     ", "       ");
					fputs(b.data, stdout);
					buf_free(&b);
				}
			}
		}
		buf_free(&report);
		if (fflush(stdout) != 0 || ferror(stdout))
			return output_failed(errno);
		if (interrupted) {
			int sig = caught_signal ? caught_signal : SIGINT;
			printf(o->tap ? _("# interrupted by %s after %d of %d\n")
			              : _("interrupted by %s after %d of %d\n"),
			       signals_name(sig), i + 1, n);
			end_signal = sig;
			return 128 + sig;
		}
	}
	if (!o->tap)
		printf(_("%d passed, %d failed\n"), n - failed, failed);
	return failed ? 1 : 0;
}

/* Whether @path is a record: a file whose first byte that is not a space
 * opens a JSON object (no Python program begins so). */
static bool is_record(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	int c;
	while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	fclose(f);
	return c == '{';
}

/* play: a record, or a program run quietly in a child and recorded, on
 * the terminal. */
static int cmd_play(const struct options *o)
{
	if (!play_available())
		return play_record(NULL);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		diag_error(isatty(STDIN_FILENO)
		                   ? _("aiodemo play needs a terminal: standard output is not one "
		                       "(aiodemo run and aiodemo replay show a run without one)")
		                   : _("aiodemo play needs a terminal: standard input is not one "
		                       "(aiodemo run and aiodemo replay show a run without one)"));
		return EXIT_USAGE;
	}
	int status;
	if (is_record(o->target)) {
		struct replay r;
		if (replay_load(o->target, NULL, TL_TEXT, false, false, &r) != 0) {
			replay_free(&r);
			return EXIT_USAGE;
		}
		status = play_record(&r);
		replay_free(&r);
	} else {
		if (install_signals() != 0)
			return 1;
		fprintf(stderr, _("aiodemo: recording a run of %s (--scale %g) to play it...\n"),
		        o->target, o->scale);
		struct child_options co = child_options_of(o);
		struct child_result r;
		if (child_run(o->target, &co, &r) != 0)
			return 1;
		if (caught_signal) {
			child_result_free(&r);
			end_signal = caught_signal;
			return 128 + caught_signal;
		}
		if (!r.have_record) {
			diag_error(_("the run of %s ended with status %d and left no record"),
			           o->target, r.exit_status);
			status = r.exit_status == EXIT_USAGE ? EXIT_USAGE : 1;
		} else {
			status = play_record(&r.record);
		}
		child_result_free(&r);
	}
	if (status > 128)
		end_signal = status - 128;
	return status;
}

static int cmd_bench(const struct options *o)
{
	size_t n;
	const char *const *names = bench_set_names(&n);
	int set = o->ntargets ? 0 : BENCH_ALL;
	for (int i = 0; i < o->ntargets; i++) {
		int bits = bench_set_bits(o->targets[i]);
		if (!bits) {
			const char *s = suggest_name(o->targets[i], names, n);
			/* The sets of the C machinery's benchmarks, measured in overhead now. */
			if (!strcmp(o->targets[i], "offload") ||
			    !strcmp(o->targets[i], "process") || !strcmp(o->targets[i], "scale"))
				s = "overhead";
			for (size_t k = 0; !s && *o->targets[i] && k < n; k++)
				if (!strncmp(names[k], o->targets[i], strlen(o->targets[i])))
					s = names[k];
			if (s)
				return usage_error(_("bench has no set '%s'; did you mean '%s'? "
				                     "(sets: overhead, loop, "
				                     "timers, start, all)"),
				                   o->targets[i], s);
			return usage_error(_("bench has no set '%s'; the sets are overhead, loop, "
			                     "timers, start and all"),
			                   o->targets[i]);
		}
		set |= bits;
	}
	/* A child that dies leaves a broken pipe: an error to report, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return bench_run(set, o->quick, o->format == TL_JSON);
}

static int cmd_sweep(const struct options *o)
{
	if (install_signals() != 0) {
		diag_error(_("cannot set up signal handling: %s"), strerror(errno));
		return 1;
	}
	struct sweep_options so = {
		.target = o->target,
		.axes = o->targets,
		.naxes = o->ntargets,
		.params = o->params,
		.nparams = o->nparams,
		.scale = o->scale,
		.slow = o->slow,
		.max_events = o->max_events,
		.repeat = o->repeat,
		.timeout = o->timeout,
		.plot = o->plot,
		.svg = o->svg,
		.svg_slides = o->svg_style == SVG_SLIDES,
		.format = o->csv                 ? SWEEP_CSV
		          : o->format == TL_JSON ? SWEEP_JSON
		                                 : SWEEP_TEXT,
		.color = !o->csv && use_color(o),
		.version = AIODEMO_VERSION,
		.caught_signal = &caught_signal,
	};
	int status = sweep_run(&so);
	if (status > 128 && status != RUN_BROKEN_PIPE)
		end_signal = status - 128;
	return status;
}

static int cmd_show(const struct options *o)
{
	struct program *p = load_program(o);
	if (!p)
		return EXIT_USAGE;
	if (o->show_params)
		for (int i = 0; i < p->nparams; i++)
			printf("%s=%s\n", p->params[i].name, p->params[i].value);
	else
		fwrite(p->text, 1, p->len, stdout);
	program_free(p);
	return 0;
}

/* The value of --lang, read before the other options so that their
 * errors are in that language; NULL when not given. */
static const char *lang_option(int argc, char **argv)
{
	const char *lang = NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strncmp(argv[i], "--lang=", 7))
			lang = argv[i] + 7;
		else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
	}
	return lang;
}

int main(int argc, char **argv)
{
	/* Until a command is ready for them, signals wait: a run's CPython
	 * takes them once the program runs (host.c), the other commands as
	 * soon as they start. */
	sigset_t held;
	signals_stopping(&held);
	pthread_sigmask(SIG_BLOCK, &held, NULL);
	const char *lang = lang_option(argc, argv);
	if (i18n_init(lang) != 0) {
		i18n_init(NULL);
		return usage_error(_("--lang takes zh or en, not '%s'"), lang);
	}
	diag_color = isatty(STDERR_FILENO) && !no_color();
	struct options o = { 0 };
	int status = parse_args(argc, argv, &o);
	text_columns(); /* the width, found before any thread prints */
	if (status < 0 && strcmp(o.command, "run") != 0 && strcmp(o.command, "serve") != 0 &&
	    strcmp(o.command, "httpbin") != 0)
		pthread_sigmask(SIG_UNBLOCK, &held, NULL);
	if (status < 0) {
		if (!strcmp(o.command, "list"))
			status = cmd_list(&o);
		else if (!strcmp(o.command, "run") || !strcmp(o.command, "serve"))
			status = cmd_run(&o);
		else if (!strcmp(o.command, "show"))
			status = cmd_show(&o);
		else if (!strcmp(o.command, "check"))
			status = cmd_check(&o);
		else if (!strcmp(o.command, "replay"))
			status = cmd_replay(&o);
		else if (!strcmp(o.command, "compare"))
			status = cmd_compare(&o);
		else if (!strcmp(o.command, "play"))
			status = cmd_play(&o);
		else if (!strcmp(o.command, "sweep"))
			status = cmd_sweep(&o);
		else if (!strcmp(o.command, "httpbin"))
			status = cmd_httpbin(&o, &held);
		else {
			status = cmd_bench(&o);
			/* 128 + N only when SIGINT or SIGTERM stopped it */
			if (status == 128 + SIGINT || status == 128 + SIGTERM)
				end_signal = status - 128;
		}
	}
	free(o.params);
	/* What list, show and the rest wrote: a failure not reported yet. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE && status == 0) {
		diag_error(_("writing the output failed: %s"), strerror(errno));
		return 1;
	}
	fflush(stderr);
	if (end_signal)
		end_by(end_signal);
	return status;
}
