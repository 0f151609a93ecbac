/* Observing executors: jobs of CPython's ThreadPoolExecutor and
 * ProcessPoolExecutor, from submission to the end, on the worker that ran
 * them; and the channel on which worker processes report.
 *
 *   submit(fn)   ── job_submitted ──▶  K_OFFLOAD on the submitter's lane
 *   worker thread: _WorkItem.run ── job_started ──▶ K_JOB_START on its lane
 *                  Job(fn)() returns ───────────▶ K_JOB_DONE (or K_ERROR)
 *                  job_finished ────────────────▶ K_CANCEL if it never ran
 *   worker process: Job(fn)() ── a record on the channel ──▶
 *                   the reader thread ──▶ the same events, stamped in the
 *                                         child (CLOCK_MONOTONIC is shared)
 *
 * A Job wraps the function: a thread's job ends when the function returns,
 * before its future is set and wakes the loop, so that the end comes
 * before what the loop does with the result; a process's Job is pickled to
 * the worker with its function. It is a C callable, so a job's traceback
 * shows no frame of aiodemo's. */
#include "obs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/diag.h"

_Thread_local int obs_worker_lane;

/* In a worker process: the job running and its pool. */
static int child_job;
static char child_label[64];

enum chan_kind { CH_START = 1, CH_DONE, CH_ERROR, CH_SAY, CH_STDERR };

struct chan_head {
	uint32_t len; /* of the whole record */
	uint8_t kind;
	uint8_t label_len;
	int32_t pid;
	int32_t job;
	double t;
};

#define CHAN_MAX 4096 /* PIPE_BUF: one write() is atomic */

static struct obs_job *job_slot(int job)
{
	if (job <= 0)
		return NULL;
	if ((size_t)job >= obs.jobcap) {
		size_t cap = obs.jobcap ? obs.jobcap * 2 : 64;
		while (cap <= (size_t)job)
			cap *= 2;
		obs.jobs = xrealloc(obs.jobs, cap * sizeof(*obs.jobs));
		memset(obs.jobs + obs.jobcap, 0, (cap - obs.jobcap) * sizeof(*obs.jobs));
		obs.jobcap = cap;
	}
	return &obs.jobs[job];
}

/* job_submitted(label, description, line=0): a job for pool @label, whose
 * function the program defines at @line; returns its number. */
static PyObject *m_job_submitted(PyObject *m, PyObject *args)
{
	const char *label, *desc;
	int fn_line = 0;
	if (!PyArg_ParseTuple(args, "ss|i:job_submitted", &label, &desc, &fn_line))
		return NULL;
	if (!obs.tl || getpid() != obs.pid)
		return PyLong_FromLong(0);
	int lane = obs_current_lane();
	double now = clock_real_now();
	pthread_mutex_lock(&obs.lock);
	int job = (int)++obs.njobs;
	struct obs_job *j = job_slot(job);
	j->submitted = now;
	j->lane = -1;
	j->line = fn_line;
	pthread_mutex_unlock(&obs.lock);
	int line = obs_current_line(); /* the program's line that submitted it */
	timeline_add(obs.tl, now, lane, K_OFFLOAD, line, job, -1, "job %d: %s to %s", job, desc,
	             label);
	return PyLong_FromLong(job);
}

/* The lane of a worker (thread or process) called @name: the first job
 * of a worker makes it and says so. */
static int worker_lane(enum lane_kind kind, const char *name, double t, const char *what)
{
	int lane = timeline_lane(obs.tl, kind, name);
	timeline_add(obs.tl, t, lane, K_WORKER, 0, 0, -1, "%s", what);
	return lane;
}

static void started(int job, int lane, double t)
{
	pthread_mutex_lock(&obs.lock);
	struct obs_job *j = job > 0 && (size_t)job < obs.jobcap ? &obs.jobs[job] : NULL;
	double waited = j ? t - j->submitted : 0;
	int line = j ? j->line : 0;
	if (j) {
		j->started = t;
		j->lane = lane;
		if (waited > obs.max_queue_wait)
			obs.max_queue_wait = waited;
	}
	pthread_mutex_unlock(&obs.lock);
	timeline_add(obs.tl, t, lane, K_JOB_START, line, job, waited,
	             "job %d (waited %.3f ms in the queue)", job, waited * 1e3);
}

static void finished(int job, int lane, double t, enum tl_kind kind, const char *how)
{
	pthread_mutex_lock(&obs.lock);
	double since = job > 0 && (size_t)job < obs.jobcap ? obs.jobs[job].started : t;
	pthread_mutex_unlock(&obs.lock);
	timeline_add(obs.tl, t, lane, kind, 0, job, t - since, "job %d %s after %.3f s", job, how,
	             t - since);
}

