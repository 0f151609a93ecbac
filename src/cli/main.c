/* aiodemo: runs Python asyncio programs on embedded CPython, on aiodemo's
 * own libev event loop, and prints a timeline of what really happened:
 * every task step, executor job, printed line and blocked window, measured.
 *
 * The layers, lowest first:
 *   buf, clock, diag, text   utilities
 *   timeline, expect         the run's events, and checking them
 *   render, export, replay   pictures, records, traces, SVG; reading records
 *   loop/                    the libev loop CPython's selector loop drives
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
#include "runs.h"
#include "sweep.h"
#include "outfile.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/machine.h"
#include "util/signals.h"
#include "record/expect.h"
#include "report/export.h"
#include "report/figures.h"
#include "report/html.h"
#include "report/table.h"
#include "host/host.h"
#include "host/program.h"
#include "report/render.h"
#include "report/replay.h"
#include "play/play.h"
#include "util/text.h"
#include "record/timeline.h"

#ifndef AIODEMO_VERSION
#define AIODEMO_VERSION "unknown"
#endif

static const char usage_text[] =
        "usage: aiodemo list\n"
        "       aiodemo run NAME|FILE.py [ARG]... [--scale F] [--param NAME=VALUE]...\n"
        "                   [--format text|json] [--view events|gantt|both]\n"
        "                   [--color=auto|always|never] [--slow SECONDS] [--repeat K]\n"
        "                   [--record FILE] [--trace FILE] [--svg FILE] [--html FILE]\n"
        "                   [--max-events N]\n"
        "       aiodemo serve NAME|FILE.py [--port P] [--param NAME=VALUE]... [--scale F]\n"
        "       aiodemo show NAME|FILE [--param NAME=VALUE]...\n"
        "       aiodemo check [NAME|FILE]... [--scale F] [--param NAME=VALUE]... [--tap]\n"
        "       aiodemo compare RUN RUN [RUN]... [--scale F] [--param NAME=VALUE]...\n"
        "                   [--repeat K] [--format text|json] [--color=WHEN]\n"
        "                   [--html FILE]\n"
        "       aiodemo replay RECORD [--view events|gantt|both] [--format text|json]\n"
        "                   [--color=WHEN] [--record FILE] [--trace FILE] [--svg FILE]\n"
        "                   [--html FILE]\n"
        "       aiodemo play NAME|FILE.py|RECORD [--scale F] [--param NAME=VALUE]...\n"
        "       aiodemo sweep NAME|FILE.py PARAM=LIST|RANGE... [--repeat K]\n"
        "                   [--timeout SECONDS] [--plot FIGURE] [--svg FILE] [--scale F]\n"
        "                   [--param NAME=VALUE]... [--format text|json|csv]\n"
        "                   [--color=WHEN]\n"
        "       aiodemo bench [overhead|loop|timers|start|all]... [--quick]\n"
        "                   [--format text|json]\n"
        "       aiodemo --help | --version\n";

static const char help_text[] =
        "\n"
        "Runs Python asyncio programs on embedded CPython, on aiodemo's own libev\n"
        "event loop, and prints a measured timeline that shows when the loop is\n"
        "blocked, what offloading to threads and processes changes, and the GIL.\n"
        "\n"
        "commands:\n"
        "  list             list the built-in programs: name and title\n"
        "  run NAME|FILE    run a program (as python3 would) and print its timeline\n"
        "                   and a summary; arguments after it are its sys.argv[1:]\n"
        "  serve NAME|FILE  run a server program until Ctrl-C, which ends it\n"
        "                   normally (--port P sets the program's port parameter)\n"
        "  show NAME|FILE   print the program with the values of --param\n"
        "  check [NAME|FILE]...\n"
        "                   run programs quietly and verify what their headers\n"
        "                   expect (all the built-in ones when none is named)\n"
        "  compare RUN RUN [RUN]...\n"
        "                   run programs and show them on one time axis, with a\n"
        "                   table of their figures and ratios to the first; a RUN\n"
        "                   is a program with its own options: 'bounded-pool\n"
        "                   workers=4', 'offload-sleep --scale 0.5'\n"
        "  replay RECORD    show a run saved with --record again, in any view\n"
        "  play NAME|FILE|RECORD\n"
        "                   step through a run on the terminal, event by event, with\n"
        "                   the program's line, the loop's state and the chart (a\n"
        "                   program is run and recorded first); ? shows the keys\n"
        "  sweep NAME|FILE PARAM=LIST|RANGE...\n"
        "                   run a program at every combination of its parameters'\n"
        "                   values (1,2,4 or 1..6 or 0.5..2:0.5), each run a process\n"
        "                   of its own, with a row of figures a point and a plot\n"
        "  bench [SET]...   measure Python programs under aiodemo beside python3.11:\n"
        "                   what observing costs, the loop's speed, timers' lateness\n"
        "                   and start-up (uvloop too where it is installed)\n"
        "\n";

/* Apart from the commands: a C string is at most 4095 bytes. */
static const char help_options_text[] =
        "options:\n"
        "      --color=WHEN       colour the timeline: auto (default: on a terminal,\n"
        "                         unless NO_COLOR is set and not empty), always, never\n"
        "  -f, --format=FORMAT    text (default) or json (one object per line); sweep:\n"
        "                         text, json (one document) or csv (a row a run)\n"
        "  -h, --help             show this help\n"
        "      --html=FILE        save a page (HTML, one file) that steps through the\n"
        "                         run: chart, slider, source, the loop's state\n"
        "      --max-events=N     keep the first N events of a run for its chart and\n"
        "                         record (default 4000000); later ones are printed\n"
        "                         as they happen and counted\n"
        "  -p, --param NAME=VALUE set a parameter the program's header declares\n"
        "      --plot=FIGURE      sweep: the figure plotted, total (default), max_lag,\n"
        "                         lag_p99, queue_wait, blocked or utilization\n"
        "      --port=P           serve: the program's port parameter\n"
        "      --quick            bench: small sizes, to see that it runs\n"
        "      --record=FILE      save the run's full event stream (JSON) for replay\n"
        "      --repeat=K         run, compare, sweep: run each program (each point)\n"
        "                         K times, and tell each figure's median and range\n"
        "  -s, --scale=F          multiply every duration by F (default 1)\n"
        "      --slow=SECONDS     what the diagnostics call slow: a blocking step or a\n"
        "                         pass of the loop this long (default 0.1, scaled)\n"
        "      --svg=FILE         save the Gantt chart (sweep: the plot) as SVG\n"
        "      --tap              check: print TAP (Test Anything Protocol)\n"
        "      --timeout=SECONDS  sweep: stop a run that takes longer (real seconds,\n"
        "                         not scaled; default: no limit)\n"
        "      --trace=FILE       save a Chrome trace (Perfetto, chrome://tracing)\n"
        "  -V, --version          show the version\n"
        "      --view=VIEW        text output: events (the timeline), gantt (a chart\n"
        "                         of every lane), or both (default)\n"
        "\n"
        "exit status: the program's own (0 ok, 1 an uncaught exception, or its\n"
        "SystemExit); check: 1 when an expectation was not met; sweep: 1 when a run\n"
        "failed (an error, a crash, a timeout); 2 a usage error or a\n"
        "program that does not compile; interrupted, aiodemo ends by the signal\n"
        "(SIGINT, SIGTERM, SIGHUP: $? 130, 143, 129) as python3 does; 141 the\n"
        "reader of the output went away.\n"
        "See aiodemo(1) and aiodemo-program(5).\n";

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
	CMD_BENCH,
	CMD_SWEEP,
	NCOMMANDS
};

