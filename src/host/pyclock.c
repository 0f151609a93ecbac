/* The scaled clocks of --scale: program time = start + (real - start) / scale. */
#include "pyclock.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <time.h>

static double scale = 1;
static double mono0, wall0, perf0;

static double now_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void pyclock_init(double s)
{
	scale = s;
	mono0 = now_of(CLOCK_MONOTONIC);
	wall0 = now_of(CLOCK_REALTIME);
	perf0 = mono0;
}

/* Scaled from the real clock @id that read @start at the start of the run;
 * the wall clock keeps the real date and moves faster from it. */
static double scaled(clockid_t id, double start)
{
	double real = id == CLOCK_REALTIME ? wall0 + (now_of(CLOCK_MONOTONIC) - mono0) : now_of(id);
	return start + (real - start) / scale;
}

static PyObject *f_monotonic(PyObject *m, PyObject *u)
{
	return PyFloat_FromDouble(scaled(CLOCK_MONOTONIC, mono0));
}
static PyObject *f_perf_counter(PyObject *m, PyObject *u)
{
	return PyFloat_FromDouble(scaled(CLOCK_MONOTONIC, perf0));
}
static PyObject *f_time(PyObject *m, PyObject *u)
{
	return PyFloat_FromDouble(scaled(CLOCK_REALTIME, wall0));
}

static PyObject *ns(double seconds)
{
	return PyLong_FromLongLong((long long)llround(seconds * 1e9));
}

static PyObject *f_monotonic_ns(PyObject *m, PyObject *u)
{
	return ns(scaled(CLOCK_MONOTONIC, mono0));
}
static PyObject *f_perf_counter_ns(PyObject *m, PyObject *u)
{
	return ns(scaled(CLOCK_MONOTONIC, perf0));
}
static PyObject *f_time_ns(PyObject *m, PyObject *u)
{
	return ns(scaled(CLOCK_REALTIME, wall0));
}