/* job_started(job, pool, index): this thread, worker @index of @pool, runs @job. */
static PyObject *m_job_started(PyObject *m, PyObject *args)
{
	int job, index;
	const char *pool;
	if (!PyArg_ParseTuple(args, "isi:job_started", &job, &pool, &index))
		return NULL;
	if (!obs.tl || job <= 0)
		Py_RETURN_NONE;
	double now = clock_real_now();
	if (!obs_worker_lane) {
		struct buf name = { 0 }, what = { 0 };
		buf_printf(&name, "%s/%d", pool, index + 1);
		buf_printf(&what, "worker thread %d started", index + 1);
		obs_worker_lane = worker_lane(LANE_THREAD, name.data, now, what.data) + 1;
		buf_free(&name);
		buf_free(&what);
	}
	started(job, obs_worker_lane - 1, now);
	obs_gil_job(obs_worker_lane - 1, true);
	Py_RETURN_NONE;
}

/* The job @job of this worker thread is over, at @now: it raised @error
 * (its repr), or returned (NULL). Once a job. */
static void thread_job_over(int job, const char *error, double now)
{
	pthread_mutex_lock(&obs.lock);
	struct obs_job *j = (size_t)job < obs.jobcap ? &obs.jobs[job] : NULL;
	bool ended = j && j->ended;
	if (j)
		j->ended = true;
	pthread_mutex_unlock(&obs.lock);
	if (ended)
		return;
	obs_gil_job(obs_worker_lane - 1, false);
	if (!error) {
		finished(job, obs_worker_lane - 1, now, K_JOB_DONE, "done");
	} else {
		struct buf how = { 0 };
		buf_printf(&how, "raised %s", error);
		finished(job, obs_worker_lane - 1, now, K_ERROR, how.data);
		buf_free(&how);
	}
}

/* job_finished(job, error): the job of this worker thread is over;
 * @error is the exception's repr, 'cancelled' or None. Its Job said so
 * when it ran; this says a job dropped from the queue. */
static PyObject *m_job_finished(PyObject *m, PyObject *args)
{
	int job;
	PyObject *error;
	if (!PyArg_ParseTuple(args, "iO:job_finished", &job, &error))
		return NULL;
	if (!obs.tl || job <= 0 || !obs_worker_lane)
		Py_RETURN_NONE;
	double now = clock_real_now();
	pthread_mutex_lock(&obs.lock);
	const struct obs_job *j = (size_t)job < obs.jobcap ? &obs.jobs[job] : NULL;
	bool ran = !j || j->lane >= 0;
	double submitted = j ? j->submitted : now;
	pthread_mutex_unlock(&obs.lock);
	if (!ran) {
		/* Its future was cancelled in the queue (the pool shut down, the
		 * run stopped): the worker drops it without running it. */
		timeline_add(obs.tl, now, obs_worker_lane - 1, K_CANCEL, 0, job, now - submitted,
		             "job %d cancelled in the queue after %.3f s: it never started", job,
		             now - submitted);
		Py_RETURN_NONE;
	}
	const char *s = PyUnicode_Check(error) ? PyUnicode_AsUTF8(error) : NULL;
	thread_job_over(job, error == Py_None ? NULL : s ? s : "failed", now);
	Py_RETURN_NONE;
}

/* after_fork(): in a child forked by the program (a worker process of a
 * pool, most often): it dies with aiodemo, even after kill -9, so that
 * no worker outlives a run. */
static pid_t self_pid; /* this process's pid; a child finds its parent's here */

static PyObject *m_after_fork(PyObject *m, PyObject *unused)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		return PyErr_SetFromErrno(PyExc_OSError);
	/* The parent died before the line above: this child is another's now
	 * (init's, or a subreaper's), and no signal will come. */
	if (self_pid && getppid() != self_pid)
		_exit(1);
	self_pid = getpid();
	Py_RETURN_NONE;
}

PyMethodDef obs_job_methods[] = {
	{ "after_fork", m_after_fork, METH_NOARGS,
	  "after_fork(): in a forked child, die with aiodemo" },
	{ "job_submitted", m_job_submitted, METH_VARARGS,
	  "job_submitted(pool, description, line=0) -> job number" },
	{ "job_started", m_job_started, METH_VARARGS, "job_started(job, pool, worker_index)" },
	{ "job_finished", m_job_finished, METH_VARARGS, "job_finished(job, error_repr_or_None)" },
	{ NULL, NULL, 0, NULL },
};

