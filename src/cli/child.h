/* A program run in a child aiodemo process, read back from its record.
 *
 * check and compare run each program in a process of its own: embedded
 * CPython starts once per process, a crash or a hang in one program is
 * reported there, and the parent keeps nothing of the program but its
 * record (lanes, events, summary, expectations). */
#ifndef AIODEMO_CLI_CHILD_H
#define AIODEMO_CLI_CHILD_H

#include <stdbool.h>
#include <stdio.h>

#include "report/replay.h"

/** How the child runs. */
struct child_options {
	double scale, slow;
	size_t max_events;   /* passed as --max-events */
	char *const *params; /* NAME=VALUE, passed as --param */
	int nparams;
	char *const *args; /* the program's sys.argv[1:] */
	int nargs;
	/* Where the record read back prints when asked to (timeline_print_*),
	 * as replay_load() takes them; NULL: nowhere. */
	FILE *out;
	enum tl_format format;
	bool color;
	double timeout; /* seconds of real time the run may take; 0: no limit */
};

/** What came back. */
struct child_result {
	int exit_status;  /* the child's status (128+N for a signal) */
	int term_signal;  /* the signal that ended the child, or 0 */
	bool timed_out;   /* it outlived the timeout and was stopped */
	bool have_record; /* whether @record was read */
	struct replay record;
};

/** Runs `aiodemo run TARGET --format json --record TMP` quietly (stdout to
 *  /dev/null, stderr shared), waits, reads the record and removes it.
 *  A SIGTERM that child_forward_signal() is given reaches the child; Ctrl-C
 *  reaches it through the terminal's process group, and one that came while
 *  the child was being started is passed on to it. Past @o->timeout the
 *  child gets SIGTERM, which stops a run as Ctrl-C does, and SIGKILL 2 s
 *  later if it is still there; its record is not read then, and what a
 *  killed child left in $TMPDIR is removed. A child that a signal other
 *  than SIGINT, SIGTERM or SIGHUP ended (a crash) leaves no record read
 *  either. Returns 0 when the child ran (whatever its status), -1 after
 *  printing why it could not. */
int child_run(const char *target, const struct child_options *o, struct child_result *r);

/** Sends @sig to the running child, if any: safe in a signal handler. */
void child_forward_signal(int sig);

/** Whether a child runs now: safe in a signal handler. */
bool child_active(void);

/** Removes the temporary record of the run being started, waited for or
 *  read, if any, for a process about to end at once: safe in a signal
 *  handler. */
void child_discard_record(void);

/** Frees what child_run() read. */
void child_result_free(struct child_result *r);

#endif
