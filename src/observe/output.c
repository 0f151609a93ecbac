/* The program's output: what it writes to sys.stdout and sys.stderr
 * becomes lines on the timeline, each on the lane of the code that wrote
 * it (a task, a worker thread, a worker process) and stamped when its
 * newline was written. A line is kept per thread and stream until it is
 * whole, so lines of two threads never mix. */
#include "obs.h"

#include <stdio.h>

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"

struct partial {
	unsigned long ident;
	bool err;
	struct buf text;
};

static struct partial *partials; /* under the GIL */
static size_t npartials;

static void emit(bool err, const char *s, size_t n)
{
	/* A NUL would end the line's text: it is shown as its picture, U+2400. */
	struct buf nul = { 0 };
	if (memchr(s, '\0', n)) {
		for (size_t i = 0; i < n; i++)
			if (s[i])
				buf_putc(&nul, s[i]);
			else
				buf_puts(&nul, "\xe2\x90\x80");
		s = nul.data;
		n = nul.len;
	}
	if (getpid() != obs.pid)
		obs_child_line(err, s, n);
	else if (obs.tl) {
		/* The program's line that printed it (0 for the traceback that
		 * ends a run, which no line of it prints). */
		int line = obs_current_line();
		timeline_add(obs.tl, clock_real_now(), obs_current_lane(), err ? K_STDERR : K_SAY,
		             line, 0, -1, "%.*s", (int)n, s);
	}
	buf_free(&nul);
}

/* The partial lines, which the GIL guards, and this lock too: it shows
 * ThreadSanitizer, which does not see CPython's locks, that they are
 * guarded. */
static pthread_mutex_t partials_lock = PTHREAD_MUTEX_INITIALIZER;

static struct partial *find_partial(unsigned long ident, bool err, bool make)
{
	for (size_t i = 0; i < npartials; i++)
		if (partials[i].ident == ident && partials[i].err == err)
			return &partials[i];
	if (!make)
		return NULL;
	partials = xrealloc(partials, (npartials + 1) * sizeof(*partials));
	partials[npartials] = (struct partial){ ident, err, { 0 } };
	return &partials[npartials++];
}

/* The encodings and error handlers of the real sys.stdout and sys.stderr. */
static char encoding[2][64] = { "utf-8", "utf-8" },
            errors[2][64] = { "strict", "backslashreplace" };

static PyObject *m_set_encoding(PyObject *m, PyObject *args)
{
	const char *e0, *r0, *e1, *r1;
	if (!PyArg_ParseTuple(args, "ssss:set_encoding", &e0, &r0, &e1, &r1))
		return NULL;
	snprintf(encoding[0], sizeof(encoding[0]), "%s", e0);
	snprintf(errors[0], sizeof(errors[0]), "%s", r0);
	snprintf(encoding[1], sizeof(encoding[1]), "%s", e1);
	snprintf(errors[1], sizeof(errors[1]), "%s", r1);
	Py_RETURN_NONE;
}

/* Text written to sys.stdout or sys.stderr, as TextIOWrapper.write()
 * takes it: a str, whose length is returned. */
static PyObject *output_write(bool err, PyObject *arg)
{
	if (!PyUnicode_Check(arg)) {
		PyErr_Format(PyExc_TypeError, "write() argument must be str, not %.100s",
		             Py_TYPE(arg)->tp_name);
		return NULL;
	}
	/* Encoded as the stream it stands for would encode it: its encoding and
	 * its errors (surrogateescape in the C locale, backslashreplace for
	 * stderr), so that what python3 prints or refuses, aiodemo does too. */
	PyObject *bytes = PyUnicode_AsEncodedString(arg, encoding[err], errors[err]);
	if (!bytes)
		return NULL;
	Py_ssize_t n = PyBytes_GET_SIZE(bytes);
	const char *s = PyBytes_AS_STRING(bytes);
	unsigned long ident = PyThread_get_thread_ident();
	const char *end = s + n;
	pthread_mutex_lock(&partials_lock);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		struct partial *p = find_partial(ident, err, !nl);
		if (!nl) {
			buf_add(&p->text, s, (size_t)(end - s));
			break;
		}
		if (p && p->text.len) {
			buf_add(&p->text, s, (size_t)(nl - s));
			emit(err, p->text.data, p->text.len);
			buf_clear(&p->text);
		} else {
			emit(err, s, (size_t)(nl - s));
		}
		s = nl + 1;
	}
	pthread_mutex_unlock(&partials_lock);
	Py_DECREF(bytes);
	return PyLong_FromSsize_t(PyUnicode_GET_LENGTH(arg));
}

static PyObject *m_write_stdout(PyObject *m, PyObject *arg)
{
	return output_write(false, arg);
}

static PyObject *m_write_stderr(PyObject *m, PyObject *arg)
{
	return output_write(true, arg);
}

void obs_output_flush_all(void)
{
	pthread_mutex_lock(&partials_lock);
	for (size_t i = 0; i < npartials; i++) {
		if (partials[i].text.len)
			emit(partials[i].err, partials[i].text.data, partials[i].text.len);
		buf_free(&partials[i].text);
	}
	free(partials);
	partials = NULL;
	npartials = 0;
	pthread_mutex_unlock(&partials_lock);
}

PyMethodDef obs_output_methods[] = {
	{ "write_stdout", m_write_stdout, METH_O,
	  "write_stdout(text): what the program writes to sys.stdout" },
	{ "set_encoding", m_set_encoding, METH_VARARGS,
	  "set_encoding(out_encoding, out_errors, err_encoding, err_errors)" },
	{ "write_stderr", m_write_stderr, METH_O,
	  "write_stderr(text): what the program writes to sys.stderr" },
	{ NULL, NULL, 0, NULL },
};
