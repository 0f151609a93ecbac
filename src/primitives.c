/* asyncio's coordination primitives on top of the runtime's futures:
 * wait_for, wait, Semaphore, TaskGroup, and the methods of tasks and
 * futures (result(), cancel(), ...). Each follows CPython 3.11's
 * asyncio: when it yields, what it cancels, what it raises. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rtpriv.h"

/* --- wait_for ------------------------------------------------------------- */

struct waitfor {
	struct future f;
	struct future *child;
	double timeout;
	bool timed_out;
	bool cancel_requested;
};

static void waitfor_destroy(struct obj *o)
{
	struct waitfor *w = (struct waitfor *)o;
	fut_unref(w->child);
	future_fini(&w->f);
	free(w);
}

static void waitfor_child_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct waitfor *w = (struct waitfor *)f;
	struct future *c = w->child;
	if (w->f.state != FS_PENDING)
		return;
	if (w->timed_out && c->state == FS_CANCELLED) {
		/* 3.11: raise TimeoutError from the CancelledError. */
		future_finish(&w->f, FS_FAILED, value_exc("TimeoutError", 0, "%s", ""));
		return;
	}
	if (w->cancel_requested) {
		future_finish(&w->f, FS_CANCELLED, cancelled_error(0));
		return;
	}
	future_finish(&w->f, c->state, value_ref(c->result));
}

static void waitfor_timeout(struct runtime *rt, struct future *f, size_t tag)
{
	struct waitfor *w = (struct waitfor *)f;
	if (w->f.state != FS_PENDING || w->child->state != FS_PENDING)
		return;
	w->timed_out = true;
	timeline_add(rt->tl, clock_now(), w->f.lane, K_CANCEL, 0, 0, -1,
		     "wait_for: no result after %gs: cancelling %s", w->timeout, w->child->label);
	future_cancel(rt, w->child, 0);
}

/* A coroutine becomes a task, a future stays itself: asyncio.ensure_future. */
static bool ensure_future(struct runtime *rt, struct value v, const char *fn, int line,
			  struct future **out, struct value *err)
{
	if (v.kind == V_FUTURE) {
		*out = fut_ref((struct future *)v.o);
		return true;
	}
	if (v.kind == V_CORO) {
		struct task *t = task_new(rt, v, NULL, err);
		if (!t)
			return false;
		*out = fut_ref(&t->f); /* the caller's, beside the runtime's own */
		return true;
	}
	*err = value_exc("TypeError", line, "%s() needs a coroutine, a task or a job, not %s", fn,
			 value_type_name(v));
	return false;
}

static bool wait_for(struct runtime *rt, void *owner, struct value *args, int line, struct value *out)
{
	double timeout = -1;
	if (args[1].kind != V_NONE && !value_number(args[1], &timeout)) {
		*out = value_exc("TypeError", line, "wait_for() takes a timeout in seconds, not %s",
				 value_type_name(args[1]));
		return false;
	}
	if (args[1].kind != V_NONE && timeout < 0)
		timeout = 0; /* already past: it times out at once */
	struct future *child;
	if (!ensure_future(rt, args[0], "wait_for", line, &child, out))
		return false;
	if (args[1].kind == V_NONE) {
		*out = (struct value){.kind = V_FUTURE, .o = &child->h};
		return true;
	}
	struct waitfor *w = xcalloc(1, sizeof(*w));
	future_init(rt, &w->f, FUT_WAITFOR, waitfor_destroy);
	w->child = child;
	w->timeout = timeout;
	w->f.lane = owner_lane(rt, owner);
	struct buf label = {0};
	buf_printf(&label, "wait_for(%s, %g)", child->label, timeout);
	w->f.label = buf_steal(&label);
	timer_add(rt, clock_now() + timeout * rt->scale, waitfor_timeout, &w->f);
	future_add_waiter(child, waitfor_child_done, &w->f);
	*out = (struct value){.kind = V_FUTURE, .o = &w->f.h};
	return true;
}

/* --- wait ----------------------------------------------------------------- */

enum return_when { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION };

struct waitset {
	struct future f;
	struct value children;   /* the futures waited for */
	struct value done_order; /* those finished, in the order they finished */
	enum return_when when;
	bool any_failed;
	bool *seen; /* seen[i]: child i's callback has run */
};

static void waitset_destroy(struct obj *o)
{
	struct waitset *w = (struct waitset *)o;
	value_unref(w->children);
	value_unref(w->done_order);
	free(w->seen);
	future_fini(&w->f);
	free(w);
}

/* (done, pending) as two lists; Python's are sets, in no particular order.
 * Done lists the children in the order they finished, then any that
 * finished in this same pass but whose callback has not run yet. */
