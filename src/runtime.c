/* The runtime: asyncio's event loop, rebuilt on libev.
 *
 * asyncio runs its loop in passes: wait for I/O or the next timer, move the
 * timers that are due onto the ready queue, then run exactly the callbacks
 * that were ready when the pass began; anything they schedule runs in the
 * next pass. aiodemo keeps that order exactly:
 *
 *    libev poll ──> pool completions (ev_async, ev_io) ─┐
 *                   due timers (own heap) ──────────────┼─> ready queue (FIFO)
 *                                                        │
 *    ev_check (lowest priority, after every other watcher)
 *         └─> run the N handles that were ready, N fixed at the start
 *
 * A handle is a callback and a future (a task, job or gather) it holds a
 * reference to. An ev_idle watcher is active while the queue is non-empty,
 * so the next poll does not wait; one ev_timer wakes the loop for the
 * earliest timer of the heap, which keeps same-deadline timers in FIFO order.
 * A heartbeat timer, unreferenced so that it never keeps the loop alive,
 * measures how late the loop is. */
#include "runtime.h"

#include <errno.h>
#include <ev.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "expect.h"
#include "http.h"
#include "rtpriv.h"

static void schedule(struct runtime *rt, callback_fn *fn, struct future *arg, size_t tag);

#define HEARTBEAT 0.1   /* seconds of scenario time between heartbeats */
#define MAX_TASKS 1000000   /* tasks in one run */
#define MAX_RUN_TIME 3600.0 /* seconds of scenario time a run may take */
#define CANCEL_GRACE 5.0 /* seconds of scenario time for cancelled tasks to finish */
#define TIMER_BATCH 0.001 /* seconds: timers this close expire together, as in CPython */
#define SLOW_PASS 0.1   /* a loop pass this long (scenario time) is slow, as in asyncio's debug mode */
#define MAX_POOL_SIZE 256
#define LABEL_MAX 48
#define MAX_JOB_ARGS 64 /* what a worker process decodes */


/* --- futures ------------------------------------------------------------ */

struct future *fut_ref(struct future *f)
{
	f->h.refs++;
	return f;
}

void fut_unref(struct future *f)
{
	if (f && --f->h.refs == 0)
		f->h.destroy(&f->h);
}

struct value fut_value(struct future *f)
{
	return (struct value){.kind = V_FUTURE, .o = &fut_ref(f)->h};
}

void free_waiters(struct future *f)
{
	while (f->waiters) {
		struct waiter *w = f->waiters;
		f->waiters = w->next;
		fut_unref(w->arg);
		free(w);
	}
}

void future_fini(struct future *f)
{
	free_waiters(f);
	value_unref(f->result);
	if (!f->label_borrowed)
		free(f->label);
}

void future_init(struct runtime *rt, struct future *f, enum fut_kind kind,
			void (*destroy)(struct obj *))
{
	f->h.refs = 1;
	f->h.destroy = destroy;
	f->rt = rt;
	f->kind = kind;
	f->state = FS_PENDING;
	f->result = value_none();
	f->waiters = NULL;
	f->waiters_tail = &f->waiters;
}

/* add_done_callback: runs @fn(@arg) from the ready queue once @f is done. */
void future_add_waiter(struct future *f, callback_fn *fn, struct future *arg)
{
	future_add_waiter_tagged(f, fn, arg, 0);
}

void future_add_waiter_tagged(struct future *f, callback_fn *fn, struct future *arg, size_t tag)
{
	if (f->state != FS_PENDING) {
		schedule(f->rt, fn, fut_ref(arg), tag);
		return;
	}
	struct waiter *w = xmalloc(sizeof(*w));
	*w = (struct waiter){fn, fut_ref(arg), tag, NULL};
	*f->waiters_tail = w;
	f->waiters_tail = &w->next;
}

/* set_result / set_exception: takes over @v and schedules the waiters. */
void future_finish(struct future *f, enum fut_state state, struct value v)
{
	f->state = state;
	f->result = v;
	while (f->waiters) {
		struct waiter *w = f->waiters;
		f->waiters = w->next;
		schedule(f->rt, w->fn, w->arg, w->tag); /* the waiter's reference moves to the handle */
		free(w);
	}
	f->waiters_tail = &f->waiters;
}

void future_describe(struct buf *b, struct obj *o);
void future_describe(struct buf *b, struct obj *o)
{
	struct future *f = (struct future *)o;
	static const char *const kinds[] = {
		[FUT_TASK] = "Task", [FUT_JOB] = "Future", [FUT_GATHER] = "Future", [FUT_SLEEP] = "Future",
		[FUT_WAITFOR] = "Future", [FUT_WAIT] = "Future", [FUT_PLAIN] = "Future",
		[FUT_SEM] = "Semaphore", [FUT_GROUP] = "TaskGroup",
	};
	static const char *const states[] = {"pending", "finished", "failed", "cancelled"};
	if (f->kind == FUT_SEM || f->kind == FUT_GROUP)
		buf_printf(b, "<%s %s>", kinds[f->kind], f->label);
	else
		buf_printf(b, "<%s %s %s>", kinds[f->kind], f->label, states[f->state]);
}

/* --- the ready queue and timers ---------------------------------------- */

static void task_step(struct runtime *rt, struct future *f, size_t tag);
static void task_wakeup(struct runtime *rt, struct future *f, size_t tag);

static void schedule(struct runtime *rt, callback_fn *fn, struct future *arg, size_t tag)
{
	/* A task waits for the loop from here: the pictures show it as ready. */
	if ((fn == task_step || fn == task_wakeup) && !((struct task *)arg)->dead)
		timeline_step(rt->tl, clock_now(), arg->lane, K_READY, 0, -1);
	struct handle *h = rt->spare;
	if (h)
		rt->spare = h->next;
	else
		h = xmalloc(sizeof(*h));
	*h = (struct handle){fn, arg, tag, NULL};
	*rt->ready_tail = h;
	rt->ready_tail = &h->next;
	rt->nready++;
}

/* call_soon with a new reference to @arg. */
void call_soon(struct runtime *rt, callback_fn *fn, struct future *arg)
{
	schedule(rt, fn, fut_ref(arg), 0);
}

static bool timer_before(const struct timer *a, const struct timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

void timer_add(struct runtime *rt, double when, callback_fn *fn, struct future *arg)
{
	if (rt->ntimers == rt->timercap) {
		rt->timercap = rt->timercap ? rt->timercap * 2 : 64;
		rt->timers = xrealloc(rt->timers, rt->timercap * sizeof(*rt->timers));
	}
	size_t i = rt->ntimers++;
	struct timer t = {when, rt->timer_seq++, fn, fut_ref(arg)};
	while (i > 0 && timer_before(&t, &rt->timers[(i - 1) / 2])) {
		rt->timers[i] = rt->timers[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	rt->timers[i] = t;
}

static struct timer timer_pop(struct runtime *rt)
{
	struct timer top = rt->timers[0];
	struct timer last = rt->timers[--rt->ntimers];
	size_t i = 0, n = rt->ntimers;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && timer_before(&rt->timers[c + 1], &rt->timers[c]))
			c++;
		if (!timer_before(&rt->timers[c], &last))
			break;
		rt->timers[i] = rt->timers[c];
		i = c;
	}
	if (n)
		rt->timers[i] = last;
	return top;
}

/* Keeps the libev watchers in line with the queue and the timer heap. */
static void update_watchers(struct runtime *rt)
{
	if (rt->nready && !ev_is_active(&rt->idle))
		ev_idle_start(rt->loop, &rt->idle);
	else if (!rt->nready && ev_is_active(&rt->idle))
		ev_idle_stop(rt->loop, &rt->idle);
	if (rt->ntimers)
		ptimer_arm(rt->loop, &rt->timer, rt->timers[0].when);
	else
		ptimer_stop(rt->loop, &rt->timer);
}

/* Just before libev waits: the loop is idle from here... */
static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct runtime *rt = w->data;
	rt->poll_started = clock_now();
}

/* ... to here, the first thing after the wait. */
static void on_polled(struct ev_loop *loop, ev_check *w, int revents)
{
	struct runtime *rt = w->data;
	if (rt->poll_started > 0)
		rt->idle_time += clock_now() - rt->poll_started;
	rt->poll_started = 0;
}

