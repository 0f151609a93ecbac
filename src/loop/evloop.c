/* EvLoop: one libev loop per asyncio event loop, with an ev_io per file
 * descriptor asyncio watches and a timerfd for the select timeout.
 *
 *   asyncio's _run_once            EvLoop.wait(timeout)
 *   ───────────────────            ────────────────────────────────────────
 *   timers -> timeout  ──────────▶ arm the timerfd at now + timeout * scale
 *                                  release the GIL
 *                                  ev_run(ONCE) until an fd is ready, the
 *                                    deadline passes or a signal arrives
 *                                    (the heartbeat ticks in between)
 *                                  take the GIL, run Python's signal handlers
 *   ready (fd, events) ◀────────── [(fd, events), ...]
 *
 * Nothing of asyncio's is replaced: its selector event loop computes the
 * timeout and runs the callbacks; this only waits, as an epoll selector
 * would, but with a wake-up true to tens of microseconds (epoll rounds up
 * to whole milliseconds). */
#include "evloop.h"

#include <errno.h>
#include <ev.h>
#include <math.h>
#include <unistd.h>

#include "util/clock.h"
#include "ptimer.h"

/* selectors.EVENT_READ and EVENT_WRITE */
enum { SEL_READ = 1, SEL_WRITE = 2 };

struct fdwatch {
	ev_io io;
	struct evloop_obj *owner;
};

typedef struct evloop_obj {
	PyObject_HEAD struct ev_loop *loop;
	pid_t pid;            /* the process that made it: a fork must ev_loop_fork() */
	struct fdwatch **fds; /* by fd */
	int nfds;
	struct ptimer deadline;
	struct ptimer beat;
	double beat_due;
	bool observed, timed_out;
	bool registering; /* in pass_on(): what is ready waits for wait() */
	bool beat_owed;   /* a beat came due in pass_on(): wait() runs it */
	int *rfd, *rev;   /* ready descriptors of this wait */
	size_t nready, readycap;
} EvLoop;

static const struct evloop_hooks *hooks;
static double beat_period;
static double time_scale = 1;

void evloop_set_hooks(const struct evloop_hooks *h, double period)
{
	hooks = h;
	beat_period = period;
}

void evloop_set_scale(double scale)
{
	time_scale = scale;
}

static void on_fd(struct ev_loop *loop, ev_io *w, int revents)
{
	EvLoop *self = ((struct fdwatch *)w)->owner;
	if (self->registering)
		return; /* level-triggered: the next wait reports it again */
	if (self->nready == self->readycap) {
		size_t cap = self->readycap ? self->readycap * 2 : 16;
		int *a = realloc(self->rfd, cap * sizeof(int)),
		    *b = a ? realloc(self->rev, cap * sizeof(int)) : NULL;
		if (a)
			self->rfd = a;
		if (!b)
			return; /* reported again at the next wait: the fd stays ready */
		self->rev = b;
		self->readycap = cap;
	}
	self->rfd[self->nready] = w->fd;
	self->rev[self->nready++] =
	        (revents & EV_READ ? SEL_READ : 0) | (revents & EV_WRITE ? SEL_WRITE : 0);
}

static void on_deadline(struct ev_loop *loop, struct ptimer *t)
{
	((EvLoop *)t->data)->timed_out = true;
}

static void on_beat(struct ev_loop *loop, struct ptimer *t)
{
	EvLoop *self = t->data;
	if (self->registering) {
		self->beat_owed = true;
		return;
	}
	double now = clock_real_now();
	if (hooks && hooks->beat)
		hooks->beat(self->beat_due, now);
	/* The next beat is due a period after this one ran: a blocked loop
	 * makes one late beat, whose lateness tells how long it was held. */
	self->beat_due = now + beat_period;
	ptimer_arm(loop, t, self->beat_due);
}

