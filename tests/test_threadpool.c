/* Unit tests for the thread pool: ordering, bounds, lazy growth, cancelling,
 * destroying, and the loop's lifetime.  Prints TAP. */
#include "util/clock.h"
#include "tap.h"
#include "bench/threadpool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define NJOBS 16

/* One job's view of the world; work() writes, the loop thread reads after done(). */
struct job {
	struct tp_work w;
	int id;
	double sleep;
	int status;     /* as passed to done() */
	int done_calls;
	bool ran;
	int sleep_rc;   /* clock_sleep()'s return inside work() */
	bool sigint_blocked;
	struct ctx *ctx;
};

struct ctx {
	struct threadpool *pool;
	atomic_int running;
	atomic_int peak;
	atomic_int work_seq;
	atomic_int started;
	int work_order[NJOBS];
	int done_order[NJOBS];
	int ndone;
	/* For chained submissions. */
	struct job *chain;
	int chain_len;
	int chain_next;
	int submit_in_done_rc;
	int submit_in_done_errno;
};

/*
 * clock_sleep() looks at its stop flag only when a signal interrupts the
 * sleep, and pool threads block every signal, so long work polls the flag
 * between short sleeps.  The load is atomic because destroy() stores to the
 * flag from another thread.
 */
static int poll_sleep(double seconds, volatile const int *stop)
{
	double end = clock_now() + seconds;
	for (;;) {
		if (__atomic_load_n(stop, __ATOMIC_ACQUIRE))
			return -1;
		double left = end - clock_now();
		if (left <= 0)
			return 0;
		clock_sleep(left < 0.005 ? left : 0.005, NULL);
	}
}

static void sleep_work(struct tp_work *w)
{
	struct job *j = w->data;
	struct ctx *c = j->ctx;

	int now = atomic_fetch_add(&c->running, 1) + 1;
	int peak = atomic_load(&c->peak);
	while (now > peak && !atomic_compare_exchange_weak(&c->peak, &peak, now))
		;
	c->work_order[atomic_fetch_add(&c->work_seq, 1)] = j->id;
	atomic_store(&c->started, 1);

	sigset_t cur;
	j->sigint_blocked = pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0 &&
			    sigismember(&cur, SIGINT) == 1;
	j->sleep_rc = poll_sleep(j->sleep, threadpool_stop_flag(c->pool));
	j->ran = true;
	atomic_fetch_sub(&c->running, 1);
}

static void record_done(struct tp_work *w, int status)
{
	struct job *j = w->data;
	struct ctx *c = j->ctx;
	j->status = status;
	j->done_calls++;
	if (c->ndone < NJOBS)
		c->done_order[c->ndone] = j->id;
	c->ndone++;
}

static void init_job(struct job *j, struct ctx *c, int id, double sleep)
{
	memset(j, 0, sizeof(*j));
	j->w.work = sleep_work;
	j->w.done = record_done;
	j->w.data = j;
	j->id = id;
	j->sleep = sleep;
	j->status = -1;
	j->ctx = c;
}

static struct threadpool *new_pool(struct ev_loop *loop, const char *name, int max)
{
	struct threadpool *p = threadpool_new(loop, name, max, NULL, NULL);
	if (!p) {
		perror("threadpool_new");
		exit(1);
	}
	return p;
}

static void test_idle_pool_does_not_hold_loop(struct ev_loop *loop)
{
	tap_diag("an idle pool does not keep the loop alive");
	struct threadpool *p = new_pool(loop, "idle", 2);
	double t0 = clock_now();
	ev_run(loop, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);
	CHECK_INT_EQ(threadpool_threads(p), 0);
	CHECK_INT_EQ(threadpool_outstanding(p), 0);
	CHECK_STR_EQ(threadpool_name(p), "idle");
	CHECK_INT_EQ(threadpool_max_threads(p), 2);
	threadpool_destroy(p);
	threadpool_destroy(NULL);
}

static void test_bad_arguments(struct ev_loop *loop)
{
	tap_diag("argument checks");
	errno = 0;
	CHECK(threadpool_new(loop, "x", 0, NULL, NULL) == NULL);
	CHECK_INT_EQ(errno, EINVAL);
	struct threadpool *p = new_pool(loop, "args", 1);
	struct tp_work w = { 0 };
	errno = 0;
	CHECK_INT_EQ(threadpool_submit(p, &w), -1);
	CHECK_INT_EQ(errno, EINVAL);
	CHECK_INT_EQ(threadpool_threads(p), 0);
	threadpool_destroy(p);
}

