/* Precise timers for a libev loop: a timerfd with an absolute deadline,
 * watched by an ev_io. libev's own timers round waits up to whole
 * milliseconds on the epoll backend; a timerfd wakes the loop within tens
 * of microseconds of its deadline. */
#ifndef AIODEMO_PTIMER_H
#define AIODEMO_PTIMER_H

#include <ev.h>
#include <stdbool.h>

struct ptimer;

/** Called on the loop thread when the deadline has passed. */
typedef void ptimer_fn(struct ev_loop *loop, struct ptimer *t);

struct ptimer {
	ev_io io;
	int fd;
	double armed;    /* the deadline set, clock_now() seconds; 0 when disarmed */
	bool keep_alive; /* whether an armed timer keeps ev_run() going */
	ptimer_fn *fn;
	void *data; /* free for the caller */
};

/** Creates the timerfd. Returns 0, or -1 with errno set. */
int ptimer_init(struct ptimer *t, ptimer_fn *fn, bool keep_alive);

/** Sets the deadline to @when (clock_now() seconds), replacing any other. */
void ptimer_arm(struct ev_loop *loop, struct ptimer *t, double when);

/** Disarms the timer; its callback will not run. */
void ptimer_stop(struct ev_loop *loop, struct ptimer *t);

/** Disarms and closes it; a timer never initialised (fd -1) is left alone. */
void ptimer_close(struct ev_loop *loop, struct ptimer *t);

#endif