/* ---- the channel from worker processes ---- */

void obs_channel_send(int kind, int job, const char *label, const char *text, size_t len)
{
	if (obs.chan[1] < 0)
		return;
	char rec[CHAN_MAX];
	size_t llen = strlen(label);
	if (llen > 63)
		llen = 63;
	if (len > CHAN_MAX - sizeof(struct chan_head) - llen)
		len = CHAN_MAX - sizeof(struct chan_head) - llen;
	struct chan_head h = { (uint32_t)(sizeof(h) + llen + len),
		               (uint8_t)kind,
		               (uint8_t)llen,
		               (int32_t)getpid(),
		               job,
		               clock_real_now() };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), label, llen);
	memcpy(rec + sizeof(h) + llen, text, len);
	ssize_t n;
	while ((n = write(obs.chan[1], rec, h.len)) < 0 && errno == EINTR)
		;
}

struct proc_lane {
	pid_t pid;
	int lane;
};

static void on_record(const struct chan_head *h, const char *label, const char *text, size_t tlen,
                      struct proc_lane **lanes, size_t *nlanes)
{
	int lane = -1;
	for (size_t i = 0; i < *nlanes; i++)
		if ((*lanes)[i].pid == h->pid)
			lane = (*lanes)[i].lane;
	double t = h->t;
	if (lane < 0) {
		/* The index of a worker process is its rank among those of its pool. */
		int rank = 1;
		for (size_t i = 0; i < *nlanes; i++) {
			const char *n = timeline_lane_name(obs.tl, (*lanes)[i].lane);
			size_t ll = strlen(label);
			rank += !strncmp(n, label, ll) && n[ll] == '/';
		}
		struct buf name = { 0 }, what = { 0 };
		if (*label)
			buf_printf(&name, "%s/%d", label, rank);
		else
			buf_printf(&name, "process %d", (int)h->pid);
		buf_printf(&what, "worker process started (pid %d)", (int)h->pid);
		lane = worker_lane(LANE_PROCESS, name.data, t, what.data);
		buf_free(&name);
		buf_free(&what);
		*lanes = xrealloc(*lanes, (*nlanes + 1) * sizeof(**lanes));
		(*lanes)[(*nlanes)++] = (struct proc_lane){ h->pid, lane };
	}
	switch (h->kind) {
	case CH_START:
		started(h->job, lane, t);
		break;
	case CH_DONE:
		finished(h->job, lane, t, K_JOB_DONE, "done");
		break;
	case CH_ERROR:
		finished(h->job, lane, t, K_ERROR, tlen ? "raised" : "failed");
		break;
	case CH_SAY:
	case CH_STDERR:
		timeline_add(obs.tl, t, lane, h->kind == CH_SAY ? K_SAY : K_STDERR, 0, h->job, -1,
		             "%.*s", (int)tlen, text);
		break;
	}
}

static int stop_pipe[2] = { -1, -1 };

/* Reads records until told to stop, then takes what is left in the pipe:
 * a worker process that outlives the run cannot hold it up. */