static void chain_done(struct tp_work *w, int status)
{
	struct job *j = w->data;
	struct ctx *c = j->ctx;
	record_done(w, status);
	if (c->chain_next < c->chain_len) {
		struct job *next = &c->chain[c->chain_next++];
		if (threadpool_submit(c->pool, &next->w) < 0)
			c->submit_in_done_rc = -1;
	}
}

static void test_lazy_threads(struct ev_loop *loop)
{
	tap_diag("threads start lazily and are reused");
	struct ctx c = { 0 };
	struct job jobs[5];
	c.pool = new_pool(loop, "lazy", 4);
	CHECK_INT_EQ(threadpool_threads(c.pool), 0);

	init_job(&jobs[0], &c, 0, 0.01);
	CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[0].w), 0);
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 1);
	ev_run(loop, 0);
	CHECK_INT_EQ(jobs[0].status, 0);
	CHECK(jobs[0].ran);
	CHECK_INT_EQ(jobs[0].w.worker, 1);
	CHECK(jobs[0].w.pool == c.pool);
	CHECK_INT_EQ(threadpool_threads(c.pool), 1);
	CHECK_DBL_LE(jobs[0].w.t_submit, jobs[0].w.t_start);
	CHECK_DBL_LE(jobs[0].w.t_start, jobs[0].w.t_end);
	CHECK_DBL_GE(jobs[0].w.t_end - jobs[0].w.t_start, 0.0095);

	/* Each done() submits the next: one thread must do for all of them. */
	for (int i = 1; i < 5; i++) {
		init_job(&jobs[i], &c, i, 0.005);
		jobs[i].w.done = chain_done;
	}
	c.chain = jobs;
	c.chain_next = 2;
	c.chain_len = 5;
	CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[1].w), 0);
	ev_run(loop, 0);
	CHECK_INT_EQ(c.ndone, 5);
	CHECK_INT_EQ(c.submit_in_done_rc, 0);
	CHECK_INT_EQ(threadpool_threads(c.pool), 1);
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 0);
	threadpool_destroy(c.pool);
}

static void test_fifo(struct ev_loop *loop)
{
	tap_diag("one thread runs and reports queued work in FIFO order");
	struct ctx c = { 0 };
	struct job jobs[10];
	c.pool = new_pool(loop, "fifo", 1);
	for (int i = 0; i < 10; i++) {
		init_job(&jobs[i], &c, i, 0.001);
		CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[i].w), 0);
	}
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 10);
	ev_run(loop, 0);
	CHECK_INT_EQ(c.ndone, 10);
	int work_in_order = 1, done_in_order = 1, all_ok = 1;
	for (int i = 0; i < 10; i++) {
		work_in_order &= c.work_order[i] == i;
		done_in_order &= c.done_order[i] == i;
		all_ok &= jobs[i].status == 0 && jobs[i].w.worker == 1 && jobs[i].done_calls == 1;
		if (i > 0)
			all_ok &= jobs[i].w.t_start >= jobs[i - 1].w.t_end;
	}
	CHECK(work_in_order);
	CHECK(done_in_order);
	CHECK(all_ok);
	CHECK_INT_EQ(threadpool_threads(c.pool), 1);
	threadpool_destroy(c.pool);
}

static void test_bounded(struct ev_loop *loop)
{
	tap_diag("at most max_threads jobs run at once");
	const double d = 0.05;
	struct ctx c = { 0 };
	struct job jobs[8];
	c.pool = new_pool(loop, "bound", 3);
	double t0 = clock_now();
	for (int i = 0; i < 8; i++) {
		init_job(&jobs[i], &c, i, d);
		CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[i].w), 0);
	}
	ev_run(loop, 0);
	double elapsed = clock_now() - t0;
	CHECK_INT_EQ(c.ndone, 8);
	CHECK_INT_EQ(atomic_load(&c.peak), 3);
	CHECK_INT_EQ(threadpool_threads(c.pool), 3);
	/* ceil(8 / 3) = 3 rounds; one thread would need 8, no bound 1. */
	CHECK_DBL_BETWEEN(elapsed, 3 * d - 0.001, 5 * d);
	int workers_ok = 1, blocked = 1;
	for (int i = 0; i < 8; i++) {
		workers_ok &= jobs[i].w.worker >= 1 && jobs[i].w.worker <= 3;
		blocked &= jobs[i].sigint_blocked;
	}
	CHECK(workers_ok);
	CHECK(blocked);
	threadpool_destroy(c.pool);
}

