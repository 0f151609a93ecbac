/* The sampler: a thread that notices a step of the loop running longer
 * than the slow threshold and reads, from the loop thread's Python frames,
 * the line it is stuck on, so that a blocked window names `time.sleep(2)`
 * at prog.py:12 and not just a task.
 *
 * It polls the step counter a few times per threshold and takes the GIL
 * only to read the frames of a step already too long: a loop thread in
 * time.sleep or I/O has released the GIL; one computing gives it up at the
 * next switch interval (5 ms). */
#include "obs.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/diag.h"

static PyThreadState *loop_tstate(void)
{
	PyInterpreterState *interp = PyInterpreterState_Main();
	for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts;
	     ts = PyThreadState_Next(ts))
		if (ts->thread_id == obs.loop_ident)
			return ts;
	return NULL;
}

/* With the GIL: the line of the program the loop thread runs. */
static void sample(unsigned long seq, double start)
{
	PyGILState_STATE g = PyGILState_Ensure();
	PyThreadState *ts = loop_tstate();
	pthread_mutex_lock(&obs.lock);
	bool same = obs.step_seq == seq;
	pthread_mutex_unlock(&obs.lock);
	if (ts && same) {
		PyFrameObject *f = PyThreadState_GetFrame(ts);
		int line = 0;
		PyObject *text = f ? obs_program_line((PyObject *)f, &line) : NULL;
		Py_XDECREF(f);
		const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
		char *what = xstrdup(s ? s : "");
		PyErr_Clear();
		Py_XDECREF(text);
		pthread_mutex_lock(&obs.lock);
		same = obs.step_seq == seq;
		int lane = obs.step_lane;
		if (same) {
			obs.sampled_seq = seq;
			obs.blocked_line = line;
			free(obs.blocked_what);
			obs.blocked_what = xstrdup(what);
			obs.blocked_reported = true;
		}
		pthread_mutex_unlock(&obs.lock);
		if (same) {
			if (line)
				timeline_add(obs.tl, start, lane, K_BLOCK, line, 0, -1,
				             "the loop is blocked at line %d: %s", line, what);
			else
				timeline_add(obs.tl, start, lane, K_BLOCK, 0, 0, -1,
				             "the loop is blocked");
		}
		free(what);
	}
	PyGILState_Release(g);
}

static void *sampler_main(void *arg)
{
	double period = obs.slow_real / 4;
	if (period < 0.0005)
		period = 0.0005;
	if (period > 0.02)
		period = 0.02;
	pthread_mutex_lock(&obs.lock);
	while (!obs.sampler_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long ns = ts.tv_nsec + (long)(period * 1e9);
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&obs.sampler_cond, &obs.lock, &ts);
		if (obs.sampler_stop)
			break;
		unsigned long seq = obs.step_seq;
		double start = obs.step_start_shared;
		if ((seq & 1) && obs.sampled_seq != seq &&
		    clock_real_now() - start >= obs.slow_real) {
			pthread_mutex_unlock(&obs.lock);
			sample(seq, start);
			pthread_mutex_lock(&obs.lock);
		}
	}
	pthread_mutex_unlock(&obs.lock);
	return NULL;
}

int obs_sampler_start(void)
{
	if (pthread_cond_init(&obs.sampler_cond, NULL) != 0)
		return -1;
	if (pthread_create(&obs.sampler, NULL, sampler_main, NULL) != 0) {
		pthread_cond_destroy(&obs.sampler_cond);
		return -1;
	}
	obs.sampler_started = true;
	return 0;
}

void obs_sampler_stop(void)
{
	if (!obs.sampler_started)
		return;
	pthread_mutex_lock(&obs.lock);
	obs.sampler_stop = true;
	pthread_cond_signal(&obs.sampler_cond);
	pthread_mutex_unlock(&obs.lock);
	Py_BEGIN_ALLOW_THREADS pthread_join(obs.sampler, NULL);
	Py_END_ALLOW_THREADS pthread_cond_destroy(&obs.sampler_cond);
	obs.sampler_started = false;
}