/* One pass of the asyncio loop: due timers join the ready queue, then the
 * handles that were ready when the pass began run. */
static void run_pass(struct runtime *rt)
{
	double now = clock_now();
	/* CPython's selector waits in whole milliseconds, so timers due within
	 * a millisecond of each other expire in the same pass; the order of
	 * what they wake depends on it. The loop wakes at the first deadline
	 * exactly and takes the others due within TIMER_BATCH along. */
	while (rt->ntimers && rt->timers[0].when <= now + TIMER_BATCH) {
		struct timer t = timer_pop(rt);
		schedule(rt, t.fn, t.arg, 0);
	}
	size_t steps = rt->nready;
	for (size_t todo = rt->nready; todo > 0 && !rt->interrupted; todo--) {
		struct handle *h = rt->ready;
		rt->ready = h->next;
		if (!rt->ready)
			rt->ready_tail = &rt->ready;
		rt->nready--;
		h->fn(rt, h->arg, h->tag);
		fut_unref(h->arg);
		h->next = rt->spare;
		rt->spare = h;
	}
	double took = clock_now() - now;
	if (took > rt->slow_threshold && steps > 1 && rt->nslow < 1000) {
		if (rt->nslow == rt->slowcap) {
			rt->slowcap = rt->slowcap ? rt->slowcap * 2 : 8;
			rt->slow = xrealloc(rt->slow, (size_t)rt->slowcap * sizeof(*rt->slow));
		}
		rt->slow[rt->nslow++] = (struct slow_pass){now - rt->t0, took, steps};
	}
}

/* Runs after every other watcher of libev's iteration. */
static void on_check(struct ev_loop *loop, ev_check *w, int revents)
{
	struct runtime *rt = w->data;
	run_pass(rt);
	if (!rt->overtime && !rt->serve_forever && clock_now() - rt->t0 > MAX_RUN_TIME * rt->scale) {
		rt->overtime = true;
		ev_break(loop, EVBREAK_ALL);
	}
	if (rt->interrupted || timeline_output_broken(rt->tl))
		ev_break(loop, EVBREAK_ALL);
	update_watchers(rt);
}

/* The ideal run's loop: no waiting, the virtual clock jumps to the next
 * timer whenever nothing is ready. Runs until @done says so or nothing is
 * left to do. */
static void run_virtual(struct runtime *rt, bool (*done)(struct runtime *rt))
{
	while (!done(rt) && !rt->interrupted) {
		run_pass(rt);
		if (done(rt))
			break; /* before the clock moves on: main() may just have returned */
		if (rt->nready)
			continue;
		/* A timer for a future already settled (a cancelled sleep, a
		 * wait_for that finished) would only move the clock on. */
		while (rt->ntimers && rt->timers[0].arg->state != FS_PENDING && rt->timers[0].arg->kind != FUT_JOB) {
			struct timer t = timer_pop(rt);
			fut_unref(t.arg);
		}
		if (!rt->ntimers)
			break;
		if (rt->ideal_deadline > 0 && rt->timers[0].when > rt->ideal_deadline)
			break; /* cancelled tasks that will not stop, as in the real run */
		if (rt->timers[0].when > clock_virtual_now)
			clock_virtual_now = rt->timers[0].when;
	}
}

static bool main_over(struct runtime *rt)
{
	return rt->main_done;
}

static bool no_task_left(struct runtime *rt)
{
	return rt->live == NULL;
}

static bool no_ideal_job_left(struct runtime *rt)
{
	return !rt->nready && rt->ideal_jobs == 0;
}

static void on_nothing(struct ev_loop *loop, ev_idle *w, int revents)
{
}

static void on_timer(struct ev_loop *loop, struct ptimer *t)
{
	/* on_check moves the due timers; this only ended the wait. */
}

