/* The scaled clocks of --scale: program time = start + (real - start) / scale. */
#include "pyclock.h"

#include <errno.h>
#include <math.h>
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

static PyMethodDef functions[] = {
	{ "scaled_clocks", f_scaled_clocks, METH_NOARGS,
	  "scaled_clocks() -> {name: time's function under --scale}" },
	{ NULL, NULL, 0, NULL },
};

int pyclock_add_functions(PyObject *module)
{
	return PyModule_AddFunctions(module, functions);
}