static void test_queue_wait(struct ev_loop *loop)
{
	tap_diag("the 4th job in a pool of 3 waits for a free thread");
	const double d = 0.08;
	struct ctx c = { 0 };
	struct job jobs[4];
	c.pool = new_pool(loop, "wait", 3);
	for (int i = 0; i < 4; i++) {
		init_job(&jobs[i], &c, i, d);
		CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[i].w), 0);
	}
	ev_run(loop, 0);
	CHECK_INT_EQ(c.ndone, 4);
	double first_end = jobs[0].w.t_end;
	for (int i = 0; i < 3; i++) {
		CHECK_DBL_LT(jobs[i].w.t_start - jobs[i].w.t_submit, 0.75 * d);
		if (jobs[i].w.t_end < first_end)
			first_end = jobs[i].w.t_end;
	}
	/* No job can end before d after the first submission, so the 4th
	 * waited at least that long minus the time taken to submit it. */
	double lag = jobs[3].w.t_submit - jobs[0].w.t_submit;
	CHECK_DBL_LT(lag, 0.5 * d);
	CHECK_DBL_GE(jobs[3].w.t_start - jobs[3].w.t_submit, d - lag - 0.001);
	CHECK_DBL_GE(jobs[3].w.t_start, first_end);
	threadpool_destroy(c.pool);
}

static void test_cancel(struct ev_loop *loop)
{
	tap_diag("cancelling queued work");
	struct ctx c = { 0 };
	struct job a, b, d;
	c.pool = new_pool(loop, "cancel", 1);
	struct threadpool *other = new_pool(loop, "other", 1);
	init_job(&a, &c, 0, 0.05);
	init_job(&b, &c, 1, 0);
	init_job(&d, &c, 2, 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &a.w), 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &b.w), 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &d.w), 0);

	CHECK(threadpool_cancel(c.pool, &b.w));
	CHECK(!threadpool_cancel(c.pool, &b.w));
	CHECK(!threadpool_cancel(other, &d.w));
	CHECK_INT_EQ(b.done_calls, 0); /* delivered from the loop, not from cancel() */
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 3);
	ev_run(loop, 0);

	CHECK_INT_EQ(b.status, ECANCELED);
	CHECK_INT_EQ(b.done_calls, 1);
	CHECK(!b.ran);
	CHECK_INT_EQ(b.w.worker, 0);
	CHECK_INT_EQ(a.status, 0);
	CHECK(a.ran);
	CHECK_INT_EQ(d.status, 0);
	CHECK(d.ran);
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 0);
	CHECK(!threadpool_cancel(c.pool, &a.w));
	threadpool_destroy(other);
	threadpool_destroy(c.pool);
}

static void submit_again_done(struct tp_work *w, int status)
{
	struct job *j = w->data;
	struct ctx *c = j->ctx;
	record_done(w, status);
	errno = 0;
	c->submit_in_done_rc = threadpool_submit(c->pool, w);
	c->submit_in_done_errno = errno;
}

static void test_destroy_with_queued(struct ev_loop *loop)
{
	tap_diag("destroy cancels the queue and stops running work");
	struct ctx c = { 0 };
	struct job a, b, d;
	c.pool = new_pool(loop, "destroy", 1);
	init_job(&a, &c, 0, 5.0); /* only the stop flag ends this early */
	init_job(&b, &c, 1, 0);
	init_job(&d, &c, 2, 0);
	b.w.done = submit_again_done;
	CHECK_INT_EQ(threadpool_submit(c.pool, &a.w), 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &b.w), 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &d.w), 0);

	double t0 = clock_now();
	while (!atomic_load(&c.started) && clock_now() - t0 < 5)
		clock_sleep(0.001, NULL);
	CHECK(atomic_load(&c.started));

	t0 = clock_now();
	threadpool_destroy(c.pool);
	CHECK_DBL_LT(clock_now() - t0, 1.0);
	CHECK_INT_EQ(c.ndone, 3);
	CHECK_INT_EQ(b.status, ECANCELED);
	CHECK(!b.ran);
	CHECK_INT_EQ(d.status, ECANCELED);
	CHECK(!d.ran);
	CHECK_INT_EQ(a.status, 0);
	CHECK(a.ran);
	CHECK_INT_EQ(a.sleep_rc, -1);
	CHECK_INT_EQ(a.done_calls, 1);
	CHECK_INT_EQ(c.submit_in_done_rc, -1);
	CHECK_INT_EQ(c.submit_in_done_errno, ECANCELED);
	/* The loop has nothing left to wait for. */
	t0 = clock_now();
	ev_run(loop, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);
}

