/* Unit tests for the process pool: jobs in other processes, parallelism,
 * events, worker deaths, teardown and orphan cleanup.  Prints TAP. */
#include "util/clock.h"
#include "bench/procpool.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum op { OP_SLEEP, OP_ECHO, OP_EXIT, OP_NORESULT };

/* Every request starts with this; OP_ECHO's payload follows it. */
struct req {
	int op;
	int nevents; /* OP_SLEEP: events spread over the sleep */
	double secs; /* OP_SLEEP */
	int code;    /* OP_EXIT */
};

struct res {
	pid_t pid;
};

/* Runs in the worker process. */
static void handler(void *ctx, const void *data, size_t len, struct pp_reply *r)
{
	(void)ctx;
	struct req q;
	if (len < sizeof(q)) {
		pp_reply_result(r, "short", 5);
		return;
	}
	memcpy(&q, data, sizeof(q));
	struct res out = { .pid = getpid() };
	switch (q.op) {
	case OP_SLEEP:
		for (int i = 0; i < q.nevents; i++) {
			pp_reply_event(r, &i, sizeof(i));
			clock_sleep(q.secs / q.nevents, NULL);
		}
		if (q.nevents == 0)
			clock_sleep(q.secs, NULL);
		pp_reply_result(r, &out, sizeof(out));
		break;
	case OP_ECHO:
		pp_reply_result(r, (const char *)data + sizeof(q), len - sizeof(q));
		break;
	case OP_EXIT:
		_exit(q.code);
	case OP_NORESULT:
		break;
	}
}

#define MAX_EVENTS 8

struct job {
	struct pp_job j;
	struct req q;
	int id;
	int status;
	int done_calls;
	struct res res;
	size_t reply_len;
	unsigned char *reply; /* OP_ECHO: a copy of the reply */
	int nevents;
	int event_seq[MAX_EVENTS];
	double event_t[MAX_EVENTS];
	struct ctx *ctx;
};

struct ctx {
	struct procpool *pool;
	int done_order[16];
	int ndone;
	int started;      /* jobs that sent their first event */
	int break_after;  /* ev_break once this many have started */
	bool kill_on_event;
};

static void on_event(struct pp_job *pj, double t, const void *msg, size_t len)
{
	struct job *j = pj->data;
	struct ctx *c = j->ctx;
	if (j->nevents < MAX_EVENTS && len == sizeof(int)) {
		memcpy(&j->event_seq[j->nevents], msg, sizeof(int));
		j->event_t[j->nevents] = t;
	}
	if (j->nevents++ == 0) {
		c->started++;
		if (c->kill_on_event)
			kill(pj->pid, SIGKILL);
		if (c->break_after && c->started == c->break_after)
			ev_break(EV_DEFAULT, EVBREAK_ALL);
	}
}

static void on_done(struct pp_job *pj, int status, const void *reply, size_t len)
{
	struct job *j = pj->data;
	struct ctx *c = j->ctx;
	j->status = status;
	j->done_calls++;
	j->reply_len = len;
	if (j->q.op == OP_ECHO) {
		j->reply = malloc(len ? len : 1);
		if (j->reply)
			memcpy(j->reply, reply, len);
	} else if (len == sizeof(j->res)) {
		memcpy(&j->res, reply, len);
	}
	if (c->ndone < 16)
		c->done_order[c->ndone] = j->id;
	c->ndone++;
}

static void init_job(struct job *j, struct ctx *c, int id, int op, double secs, int nevents)
{
	memset(j, 0, sizeof(*j));
	j->q.op = op;
	j->q.secs = secs;
	j->q.nevents = nevents;
	j->id = id;
	j->status = -1;
	j->ctx = c;
	j->j.req = &j->q;
	j->j.req_len = sizeof(j->q);
	j->j.event = on_event;
	j->j.done = on_done;
	j->j.data = j;
}