static void on_wakeup(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void lag_sample(struct runtime *rt, double lag)
{
	if (rt->nlags == rt->lagcap) {
		rt->lagcap = rt->lagcap ? rt->lagcap * 2 : 256;
		rt->lags = xrealloc(rt->lags, rt->lagcap * sizeof(*rt->lags));
	}
	rt->lags[rt->nlags++] = lag;
}

/* A heartbeat late by more than its period stands for the beats that could
 * not fire meanwhile: each would have been late too, by a period less. A
 * plain sampler would count one late beat where a sampler that never
 * stops would count many (coordinated omission). */
static void record_lag(struct runtime *rt, double lag)
{
	if (lag < 0)
		lag = 0;
	if (lag > rt->max_lag)
		rt->max_lag = lag;
	lag_sample(rt, lag);
	for (double missed = lag - rt->hb_period; missed > 0 && rt->nlags < 10000000; missed -= rt->hb_period)
		lag_sample(rt, missed);
}

static void on_heartbeat(struct ev_loop *loop, struct ptimer *w)
{
	struct runtime *rt = w->data;
	double now = clock_now();
	double lag = now - rt->hb_next;
	record_lag(rt, lag);
	timeline_step(rt->tl, now, rt->loop_lane, K_BEAT, 0, lag > 0 ? lag : 0);
	rt->hb_next += rt->hb_period;
	if (rt->hb_next < now)
		rt->hb_next = now + rt->hb_period;
	ptimer_arm(loop, w, rt->hb_next);
}

/* --- what the interpreter reports --------------------------------------- */

static int current_lane(struct runtime *rt)
{
	return rt->current ? rt->current->f.lane : rt->loop_lane;
}

int owner_lane(struct runtime *rt, void *owner)
{
	return owner ? ((struct task *)owner)->f.lane : rt->loop_lane;
}

struct value cancelled_error(int line)
{
	return value_exc("CancelledError", line, "%s", "");
}

static void loop_emit(void *ctx, enum emit_kind kind, int line, const char *text)
{
	struct runtime *rt = ctx;
	double now = clock_now();
	int lane = current_lane(rt);
	switch (kind) {
	case EMIT_SAY:
		timeline_add(rt->tl, now, lane, K_SAY, line, 0, -1, "%s", text);
		break;
	case EMIT_BLOCK_BEGIN:
		rt->block_started = now;
		timeline_add(rt->tl, now, lane, K_BLOCK, line, 0, -1,
			     "%s on the loop thread: every other task is frozen", text);
		break;
	case EMIT_BLOCK_END: {
		struct buf d = {0};
		buf_seconds(&d, now - rt->block_started);
		timeline_add(rt->tl, now, lane, K_UNBLOCK, line, 0, now - rt->block_started,
			     "%s over after %s: the loop runs again", text, d.data);
		buf_free(&d);
		timeline_blocked(rt->tl, rt->block_started, now, lane, line, text);
		break;
	}
	}
}

/* --- tasks -------------------------------------------------------------- */

static void task_destroy(struct obj *o)
{
	struct task *t = (struct task *)o;
	exec_clear(&t->x);
	fut_unref(t->awaiting);
	future_fini(&t->f);
	free(t);
}

void exc_text(struct buf *b, struct value exc)
{
	struct exc_obj *e = value_as_exc(exc);
	buf_printf(b, *e->message ? "%s: %s" : "%s%s", e->type, e->message);
	if (e->line)
		buf_printf(b, " (line %d)", e->line);
}

static void live_remove(struct runtime *rt, struct task *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else if (rt->live == t)
		rt->live = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

static void task_finish(struct runtime *rt, struct task *t, enum fut_state state, struct value v)
{
	double now = clock_now();
	struct buf text = {0};
	if (state == FS_FAILED && !strcmp(value_as_exc(v)->type, "CancelledError")) {
		state = FS_CANCELLED;
		timeline_add(rt->tl, now, t->f.lane, K_CANCEL, exec_line(&t->x), 0, -1, "cancelled");
	} else if (state == FS_DONE) {
		if (v.kind == V_NONE) {
			buf_puts(&text, "finished");
		} else {
			buf_puts(&text, "returned ");
			value_repr(&text, v);
		}
		timeline_add(rt->tl, now, t->f.lane, K_DONE, exec_line(&t->x), 0, -1, "%s", text.data);
	} else {
		exc_text(&text, v);
		timeline_add(rt->tl, now, t->f.lane, K_ERROR, value_as_exc(v)->line, 0, -1, "raised %s",
			     text.data);
	}
	buf_free(&text);
	live_remove(rt, t);
	future_finish(&t->f, state, v);
	if (t == rt->main) {
		rt->main_done = true;
		rt->t_main_end = now;
		if (rt->serve && rt->serve_forever) {
			timeline_add(rt->tl, now, rt->loop_lane, K_END, 0, 0, -1,
				     "main() is over; the server goes on serving until Ctrl-C");
		} else {
			serve_stop(rt); /* as the program ends: requests still waiting are dropped */
			ev_break(rt->loop, EVBREAK_ALL);
		}
	}
	fut_unref(&t->f); /* the runtime's reference while it ran */
}

static void deliver(struct task *t, struct future *w)
{
	if (w->state == FS_DONE)
		exec_resume(&t->x, value_ref(w->result));
	else
		exec_resume_error(&t->x, value_ref(w->result));
}

/* Task.cancel(): the awaited future is cancelled, whose completion wakes the
 * task with CancelledError; or the task raises it when it next runs. */
bool task_cancel(struct runtime *rt, struct task *t, int line)
{
	if (t->f.state != FS_PENDING || t->dead)
		return false;
	if (t->awaiting && future_cancel(rt, t->awaiting, line))
		return true;
	t->must_cancel = true;
	return true;
}

static void task_wakeup(struct runtime *rt, struct future *f, size_t tag)
{
	struct task *t = (struct task *)f;
	if (t->dead || !t->awaiting)
		return;
	struct future *w = t->awaiting;
	t->awaiting = NULL;
	deliver(t, w);
	fut_unref(w);
	task_step(rt, f, 0);
}

/* The sleep's timer fired: like asyncio, it completes a future whose
 * callback then wakes the task in the next pass. */
static void sleep_fire(struct runtime *rt, struct future *f, size_t tag)
{
	if (f->state == FS_PENDING)
		future_finish(f, FS_DONE, value_none());
}

void plain_future_destroy(struct obj *o)
{
	struct future *f = (struct future *)o;
	future_fini(f);
	free(f);
}

static void task_step(struct runtime *rt, struct future *f, size_t tag)
{
	struct task *t = (struct task *)f;
	if (t->dead || f->state != FS_PENDING)
		return;
	struct task *saved = rt->current;
	rt->current = t;
	timeline_step(rt->tl, clock_now(), f->lane, K_STEP, exec_line(&t->x), -1);
	if (t->must_cancel) {
		t->must_cancel = false;
		exec_resume_error(&t->x, cancelled_error(exec_line(&t->x)));
	}
	for (;;) {
		struct value out;
		enum step st = exec_run(&t->x, &out);
		if (st == STEP_AWAIT) {
			struct future *w = (struct future *)out.o;
			if (w == f) {
				value_unref(out);
				exec_resume_error(&t->x, value_exc("RuntimeError", exec_line(&t->x),
								   "a task cannot await itself"));
				continue;
			}
			if (w->state != FS_PENDING) {
				/* Awaiting a finished future does not yield. */
				deliver(t, w);
				value_unref(out);
				continue;
			}
			t->awaiting = w; /* keeps out's reference */
			timeline_add(rt->tl, clock_now(), f->lane, K_AWAIT, exec_line(&t->x), 0, -1,
				     "await %s", w->label);
			future_add_waiter(w, task_wakeup, f);
			break;
		}
		if (st == STEP_SLEEP) {
			double d = out.f * rt->scale;
			struct buf text = {0};
			buf_printf(&text, "sleep %gs", out.f);
			timeline_add(rt->tl, clock_now(), f->lane, K_SLEEP, exec_line(&t->x), 0, d,
				     "%s: the task waits, the loop is free", text.data);
			buf_free(&text);
			if (d <= 0) {
				call_soon(rt, task_step, f); /* asyncio.sleep(0) yields once */
				break;
			}
			struct future *sf = xcalloc(1, sizeof(*sf));
			future_init(rt, sf, FUT_SLEEP, plain_future_destroy);
			sf->label = xstrdup("sleep");
			timer_add(rt, clock_now() + d, sleep_fire, sf);
			t->awaiting = sf; /* the reference future_init gave */
			future_add_waiter(sf, task_wakeup, f);
			break;
		}
		task_finish(rt, t, st == STEP_RETURN ? FS_DONE : FS_FAILED, out);
		break;
	}
	timeline_step(rt->tl, clock_now(), f->lane, f->state == FS_PENDING ? K_YIELD : K_EXIT, exec_line(&t->x), -1);
	rt->current = saved;
}

static void task_label(struct buf *b, int id, struct value coro)
{
	struct coro_obj *co = value_as_coro(coro);
	buf_printf(b, "t%d %s(", id, co->fn->name);
	for (int i = 0; i < co->nargs; i++) {
		if (i)
			buf_puts(b, ", ");
		value_repr(b, co->args[i]);
	}
	buf_putc(b, ')');
	if (b->len > LABEL_MAX) {
		b->len = LABEL_MAX - 3;
		buf_puts(b, "...");
	}
}

struct task *task_new(struct runtime *rt, struct value coro, const char *name, struct value *err)
{
	if (rt->ntasks >= MAX_TASKS) {
		*err = value_exc("RuntimeError", 0, "more than %d tasks: the limit of a run", MAX_TASKS);
		return NULL;
	}
	struct task *t = xcalloc(1, sizeof(*t));
	future_init(rt, &t->f, FUT_TASK, task_destroy);
	if (!exec_init(&t->x, &rt->env, coro, t, err)) {
		free(t);
		return NULL;
	}
	t->f.id = ++rt->next_task;
	struct buf label = {0};
	if (name)
		buf_puts(&label, name);
	else
		task_label(&label, t->f.id, coro);
	t->f.lane = timeline_lane(rt->tl, LANE_TASK, label.data);
	buf_free(&label);
	t->f.label = (char *)timeline_lane_name(rt->tl, t->f.lane);
	t->f.label_borrowed = true;
	rt->ntasks++;
	t->next = rt->live;
	if (rt->live)
		rt->live->prev = t;
	rt->live = t;
	call_soon(rt, task_step, &t->f);
	return t;
}

bool future_cancel(struct runtime *rt, struct future *f, int line)
{
	if (f->state != FS_PENDING)
		return false;
	switch (f->kind) {
	case FUT_TASK:
		return task_cancel(rt, (struct task *)f, line);
	case FUT_GATHER: {
		/* Cancelling a gather cancels its children; it ends cancelled. */
		struct list_obj *l = value_as_list(((struct gather *)f)->children);
		bool any = false;
		((struct gather *)f)->cancel_requested = true;
		for (size_t i = 0; i < l->n; i++)
			any |= future_cancel(rt, (struct future *)l->items[i].o, line);
		return any;
	}
	case FUT_JOB: {
		struct job *j = (struct job *)f;
		bool queued = j->pool->tp ? threadpool_cancel(j->pool->tp, &j->u.tw)
			      : j->pool->pp ? procpool_cancel(j->pool->pp, &j->u.pj) : false;
		timeline_add(rt->tl, clock_now(), f->lane, K_CANCEL, line, f->id, -1,
			     queued ? "job %d cancelled before a worker took it"
				    : "job %d's future is cancelled, but the job keeps running in its worker: "
				      "a running thread or process cannot be stopped", f->id);
		future_finish(f, FS_CANCELLED, cancelled_error(line));
		return true;
	}
	case FUT_SLEEP:
	case FUT_PLAIN:
		future_finish(f, FS_CANCELLED, cancelled_error(line));
		return true;
	default:
		return primitives_cancel(rt, f, line);
	}
}

bool runtime_spawn(struct runtime *rt, void *owner, struct value coro, int line, struct value *out)
{
	struct task *t = task_new(rt, coro, NULL, out);
	if (!t) {
		if (value_as_exc(*out)->line == 0)
			value_as_exc(*out)->line = line;
		return false;
	}
	struct task *by = owner;
	timeline_add(rt->tl, clock_now(), by ? by->f.lane : rt->loop_lane, K_SPAWN, line, 0, -1,
		     "spawn %s: scheduled, runs when this task yields", t->f.label);
	*out = fut_value(&t->f);
	return true;
}

/* --- gather ------------------------------------------------------------- */

static void gather_destroy(struct obj *o)
{
	struct gather *g = (struct gather *)o;
	value_unref(g->children);
	future_fini(&g->f);
	free(g);
}

static void gather_child_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct gather *g = (struct gather *)f;
	struct list_obj *l = value_as_list(g->children);
	struct future *c = (struct future *)l->items[tag].o;
	g->finished++;
	if (g->f.state != FS_PENDING)
		return;
	/* Without return_exceptions the first failure fails the gather (the
	 * other children go on); with it, exceptions are results. */
	if (!g->return_exceptions && (c->state == FS_FAILED || c->state == FS_CANCELLED)) {
		future_finish(&g->f, c->state == FS_CANCELLED && g->cancel_requested ? FS_CANCELLED : FS_FAILED,
			      value_ref(c->result));
		return;
	}
	if (g->finished < l->n)
		return;
	if (g->cancel_requested) {
		future_finish(&g->f, FS_CANCELLED, cancelled_error(0));
		return;
	}
	struct value results = value_list(l->n);
	for (size_t i = 0; i < l->n; i++)
		value_list_push(results, value_ref(((struct future *)l->items[i].o)->result));
	future_finish(&g->f, FS_DONE, results);
}

bool runtime_gather(struct runtime *rt, void *owner, struct value items, bool return_exceptions,
		    int line, struct value *out)
{
	struct list_obj *l = value_as_list(items);
	struct gather *g = xcalloc(1, sizeof(*g));
	future_init(rt, &g->f, FUT_GATHER, gather_destroy);
	g->children = value_list(l->n);
	g->return_exceptions = return_exceptions;
	struct task *by = owner;
	g->f.lane = by ? by->f.lane : rt->loop_lane;
	struct buf label = {0};
	size_t shown = 0; /* a gather of 100 000 tasks names the first few */
	buf_puts(&label, "gather(");
	for (size_t i = 0; i < l->n; i++) {
		struct value item = l->items[i], fut;
		if (item.kind == V_CORO) {
			struct task *t = task_new(rt, item, NULL, out);
			if (!t)
				goto fail;
			fut = fut_value(&t->f);
		} else if (item.kind == V_FUTURE) {
			fut = value_ref(item);
		} else {
			*out = value_exc("TypeError", line, "gather() takes coroutines, tasks or offloaded jobs, not %s",
					 value_type_name(item));
			goto fail;
		}
		value_list_push(g->children, fut);
		struct future *c = (struct future *)fut.o;
		/* Short names: "t2" for a task, "job 1" for a job. */
		const char *cut = c->kind == FUT_TASK ? strchr(c->label, ' ') : strstr(c->label, " (");
		if (shown++ < 8)
			buf_printf(&label, "%s%.*s", i ? ", " : "", cut ? (int)(cut - c->label) : (int)strlen(c->label),
				   c->label);
		else if (i + 1 == l->n)
			buf_printf(&label, ", ... %zu in all", l->n);
	}
	buf_putc(&label, ')');
	g->f.label = buf_steal(&label);
	timeline_add(rt->tl, clock_now(), g->f.lane, K_GATHER, line, 0, -1, "%s", g->f.label);
	if (l->n == 0)
		future_finish(&g->f, FS_DONE, value_list(0));
	struct list_obj *cl = value_as_list(g->children);
	for (size_t i = 0; i < cl->n; i++)
		future_add_waiter_tagged((struct future *)cl->items[i].o, gather_child_done, &g->f, i);
	*out = (struct value){.kind = V_FUTURE, .o = &g->f.h};
	return true;
fail:
	buf_free(&label);
	fut_unref(&g->f);
	return false;
}

/* --- jobs --------------------------------------------------------------- */

static void job_destroy(struct obj *o)
{
	struct job *j = (struct job *)o;
	for (int i = 0; i < j->nargs; i++)
		value_unref(j->args[i]);
	free(j->args);
	buf_free(&j->req);
	free(j->desc);
	future_fini(&j->f);
	free(j);
}

/* Reports say lines and blocking steps of a job running in a worker thread. */
struct worker_ctx {
	struct timeline *tl;
	int lane;
	int job;
	bool quiet; /* the job is a bare block/primes: its start and end say it all */
	double block_start;
};

static void worker_emit(void *ctx, enum emit_kind kind, int line, const char *text)
{
	struct worker_ctx *w = ctx;
	double now = clock_now();
	if (kind == EMIT_SAY) {
		timeline_add(w->tl, now, w->lane, K_SAY, line, w->job, -1, "%s", text);
	} else if (!w->quiet && kind == EMIT_BLOCK_BEGIN) {
		w->block_start = now;
		timeline_add(w->tl, now, w->lane, K_BLOCK, line, w->job, -1, "%s in this worker (the loop stays free)", text);
	} else if (!w->quiet) {
		timeline_add(w->tl, now, w->lane, K_UNBLOCK, line, w->job, now - w->block_start, "%s over", text);
	}
}

static void job_started(struct job *j, double t_submit, double t_start, int lane, pid_t pid)
{
	struct runtime *rt = j->f.rt;
	struct buf d = {0}, where = {0};
	buf_seconds(&d, t_start - t_submit);
	if (pid > 0)
		buf_printf(&where, " in pid %d", (int)pid);
	timeline_add(rt->tl, t_start, lane, K_JOB_START, j->line, j->f.id, t_start - t_submit,
		     "job %d: %s%s (waited %s in the queue)", j->f.id, j->desc, where.data ? where.data : "",
		     d.data);
	buf_free(&d);
	buf_free(&where);
}

static void job_thread_work(struct tp_work *w)
{
	struct job *j = w->data;
	struct runtime *rt = j->f.rt;
	j->worker_lane = j->pool->lanes[w->worker];
	job_started(j, w->t_submit, w->t_start, j->worker_lane, 0);
	struct worker_ctx wc = {rt->tl, j->worker_lane, j->f.id, j->fn == NULL, 0};
	struct interp_env env = {rt->sc, rt->scale, threadpool_stop_flag(j->pool->tp), NULL, worker_emit, &wc,
				 rt->tmpdir};
	j->ok = interp_call(&env, j->fn, j->builtin, j->args, j->nargs, j->line, &j->result);
	double end = clock_now();
	struct buf d = {0};
	buf_seconds(&d, end - w->t_start);
	timeline_add(rt->tl, end, j->worker_lane, j->ok ? K_JOB_DONE : K_ERROR, j->line, j->f.id,
		     end - w->t_start, "job %d %s after %s", j->f.id, j->ok ? "done" : "failed", d.data);
	buf_free(&d);
}

static void job_complete(struct job *j, int status, double t_submit, double t_start)
{
	struct runtime *rt = j->f.rt;
	if (status == 0 && t_start - t_submit > rt->max_queue_wait)
		rt->max_queue_wait = t_start - t_submit;
	struct value v = j->result;
	j->result = value_none();
	if (j->f.state != FS_PENDING) {
		/* Its future was cancelled: nobody takes this result. */
		if (status == 0)
			timeline_add(rt->tl, clock_now(), j->worker_lane, K_DONE, j->line, j->f.id, -1,
				     "job %d's result is dropped: its future was cancelled", j->f.id);
		value_unref(v);
	} else if (status == ECANCELED) {
		value_unref(v);
		future_finish(&j->f, FS_CANCELLED, value_exc("CancelledError", j->line,
							     "job %d was cancelled before a worker took it", j->f.id));
	} else {
		future_finish(&j->f, j->ok ? FS_DONE : FS_FAILED, v);
	}
	fut_unref(&j->f); /* the pool's reference */
}

static void job_thread_done(struct tp_work *w, int status)
{
	struct job *j = w->data;
	job_complete(j, status, w->t_submit, w->t_start);
}

/* Process jobs: request = i32 function index (-1 for a built-in), i32
 * built-in, i32 argument count, arguments; events = u8 kind, i32 line,
 * text; result = u8 ok, value. */
enum { PEV_START = 100 };

struct proc_ctx {
	struct pp_reply *reply;
};

static void proc_emit(void *ctx, enum emit_kind kind, int line, const char *text)
{
	struct proc_ctx *pc = ctx;
	struct buf b = {0};
	unsigned char k = (unsigned char)kind;
	int32_t l = line;
	buf_add(&b, &k, 1);
	buf_add(&b, &l, sizeof(l));
	buf_puts(&b, text);
	pp_reply_event(pc->reply, b.data, b.len);
	buf_free(&b);
}

static void proc_handler(void *ctx, const void *req, size_t len, struct pp_reply *r)
{
	struct runtime *rt = ctx;
	const char *p = req, *end = p + len;
	int32_t hdr[3];
	struct buf out = {0};
	unsigned char ok = 0;
	struct value result = value_none();
	struct value args[MAX_JOB_ARGS];
	int nargs = 0;
	if (len < sizeof(hdr))
		goto bad;
	memcpy(hdr, p, sizeof(hdr));
	p += sizeof(hdr);
	if (hdr[0] < -1 || hdr[0] >= rt->sc->nfuncs || hdr[2] < 0 || hdr[2] > MAX_JOB_ARGS)
		goto bad;
	for (; nargs < hdr[2]; nargs++)
		if (!value_decode(&p, end, &args[nargs]))
			goto bad;
	{
		struct proc_ctx pc = {r};
		unsigned char k = PEV_START;
		int32_t l = 0;
		struct buf b = {0};
		buf_add(&b, &k, 1);
		buf_add(&b, &l, sizeof(l));
		pp_reply_event(r, b.data, b.len);
		buf_free(&b);
		const struct func *fn = hdr[0] >= 0 ? rt->sc->funcs[hdr[0]] : NULL;
		struct interp_env env = {rt->sc, rt->scale, NULL, NULL, proc_emit, &pc, rt->tmpdir};
		ok = interp_call(&env, fn, (enum builtin)hdr[1], args, nargs, 0, &result);
	}
	goto reply;
bad:
	result = value_exc("SystemError", 0, "malformed job request");
reply:
	buf_add(&out, &ok, 1);
	if (!value_encode(&out, result)) {
		buf_clear(&out);
		ok = 0;
		buf_add(&out, &ok, 1);
		struct value e = value_exc("TypeError", 0, "%s cannot be sent back from a worker process",
					   value_type_name(result));
		value_encode(&out, e);
		value_unref(e);
	}
	pp_reply_result(r, out.data, out.len);
	buf_free(&out);
	value_unref(result);
	for (int i = 0; i < nargs; i++)
		value_unref(args[i]);
}

static void job_proc_event(struct pp_job *pj, double t, const void *msg, size_t len)
{
	struct job *j = pj->data;
	struct runtime *rt = j->f.rt;
	if (len < 5)
		return;
	unsigned char kind = *(const unsigned char *)msg;
	int32_t line;
	memcpy(&line, (const char *)msg + 1, sizeof(line));
	const char *text = (const char *)msg + 5;
	int tlen = (int)(len - 5);
	j->worker_lane = j->pool->lanes[pj->worker];
	if (kind == PEV_START) {
		job_started(j, pj->t_submit, t, j->worker_lane, pj->pid);
	} else if (kind == EMIT_SAY) {
		timeline_add(rt->tl, t, j->worker_lane, K_SAY, line, j->f.id, -1, "%.*s", tlen, text);
	} else if (!j->fn) {
		/* A bare block or primes job: its start and end say it all. */
	} else if (kind == EMIT_BLOCK_BEGIN) {
		j->block_start = t;
		timeline_add(rt->tl, t, j->worker_lane, K_BLOCK, line, j->f.id, -1,
			     "%.*s in this process (the loop stays free)", tlen, text);
	} else {
		timeline_add(rt->tl, t, j->worker_lane, K_UNBLOCK, line, j->f.id, t - j->block_start, "%.*s over",
			     tlen, text);
	}
}

static void job_proc_done(struct pp_job *pj, int status, const void *reply, size_t len)
{
	struct job *j = pj->data;
	struct runtime *rt = j->f.rt;
	if (status == 0) {
		const char *p = reply, *end = p + len;
		if (len >= 1 && (j->ok = *p++ != 0, value_decode(&p, end, &j->result))) {
			struct buf d = {0};
			buf_seconds(&d, pj->t_end - pj->t_start);
			timeline_add(rt->tl, pj->t_end, j->worker_lane, j->ok ? K_JOB_DONE : K_ERROR, j->line,
				     j->f.id, pj->t_end - pj->t_start, "job %d %s after %s", j->f.id,
				     j->ok ? "done" : "failed", d.data);
			buf_free(&d);
		} else {
			j->ok = false;
			j->result = value_exc("SystemError", j->line, "malformed reply from worker process %d",
					      (int)pj->pid);
		}
	} else if (status == EPIPE) {
		j->ok = false;
		j->result = value_exc("BrokenProcessPool", j->line, "%s", pj->error);
		timeline_add(rt->tl, clock_now(), j->worker_lane ? j->worker_lane : rt->loop_lane, K_ERROR,
			     j->line, j->f.id, -1, "job %d lost: %s", j->f.id, pj->error);
	}
	job_complete(j, status, pj->t_submit, pj->t_start);
}

/* The ideal run's job: the first worker to be free takes it at once, it
 * runs here and now with the clock set to its start, and a timer hands its
 * result back at its end. */
static void ideal_job_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct job *j = (struct job *)f;
	(void)tag;
	rt->ideal_jobs--;
	job_complete(j, 0, j->ideal_submit, j->ideal_start);
}

