/* Observing the loop: every callback it runs and every task it steps.
 *
 * asyncio's _run_once takes each callback from loop._ready, a deque; the
 * bootstrap gives the observed loop a ReadyQueue instead, a deque whose
 * append and popleft also tell us what happens:
 *
 *   call_soon(task.__step)   ─ append ─▶  K_READY on the task's lane
 *   _run_once: popleft()     ─────────▶  the previous step ends (K_YIELD
 *                                         with the line it waits at, or
 *                                         K_EXIT with its result), and
 *                                         this one begins (K_STEP)
 *   selector.select()        ─ wait ──▶  the pass ends; its length and
 *                                         its steps feed the loop's health
 *
 * Nothing is scheduled, reordered or retrieved: the task's state is read
 * from its fields (_state, _exception), never through result() or
 * exception(), so "Task exception was never retrieved" still appears when
 * it should. */
#include "obs.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "loop/evloop.h"

struct observer obs = { .chan = { -1, -1 }, .main_lane = -1, .loop_lane = -1 };

static PyObject *task_types;  /* (_asyncio.Task, asyncio.tasks._PyTask) */
static PyObject *asyncio_dir; /* tasks whose coroutine is asyncio's own run on the loop's lane */

static PyObject *held_type, *held_value, *held_tb; /* see obs_clear() */

void obs_clear(void)
{
	if (!PyErr_Occurred())
		return;
	if (!held_type && !PyErr_ExceptionMatches(PyExc_Exception))
		PyErr_Fetch(&held_type, &held_value, &held_tb);
	else
		PyErr_Clear();
}

bool obs_raise_held(void)
{
	if (!held_type)
		return false;
	PyErr_Restore(held_type, held_value, held_tb);
	held_type = held_value = held_tb = NULL;
	return true;
}

/* The names obs_attr() has made into strings, by their C strings'
 * addresses: open addressing over a table that grows. */
static struct name_slot {
	const char *key;
	PyObject *name;
} * attr_names;
static size_t names_cap, names_len;

/* The slot of @key in a table of @cap slots: its own, or the empty one
 * where it goes. */
static struct name_slot *probe(struct name_slot *table, size_t cap, const char *key)
{
	size_t i = ((uintptr_t)key >> 3) & (cap - 1);
	while (table[i].key && table[i].key != key)
		i = (i + 1) & (cap - 1);
	return &table[i];
}

static PyObject *interned(const char *name)
{
	struct name_slot *slot = names_cap ? probe(attr_names, names_cap, name) : NULL;
	if (slot && slot->key)
		return slot->name;
	PyObject *str = PyUnicode_InternFromString(name);
	if (!str)
		return NULL;
	if (2 * (names_len + 1) > names_cap) {
		size_t cap = names_cap ? 2 * names_cap : 64;
		struct name_slot *t = xcalloc(cap, sizeof(*t));
		for (size_t k = 0; k < names_cap; k++)
			if (attr_names[k].key)
				*probe(t, cap, attr_names[k].key) = attr_names[k];
		free(attr_names);
		attr_names = t;
		names_cap = cap;
	}
	slot = probe(attr_names, names_cap, name);
	if (slot->key) {
		Py_DECREF(str); /* made meanwhile, in a collection's finalizer */
		return slot->name;
	}
	*slot = (struct name_slot){ name, str };
	names_len++;
	return str;
}

static void names_free(void)
{
	for (size_t i = 0; i < names_cap; i++)
		Py_XDECREF(attr_names[i].name);
	free(attr_names);
	attr_names = NULL;
	names_cap = names_len = 0;
}

PyObject *obs_attr(PyObject *o, const char *name)
{
	PyObject *str = interned(name), *v = NULL;
	/* One that is not there is NULL without an AttributeError made. */
	if (str)
		(void)_PyObject_LookupAttr(o, str, &v);
	return v;
}

PyObject *obs_call0(PyObject *o, const char *name)
{
	PyObject *str = interned(name);
	return str ? PyObject_CallMethodNoArgs(o, str) : NULL;
}

PyObject *obs_then_held(PyObject *r)
{
	if (r && obs_raise_held())
		Py_CLEAR(r);
	return r;
}

PyObject *obs_method(PyMethodDef *def)
{
	PyObject *f = PyCFunction_New(def, NULL);
	PyObject *m = f ? PyInstanceMethod_New(f) : NULL;
	Py_XDECREF(f);
	return m;
}

int obs_loop_cpu(double *seconds)
{
	clockid_t id;
	struct timespec ts;
	if (pthread_getcpuclockid((pthread_t)obs.loop_ident, &id) != 0 ||
	    clock_gettime(id, &ts) != 0)
		return -1;
	*seconds = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	return 0;
}
static PyObject *deque_append, *deque_popleft;

double obs_now(void)
{
	return clock_real_now() - obs.start;
}

static void add_event(int lane, enum tl_kind kind, int line, int job, double dur, const char *fmt,
                      ...) ATTR_PRINTF(6, 7);

static void add_event(int lane, enum tl_kind kind, int line, int job, double dur, const char *fmt,
                      ...)
{
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	timeline_add(obs.tl, clock_real_now(), lane, kind, line, job, dur, "%s",
	             b.data ? b.data : "");
	buf_free(&b);
}

/* ---- lanes ---- */

int obs_thread_lane(void)
{
	PyObject *lanes = obs.thread_lanes;
	if (!lanes)
		return obs.main_lane;
	PyObject *key = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
	PyObject *v = key ? PyDict_GetItemWithError(lanes, key) : NULL;
	int lane = obs.main_lane;
	if (v) {
		lane = (int)PyLong_AsLong(v);
	} else if (key && !PyErr_Occurred()) {
		PyObject *threading = PyImport_ImportModule("threading");
		PyObject *t = threading ? obs_call0(threading, "current_thread") : NULL;
		PyObject *name = t ? obs_attr(t, "name") : NULL;
		const char *s = name ? PyUnicode_AsUTF8(name) : NULL;
		lane = timeline_lane(obs.tl, LANE_THREAD, s ? s : "thread");
		PyObject *lv = PyLong_FromLong(lane);
		if (lv)
			PyDict_SetItem(lanes, key, lv);
		Py_XDECREF(lv);
		Py_XDECREF(name);
		Py_XDECREF(t);
		Py_XDECREF(threading);
	}
	obs_clear();
	Py_XDECREF(key);
	return lane;
}

