/* How signals stop a run: held while CPython starts and ends; during the
 * program's run, SIGTERM and SIGHUP stop it as Ctrl-C does, so that the
 * partial run is still reported and the exit status names the signal. */
#ifndef AIODEMO_HOST_STOPPING_H
#define AIODEMO_HOST_STOPPING_H

#include <stdbool.h>

/** Holds (or lets through) SIGINT, SIGTERM and SIGHUP in this thread and
 *  in the threads it starts after. */
void stopping_hold(bool hold);

/** Just before the program runs, with the signals held and Python's
 *  thread state current: SIGTERM and SIGHUP now stop it. Returns 0, or -1
 *  with errno set. */
int stopping_begin(void);

/** Just after the program's run, before Python ends: the signals are held,
 *  and one that comes now or later is ignored (the run is complete and its
 *  report whole; CPython would crash taking it while it ends). Call
 *  stopping_ignore() again once Python has ended, which puts SIGINT's
 *  default action back. */
void stopping_end(void);
void stopping_ignore(void);

/** SIGTERM or SIGHUP when one of them stopped the run, else 0. */
int stopping_signal(void);

#endif
