/* Monotonic time in seconds: every timeline stamp comes from here. The
 * clock can also be virtual, for the ideal run (--ideal): time then moves
 * only when the run says so, and sleeping takes none. */
#ifndef AIODEMO_CLOCK_H
#define AIODEMO_CLOCK_H

#include <stdbool.h>
#include <time.h>

/** Whether the clock is virtual; only ever set while no other thread runs. */
extern bool clock_is_virtual;
/** The virtual time, when the clock is virtual. */
extern double clock_virtual_now;

/** Seconds on CLOCK_MONOTONIC (system-wide, so comparable across processes). */
static inline double clock_real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/** The time: the real clock, or the virtual one during an ideal run. */
static inline double clock_now(void)
{
	return clock_is_virtual ? clock_virtual_now : clock_real_now();
}

/** Makes the clock virtual from time @start, or real again. */
void clock_set_virtual(bool on, double start);

/** Sleep for @seconds, resuming after signals, unless *@stop becomes
 *  non-zero; returns 0 when the full time passed, -1 when stopped early.
 *  On the virtual clock it moves the time on instead. */
int clock_sleep(double seconds, volatile const int *stop);

/** Sleeps @seconds of real time, even while the clock is virtual. */
void clock_sleep_real(double seconds);

/** Charges @seconds of real computing to the virtual clock (no-op when real). */
void clock_charge(double seconds);

#endif