static void waitset_finish(struct waitset *w)
{
	struct list_obj *all = value_as_list(w->children);
	struct value done = value_list(all->n), pending = value_list(all->n);
	struct list_obj *seen = value_as_list(w->done_order);
	for (size_t i = 0; i < seen->n; i++)
		value_list_push(done, value_ref(seen->items[i]));
	for (size_t i = 0; i < all->n; i++) {
		struct future *c = (struct future *)all->items[i].o;
		if (c->state == FS_PENDING)
			value_list_push(pending, value_ref(all->items[i]));
		else if (!w->seen[i])
			value_list_push(done, value_ref(all->items[i]));
	}
	struct value pair = value_list(2);
	value_list_push(pair, done);
	value_list_push(pair, pending);
	future_finish(&w->f, FS_DONE, pair);
}

/* A child finished; @tag is its index. */
static void waitset_child_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct waitset *w = (struct waitset *)f;
	struct list_obj *all = value_as_list(w->children);
	struct future *c = (struct future *)all->items[tag].o;
	value_list_push(w->done_order, value_ref(all->items[tag]));
	w->seen[tag] = true;
	w->any_failed |= c->state == FS_FAILED;
	if (w->f.state != FS_PENDING)
		return;
	size_t ndone = value_as_list(w->done_order)->n;
	if (ndone == all->n || w->when == FIRST_COMPLETED || (w->when == FIRST_EXCEPTION && w->any_failed))
		waitset_finish(w);
}

static void waitset_timeout(struct runtime *rt, struct future *f, size_t tag)
{
	struct waitset *w = (struct waitset *)f;
	if (w->f.state == FS_PENDING)
		waitset_finish(w);
}

static bool wait_any(struct runtime *rt, void *owner, struct value *args, int line, struct value *out)
{
	if (args[0].kind != V_LIST) {
		*out = value_exc("TypeError", line, "wait() takes a list of tasks, not %s", value_type_name(args[0]));
		return false;
	}
	struct list_obj *l = value_as_list(args[0]);
	if (l->n == 0) {
		*out = value_exc("ValueError", line, "Set of Tasks/Futures is empty.");
		return false;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->items[i].kind == V_CORO) {
			/* Python 3.11 refuses coroutines here, unlike gather(). */
			*out = value_exc("TypeError", line, "Passing coroutines is forbidden, use tasks explicitly.");
			return false;
		}
		if (l->items[i].kind != V_FUTURE) {
			*out = value_exc("TypeError", line, "wait() takes tasks or jobs, not %s",
					 value_type_name(l->items[i]));
			return false;
		}
	}
	enum return_when when = ALL_COMPLETED;
	if (args[1].kind == V_STR) {
		const char *s = value_as_str(args[1])->s;
		when = !strcmp(s, "FIRST_COMPLETED") ? FIRST_COMPLETED
		       : !strcmp(s, "FIRST_EXCEPTION") ? FIRST_EXCEPTION : ALL_COMPLETED;
		if (when == ALL_COMPLETED && strcmp(s, "ALL_COMPLETED") != 0) {
			*out = value_exc("ValueError", line, "Invalid return_when value: %s", s);
			return false;
		}
	} else if (args[1].kind != V_NONE) {
		*out = value_exc("ValueError", line, "Invalid return_when value");
		return false;
	}
	double timeout = -1;
	if (args[2].kind != V_NONE && !value_number(args[2], &timeout)) {
		*out = value_exc("TypeError", line, "wait() takes a timeout in seconds, not %s",
				 value_type_name(args[2]));
		return false;
	}
	if (args[2].kind != V_NONE && timeout < 0)
		timeout = 0;
	struct waitset *w = xcalloc(1, sizeof(*w));
	future_init(rt, &w->f, FUT_WAIT, waitset_destroy);
	w->children = value_list(l->n);
	w->done_order = value_list(l->n);
	w->seen = xcalloc(l->n, sizeof(*w->seen));
	w->when = when;
	w->f.lane = owner_lane(rt, owner);
	struct buf label = {0};
	static const char *const names[] = {"ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"};
	buf_printf(&label, "wait(%zu, %s)", l->n, names[when]);
	w->f.label = buf_steal(&label);
	/* Python makes a set of them: each future once. */
	for (size_t i = 0; i < l->n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup && l->n <= 4096; k++)
			dup = l->items[k].o == l->items[i].o;
		if (!dup)
			value_list_push(w->children, value_ref(l->items[i]));
	}
	struct list_obj *kids = value_as_list(w->children);
	for (size_t i = 0; i < kids->n; i++)
		future_add_waiter_tagged((struct future *)kids->items[i].o, waitset_child_done, &w->f, i);
	if (timeout >= 0)
		timer_add(rt, clock_now() + timeout * rt->scale, waitset_timeout, &w->f);
	*out = (struct value){.kind = V_FUTURE, .o = &w->f.h};
	return true;
}

