/* The GIL on the timeline: which thread holds CPython's global interpreter
 * lock over time, and which threads wait for it.
 *
 * Method. While a job runs on a worker thread (the only time two of the
 * observed threads can want the GIL at once), a sampler thread wakes every
 * GIL_PERIOD and reads:
 *   - CPython's own GIL state, _PyRuntime.ceval.gil: `locked` and
 *     `last_holder` (the PyThreadState that took it last), which take_gil()
 *     and drop_gil() write atomically; the holder is the thread of that
 *     state while `locked` is set;
 *   - for every other observed thread, what it is blocked in, from
 *     /proc/self/task/TID/syscall: a thread in futex(2) on an address
 *     inside the GIL's own structure (its mutex or its condition variable)
 *     is waiting for the GIL; in any other call (sleep, I/O, waiting for a
 *     job on the pool's queue) it does not want it.
 * Changes are recorded, with the moment they were seen: K_GIL on the GIL's
 * lane (the text names the holder's lane), K_GIL_WAIT and K_GIL_TAKE on the
 * waiting thread's lane.
 *
 *                       every 1 ms, while a thread job runs
 *     sampler thread ──▶ _PyRuntime.ceval.gil {locked, last_holder}
 *                    └─▶ /proc/self/task/TID/syscall  (futex on &gil?)
 *                               │ changes only
 *                               ▼
 *                   timeline: K_GIL / K_GIL_WAIT / K_GIL_TAKE
 *
 * Accuracy: a change is seen up to GIL_PERIOD late, and a hand-over shorter
 * than GIL_PERIOD may be missed; CPython switches a contended GIL every
 * 5 ms (sys.getswitchinterval()), so CPU-bound threads show their turns.
 * Threads the program starts itself (threading.Thread) are not observed:
 * the GIL's lane says "another thread" while one of them holds it. Worker
 * processes have GILs of their own and are not sampled. */
#define Py_BUILD_CORE 1
#include "obs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal/pycore_atomic.h"
#include "internal/pycore_runtime.h"

#include "util/clock.h"

#define GIL_PERIOD  0.001 /* seconds between samples */
#define GIL_THREADS 256   /* threads observed at most */

/* One observed thread. */
struct gil_thread {
	pid_t tid;
	uintptr_t tstate; /* its PyThreadState */
	int lane;
	int fd;       /* /proc/self/task/TID/syscall, or -1 */
	bool waiting; /* last seen waiting for the GIL (sampler's own) */
};

static struct {
	struct gil_thread threads[GIL_THREADS];
	_Atomic int nthreads;
	_Atomic int jobs; /* thread jobs running now */
	int lane;         /* the GIL's lane, -1 until a worker thread appears */
	uintptr_t holder; /* last holder recorded (sampler's own); 1: nobody */
	pthread_t thread;
	bool started, stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
} gil = {
	.lane = -1, .holder = 1, .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER
};

static _Thread_local int my_slot; /* index + 1 of this thread, 0 if none */

static struct _gil_runtime_state *gil_state(void)
{
	return &_PyRuntime.ceval.gil;
}

