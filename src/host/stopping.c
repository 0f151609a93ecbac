/* How signals stop a run: see stopping.h.
 *
 * SIGTERM and SIGHUP become the interruption Ctrl-C is (asyncio.run
 * cancels the main task; a second one raises KeyboardInterrupt where the
 * program is). When Python takes SIGINT, PyErr_SetInterruptEx() does that
 * from the signal handler. When it does not (SIGINT was ignored when
 * aiodemo started, as in a shell's background job or under nohup, or the
 * program ignores it), KeyboardInterrupt is raised where the program is by
 * a pending call: a thread that never takes a signal adds it, since
 * Py_AddPendingCall() cannot be called from a signal handler. A program
 * that sets its own handler for SIGTERM or SIGHUP keeps it. */
#include "stopping.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util/signals.h"

static volatile sig_atomic_t term_signal;
static int pipe_fds[2] = { -1, -1 }; /* signal handler -> interrupter */
static pthread_t interrupter;
static bool interrupter_started;
static bool running; /* the program runs; read and written with the GIL */

void stopping_hold(bool hold)
{
	sigset_t set;
	signals_stopping(&set);
	pthread_sigmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int interrupt_now(void *unused)
{
	(void)unused;
	if (!running)
		return 0;
	PyErr_SetNone(PyExc_KeyboardInterrupt);
	return -1;
}

static void *interrupter_main(void *unused)
{
	(void)unused;
	char c;
	for (;;) {
		ssize_t n = read(pipe_fds[0], &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == 'q')
			return NULL;
		/* Fails only when the queue is full: of this call, surely. */
		(void)Py_AddPendingCall(interrupt_now, NULL);
		/* Python 3.11 flags a call added from another thread only for
		 * that thread: asking for the GIL makes the main thread stop at
		 * its next instruction, where it makes the calls due. (Waiting,
		 * it makes them when its loop wakes, and when time.sleep ends.) */
		PyGILState_STATE g = PyGILState_Ensure();
		PyGILState_Release(g);
	}
}

static void on_term(int sig)
{
	term_signal = sig;
	struct sigaction cur;
	if (sigaction(SIGINT, NULL, &cur) == 0 &&
	    (cur.sa_handler == SIG_IGN || cur.sa_handler == SIG_DFL)) {
		int saved = errno;
		ssize_t n = write(pipe_fds[1], "t", 1);
		(void)n; /* a full pipe has stops enough in it */
		errno = saved;
		return;
	}
	PyErr_SetInterruptEx(SIGINT);
}

static void on_late(int sig)
{
	(void)sig;
}

/* on_term interrupts the call the program waits in, as Python's own
 * handlers do (PEP 475 then runs them); on_late lets it go on. */
static void set_handlers(void (*handler)(int), bool with_sigint)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = handler == on_late ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (with_sigint)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int stopping_begin(void)
{
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	/* The interrupter blocks in read(); only the handler's end writes
	 * without waiting. */
	int fl = fcntl(pipe_fds[0], F_GETFL);
	fcntl(pipe_fds[0], F_SETFL, fl & ~O_NONBLOCK);
	int err = pthread_create(&interrupter, NULL, interrupter_main, NULL);
	if (err != 0) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		pipe_fds[0] = pipe_fds[1] = -1;
		errno = err;
		return -1;
	}
	interrupter_started = true;
	running = true;
	set_handlers(on_term, false);
	return 0;
}

void stopping_end(void)
{
	stopping_hold(true);
	running = false;
	set_handlers(on_late, true);
	if (interrupter_started) {
		/* Blocking now: the handler, which alone wrote without waiting,
		 * can no longer run. */
		int fl = fcntl(pipe_fds[1], F_GETFL);
		fcntl(pipe_fds[1], F_SETFL, fl & ~O_NONBLOCK);
		ssize_t n;
		while ((n = write(pipe_fds[1], "q", 1)) < 0 && errno == EINTR)
			;
		PyThreadState *ts = PyEval_SaveThread(); /* it may wait for the GIL */
		pthread_join(interrupter, NULL);
		PyEval_RestoreThread(ts);
		interrupter_started = false;
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		pipe_fds[0] = pipe_fds[1] = -1;
	}
}

void stopping_ignore(void)
{
	set_handlers(on_late, true);
}

int stopping_signal(void)
{
	return term_signal;
}
