/* A pool of forked worker processes that run a handler per job, fed over
 * pipes and watched by libev on the default loop. */

/*
 * Each worker owns two pipes; only the parent's ends are shown on the left.
 *
 *   parent (loop thread)                          worker N ("aio-NAME/N")
 *   --------------------                          -----------------------
 *   req_fd (blocking write) ---- request pipe ---> fd 3: read a REQUEST
 *                                                        send START
 *                                                        handler(ctx, req, r)
 *   rep_fd (O_NONBLOCK, ev_io) <-- reply pipe ---- fd 4:  EVENT*  (pp_reply_event)
 *                                                         RESULT  (pp_reply_result)
 *   ev_child(pid) <------------- SIGCHLD / exit status
 *
 * Every frame is a 16-byte header followed by the payload:
 *
 *   0        4    5       8                16
 *   +--------+----+-------+----------------+-----------------+
 *   | length |type|  pad  | clock_now()    | payload[length] |
 *   | u32    | u8 |       | double         |                 |
 *   +--------+----+-------+----------------+-----------------+
 *
 * Both sides run on the same machine, so the header is in native byte order,
 * and the timestamps come from CLOCK_MONOTONIC, which every process shares:
 * that is what lets t_start/t_end/event times sit on the parent's timeline.
 *
 * A worker takes one job at a time; the parent keeps a FIFO of jobs waiting
 * for an idle worker.  The request is written with a blocking write: the
 * worker is idle, so it is sitting in read() and drains the pipe however
 * large the request is, and it sends nothing before it has read it all.
 *
 * A worker that dies (killed, crashed, exited, or a broken pipe) is not
 * replaced: the pool carries on with the workers that remain, so what a
 * demonstration did to the pool stays visible, and the loop never forks
 * behind the caller's back.  Its job ends with EPIPE and the exit status in
 * words; once no worker is left, queued jobs end with EPIPE as well.
 *
 * ev_child only works on the default loop (libev's SIGCHLD handler lives
 * there), so procpool_new() insists on EV_DEFAULT.  That handler reaps any
 * child of the process, which is why reaping here goes through ev_child
 * while the loop runs and uses waitpid() only in procpool_destroy().
 */
#include "procpool.h"

#include "util/clock.h"
#include "util/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAME_HDR 16
/* Large enough for any demonstration; small enough that a corrupt length
 * cannot make the parent allocate gigabytes. */
#define FRAME_MAX ((size_t)256 << 20)

enum frame_type {
	F_REQUEST = 'Q',
	F_START = 'S',
	F_EVENT = 'E',
	F_RESULT = 'R',
};

/* Where a worker keeps its pipes, whatever numbers they had in the parent. */
#define CHILD_REQ_FD 3
#define CHILD_REP_FD 4

/* How long destroy waits for an idle worker to exit before killing it. */
#define IDLE_EXIT_GRACE 1.0

enum worker_state {
	W_IDLE, /* alive, waiting for a request */
	W_BUSY, /* alive, running w->job */
	W_LOST, /* pipes closed; waiting to learn its exit status (job kept) */
	W_GONE, /* reaped */
};

struct pp_worker {
	struct procpool *pool;
	int index; /* 1-based */
	pid_t pid;
	enum worker_state state;
	int req_fd;
	int rep_fd;
	struct pp_job *job;
	bool told_to_exit;  /* destroy closed its request pipe while it was idle */
	unsigned char *buf; /* reply bytes not yet parsed */
	size_t len, cap;
	ev_io io;
	ev_child child;
};

struct procpool {
	struct ev_loop *loop;
	char *name;
	int nprocs;
	pp_handler_fn *handler;
	void *ctx;
	struct pp_worker *workers;
	struct pp_job *head, *tail;               /* waiting for a worker */
	struct pp_job *cancel_head, *cancel_tail; /* cancelled, done() not yet run */
	size_t outstanding;
	int delivering; /* > 0 while a user callback runs */
	bool closing;
	ev_async async;
};

/* The worker's side of one job. */
struct pp_reply {
	int fd;
	bool sent_result;
	bool broken; /* the parent is gone */
	bool sent_start;
	double t_start; /* sent with the job's first frame, in the same write */
};

/* ---- framing, shared by both sides ---- */