/* time.sleep(secs), scaled; signals run their handlers as time.sleep's do. */
static PyObject *f_sleep(PyObject *m, PyObject *arg)
{
	double secs = PyFloat_AsDouble(arg);
	if (secs == -1 && PyErr_Occurred()) {
		if (PyErr_ExceptionMatches(PyExc_TypeError))
			PyErr_Format(PyExc_TypeError,
			             "'%.200s' object cannot be interpreted as an integer",
			             Py_TYPE(arg)->tp_name);
		return NULL;
	}
	if (isnan(secs)) {
		PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a number)");
		return NULL;
	}
	if (secs < 0) {
		PyErr_SetString(PyExc_ValueError, "sleep length must be non-negative");
		return NULL;
	}
	double deadline = now_of(CLOCK_MONOTONIC) + secs * scale;
	for (;;) {
		double left = deadline - now_of(CLOCK_MONOTONIC);
		if (left <= 0)
			break;
		struct timespec ts = { (time_t)left, (long)((left - floor(left)) * 1e9) };
		int rc;
		Py_BEGIN_ALLOW_THREADS rc = nanosleep(&ts, NULL);
		Py_END_ALLOW_THREADS if (rc == 0) break;
		if (errno != EINTR) {
			PyErr_SetFromErrno(PyExc_OSError);
			return NULL;
		}
		if (Py_MakePendingCalls() < 0) /* the signal handlers, and more */
			return NULL;
	}
	/* What was due while it slept, before the caller's next instruction,
	 * which may not look for it (see host/stopping.c). */
	if (Py_MakePendingCalls() < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* The scaled clocks, named as the time module's own functions are, so that
 * a job of time.sleep is called time.sleep(2) and its repr is CPython's. */
static PyMethodDef clocks[] = {
	{ "monotonic", f_monotonic, METH_NOARGS, "time.monotonic() under --scale" },
	{ "perf_counter", f_perf_counter, METH_NOARGS, "time.perf_counter() under --scale" },
	{ "time", f_time, METH_NOARGS, "time.time() under --scale" },
	{ "monotonic_ns", f_monotonic_ns, METH_NOARGS, "time.monotonic_ns() under --scale" },
	{ "perf_counter_ns", f_perf_counter_ns, METH_NOARGS,
	  "time.perf_counter_ns() under --scale" },
	{ "time_ns", f_time_ns, METH_NOARGS, "time.time_ns() under --scale" },
	{ "sleep", f_sleep, METH_O, "time.sleep(secs) under --scale" },
	{ NULL, NULL, 0, NULL },
};

/* scaled_clocks(): {name: function} for the bootstrap to put in time. */
static PyObject *f_scaled_clocks(PyObject *self, PyObject *unused)
{
	PyObject *d = PyDict_New(), *module = PyUnicode_FromString("time");
	for (PyMethodDef *m = clocks; d && module && m->ml_name; m++) {
		PyObject *f = PyCFunction_NewEx(m, NULL, module);
		if (!f || PyDict_SetItemString(d, m->ml_name, f) < 0) {
			Py_XDECREF(f);
			Py_CLEAR(d);
			break;
		}
		Py_DECREF(f);
	}
	Py_XDECREF(module);
	return d;
}

/* Sockets' timeouts are program time too: requests.get(url, timeout=3)
 * gives up after 3 s x --scale, as the server's delays take that long.
 * The socket module's own functions do the work, with the value scaled;
 * what they refuse (a negative timeout, a string) they refuse as ever. */
static PyObject *sock_settimeout, *sock_gettimeout, *sock_setdefault, *sock_getdefault;

/* @value scaled when it is a timeout in seconds, else itself. */
static PyObject *scaled_timeout(PyObject *value)
{
	if (value != Py_None && (PyFloat_Check(value) || PyLong_Check(value))) {
		double v = PyFloat_AsDouble(value);
		if (v == -1 && PyErr_Occurred())
			PyErr_Clear();
		else if (v > 0 && isfinite(v))
			return PyFloat_FromDouble(v * scale);
	}
	Py_INCREF(value);
	return value;
}

/* A timeout read back, in program time (to the microsecond: the socket
 * keeps whole nanoseconds, rounded up, and 3 is 3.0 again). */
static PyObject *unscaled_timeout(PyObject *value)
{
	if (value && PyFloat_Check(value) && PyFloat_AS_DOUBLE(value) > 0) {
		double v = round(PyFloat_AS_DOUBLE(value) / scale * 1e6) / 1e6;
		Py_DECREF(value);
		return PyFloat_FromDouble(v);
	}
	return value;
}

static PyObject *f_settimeout(PyObject *self, PyObject *value)
{
	PyObject *v = scaled_timeout(value);
	PyObject *r = v ? PyObject_CallFunctionObjArgs(sock_settimeout, self, v, NULL) : NULL;
	Py_XDECREF(v);
	return r;
}

static PyObject *f_gettimeout(PyObject *self, PyObject *unused)
{
	return unscaled_timeout(PyObject_CallOneArg(sock_gettimeout, self));
}

static PyObject *f_setdefaulttimeout(PyObject *m, PyObject *value)
{
	PyObject *v = scaled_timeout(value);
	PyObject *r = v ? PyObject_CallOneArg(sock_setdefault, v) : NULL;
	Py_XDECREF(v);
	return r;
}

static PyObject *f_getdefaulttimeout(PyObject *m, PyObject *unused)
{
	return unscaled_timeout(PyObject_CallNoArgs(sock_getdefault));
}

static PyMethodDef socket_methods[] = {
	{ "settimeout", f_settimeout, METH_O, "settimeout(timeout) under --scale" },
	{ "gettimeout", f_gettimeout, METH_NOARGS, "gettimeout() under --scale" },
};
static PyMethodDef socket_functions[] = {
	{ "setdefaulttimeout", f_setdefaulttimeout, METH_O, "setdefaulttimeout() under --scale" },
	{ "getdefaulttimeout", f_getdefaulttimeout, METH_NOARGS,
	  "getdefaulttimeout() under --scale" },
};

/* scale_socket_timeouts(socket): socket.socket's timeouts and the
 * module's default one, in program time. */
static PyObject *f_scale_socket_timeouts(PyObject *self, PyObject *module)
{
	PyObject *cls = PyObject_GetAttrString(module, "socket");
	if (!cls)
		return NULL;
	if (!PyType_Check(cls) || !(sock_settimeout = PyObject_GetAttrString(cls, "settimeout")) ||
	    !(sock_gettimeout = PyObject_GetAttrString(cls, "gettimeout")) ||
	    !(sock_setdefault = PyObject_GetAttrString(module, "setdefaulttimeout")) ||
	    !(sock_getdefault = PyObject_GetAttrString(module, "getdefaulttimeout"))) {
		Py_DECREF(cls);
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "socket.socket is not a class");
		return NULL;
	}
	/* Methods of _socket.socket, as the originals are, put on socket.socket. */
	PyTypeObject *base = ((PyTypeObject *)cls)->tp_base;
	for (size_t i = 0; i < sizeof(socket_methods) / sizeof(socket_methods[0]); i++) {
		PyObject *d =
		        PyDescr_NewMethod(base ? base : (PyTypeObject *)cls, &socket_methods[i]);
		int rc = d ? PyObject_SetAttrString(cls, socket_methods[i].ml_name, d) : -1;
		Py_XDECREF(d);
		if (rc < 0) {
			Py_DECREF(cls);
			return NULL;
		}
	}
	Py_DECREF(cls);
	PyObject *name = PyUnicode_FromString("socket");
	for (size_t i = 0; name && i < sizeof(socket_functions) / sizeof(socket_functions[0]);
	     i++) {
		PyObject *f = PyCFunction_NewEx(&socket_functions[i], NULL, name);
		int rc = f ? PyObject_SetAttrString(module, socket_functions[i].ml_name, f) : -1;
		Py_XDECREF(f);
		if (rc < 0) {
			Py_DECREF(name);
			return NULL;
		}
	}
	Py_XDECREF(name);
	Py_RETURN_NONE;
}

