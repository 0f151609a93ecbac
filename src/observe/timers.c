/* The timers of the observed loop: each one set (loop.call_at, which
 * call_later, asyncio.sleep and the timeouts go through) and each one
 * cancelled before it fired, for a player to show the timers waiting at a
 * moment with their due times.
 *
 * The hooks are methods of aiodemo's loop class written in C, so that no
 * frame of aiodemo's comes between the program and BaseEventLoop.call_at
 * in a traceback; they call asyncio's own methods and only record. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "util/clock.h"
#include "obs.h"

static PyObject *base_call_at, *base_cancelled; /* BaseEventLoop's own */

/* A timer's number: its handle's address, which no other pending timer
 * shares (a handle outlives its timer). */
static int timer_number(PyObject *handle)
{
	return (int)(((uintptr_t)handle >> 4) & INT32_MAX);
}

static bool observed(PyObject *loop)
{
	if (!obs.tl || PyThread_get_thread_ident() != obs.loop_ident)
		return false;
	PyObject *v = obs_attr(loop, "_aiodemo_observed");
	bool on = v == Py_True;
	Py_XDECREF(v);
	obs_clear();
	return on;
}

/* loop.call_at(when, callback, *args, context=None) */
static PyObject *m_call_at(PyObject *unused, PyObject *const *args, size_t nargsf,
                           PyObject *kwnames)
{
	(void)unused;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	PyObject *timer = PyObject_Vectorcall(base_call_at, args, (size_t)nargs, kwnames);
	if (!timer || nargs < 3 || !observed(args[0]))
		return obs_then_held(timer);
	double now = clock_real_now();
	PyObject *when = obs_attr(timer, "_when");
	PyObject *at = obs_call0(args[0], "time");
	double delay = when && at ? PyFloat_AsDouble(when) - PyFloat_AsDouble(at) : 0;
	Py_XDECREF(when);
	Py_XDECREF(at);
	PyObject *name = obs_attr(args[2], "__qualname__");
	const char *what = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	obs_clear();
	int line = obs_current_line();
	double scale = obs.opt.scale > 0 ? obs.opt.scale : 1;
	timeline_relate(obs.tl, now, obs_current_lane(), K_TIMER, timer_number(timer), line,
	                delay > 0 ? delay * scale : 0, what ? what : Py_TYPE(args[2])->tp_name);
	Py_XDECREF(name);
	obs_clear();
	return obs_then_held(timer);
}

/* loop._timer_handle_cancelled(handle): TimerHandle.cancel() calls it. */
static PyObject *m_cancelled(PyObject *unused, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames)
{
	(void)unused;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	bool pending = false;
	if (nargs == 2 && !kwnames) {
		PyObject *s = obs_attr(args[1], "_scheduled");
		pending = s == Py_True; /* not fired yet */
		Py_XDECREF(s);
		obs_clear();
	}
	PyObject *res = PyObject_Vectorcall(base_cancelled, args, (size_t)nargs, kwnames);
	if (res && pending && observed(args[0]))
		timeline_relate(obs.tl, clock_real_now(), obs_current_lane(), K_TIMER_OFF,
		                timer_number(args[1]), 0, -1, NULL);
	return obs_then_held(res);
}

static PyMethodDef call_at_def = { "call_at", (PyCFunction)(void (*)(void))m_call_at,
	                           METH_FASTCALL | METH_KEYWORDS,
	                           "asyncio's call_at, the timer noted" };
static PyMethodDef cancelled_def = { "_timer_handle_cancelled",
	                             (PyCFunction)(void (*)(void))m_cancelled,
	                             METH_FASTCALL | METH_KEYWORDS,
	                             "asyncio's _timer_handle_cancelled, the timer noted" };

/* timer_methods(call_at, timer_handle_cancelled): BaseEventLoop's two
 * methods in, the two methods for aiodemo's loop class out. */
static PyObject *m_timer_methods(PyObject *m, PyObject *args)
{
	PyObject *call_at, *cancelled;
	if (!PyArg_ParseTuple(args, "OO:timer_methods", &call_at, &cancelled))
		return NULL;
	Py_INCREF(call_at);
	Py_XSETREF(base_call_at, call_at);
	Py_INCREF(cancelled);
	Py_XSETREF(base_cancelled, cancelled);
	PyObject *m1 = obs_method(&call_at_def), *m2 = obs_method(&cancelled_def);
	PyObject *pair = m1 && m2 ? PyTuple_Pack(2, m1, m2) : NULL;
	Py_XDECREF(m1);
	Py_XDECREF(m2);
	return pair;
}

PyMethodDef obs_timer_methods[] = {
	{ "timer_methods", m_timer_methods, METH_VARARGS,
	  "timer_methods(call_at, timer_handle_cancelled) -> (call_at, _timer_handle_cancelled)" },
	{ NULL, NULL, 0, NULL },
};
