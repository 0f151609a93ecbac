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

/* Says that the loop is blocked since @start, at @line (0: not known). */
void obs_note_blocked(double start, int lane, int line, const char *what)
{
	if (line)
		timeline_add(obs.tl, start, lane, K_BLOCK, line, 0, -1,
		             "the loop is blocked at line %d: %s", line, what);
	else
		timeline_add(obs.tl, start, lane, K_BLOCK, 0, 0, -1, "the loop is blocked");
}

/* With the GIL: the line of the program the loop thread runs in step @seq,
 * kept for the blocked window; said at once when the step is already past
 * the threshold (@due). A step still in asyncio's own frames (a busy
 * machine can hold the loop thread back on its way into the program) is
 * read again a period later, until it is past the threshold twice over
 * (@last): a window is said without its line only when none comes. */
static void sample(unsigned long seq, double start, bool due, bool last)
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
		same = obs.step_seq == seq && (line || last);
		int lane = obs.step_lane;
		if (same) {
			obs.sampled_seq = seq;
			obs.blocked_line = line;
			free(obs.blocked_what);
			obs.blocked_what = xstrdup(what);
			obs.blocked_reported = due;
		}
		pthread_mutex_unlock(&obs.lock);
		if (same && due)
			obs_note_blocked(start, lane, line, what);
		free(what);
	}
	PyGILState_Release(g);
}

/* The sampler reads the line a little before the threshold (a period
 * early), so that a step that lasts just the threshold, time.sleep(0.1)
 * at --slow 0.1, has its line when it ends; and wakes at the threshold
 * itself, to say the loop is blocked while it still is. */
static void *sampler_main(void *arg)
{
	double period = obs.slow_real / 4;
	if (period < 0.0005)
		period = 0.0005;
	if (period > 0.02)
		period = 0.02;
	pthread_mutex_lock(&obs.lock);
	while (!obs.sampler_stop) {
		double wake = clock_real_now() + period;
		unsigned long seq = obs.step_seq;
		double start = obs.step_start_shared;
		if ((seq & 1) && !(obs.sampled_seq == seq && obs.blocked_reported) &&
		    start + obs.slow_real > clock_real_now() && start + obs.slow_real < wake)
			wake = start + obs.slow_real;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long ns = ts.tv_nsec + (long)((wake - clock_real_now()) * 1e9);
		if (ns < ts.tv_nsec)
			ns = ts.tv_nsec;
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec = ns % 1000000000L;
		pthread_cond_timedwait(&obs.sampler_cond, &obs.lock, &ts);
		if (obs.sampler_stop)
			break;
		/* A loop thread stuck in a step writes no more: what it printed
		 * before goes out all the same. */
		pthread_mutex_unlock(&obs.lock);
		timeline_flush_stale(obs.tl);
		pthread_mutex_lock(&obs.lock);
		seq = obs.step_seq;
		start = obs.step_start_shared;
		if (!(seq & 1))
			continue;
		if (obs.cpu_seq != seq && obs_loop_cpu(&obs.cpu_then) == 0) {
			obs.cpu_seq = seq;
			obs.cpu_at = clock_real_now();
		}
		double elapsed = clock_real_now() - start;
		bool due = elapsed >= obs.slow_real;
		if (obs.sampled_seq != seq && elapsed >= obs.slow_real - period) {
			pthread_mutex_unlock(&obs.lock);
			sample(seq, start, due, elapsed >= 2 * obs.slow_real);
			pthread_mutex_lock(&obs.lock);
		} else if (obs.sampled_seq == seq && !obs.blocked_reported && due) {
			/* Read early; past the threshold now. */
			obs.blocked_reported = true;
			int lane = obs.step_lane, line = obs.blocked_line;
			char *what = xstrdup(obs.blocked_what ? obs.blocked_what : "");
			pthread_mutex_unlock(&obs.lock);
			obs_note_blocked(start, lane, line, what);
			free(what);
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
