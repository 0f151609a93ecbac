/* A bounded, lazily grown pool of worker threads that hands finished work
 * back to a libev loop through an ev_async watcher. */

/*
 * Two queues, two locks, never held together:
 *
 *   loop thread                        worker threads (1..max_threads)
 *   -----------                        -------------------------------
 *   submit() --> [pending FIFO] ------> take head, run work()
 *                 mu + cond              |
 *   cancel() -- unlinks from pending     v
 *       |                              [done FIFO] <-- append, then
 *       +--------- append ----------->  done_mu        ev_async_send()
 *                                          |
 *   async_cb() <--- swap whole list out ---+
 *     runs done() unlocked, in FIFO order
 *
 * The pending queue is shared by the workers, so it carries a condition
 * variable for idle threads to sleep on.  The done queue only ever has one
 * consumer (the loop thread) that takes all of it at once, so it needs no
 * condition variable: the ev_async wake-up is the signal.  Keeping the two
 * apart means a worker publishing a result never contends with workers
 * picking up new jobs, and no code path can deadlock on lock order.
 *
 * A cancelled item travels through the done queue too, so every done() runs
 * from the same place; it is recognised by worker == 0 (no thread took it).
 */
#include "threadpool.h"

#include "util/clock.h"
#include "util/diag.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp_thread {
	struct threadpool *pool;
	pthread_t tid;
	int index; /* 1-based, as reported in tp_work.worker */
};

struct threadpool {
	struct ev_loop *loop;
	char *name;
	int max_threads;
	tp_thread_start_fn *on_start;
	void *on_start_arg;

	/* Guarded by mu. */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct tp_work *head, *tail;
	size_t nqueued;
	int idle;          /* threads not running work (waiting or about to) */
	volatile int stop; /* also read unlocked by work via threadpool_stop_flag() */

	/* Guarded by done_mu. */
	pthread_mutex_t done_mu;
	struct tp_work *done_head, *done_tail;

	/* Loop thread only. */
	struct tp_thread *threads; /* max_threads slots, nthreads used */
	int nthreads;
	size_t outstanding;
	int delivering; /* > 0 while done() callbacks run */
	bool warned_create;
	ev_async async;
};

static void lock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_lock(m);
	if (rc) {
		/* Only possible with a corrupted mutex; carrying on would race. */
		diag_error("pthread_mutex_lock: %s", strerror(rc));
		abort();
	}
}

static void unlock(pthread_mutex_t *m)
{
	int rc = pthread_mutex_unlock(m);
	if (rc) {
		diag_error("pthread_mutex_unlock: %s", strerror(rc));
		abort();
	}
}

static void wake(pthread_cond_t *c, bool all)
{
	int rc = all ? pthread_cond_broadcast(c) : pthread_cond_signal(c);
	if (rc) {
		diag_error("pthread_cond_%s: %s", all ? "broadcast" : "signal", strerror(rc));
		abort();
	}
}

/* Appends the chain @first..@last to the done queue. */
/* Results are batched only for jobs shorter than HOLD_MAX_JOB, at most
 * HOLD_MAX_COUNT of them and never longer than HOLD_MAX_AGE, and never
 * while the queue is empty: a real job's result goes back at once. */
#define HOLD_MAX_JOB 50e-6
#define HOLD_MAX_COUNT 64
#define HOLD_MAX_AGE 500e-6

static void push_done(struct threadpool *p, struct tp_work *first, struct tp_work *last)
{
	last->next = NULL;
	lock(&p->done_mu);
	if (p->done_tail)
		p->done_tail->next = first;
	else
		p->done_head = first;
	p->done_tail = last;
	unlock(&p->done_mu);
}

