/* Embedded CPython: runs a program as `python3 prog.py` would (__main__,
 * sys.argv, sys.path[0], the standard library, installed packages), on
 * aiodemo's event loop, with every event observed onto a timeline. */
#ifndef AIODEMO_HOST_HOST_H
#define AIODEMO_HOST_HOST_H

#include "record/timeline.h"
#include "program.h"

/** How to run. */
struct host_options {
	double scale; /* --scale */
	double slow;  /* --slow, program seconds */
	char **argv;  /* the program's own arguments after its name */
	int argc;
	/* Called once the program compiles, just before it runs (headings). */
	void (*starting)(void *arg);
	void *arg;
};

/** How a run ended. */
struct host_result {
	int exit_status;    /* what python3 would have exited with */
	bool failed;        /* an exception nobody handled */
	bool interrupted;   /* KeyboardInterrupt */
	int stop_signal;    /* the signal to end by, as python3 does: SIGINT after
	                       a KeyboardInterrupt nobody handled, SIGTERM or
	                       SIGHUP after they stopped the run; 0 for none */
	int handled_signal; /* SIGINT or SIGTERM when the program took one with
	                       loop.add_signal_handler (and so may end by itself
	                       on Ctrl-C, as aiohttp's web.run_app does), or 0 */
	char *error;        /* the exception that ended it, for the summary */
	double code_end;    /* seconds from the start until the program's code
	                       returned, before CPython's finalization (which no
	                       --scale shortens): the end "expect total" checks */
};

/** Runs @p, printing events to @tl as they happen, and fills @s with what
 *  the summary reports. Returns 0, or 2 when the program cannot be
 *  compiled (the error is printed with its file, line and column), or 1
 *  when Python cannot start. */
int host_run(const struct program *p, const struct host_options *o, struct timeline *tl,
             struct run_summary *s, struct host_result *r);

/** Compiles the @n programs @ps, without running them, in a CPython that
 *  starts and ends for it (check and compare, whose runs are children):
 *  returns 0, or -1 after printing each error as host_run() does. */
int host_check_compiles(struct program *const *ps, int n);

/** The version of the CPython that runs the programs ("3.11.2"). */
const char *host_python_version(void);

/** Frees what host_run() kept for the summary. */
void host_free(struct host_result *r);

#endif
