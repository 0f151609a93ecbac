/* The sockets of the observed loop: each stream socket its selector
 * watches, and what the loop sees of it, as events on the lanes.
 *
 *   a client's socket (on the lane of the task that last sent on it)
 *     watched for writing, not connected yet   connect begins
 *     writable                                 "connected to A in T ms"
 *     the first send after an answer           "sends N bytes to A": a request
 *     readable after that                      "the answer from A begins after T ms"
 *     socket.close()                           "closed the connection to A ..."
 *   a listening socket (a server lane of its own, "server A")
 *     watched                                  "listens on A"
 *     a socket of its port watched             "accepted B"
 *     readable after an answer                 "a request from B arrives"
 *     the first send after that                "answers B after T ms"
 *
 * Moments are the loop's: when its wait returned the socket ready, when
 * the selector began to watch it, when the program's code sent or closed.
 * Counts are the kernel's (FIONREAD: what waits to be read) or those of
 * the program's own sends and receives. The selector (loop/evloop.c)
 * calls the first two hooks; socket.socket's send, recv, recv_into and
 * _real_close are methods written here in C that call _socket.socket's
 * own, adding no frame to a traceback. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/diag.h"
#include "obs.h"

enum phase {
	QUIET,   /* nothing asked since the last answer */
	ASKED,   /* a client sent a request: the answer is awaited */
	ARRIVED, /* a server's connection got a request: its answer is awaited */
};

struct sock {
	bool live; /* a stream socket the loop watched, not closed since */
	bool ignored, listening, connecting, tcp;
	ino_t ino;
	int lane;   /* the lane its events go on, -1 until a task uses it */
	int server; /* the fd of the listening socket it came from, or -1 */
	int events; /* what the selector watches it for */
	double opened, since;
	enum phase phase;
	unsigned long long sent, received;
	char addr[72]; /* the peer's address; a listening socket's own */
	int family, port;
};

static struct sock *socks; /* by fd */
static int nsocks;
static size_t nlive;
static PyObject *base_send, *base_recv, *base_recv_into, *base_close;

static struct sock *slot(int fd)
{
	if (fd < 0 || fd >= 1 << 20)
		return NULL;
	if (fd >= nsocks) {
		int n = nsocks ? nsocks : 64;
		while (n <= fd)
			n *= 2;
		socks = xrealloc(socks, (size_t)n * sizeof(*socks));
		memset(socks + nsocks, 0, (size_t)(n - nsocks) * sizeof(*socks));
		nsocks = n;
	}
	return &socks[fd];
}

/* The socket of @fd the table has, if any. */
static struct sock *known(int fd)
{
	return fd >= 0 && fd < nsocks ? &socks[fd] : NULL;
}

static bool active(void)
{
	return obs.tl && getpid() == obs.pid;
}

/* "127.0.0.1:8080", "[::1]:8080", a Unix socket's path; sets the port. */
static void format_addr(const struct sockaddr_storage *sa, socklen_t len, char *out, size_t n,
                        int *port)
{
	char host[INET6_ADDRSTRLEN] = "?";
	*port = 0;
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		*port = ntohs(in->sin_port);
		snprintf(out, n, "%s:%d", host, *port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		*port = ntohs(in6->sin6_port);
		snprintf(out, n, "[%s]:%d", host, *port);
	} else if (sa->ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		if (un->sun_path[0])
			snprintf(out, n, "%.*s", (int)strnlen(un->sun_path, plen), un->sun_path);
		else
			snprintf(out, n, "a Unix socket");
	} else {
		snprintf(out, n, "a Unix socket");
	}
}

static void note(struct sock *s, double when, double dur, const char *fmt, ...) ATTR_PRINTF(4, 5);

static void note(struct sock *s, double when, double dur, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	int lane = s->lane >= 0 ? s->lane : obs.loop_lane;
	timeline_add(obs.tl, when, lane, K_IO, 0, 0, dur, "%s", text);
}