static void *worker_main(void *arg)
{
	struct tp_thread *t = arg;
	struct threadpool *p = t->pool;

	/* The kernel limits thread names to 15 characters plus the NUL. */
	char name[16];
	snprintf(name, sizeof(name), "aio:%s/%d", p->name, t->index);
	(void)pthread_setname_np(pthread_self(), name); /* cosmetic: failure is harmless */

	if (p->on_start)
		p->on_start(p, t->index, p->on_start_arg);

	/* Finished work not yet handed to the loop: while more work waits
	 * and the jobs are quick, a worker hands back its results in batches,
	 * one lock and one wake-up for many (see HOLD_*). */
	struct tp_work *held = NULL, *held_last = NULL;
	int nheld = 0;
	double held_since = 0;

	lock(&p->mu);
	p->idle++;
	for (;;) {
		while (!p->head && !p->stop) {
			int rc = pthread_cond_wait(&p->cond, &p->mu);
			if (rc) {
				diag_error("pthread_cond_wait: %s", strerror(rc));
				abort();
			}
		}
		if (p->stop)
			break;
		struct tp_work *w = p->head;
		p->head = w->next;
		if (!p->head)
			p->tail = NULL;
		p->nqueued--;
		p->idle--;
		unlock(&p->mu);

		w->worker = t->index;
		w->t_start = clock_now();
		w->work(w);
		w->t_end = clock_now();
		if (held)
			held_last->next = w;
		else
			held = w, held_since = w->t_end;
		held_last = w;
		nheld++;

		/*
		 * Count as idle again before the result becomes visible, so a
		 * done() that submits follow-up work sees this thread free and
		 * the pool does not grow just because of that window.
		 */
		lock(&p->mu);
		p->idle++;
		bool more = p->head && !p->stop;
		if (!more || w->t_end - w->t_start > HOLD_MAX_JOB || nheld >= HOLD_MAX_COUNT ||
		    w->t_end - held_since > HOLD_MAX_AGE) {
			unlock(&p->mu);
			push_done(p, held, held_last);
			ev_async_send(p->loop, &p->async);
			held = held_last = NULL;
			nheld = 0;
			lock(&p->mu);
		}
	}
	p->idle--;
	unlock(&p->mu);
	if (held) {
		push_done(p, held, held_last);
		ev_async_send(p->loop, &p->async);
	}
	return NULL;
}

/* Runs done() for everything on the done queue; loop thread only. */
static void deliver_done(struct threadpool *p)
{
	lock(&p->done_mu);
	struct tp_work *w = p->done_head;
	p->done_head = p->done_tail = NULL;
	unlock(&p->done_mu);

	p->delivering++;
	while (w) {
		struct tp_work *next = w->next;
		w->next = NULL;
		/* Decrement first so done() sees its own job as no longer outstanding. */
		if (--p->outstanding == 0)
			ev_unref(p->loop);
		w->done(w, w->worker ? 0 : ECANCELED);
		w = next;
	}
	p->delivering--;
}

static void async_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)loop;
	(void)revents;
	deliver_done(a->data);
}

struct threadpool *threadpool_new(struct ev_loop *loop, const char *name, int max_threads,
				  tp_thread_start_fn *on_start, void *arg)
{
	if (!loop || !name || max_threads < 1) {
		errno = EINVAL;
		return NULL;
	}

	struct threadpool *p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->name = xstrdup(name);
	p->max_threads = max_threads;
	p->on_start = on_start;
	p->on_start_arg = arg;
	p->threads = xcalloc((size_t)max_threads, sizeof(*p->threads));

	int rc = pthread_mutex_init(&p->mu, NULL);
	if (rc)
		goto fail_mu;
	rc = pthread_cond_init(&p->cond, NULL);
	if (rc)
		goto fail_cond;
	rc = pthread_mutex_init(&p->done_mu, NULL);
	if (rc)
		goto fail_done_mu;

	ev_async_init(&p->async, async_cb);
	p->async.data = p;
	ev_async_start(loop, &p->async);
	/*
	 * An idle pool must not keep ev_run() from returning, so the watcher
	 * does not count towards the loop's liveness by itself.  Instead the
	 * loop takes one reference while any job is outstanding (submitted,
	 * done() not yet run): ev_ref on 0 -> 1, ev_unref on 1 -> 0.  Thus the
	 * loop stays alive exactly as long as there is a done() still to
	 * deliver, which it can only deliver through this watcher.
	 */
	ev_unref(loop);
	return p;

fail_done_mu:
	pthread_cond_destroy(&p->cond);
fail_cond:
	pthread_mutex_destroy(&p->mu);
fail_mu:
	free(p->threads);
	free(p->name);
	free(p);
	errno = rc;
	return NULL;
}

/* Starts one more worker thread; called with p->mu held. Returns 0 or an errno. */
static int start_thread(struct threadpool *p)
{
	struct tp_thread *t = &p->threads[p->nthreads];
	t->pool = p;
	t->index = p->nthreads + 1;

	/*
	 * Threads inherit the creator's signal mask: block everything while
	 * creating so process-directed signals (SIGINT, SIGCHLD, ...) are
	 * always delivered to the loop thread, never to a worker.
	 */
	sigset_t all, old;
	sigfillset(&all);
	int rc = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc)
		return rc;
	rc = pthread_create(&t->tid, NULL, worker_main, t);
	int rc2 = pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc2) {
		/* Leaving the loop thread deaf to signals would be worse than aborting. */
		diag_error("pthread_sigmask: %s", strerror(rc2));
		abort();
	}
	if (rc == 0)
		p->nthreads++;
	return rc;
}