static void ideal_job(struct runtime *rt, struct pool *pool, struct job *j)
{
	int w = 1;
	for (int k = 2; k <= pool->size; k++)
		if (pool->free_at[k] < pool->free_at[w])
			w = k;
	double now = clock_now();
	double start = pool->free_at[w] > now ? pool->free_at[w] : now;
	j->worker_lane = pool->lanes[w];
	j->ideal_submit = now;
	j->ideal_start = start;
	clock_virtual_now = start;
	job_started(j, now, start, j->worker_lane, 0);
	struct worker_ctx wc = {rt->tl, j->worker_lane, j->f.id, j->fn == NULL, 0};
	struct interp_env env = {rt->sc, rt->scale, NULL, NULL, worker_emit, &wc, rt->tmpdir};
	j->ok = interp_call(&env, j->fn, j->builtin, j->args, j->nargs, j->line, &j->result);
	double end = clock_now();
	struct buf d = {0};
	buf_seconds(&d, end - start);
	timeline_add(rt->tl, end, j->worker_lane, j->ok ? K_JOB_DONE : K_ERROR, j->line, j->f.id, end - start,
		     "job %d %s after %s", j->f.id, j->ok ? "done" : "failed", d.data);
	buf_free(&d);
	pool->free_at[w] = end;
	clock_virtual_now = now;
	rt->ideal_jobs++;
	timer_add(rt, end, ideal_job_done, &j->f);
}