/* --- Semaphore -------------------------------------------------------------- */

struct semaphore {
	struct future f;
	int64_t value;
	struct value waiters; /* futures of the tasks waiting, first come first */
};

static void semaphore_destroy(struct obj *o)
{
	struct semaphore *s = (struct semaphore *)o;
	value_unref(s->waiters);
	future_fini(&s->f);
	free(s);
}

static bool semaphore_new(struct runtime *rt, struct value *args, int line, struct value *out)
{
	int64_t n = 1;
	if (args[0].kind != V_INT && args[0].kind != V_NONE) {
		*out = value_exc("TypeError", line, "semaphore() takes a whole number, not %s", value_type_name(args[0]));
		return false;
	}
	if (args[0].kind == V_INT)
		n = args[0].i;
	if (n < 0) {
		*out = value_exc("ValueError", line, "Semaphore initial value must be >= 0");
		return false;
	}
	struct semaphore *s = xcalloc(1, sizeof(*s));
	future_init(rt, &s->f, FUT_SEM, semaphore_destroy);
	s->value = n;
	s->waiters = value_list(4);
	struct buf label = {0};
	buf_printf(&label, "semaphore(%lld)", (long long)n);
	s->f.label = buf_steal(&label);
	*out = (struct value){.kind = V_RTOBJ, .o = &s->f.h};
	return true;
}

/* Drops waiters whose future is done (cancelled); returns how many wait. */
static size_t semaphore_prune(struct semaphore *s)
{
	struct list_obj *l = value_as_list(s->waiters);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (((struct future *)l->items[i].o)->state == FS_PENDING)
			l->items[w++] = l->items[i];
		else
			value_unref(l->items[i]);
	}
	l->n = w;
	return w;
}

static int semaphore_acquire(struct runtime *rt, void *owner, struct semaphore *s, int line,
			     struct value *out)
{
	if (s->value > 0 && semaphore_prune(s) == 0) {
		s->value--;
		return 0; /* free: no yield, as in asyncio */
	}
	struct future *w = xcalloc(1, sizeof(*w));
	future_init(rt, w, FUT_PLAIN, plain_future_destroy);
	struct buf label = {0};
	buf_printf(&label, "%s (%zu waiting before)", s->f.label, semaphore_prune(s));
	w->label = buf_steal(&label);
	w->lane = owner_lane(rt, owner);
	value_list_push(s->waiters, fut_value(w));
	*out = (struct value){.kind = V_FUTURE, .o = &w->h};
	(void)line;
	return 1;
}

/* Hands the unit to the first task still waiting, or puts it back. */
static void semaphore_release(struct semaphore *s)
{
	struct list_obj *l = value_as_list(s->waiters);
	for (size_t i = 0; i < l->n; i++) {
		struct future *w = (struct future *)l->items[i].o;
		if (w->state == FS_PENDING) {
			future_finish(w, FS_DONE, value_none());
			semaphore_prune(s);
			return;
		}
	}
	s->value++;
}

/* --- TaskGroup -------------------------------------------------------------- */

struct group {
	struct future f;
	struct task *parent;
	struct value tasks;  /* every task created in the group */
	struct value errors; /* exceptions of tasks that failed */
	size_t live;
	bool entered, exiting, aborting, parent_cancel_requested;
	struct future *exit_fut; /* what __aexit__ waits for */
	struct value base_error; /* a CancelledError to pass on, when cancelled from outside */
};

static void group_destroy(struct obj *o)
{
	struct group *g = (struct group *)o;
	value_unref(g->tasks);
	value_unref(g->errors);
	value_unref(g->base_error);
	fut_unref(g->exit_fut);
	future_fini(&g->f);
	free(g);
}

static void group_abort(struct runtime *rt, struct group *g, int line)
{
	g->aborting = true;
	struct list_obj *l = value_as_list(g->tasks);
	for (size_t i = 0; i < l->n; i++) {
		struct future *t = (struct future *)l->items[i].o;
		if (t->state == FS_PENDING)
			task_cancel(rt, (struct task *)t, line);
	}
}