static void put_hdr(unsigned char *h, int type, size_t len, double t)
{
	uint32_t n = (uint32_t)len;
	memcpy(h, &n, 4);
	h[4] = (unsigned char)type;
	memset(h + 5, 0, 3);
	memcpy(h + 8, &t, 8);
}

static void get_hdr(const unsigned char *h, int *type, size_t *len, double *t)
{
	uint32_t n;
	memcpy(&n, h, 4);
	*len = n;
	*type = h[4];
	memcpy(t, h + 8, 8);
}

/* Writes every byte of @iov, resuming after partial writes: one system
 * call in the usual case, where write() and read() pairs would take two. */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Returns 1 when @len bytes were read, 0 on EOF before the first byte, and
 * -1 on error or EOF in the middle. */
static int read_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			if (got == 0)
				return 0;
			errno = EPIPE;
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

static int send_frame(int fd, int type, double t, const void *msg, size_t len)
{
	if (len > FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	unsigned char h[FRAME_HDR];
	put_hdr(h, type, len, t);
	struct iovec iov[2] = {{h, sizeof(h)}, {(void *)(uintptr_t)msg, len}};
	return writev_all(fd, iov, len > 0 ? 2 : 1);
}

/* Closes *@fd if open. Errors are ignored: closing a pipe end reports
 * nothing a caller could act on, and the descriptor is gone either way. */
static void close_fd(int *fd)
{
	if (*fd >= 0) {
		(void)close(*fd);
		*fd = -1;
	}
}

/* ---- the worker process ---- */

static int reply_send(struct pp_reply *r, int type, const void *msg, size_t len)
{
	if (!r || (len > 0 && !msg) || r->sent_result) {
		errno = EINVAL;
		return -1;
	}
	if (r->broken) {
		errno = EPIPE;
		return -1;
	}
	int rc;
	if (!r->sent_start) {
		/* START and this frame leave in one write. */
		unsigned char s[FRAME_HDR], h[FRAME_HDR];
		if (len > FRAME_MAX) {
			errno = EMSGSIZE;
			return -1;
		}
		put_hdr(s, F_START, 0, r->t_start);
		put_hdr(h, type, len, clock_now());
		struct iovec iov[3] = {{s, sizeof(s)}, {h, sizeof(h)}, {(void *)(uintptr_t)msg, len}};
		rc = writev_all(r->fd, iov, len > 0 ? 3 : 2);
		r->sent_start = rc == 0;
	} else {
		rc = send_frame(r->fd, type, clock_now(), msg, len);
	}
	if (rc < 0) {
		/* A failed write may have left half a frame in the pipe. */
		if (errno != EMSGSIZE)
			r->broken = true;
		return -1;
	}
	if (type == F_RESULT)
		r->sent_result = true;
	return 0;
}

int pp_reply_event(struct pp_reply *r, const void *msg, size_t len)
{
	return reply_send(r, F_EVENT, msg, len);
}

int pp_reply_result(struct pp_reply *r, const void *msg, size_t len)
{
	return reply_send(r, F_RESULT, msg, len);
}

static int child_signals(void)
{
	/*
	 * Handlers inherited from the parent (libev's among them) would write
	 * to descriptors that no longer exist here or, worse, that now carry
	 * this worker's pipes.  The parent blocked every signal around fork(),
	 * so none of them can run before they are reset.
	 */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) < 0)
			continue; /* reserved by the C library */
		if (sa.sa_handler == SIG_IGN || sa.sa_handler == SIG_DFL)
			continue;
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		sigemptyset(&sa.sa_mask);
		if (sigaction(sig, &sa, NULL) < 0)
			return -1;
	}

	/*
	 * Ctrl-C reaches the whole foreground process group; the parent
	 * decides what happens to its workers (and PDEATHSIG covers the case
	 * where it dies).  A parent that went away shows up as EPIPE on the
	 * reply pipe rather than as a signal.  SIGTERM keeps its default so
	 * a worker can still be terminated by hand.
	 */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&ign.sa_mask);
	sigemptyset(&dfl.sa_mask);
	if (sigaction(SIGINT, &ign, NULL) < 0 || sigaction(SIGPIPE, &ign, NULL) < 0 ||
	    sigaction(SIGTERM, &dfl, NULL) < 0)
		return -1;

	sigset_t none;
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

