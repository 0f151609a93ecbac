/* serve(path, handler, arg): aiohttp's web.Application on the loop being
 * shown. Each request becomes a task running the handler with the request's
 * query argument; the connection waits, suspended, until the task is done,
 * so while a handler awaits a pool the loop keeps accepting. A handler that
 * blocks the loop blocks the server too, which is the point of showing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "loopserver.h"
#include "rtpriv.h"
#include "timeline.h"

#define MAX_ROUTES 16

struct route {
	char *path;
	const struct func *fn;
	char *arg;
};

/* A request handed to a handler task, until the task is done. */
struct served {
	struct loop_request *req; /* NULL once the server dropped it */
	int id;
	double arrival;
	char *what; /* "GET /captcha?length=8" */
};

struct serve {
	struct loop_server *ls;
	int lane;
	struct route routes[MAX_ROUTES];
	int nroutes;
	struct served **reqs; /* by the tag of the task's waiter */
	size_t nreqs, cap;
	int next_id;
};

static void served_free(struct serve *sv, size_t i)
{
	struct served *s = sv->reqs[i];
	if (!s)
		return;
	if (s->req)
		loop_request_set_data(s->req, NULL);
	free(s->what);
	free(s);
	sv->reqs[i] = NULL;
}

static const char *content_type(const char *body)
{
	return body[0] == '{' || body[0] == '[' ? "application/json" : "text/plain; charset=utf-8";
}

/* The handler's task is done: its result is the answer. An exception the
 * request's input can cause is the client's error (400), another is the
 * server's (500). */
static void handler_done(struct runtime *rt, struct future *f, size_t tag)
{
	struct serve *sv = rt->serve;
	if (!sv || tag >= sv->nreqs || !sv->reqs[tag])
		return;
	struct served *s = sv->reqs[tag];
	if (s->req) {
		struct buf body = {0};
		unsigned code = 200;
		if (f->state == FS_DONE) {
			value_format(&body, f->result);
		} else if (f->state == FS_CANCELLED) {
			code = 503;
			buf_puts(&body, "the request was cancelled\n");
		} else {
			const char *type = value_as_exc(f->result)->type;
			code = exc_matches(type, "ValueError") || exc_matches(type, "TypeError") ||
					       exc_matches(type, "KeyError") || exc_matches(type, "IndexError") ||
					       exc_matches(type, "OverflowError")
				       ? 400 : 500;
			exc_text(&body, f->result);
			buf_putc(&body, '\n');
		}
		const char *text = body.data ? body.data : "";
		double now = clock_now();
		timeline_add(rt->tl, now, sv->lane, K_WORKER, 0, 0, -1, "%s: request %d answered %u after %.0f ms",
			     s->what, s->id, code, (now - s->arrival) * 1000);
		loop_request_respond(s->req, code, content_type(text), text);
		s->req = NULL;
		buf_free(&body);
	}
	served_free(sv, tag);
}