/* __aexit__ is over once every task has finished. */
static void group_maybe_exit(struct runtime *rt, struct group *g)
{
	if (!g->exiting || g->live > 0 || !g->exit_fut || g->exit_fut->state != FS_PENDING)
		return;
	struct list_obj *errors = value_as_list(g->errors);
	if (errors->n) {
		struct buf inner = {0};
		for (size_t i = 0; i < errors->n; i++) {
			buf_puts(&inner, i ? "; " : "");
			exc_text(&inner, errors->items[i]);
		}
		timeline_add(rt->tl, clock_now(), g->f.lane, K_ERROR, 0, 0, -1, "%s: %s", g->f.label, inner.data);
		buf_free(&inner);
		future_finish(g->exit_fut, FS_FAILED,
			      value_exc("ExceptionGroup", 0, "unhandled errors in a TaskGroup (%zu sub-exception%s)",
					errors->n, errors->n == 1 ? "" : "s"));
	} else if (g->base_error.kind == V_EXC) {
		future_finish(g->exit_fut, FS_FAILED, value_ref(g->base_error));
	} else {
		future_finish(g->exit_fut, FS_DONE, value_none());
	}
}

static void group_task_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct task *t = (struct task *)f;
	struct group *g = t->group;
	if (!g)
		return;
	g->live--;
	if (f->state == FS_FAILED) {
		value_list_push(g->errors, value_ref(f->result));
		if (!g->aborting) {
			timeline_add(rt->tl, clock_now(), g->f.lane, K_CANCEL, 0, 0, -1,
				     "%s: %s failed, cancelling the others", g->f.label, f->label);
			group_abort(rt, g, 0);
			/* Interrupt the body of the async with, unless it already waits at its end. */
			if (!g->exiting && g->parent && g->parent->f.state == FS_PENDING) {
				g->parent_cancel_requested = true;
				task_cancel(rt, g->parent, 0);
			}
		}
	}
	group_maybe_exit(rt, g);
}

static bool group_new(struct runtime *rt, struct value *out)
{
	struct group *g = xcalloc(1, sizeof(*g));
	future_init(rt, &g->f, FUT_GROUP, group_destroy);
	g->tasks = value_list(4);
	g->errors = value_list(0);
	g->base_error = value_none();
	g->f.label = xstrdup("taskgroup");
	*out = (struct value){.kind = V_RTOBJ, .o = &g->f.h};
	return true;
}

static bool group_create_task(struct runtime *rt, struct group *g, struct value coro, int line,
			      struct value *out)
{
	if (!g->entered) {
		*out = value_exc("RuntimeError", line, "TaskGroup has not been entered");
		return false;
	}
	if (g->exit_fut && g->exit_fut->state != FS_PENDING) {
		*out = value_exc("RuntimeError", line, "TaskGroup is finished");
		return false;
	}
	if (g->aborting) {
		*out = value_exc("RuntimeError", line, "TaskGroup is shutting down");
		return false;
	}
	if (coro.kind != V_CORO) {
		*out = value_exc("TypeError", line, "create_task() needs a coroutine, like create_task(fetch(1)), not %s",
				 value_type_name(coro));
		return false;
	}
	struct task *t = task_new(rt, coro, NULL, out);
	if (!t)
		return false;
	t->group = g;
	g->live++;
	value_list_push(g->tasks, fut_value(&t->f));
	future_add_waiter(&t->f, group_task_done, &t->f);
	timeline_add(rt->tl, clock_now(), g->f.lane, K_SPAWN, line, 0, -1, "%s.create_task: %s", g->f.label,
		     t->f.label);
	*out = fut_value(&t->f);
	return true;
}

/* --- the runtime's entry points ---------------------------------------------- */

bool primitives_cancel(struct runtime *rt, struct future *f, int line)
{
	switch (f->kind) {
	case FUT_WAITFOR: {
		struct waitfor *w = (struct waitfor *)f;
		w->cancel_requested = true;
		if (!future_cancel(rt, w->child, line))
			future_finish(f, FS_CANCELLED, cancelled_error(line));
		return true;
	}
	case FUT_WAIT:
		/* Cancelling a wait leaves the tasks it waits for alone. */
		future_finish(f, FS_CANCELLED, cancelled_error(line));
		return true;
	default:
		return false;
	}
}

bool runtime_builtin(struct runtime *rt, void *owner, enum builtin builtin, struct value *args,
		     int nargs, int line, struct value *out)
{
	(void)nargs;
	switch (builtin) {
	case B_WAIT_FOR:
		return wait_for(rt, owner, args, line, out);
	case B_WAIT:
		return wait_any(rt, owner, args, line, out);
	case B_SEMAPHORE:
		return semaphore_new(rt, args, line, out);
	case B_TASKGROUP:
		return group_new(rt, out);
	case B_LOCAL_SERVER:
		return runtime_local_server(rt, line, out);
	default:
		*out = value_exc("SystemError", line, "not a runtime built-in");
		return false;
	}
}

