/* libmicrohttpd driven by libev. MHD runs without threads of its own
 * (MHD_USE_EPOLL): the loop watches its epoll fd and calls MHD_run() when
 * that fd is readable or when MHD's timeout is due. A request is handed to
 * the handler on MHD's second call of the access callback (the first only
 * announces it); if the handler does not answer at once the connection is
 * suspended, and resuming it when the answer comes wakes the epoll fd
 * through MHD's inter-thread channel, which makes MHD call back a third
 * time to queue the response. */
#include "loopserver.h"

#include <arpa/inet.h>
#include <ev.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "http.h"

struct loop_request {
	struct loop_server *s;
	struct MHD_Connection *conn;
	char *path;
	double arrival;
	void *data;
	bool handed;     /* given to the handler */
	bool answered;   /* the handler answered: code, type and body are set */
	bool suspended;  /* MHD holds the connection until resumed */
	bool in_handler; /* the handler is running for this request now */
	unsigned code;
	char *type, *body;
	struct loop_request *prev, *next; /* in the pending list while handed and unanswered */
};

struct loop_server {
	struct ev_loop *loop;
	struct MHD_Daemon *daemon;
	ev_io io;
	ev_timer timer;
	loop_request_fn *on_request;
	loop_request_gone_fn *on_gone;
	void *ctx;
	unsigned port;
	bool weak; /* the watchers do not keep ev_run() going */
	struct loop_request *pending;
	int npending;
};

static void link_pending(struct loop_server *s, struct loop_request *r)
{
	r->prev = NULL;
	r->next = s->pending;
	if (s->pending)
		s->pending->prev = r;
	s->pending = r;
	s->npending++;
}

static void unlink_pending(struct loop_server *s, struct loop_request *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		s->pending = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	s->npending--;
}

/* Weak watchers are unreferenced while active, as libev's manual shows:
 * ev_unref() after each start, ev_ref() before each stop. */
static void timer_stop(struct loop_server *s)
{
	if (!ev_is_active(&s->timer))
		return;
	if (s->weak)
		ev_ref(s->loop);
	ev_timer_stop(s->loop, &s->timer);
}

static void timer_start(struct loop_server *s, double after)
{
	timer_stop(s);
	ev_timer_set(&s->timer, after, 0.0);
	ev_timer_start(s->loop, &s->timer);
	if (s->weak)
		ev_unref(s->loop);
}

/* Lets MHD do what is due, then arms the timer for its next deadline. */
static void service(struct loop_server *s)
{
	MHD_run(s->daemon);
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(s->daemon, &ms) == MHD_YES)
		timer_start(s, (double)ms / 1000.0);
	else
		timer_stop(s);
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	service(w->data);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct loop_server *s = w->data;
	(void)revents;
	if (s->weak)
		ev_ref(loop); /* the one-shot timer stopped itself: give back its reference */
	service(s);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct loop_server *s = cls;
	struct loop_request *req = *state;
	(void)version, (void)upload;
	if (!req) {
		req = xcalloc(1, sizeof(*req));
		req->s = s;
		req->conn = conn;
		req->path = xstrdup(url);
		req->arrival = ev_now(s->loop);
		*state = req;
		return MHD_YES;
	}
	if (req->answered)
		return http_answer(conn, req->code, req->type, req->body);
	if (req->handed)
		return MHD_YES; /* woken without an answer: keep waiting */
	if (*upload_size) {
		*upload_size = 0; /* refused, not read */
		return http_answer(conn, MHD_HTTP_BAD_REQUEST, "text/plain", "this server takes no request body\n");
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return http_answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET is served here\n");
	req->handed = true;
	link_pending(s, req);
	req->in_handler = true;
	s->on_request(s->ctx, req);
	req->in_handler = false;
	if (req->answered)
		return http_answer(conn, req->code, req->type, req->body);
	MHD_suspend_connection(conn);
	req->suspended = true;
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
	struct loop_server *s = cls;
	struct loop_request *req = *state;
	(void)conn, (void)why;
	if (!req)
		return;
	if (req->handed && !req->answered) {
		unlink_pending(s, req);
		if (s->on_gone)
			s->on_gone(s->ctx, req);
	}
	free(req->path);
	free(req->type);
	free(req->body);
	free(req);
	*state = NULL;
}

struct loop_server *loop_server_start(struct ev_loop *loop, unsigned port, bool weak, loop_request_fn *on_request,
				      loop_request_gone_fn *on_gone, void *ctx, char *err, size_t errsize)
{
	if (port > 65535) {
		snprintf(err, errsize, "port %u is out of range (1 to 65535, or 0 for a free one)", port);
		return NULL;
	}
	struct loop_server *s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->weak = weak;
	s->on_request = on_request;
	s->on_gone = on_gone;
	s->ctx = ctx;
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
	s->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_access, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
				     on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (!s->daemon) {
		if (port)
			snprintf(err, errsize, "cannot listen on 127.0.0.1:%u (is the port in use?)", port);
		else
			snprintf(err, errsize, "cannot start an HTTP server on 127.0.0.1");
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		snprintf(err, errsize, "libmicrohttpd gave no epoll descriptor");
		MHD_stop_daemon(s->daemon);
		free(s);
		return NULL;
	}
	ev_io_init(&s->io, on_io, info->epoll_fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	if (weak)
		ev_unref(loop);
	ev_init(&s->timer, on_timer);
	s->timer.data = s;
	service(s); /* arms the timer if MHD wants one */
	return s;
}

unsigned loop_server_port(const struct loop_server *s)
{
	return s->port;
}

int loop_server_pending(const struct loop_server *s)
{
	return s->npending;
}

void loop_server_stop(struct loop_server *s)
{
	if (!s)
		return;
	/* MHD refuses to stop with connections still suspended: resume them,
	 * answered with a 503, and tell their owners they are gone. */
	while (s->pending) {
		struct loop_request *req = s->pending;
		unlink_pending(s, req);
		if (s->on_gone)
			s->on_gone(s->ctx, req);
		req->answered = true;
		req->code = MHD_HTTP_SERVICE_UNAVAILABLE;
		req->type = xstrdup("text/plain");
		req->body = xstrdup("the server is stopping\n");
		if (req->suspended) {
			req->suspended = false;
			MHD_resume_connection(req->conn);
		}
	}
	if (s->weak)
		ev_ref(s->loop);
	ev_io_stop(s->loop, &s->io);
	timer_stop(s);
	MHD_stop_daemon(s->daemon);
	free(s);
}

const char *loop_request_path(const struct loop_request *req)
{
	return req->path;
}

const char *loop_request_arg(const struct loop_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

double loop_request_arrival(const struct loop_request *req)
{
	return req->arrival;
}

void *loop_request_data(const struct loop_request *req)
{
	return req->data;
}

void loop_request_set_data(struct loop_request *req, void *data)
{
	req->data = data;
}

void loop_request_respond(struct loop_request *req, unsigned code, const char *type, const char *body)
{
	struct loop_server *s = req->s;
	if (req->answered)
		return;
	req->answered = true;
	req->code = code;
	req->type = xstrdup(type);
	req->body = xstrdup(body);
	unlink_pending(s, req);
	if (req->in_handler || !req->suspended)
		return; /* the access callback queues it on return */
	req->suspended = false;
	MHD_resume_connection(req->conn);
	/* The resume wakes the epoll fd; running MHD now saves a loop turn. */
	timer_start(s, 0.0);
}