/* The lane of the task running now, or -1. */
static int task_now(void)
{
	int lane = obs_current_lane();
	return obs.stepping && obs.step_task && lane == obs.step_lane ? lane : -1;
}

/* The listening socket a connection of @family to local @port came from:
 * one of its family, else an IPv6 one (which may take IPv4 too), or -1. */
static int listener_of(int family, int port)
{
	int v6 = -1;
	for (int fd = 0; fd < nsocks; fd++) {
		const struct sock *l = &socks[fd];
		if (!l->live || !l->listening || l->port != port)
			continue;
		if (l->family == family)
			return fd;
		if (l->family == AF_INET6 && v6 < 0)
			v6 = fd;
	}
	return v6;
}

/* A socket the loop begins to watch for the first time: what it is. */
static void first_watch(int fd, struct sock *s, ino_t ino, int events, double now)
{
	int type = 0, acc = 0;
	socklen_t len = sizeof(type);
	*s = (struct sock){ .ino = ino, .lane = task_now(), .server = -1, .opened = now };
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) {
		s->ignored = true; /* datagrams: no connection to follow */
		return;
	}
	len = sizeof(acc);
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
		s->ignored = true;
		return;
	}
	s->family = sa.ss_family;
	s->tcp = sa.ss_family == AF_INET || sa.ss_family == AF_INET6;
	s->live = true;
	nlive++;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc) {
		s->listening = true;
		format_addr(&sa, salen, s->addr, sizeof(s->addr), &s->port);
		char name[96];
		snprintf(name, sizeof(name), "server %s", s->addr);
		s->lane = timeline_lane(obs.tl, LANE_SERVER, name);
		note(s, now, -1, "listens on %s (fd %d)", s->addr, fd);
		return;
	}
	int local_port;
	char local[72];
	format_addr(&sa, salen, local, sizeof(local), &local_port);
	salen = sizeof(sa);
	bool peer = getpeername(fd, (struct sockaddr *)&sa, &salen) == 0;
	/* asyncio's sock_connect watches a socket for writing alone while
	 * connect() is in progress (on the loopback it may be over already);
	 * a transport watches for reading first. */
	if (!peer || events == 2) {
		s->connecting = true;
		return;
	}
	format_addr(&sa, salen, s->addr, sizeof(s->addr), &s->port);
	int server = s->tcp ? listener_of(s->family, local_port) : -1;
	if (server >= 0) {
		s->server = server;
		s->lane = socks[server].lane;
		note(s, now, -1, "accepted %s (fd %d)", s->addr, fd);
	}
}

/* The selector watches @fd for @events (selectors' mask; 0: no more). */
void obs_io_watch(int fd, int events)
{
	struct sock *s = active() ? slot(fd) : NULL;
	struct stat st;
	if (!s || !events || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		if (s)
			s->events = events;
		return;
	}
	if (!(s->live || s->ignored) || s->ino != st.st_ino) {
		if (s->live)
			nlive--; /* closed without socket.close(): a new one has its number */
		first_watch(fd, s, st.st_ino, events, clock_real_now());
	}
	if (s->live && s->connecting && (events & 2) && !(s->events & 2))
		s->since = clock_real_now();
	s->events = events;
}