/* The lane of @task, registered when it was created, or -1. */
static int task_lane(PyObject *task)
{
	PyObject *key = PyLong_FromVoidPtr(task);
	PyObject *v = key ? PyDict_GetItemWithError(obs.lanes, key) : NULL;
	int lane = -1;
	/* The weak reference tells a live task from one at a reused address. */
	if (v && PyWeakref_GetObject(PyTuple_GET_ITEM(v, 1)) == task)
		lane = (int)PyLong_AsLong(PyTuple_GET_ITEM(v, 0));
	obs_clear();
	Py_XDECREF(key);
	return lane;
}

static void forget_task(PyObject *task)
{
	PyObject *key = PyLong_FromVoidPtr(task);
	if (key && PyDict_DelItem(obs.lanes, key) < 0)
		obs_clear();
	Py_XDECREF(key);
}

static int new_task_lane(PyObject *task, const char *label)
{
	int lane = timeline_lane(obs.tl, LANE_TASK, label);
	PyObject *key = PyLong_FromVoidPtr(task), *ref = PyWeakref_NewRef(task, NULL);
	PyObject *v = key && ref ? Py_BuildValue("(iO)", lane, ref) : NULL;
	if (!v || PyDict_SetItem(obs.lanes, key, v) < 0)
		obs_clear();
	Py_XDECREF(v);
	Py_XDECREF(ref);
	Py_XDECREF(key);
	obs.ntasks++;
	return lane;
}

/* ---- source lines ---- */

static bool in_library(PyObject *filename)
{
	if (!PyUnicode_Check(filename))
		return true;
	if (PyUnicode_READ_CHAR(filename, 0) == '<')
		return true;
	for (Py_ssize_t i = 0; obs.libdirs && i < PyTuple_GET_SIZE(obs.libdirs); i++)
		if (PyUnicode_Tailmatch(filename, PyTuple_GET_ITEM(obs.libdirs, i), 0,
		                        PY_SSIZE_T_MAX, -1) == 1)
			return true;
	return false;
}

/* A frame's line; a frame read while its thread runs (the sampler reads
 * the loop thread's) can be at an instruction of no line: -1, which is
 * none. */
static int frame_line(PyFrameObject *f)
{
	int line = PyFrame_GetLineNumber(f);
	return line > 0 ? line : 0;
}

static PyObject *source_line(PyObject *filename, int line)
{
	if (!obs.linecache)
		return NULL; /* Python ends: observation has stopped */
	PyObject *key = Py_BuildValue("(Oi)", filename, line);
	if (!key)
		return NULL;
	PyObject *text = PyDict_GetItemWithError(obs.linecache, key);
	if (text) {
		Py_INCREF(text);
	} else if (!PyErr_Occurred() && obs.getline) {
		PyObject *raw = PyObject_CallFunction(obs.getline, "Oi", filename, line);
		text = raw ? obs_call0(raw, "strip") : NULL;
		Py_XDECREF(raw);
		if (text && PyDict_SetItem(obs.linecache, key, text) < 0)
			obs_clear();
	}
	Py_DECREF(key);
	return text;
}

PyObject *obs_program_line(PyObject *frame, int *line)
{
	*line = 0;
	Py_XINCREF(frame);
	while (frame && frame != Py_None) {
		PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
		bool lib = in_library(code->co_filename);
		if (!lib) {
			*line = frame_line((PyFrameObject *)frame);
			PyObject *text = source_line(code->co_filename, *line);
			Py_DECREF(code);
			Py_DECREF(frame);
			if (!text)
				obs_clear();
			return text;
		}
		Py_DECREF(code);
		PyObject *back = (PyObject *)PyFrame_GetBack((PyFrameObject *)frame);
		Py_DECREF(frame);
		frame = back;
	}
	Py_XDECREF(frame);
	return NULL;
}

int obs_current_line(void)
{
	int line = 0;
	Py_XDECREF(obs_program_line((PyObject *)PyEval_GetFrame(), &line));
	return line;
}

/* The primitive of asyncio that a coroutine of its library waits on, from
 * the coroutine's @qualname and the type of its frame's self: W_NONE if it
 * is none. Says it in words into @b ("a BoundedSemaphore", "an item of a
 * PriorityQueue"); `async with` goes through the mixin's __aenter__, whose
 * self is the Lock, Semaphore or Condition itself. */
static enum tl_wait sync_wait(PyObject *frame, const char *qualname, struct buf *b)
{
	static const char *const methods[] = {
		"_ContextManagerMixin.__aenter__",
		"Lock.acquire",
		"Semaphore.acquire",
		"Event.wait",
		"Condition.wait",
		"Condition.wait_for",
		"Queue.get",
		"Queue.put",
		"Queue.join",
		"Barrier.wait",
	};
	static const struct {
		const char *type;
		enum tl_wait wait;
	} types[] = {
		{ "Lock", W_LOCK },   { "Semaphore", W_SEMAPHORE },
		{ "Event", W_EVENT }, { "Condition", W_CONDITION },
		{ "Queue", W_QUEUE }, { "Barrier", W_BARRIER },
	};
	bool known = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]) && !known; i++)
		known = !strcmp(qualname, methods[i]);
	if (!known)
		return W_NONE;
	enum tl_wait w = W_NONE;
	PyObject *locals = PyFrame_GetLocals((PyFrameObject *)frame);
	PyObject *self = locals ? PyMapping_GetItemString(locals, "self") : NULL;
	obs_clear();
	PyObject *mro = self ? Py_TYPE(self)->tp_mro : NULL;
	for (Py_ssize_t i = 0; mro && PyTuple_Check(mro) && i < PyTuple_GET_SIZE(mro) && !w; i++) {
		PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
		PyObject *mod = obs_attr((PyObject *)t, "__module__");
		const char *m = mod && PyUnicode_Check(mod) ? PyUnicode_AsUTF8(mod) : NULL;
		bool ours = m && (!strcmp(m, "asyncio.locks") || !strcmp(m, "asyncio.queues"));
		for (size_t k = 0; ours && k < sizeof(types) / sizeof(types[0]) && !w; k++)
			if (!strcmp(t->tp_name, types[k].type))
				w = types[k].wait;
		Py_XDECREF(mod);
		obs_clear();
	}
	if (w) {
		const char *name = Py_TYPE(self)->tp_name;
		const char *dot = strrchr(name, '.');
		name = dot ? dot + 1 : name;
		const char *article = strchr("AEIOU", name[0]) ? "an" : "a";
		/* In English in the event, as every note (timeline.c translates
		 * them where shown). */
		if (w == W_QUEUE && !strcmp(qualname, "Queue.get"))
			buf_printf(b, "an item of %s %s", article, name);
		else if (w == W_QUEUE && !strcmp(qualname, "Queue.put"))
			buf_printf(b, "room in %s %s", article, name);
		else if (w == W_QUEUE)
			buf_printf(b, "the tasks of %s %s to be done", article, name);
		else
			buf_printf(b, "%s %s", article, name);
	}
	Py_XDECREF(self);
	Py_XDECREF(locals);
	return w;
}

