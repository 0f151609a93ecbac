/* The signals that stop a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP, which
 * aiodemo holds while it cannot take them, and ends by once a run they
 * stopped is reported. */
#ifndef AIODEMO_UTIL_SIGNALS_H
#define AIODEMO_UTIL_SIGNALS_H

#include <signal.h>

/** Fills @set with SIGINT, SIGTERM and SIGHUP; async-signal-safe. */
void signals_stopping(sigset_t *set);

/** "SIGINT", "SIGTERM" or "SIGHUP" for one of those, else "a signal". */
const char *signals_name(int sig);

#endif
