/* Monotonic time in seconds: every timeline stamp comes from here. */
#ifndef AIODEMO_CLOCK_H
#define AIODEMO_CLOCK_H

#include <time.h>

/** Seconds on CLOCK_MONOTONIC (system-wide, so comparable across processes). */
static inline double clock_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/** Sleep for @seconds, resuming after signals, unless *@stop becomes
 *  non-zero; returns 0 when the full time passed, -1 when stopped early. */
int clock_sleep(double seconds, volatile const int *stop);

#endif
