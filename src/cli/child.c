/* Running a program in a child aiodemo process: see child.h. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/program.h"
#include "net/clients.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/signals.h"
#include "util/tmpfile.h"
#include "util/i18n.h"

extern char **environ;

static volatile pid_t running_child; /* 0 when none */
static char *volatile open_record;   /* the record of the run going on, or NULL */

void child_forward_signal(int sig)
{
	pid_t pid = running_child;
	if (pid > 0)
		kill(pid, sig);
}

bool child_active(void)
{
	return running_child > 0;
}

void child_discard_record(void)
{
	char *path = open_record;
	if (path)
		unlink(path);
}

/* Starts @argv, with stdin and stdout on /dev/null, as a child that dies
 * with this process: SIGKILL of check or compare leaves no run going on,
 * as SIGKILL of a run leaves no worker (what they leave in $TMPDIR the
 * next run removes). Returns 0, or the errno of what failed. */
static int spawn(const char *path, char **argv, pid_t *pid)
{
	int report[2];
	if (pipe2(report, O_CLOEXEC) != 0)
		return errno;
	pid_t parent = getpid();
	*pid = fork();
	if (*pid < 0) {
		int e = errno;
		close(report[0]);
		close(report[1]);
		return e;
	}
	if (*pid == 0) {
		/* Only async-signal-safe calls from here to execve(). The run
		 * starts with the signals that stop it held, as its own main()
		 * holds them: one that comes before it can take them (Ctrl-C
		 * reaches the whole process group) waits for the program. */
		sigset_t held;
		signals_stopping(&held);
		sigprocmask(SIG_BLOCK, &held, NULL);
		int e = 0, null = open("/dev/null", O_RDWR);
		if (null < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
			e = errno;
		else if (getppid() != parent)
			_exit(128 + SIGKILL); /* the parent died already */
		if (!e) {
			execve(path, argv, environ);
			e = errno;
		}
		ssize_t w = write(report[1], &e, sizeof(e));
		(void)w;
		_exit(127);
	}
	close(report[1]);
	int e = 0;
	ssize_t got;
	while ((got = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (got == (ssize_t)sizeof(e)) { /* execve() failed: the child has exited */
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		return e ? e : ECHILD;
	}
	return 0;
}

/* A fresh, empty file in $TMPDIR for the record; its path is malloc'd. */
static char *temp_record(void)
{
	char *path = tmp_make("record", false);
	if (!path)
		diag_error(_("cannot create a temporary file in %s: %s"), tmp_dir(),
		           strerror(errno));
	return path;
}

/* How long a child stopped by its timeout may take to report and end
 * before it is killed. */
#define KILL_GRACE 2.0

/* Waits for @pid and returns its wait status. Past @timeout seconds (0:
 * none) the child gets SIGTERM, and SIGKILL KILL_GRACE s later; *@timed_out
 * says whether it came to that. The child's end is watched through a pidfd
 * (Linux 5.3), or by looking every 10 ms on an older kernel. */
static int wait_child(pid_t pid, double timeout, bool *timed_out)
{
	int status = 0;
	*timed_out = false;
	if (timeout <= 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return status;
	}
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	int fd = -1;
#endif
	double deadline = clock_real_now() + timeout;
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			break;
		double left = deadline - clock_real_now();
		if (left <= 0 && !*timed_out) {
			kill(pid, SIGTERM);
			*timed_out = true;
			deadline = clock_real_now() + KILL_GRACE;
			continue;
		}
		if (left <= 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		/* A signal (Ctrl-C) ends the poll early: the loop looks again. */
		int ms = (int)(left * 1000) + 1;
		if (fd >= 0) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			poll(&pfd, 1, ms);
		} else {
			struct timespec ts = { 0, (ms < 10 ? ms : 10) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (fd >= 0)
		close(fd);
	return status;
}

/* Starts the child with the signals that stop a run held: one that comes
 * meanwhile, before the child is there to get it too, waits, and a Ctrl-C
 * is passed on to the child, which holds it until its program runs (a
 * SIGTERM, the command's handler passes on once running_child says whom
 * to). Returns what spawn() does. */
static int start(const char *self, char **argv, pid_t *pid)
{
	sigset_t stopping, old, pending;
	signals_stopping(&stopping);
	pthread_sigmask(SIG_BLOCK, &stopping, &old);
	int rc = spawn(self, argv, pid);
	if (rc == 0) {
		running_child = *pid;
		if (sigpending(&pending) == 0 && sigismember(&pending, SIGINT))
			kill(*pid, SIGINT);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int child_run(const char *target, const struct child_options *o, struct child_result *r)
{
	memset(r, 0, sizeof(*r));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		diag_error(_("cannot find aiodemo's own executable: %s"), strerror(errno));
		return -1;
	}
	self[n] = '\0';
	char *record = temp_record();
	if (!record)
		return -1;
	open_record = record;
	/* A server (its header's clients line) runs with its clients, on a free
	 * port: serve --clients N, which ends it once they are answered. */
	char clients[32] = "", port[32] = "";
	struct program *p = program_load(target);
	if (p && p->info.clients > 0) {
		snprintf(clients, sizeof(clients), "--clients=%d", p->info.clients);
		snprintf(port, sizeof(port), "--port=%d", clients_free_port());
	}
	program_free(p);
	char scale[32], slow[32], max_events[32];
	snprintf(scale, sizeof(scale), "%.17g", o->scale);
	snprintf(slow, sizeof(slow), "%.17g", o->slow);
	snprintf(max_events, sizeof(max_events), "--max-events=%zu", o->max_events);
	size_t argc = 0, cap = 20 + 2 * (size_t)o->nparams + (size_t)o->nargs;
	char **argv = xcalloc(cap, sizeof(char *));
	argv[argc++] = self;
	argv[argc++] = clients[0] ? "serve" : "run";
	if (clients[0]) {
		argv[argc++] = clients;
		argv[argc++] = port;
	}
	argv[argc++] = "--format=json";
	argv[argc++] = "--color=never";
	/* The child's diagnostics and messages speak the parent's language. */
	argv[argc++] = "--lang";
	argv[argc++] = (char *)i18n_lang_name();
	argv[argc++] = "--scale";
	argv[argc++] = scale;
	argv[argc++] = "--slow";
	argv[argc++] = slow;
	argv[argc++] = max_events;
	argv[argc++] = "--record";
	argv[argc++] = record;
	for (int i = 0; i < o->nparams; i++) {
		argv[argc++] = "--param";
		argv[argc++] = o->params[i];
	}
	/* The program, and its arguments even where they look like options. */
	argv[argc++] = "--";
	argv[argc++] = (char *)target;
	for (int i = 0; i < o->nargs; i++)
		argv[argc++] = o->args[i];
	argv[argc] = NULL;

	pid_t pid = 0;
	int rc = start(self, argv, &pid);
	free(argv);
	if (rc != 0) {
		diag_error(_("cannot start a run of %s: %s"), target, strerror(rc));
		open_record = NULL;
		unlink(record);
		free(record);
		return -1;
	}
	int status = wait_child(pid, o->timeout, &r->timed_out);
	running_child = 0;
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	/* A killed or crashed child had no chance to remove its files; the
	 * record of one may be cut short, and says nothing a timeout does not. */
	sigset_t stopping;
	signals_stopping(&stopping);
	bool broken = r->timed_out || (r->term_signal && !sigismember(&stopping, r->term_signal));
	if (r->term_signal)
		tmp_sweep();
	/* A child that failed before its run (a usage error) leaves the file empty. */
	FILE *f = broken ? NULL : fopen(record, "r");
	bool empty = !f || fgetc(f) == EOF;
	if (f)
		fclose(f);
	if (!empty && replay_load(record, o->out, o->format, o->color, false, &r->record) == 0)
		r->have_record = true;
	else if (!empty)
		replay_free(&r->record);
	open_record = NULL;
	unlink(record);
	free(record);
	return 0;
}

void child_result_free(struct child_result *r)
{
	if (r->have_record)
		replay_free(&r->record);
	r->have_record = false;
}