static int child_fds(int req_fd, int rep_fd)
{
	/* Park both ends above the target numbers first so dup2 cannot
	 * clobber one with the other. */
	int a = fcntl(req_fd, F_DUPFD, 10);
	if (a < 0)
		return -1;
	int b = fcntl(rep_fd, F_DUPFD, 10);
	if (b < 0)
		return -1;
	if (dup2(a, CHILD_REQ_FD) < 0 || dup2(b, CHILD_REP_FD) < 0)
		return -1;

	/* A worker must never compete with the parent for terminal input. */
	int nul = open("/dev/null", O_RDONLY);
	if (nul < 0)
		return -1;
	if (nul != STDIN_FILENO && dup2(nul, STDIN_FILENO) < 0)
		return -1;

	/*
	 * Everything else goes, above all the parent's ends of the other
	 * workers' pipes: a worker holding a sibling's request pipe open would
	 * keep that sibling from ever seeing EOF.
	 */
	if (close_range(CHILD_REP_FD + 1, ~0U, 0) < 0) {
		long max = sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 65536)
			max = 65536;
		for (int fd = CHILD_REP_FD + 1; fd < max; fd++)
			(void)close(fd);
	}
	return 0;
}

static _Noreturn void child_main(struct procpool *p, int index, pid_t parent, int req_fd,
				 int rep_fd)
{
	/* Die with the parent; the check closes the race with a parent that
	 * died before the prctl took effect. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(127);
	if (getppid() != parent)
		_exit(0);
	if (child_signals() < 0 || child_fds(req_fd, rep_fd) < 0)
		_exit(127);

	char comm[16];
	snprintf(comm, sizeof(comm), "aio-%s/%d", p->name, index);
	(void)prctl(PR_SET_NAME, comm); /* cosmetic: failure is harmless */

	unsigned char *req = NULL;
	size_t cap = 0;
	for (;;) {
		unsigned char h[FRAME_HDR];
		int rc = read_all(CHILD_REQ_FD, h, sizeof(h));
		if (rc == 0)
			_exit(0); /* the parent closed the pipe: time to go */
		if (rc < 0)
			_exit(1);
		int type;
		size_t len;
		double t;
		get_hdr(h, &type, &len, &t);
		if (type != F_REQUEST || len > FRAME_MAX)
			_exit(2);
		if (len > cap) {
			req = xrealloc(req, len);
			cap = len;
		}
		if (len > 0 && read_all(CHILD_REQ_FD, req, len) != 1)
			_exit(1);

		struct pp_reply r = { .fd = CHILD_REP_FD, .t_start = clock_now() };
		/* Never a null pointer, even for an empty request. */
		p->handler(p->ctx, len > 0 ? (const void *)req : (const void *)"", len, &r);
		if (r.broken)
			_exit(1);
		/* The parent waits for a RESULT to free the worker, so one is
		 * always sent, empty if the handler did not. */
		if (!r.sent_result && reply_send(&r, F_RESULT, NULL, 0) < 0)
			_exit(1);
	}
}

/* ---- the parent: watchers and bookkeeping ---- */

/*
 * Every watcher is ev_unref'd right after it starts, so a pool with nothing
 * to do never keeps ev_run() going.  Stopping such a watcher must be
 * preceded by ev_ref, or the loop's count of active watchers goes wrong.
 */
static void io_stop(struct ev_loop *loop, ev_io *w)
{
	if (ev_is_active(w)) {
		ev_ref(loop);
		ev_io_stop(loop, w);
	}
}

static void child_stop(struct ev_loop *loop, ev_child *w)
{
	if (ev_is_active(w)) {
		ev_ref(loop);
		ev_child_stop(loop, w);
	}
}

/* The loop holds one reference while any job's done() is still to come:
 * it stays alive exactly as long as there is something to deliver. */
static void job_begin(struct procpool *p)
{
	if (p->outstanding++ == 0)
		ev_ref(p->loop);
}

static void finish_job(struct procpool *p, struct pp_job *j, int status, const void *reply,
		       size_t len)
{
	j->next = NULL;
	if (--p->outstanding == 0)
		ev_unref(p->loop);
	p->delivering++;
	j->done(j, status, reply, len);
	p->delivering--;
}