/* What a task waits for, in words: from the first coroutine of a library
 * that the program awaits along its chain of awaits (@qualname), or else
 * from the future it waits on; NULL if it cannot be told. */
static const char *awaited_thing(const char *qualname, PyObject *task, struct buf *b)
{
	static const struct {
		const char *qualname, *what;
	} known[] = {
		{ "sleep", "asyncio.sleep" },
		{ "Lock.acquire", "a Lock" },
		{ "Semaphore.acquire", "a Semaphore" },
		{ "Event.wait", "an Event" },
		{ "Condition.wait", "a Condition" },
		{ "Condition.wait_for", "a Condition" },
		{ "Queue.get", "a Queue (get)" },
		{ "Queue.put", "a Queue (put)" },
		{ "Queue.join", "a Queue (join)" },
		{ "Barrier.wait", "a Barrier" },
		{ "to_thread", "a job in a thread" },
		{ "wait_for", "asyncio.wait_for" },
		{ "wait", "asyncio.wait" },
		{ "_wait", "asyncio.wait" },
		{ "as_completed.<locals>._wait_for_one", "asyncio.as_completed" },
		{ "TaskGroup.__aexit__", "the tasks of its TaskGroup" },
		{ "shield", "asyncio.shield" },
	};
	if (qualname) {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(qualname, known[i].qualname)) {
				buf_puts(b, known[i].what);
				return b->data;
			}
		if (strstr(qualname, "Stream") || !strncmp(qualname, "open_connection", 15) ||
		    strstr(qualname, "sock_"))
			buf_puts(b, "I/O");
		else
			buf_puts(b, qualname);
		return b->data;
	}
	/* The program awaits a future itself: a task, gather's, or another. */
	PyObject *w = obs_attr(task, "_fut_waiter");
	if (w && w != Py_None) {
		int lane = PyObject_IsInstance(w, task_types) == 1 ? task_lane(w) : -1;
		if (lane >= 0)
			buf_puts(b, timeline_lane_name(obs.tl, lane));
		else if (!strcmp(Py_TYPE(w)->tp_name, "_GatheringFuture"))
			buf_puts(b, "asyncio.gather");
	}
	obs_clear();
	Py_XDECREF(w);
	return b->len ? b->data : NULL;
}

/* Whether the program's line names what it waits for already. */
static bool line_says(const char *line, const char *what)
{
	static const char *const words[][2] = {
		{ "asyncio.sleep", "sleep(" },
		{ "asyncio.gather", "gather(" },
		{ "asyncio.wait_for", "wait_for(" },
		{ "asyncio.wait", "wait(" },
		{ "a job in a thread", "to_thread(" },
		{ "asyncio.as_completed", "as_completed(" },
		{ "asyncio.shield", "shield(" },
		{ "the tasks of its TaskGroup", "TaskGroup(" },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(what, words[i][0]))
			return strstr(line, words[i][1]) != NULL;
	return false;
}

/* Where a suspended task waits: the innermost coroutine frame of the
 * program along the chain of awaits; *@what is what it waits for, in
 * words, when the line does not say it (malloc'ed, or NULL). */
static PyObject *suspended_line(PyObject *task, int *line, char **what, enum tl_wait *waits)
{
	*line = 0;
	*what = NULL;
	*waits = W_NONE;
	struct buf sync = { 0 }; /* the primitive it waits on, in words */
	PyObject *obj = obs_call0(task, "get_coro");
	PyObject *best = NULL;
	int best_line = 0;
	char *lib_qualname = NULL; /* the library's coroutine the program awaits */
	for (int depth = 0; obj && obj != Py_None && depth < 64; depth++) {
		PyObject *frame = obs_attr(obj, "cr_frame");
		if (!frame) {
			obs_clear();
			frame = obs_attr(obj, "gi_frame");
		}
		if (frame && frame != Py_None) {
			PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
			if (!in_library(code->co_filename)) {
				free(lib_qualname);
				lib_qualname = NULL;
				*waits = W_NONE;
				buf_clear(&sync);
				Py_XDECREF(best);
				best_line = frame_line((PyFrameObject *)frame);
				best = source_line(code->co_filename, best_line);
				if (!best)
					obs_clear();
			} else if (!lib_qualname) {
				/* The first of the library's coroutines the program awaits. */
				const char *q = PyUnicode_Check(code->co_qualname)
				                        ? PyUnicode_AsUTF8(code->co_qualname)
				                        : NULL;
				lib_qualname = q ? xstrdup(q) : NULL;
				if (q)
					*waits = sync_wait(frame, q, &sync);
			}
			Py_DECREF(code);
		}
		Py_XDECREF(frame);
		obs_clear();
		PyObject *next = obs_attr(obj, "cr_await");
		if (!next) {
			obs_clear();
			next = obs_attr(obj, "gi_yieldfrom");
		}
		obs_clear();
		Py_DECREF(obj);
		obj = next;
	}
	Py_XDECREF(obj);
	obs_clear();
	*line = best_line;
	struct buf b = { 0 };
	const char *w = *waits ? sync.data : awaited_thing(lib_qualname, task, &b);
	const char *src = best ? PyUnicode_AsUTF8(best) : NULL;
	obs_clear();
	if (w && !(src && line_says(src, w)))
		*what = xstrdup(w);
	buf_free(&b);
	buf_free(&sync);
	free(lib_qualname);
	return best;
}

