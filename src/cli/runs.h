/* Programs run several times in child processes, each with options of its
 * own: the runs of compare and of run --repeat, and their figures. */
#ifndef AIODEMO_CLI_RUNS_H
#define AIODEMO_CLI_RUNS_H

#include <stdbool.h>

#include "cli.h"
#include "report/figures.h"

/** One program with its own options: an argument of compare, such as
 *  'bounded-pool workers=4' or 'blocking-sleep --scale 0.5'. */
struct run_spec {
	const char *arg; /* the argument as given */
	char *target;    /* NAME or FILE.py */
	char **params;   /* NAME=VALUE: the command's --param, then its own */
	int nparams;
	double scale, slow;
	char *label; /* the argument with its words as parsed, for headings */
};

/** Parses @arg with the command's options @o as defaults: the first word
 *  is the program, then NAME=VALUE parameters and --scale F, --slow S,
 *  --param NAME=VALUE (words split at spaces; quotes and backslashes as a
 *  shell has them). An argument that is a file's name is the program
 *  whole, spaces and all. Returns 0, or EXIT_USAGE after printing why. */
int run_spec_parse(const char *arg, const struct options *o, struct run_spec *s);

/** Makes the spec of @target as it is, with the command's options @o. */
void run_spec_whole(const char *target, const struct options *o, struct run_spec *s);

/** Frees what run_spec_parse() made. */
void run_spec_free(struct run_spec *s);

/** Whether every spec's program loads, takes its parameters and compiles:
 *  a typo is a usage error found before anything runs. */
bool run_specs_load(const struct run_spec *specs, int n);

/** A spec's runs. */
struct run_set {
	const struct run_spec *spec;
	int n;                       /* the runs made */
	struct child_result *r;      /* @n of them */
	double (*figures)[NFIGURES]; /* each run's, when it left a record */
};

/** What run_sets_execute() came to. */
enum runs_end {
	RUNS_DONE,        /* every run left a record */
	RUNS_NO_RECORD,   /* a run ended without one: see runs_report_missing() */
	RUNS_INTERRUPTED, /* a signal stopped them (caught_signal, or a run's status) */
	RUNS_FAILED,      /* a child could not be started: said already */
};

/** Runs each of the @n specs @repeat times, in rounds (each spec once, then
 *  each again: what drifts on a noisy machine drifts for all), into @sets.
 *  Each run has the options of @base (--max-events, where its record
 *  prints) with its spec's scale, slowness and parameters. @progress,
 *  when not NULL, is called after each run. Stops at the first
 *  run without a record and at a signal. */
enum runs_end run_sets_execute(const struct run_spec *specs, int n, int repeat,
                               const struct child_options *base, struct run_set *sets,
                               void (*progress)(const struct run_set *set, void *arg), void *arg);

/** The run that left no record, said as an error; returns the status for it
 *  (EXIT_USAGE when the child's was, else 1). */
int runs_report_missing(const struct run_set *sets, int n);

/** The spread of figure @f over the set's runs. */
struct spread run_set_spread(const struct run_set *set, enum figure f);

/** The run to show for the set: the one whose total is the median (the
 *  lower of the two middle ones for an even number). */
int run_set_shown(const struct run_set *set);

/** The exit status of the set: the first of its runs' that is not 0, or 0. */
int run_set_status(const struct run_set *set);

/** Frees the sets' runs. */
void run_sets_free(struct run_set *sets, int n);

#endif