static struct procpool *new_pool(const char *name, int n)
{
	struct procpool *p = procpool_new(EV_DEFAULT, name, n, handler, NULL);
	if (!p) {
		perror("procpool_new");
		exit(1);
	}
	return p;
}

/* Reads /proc/PID/FILE into @buf, without the trailing newline. */
static bool read_proc(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return true;
}

/* Highest open descriptor of @pid, or -1. */
static int highest_fd(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int max = -1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) > max)
			max = atoi(e->d_name);
	closedir(d);
	return max;
}

static unsigned long long ignored_signals(pid_t pid)
{
	char buf[4096];
	if (!read_proc(pid, "status", buf, sizeof(buf)))
		return 0;
	const char *s = strstr(buf, "SigIgn:");
	return s ? strtoull(s + 7, NULL, 16) : 0;
}

static void test_arguments(void)
{
	tap_diag("argument checks");
	struct ev_loop *other = ev_loop_new(EVFLAG_AUTO);
	errno = 0;
	CHECK(procpool_new(other, "x", 1, handler, NULL) == NULL);
	CHECK_INT_EQ(errno, EINVAL);
	ev_loop_destroy(other);
	errno = 0;
	CHECK(procpool_new(EV_DEFAULT, "x", 0, handler, NULL) == NULL);
	CHECK_INT_EQ(errno, EINVAL);
	procpool_destroy(NULL);
}