static void short_repr(struct buf *b, PyObject *o, size_t max)
{
	PyObject *r = PyObject_Repr(o);
	const char *s = r ? PyUnicode_AsUTF8(r) : NULL;
	if (!s) {
		obs_clear();
		buf_puts(b, "?");
	} else if (strlen(s) > max) {
		buf_printf(b, "%.*s...", (int)max, s);
	} else {
		buf_puts(b, s);
	}
	Py_XDECREF(r);
}

/* ---- who cancels ---- */

/* Whether @task's cancellation is noted already; notes it if not. */
static bool cancel_noted(PyObject *task)
{
	PyObject *key = PyLong_FromVoidPtr(task);
	int had = key ? PyDict_Contains(obs.cancel_noted, key) : -1;
	if (had == 0 && PyDict_SetItem(obs.cancel_noted, key, Py_True) < 0)
		had = -1;
	obs_clear();
	Py_XDECREF(key);
	return had != 0;
}

static void cancel_forget(PyObject *task)
{
	PyObject *key = PyLong_FromVoidPtr(task);
	if (key && PyDict_DelItem(obs.cancel_noted, key) < 0)
		obs_clear();
	Py_XDECREF(key);
}

/* What runs now on the loop, for "cancelled by ...": the task stepping
 * and the program's line it is at, or the plain callback. */
static void who_runs(struct buf *b)
{
	int line = 0;
	PyObject *text = NULL;
	/* The program's innermost line within the callback that runs: below
	 * asyncio's Handle._run are the loop's frames and asyncio.run's
	 * caller, which did not ask for the cancel. */
	PyFrameObject *f = PyEval_GetFrame(); /* borrowed */
	Py_XINCREF(f);
	while (f) {
		PyCodeObject *code = PyFrame_GetCode(f);
		bool boundary = PyUnicode_Check(code->co_name) &&
		                !PyUnicode_CompareWithASCIIString(code->co_name, "_run") &&
		                in_library(code->co_filename);
		if (!boundary && !in_library(code->co_filename)) {
			line = frame_line(f);
			text = source_line(code->co_filename, line);
		}
		Py_DECREF(code);
		PyFrameObject *back = boundary || text ? NULL : PyFrame_GetBack(f);
		Py_DECREF(f);
		f = back;
	}
	if (!text)
		line = 0;
	const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
	if (obs.step_task) {
		buf_puts(b, timeline_lane_name(obs.tl, obs.step_lane));
	} else if (obs.step_callback) {
		PyObject *q = obs_attr(obs.step_callback, "__qualname__");
		const char *qs = q ? PyUnicode_AsUTF8(q) : NULL;
		buf_printf(b, "%s, a callback on the loop", qs ? qs : "a callback");
		Py_XDECREF(q);
	} else {
		buf_puts(b, timeline_lane_name(obs.tl, obs_current_lane()));
	}
	if (s && *s)
		buf_printf(b, " at line %d: %s", line, s);
	obs_clear();
	Py_XDECREF(text);
}

/* @task, on @lane, was asked to cancel by the code running now. */
static void note_cancel(PyObject *task, int lane, double now, const char *how)
{
	if (cancel_noted(task))
		return;
	struct buf b = { 0 };
	if (!how && task == obs.step_task)
		how = "cancel requested by itself";
	if (how) {
		buf_puts(&b, how);
	} else {
		buf_puts(&b, "cancel requested by ");
		who_runs(&b);
	}
	timeline_add(obs.tl, now, lane, K_CANCEL, 0, 0, -1, "%s", b.data);
	buf_free(&b);
}

/* Whether Task attribute @name is true (False when it cannot be read). */
static bool task_flag(PyObject *task, const char *name)
{
	PyObject *v = obs_attr(task, name);
	bool on = v && PyObject_IsTrue(v) == 1;
	obs_clear();
	Py_XDECREF(v);
	return on;
}

/* Whether the future @task waits for is cancelled: a cancel() of the task
 * cancels it, and the task's wake-up is scheduled from there. */
static bool waiter_cancelled(PyObject *task)
{
	PyObject *w = obs_attr(task, "_fut_waiter");
	bool c = false;
	if (w && w != Py_None) {
		PyObject *r = obs_call0(w, "cancelled");
		c = r == Py_True;
		Py_XDECREF(r);
	}
	obs_clear();
	Py_XDECREF(w);
	return c;
}

/* "cancelled with Task-3 ...": @task's waiter is the task that steps now
 * and was cancelled, so the cancellation propagates (NULL otherwise). */
static const char *awaited_cancelled(PyObject *task)
{
	static char text[256];
	PyObject *w = obs_attr(task, "_fut_waiter");
	bool same = w && obs.step_task && w == obs.step_task;
	obs_clear();
	Py_XDECREF(w);
	if (!same)
		return NULL;
	snprintf(text, sizeof(text), "cancelled with %s, which it awaits",
	         timeline_lane_name(obs.tl, obs.step_lane));
	return text;
}

/* The tasks @task, on @lane, waits for: a task it awaits, or the
 * children of the gather it awaits. */
static void note_waits(PyObject *task, int lane, double t)
{
	PyObject *w = obs_attr(task, "_fut_waiter");
	if (w && w != Py_None) {
		if (PyObject_IsInstance(w, task_types) == 1) {
			int other = task_lane(w);
			if (other >= 0)
				timeline_relate(obs.tl, t, lane, K_WAITS, other, 0, -1, NULL);
		} else if (!strcmp(Py_TYPE(w)->tp_name, "_GatheringFuture")) {
			PyObject *children = obs_attr(w, "_children");
			Py_ssize_t n =
			        children && PyList_Check(children) ? PyList_GET_SIZE(children) : 0;
			for (Py_ssize_t i = 0; i < n; i++) {
				PyObject *c = PyList_GET_ITEM(children, i);
				int other =
				        PyObject_IsInstance(c, task_types) == 1 ? task_lane(c) : -1;
				PyObject *done = other >= 0 ? obs_call0(c, "done") : NULL;
				bool over = done == Py_True;
				Py_XDECREF(done);
				if (other >= 0 && !over)
					timeline_relate(obs.tl, t, lane, K_WAITS, other, 0, -1,
					                NULL);
			}
			Py_XDECREF(children);
		}
	}
	obs_clear();
	Py_XDECREF(w);
}