/* The loop's wait returned @fd ready for @events at @now. */
void obs_io_ready(int fd, int events, double now)
{
	struct sock *s = active() ? known(fd) : NULL;
	if (!s || !s->live || s->listening)
		return;
	if (s->connecting && (events & 2)) {
		int err = 0;
		socklen_t len = sizeof(err);
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err ||
		    getpeername(fd, (struct sockaddr *)&sa, &salen) != 0)
			return; /* failed: asyncio raises it in the task */
		s->connecting = false;
		format_addr(&sa, salen, s->addr, sizeof(s->addr), &s->port);
		double ms = (now - (s->since > 0 ? s->since : s->opened)) * 1e3;
		note(s, now, ms / 1e3, "connected to %s in %.3f ms (fd %d)", s->addr, ms, fd);
		return;
	}
	if (!(events & 1))
		return;
	int waiting = 0;
	if (ioctl(fd, FIONREAD, &waiting) != 0 || waiting <= 0)
		return; /* the other end closed it, or nothing yet */
	if (s->server >= 0 && s->phase != ARRIVED) {
		s->phase = ARRIVED;
		s->since = now;
		note(s, now, -1, "a request from %s arrives: %d bytes (fd %d)", s->addr, waiting,
		     fd);
	} else if (s->server < 0 && s->phase == ASKED) {
		s->phase = QUIET;
		double ms = (now - s->since) * 1e3;
		note(s, now, ms / 1e3, "the answer from %s begins after %.3f ms: %d bytes (fd %d)",
		     s->addr, ms, waiting, fd);
	}
}

static void after_send(int fd, long long n)
{
	struct sock *s = known(fd);
	if (!s || !s->live || s->listening || n <= 0)
		return;
	double now = clock_real_now();
	s->sent += (unsigned long long)n;
	if (s->server >= 0) {
		if (s->phase == ARRIVED) {
			s->phase = QUIET;
			double ms = (now - s->since) * 1e3;
			note(s, now, ms / 1e3, "answers %s after %.3f ms (fd %d)", s->addr, ms, fd);
		}
		return;
	}
	int lane = task_now();
	if (lane >= 0)
		s->lane = lane; /* the answer goes to the task that asked */
	if (s->phase != ASKED) {
		s->phase = ASKED;
		s->since = now;
		note(s, now, -1, "sends %lld bytes to %s (fd %d)", n, s->addr, fd);
	}
}

static void after_recv(int fd, long long n)
{
	struct sock *s = known(fd);
	if (s && s->live && n > 0)
		s->received += (unsigned long long)n;
}

static void before_close(int fd)
{
	struct sock *s = known(fd);
	if (!s || !s->live)
		return;
	double now = clock_real_now();
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_ino == s->ino) {
		if (s->listening)
			note(s, now, now - s->opened, "stops listening on %s (fd %d)", s->addr, fd);
		else if (!s->connecting)
			note(s, now, now - s->opened,
			     "closed the connection to %s after %.3f s: %llu bytes out, %llu in "
			     "(fd %d)",
			     s->addr, now - s->opened, s->sent, s->received, fd);
	}
	s->live = false;
	nlive--;
}

/* The descriptor of socket @sock, or -1. */
static int sock_fd(PyObject *sock)
{
	PyObject *r = obs_call0(sock, "fileno");
	long fd = r ? PyLong_AsLong(r) : -1;
	Py_XDECREF(r);
	obs_clear();
	return fd >= 0 && fd < INT32_MAX ? (int)fd : -1;
}

static bool watched_here(void)
{
	return nlive && active() && PyThread_get_thread_ident() == obs.loop_ident;
}

/* Calls @base with the method's arguments; @after gets the socket's
 * descriptor and the count the call returned (a bytes' length for recv). */
static PyObject *counted(PyObject *base, PyObject *const *args, size_t nargsf, PyObject *kwnames,
                         void (*after)(int, long long))
{
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	PyObject *r = PyObject_Vectorcall(base, args, (size_t)nargs, kwnames);
	if (r && nargs >= 1 && watched_here()) {
		long long n =
		        PyBytes_Check(r) ? (long long)PyBytes_GET_SIZE(r) : PyLong_AsLongLong(r);
		if (n == -1 && PyErr_Occurred())
			PyErr_Clear();
		else
			after(sock_fd(args[0]), n);
		return obs_then_held(r);
	}
	return r;
}