static void on_request(void *ctx, struct loop_request *req)
{
	struct runtime *rt = ctx;
	struct serve *sv = rt->serve;
	const char *path = loop_request_path(req);
	const struct route *r = NULL;
	for (int i = 0; i < sv->nroutes && !r; i++)
		if (!strcmp(sv->routes[i].path, path))
			r = &sv->routes[i];
	double now = clock_now();
	if (!r) {
		struct buf body = {0};
		buf_printf(&body, "not found: this server has");
		for (int i = 0; i < sv->nroutes; i++)
			buf_printf(&body, " %s", sv->routes[i].path);
		buf_putc(&body, '\n');
		timeline_add(rt->tl, now, sv->lane, K_WORKER, 0, 0, -1, "GET %s: 404 sent", path);
		loop_request_respond(req, 404, "text/plain; charset=utf-8", body.data);
		buf_free(&body);
		return;
	}
	const char *q = loop_request_arg(req, r->arg);
	struct value arg = q ? value_cstr(q) : value_none();
	struct value coro = value_coro(r->fn, &arg, 1);
	struct value err;
	struct task *t = task_new(rt, coro, NULL, &err);
	value_unref(coro);
	struct served *s = xcalloc(1, sizeof(*s));
	s->id = ++sv->next_id;
	s->arrival = now;
	struct buf what = {0};
	buf_printf(&what, "GET %s", path);
	if (q)
		buf_printf(&what, "?%s=%.40s%s", r->arg, q, strlen(q) > 40 ? "..." : "");
	s->what = what.data;
	if (!t) {
		struct buf body = {0};
		exc_text(&body, err);
		value_unref(err);
		timeline_add(rt->tl, now, sv->lane, K_WORKER, 0, 0, -1, "%s: 503 sent (%s)", s->what, body.data);
		loop_request_respond(req, 503, "text/plain; charset=utf-8", body.data);
		buf_free(&body);
		free(s->what);
		free(s);
		return;
	}
	s->req = req;
	if (sv->nreqs == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->reqs = xrealloc(sv->reqs, sv->cap * sizeof(*sv->reqs));
	}
	size_t tag = sv->nreqs++;
	sv->reqs[tag] = s;
	loop_request_set_data(req, s);
	timeline_add(rt->tl, now, sv->lane, K_WORKER, 0, 0, -1, "%s: request %d arrives, handled by %s", s->what,
		     s->id, t->f.label);
	future_add_waiter_tagged(&t->f, handler_done, &t->f, tag);
}

static void on_gone(void *ctx, struct loop_request *req)
{
	struct runtime *rt = ctx;
	struct served *s = loop_request_data(req);
	if (!s)
		return;
	timeline_add(rt->tl, clock_now(), rt->serve->lane, K_WORKER, 0, 0, -1,
		     "%s: dropped unanswered, the server stops", s->what);
	s->req = NULL;
}

bool runtime_serve(struct runtime *rt, const char *path, const struct func *handler, const char *arg, int line,
		   struct value *out)
{
	if (rt->ideal) {
		*out = value_exc("RuntimeError", line, "serve() needs real sockets, which a run on a virtual clock "
				 "does not have");
		return false;
	}
	struct serve *sv = rt->serve;
	if (!sv) {
		char err[256];
		sv = xcalloc(1, sizeof(*sv));
		sv->ls = loop_server_start(rt->loop, rt->serve_port, !rt->serve_forever, on_request, on_gone, rt, err, sizeof(err));
		if (!sv->ls) {
			free(sv);
			*out = value_exc("OSError", line, "%s", err);
			return false;
		}
		rt->serve = sv;
		sv->lane = timeline_lane(rt->tl, LANE_SERVER, "http server (on the loop)");
		timeline_add(rt->tl, clock_now(), sv->lane, K_POOL, line, 0, -1,
			     "listening on http://127.0.0.1:%u (on the loop: a blocked loop answers nothing)",
			     loop_server_port(sv->ls));
	}
	for (int i = 0; i < sv->nroutes; i++)
		if (!strcmp(sv->routes[i].path, path)) {
			*out = value_exc("ValueError", line, "serve(): %s is served already", path);
			return false;
		}
	if (sv->nroutes == MAX_ROUTES) {
		*out = value_exc("ValueError", line, "serve(): more than %d paths", MAX_ROUTES);
		return false;
	}
	sv->routes[sv->nroutes++] = (struct route){xstrdup(path), handler, xstrdup(arg)};
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", loop_server_port(sv->ls));
	*out = value_cstr(url);
	return true;
}

void serve_stop(struct runtime *rt)
{
	struct serve *sv = rt->serve;
	if (!sv)
		return;
	loop_server_stop(sv->ls);
	for (size_t i = 0; i < sv->nreqs; i++)
		served_free(sv, i);
	free(sv->reqs);
	for (int i = 0; i < sv->nroutes; i++) {
		free(sv->routes[i].path);
		free(sv->routes[i].arg);
	}
	free(sv);
	rt->serve = NULL;
}