/* ---- steps ---- */

/* The task @task's step is over: it waits, or it is done. */
static void end_task_step(PyObject *task, int lane, double now)
{
	PyObject *state = obs_attr(task, "_state");
	const char *st = state ? PyUnicode_AsUTF8(state) : NULL;
	if (!st) {
		obs_clear();
		st = "PENDING";
	}
	double t = now;
	if (!strcmp(st, "PENDING")) {
		if (task_flag(task, "_must_cancel"))
			note_cancel(task, lane, t, "cancel requested by itself");
		int line;
		char *what;
		enum tl_wait waits;
		PyObject *text = suspended_line(task, &line, &what, &waits);
		const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
		if (s && *s) {
			struct buf b = { 0 };
			char head[32];
			snprintf(head, sizeof(head), "line %d: ", line);
			buf_puts(&b, head);
			buf_puts(&b, s);
			if (what) {
				buf_puts(&b, "  (waits for ");
				buf_puts(&b, what);
				buf_putc(&b, ')');
			}
			timeline_add_await(obs.tl, t, lane, line, waits, b.data);
			buf_free(&b);
		}
		obs_clear();
		Py_XDECREF(text);
		free(what);
		note_waits(task, lane, t);
		timeline_step(obs.tl, t, lane, K_YIELD, line, -1);
	} else {
		struct buf b = { 0 };
		if (!strcmp(st, "CANCELLED")) {
			timeline_add(obs.tl, t, lane, K_CANCEL, 0, 0, -1, "cancelled");
		} else {
			PyObject *exc = obs_attr(task, "_exception");
			if (exc && exc != Py_None) {
				short_repr(&b, exc, 120);
				timeline_add(obs.tl, t, lane, K_ERROR, 0, 0, -1, "raised %s",
				             b.data);
			} else {
				PyObject *res = obs_attr(task, "_result");
				if (res && res != Py_None) {
					short_repr(&b, res, 60);
					timeline_add(obs.tl, t, lane, K_DONE, 0, 0, -1,
					             "returned %s", b.data);
				} else {
					timeline_add(obs.tl, t, lane, K_DONE, 0, 0, -1, "finished");
				}
				Py_XDECREF(res);
			}
			Py_XDECREF(exc);
			obs_clear();
		}
		buf_free(&b);
		timeline_step(obs.tl, t, lane, K_EXIT, 0, -1);
		forget_task(task);
		if ((size_t)lane < obs.namedcap)
			obs.named[lane] = false; /* the slot may be used again */
		timeline_lane_done(obs.tl, lane);
		obs_io_lane_done(lane);
		cancel_forget(task);
	}
	Py_XDECREF(state);
}

/* Ends the step that runs, if any. */
static void end_step(double now)
{
	if (!obs.stepping)
		return;
	double dur = now - obs.step_start;
	pthread_mutex_lock(&obs.lock);
	obs.step_seq++;
	/* Blocked: a step the sampler said is, or one as long as the threshold
	 * that ended before it could (with the line it read early, if any). */
	bool sampled = obs.sampled_seq == obs.step_seq - 1;
	bool reported = sampled && obs.blocked_reported;
	bool blocked = reported || dur >= obs.slow_real;
	bool cpu_read = obs.cpu_seq == obs.step_seq - 1;
	double cpu_at = obs.cpu_at, cpu_then = obs.cpu_then;
	int bline = sampled ? obs.blocked_line : 0;
	char *what = sampled ? obs.blocked_what : NULL;
	if (sampled)
		obs.blocked_what = NULL;
	obs.blocked_reported = false;
	pthread_mutex_unlock(&obs.lock);
	if (blocked && !reported)
		obs_note_blocked(obs.step_start, obs.step_lane, bline, what ? what : "");
	if (blocked) {
		timeline_add(obs.tl, now, obs.step_lane, K_UNBLOCK, bline, 0, dur,
		             "the loop is free again after %.3f s", dur);
		timeline_blocked(obs.tl, obs.step_start, now, obs.step_lane, bline,
		                 what ? what : "");
		/* From the sampler's reading to now: most of the window, which
		 * lasts a few of its periods at least. */
		double cpu_now;
		if (cpu_read && now > cpu_at && obs_loop_cpu(&cpu_now) == 0)
			timeline_blocked_cpu(obs.tl, (cpu_now - cpu_then) / (now - cpu_at));
		obs.pass_blocked = true;
	}
	free(what);
	if (obs.step_task) {
		end_task_step(obs.step_task, obs.step_lane, now);
		Py_CLEAR(obs.step_task);
	}
	Py_CLEAR(obs.step_callback);
	obs.stepping = false;
}

/* The task whose step @handle runs (a new reference), or NULL for a plain
 * callback: a task's __step and __wakeup are bound to it. */
static PyObject *handle_task(PyObject *handle)
{
	PyObject *cb = obs_attr(handle, "_callback");
	PyObject *owner = cb ? obs_attr(cb, "__self__") : NULL;
	obs_clear();
	Py_XDECREF(cb);
	if (owner && PyObject_IsInstance(owner, task_types) != 1)
		Py_CLEAR(owner);
	obs_clear();
	return owner;
}

/* asyncio.create_task(coro, name=...) names the task after it is made,
 * when its lane has a name already: at its first step, the lane takes the
 * task's name ("evil Task" for "Task-2" in "Task-2 shout()"). */