/* --- threading's waits ------------------------------------------------------------ *
 *
 * threading.Condition.wait(timeout) and Thread._wait_for_tstate_lock(block,
 * timeout), where every timed wait of threading, queue and
 * concurrent.futures ends (Event.wait, Semaphore.acquire, Barrier.wait,
 * Queue.get, Future.result, Thread.join), take their timeout in program
 * seconds: the originals run, with the timeout scaled. Their callers
 * compute what is left from time.monotonic(), which runs in program time
 * already. Being C, the replacements add no frame to a traceback. */
static PyObject *cond_wait, *tstate_wait;

/* Calls @fn(self, *args) with the argument at @pos, or the keyword
 * "timeout", scaled. */
static PyObject *call_scaled(PyObject *fn, PyObject *self, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames, Py_ssize_t pos)
{
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	PyObject **all = PyMem_Malloc((size_t)(1 + nargs + nkw) * sizeof(PyObject *));
	if (!all)
		return PyErr_NoMemory();
	all[0] = self;
	PyObject *owned = NULL;
	for (Py_ssize_t i = 0; i < nargs + nkw; i++) {
		PyObject *v = args[i];
		bool timeout = (i < nargs && i == pos) ||
		               (i >= nargs &&
		                PyUnicode_CompareWithASCIIString(
		                        PyTuple_GET_ITEM(kwnames, i - nargs), "timeout") == 0);
		if (timeout && !owned) {
			owned = scaled_timeout(v);
			if (!owned) {
				PyMem_Free(all);
				return NULL;
			}
			v = owned;
		}
		all[1 + i] = v;
	}
	PyObject *r = PyObject_Vectorcall(fn, all, (size_t)(1 + nargs), kwnames);
	Py_XDECREF(owned);
	PyMem_Free(all);
	return r;
}

static PyObject *f_cond_wait(PyObject *self, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames)
{
	return call_scaled(cond_wait, self, args, nargsf, kwnames, 0);
}

static PyObject *f_tstate_wait(PyObject *self, PyObject *const *args, size_t nargsf,
                               PyObject *kwnames)
{
	return call_scaled(tstate_wait, self, args, nargsf, kwnames, 1);
}

static PyMethodDef thread_methods[] = {
	{ "wait", (PyCFunction)(void (*)(void))f_cond_wait, METH_FASTCALL | METH_KEYWORDS,
	  "Condition.wait(timeout=None) under --scale" },
	{ "_wait_for_tstate_lock", (PyCFunction)(void (*)(void))f_tstate_wait,
	  METH_FASTCALL | METH_KEYWORDS, "Thread._wait_for_tstate_lock() under --scale" },
};

/* Puts @def on @cls in place of its function @name, kept in *@orig. */
static int replace_method(PyObject *cls, const char *name, PyMethodDef *def, PyObject **orig)
{
	if (!PyType_Check(cls)) {
		PyErr_Format(PyExc_TypeError, "threading's %s is not a class", name);
		return -1;
	}
	*orig = PyObject_GetAttrString(cls, name);
	if (!*orig)
		return -1;
	/* On object, so that any instance (of a subclass too) takes it. */
	PyObject *d = PyDescr_NewMethod(&PyBaseObject_Type, def);
	int rc = d ? PyObject_SetAttrString(cls, name, d) : -1;
	Py_XDECREF(d);
	return rc;
}

/* scale_thread_waits(threading) */
static PyObject *f_scale_thread_waits(PyObject *self, PyObject *module)
{
	PyObject *cond = PyObject_GetAttrString(module, "Condition");
	PyObject *thread = cond ? PyObject_GetAttrString(module, "Thread") : NULL;
	int rc = thread ? replace_method(cond, "wait", &thread_methods[0], &cond_wait) : -1;
	if (rc == 0)
		rc = replace_method(thread, "_wait_for_tstate_lock", &thread_methods[1],
		                    &tstate_wait);
	Py_XDECREF(cond);
	Py_XDECREF(thread);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyMethodDef functions[] = {
	{ "scaled_clocks", f_scaled_clocks, METH_NOARGS,
	  "scaled_clocks() -> {name: time's function under --scale}" },
	{ "scale_socket_timeouts", f_scale_socket_timeouts, METH_O,
	  "scale_socket_timeouts(socket): its timeouts in program time" },
	{ "scale_thread_waits", f_scale_thread_waits, METH_O,
	  "scale_thread_waits(threading): its timed waits in program time" },
	{ NULL, NULL, 0, NULL },
};

int pyclock_add_functions(PyObject *module)
{
	return PyModule_AddFunctions(module, functions);
}
