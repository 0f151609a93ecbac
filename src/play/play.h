/* aiodemo play: a full-screen terminal player of a recorded run, on
 * ncurses. One screen shows the program's source with the line running
 * at the current moment, the lanes of the chart up to that moment, the
 * loop's state (the task running, the ready queue, the timers, the jobs
 * and workers, the GIL), who made and who awaits whom, the lines printed so
 * far, and the current event in plain words; the keys step through the
 * events, forward and back, or play them in time. */
#ifndef AIODEMO_PLAY_PLAY_H
#define AIODEMO_PLAY_PLAY_H

#include <stdbool.h>

#include "report/replay.h"

/** Whether this build has the player (it needs ncurses). */
bool play_available(void);

/** Plays @r on the terminal until the user quits. Returns 0, 128 + N
 *  when signal N (SIGINT, SIGTERM, SIGHUP) ended it, or 2 after saying why
 *  when standard input or output is no terminal or the player is not built. */
int play_record(const struct replay *r);

#endif