static void check_name(PyObject *task, int lane)
{
	if ((size_t)lane >= obs.namedcap) {
		size_t cap = obs.namedcap ? obs.namedcap * 2 : 64;
		while (cap <= (size_t)lane)
			cap *= 2;
		obs.named = xrealloc(obs.named, cap * sizeof(bool));
		memset(obs.named + obs.namedcap, 0, (cap - obs.namedcap) * sizeof(bool));
		obs.namedcap = cap;
	}
	if (obs.named[lane])
		return;
	obs.named[lane] = true;
	PyObject *name = obs_call0(task, "get_name");
	const char *s = name ? PyUnicode_AsUTF8(name) : NULL;
	const char *label = timeline_lane_name(obs.tl, lane);
	const char *rest = strchr(label, ' ');
	size_t n = rest ? (size_t)(rest - label) : strlen(label);
	if (s && (strlen(s) != n || strncmp(s, label, n) != 0)) {
		struct buf b = { 0 };
		buf_printf(&b, "%s%s", s, rest ? rest : "");
		timeline_lane_rename(obs.tl, lane, b.data);
		buf_free(&b);
	}
	obs_clear();
	Py_XDECREF(name);
}

static void begin_step(PyObject *handle, double now)
{
	PyObject *task = handle_task(handle);
	int lane = task ? task_lane(task) : -1;
	if (lane >= 0) {
		check_name(task, lane);
		/* Cancelled while it was ready: by whom is not known. */
		if (task_flag(task, "_must_cancel"))
			note_cancel(task, lane, now, "cancel requested while it was ready");
		obs.step_task = task;
		task = NULL;
		timeline_step(obs.tl, now, lane, K_STEP, 0, -1);
	} else {
		lane = obs.loop_lane; /* a plain callback, or a task of asyncio's own */
		obs.step_callback = task ? NULL : obs_attr(handle, "_callback");
		obs_clear();
	}
	Py_XDECREF(task);
	obs.step_lane = lane;
	obs.step_start = now;
	obs.stepping = true;
	obs.pass_steps++;
	pthread_mutex_lock(&obs.lock);
	obs.step_seq++;
	obs.step_start_shared = now;
	pthread_mutex_unlock(&obs.lock);
}

int obs_current_lane(void)
{
	if (obs.stepping && PyThread_get_thread_ident() == obs.loop_ident)
		return obs.step_lane;
	if (obs_worker_lane > 0)
		return obs_worker_lane - 1;
	if (PyThread_get_thread_ident() == obs.loop_ident || _PyOS_IsMainThread())
		return obs.main_lane;
	return obs_thread_lane();
}

/* ---- the ready queue ---- */

/* "Task-2 fetch_data(1)": the task's name and its coroutine's call. */
static void task_label(PyObject *task, struct buf *b)
{
	PyObject *name = obs_call0(task, "get_name");
	const char *s = name ? PyUnicode_AsUTF8(name) : NULL;
	buf_puts(b, s ? s : "Task");
	Py_XDECREF(name);
	obs_clear();
	PyObject *coro = obs_call0(task, "get_coro");
	PyObject *qual = coro ? obs_attr(coro, "__qualname__") : NULL;
	const char *q = qual ? PyUnicode_AsUTF8(qual) : NULL;
	obs_clear();
	if (q) {
		buf_printf(b, " %s(", q);
		PyObject *frame = obs_attr(coro, "cr_frame");
		if (frame && frame != Py_None) {
			PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
			PyObject *locals = PyFrame_GetLocals((PyFrameObject *)frame);
			PyObject *names = PyCode_GetVarnames(code);
			int nargs = code->co_argcount + code->co_kwonlyargcount;
			for (int i = 0; locals && names && i < nargs && i < 4; i++) {
				PyObject *v =
				        PyDict_GetItemWithError(locals, PyTuple_GET_ITEM(names, i));
				buf_puts(b, i ? ", " : "");
				if (v)
					short_repr(b, v, 16);
			}
			if (nargs > 4)
				buf_puts(b, ", ...");
			Py_XDECREF(names);
			Py_XDECREF(locals);
			Py_DECREF(code);
		}
		Py_XDECREF(frame);
		obs_clear();
		buf_putc(b, ')');
	}
	Py_XDECREF(qual);
	Py_XDECREF(coro);
}

/* Whether @task runs a coroutine of asyncio's own (asyncio.run's shutdown
 * of async generators and of the default executor): the program did not
 * ask for it, so it gets no lane of its own. */
static bool internal_task(PyObject *task)
{
	if (!asyncio_dir)
		return false;
	PyObject *coro = obs_call0(task, "get_coro");
	PyObject *code = coro ? obs_attr(coro, "cr_code") : NULL;
	PyObject *file = code ? obs_attr(code, "co_filename") : NULL;
	bool internal = file && PyUnicode_Check(file) &&
	                PyUnicode_Tailmatch(file, asyncio_dir, 0, PY_SSIZE_T_MAX, -1) == 1;
	obs_clear();
	Py_XDECREF(file);
	Py_XDECREF(code);
	Py_XDECREF(coro);
	return internal;
}

/* A task's step is scheduled: it is ready; the first time, it was just
 * created, by the code running now. */
static PyObject *rq_append(PyObject *self, PyObject *handle)
{
	PyObject *task = obs.tl && PyThread_get_thread_ident() == obs.loop_ident
	                         ? handle_task(handle)
	                         : NULL;
	if (task) {
		double now = clock_real_now();
		int lane = task_lane(task);
		if (lane < 0 && !internal_task(task)) {
			struct buf label = { 0 };
			task_label(task, &label);
			int parent = obs_current_lane(), line = obs_current_line();
			lane = new_task_lane(task, label.data);
			timeline_add(obs.tl, now, parent, K_SPAWN, line, 0, -1, "%s", label.data);
			timeline_relate(obs.tl, now, parent, K_CHILD, lane, line, -1, NULL);
			buf_free(&label);
		} else if (lane >= 0 && waiter_cancelled(task))
			note_cancel(task, lane, now, awaited_cancelled(task));
		if (lane >= 0)
			timeline_step(obs.tl, now, lane, K_READY, 0, -1);
		obs_clear();
		Py_DECREF(task);
	}
	PyObject *args[2] = { self, handle };
	PyObject *r = PyObject_Vectorcall(deque_append, args, 2, NULL);
	if (r && obs_raise_held())
		Py_CLEAR(r); /* as it would come at the next instruction after the append */
	return r;
}