/* Whether thread @t sleeps in futex(2) on the GIL's mutex or condition. */
static bool waits_for_gil(struct gil_thread *t)
{
	if (t->fd < 0)
		return false;
	char buf[256];
	ssize_t n = pread(t->fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *end;
	long nr = strtol(buf, &end, 10);
	if (end == buf || nr != SYS_futex)
		return false;
	uintptr_t addr = (uintptr_t)strtoull(end, NULL, 16);
	uintptr_t lo = (uintptr_t)gil_state(), hi = lo + sizeof(struct _gil_runtime_state);
	return addr >= lo && addr < hi;
}

/* Whether thread @t is still alive: its /proc entry still reads. */
static bool alive(const struct gil_thread *t)
{
	char c;
	return t->fd >= 0 && pread(t->fd, &c, 1, 0) == 1;
}

/* The lane name of the thread whose state is @ts. A thread's state is
 * freed when it ends and may be reused by the next thread, so the newest
 * living thread with that state is the one. */
static const char *holder_name(uintptr_t ts, int n)
{
	if (ts == 1)
		return "nobody";
	for (int i = n - 1; i >= 0; i--)
		if (gil.threads[i].tstate == ts && alive(&gil.threads[i]))
			return timeline_lane_name(obs.tl, gil.threads[i].lane);
	return "another thread";
}

static void sample(void)
{
	struct _gil_runtime_state *g = gil_state();
	/* CPython's own atomic loads, as take_gil() reads these. */
	int locked = _Py_atomic_load_explicit(&g->locked, _Py_memory_order_acquire);
	uintptr_t holder =
	        locked == 1 ? _Py_atomic_load_explicit(&g->last_holder, _Py_memory_order_acquire)
	                    : 1;
	double now = clock_real_now();
	int n = atomic_load(&gil.nthreads);
	if (holder != gil.holder) {
		gil.holder = holder;
		timeline_add(obs.tl, now, gil.lane, K_GIL, 0, 0, -1, "%s", holder_name(holder, n));
	}
	for (int i = 0; i < n; i++) {
		struct gil_thread *t = &gil.threads[i];
		bool w = t->tstate != holder && waits_for_gil(t);
		if (w != t->waiting) {
			t->waiting = w;
			timeline_add(obs.tl, now, t->lane, w ? K_GIL_WAIT : K_GIL_TAKE, 0, 0, -1,
			             w ? "waits for the GIL" : "stops waiting for the GIL");
		}
	}
}

/* Closes what is open: nobody holds or waits, as far as the picture goes. */
static void settle(void)
{
	double now = clock_real_now();
	int n = atomic_load(&gil.nthreads);
	for (int i = 0; i < n; i++)
		if (gil.threads[i].waiting) {
			gil.threads[i].waiting = false;
			timeline_add(obs.tl, now, gil.threads[i].lane, K_GIL_TAKE, 0, 0, -1,
			             "stops waiting for the GIL");
		}
	if (gil.holder != 1) {
		gil.holder = 1;
		timeline_add(obs.tl, now, gil.lane, K_GIL, 0, 0, -1, "nobody");
	}
}

static void *gil_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gil.lock);
	while (!gil.stop) {
		if (atomic_load(&gil.jobs) == 0) {
			pthread_mutex_unlock(&gil.lock);
			settle();
			pthread_mutex_lock(&gil.lock);
			while (!gil.stop && atomic_load(&gil.jobs) == 0)
				pthread_cond_wait(&gil.cond, &gil.lock);
			continue;
		}
		pthread_mutex_unlock(&gil.lock);
		sample();
		struct timespec ts = { 0, (long)(GIL_PERIOD * 1e9) };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		pthread_mutex_lock(&gil.lock);
	}
	pthread_mutex_unlock(&gil.lock);
	settle();
	return NULL;
}

/* Adds the calling thread (GIL held) on @lane; returns its slot + 1. */
static int add_thread(int lane)
{
	int i = atomic_load(&gil.nthreads);
	if (i == GIL_THREADS)
		return 0;
	struct gil_thread *t = &gil.threads[i];
	t->tid = (pid_t)syscall(SYS_gettid);
	t->tstate = (uintptr_t)PyThreadState_Get();
	t->lane = lane;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)t->tid);
	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	t->waiting = false;
	atomic_store(&gil.nthreads, i + 1); /* publishes the slot to the sampler */
	return i + 1;
}

void obs_gil_loop_thread(int lane)
{
	pthread_mutex_lock(&gil.lock);
	if (!my_slot)
		my_slot = add_thread(lane);
	pthread_mutex_unlock(&gil.lock);
}

void obs_gil_job(int lane, bool running)
{
	pthread_mutex_lock(&gil.lock);
	if (running) {
		if (!my_slot)
			my_slot = add_thread(lane);
		if (gil.lane < 0)
			gil.lane = timeline_lane(obs.tl, LANE_GIL, "GIL");
		if (!gil.started && !gil.stop &&
		    pthread_create(&gil.thread, NULL, gil_main, NULL) == 0)
			gil.started = true;
		if (atomic_fetch_add(&gil.jobs, 1) == 0)
			pthread_cond_signal(&gil.cond);
	} else if (atomic_load(&gil.jobs) > 0) {
		atomic_fetch_sub(&gil.jobs, 1);
	}
	pthread_mutex_unlock(&gil.lock);
}

void obs_gil_stop(void)
{
	pthread_mutex_lock(&gil.lock);
	gil.stop = true;
	pthread_cond_signal(&gil.cond);
	bool started = gil.started;
	pthread_mutex_unlock(&gil.lock);
	if (started) {
		Py_BEGIN_ALLOW_THREADS pthread_join(gil.thread, NULL);
		Py_END_ALLOW_THREADS
	}
	int n = atomic_load(&gil.nthreads);
	for (int i = 0; i < n; i++)
		if (gil.threads[i].fd >= 0)
			close(gil.threads[i].fd);
	atomic_store(&gil.nthreads, 0);
	gil.started = false;
}