static void test_destroy_delivers_finished(struct ev_loop *loop)
{
	tap_diag("destroy delivers work that finished before it");
	struct ctx c = { 0 };
	struct job a;
	c.pool = new_pool(loop, "finished", 2);
	init_job(&a, &c, 0, 0);
	CHECK_INT_EQ(threadpool_submit(c.pool, &a.w), 0);
	clock_sleep(0.05, NULL); /* finished, but the loop has not run */
	CHECK_INT_EQ(a.done_calls, 0);
	threadpool_destroy(c.pool);
	CHECK_INT_EQ(a.done_calls, 1);
	CHECK_INT_EQ(a.status, 0);
	CHECK(a.ran);
}

static void test_loop_exits(struct ev_loop *loop)
{
	tap_diag("ev_run returns once every job is delivered");
	struct ctx c = { 0 };
	struct job jobs[5];
	c.pool = new_pool(loop, "exit", 2);
	for (int i = 0; i < 5; i++) {
		init_job(&jobs[i], &c, i, 0.01);
		CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[i].w), 0);
	}
	ev_run(loop, 0); /* returning at all is the test; alarm() guards a hang */
	CHECK_INT_EQ(c.ndone, 5);
	CHECK_INT_EQ(threadpool_outstanding(c.pool), 0);
	double t0 = clock_now();
	ev_run(loop, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);
	threadpool_destroy(c.pool);
}

struct start_log {
	pthread_mutex_t mu;
	int calls;
	int index_sum;
	char names[4][16];
	bool on_main;
};

static pthread_t main_thread;

static void on_start(struct threadpool *p, int worker, void *arg)
{
	(void)p;
	struct start_log *log = arg;
	char name[16] = "";
	(void)pthread_getname_np(pthread_self(), name, sizeof(name));
	pthread_mutex_lock(&log->mu);
	if (worker >= 1 && worker <= 4)
		memcpy(log->names[worker - 1], name, sizeof(name));
	log->calls++;
	log->index_sum += worker;
	log->on_main |= pthread_equal(pthread_self(), main_thread) != 0;
	pthread_mutex_unlock(&log->mu);
}

static void test_thread_start_and_names(struct ev_loop *loop)
{
	tap_diag("on_start runs once per thread, threads are named");
	struct start_log log = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct ctx c = { 0 };
	struct job jobs[2];
	c.pool = threadpool_new(loop, "a-rather-long-name", 2, on_start, &log);
	CHECK(c.pool != NULL);
	if (!c.pool)
		return;
	for (int i = 0; i < 2; i++) {
		init_job(&jobs[i], &c, i, 0.03);
		CHECK_INT_EQ(threadpool_submit(c.pool, &jobs[i].w), 0);
	}
	ev_run(loop, 0);
	threadpool_destroy(c.pool);
	CHECK_INT_EQ(log.calls, 2);
	CHECK_INT_EQ(log.index_sum, 3);
	CHECK(!log.on_main);
	CHECK_STR_EQ(log.names[0], "aio:a-rather-lo");

	struct ctx c2 = { 0 };
	struct job j;
	struct start_log log2 = { .mu = PTHREAD_MUTEX_INITIALIZER };
	c2.pool = threadpool_new(loop, "tp", 1, on_start, &log2);
	CHECK(c2.pool != NULL);
	if (!c2.pool)
		return;
	init_job(&j, &c2, 0, 0);
	CHECK_INT_EQ(threadpool_submit(c2.pool, &j.w), 0);
	ev_run(loop, 0);
	threadpool_destroy(c2.pool);
	CHECK_STR_EQ(log2.names[0], "aio:tp/1");
}

int main(void)
{
	alarm(60); /* a hang fails the test instead of stalling the suite */
	main_thread = pthread_self();
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop) {
		fprintf(stderr, "ev_loop_new failed\n");
		return 1;
	}
	test_idle_pool_does_not_hold_loop(loop);
	test_bad_arguments(loop);
	test_lazy_threads(loop);
	test_fifo(loop);
	test_bounded(loop);
	test_queue_wait(loop);
	test_cancel(loop);
	test_destroy_with_queued(loop);
	test_destroy_delivers_finished(loop);
	test_loop_exits(loop);
	test_thread_start_and_names(loop);
	ev_loop_destroy(loop);
	return tap_done();
}