static PyObject *rq_popleft(PyObject *self, PyObject *unused)
{
	double now = clock_real_now();
	if (obs.tl)
		end_step(now);
	if (obs_raise_held())
		return NULL; /* before the callback is taken: it stays ready */
	PyObject *h = PyObject_Vectorcall(deque_popleft, &self, 1, NULL);
	if (h && obs.tl && PyThread_get_thread_ident() == obs.loop_ident) {
		PyObject *c = obs_attr(h, "_cancelled");
		if (c == Py_False)
			begin_step(h, now);
		obs_clear();
		Py_XDECREF(c);
	}
	if (h && held_type) {
		/* Put back: a callback taken and never run would leave its task
		 * waiting for good. */
		PyObject *r = PyObject_CallMethod(self, "appendleft", "O", h);
		Py_XDECREF(r);
		Py_DECREF(h);
		h = NULL;
		if (r)
			obs_raise_held();
	}
	return h;
}

static PyMethodDef rq_methods[] = {
	{ "append", rq_append, METH_O, "append(handle), noting a task that becomes ready" },
	{ "popleft", rq_popleft, METH_NOARGS,
	  "popleft(), noting the step that ends and the one that begins" },
	{ NULL, NULL, 0, NULL },
};

static PyType_Slot rq_slots[] = {
	{ Py_tp_doc, (void *)"asyncio's ready queue, observed" },
	{ Py_tp_methods, rq_methods },
	{ 0, NULL },
};

static PyType_Spec rq_spec = {
	.name = "_aiodemo.ReadyQueue",
	.basicsize = 0,
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.slots = rq_slots,
};

/* ---- the loop's passes and heartbeat ---- */

static bool batching; /* the loop thread's lines wait in a batch (timeline_batch) */

static void batch(bool on)
{
	if (batching != on && obs.tl)
		timeline_batch(obs.tl, on);
	batching = on;
}

static void on_wait_begin(double now, double timeout)
{
	end_step(now);
	if (timeout != 0)
		batch(false); /* the loop may wait: what it printed goes out now */
	if (!obs.in_pass)
		return;
	double dur = now - obs.pass_start;
	obs.busy += dur;
	if (dur >= obs.slow_real && obs.pass_steps > 1 && !obs.pass_blocked) {
		if (obs.nslow == obs.slowcap) {
			obs.slowcap = obs.slowcap ? obs.slowcap * 2 : 8;
			obs.slow = xrealloc(obs.slow, (size_t)obs.slowcap * sizeof(*obs.slow));
		}
		obs.slow[obs.nslow++] =
		        (struct slow_pass){ obs.pass_start - obs.start, dur, obs.pass_steps };
	}
	obs.in_pass = false;
}

static void on_wait_end(double now)
{
	batch(true);
	obs.in_pass = true;
	obs.pass_start = now;
	obs.pass_steps = 0;
	obs.pass_blocked = false;
}

static void add_lag(double lag)
{
	if (obs.nlags == obs.lagcap) {
		obs.lagcap = obs.lagcap ? obs.lagcap * 2 : 256;
		obs.lags = xrealloc(obs.lags, obs.lagcap * sizeof(double));
	}
	obs.lags[obs.nlags++] = lag;
}

static void on_beat(double due, double now)
{
	double lag = now - due;
	if (lag < 0)
		lag = 0;
	if (lag > obs.max_lag)
		obs.max_lag = lag;
	timeline_step(obs.tl, now, obs.loop_lane, K_BEAT, 0, lag);
	/* The beats a blocked loop swallowed were late too, each by a period less. */
	double period = obs.opt.heartbeat * obs.opt.scale;
	add_lag(lag);
	for (double l = lag - period; period > 0 && l > 0; l -= period)
		add_lag(l);
}

static const struct evloop_hooks hooks = { on_wait_begin, on_wait_end, on_beat, obs_io_watch,
	                                   obs_io_ready };

/* ---- module functions called by the bootstrap ---- */

/* loop_enter(): run_forever begins on this thread. */
static PyObject *m_loop_enter(PyObject *m, PyObject *unused)
{
	obs.loop_ident = PyThread_get_thread_ident();
	obs.loop_running = true;
	obs.loop_since = clock_real_now();
	on_wait_end(obs.loop_since);
	Py_RETURN_NONE;
}

/* loop_exit(): run_forever returned (or raised). */
static PyObject *m_loop_exit(PyObject *m, PyObject *unused)
{
	double now = clock_real_now();
	on_wait_begin(now, -1);
	if (obs.loop_running)
		obs.loop_time += now - obs.loop_since;
	obs.loop_running = false;
	Py_RETURN_NONE;
}

/* The signals the observed loop's own handlers took (add_signal_handler):
 * a bit a signal. */
static unsigned long signals_seen;

/* signal_seen(sig): the observed loop handles signal @sig. */
static PyObject *m_signal_seen(PyObject *m, PyObject *arg)
{
	long sig = PyLong_AsLong(arg);
	if (sig == -1 && PyErr_Occurred())
		return NULL;
	if (sig > 0 && sig < (long)(8 * sizeof(signals_seen)))
		signals_seen |= 1ul << sig;
	Py_RETURN_NONE;
}

bool observe_signal_seen(int sig)
{
	return sig > 0 && sig < (int)(8 * sizeof(signals_seen)) && (signals_seen >> sig & 1);
}