static PyObject *evloop_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "observe", NULL };
	int observe = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|p:EvLoop", kwlist, &observe))
		return NULL;
	EvLoop *self = (EvLoop *)type->tp_alloc(type, 0);
	if (!self)
		return NULL;
	self->deadline.fd = self->beat.fd = -1;
	self->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (!self->loop || ptimer_init(&self->deadline, on_deadline, true) != 0 ||
	    ptimer_init(&self->beat, on_beat, true) != 0) {
		PyErr_SetFromErrno(PyExc_OSError);
		Py_DECREF(self);
		return NULL;
	}
	self->deadline.data = self->beat.data = self;
	self->pid = getpid();
	self->observed = observe && hooks;
	return (PyObject *)self;
}

static void evloop_release(EvLoop *self)
{
	if (!self->loop)
		return;
	for (int fd = 0; fd < self->nfds; fd++)
		if (self->fds[fd]) {
			ev_io_stop(self->loop, &self->fds[fd]->io);
			free(self->fds[fd]);
		}
	free(self->fds);
	self->fds = NULL;
	self->nfds = 0;
	ptimer_close(self->loop, &self->deadline);
	ptimer_close(self->loop, &self->beat);
	ev_loop_destroy(self->loop);
	self->loop = NULL;
}

static void evloop_dealloc(EvLoop *self)
{
	evloop_release(self);
	free(self->rfd);
	free(self->rev);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* libev passes a change of the descriptors it watches on to the kernel
 * at its next poll; an epoll selector passes it at once. The difference
 * shows: epoll reports descriptors ready together in the order they became
 * ready, or were registered if they were ready then, so a descriptor
 * registered late would come out after one that became ready in between.
 * A poll that does not wait makes libev pass the change on now; what it
 * finds ready stays ready (libev's epoll is level-triggered) and comes out
 * of the next wait in the order it had, and a heartbeat it finds due runs
 * there too. */
static void pass_on(EvLoop *self)
{
	self->registering = true;
	ev_run(self->loop, EVRUN_NOWAIT);
	self->registering = false;
}

static bool usable(EvLoop *self)
{
	if (!self->loop) {
		PyErr_SetString(PyExc_ValueError, "I/O operation on a closed event loop");
		return false;
	}
	if (self->pid != getpid()) {
		/* Now, not at the next poll: the set the parent shares with
		 * this process is not this one's to change. */
		ev_loop_fork(self->loop);
		pass_on(self);
		self->pid = getpid();
	}
	return true;
}

/* watch(fd, events): events is selectors' mask; 0 stops watching @fd. */
static PyObject *evloop_watch(EvLoop *self, PyObject *args)
{
	int fd, events;
	if (!PyArg_ParseTuple(args, "ii:watch", &fd, &events) || !usable(self))
		return NULL;
	if (fd < 0) {
		errno = EBADF;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
	int evmask = (events & SEL_READ ? EV_READ : 0) | (events & SEL_WRITE ? EV_WRITE : 0);
	if (fd >= self->nfds) {
		if (!evmask)
			Py_RETURN_NONE;
		int n = self->nfds ? self->nfds : 64;
		while (n <= fd)
			n *= 2;
		struct fdwatch **fds = realloc(self->fds, (size_t)n * sizeof(*fds));
		if (!fds)
			return PyErr_NoMemory();
		for (int i = self->nfds; i < n; i++)
			fds[i] = NULL;
		self->fds = fds;
		self->nfds = n;
	}
	if (self->observed && hooks->watch)
		hooks->watch(fd, events);
	struct fdwatch *w = self->fds[fd];
	if (!evmask) {
		if (w) {
			ev_io_stop(self->loop, &w->io);
			free(w);
			self->fds[fd] = NULL;
			/* libev takes a descriptor nobody watches out of the
			 * kernel's set when an event for it comes, which this
			 * poll hastens if it is ready; an epoll selector takes
			 * it out at once. */
			pass_on(self);
		}
		Py_RETURN_NONE;
	}
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return PyErr_NoMemory();
		w->owner = self;
		self->fds[fd] = w;
		ev_io_init(&w->io, on_fd, fd, evmask);
	} else {
		ev_io_stop(self->loop, &w->io);
		ev_io_set(&w->io, fd, evmask);
	}
	ev_io_start(self->loop, &w->io);
	pass_on(self);
	Py_RETURN_NONE;
}

/* wait(timeout): like selectors' select(), in program seconds (None:
 * until something is ready); returns [(fd, events), ...]. */
static PyObject *evloop_wait(EvLoop *self, PyObject *arg)
{
	double timeout = -1;
	if (arg != Py_None) {
		timeout = PyFloat_AsDouble(arg);
		if (timeout == -1 && PyErr_Occurred())
			return NULL;
		if (isnan(timeout)) {
			PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a number)");
			return NULL;
		}
		if (timeout < 0)
			timeout = 0;
	}
	if (!usable(self))
		return NULL;
	double now = clock_real_now();
	if (self->observed && hooks->wait_begin)
		hooks->wait_begin(now,
		                  timeout < 0 || !isfinite(timeout) ? -1 : timeout * time_scale);
	if (self->observed && beat_period > 0 && !ev_is_active(&self->beat.io)) {
		self->beat_due = now + beat_period;
		ptimer_arm(self->loop, &self->beat, self->beat_due);
	}
	self->nready = 0;
	self->timed_out = false;
	if (timeout > 0 && isfinite(timeout))
		ptimer_arm(self->loop, &self->deadline, now + timeout * time_scale);
	int failed = 0;
	PyThreadState *ts = PyEval_SaveThread();
	if (self->beat_owed) {
		self->beat_owed = false;
		on_beat(self->loop, &self->beat);
	}
	for (;;) {
		ev_run(self->loop, timeout == 0 ? EVRUN_NOWAIT : EVRUN_ONCE);
		if (self->nready || self->timed_out || timeout == 0)
			break;
		/* Woken by the heartbeat or a signal: run the signal handlers
		 * as an interrupted epoll_wait would (PEP 475), and the calls
		 * pending for the main thread. */
		PyEval_RestoreThread(ts);
		failed = Py_MakePendingCalls();
		ts = PyEval_SaveThread();
		if (failed)
			break;
	}
	ptimer_stop(self->loop, &self->deadline);
	PyEval_RestoreThread(ts);
	double end = clock_real_now();
	if (self->observed && hooks->wait_end)
		hooks->wait_end(end);
	if (failed)
		return NULL;
	if (self->observed && hooks->ready)
		for (size_t k = self->nready; k-- > 0;)
			hooks->ready(self->rfd[k], self->rev[k], end);
	/* libev invokes the watchers of one poll last first: the list is
	 * built backwards, so that asyncio runs the callbacks of descriptors
	 * ready together in the order the kernel reported them, as under
	 * selectors.EpollSelector. */
	PyObject *list = PyList_New((Py_ssize_t)self->nready);
	for (size_t i = 0; list && i < self->nready; i++) {
		size_t k = self->nready - 1 - i;
		PyObject *t = Py_BuildValue("(ii)", self->rfd[k], self->rev[k]);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

/* pause(): the loop is not running (run_forever returned); the heartbeat
 * stops so that the time until the next run does not count as lag. */
static PyObject *evloop_pause(EvLoop *self, PyObject *unused)
{
	if (self->loop)
		ptimer_stop(self->loop, &self->beat);
	Py_RETURN_NONE;
}

static PyObject *evloop_close(EvLoop *self, PyObject *unused)
{
	evloop_release(self);
	Py_RETURN_NONE;
}

static PyMethodDef evloop_methods[] = {
	{ "watch", (PyCFunction)evloop_watch, METH_VARARGS,
	  "watch(fd, events): watch fd for selectors' events; 0 stops" },
	{ "wait", (PyCFunction)evloop_wait, METH_O,
	  "wait(timeout): [(fd, events), ...] once something is ready" },
	{ "pause", (PyCFunction)evloop_pause, METH_NOARGS,
	  "pause(): stop the heartbeat until the next wait" },
	{ "close", (PyCFunction)evloop_close, METH_NOARGS,
	  "close(): stop watching and free the libev loop" },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject evloop_type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_aiodemo.EvLoop",
	.tp_doc = "A libev loop that waits for asyncio's selector.",
	.tp_basicsize = sizeof(EvLoop),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_new = evloop_new,
	.tp_dealloc = (destructor)evloop_dealloc,
	.tp_methods = evloop_methods,
};

int evloop_add_type(PyObject *module)
{
	return PyModule_AddType(module, &evloop_type);
}