bool runtime_offload(struct runtime *rt, void *owner, int pool_index, const struct func *fn,
		     enum builtin builtin, struct value *args, int nargs, int line, struct value *out)
{
	struct pool *pool = &rt->pools[pool_index];
	struct task *by = owner;
	if (nargs > MAX_JOB_ARGS) {
		*out = value_exc("TypeError", line, "a job takes at most %d arguments, not %d", MAX_JOB_ARGS, nargs);
		return false;
	}
	struct job *j = xcalloc(1, sizeof(*j));
	future_init(rt, &j->f, FUT_JOB, job_destroy);
	j->pool = pool;
	j->fn = fn;
	j->builtin = builtin;
	j->line = line;
	j->result = value_none();
	j->f.lane = by ? by->f.lane : rt->loop_lane;
	j->args = xcalloc((size_t)(nargs ? nargs : 1), sizeof(*j->args));
	for (; j->nargs < nargs; j->nargs++) {
		if (pool->processes) {
			j->args[j->nargs] = value_ref(args[j->nargs]);
		} else if (!value_clone(args[j->nargs], &j->args[j->nargs])) {
			*out = j->args[j->nargs];
			goto fail;
		}
	}
	struct buf desc = {0};
	interp_describe_call(fn, builtin, args, nargs, &desc);
	j->desc = buf_steal(&desc);
	if (pool->processes) {
		int32_t hdr[3] = {-1, (int32_t)builtin, nargs};
		for (int i = 0; fn && i < rt->sc->nfuncs; i++)
			if (rt->sc->funcs[i] == fn)
				hdr[0] = i;
		buf_add(&j->req, hdr, sizeof(hdr));
		for (int i = 0; i < nargs; i++) {
			if (!value_encode(&j->req, args[i])) {
				*out = value_exc("TypeError", line, "%s cannot be sent to a worker process",
						 value_type_name(args[i]));
				goto fail;
			}
		}
	}
	j->f.id = ++rt->next_job;
	struct buf label = {0};
	buf_printf(&label, "job %d (%s)", j->f.id, j->desc);
	j->f.label = buf_steal(&label);
	timeline_add(rt->tl, clock_now(), j->f.lane, K_OFFLOAD, line, j->f.id, -1, "offload %s to %s (job %d)",
		     j->desc, pool->decl->name, j->f.id);
	fut_ref(&j->f); /* the pool's reference, dropped when the job completes */
	int rc;
	if (rt->ideal) {
		ideal_job(rt, pool, j);
		rc = 0;
	} else if (pool->processes) {
		j->u.pj = (struct pp_job){.req = j->req.data, .req_len = j->req.len, .event = job_proc_event,
					  .done = job_proc_done, .data = j};
		rc = procpool_submit(pool->pp, &j->u.pj);
	} else {
		j->u.tw = (struct tp_work){.work = job_thread_work, .done = job_thread_done, .data = j};
		rc = threadpool_submit(pool->tp, &j->u.tw);
	}
	if (rc != 0) {
		fut_unref(&j->f);
		*out = value_exc("OSError", line, "could not hand job %d to pool %s: %s", j->f.id,
				 pool->decl->name, strerror(errno));
		goto fail;
	}
	rt->njobs++;
	*out = (struct value){.kind = V_FUTURE, .o = &j->f.h};
	return true;
fail:
	fut_unref(&j->f);
	return false;
}