static void test_basic(void)
{
	tap_diag("a job runs in a worker process");
	struct ctx c = { 0 };
	struct job a;
	c.pool = new_pool("pp", 2);
	CHECK_INT_EQ(procpool_size(c.pool), 2);
	CHECK_STR_EQ(procpool_name(c.pool), "pp");
	pid_t p1 = procpool_pid(c.pool, 1), p2 = procpool_pid(c.pool, 2);
	CHECK_INT_GT(p1, 0);
	CHECK_INT_GT(p2, 0);
	CHECK_INT_NE(p1, p2);
	CHECK_INT_NE(p1, getpid());
	CHECK_INT_EQ(procpool_pid(c.pool, 0), -1);
	CHECK_INT_EQ(procpool_pid(c.pool, 3), -1);

	/* Nothing to do: the pool must not keep the loop running. */
	double t0 = clock_now();
	ev_run(EV_DEFAULT, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);

	/* Two overlapping jobs, so each worker has certainly finished
	 * setting itself up before it is inspected below. */
	struct job b;
	init_job(&a, &c, 0, OP_SLEEP, 0.05, 0);
	init_job(&b, &c, 1, OP_SLEEP, 0.05, 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	CHECK_INT_EQ(procpool_outstanding(c.pool), 1);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(b.status, 0);
	CHECK_INT_NE(a.j.worker, b.j.worker);
	CHECK_INT_EQ(a.status, 0);
	CHECK_INT_EQ(a.done_calls, 1);
	CHECK_INT_EQ(procpool_outstanding(c.pool), 0);
	CHECK_INT_EQ(a.reply_len, sizeof(struct res));
	CHECK_INT_NE(a.res.pid, getpid());
	CHECK_INT_EQ(a.res.pid, a.j.pid);
	CHECK_INT_EQ(a.j.pid, procpool_pid(c.pool, a.j.worker));
	CHECK_DBL_LE(a.j.t_submit, a.j.t_start);
	CHECK_DBL_LE(a.j.t_start, a.j.t_end);
	CHECK_DBL_LE(a.j.t_end, clock_now());
	CHECK_STR_EQ(a.j.error, "");

	/* What the worker looks like from outside. */
	char comm[32] = "";
	CHECK(read_proc(p1, "comm", comm, sizeof(comm)));
	CHECK_STR_EQ(comm, "aio-pp/1");
	CHECK(read_proc(p2, "comm", comm, sizeof(comm)));
	CHECK_STR_EQ(comm, "aio-pp/2");
	CHECK_INT_EQ(highest_fd(p1), 4);
	CHECK_INT_EQ(highest_fd(p2), 4);
	CHECK(ignored_signals(p1) & (1ULL << (SIGINT - 1)));
	procpool_destroy(c.pool);
}

static void test_parallel(void)
{
	tap_diag("two workers run two jobs at the same time");
	const double d = 0.1;
	struct ctx c = { 0 };
	struct job a, b;
	c.pool = new_pool("par", 2);
	init_job(&a, &c, 0, OP_SLEEP, d, 0);
	init_job(&b, &c, 1, OP_SLEEP, d, 0);
	double t0 = clock_now();
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	ev_run(EV_DEFAULT, 0);
	double elapsed = clock_now() - t0;
	CHECK_INT_EQ(a.status, 0);
	CHECK_INT_EQ(b.status, 0);
	CHECK_INT_NE(a.j.worker, b.j.worker);
	CHECK_INT_NE(a.res.pid, b.res.pid);
	/* One after the other would take 2 * d. */
	CHECK_DBL_BETWEEN(elapsed, d - 0.001, 1.9 * d);
	procpool_destroy(c.pool);
}

static void test_fifo(void)
{
	tap_diag("one worker takes queued jobs in FIFO order");
	struct ctx c = { 0 };
	struct job jobs[5];
	c.pool = new_pool("fifo", 1);
	for (int i = 0; i < 5; i++) {
		init_job(&jobs[i], &c, i, OP_SLEEP, 0.01, 0);
		CHECK_INT_EQ(procpool_submit(c.pool, &jobs[i].j), 0);
	}
	CHECK_INT_EQ(procpool_outstanding(c.pool), 5);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(c.ndone, 5);
	int in_order = 1, serial = 1;
	for (int i = 0; i < 5; i++) {
		in_order &= c.done_order[i] == i && jobs[i].status == 0 && jobs[i].j.worker == 1;
		if (i > 0)
			serial &= jobs[i].j.t_start >= jobs[i - 1].j.t_end;
	}
	CHECK(in_order);
	CHECK(serial);
	procpool_destroy(c.pool);
}

static void test_events(void)
{
	tap_diag("events arrive in order, inside the job's run");
	struct ctx c = { 0 };
	struct job a;
	c.pool = new_pool("ev", 1);
	init_job(&a, &c, 0, OP_SLEEP, 0.05, 5);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(a.status, 0);
	CHECK_INT_EQ(a.nevents, 5);
	int in_order = 1, inside = 1, rising = 1;
	for (int i = 0; i < a.nevents && i < MAX_EVENTS; i++) {
		in_order &= a.event_seq[i] == i;
		inside &= a.event_t[i] >= a.j.t_start && a.event_t[i] <= a.j.t_end;
		if (i > 0)
			rising &= a.event_t[i] >= a.event_t[i - 1];
	}
	CHECK(in_order);
	CHECK(inside);
	CHECK(rising);
	CHECK_DBL_GE(a.j.t_end - a.j.t_start, 0.049);
	procpool_destroy(c.pool);
}

static void test_payloads(void)
{
	tap_diag("large, empty and missing payloads");
	struct ctx c = { 0 };
	c.pool = new_pool("big", 1);

	/* Far beyond a pipe's buffer in both directions. */
	const size_t n = (size_t)1 << 20;
	unsigned char *req = malloc(sizeof(struct req) + n);
	CHECK(req != NULL);
	if (!req)
		return;
	struct job big;
	init_job(&big, &c, 0, OP_ECHO, 0, 0);
	memcpy(req, &big.q, sizeof(big.q));
	for (size_t i = 0; i < n; i++)
		req[sizeof(struct req) + i] = (unsigned char)(i * 7 + i / 251);
	big.j.req = req;
	big.j.req_len = sizeof(struct req) + n;

	struct job empty, none;
	init_job(&empty, &c, 1, OP_SLEEP, 0, 0);
	empty.j.req = NULL;
	empty.j.req_len = 0;
	init_job(&none, &c, 2, OP_NORESULT, 0, 0);

	CHECK_INT_EQ(procpool_submit(c.pool, &big.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &empty.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &none.j), 0);
	ev_run(EV_DEFAULT, 0);

	CHECK_INT_EQ(big.status, 0);
	CHECK_INT_EQ(big.reply_len, n);
	CHECK(big.reply && big.reply_len == n && memcmp(big.reply, req + sizeof(struct req), n) == 0);
	CHECK_INT_EQ(empty.status, 0);
	CHECK_INT_EQ(empty.reply_len, 5); /* "short" */
	CHECK_INT_EQ(none.status, 0);
	CHECK_INT_EQ(none.reply_len, 0);
	CHECK_DBL_GT(none.j.t_end, 0);
	free(big.reply);
	free(req);
	procpool_destroy(c.pool);
}

static void test_cancel(void)
{
	tap_diag("cancelling a queued job");
	struct ctx c = { 0 };
	struct job a, b, d;
	c.pool = new_pool("cancel", 1);
	init_job(&a, &c, 0, OP_SLEEP, 0.05, 0);
	init_job(&b, &c, 1, OP_SLEEP, 0, 0);
	init_job(&d, &c, 2, OP_SLEEP, 0, 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &d.j), 0);
	CHECK(!procpool_cancel(c.pool, &a.j)); /* already with the worker */
	CHECK(procpool_cancel(c.pool, &b.j));
	CHECK(!procpool_cancel(c.pool, &b.j));
	CHECK_INT_EQ(b.done_calls, 0);
	CHECK_INT_EQ(procpool_outstanding(c.pool), 3);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(b.status, ECANCELED);
	CHECK_INT_EQ(b.done_calls, 1);
	CHECK_INT_EQ(b.j.pid, 0);
	CHECK_INT_EQ(a.status, 0);
	CHECK_INT_EQ(d.status, 0);
	CHECK_INT_EQ(procpool_outstanding(c.pool), 0);
	procpool_destroy(c.pool);
}