static bool alive(const struct pp_worker *w)
{
	return w->state == W_IDLE || w->state == W_BUSY;
}

static int live_workers(const struct procpool *p)
{
	int n = 0;
	for (int i = 0; i < p->nprocs; i++)
		n += alive(&p->workers[i]);
	return n;
}

static void describe_status(char *buf, size_t size, pid_t pid, int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *what = strsignal(sig);
		snprintf(buf, size, "worker process %d was killed by signal %d (%s)%s", (int)pid,
			 sig, what ? what : "unknown signal",
			 WCOREDUMP(status) ? ", core dumped" : "");
	} else if (WIFEXITED(status)) {
		snprintf(buf, size, "worker process %d exited with status %d", (int)pid,
			 WEXITSTATUS(status));
	} else {
		snprintf(buf, size, "worker process %d ended with wait status %#x", (int)pid,
			 (unsigned)status);
	}
}

/* The worker can no longer be talked to: drop its pipes and make sure it
 * dies.  Its job stays attached until the exit status is known. */
static void worker_lost(struct pp_worker *w)
{
	if (!alive(w))
		return;
	io_stop(w->pool->loop, &w->io);
	close_fd(&w->req_fd);
	close_fd(&w->rep_fd);
	w->len = 0;
	/* Once libev has reaped it (rpid set) the pid may belong to someone else. */
	if (!w->child.rpid && kill(w->pid, SIGKILL) < 0 && errno != ESRCH)
		diag_warning("process pool %s: kill(%d): %s", w->pool->name, (int)w->pid,
			     strerror(errno));
	w->state = W_LOST;
}

static void push_front(struct procpool *p, struct pp_job *j)
{
	j->next = p->head;
	p->head = j;
	if (!p->tail)
		p->tail = j;
}

static struct pp_job *pop_front(struct procpool *p)
{
	struct pp_job *j = p->head;
	if (j) {
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		j->next = NULL;
	}
	return j;
}

/*
 * Writes a request without letting a dead reader raise SIGPIPE in this
 * process: the signal is blocked for the write and, if the write raised
 * it, consumed before unblocking.  Callers need not ignore SIGPIPE.
 */
static int send_request(struct pp_worker *w, const struct pp_job *j)
{
	unsigned char h[FRAME_HDR];
	put_hdr(h, F_REQUEST, j->req_len, j->t_submit);
	struct iovec iov[2] = {{h, sizeof(h)}, {(void *)(uintptr_t)j->req, j->req_len}};

	/* Where SIGPIPE is ignored, a dead worker's pipe is just EPIPE: no
	 * need for the three system calls that keep the signal away. */
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
		return writev_all(w->req_fd, iov, j->req_len > 0 ? 2 : 1);

	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	int rc = pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	if (rc) {
		errno = rc;
		return -1;
	}
	bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;

	int ret = writev_all(w->req_fd, iov, j->req_len > 0 ? 2 : 1);
	int err = errno;
	if (ret < 0 && err == EPIPE && !was_pending) {
		const struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}

	rc = pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		diag_error("pthread_sigmask: %s", strerror(rc));
		abort();
	}
	errno = err;
	return ret;
}

/* Hands queued jobs to idle workers, oldest job first. */
static void dispatch(struct procpool *p)
{
	while (p->head) {
		struct pp_worker *w = NULL;
		for (int i = 0; i < p->nprocs && !w; i++)
			if (p->workers[i].state == W_IDLE)
				w = &p->workers[i];
		if (!w)
			return;

		struct pp_job *j = pop_front(p);
		w->job = j;
		w->state = W_BUSY;
		j->worker = w->index;
		j->pid = w->pid;
		if (send_request(w, j) == 0)
			continue;

		/* The worker died before it could take the job, so the job
		 * never ran: put it back where it was for another worker. */
		if (errno != EPIPE)
			diag_warning("process pool %s: writing to worker %d: %s", p->name, w->index,
				     strerror(errno));
		w->job = NULL;
		j->worker = 0;
		j->pid = 0;
		push_front(p, j);
		worker_lost(w);
	}
}

/* Ends every queued job with EPIPE once no worker is left to run it. */
static void fail_pending(struct procpool *p)
{
	struct pp_job *j;
	while ((j = pop_front(p))) {
		snprintf(j->error, sizeof(j->error), "no worker process left in pool %s", p->name);
		finish_job(p, j, EPIPE, NULL, 0);
	}
}