/* --- pools -------------------------------------------------------------- */

static void thread_started(struct threadpool *p, int worker, void *arg)
{
	struct pool *pool = arg;
	char name[64];
	snprintf(name, sizeof(name), "%s/%d", pool->decl->name, worker);
	pool->lanes[worker] = timeline_lane(pool->rt->tl, LANE_THREAD, name);
	timeline_add(pool->rt->tl, clock_now(), pool->lanes[worker], K_WORKER, 0, 0, -1,
		     "worker thread %d of %d started (tid %d)", worker, pool->size, (int)gettid());
}

static int default_size(bool processes)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	/* ThreadPoolExecutor: min(32, cpu_count + 4); ProcessPoolExecutor: cpu_count. */
	return processes ? (int)n : (int)(n + 4 < 32 ? n + 4 : 32);
}

/* The size of pool @decl: Python's default, or its expression evaluated
 * with the scenario's parameters. Returns 0, or -1 after a message. */
static int pool_size(const struct scenario *sc, const struct pool_decl *decl, double scale, int *size)
{
	*size = default_size(decl->processes);
	if (!decl->size)
		return 0;
	struct interp_env env = {.sc = sc, .scale = scale};
	struct value v;
	if (!interp_eval(&env, decl->size, &v)) {
		diag_error("%s:%d: pool %s: %s", sc->file, decl->line, decl->name, value_as_exc(v)->message);
		value_unref(v);
		return -1;
	}
	if (v.kind != V_INT || v.i < 1 || v.i > MAX_POOL_SIZE) {
		struct buf b = {0};
		value_repr(&b, v);
		diag_error("%s:%d: pool %s needs a whole number of workers from 1 to %d, not %s", sc->file,
			   decl->line, decl->name, MAX_POOL_SIZE, b.data);
		buf_free(&b);
		value_unref(v);
		return -1;
	}
	*size = (int)v.i;
	return 0;
}

int runtime_check_pools(const struct scenario *sc, double scale)
{
	for (int i = 0; i < sc->npools; i++) {
		int size;
		if (pool_size(sc, &sc->pools[i], scale, &size) != 0)
			return -1;
	}
	return 0;
}

static bool start_pool(struct runtime *rt, struct pool *pool, const struct pool_decl *decl)
{
	pool->rt = rt;
	pool->decl = decl;
	pool->processes = decl->processes;
	if (pool_size(rt->sc, decl, rt->scale, &pool->size) != 0)
		return false;
	pool->lanes = xcalloc((size_t)pool->size + 1, sizeof(int));
	if (rt->ideal) {
		/* No workers: jobs are run in place on the virtual clock. */
		pool->free_at = xcalloc((size_t)pool->size + 1, sizeof(double));
		for (int w = 1; w <= pool->size; w++) {
			char name[64];
			snprintf(name, sizeof(name), "%s/%d", decl->name, w);
			pool->lanes[w] = timeline_lane(rt->tl, pool->processes ? LANE_PROCESS : LANE_THREAD, name);
		}
	} else if (pool->processes) {
		pool->pp = procpool_new(rt->loop, decl->name, pool->size, proc_handler, rt);
		if (!pool->pp) {
			diag_error("could not start the %d worker processes of pool %s: %s", pool->size,
				   decl->name, strerror(errno));
			return false;
		}
		for (int w = 1; w <= pool->size; w++) {
			char name[64];
			snprintf(name, sizeof(name), "%s/%d", decl->name, w);
			pool->lanes[w] = timeline_lane(rt->tl, LANE_PROCESS, name);
		}
	} else {
		pool->tp = threadpool_new(rt->loop, decl->name, pool->size, thread_started, pool);
		if (!pool->tp) {
			diag_error("could not create thread pool %s: %s", decl->name, strerror(errno));
			return false;
		}
	}
	return true;
}

/* The scenario's own directory for read_file/write_file, made before the
 * worker processes fork so that they know it too. */
static int make_tmpdir(struct runtime *rt)
{
	const char *base = getenv("TMPDIR");
	struct buf path = {0};
	buf_printf(&path, "%s/aiodemo-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(path.data)) {
		buf_free(&path);
		return -1;
	}
	rt->tmpdir = buf_steal(&path);
	return 0;
}

static void remove_tmpdir(struct runtime *rt)
{
	if (!rt->tmpdir)
		return;
	DIR *d = opendir(rt->tmpdir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", rt->tmpdir, de->d_name);
		if (unlink(path) != 0)
			diag_warning("cannot remove %s: %s", path, strerror(errno));
	}
	if (d)
		closedir(d);
	if (rmdir(rt->tmpdir) != 0)
		diag_warning("cannot remove %s: %s", rt->tmpdir, strerror(errno));
	free(rt->tmpdir);
	rt->tmpdir = NULL;
}

static struct runtime *runtime_create(const struct scenario *sc, struct timeline *tl, double scale, bool ideal);

struct runtime *runtime_new(const struct scenario *sc, struct timeline *tl, double scale)
{
	return runtime_create(sc, tl, scale, false);
}

struct runtime *runtime_new_ideal(const struct scenario *sc, struct timeline *tl, double scale)
{
	return runtime_create(sc, tl, scale, true);
}