/* socket.socket.send(self, data, flags=0) */
static PyObject *m_send(PyObject *unused, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
	(void)unused;
	return counted(base_send, args, nargsf, kwnames, after_send);
}

/* socket.socket.recv(self, bufsize, flags=0) */
static PyObject *m_recv(PyObject *unused, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
	(void)unused;
	return counted(base_recv, args, nargsf, kwnames, after_recv);
}

/* socket.socket.recv_into(self, buffer, nbytes=0, flags=0) */
static PyObject *m_recv_into(PyObject *unused, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames)
{
	(void)unused;
	return counted(base_recv_into, args, nargsf, kwnames, after_recv);
}

/* socket.socket._real_close(self, _ss=_socket.socket) */
static PyObject *m_close(PyObject *unused, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
	(void)unused;
	Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
	if (nargs >= 1 && watched_here())
		before_close(sock_fd(args[0]));
	return obs_then_held(PyObject_Vectorcall(base_close, args, (size_t)nargs, kwnames));
}

static PyMethodDef method_defs[] = {
	{ "send", (PyCFunction)(void (*)(void))m_send, METH_FASTCALL | METH_KEYWORDS,
	  "socket.send, the bytes counted" },
	{ "recv", (PyCFunction)(void (*)(void))m_recv, METH_FASTCALL | METH_KEYWORDS,
	  "socket.recv, the bytes counted" },
	{ "recv_into", (PyCFunction)(void (*)(void))m_recv_into, METH_FASTCALL | METH_KEYWORDS,
	  "socket.recv_into, the bytes counted" },
	{ "_real_close", (PyCFunction)(void (*)(void))m_close, METH_FASTCALL | METH_KEYWORDS,
	  "socket's close, noted" },
};

/* io_methods(send, recv, recv_into, real_close): socket.socket's methods
 * in, the observed ones out, in that order. */
static PyObject *m_io_methods(PyObject *m, PyObject *args)
{
	PyObject *in[4];
	if (!PyArg_ParseTuple(args, "OOOO:io_methods", &in[0], &in[1], &in[2], &in[3]))
		return NULL;
	PyObject **bases[4] = { &base_send, &base_recv, &base_recv_into, &base_close };
	PyObject *out = PyTuple_New(4);
	for (int i = 0; out && i < 4; i++) {
		Py_INCREF(in[i]);
		Py_XSETREF(*bases[i], in[i]);
		PyObject *meth = obs_method(&method_defs[i]);
		if (!meth)
			Py_CLEAR(out);
		else
			PyTuple_SET_ITEM(out, i, meth);
	}
	return out;
}

/* io_ignore(fd): the loop's own socket (its self-pipe), not the program's. */
static PyObject *m_io_ignore(PyObject *m, PyObject *arg)
{
	long fd = PyLong_AsLong(arg);
	if (fd == -1 && PyErr_Occurred())
		return NULL;
	struct sock *s = active() ? slot((int)fd) : NULL;
	if (s) {
		if (s->live)
			nlive--;
		struct stat st;
		*s = (struct sock){ .ignored = true, .lane = -1, .server = -1 };
		if (fstat((int)fd, &st) == 0)
			s->ino = st.st_ino;
	}
	Py_RETURN_NONE;
}

void obs_io_lane_done(int lane)
{
	for (int fd = 0; nlive && fd < nsocks; fd++)
		if (socks[fd].live && socks[fd].lane == lane)
			socks[fd].lane = -1; /* the task is over: the loop's from now on */
}

void obs_io_free(void)
{
	free(socks);
	socks = NULL;
	nsocks = 0;
	nlive = 0;
}

PyMethodDef obs_io_methods[] = {
	{ "io_methods", m_io_methods, METH_VARARGS,
	  "io_methods(send, recv, recv_into, real_close) -> the four observed" },
	{ "io_ignore", m_io_ignore, METH_O, "io_ignore(fd): not the program's socket" },
	{ NULL, NULL, 0, NULL },
};