static void protocol_error(struct pp_worker *w, const char *what)
{
	diag_warning("process pool %s: worker %d (pid %d) %s; killing it", w->pool->name,
		     w->index, (int)w->pid, what);
	worker_lost(w);
}

static void handle_frame(struct pp_worker *w, int type, double t, const void *msg, size_t len)
{
	struct procpool *p = w->pool;
	struct pp_job *j = w->job;
	if (!j) {
		protocol_error(w, "sent a frame while idle");
		return;
	}
	switch (type) {
	case F_START:
		j->t_start = t;
		j->pid = w->pid;
		j->worker = w->index;
		break;
	case F_EVENT:
		if (j->event) {
			p->delivering++;
			j->event(j, t, msg, len);
			p->delivering--;
		}
		break;
	case F_RESULT:
		j->t_end = t;
		w->job = NULL;
		w->state = W_IDLE;
		finish_job(p, j, 0, msg, len);
		dispatch(p);
		break;
	default:
		protocol_error(w, "sent a frame of unknown type");
		break;
	}
}

/* Handles every complete frame in the buffer and keeps the partial rest. */
static void parse_frames(struct pp_worker *w)
{
	size_t off = 0;
	while (alive(w) && w->len - off >= FRAME_HDR) {
		int type;
		size_t len;
		double t;
		get_hdr(w->buf + off, &type, &len, &t);
		if (len > FRAME_MAX) {
			protocol_error(w, "sent an oversized frame");
			return;
		}
		if (w->len - off - FRAME_HDR < len)
			break;
		/* The payload stays valid during the callbacks: nothing they
		 * can do refills or moves this buffer. */
		const unsigned char *msg = w->buf + off + FRAME_HDR;
		off += FRAME_HDR + len;
		handle_frame(w, type, t, msg, len);
	}
	if (!alive(w))
		return;
	memmove(w->buf, w->buf + off, w->len - off);
	w->len -= off;
}

/* Reads everything the worker has written so far. */
static void worker_read(struct pp_worker *w)
{
	while (alive(w)) {
		size_t need = 4096;
		if (w->len >= FRAME_HDR) {
			int type;
			size_t len;
			double t;
			get_hdr(w->buf, &type, &len, &t);
			if (len <= FRAME_MAX && FRAME_HDR + len > w->len + need)
				need = FRAME_HDR + len - w->len;
		}
		if (w->cap - w->len < need) {
			size_t cap = w->cap ? w->cap : 65536;
			while (cap - w->len < need)
				cap *= 2;
			w->buf = xrealloc(w->buf, cap);
			w->cap = cap;
		}

		ssize_t n = read(w->rep_fd, w->buf + w->len, w->cap - w->len);
		if (n > 0) {
			w->len += (size_t)n;
			parse_frames(w);
			continue;
		}
		if (n == 0) {
			worker_lost(w); /* EOF: the exit status follows via ev_child */
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			diag_warning("process pool %s: reading from worker %d: %s",
				     w->pool->name, w->index, strerror(errno));
			worker_lost(w);
		}
		break;
	}
	/* Give back the memory of an unusually large reply. */
	if (w->len == 0 && w->cap > ((size_t)1 << 20)) {
		free(w->buf);
		w->buf = NULL;
		w->cap = 0;
	}
}

static void reply_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	worker_read(io->data);
}

static void child_cb(struct ev_loop *loop, ev_child *c, int revents)
{
	(void)revents;
	struct pp_worker *w = c->data;
	struct procpool *p = w->pool;
	int status = c->rstatus;

	child_stop(loop, c);
	/* Whatever it wrote before dying is still in the pipe; a RESULT
	 * there means its job did finish. */
	if (alive(w))
		worker_read(w);
	worker_lost(w);
	w->state = W_GONE;

	struct pp_job *j = w->job;
	w->job = NULL;
	if (j) {
		describe_status(j->error, sizeof(j->error), w->pid, status);
		finish_job(p, j, EPIPE, NULL, 0);
	} else if (!p->closing) {
		char why[128];
		describe_status(why, sizeof(why), w->pid, status);
		diag_warning("process pool %s: %s while idle", p->name, why);
	}
	if (live_workers(p) == 0)
		fail_pending(p);
}

