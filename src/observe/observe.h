/* Observation of a Python program on aiodemo's loop: the module _aiodemo
 * that the bootstrap's hooks call, turning what CPython does into timeline
 * events, and the figures of the summary. */
#ifndef AIODEMO_OBSERVE_H
#define AIODEMO_OBSERVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>

#include "record/timeline.h"

/** How a run is observed. */
struct observe_options {
	double scale;     /* --scale: a real second is 1/scale program seconds */
	double slow;      /* what counts as slow, program seconds (0.1) */
	double heartbeat; /* the loop's heartbeat, program seconds (0.1) */
};

/** Creates the module _aiodemo (for PyImport_AppendInittab). */
PyObject *observe_module_init(void);

/** Starts observing into @tl: before Python runs the program (the
 *  channel from worker processes and the sampler thread start here).
 *  Returns 0, or -1 with errno set. */
int observe_start(struct timeline *tl, const struct observe_options *o);

/** Once Python is initialised: the objects observation keeps, and the
 *  sampler thread. Returns 0, or -1 with errno set. */
int observe_python_ready(void);

/** The program's code starts now: time 0 of the timeline. */
void observe_program_starts(void);

/** Seconds from the program's start (observe_program_starts()) to @now
 *  (clock_real_now()). */
double observe_elapsed(double now);

/** A note on the loop's lane that the program ended with @exit_status. */
void observe_note_end(int exit_status);

/** Ends observation before Python is finalised: flushes partial lines and
 *  stops the sampler. Call with the GIL held. */
void observe_stop_python(void);

/** After Python is finalised: stops the channel and fills @s (its pointers
 *  stay valid until observe_free()). */
void observe_finish(struct run_summary *s, double end);

/** Whether a handler of the observed loop's (add_signal_handler) took
 *  signal @sig during the run: a server that ends on Ctrl-C by itself
 *  (aiohttp's web.run_app) raises no KeyboardInterrupt. */
bool observe_signal_seen(int sig);

/** Frees what observation kept; a no-op when nothing was started. */
void observe_free(void);

#endif
