/* Interruptible sleeping on the monotonic clock. */
#include "clock.h"

#include <errno.h>
#include <math.h>

int clock_sleep(double seconds, volatile const int *stop)
{
	if (!(seconds > 0))
		return 0;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	double whole = floor(seconds);
	deadline.tv_sec += (time_t)whole;
	deadline.tv_nsec += (long)((seconds - whole) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	/* An absolute deadline keeps repeated EINTRs from stretching the sleep. */
	for (;;) {
		if (stop && *stop)
			return -1;
		int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
		if (rc == 0)
			return 0;
		if (rc != EINTR)
			return -1;
	}
}