static void async_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)loop;
	(void)revents;
	struct procpool *p = a->data;
	struct pp_job *j = p->cancel_head;
	p->cancel_head = p->cancel_tail = NULL;
	while (j) {
		struct pp_job *next = j->next;
		finish_job(p, j, ECANCELED, NULL, 0);
		j = next;
	}
}

/* Waits for @pid; after @grace seconds (0: at once) it is killed and waited
 * for without limit.  Returns false if it was not ours to reap. */
static bool reap(pid_t pid, int *status, double grace)
{
	double deadline = clock_now() + grace;
	for (;;) {
		pid_t r = waitpid(pid, status, grace > 0 ? WNOHANG : 0);
		if (r == pid)
			return true;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (clock_now() >= deadline) {
			if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
				return false;
			grace = 0;
			continue;
		}
		clock_sleep(0.002, NULL);
	}
}

static int spawn(struct procpool *p, struct pp_worker *w)
{
	int req[2], rep[2], rc, err;
	if (pipe2(req, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) < 0)
		goto fail_req;
	int fl = fcntl(rep[0], F_GETFL);
	if (fl < 0 || fcntl(rep[0], F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail_rep;

	pid_t parent = getpid();
	sigset_t all, old;
	sigfillset(&all);
	rc = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (rc) {
		errno = rc;
		goto fail_rep;
	}
	pid_t pid = fork();
	if (pid == 0)
		child_main(p, w->index, parent, req[0], rep[1]);
	err = errno;
	rc = pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		diag_error("pthread_sigmask: %s", strerror(rc));
		abort();
	}
	if (pid < 0) {
		errno = err;
		goto fail_rep;
	}

	close_fd(&req[0]);
	close_fd(&rep[1]);
	w->pid = pid;
	w->req_fd = req[1];
	w->rep_fd = rep[0];
	w->state = W_IDLE;

	ev_io_init(&w->io, reply_cb, w->rep_fd, EV_READ);
	w->io.data = w;
	ev_io_start(p->loop, &w->io);
	ev_unref(p->loop);
	ev_child_init(&w->child, child_cb, pid, 0);
	w->child.rpid = 0;
	w->child.data = w;
	ev_child_start(p->loop, &w->child);
	ev_unref(p->loop);
	return 0;

fail_rep:
	err = errno;
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	errno = err;
fail_req:
	err = errno;
	close_fd(&req[0]);
	close_fd(&req[1]);
	errno = err;
	return -1;
}

static void free_pool(struct procpool *p)
{
	/* Undo the ev_unref from procpool_new: stopping decrements again. */
	ev_ref(p->loop);
	ev_async_stop(p->loop, &p->async);
	for (int i = 0; i < p->nprocs; i++)
		free(p->workers[i].buf);
	free(p->workers);
	free(p->name);
	free(p);
}

struct procpool *procpool_new(struct ev_loop *loop, const char *name, int nprocs,
			      pp_handler_fn *handler, void *ctx)
{
	if (!loop || !name || nprocs < 1 || !handler || !ev_is_default_loop(loop)) {
		errno = EINVAL;
		return NULL;
	}

	struct procpool *p = xcalloc(1, sizeof(*p));
	p->loop = loop;
	p->name = xstrdup(name);
	p->nprocs = nprocs;
	p->handler = handler;
	p->ctx = ctx;
	p->workers = xcalloc((size_t)nprocs, sizeof(*p->workers));
	for (int i = 0; i < nprocs; i++) {
		struct pp_worker *w = &p->workers[i];
		w->pool = p;
		w->index = i + 1;
		w->pid = -1;
		w->state = W_GONE;
		w->req_fd = -1;
		w->rep_fd = -1;
	}

	ev_async_init(&p->async, async_cb);
	p->async.data = p;
	ev_async_start(loop, &p->async);
	ev_unref(loop); /* see job_begin() */

	/* Otherwise a worker's first flush would repeat the parent's output. */
	fflush(stdout);
	fflush(stderr);

	for (int i = 0; i < nprocs; i++) {
		if (spawn(p, &p->workers[i]) == 0)
			continue;
		int err = errno;
		for (int k = 0; k < i; k++) {
			struct pp_worker *w = &p->workers[k];
			child_stop(loop, &w->child);
			worker_lost(w);
			int status;
			(void)reap(w->pid, &status, 0);
			w->state = W_GONE;
		}
		free_pool(p);
		errno = err;
		return NULL;
	}
	return p;
}

int procpool_submit(struct procpool *p, struct pp_job *j)
{
	if (!p || !j || !j->done || (j->req_len > 0 && !j->req)) {
		errno = EINVAL;
		return -1;
	}
	if (j->req_len > FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (p->closing) {
		errno = ECANCELED;
		return -1;
	}
	if (live_workers(p) == 0) {
		errno = EPIPE;
		return -1;
	}
	j->next = NULL;
	j->worker = 0;
	j->pid = 0;
	j->t_submit = clock_now();
	j->t_start = 0;
	j->t_end = 0;
	j->error[0] = '\0';
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	job_begin(p);
	dispatch(p);
	return 0;
}

bool procpool_cancel(struct procpool *p, struct pp_job *j)
{
	if (!p || !j)
		return false;
	struct pp_job *prev = NULL, *it = p->head;
	while (it && it != j) {
		prev = it;
		it = it->next;
	}
	if (!it)
		return false;
	if (prev)
		prev->next = j->next;
	else
		p->head = j->next;
	if (p->tail == j)
		p->tail = prev;

	/* done() runs from the loop, never from inside the caller. */
	j->next = NULL;
	if (p->cancel_tail)
		p->cancel_tail->next = j;
	else
		p->cancel_head = j;
	p->cancel_tail = j;
	ev_async_send(p->loop, &p->async);
	return true;
}

size_t procpool_outstanding(const struct procpool *p)
{
	return p ? p->outstanding : 0;
}

int procpool_size(const struct procpool *p)
{
	return p ? p->nprocs : 0;
}

pid_t procpool_pid(const struct procpool *p, int worker)
{
	if (!p || worker < 1 || worker > p->nprocs || !alive(&p->workers[worker - 1]))
		return -1;
	return p->workers[worker - 1].pid;
}

const char *procpool_name(const struct procpool *p)
{
	return p ? p->name : NULL;
}

void procpool_destroy(struct procpool *p)
{
	if (!p)
		return;
	if (p->delivering) {
		/* The pool would be freed under the callback's caller. */
		diag_error("procpool_destroy(%s) called from a job callback", p->name);
		abort();
	}
	p->closing = true;

	/* Jobs cancelled earlier first, then the queue, in order. */
	struct pp_job *j = p->cancel_head;
	p->cancel_head = p->cancel_tail = NULL;
	while (j) {
		struct pp_job *next = j->next;
		finish_job(p, j, ECANCELED, NULL, 0);
		j = next;
	}
	while ((j = pop_front(p)))
		finish_job(p, j, ECANCELED, NULL, 0);

	/* Tell every worker at once, then reap: they exit in parallel. */
	for (int i = 0; i < p->nprocs; i++) {
		struct pp_worker *w = &p->workers[i];
		child_stop(p->loop, &w->child);
		if (w->state == W_IDLE) {
			/* EOF on its request pipe makes it _exit(0). */
			io_stop(p->loop, &w->io);
			close_fd(&w->req_fd);
			close_fd(&w->rep_fd);
			w->told_to_exit = true;
			w->state = W_LOST;
		} else {
			worker_lost(w); /* busy: SIGKILL */
		}
	}

	for (int i = 0; i < p->nprocs; i++) {
		struct pp_worker *w = &p->workers[i];
		if (w->state == W_GONE)
			continue;
		int status = 0;
		bool known = true;
		if (w->child.rpid)
			status = w->child.rstatus; /* libev reaped it already */
		else
			known = reap(w->pid, &status, w->told_to_exit ? IDLE_EXIT_GRACE : 0);
		w->state = W_GONE;
		j = w->job;
		w->job = NULL;
		if (!j)
			continue;
		if (known)
			describe_status(j->error, sizeof(j->error), w->pid, status);
		else
			snprintf(j->error, sizeof(j->error),
				 "worker process %d was stopped by the pool", (int)w->pid);
		finish_job(p, j, EPIPE, NULL, 0);
	}

	free_pool(p);
}