bool runtime_method(struct runtime *rt, void *owner, struct value base, const char *name,
		    struct value *args, int nargs, int line, struct value *out)
{
	struct future *f = (struct future *)base.o;
	if (f->kind == FUT_GROUP) {
		if (!strcmp(name, "create_task") && nargs == 1)
			return group_create_task(rt, (struct group *)f, args[0], line, out);
		*out = value_exc("AttributeError", line, "'TaskGroup' object has no method '%s' with %d argument%s",
				 name, nargs, nargs == 1 ? "" : "s");
		return false;
	}
	if (f->kind == FUT_SEM || nargs != 0) {
		*out = value_exc("AttributeError", line, "'%s' object has no method '%s' with %d argument%s",
				 f->kind == FUT_SEM ? "Semaphore" : "Task", name, nargs, nargs == 1 ? "" : "s");
		return false;
	}
	if (!strcmp(name, "done")) {
		*out = value_bool(f->state != FS_PENDING);
		return true;
	}
	if (!strcmp(name, "cancelled")) {
		*out = value_bool(f->state == FS_CANCELLED);
		return true;
	}
	if (!strcmp(name, "cancel")) {
		if (f->state == FS_PENDING)
			timeline_add(rt->tl, clock_now(), owner_lane(rt, owner), K_CANCEL, line, 0, -1, "cancel %s", f->label);
		*out = value_bool(future_cancel(rt, f, line));
		return true;
	}
	if (f->state == FS_PENDING && (!strcmp(name, "result") || !strcmp(name, "exception"))) {
		*out = value_exc("InvalidStateError", line, "Result is not set.");
		return false;
	}
	if (!strcmp(name, "result")) {
		*out = value_ref(f->result);
		return f->state == FS_DONE;
	}
	if (!strcmp(name, "exception")) {
		if (f->state == FS_CANCELLED) {
			*out = value_ref(f->result);
			return false;
		}
		*out = f->state == FS_FAILED ? value_ref(f->result) : value_none();
		return true;
	}
	*out = value_exc("AttributeError", line, "'Task' object has no attribute '%s'", name);
	return false;
}

struct value runtime_enter_value(struct value ctx)
{
	if (ctx.kind == V_RTOBJ && ((struct future *)ctx.o)->kind == FUT_GROUP)
		return value_ref(ctx);
	return value_none();
}

int runtime_enter(struct runtime *rt, void *owner, struct value ctx, int line, struct value *out)
{
	struct future *f = ctx.kind == V_RTOBJ ? (struct future *)ctx.o : NULL;
	if (f && f->kind == FUT_SEM)
		return semaphore_acquire(rt, owner, (struct semaphore *)f, line, out);
	if (f && f->kind == FUT_GROUP) {
		struct group *g = (struct group *)f;
		if (g->entered) {
			*out = value_exc("RuntimeError", line, "TaskGroup has already been entered");
			return -1;
		}
		g->entered = true;
		g->parent = owner;
		g->f.lane = owner_lane(rt, owner);
		return 0;
	}
	*out = value_exc("TypeError", line, "'%s' object does not support the asynchronous context manager "
			 "protocol (async with takes a semaphore() or a taskgroup())", value_type_name(ctx));
	return -1;
}

int runtime_exit(struct runtime *rt, void *owner, struct value ctx, struct value exc, int line,
		 struct value *out)
{
	struct future *f = (struct future *)ctx.o;
	if (f->kind == FUT_SEM) {
		semaphore_release((struct semaphore *)f);
		return 0;
	}
	struct group *g = (struct group *)f;
	g->exiting = true;
	if (exc.kind == V_EXC) {
		bool cancelled = !strcmp(value_as_exc(exc)->type, "CancelledError");
		if (cancelled && g->parent_cancel_requested) {
			/* Our own doing, to stop the body: swallowed. */
		} else if (cancelled) {
			value_unref(g->base_error);
			g->base_error = value_ref(exc);
		} else {
			value_list_push(g->errors, value_ref(exc));
		}
		if (!g->aborting)
			group_abort(rt, g, line);
	}
	g->exit_fut = xcalloc(1, sizeof(*g->exit_fut));
	future_init(rt, g->exit_fut, FUT_PLAIN, plain_future_destroy);
	g->exit_fut->label = xstrdup("the end of the taskgroup");
	g->exit_fut->lane = owner_lane(rt, owner);
	group_maybe_exit(rt, g);
	*out = fut_value(g->exit_fut);
	return 1;
}