/* configure(task_types, libdirs, getline, asyncio_dir): what the bootstrap found. */
static PyObject *m_configure(PyObject *m, PyObject *args)
{
	PyObject *types, *libdirs, *getline, *adir;
	if (!PyArg_ParseTuple(args, "O!O!OU:configure", &PyTuple_Type, &types, &PyTuple_Type,
	                      &libdirs, &getline, &adir))
		return NULL;
	Py_INCREF(adir);
	Py_XSETREF(asyncio_dir, adir);
	Py_INCREF(types);
	Py_XSETREF(task_types, types);
	Py_INCREF(libdirs);
	Py_XSETREF(obs.libdirs, libdirs);
	Py_INCREF(getline);
	Py_XSETREF(obs.getline, getline);
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{ "loop_enter", m_loop_enter, METH_NOARGS,
	  "loop_enter(): the observed loop starts running" },
	{ "loop_exit", m_loop_exit, METH_NOARGS, "loop_exit(): the observed loop stops running" },
	{ "signal_seen", m_signal_seen, METH_O,
	  "signal_seen(sig): the observed loop handles signal sig (add_signal_handler)" },
	{ "configure", m_configure, METH_VARARGS,
	  "configure(task_types, libdirs, getline, asyncio_dir)" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_aiodemo",
	.m_doc = "aiodemo's event loop on libev and its observation hooks.",
	.m_size = -1,
	.m_methods = module_methods,
};

PyObject *observe_module_init(void)
{
	PyObject *mod = PyModule_Create(&module_def);
	if (!mod)
		return NULL;
	PyObject *collections = PyImport_ImportModule("collections");
	PyObject *deque = collections ? PyObject_GetAttrString(collections, "deque") : NULL;
	Py_XDECREF(collections);
	if (!deque)
		goto fail;
	deque_append = PyObject_GetAttrString(deque, "append");
	deque_popleft = PyObject_GetAttrString(deque, "popleft");
	PyObject *bases = PyTuple_Pack(1, deque);
	Py_DECREF(deque);
	PyObject *rq = bases ? PyType_FromSpecWithBases(&rq_spec, bases) : NULL;
	Py_XDECREF(bases);
	if (!deque_append || !deque_popleft || !rq ||
	    PyModule_AddObject(mod, "ReadyQueue", rq) < 0) {
		Py_XDECREF(rq);
		goto fail;
	}
	if (evloop_add_type(mod) < 0 || obs_add_job(mod) < 0 ||
	    PyModule_AddFunctions(mod, obs_job_methods) < 0 ||
	    PyModule_AddFunctions(mod, obs_output_methods) < 0 ||
	    PyModule_AddFunctions(mod, obs_timer_methods) < 0 ||
	    PyModule_AddFunctions(mod, obs_io_methods) < 0)
		goto fail;
	PyObject *scale = PyFloat_FromDouble(obs.opt.scale > 0 ? obs.opt.scale : 1);
	if (!scale || PyModule_AddObject(mod, "scale", scale) < 0) {
		Py_XDECREF(scale);
		goto fail;
	}
	return mod;
fail:
	Py_DECREF(mod);
	return NULL;
}

int observe_start(struct timeline *tl, const struct observe_options *o)
{
	obs.tl = tl;
	obs.opt = *o;
	obs.slow_real = o->slow * o->scale;
	obs.pid = getpid();
	obs.start = timeline_t0(tl);
	if (pthread_mutex_init(&obs.lock, NULL) != 0)
		return -1;
	obs.main_lane = timeline_lane(tl, LANE_TASK, "__main__");
	obs.loop_lane = timeline_lane(tl, LANE_LOOP, "loop");
	evloop_set_hooks(&hooks, o->heartbeat * o->scale);
	evloop_set_scale(o->scale);
	if (obs_channel_start() != 0)
		return -1;
	return 0;
}

int observe_python_ready(void)
{
	obs.lanes = PyDict_New();
	obs.cancel_noted = PyDict_New();
	obs.linecache = PyDict_New();
	obs.thread_lanes = PyDict_New();
	if (!obs.lanes || !obs.cancel_noted || !obs.linecache || !obs.thread_lanes) {
		errno = ENOMEM;
		return -1;
	}
	obs.loop_ident = PyThread_get_thread_ident();
	obs_gil_loop_thread(obs.loop_lane);
	return obs_sampler_start();
}

void observe_program_starts(void)
{
	obs.start = clock_real_now();
	timeline_set_t0(obs.tl, obs.start);
}

double observe_elapsed(double now)
{
	return now - obs.start;
}

void observe_note_end(int exit_status)
{
	add_event(obs.loop_lane, K_END, 0, 0, -1, "the program ended (exit status %d)",
	          exit_status);
}

void observe_stop_python(void)
{
	double now = clock_real_now();
	end_step(now);
	batch(false);
	obs_output_flush_all();
	obs_gil_stop();
	obs_sampler_stop();
	Py_CLEAR(obs.lanes);
	Py_CLEAR(obs.cancel_noted);
	Py_CLEAR(obs.step_callback);
	Py_CLEAR(obs.thread_lanes);
	Py_CLEAR(obs.linecache);
	Py_CLEAR(obs.getline);
	Py_CLEAR(obs.libdirs);
	Py_CLEAR(task_types);
	Py_CLEAR(asyncio_dir);
	Py_CLEAR(deque_append);
	Py_CLEAR(deque_popleft);
	Py_CLEAR(held_type);
	Py_CLEAR(held_value);
	Py_CLEAR(held_tb);
	names_free();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void observe_finish(struct run_summary *s, double end)
{
	obs_channel_stop();
	s->total = end - obs.start;
	s->max_lag = obs.max_lag;
	s->heartbeat = obs.opt.heartbeat * obs.opt.scale;
	s->tasks = obs.ntasks;
	s->jobs = obs.njobs;
	s->jobs_not_started = 0;
	for (size_t j = 1; j <= obs.njobs && j < obs.jobcap; j++)
		s->jobs_not_started += obs.jobs[j].lane < 0;
	s->max_queue_wait = obs.max_queue_wait;
	s->scale = obs.opt.scale;
	if (obs.nlags) {
		qsort(obs.lags, obs.nlags, sizeof(double), cmp_double);
		s->lag_p50 = obs.lags[(obs.nlags - 1) / 2];
		s->lag_p99 = obs.lags[(size_t)((double)(obs.nlags - 1) * 0.99)];
	}
	s->utilization = obs.loop_time > 0 ? obs.busy / obs.loop_time : 0;
	s->slow = obs.slow;
	s->nslow = obs.nslow;
	s->slow_threshold = obs.slow_real;
}

void observe_free(void)
{
	obs_io_free();
	free(obs.lags);
	free(obs.named);
	obs.named = NULL;
	obs.namedcap = 0;
	free(obs.slow);
	free(obs.jobs);
	free(obs.blocked_what);
	obs.lags = NULL;
	obs.slow = NULL;
	obs.jobs = NULL;
	obs.blocked_what = NULL;
	if (obs.tl)
		pthread_mutex_destroy(&obs.lock);
	obs.tl = NULL;
}