int threadpool_submit(struct threadpool *p, struct tp_work *w)
{
	if (!p || !w || !w->work || !w->done) {
		errno = EINVAL;
		return -1;
	}

	int err = 0;
	lock(&p->mu);
	if (p->stop) {
		/* Submitted from a done() that destroy is delivering. */
		unlock(&p->mu);
		errno = ECANCELED;
		return -1;
	}
	w->next = NULL;
	w->pool = p;
	w->worker = 0;
	w->t_submit = clock_now();
	w->t_start = 0;
	w->t_end = 0;
	if (p->tail)
		p->tail->next = w;
	else
		p->head = w;
	p->tail = w;
	p->nqueued++;

	/* Grow only when the queue outnumbers the threads free to drain it. */
	if (p->nqueued > (size_t)p->idle && p->nthreads < p->max_threads) {
		err = start_thread(p);
		if (err && p->nthreads == 0) {
			/* No thread exists to ever run it: take it back out. */
			struct tp_work **link = &p->head, *prev = NULL;
			while (*link != w) {
				prev = *link;
				link = &(*link)->next;
			}
			*link = NULL;
			p->tail = prev;
			p->nqueued--;
			unlock(&p->mu);
			errno = err;
			return -1;
		}
	}
	wake(&p->cond, false);
	unlock(&p->mu);

	if (err && !p->warned_create) {
		p->warned_create = true;
		diag_warning("thread pool %s: cannot start another thread (%s); "
			     "continuing with %d", p->name, strerror(err), p->nthreads);
	}
	if (p->outstanding++ == 0)
		ev_ref(p->loop);
	return 0;
}

bool threadpool_cancel(struct threadpool *p, struct tp_work *w)
{
	if (!p || !w || w->pool != p)
		return false;

	bool found = false;
	lock(&p->mu);
	struct tp_work *prev = NULL;
	for (struct tp_work *it = p->head; it; prev = it, it = it->next) {
		if (it != w)
			continue;
		if (prev)
			prev->next = it->next;
		else
			p->head = it->next;
		if (p->tail == it)
			p->tail = prev;
		p->nqueued--;
		found = true;
		break;
	}
	unlock(&p->mu);
	if (!found)
		return false;

	/* Delivered from the loop like any other completion, never from here. */
	push_done(p, w, w);
	ev_async_send(p->loop, &p->async);
	return true;
}

size_t threadpool_outstanding(const struct threadpool *p)
{
	return p ? p->outstanding : 0;
}

int threadpool_threads(const struct threadpool *p)
{
	return p ? p->nthreads : 0;
}

const char *threadpool_name(const struct threadpool *p)
{
	return p ? p->name : NULL;
}

int threadpool_max_threads(const struct threadpool *p)
{
	return p ? p->max_threads : 0;
}

/*
 * The flag is written once, atomically.  A plain volatile read is what
 * clock_sleep() does and works on every platform Linux runs on, but to be
 * race-free in C11 terms (and quiet under ThreadSanitizer) readers on other
 * threads should use __atomic_load_n(flag, __ATOMIC_ACQUIRE).
 */
volatile const int *threadpool_stop_flag(const struct threadpool *p)
{
	return &p->stop;
}

void threadpool_destroy(struct threadpool *p)
{
	if (!p)
		return;
	if (p->delivering) {
		/* Freeing the pool under deliver_done() would be a use after free. */
		diag_error("threadpool_destroy(%s) called from a done() callback", p->name);
		abort();
	}

	lock(&p->mu);
	struct tp_work *cancelled = p->head, *last = p->tail;
	p->head = p->tail = NULL;
	p->nqueued = 0;
	/* Atomic because work reads it without the lock; see threadpool_stop_flag(). */
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	wake(&p->cond, true);
	unlock(&p->mu);

	/*
	 * Queued items go behind anything already finished, so the done()
	 * order stays the order in which items left the pending queue.
	 * They are delivered now rather than after the join so their owners
	 * hear about them without waiting for running work.
	 */
	if (cancelled)
		push_done(p, cancelled, last);
	deliver_done(p);

	for (int i = 0; i < p->nthreads; i++) {
		int rc = pthread_join(p->threads[i].tid, NULL);
		if (rc)
			diag_warning("thread pool %s: pthread_join: %s", p->name, strerror(rc));
	}
	/* Work that was running when the stop flag went up. */
	deliver_done(p);

	/* Undo the ev_unref from threadpool_new: stopping decrements again. */
	ev_ref(p->loop);
	ev_async_stop(p->loop, &p->async);

	pthread_mutex_destroy(&p->done_mu);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
	free(p->threads);
	free(p->name);
	free(p);
}
