/* Interruptible sleeping on the monotonic clock. */
#include "clock.h"

#include <errno.h>
#include <math.h>

#define STOP_POLL_NS 10000000L /* 10 ms */

bool clock_is_virtual;
double clock_virtual_now;

void clock_set_virtual(bool on, double start)
{
	clock_virtual_now = start;
	clock_is_virtual = on;
}

void clock_sleep_real(double seconds)
{
	if (!(seconds > 0))
		return;
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void clock_charge(double seconds)
{
	if (clock_is_virtual && seconds > 0)
		clock_virtual_now += seconds;
}

int clock_sleep(double seconds, volatile const int *stop)
{
	if (!(seconds > 0))
		return 0;
	if (clock_is_virtual) {
		clock_virtual_now += seconds;
		return 0;
	}
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	double whole = floor(seconds);
	deadline.tv_sec += (time_t)whole;
	deadline.tv_nsec += (long)((seconds - whole) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	/* An absolute deadline keeps repeated wake-ups from stretching the
	 * sleep. With a stop flag, wake every 10 ms to look at it: worker
	 * threads block signals, so nothing else would interrupt them. */
	for (;;) {
		if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
			return -1;
		struct timespec until = deadline;
		if (stop) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			now.tv_nsec += STOP_POLL_NS;
			if (now.tv_nsec >= 1000000000L) {
				now.tv_sec++;
				now.tv_nsec -= 1000000000L;
			}
			if (now.tv_sec < until.tv_sec ||
			    (now.tv_sec == until.tv_sec && now.tv_nsec < until.tv_nsec))
				until = now;
		}
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
		if (rc == 0 && until.tv_sec == deadline.tv_sec && until.tv_nsec == deadline.tv_nsec)
			return 0;
		if (rc != 0 && rc != EINTR)
			return -1;
	}
}