static struct runtime *runtime_create(const struct scenario *sc, struct timeline *tl, double scale, bool ideal)
{
	struct runtime *rt = xcalloc(1, sizeof(*rt));
	rt->ideal = ideal;
	rt->timer.fd = rt->heartbeat.fd = -1; /* not created yet: nothing to close */
	rt->sc = sc;
	rt->tl = tl;
	rt->scale = scale;
	rt->ready_tail = &rt->ready;
	rt->loop = ev_default_loop(EVFLAG_AUTO);
	if (!rt->loop) {
		diag_error("could not initialise libev's default loop");
		free(rt);
		return NULL;
	}
	if (sc->uses_files && make_tmpdir(rt) != 0) {
		diag_error("cannot create a temporary directory for the scenario's files: %s", strerror(errno));
		free(rt);
		return NULL;
	}
	rt->env = (struct interp_env){sc, scale, &rt->interrupted, rt, loop_emit, rt, rt->tmpdir};
	rt->loop_lane = timeline_lane(tl, LANE_LOOP, "loop");
	rt->pools = xcalloc((size_t)sc->npools, sizeof(*rt->pools));
	/* Fork the worker processes first, while the parent is small and has
	 * no threads; thread pools start their threads lazily anyway. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < sc->npools; i++) {
			if (sc->pools[i].processes != (pass == 0))
				continue;
			if (!start_pool(rt, &rt->pools[i], &sc->pools[i])) {
				rt->npools = sc->npools;
				runtime_free(rt);
				return NULL;
			}
		}
	}
	rt->npools = sc->npools;
	ev_prepare_init(&rt->prepare, on_prepare);
	rt->prepare.data = rt;
	ev_check_init(&rt->polled, on_polled);
	ev_set_priority(&rt->polled, EV_MAXPRI);
	rt->polled.data = rt;
	ev_check_init(&rt->check, on_check);
	ev_set_priority(&rt->check, EV_MINPRI);
	rt->check.data = rt;
	ev_idle_init(&rt->idle, on_nothing);
	if (ptimer_init(&rt->timer, on_timer, true) != 0 || ptimer_init(&rt->heartbeat, on_heartbeat, false) != 0) {
		diag_error("cannot create a timer: %s", strerror(errno));
		rt->npools = sc->npools;
		runtime_free(rt);
		return NULL;
	}
	rt->timer.data = rt;
	rt->heartbeat.data = rt;
	ev_async_init(&rt->wakeup, on_wakeup);
	rt->wakeup.data = rt;
	ev_async_start(rt->loop, &rt->wakeup);
	ev_unref(rt->loop); /* Ctrl-C's wake-up must not keep the loop alive */
	return rt;
}

void runtime_interrupt(struct runtime *rt)
{
	rt->interrupted = 1;
	ev_async_send(rt->loop, &rt->wakeup);
}

static size_t outstanding_jobs(struct runtime *rt)
{
	size_t n = 0;
	for (int i = 0; i < rt->npools; i++)
		n += rt->pools[i].tp ? threadpool_outstanding(rt->pools[i].tp)
				     : rt->pools[i].pp ? procpool_outstanding(rt->pools[i].pp) : 0;
	return n;
}

/* Stops every unfinished task: asyncio.run cancels them when main() returns. */
static void cancel_tasks(struct runtime *rt, const char *why)
{
	while (rt->live) {
		struct task *t = rt->live;
		live_remove(rt, t);
		t->dead = true;
		timeline_add(rt->tl, clock_now(), t->f.lane, K_CANCEL, exec_line(&t->x), 0, -1,
			     "cancelled: %s", why);
		/* Break the cycles a waiting task is part of (it awaits a future
		 * whose waiters, or a gather whose children, lead back to it):
		 * a dead task neither wakes up nor finishes. */
		fut_unref(t->awaiting);
		t->awaiting = NULL;
		free_waiters(&t->f);
		exec_clear(&t->x);
		fut_unref(&t->f);
	}
}

/* asyncio.run() cancels the tasks main() left and runs the loop until they
 * are done, so their except and finally blocks run. A task that ignores
 * its cancellation would keep the run going forever: after CANCEL_GRACE
 * of scenario time it is dropped. */
static void cancel_remaining(struct runtime *rt)
{
	size_t n = 0;
	for (struct task *t = rt->live; t; t = t->next)
		n++;
	struct task **all = xcalloc(n + 1, sizeof(*all));
	n = 0;
	for (struct task *t = rt->live; t; t = t->next)
		all[n++] = (struct task *)fut_ref(&t->f);
	for (size_t i = 0; i < n; i++) {
		task_cancel(rt, all[i], 0);
		fut_unref(&all[i]->f);
	}
	free(all);
	if (rt->ideal) {
		rt->ideal_deadline = clock_now() + CANCEL_GRACE * rt->scale;
		run_virtual(rt, no_task_left);
		rt->ideal_deadline = 0;
		return;
	}
	double deadline = clock_now() + CANCEL_GRACE * rt->scale;
	while (rt->live && !rt->interrupted && !timeline_output_broken(rt->tl) && clock_now() < deadline) {
		update_watchers(rt);
		if (!rt->nready && !rt->ntimers && !outstanding_jobs(rt))
			break; /* they wait for something nothing will bring */
		ev_run(rt->loop, EVRUN_ONCE);
	}
}

static void describe_wait(struct runtime *rt, struct buf *b)
{
	struct task *t = rt->main;
	buf_printf(b, "main() never finished: it waits for %s", t->awaiting ? t->awaiting->label : "nothing");
	buf_puts(b, ", which nothing left running can complete (a deadlock)");
}

void runtime_set_serve(struct runtime *rt, unsigned port)
{
	rt->serve_port = port;
	rt->serve_forever = true;
}

bool runtime_serving(const struct runtime *rt)
{
	return rt->serve != NULL;
}

void runtime_set_slow(struct runtime *rt, double seconds)
{
	rt->slow_threshold = seconds * rt->scale;
}

static void server_log(void *ctx, const char *what)
{
	struct runtime *rt = ctx;
	timeline_add(rt->tl, clock_now(), rt->http_lane, K_WORKER, 0, 0, -1, "%s", what);
}

bool runtime_local_server(struct runtime *rt, int line, struct value *out)
{
	if (!rt->http) {
		char err[256];
		/* A lane of its own: its threads are not the loop being shown. */
		rt->http_lane = timeline_lane(rt->tl, LANE_SERVER, "http server");
		rt->http = http_server_start(rt->scale, server_log, rt, err, sizeof(err));
		if (!rt->http) {
			*out = value_exc("OSError", line, "%s", err);
			return false;
		}
		timeline_add(rt->tl, clock_now(), rt->http_lane, K_POOL, line, 0, -1,
			     "listening on %s (its own threads, not the loop)", http_server_url(rt->http));
	}
	*out = value_cstr(http_server_url(rt->http));
	return true;
}

const struct run_summary *runtime_summary(const struct runtime *rt)
{
	return &rt->summary;
}

const struct expect_result *runtime_checks(const struct runtime *rt, int *n, double *total)
{
	*n = rt->nchecks;
	*total = rt->total;
	return rt->checks;
}

/* Stops every pool: queued jobs are cancelled, running thread jobs stop at
 * their next look at the stop flag, worker processes are killed and reaped. */
