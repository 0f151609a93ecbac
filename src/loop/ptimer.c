/* timerfd-backed timers on a libev loop. */
#include "ptimer.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ptimer *t = (struct ptimer *)w;
	uint64_t expirations;
	/* Empties the counter; EAGAIN means another read got there first. */
	while (read(t->fd, &expirations, sizeof(expirations)) < 0 && errno == EINTR)
		;
	ptimer_stop(loop, t);
	t->fn(loop, t);
}

int ptimer_init(struct ptimer *t, ptimer_fn *fn, bool keep_alive)
{
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0)
		return -1;
	ev_io_init(&t->io, on_readable, t->fd, EV_READ);
	t->armed = 0;
	t->keep_alive = keep_alive;
	t->fn = fn;
	return 0;
}

void ptimer_arm(struct ev_loop *loop, struct ptimer *t, double when)
{
	if (when <= 0)
		when = 1e-9;
	if (t->armed == when && ev_is_active(&t->io))
		return;
	struct itimerspec its = { 0 };
	double whole = floor(when);
	its.it_value.tv_sec = (time_t)whole;
	its.it_value.tv_nsec = (long)((when - whole) * 1e9);
	if (its.it_value.tv_nsec >= 1000000000L) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000L;
	}
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1; /* zero would disarm it */
	/* A deadline already past makes the fd readable at once. */
	timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
	t->armed = when;
	if (!ev_is_active(&t->io)) {
		ev_io_start(loop, &t->io);
		if (!t->keep_alive)
			ev_unref(loop);
	}
}

void ptimer_stop(struct ev_loop *loop, struct ptimer *t)
{
	if (t->fd < 0)
		return;
	if (t->armed) {
		struct itimerspec off = { 0 };
		timerfd_settime(t->fd, 0, &off, NULL);
		t->armed = 0;
	}
	if (ev_is_active(&t->io)) {
		if (!t->keep_alive)
			ev_ref(loop);
		ev_io_stop(loop, &t->io);
	}
}

void ptimer_close(struct ev_loop *loop, struct ptimer *t)
{
	if (t->fd < 0)
		return;
	ptimer_stop(loop, t);
	close(t->fd);
	t->fd = -1;
}