static const char *const command_names[NCOMMANDS] = {
	[CMD_LIST] = "list",     [CMD_RUN] = "run",     [CMD_SERVE] = "serve",
	[CMD_SHOW] = "show",     [CMD_CHECK] = "check", [CMD_COMPARE] = "compare",
	[CMD_REPLAY] = "replay", [CMD_PLAY] = "play",   [CMD_BENCH] = "bench",
	[CMD_SWEEP] = "sweep",
};

#define ON(c) (1u << (c))
/* What runs a program the way run does, and takes what shapes a run. */
#define RUNS                                                                                       \
	(ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_CHECK) | ON(CMD_COMPARE) | ON(CMD_PLAY) |            \
	 ON(CMD_SWEEP))

/* Options without a short form of their own. */
enum { OPT_PLOT = 256, OPT_TIMEOUT };

/* Every option, and the commands it applies to: given to another command,
 * it is a usage error, not silently ignored. --help and --version go with
 * any command (or none). */
static const struct {
	struct option opt;
	unsigned commands;
} option_table[] = {
	{ { "color", required_argument, NULL, 'c' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_SWEEP) },
	{ { "format", required_argument, NULL, 'f' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_COMPARE) | ON(CMD_REPLAY) | ON(CMD_BENCH) |
	          ON(CMD_SWEEP) },
	{ { "ideal", no_argument, NULL, 'i' }, ~0u },
	{ { "help", no_argument, NULL, 'h' }, ~0u },
	{ { "html", required_argument, NULL, 'H' },
	  ON(CMD_RUN) | ON(CMD_COMPARE) | ON(CMD_REPLAY) },
	{ { "max-events", required_argument, NULL, 'M' }, RUNS },
	{ { "param", required_argument, NULL, 'p' }, RUNS | ON(CMD_SHOW) },
	{ { "plot", required_argument, NULL, OPT_PLOT }, ON(CMD_SWEEP) },
	{ { "port", required_argument, NULL, 'P' }, ON(CMD_SERVE) },
	{ { "quick", no_argument, NULL, 'q' }, ON(CMD_BENCH) },
	{ { "record", required_argument, NULL, 'r' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY) },
	{ { "repeat", required_argument, NULL, 'R' },
	  ON(CMD_RUN) | ON(CMD_COMPARE) | ON(CMD_SWEEP) },
	{ { "scale", required_argument, NULL, 's' }, RUNS },
	{ { "slow", required_argument, NULL, 'S' }, RUNS },
	{ { "svg", required_argument, NULL, 'g' },
	  ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY) | ON(CMD_SWEEP) },
	{ { "tap", no_argument, NULL, 't' }, ON(CMD_CHECK) },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, ON(CMD_SWEEP) },
	{ { "trace", required_argument, NULL, 'T' }, ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY) },
	{ { "version", no_argument, NULL, 'V' }, ~0u },
	{ { "view", required_argument, NULL, 'v' }, ON(CMD_RUN) | ON(CMD_SERVE) | ON(CMD_REPLAY) },
};
enum { NOPTIONS = sizeof(option_table) / sizeof(option_table[0]) };

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
	for (int c = 0; c < NCOMMANDS && len < size; c++) {
		if (!(mask & ON(c)))
			continue;
		n++;
		len += (size_t)snprintf(out + len, size - len, "%s'%s'",
		                        n == 1       ? ""
		                        : n == total ? " and "
		                                     : ", ",
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
	while ((c = getopt_long(argc, argv, ":f:hp:s:V", longopts, NULL)) != -1) {
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
				return usage_error("--color takes auto, always or never, not '%s'",
				                   optarg);
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->format = TL_TEXT;
			else if (!strcmp(optarg, "json"))
				o->format = TL_JSON;
			else if (strcmp(optarg, "csv") != 0)
				return usage_error(
				        "--format takes text or json (sweep: or csv), not '%s'",
				        optarg);
			o->csv = !strcmp(optarg, "csv");
			break;
		case 'h':
			help = true;
			break;
		case 'p':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error("--param takes NAME=VALUE, not '%s'", optarg);
			o->params = xrealloc(o->params, (size_t)(o->nparams + 1) * sizeof(char *));
			o->params[o->nparams++] = optarg;
			break;
		case 'P':
			if (parse_count(optarg, 1, 65535, &n) != 0)
				return usage_error(
				        "--port takes a port number from 1 to 65535, not '%s'",
				        optarg);
			o->port = (long)n;
			break;
		case OPT_PLOT:
			o->plot = optarg; /* a figure's key: sweep checks it */
			break;
		case OPT_TIMEOUT:
			if (parse_amount(optarg, 86400, &o->timeout) != 0)
				return usage_error("--timeout takes seconds greater than 0 and at "
				                   "most 86400, not '%s'",
				                   optarg);
			break;
		case 'R':
			if (parse_count(optarg, 1, 100, &n) != 0)
				return usage_error("--repeat takes a number of runs from 1 to 100, "
				                   "not '%s'",
				                   optarg);
			o->repeat = (int)n;
			break;
		case 's':
			if (parse_amount(optarg, 1000, &o->scale) != 0)
				return usage_error("--scale takes a number greater than 0 and at "
				                   "most 1000, not '%s'",
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
		case 'M':
			if (parse_count(optarg, 1, 1000000000, &n) != 0)
				return usage_error("--max-events takes a whole number from 1 to "
				                   "1000000000, not '%s'",
				                   optarg);
			o->max_events = (size_t)n;
			break;
		case 'i':
			return usage_error("--ideal is not available for Python programs: a "
			                   "virtual clock would change "
			                   "what their threads, processes and CPU work do");
		case 'S':
			if (parse_amount(optarg, 1000, &o->slow) != 0)
				return usage_error("--slow takes seconds greater than 0 and at "
				                   "most 1000, not '%s'",
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
				return usage_error("--view takes events, gantt or both, not '%s'",
				                   optarg);
			}
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (help) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		fputs(help_options_text, stdout);
		return 0;
	}
	if (version) {
		printf("aiodemo %s\n", AIODEMO_VERSION);
		return 0;
	}
	if (optind >= argc)
		return usage_error("no command given");
	o->command = argv[optind++];
	int cmd = -1;
	for (int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(o->command, command_names[i]))
			cmd = i;
	if (cmd < 0) {
		const char *s = suggest_name(o->command, command_names, NCOMMANDS);
		if (s)
			return usage_error("unknown command '%s'; did you mean '%s'?", o->command,
			                   s);
		return usage_error("unknown command '%s'", o->command);
	}
	for (int i = 0; i < NOPTIONS; i++) {
		if (!given[i] || (option_table[i].commands & ON(cmd)))
			continue;
		char list[256];
		commands_of(option_table[i].commands, list, sizeof(list));
		return usage_error("--%s is not an option of '%s' (only of %s)",
		                   option_table[i].opt.name, o->command, list);
	}
	o->serve = cmd == CMD_SERVE;
	if (o->csv && cmd != CMD_SWEEP)
		return usage_error("--format csv is for 'sweep': %s writes text or json",
		                   o->command);
	if (cmd == CMD_SWEEP) {
		if (optind >= argc)
			return usage_error("'sweep' needs a program name or file, and a parameter "
			                   "to sweep: NAME=LIST or NAME=FIRST..LAST[:STEP]");
		if (argc - optind < 2)
			return usage_error("'sweep' needs a parameter of %s to sweep after it: "
			                   "NAME=LIST (workers=1,2,4) or NAME=FIRST..LAST[:STEP] "
			                   "(workers=1..6)",
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
			return usage_error("'compare' needs two programs or more (names or files, "
			                   "each with its own parameters), not %d",
			                   argc - optind);
		o->targets = argv + optind;
		o->ntargets = argc - optind;
		return -1;
	}
	if (cmd != CMD_LIST) {
		if (optind >= argc)
			return usage_error(cmd == CMD_REPLAY ? "'%s' needs a record file (saved "
			                                       "with --record)"
			                   : cmd == CMD_PLAY
			                           ? "'%s' needs a program name or file, or a "
			                             "record file"
			                           : "'%s' needs a program name or file",
			                   o->command);
		o->target = argv[optind++];
	}
	if (optind < argc && cmd == CMD_RUN) {
		o->args = argv + optind; /* sys.argv[1:] */
		o->nargs = argc - optind;
		return -1;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}

static int cmd_list(void)
{
	size_t n;
	const struct builtin_program *all = catalog_all(&n);
	for (size_t i = 0; i < n; i++) {
		struct program *p = program_load(all[i].name);
		printf("%-24s %s\n", all[i].name, p && p->info.title ? p->info.title : "");
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
	files[0] = (struct outfile){ o->record, "record", NULL, NULL };
	files[1] = (struct outfile){ o->trace, "trace", NULL, NULL };
	files[2] = (struct outfile){ o->svg, "SVG", NULL, NULL };
	files[3] = (struct outfile){ o->html, "page", NULL, NULL };
}

/* Writes the files asked for, each whole or not at all. Signals wait until
 * they are in place: a second Ctrl-C must not leave half a record. */
static int write_files(const struct options *o, const struct record_info *info,
                       const struct timeline *tl, const struct run_summary *s,
                       const struct model *m)
{
	struct outfile files[NFILES];
	outfiles_of(o, files);
	struct html_run page = { info, tl, m, s };
	sigset_t block, old;
	signals_stopping(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	int status = 0;
	for (int i = 0; i < NFILES; i++) {
		if (!files[i].path)
			continue;
		int rc = outfile_open(&files[i]);
		if (rc == 0) {
			rc = i == 0   ? export_record(files[i].f, info, tl, s)
			     : i == 1 ? export_trace(files[i].f, info, tl, m)
			     : i == 2 ? export_svg(files[i].f, info, m, s)
			              : export_html(files[i].f, &page, 1);
			int e = errno;
			if (outfile_close(&files[i], rc == 0) != 0)
				rc = -1;
			else
				errno = e;
		}
		if (rc != 0) {
			diag_error("cannot write the %s to '%s': %s", files[i].what, files[i].path,
			           strerror(errno));
			status = 1;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
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
			render_gantt(&m, &b, text_terminal_width(100), 30, timeline_utf8(tl),
			             color);
			timeline_print_text(tl, "%s", b.data);
		}
		timeline_print_summary(tl, s);
		if (after_summary)
			timeline_print_text(tl, "%s", after_summary);
		buf_clear(&b);
		render_task_times(&m, &b, 12);
		render_pool_times(&m, &b);
		if (b.len)
			timeline_print_text(tl, "%s", b.data);
		buf_clear(&b);
		render_diagnostics(tl, s, s->slow_threshold, &b);
		if (b.len)
			timeline_print_text(tl, "\n%sdiagnostics%s\n%s", color ? "\033[1m" : "",
			                    color ? "\033[0m" : "", b.data);
		if (info->notice)
			timeline_print_text(tl, "\nwhat to notice\n%s", info->notice);
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
	timeline_print_text(tl, "%s%s%s%s%s\n", color ? "\033[1m" : "", info->name,
	                    color ? "\033[0m" : "", info->title ? ": " : "",
	                    info->title ? info->title : "");
	if (info->source)
		timeline_print_text(tl, "from %s", info->source);
	export_params_text(&b, info, sep, timeline_utf8(tl));
	timeline_print_text(tl, "%sscale %g%s\n", info->source ? sep : "", info->scale,
	                    b.data ? b.data : "");
	buf_free(&b);
	if (o->view_events)
		timeline_print_text(tl, "\n%8s  %-26s  %s\n", "time (s)", "lane", "event");
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
	printf("run %d of %d: %s, %s", set->n, o->repeat, b.data, r->record.summary.status);
	if (r->exit_status)
		printf(" (exit status %d)", r->exit_status);
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
		diag_error("cannot set up signal handling: %s", strerror(errno));
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
			diag_error("interrupted by %s after %d of %d runs",
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
	buf_printf(&text, "median of %d", set.n);
	table_set(&t, 0, 1, &text);
	buf_puts(&text, "range");
	table_set(&t, 0, 2, &text);
	buf_printf(&more, "\"repeat\":{\"runs\":%d,\"shown\":%d,\"figures\":{", set.n, shown);
	for (int f = 0; f < NFIGURES; f++) {
		const struct figure_info *fi = figure_info((enum figure)f);
		struct spread sp = run_set_spread(&set, (enum figure)f);
		buf_printf(&more, "%s\"%s\":{\"median\":%.6f,\"min\":%.6f,\"max\":%.6f}",
		           f ? "," : "", fi->key, sp.median, sp.min, sp.max);
		buf_puts(&text, fi->name);
		table_set(&t, 1 + f, 0, &text);
		figure_format(&text, sp.median, fi->seconds);
		table_set(&t, 1 + f, 1, &text);
		figure_format_range(&text, sp, fi->seconds);
		table_set(&t, 1 + f, 2, &text);
	}
	buf_puts(&more, "},\"exit_statuses\":[");
	for (int k = 0; k < set.n; k++)
		buf_printf(&more, "%s%d", k ? "," : "", set.r[k].exit_status);
	buf_puts(&more, "]}");
	buf_printf(&text, "\n%d runs (run %d is shown: the median total)\n", set.n, shown + 1);
	table_print(&t, &text, text_terminal_width(100));
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
	bool color = use_color(o);
	struct timeline *tl = timeline_new(stdout, o->format, color, clock_now());
	if (!tl) {
		diag_error("cannot set up the run: %s", strerror(errno));
		program_free(p);
		return 1;
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
	timeline_set_limit(tl, o->max_events);
	struct heading h = { o, tl, &info, color };
	struct host_options ho = { o->scale, o->slow, o->args, o->nargs, heading_now, &h };
	struct run_summary s = { .expected_total = -1, .code_end = -1, .status = "ok" };
	struct host_result r;
	int rc = host_run(p, &ho, tl, &s, &r);
	if (rc != 0) {
		host_free(&r);
		timeline_free(tl);
		free(params);
		program_free(p);
		return rc;
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
	if (o->serve && r.interrupted && status == RUN_INTERRUPTED)
		status = 0; /* Ctrl-C is how a server ends */
	else if (o->serve && !r.interrupted) {
		diag_error("%s ended by itself, after %.3f s: serve is for a program that serves "
		           "until Ctrl-C "
		           "('aiodemo run %s' runs any program)",
		           p->info.name, s.total, o->target);
		if (status == 0)
			status = 1;
	}
	if (!timeline_output_broken(tl) && report(o, &info, tl, &s, color, NULL) != 0 &&
	    status == 0)
		status = 1;
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
		buf_printf(report, "could not start the run\n");
		return false;
	}
	bool ok = false;
	*interrupted =
	        r.exit_status == 128 + SIGINT || r.exit_status == 128 + SIGTERM || caught_signal;
	if (!r.have_record) {
		buf_printf(report, "the run ended with status %d and no record\n", r.exit_status);
	} else {
		const struct run_summary *s = &r.record.summary;
		*total = s->total;
		ok = strcmp(s->status, "interrupted") != 0;
		if (!ok)
			buf_printf(report, "the run was interrupted\n");
		/* An exception is the implicit check's ("the run ends ok", or an
		 * "expect error"); another status is sys.exit()'s, a failure. */
		else if (r.exit_status != 0 && strcmp(s->status, "error") != 0) {
			ok = false;
			buf_printf(report, "the program exited with status %d\n", r.exit_status);
		}
		for (int i = 0; i < s->nchecks; i++) {
			ok &= s->checks[i].ok;
			buf_printf(report, "%s %s\n",
			           s->checks[i].ok ? "met:" : "NOT met:", s->checks[i].text);
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
		diag_error("cannot set up signal handling: %s", strerror(errno));
		return 1;
	}
	if (!all_load(o, o->targets, o->ntargets))
		return EXIT_USAGE;
	if (o->tap)
		printf("1..%d\n", n);
	int failed = 0;
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
				if (!ok || strncmp(line, "met:", 4) != 0)
					printf("# %s\n", line);
			}
		} else {
			printf("%-4s %-24s %8.3f s\n", ok ? "ok" : "FAIL", target, total);
			for (char *line = report.data, *nl; !ok && line && *line; line = nl + 1) {
				nl = strchr(line, '\n');
				*nl = '\0';
				if (strncmp(line, "met:", 4) != 0)
					printf("     %s\n", line);
			}
		}
		buf_free(&report);
		if (fflush(stdout) != 0 || ferror(stdout))
			return output_failed(errno);
		if (interrupted) {
			int sig = caught_signal ? caught_signal : SIGINT;
			printf(o->tap ? "# interrupted by %s after %d of %d\n"
			              : "interrupted by %s after %d of %d\n",
			       signals_name(sig), i + 1, n);
			end_signal = sig;
			return 128 + sig;
		}
	}
	if (!o->tap)
		printf("%d passed, %d failed\n", n - failed, failed);
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
		diag_error("aiodemo play needs a terminal: standard %s is not one (aiodemo run "
		           "and aiodemo replay show a run without one)",
		           isatty(STDIN_FILENO) ? "output" : "input");
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
		fprintf(stderr, "aiodemo: recording a run of %s (--scale %g) to play it...\n",
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
			diag_error("the run of %s ended with status %d and left no record",
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
				return usage_error("bench has no set '%s'; did you mean '%s'? "
				                   "(sets: overhead, loop, "
				                   "timers, start, all)",
				                   o->targets[i], s);
			return usage_error("bench has no set '%s'; the sets are overhead, loop, "
			                   "timers, start and all",
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
		diag_error("cannot set up signal handling: %s", strerror(errno));
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
	fwrite(p->text, 1, p->len, stdout);
	program_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	/* Until a command is ready for them, signals wait: a run's CPython
	 * takes them once the program runs (host.c), the other commands as
	 * soon as they start. */
	sigset_t held;
	signals_stopping(&held);
	pthread_sigmask(SIG_BLOCK, &held, NULL);
	setlocale(LC_ALL, "");
	diag_color = isatty(STDERR_FILENO) && !no_color();
	struct options o = { 0 };
	int status = parse_args(argc, argv, &o);
	if (status < 0 && strcmp(o.command, "run") != 0 && strcmp(o.command, "serve") != 0)
		pthread_sigmask(SIG_UNBLOCK, &held, NULL);
	if (status < 0) {
		if (!strcmp(o.command, "list"))
			status = cmd_list();
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
		diag_error("writing the output failed: %s", strerror(errno));
		return 1;
	}
	fflush(stderr);
	if (end_signal)
		end_by(end_signal);
	return status;
}