static void stop_pools(struct runtime *rt)
{
	for (int i = 0; i < rt->npools; i++) {
		threadpool_destroy(rt->pools[i].tp);
		procpool_destroy(rt->pools[i].pp);
		rt->pools[i].tp = NULL;
		rt->pools[i].pp = NULL;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void lag_percentiles(struct runtime *rt, double *p50, double *p99)
{
	*p50 = *p99 = 0;
	if (!rt->nlags)
		return;
	qsort(rt->lags, rt->nlags, sizeof(*rt->lags), cmp_double);
	*p50 = rt->lags[(rt->nlags - 1) / 2];
	*p99 = rt->lags[(size_t)((double)(rt->nlags - 1) * 0.99)];
}

enum run_status runtime_run(struct runtime *rt)
{
	rt->t0 = timeline_t0(rt->tl);
	if (rt->ideal)
		clock_set_virtual(true, rt->t0);
	rt->hb_period = HEARTBEAT * rt->scale;
	if (rt->slow_threshold <= 0)
		rt->slow_threshold = SLOW_PASS * rt->scale;
	rt->hb_next = clock_now() + rt->hb_period;
	for (int i = 0; i < rt->npools; i++) {
		struct pool *p = &rt->pools[i];
		if (p->pp) {
			struct buf pids = {0};
			for (int w = 1; w <= p->size; w++)
				buf_printf(&pids, "%s%d", w > 1 ? ", " : "", (int)procpool_pid(p->pp, w));
			timeline_add(rt->tl, clock_now(), rt->loop_lane, K_POOL, p->decl->line, 0, -1,
				     "pool %s: %d worker process%s (pid %s)", p->decl->name, p->size,
				     p->size == 1 ? "" : "es", pids.data);
			buf_free(&pids);
		} else if (p->tp && i > 0) {
			timeline_add(rt->tl, clock_now(), rt->loop_lane, K_POOL, p->decl->line, 0, -1,
				     "pool %s: up to %d thread%s, started as jobs arrive", p->decl->name, p->size,
				     p->size == 1 ? "" : "s");
		}
	}
	struct value err;
	struct value coro = value_coro(rt->sc->main, NULL, 0);
	rt->main = task_new(rt, coro, "main", &err);
	value_unref(coro);
	fut_ref(&rt->main->f);
	if (rt->ideal) {
		run_virtual(rt, main_over);
	} else {
		ev_check_start(rt->loop, &rt->check);
		ev_prepare_start(rt->loop, &rt->prepare);
		ev_check_start(rt->loop, &rt->polled);
		/* These run every pass but are no reason to keep going. */
		ev_unref(rt->loop);
		ev_unref(rt->loop);
		ev_unref(rt->loop);
		ev_now_update(rt->loop);
		ptimer_arm(rt->loop, &rt->heartbeat, rt->hb_next);
		update_watchers(rt);
		ev_run(rt->loop, 0);
	}

	enum run_status status = RUN_OK;
	double end = clock_now();
	/* A heartbeat that was due while the loop was blocked at the very end
	 * never got to fire: count its lateness too. */
	double last = rt->main_done ? rt->t_main_end : end;
	if (!rt->ideal && last > rt->hb_next)
		record_lag(rt, last - rt->hb_next);
	if (timeline_output_broken(rt->tl)) {
		status = RUN_BROKEN_PIPE;
		if (timeline_output_errno(rt->tl) != EPIPE) {
			diag_error("writing the timeline failed: %s", strerror(timeline_output_errno(rt->tl)));
			status = RUN_FAILED;
		}
	} else if (rt->interrupted) {
		status = RUN_INTERRUPTED;
	} else if (rt->overtime) {
		struct buf b = {0};
		buf_printf(&b, "the run passed its limit of %g s of scenario time", MAX_RUN_TIME);
		rt->error = buf_steal(&b);
		timeline_add(rt->tl, end, rt->loop_lane, K_ERROR, 0, 0, -1, "%s", rt->error);
		status = RUN_FAILED;
	} else if (!rt->main_done) {
		struct buf b = {0};
		describe_wait(rt, &b);
		rt->error = buf_steal(&b);
		timeline_add(rt->tl, end, rt->main->f.lane, K_ERROR, exec_line(&rt->main->x), 0, -1, "%s", rt->error);
		status = RUN_FAILED;
	} else {
		end = rt->t_main_end;
		const char *how = rt->main->f.state == FS_DONE ? "returned" : "raised";
		size_t pending = 0;
		for (struct task *t = rt->live; t; t = t->next)
			pending++;
		if (pending) {
			timeline_add(rt->tl, end, rt->loop_lane, K_END, 0, 0, -1,
				     "main() %s: asyncio.run() cancels the %zu task%s still pending", how, pending,
				     pending == 1 ? "" : "s");
			cancel_remaining(rt);
			end = clock_now();
		}
		size_t running = outstanding_jobs(rt);
		if (running)
			timeline_add(rt->tl, end, rt->loop_lane, K_END, 0, 0, -1,
				     "main() %s; the program waits for the %zu job%s still running", how, running,
				     running == 1 ? "" : "s");
		else if (!pending)
			timeline_add(rt->tl, end, rt->loop_lane, K_END, 0, 0, -1, "main() %s: asyncio.run() is over", how);
		if (rt->main->f.state == FS_FAILED) {
			struct buf b = {0};
			exc_text(&b, rt->main->f.result);
			rt->error = buf_steal(&b);
			status = RUN_FAILED;
		}
	}
	cancel_tasks(rt, status == RUN_INTERRUPTED ? "interrupted (Ctrl-C)"
			 : rt->overtime ? "the run passed its time limit" : "main() is over");
	if (status == RUN_INTERRUPTED || rt->overtime)
		stop_pools(rt); /* their last events belong before the summary */
	if (status == RUN_OK || status == RUN_FAILED) {
		/* asyncio.run() waits for the default pool's threads, and the
		 * interpreter at exit for every pool's: the program is over when
		 * the last running job is, and so is its total time. */
		size_t left = rt->ideal ? rt->ideal_jobs : outstanding_jobs(rt);
		if (rt->ideal)
			run_virtual(rt, no_ideal_job_left);
		while (outstanding_jobs(rt) && !rt->interrupted && !timeline_output_broken(rt->tl)) {
			update_watchers(rt);
			ev_run(rt->loop, EVRUN_ONCE);
			if (clock_now() - rt->t0 > MAX_RUN_TIME * rt->scale) {
				/* Jobs that outlast the run's limit are stopped too. */
				stop_pools(rt);
				if (status == RUN_OK) {
					struct buf b = {0};
					buf_printf(&b, "the run passed its limit of %g s of scenario time", MAX_RUN_TIME);
					rt->error = buf_steal(&b);
					status = RUN_FAILED;
				}
				break;
			}
		}
		if (rt->interrupted) {
			status = RUN_INTERRUPTED;
		} else if (left) {
			end = clock_now();
			timeline_add(rt->tl, end, rt->loop_lane, K_END, 0, 0, -1,
				     "the pools' last job%s finished: the program ends", left == 1 ? "" : "s");
		}
	}
	fut_unref(&rt->main->f);

	struct run_summary s = rt->summary = (struct run_summary){
		.status = status == RUN_OK ? "ok" : status == RUN_FAILED ? "error" : "interrupted",
		.error = rt->error,
		.total = end - rt->t0,
		.expected_total = -1,
		.max_lag = rt->max_lag,
		.heartbeat = rt->hb_period,
		.tasks = rt->ntasks,
		.jobs = rt->njobs,
		.max_queue_wait = rt->max_queue_wait,
		.scale = rt->scale,
		.slow = rt->slow,
		.nslow = rt->nslow,
		.slow_threshold = rt->slow_threshold,
	};
	lag_percentiles(rt, &s.lag_p50, &s.lag_p99);
	if (s.total > 0) {
		double idle = rt->idle_time < s.total ? rt->idle_time : s.total;
		s.utilization = 1 - idle / s.total;
	}
	if (status == RUN_OK || status == RUN_FAILED)
		rt->checks = expect_verify(rt->sc, rt->tl, rt->scale, s.total, status == RUN_FAILED, &rt->nchecks);
	rt->summary_checks = expect_summarize(rt->sc, rt->scale, rt->checks, rt->nchecks, &s);
	rt->summary = s;
	rt->total = s.total;
	if (rt->ideal)
		clock_set_virtual(false, 0);
	/* The servers' last lines belong before the summary, which comes next. */
	serve_stop(rt);
	http_server_stop(rt->http);
	rt->http = NULL;
	return status;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	serve_stop(rt);
	cancel_tasks(rt, "shutting down");
	stop_pools(rt);
	http_server_stop(rt->http);
	for (int i = 0; i < rt->npools; i++)
	{
		free(rt->pools[i].lanes);
		free(rt->pools[i].free_at);
	}
	free(rt->pools);
	while (rt->ready) {
		struct handle *h = rt->ready;
		rt->ready = h->next;
		fut_unref(h->arg);
		free(h);
	}
	while (rt->spare) {
		struct handle *h = rt->spare;
		rt->spare = h->next;
		free(h);
	}
	for (size_t i = 0; i < rt->ntimers; i++)
		fut_unref(rt->timers[i].arg);
	free(rt->timers);
	if (ev_is_active(&rt->check)) {
		ev_ref(rt->loop);
		ev_check_stop(rt->loop, &rt->check);
		ev_ref(rt->loop);
		ev_prepare_stop(rt->loop, &rt->prepare);
		ev_ref(rt->loop);
		ev_check_stop(rt->loop, &rt->polled);
	}
	free(rt->lags);
	free(rt->slow);
	ptimer_close(rt->loop, &rt->heartbeat);
	ev_ref(rt->loop);
	ev_async_stop(rt->loop, &rt->wakeup);
	ev_idle_stop(rt->loop, &rt->idle);
	ptimer_close(rt->loop, &rt->timer);
	free(rt->error);
	expect_free(rt->checks, rt->nchecks);
	free(rt->summary_checks);
	remove_tmpdir(rt);
	free(rt);
}