static void *channel_reader(void *arg)
{
	struct proc_lane *lanes = NULL;
	size_t nlanes = 0;
	char buf[CHAN_MAX * 4];
	size_t have = 0;
	bool stopping = false;
	for (;;) {
		if (!stopping) {
			struct pollfd p[2] = { { obs.chan[0], POLLIN, 0 },
				               { stop_pipe[0], POLLIN, 0 } };
			if (poll(p, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (p[1].revents) {
				stopping = true;
				fcntl(obs.chan[0], F_SETFL, O_NONBLOCK);
			}
		}
		ssize_t n = read(obs.chan[0], buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !stopping)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		size_t off = 0;
		while (have - off >= sizeof(struct chan_head)) {
			struct chan_head h;
			memcpy(&h, buf + off, sizeof(h));
			if (h.len < sizeof(h) || h.len > CHAN_MAX) {
				off = have; /* not ours: drop what is there */
				break;
			}
			if (have - off < h.len)
				break;
			const char *label = buf + off + sizeof(h);
			char lb[64];
			memcpy(lb, label, h.label_len);
			lb[h.label_len] = '\0';
			on_record(&h, lb, label + h.label_len, h.len - sizeof(h) - h.label_len,
			          &lanes, &nlanes);
			off += h.len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	free(lanes);
	return NULL;
}

int obs_channel_start(void)
{
	if (pipe2(obs.chan, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(stop_pipe, O_CLOEXEC) != 0) {
		close(obs.chan[0]);
		close(obs.chan[1]);
		obs.chan[0] = obs.chan[1] = -1;
		return -1;
	}
	if (pthread_create(&obs.reader, NULL, channel_reader, NULL) != 0) {
		close(obs.chan[0]);
		close(obs.chan[1]);
		obs.chan[0] = obs.chan[1] = -1;
		return -1;
	}
	obs.reader_started = true;
	return 0;
}

void obs_channel_stop(void)
{
	if (obs.chan[1] >= 0) {
		close(obs.chan[1]);
		obs.chan[1] = -1;
	}
	if (obs.reader_started) {
		ssize_t n;
		while ((n = write(stop_pipe[1], "", 1)) < 0 && errno == EINTR)
			;
		pthread_join(obs.reader, NULL);
		obs.reader_started = false;
	}
	for (int i = 0; i < 2; i++)
		if (stop_pipe[i] >= 0) {
			close(stop_pipe[i]);
			stop_pipe[i] = -1;
		}
	if (obs.chan[0] >= 0) {
		close(obs.chan[0]);
		obs.chan[0] = -1;
	}
}

/* ---- Job: a job's function, wrapped ---- */

typedef struct {
	PyObject_HEAD PyObject *fn;
	int job;
	PyObject *label;
} Job;

static PyObject *job_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	PyObject *fn, *label;
	int job;
	if (!PyArg_ParseTuple(args, "OiU:Job", &fn, &job, &label))
		return NULL;
	Job *self = (Job *)type->tp_alloc(type, 0);
	if (!self)
		return NULL;
	Py_INCREF(fn);
	Py_INCREF(label);
	self->fn = fn;
	self->job = job;
	self->label = label;
	return (PyObject *)self;
}

static void job_dealloc(Job *self)
{
	Py_XDECREF(self->fn);
	Py_XDECREF(self->label);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The exception being raised, as the timeline names it: its repr, cut to
 * 80 characters (77 and "..."); the exception stays set. */
static void raised_text(struct buf *b)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *r = value ? PyObject_Repr(value) : NULL;
	if (r && PyUnicode_GET_LENGTH(r) > 80) {
		PyObject *cut = PyUnicode_Substring(r, 0, 77);
		Py_SETREF(r, cut ? PyUnicode_FromFormat("%U...", cut) : NULL);
		Py_XDECREF(cut);
	}
	const char *s = r ? PyUnicode_AsUTF8(r) : NULL;
	buf_puts(b, s ? s : "?");
	Py_XDECREF(r);
	PyErr_Clear();
	PyErr_Restore(type, value, tb);
}

static PyObject *job_call(Job *self, PyObject *args, PyObject *kwds)
{
	const char *label = PyUnicode_AsUTF8(self->label);
	if (!label)
		return NULL;
	bool child = getpid() != obs.pid;
	if (child) {
		child_job = self->job;
		snprintf(child_label, sizeof(child_label), "%s", label);
		obs_channel_send(CH_START, self->job, label, "", 0);
	}
	PyObject *r = PyObject_Call(self->fn, args, kwds);
	if (child) {
		obs_channel_send(r ? CH_DONE : CH_ERROR, self->job, label, "", 0);
		child_job = 0;
	} else if (obs.tl && self->job > 0 && obs_worker_lane) {
		double now = clock_real_now();
		struct buf error = { 0 };
		if (!r)
			raised_text(&error);
		thread_job_over(self->job, r ? NULL : error.data, now);
		buf_free(&error);
	}
	return r;
}

static PyObject *job_reduce(Job *self, PyObject *unused)
{
	return Py_BuildValue("(O(OiO))", Py_TYPE(self), self->fn, self->job, self->label);
}

static PyMethodDef job_methods[] = {
	{ "__reduce__", (PyCFunction)job_reduce, METH_NOARGS, NULL },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject job_type = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_aiodemo.Job",
	.tp_doc = "Job(fn, job, pool): calls fn as job @job of @pool, on a worker thread or in a "
	          "worker process, reporting its end as it returns.",
	.tp_basicsize = sizeof(Job),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_new = job_new,
	.tp_dealloc = (destructor)job_dealloc,
	.tp_call = (ternaryfunc)job_call,
	.tp_methods = job_methods,
};

int obs_add_job(PyObject *module)
{
	self_pid = getpid(); /* the module is made once, in aiodemo's process */
	return PyModule_AddType(module, &job_type);
}

void obs_child_line(bool err, const char *text, size_t len)
{
	obs_channel_send(err ? CH_STDERR : CH_SAY, child_job, child_label, text, len);
}