static void test_killed_worker(void)
{
	tap_diag("a worker killed mid-job fails the job; the pool carries on");
	struct ctx c = { .kill_on_event = true };
	struct job a, b;
	c.pool = new_pool("kill", 2);
	init_job(&a, &c, 0, OP_SLEEP, 5.0, 1);
	double t0 = clock_now();
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_DBL_LT(clock_now() - t0, 2.0);
	CHECK_INT_EQ(a.status, EPIPE);
	CHECK_INT_EQ(a.done_calls, 1);
	char want[128];
	snprintf(want, sizeof(want), "worker process %d was killed by signal %d (%s)",
		 (int)a.j.pid, SIGKILL, strsignal(SIGKILL));
	CHECK_STR_EQ(a.j.error, want);
	CHECK_STR_CONTAINS(a.j.error, "signal 9");
	CHECK_INT_EQ(procpool_pid(c.pool, a.j.worker), -1);

	c.kill_on_event = false;
	init_job(&b, &c, 1, OP_SLEEP, 0.01, 1);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(b.status, 0);
	CHECK_INT_NE(b.j.worker, a.j.worker);
	CHECK_INT_NE(b.res.pid, a.j.pid);
	procpool_destroy(c.pool);
}

static void test_dead_idle_worker(void)
{
	tap_diag("a job sent to a worker that died idle goes to another");
	struct ctx c = { 0 };
	struct job a;
	c.pool = new_pool("idle", 2);
	pid_t dead = procpool_pid(c.pool, 1);
	CHECK_INT_EQ(kill(dead, SIGKILL), 0);
	/* Wait for the death without reaping, so the pool has not noticed. */
	siginfo_t si;
	CHECK_INT_EQ(waitid(P_PID, (id_t)dead, &si, WEXITED | WNOWAIT), 0);
	/* This test process does not ignore SIGPIPE: surviving the write
	 * to the dead worker is part of the test. */
	init_job(&a, &c, 0, OP_SLEEP, 0, 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(a.status, 0);
	CHECK_INT_EQ(a.j.worker, 2);
	CHECK_INT_NE(a.res.pid, dead);
	CHECK_INT_EQ(procpool_pid(c.pool, 1), -1);
	procpool_destroy(c.pool);
}

static void test_last_worker_exits(void)
{
	tap_diag("when the last worker exits, queued jobs fail too");
	struct ctx c = { 0 };
	struct job a, b, d;
	c.pool = new_pool("exit", 1);
	init_job(&a, &c, 0, OP_EXIT, 0, 0);
	a.q.code = 3;
	init_job(&b, &c, 1, OP_SLEEP, 0, 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	ev_run(EV_DEFAULT, 0);
	CHECK_INT_EQ(a.status, EPIPE);
	CHECK_STR_CONTAINS(a.j.error, "exited with status 3");
	CHECK_INT_EQ(b.status, EPIPE);
	CHECK_STR_CONTAINS(b.j.error, "no worker process left");
	CHECK_INT_EQ(procpool_pid(c.pool, 1), -1);
	init_job(&d, &c, 2, OP_SLEEP, 0, 0);
	errno = 0;
	CHECK_INT_EQ(procpool_submit(c.pool, &d.j), -1);
	CHECK_INT_EQ(errno, EPIPE);
	CHECK_INT_EQ(procpool_outstanding(c.pool), 0);
	procpool_destroy(c.pool);
}

static void test_destroy(void)
{
	tap_diag("destroy cancels, kills busy workers and reaps them all");
	struct ctx c = { .break_after = 2 };
	struct job a, b, d;
	c.pool = new_pool("destroy", 2);
	init_job(&a, &c, 0, OP_SLEEP, 5.0, 1);
	init_job(&b, &c, 1, OP_SLEEP, 5.0, 1);
	init_job(&d, &c, 2, OP_SLEEP, 0, 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &a.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &b.j), 0);
	CHECK_INT_EQ(procpool_submit(c.pool, &d.j), 0);
	ev_run(EV_DEFAULT, 0); /* until both have started */
	CHECK_INT_EQ(c.started, 2);
	CHECK_INT_EQ(c.ndone, 0);

	double t0 = clock_now();
	procpool_destroy(c.pool);
	CHECK_DBL_LT(clock_now() - t0, 1.0);
	CHECK_INT_EQ(c.ndone, 3);
	CHECK_INT_EQ(c.done_order[0], 2);
	CHECK_INT_EQ(d.status, ECANCELED);
	CHECK_INT_EQ(a.status, EPIPE);
	CHECK_INT_EQ(b.status, EPIPE);
	CHECK_STR_CONTAINS(a.j.error, "killed by signal 9");
	CHECK_STR_CONTAINS(b.j.error, "killed by signal 9");
	errno = 0;
	CHECK_INT_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_INT_EQ(errno, ECHILD);
	t0 = clock_now();
	ev_run(EV_DEFAULT, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);

	tap_diag("destroying an idle pool lets the workers exit by themselves");
	c.pool = new_pool("quiet", 3);
	t0 = clock_now();
	procpool_destroy(c.pool);
	CHECK_DBL_LT(clock_now() - t0, 0.5);
	errno = 0;
	CHECK_INT_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_INT_EQ(errno, ECHILD);
}

static void test_new_failure_cleans_up(void)
{
	tap_diag("procpool_new that fails part-way leaves no worker behind");
	/*
	 * Leave exactly five free descriptor numbers: the first worker takes
	 * four and gives two back, so the second worker's second pipe fails.
	 */
	struct rlimit old;
	CHECK_INT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
	int nfree = 0, fd = 0;
	for (; nfree < 5; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			nfree++;
	struct rlimit low = { .rlim_cur = (rlim_t)fd, .rlim_max = old.rlim_max };
	CHECK_INT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
	errno = 0;
	struct procpool *p = procpool_new(EV_DEFAULT, "nofd", 3, handler, NULL);
	int err = errno;
	CHECK_INT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
	CHECK(p == NULL);
	CHECK_INT_EQ(err, EMFILE);
	if (p)
		procpool_destroy(p);
	errno = 0;
	CHECK_INT_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_INT_EQ(errno, ECHILD);
	/* Nothing left registered with the loop either. */
	double t0 = clock_now();
	ev_run(EV_DEFAULT, 0);
	CHECK_DBL_LT(clock_now() - t0, 0.5);
}

static void test_parent_killed(void)
{
	tap_diag("workers die with their parent");
	/* Orphans come to us instead of to init, so we can reap and check them. */
	CHECK_INT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int fds[2];
	CHECK_INT_EQ(pipe(fds), 0);
	pid_t sub = fork();
	if (sub == 0) {
		close(fds[0]);
		ev_loop_fork(EV_DEFAULT);
		struct procpool *p = procpool_new(EV_DEFAULT, "orphan", 2, handler, NULL);
		if (!p)
			_exit(1);
		/*
		 * Keep both workers busy in a long job when the parent dies:
		 * an idle worker would also leave on EOF of its request pipe,
		 * so only a busy one shows that PDEATHSIG does its part.
		 */
		struct ctx c = { .pool = p, .break_after = 2 };
		struct job a, b;
		init_job(&a, &c, 0, OP_SLEEP, 30.0, 1);
		init_job(&b, &c, 1, OP_SLEEP, 30.0, 1);
		if (procpool_submit(p, &a.j) < 0 || procpool_submit(p, &b.j) < 0)
			_exit(1);
		ev_run(EV_DEFAULT, 0);
		if (c.started != 2)
			_exit(1);
		pid_t pids[2] = { procpool_pid(p, 1), procpool_pid(p, 2) };
		if (write(fds[1], pids, sizeof(pids)) != (ssize_t)sizeof(pids))
			_exit(1);
		for (;;)
			pause();
	}
	CHECK_INT_GE(sub, 0);
	if (sub < 0)
		return;
	close(fds[1]);
	pid_t pids[2] = { -1, -1 };
	ssize_t n = read(fds[0], pids, sizeof(pids));
	close(fds[0]);
	CHECK_INT_EQ(n, sizeof(pids));
	CHECK(pids[0] > 0 && pids[1] > 0);
	CHECK_INT_EQ(kill(sub, SIGKILL), 0);
	int status = 0;
	CHECK_INT_EQ(waitpid(sub, &status, 0), sub);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	if (n != sizeof(pids) || pids[0] <= 0 || pids[1] <= 0)
		return;

	bool reaped[2] = { false, false };
	int sig[2] = { 0, 0 };
	double t0 = clock_now();
	while ((!reaped[0] || !reaped[1]) && clock_now() - t0 < 2.0) {
		for (int i = 0; i < 2; i++) {
			if (reaped[i])
				continue;
			pid_t r = waitpid(pids[i], &status, WNOHANG);
			if (r == pids[i]) {
				reaped[i] = true;
				sig[i] = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
			} else if (r < 0 && errno == ECHILD) {
				reaped[i] = true; /* someone else reaped it */
			}
		}
		clock_sleep(0.01, NULL);
	}
	for (int i = 0; i < 2; i++) {
		errno = 0;
		CHECK_INT_EQ(kill(pids[i], 0), -1);
		CHECK_INT_EQ(errno, ESRCH);
		CHECK_INT_EQ(sig[i], SIGKILL);
	}
}

int main(void)
{
	alarm(60); /* a hang fails the test instead of stalling the suite */
	if (!ev_default_loop(0)) {
		fprintf(stderr, "cannot initialise the default libev loop\n");
		return 1;
	}
	test_arguments();
	test_basic();
	test_parallel();
	test_fifo();
	test_events();
	test_payloads();
	test_cancel();
	test_killed_worker();
	test_dead_idle_worker();
	test_last_worker_exits();
	test_destroy();
	test_new_failure_cleans_up();
	test_parent_killed();
	return tap_done();
}
