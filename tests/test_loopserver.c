/* Unit tests for the HTTP server on a libev loop: answers now and later,
 * concurrent requests while others wait, refused methods, stopping with
 * requests still waiting, loopback only, a port in use. Real requests over
 * 127.0.0.1 from client threads. Prints TAP. */
#include "buf.h"
#include "clock.h"
#include "http.h"
#include "loopserver.h"
#include "tap.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <ev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSLOW 10
#define SLOW_MS 200

struct later {
	ev_timer t;
	struct loop_request *req;
	struct server_ctx *ctx;
};

struct server_ctx {
	struct ev_loop *loop;
	struct loop_server *server;
	int requests;     /* handed to the handler */
	int peak_pending; /* most requests waiting at once */
	int gone;         /* dropped unanswered */
	struct later *laters[64];
	int nlaters;
};

static void answer_later(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct later *l = (struct later *)w;
	(void)loop, (void)revents;
	char body[64];
	snprintf(body, sizeof(body), "later %s", loop_request_arg(l->req, "id"));
	loop_request_respond(l->req, 200, "text/plain", body);
	l->req = NULL;
}

static void on_request(void *p, struct loop_request *req)
{
	struct server_ctx *c = p;
	c->requests++;
	if (loop_server_pending(c->server) > c->peak_pending)
		c->peak_pending = loop_server_pending(c->server);
	const char *path = loop_request_path(req);
	if (!strcmp(path, "/now")) {
		loop_request_respond(req, 200, "text/plain", "now");
	} else if (!strcmp(path, "/later") && c->nlaters < 64) {
		const char *ms = loop_request_arg(req, "ms");
		struct later *l = calloc(1, sizeof(*l));
		l->req = req;
		l->ctx = c;
		loop_request_set_data(req, l);
		ev_timer_init(&l->t, answer_later, ms ? atof(ms) / 1000.0 : 0.0, 0.0);
		ev_timer_start(c->loop, &l->t);
		c->laters[c->nlaters++] = l;
	} else if (!strcmp(path, "/never")) {
		/* never answered: the server's stop must cope */
	} else {
		loop_request_respond(req, 404, "text/plain", "not found");
	}
}

static void on_gone(void *p, struct loop_request *req)
{
	struct server_ctx *c = p;
	(void)req;
	c->gone++;
}

struct client {
	pthread_t th;
	char url[128];
	const char *method; /* NULL for GET */
	long status;
	int rc;
	struct buf body;
	double done_at;
};

static size_t discard(char *data, size_t size, size_t n, void *userp)
{
	(void)data, (void)userp;
	return size * n;
}

static void *client_get(void *p)
{
	struct client *cl = p;
	char err[256];
	if (cl->method) {
		CURL *h = curl_easy_init();
		curl_easy_setopt(h, CURLOPT_URL, cl->url);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cl->method);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		cl->rc = curl_easy_perform(h) == CURLE_OK ? 0 : -1;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &cl->status);
		curl_easy_cleanup(h);
	} else {
		cl->rc = http_get(cl->url, 10.0, NULL, &cl->status, &cl->body, err, sizeof(err));
	}
	cl->done_at = clock_now();
	return NULL;
}

/* Clients run in threads; the loop runs here until they are all done. */
struct batch {
	struct client *cl;
	int n;
	struct ev_loop *loop;
	ev_async done;
};

/* Joins the clients, then wakes the loop. */
static void *join_then_wake(void *p)
{
	struct batch *b = p;
	for (int i = 0; i < b->n; i++)
		pthread_join(b->cl[i].th, NULL);
	ev_async_send(b->loop, &b->done);
	return NULL;
}

static void on_done(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w, (void)revents;
	ev_break(loop, EVBREAK_ONE);
}

static void run_clients(struct ev_loop *loop, struct client *cl, int n)
{
	struct batch b = {.cl = cl, .n = n, .loop = loop};
	ev_async_init(&b.done, on_done);
	ev_async_start(loop, &b.done);
	for (int i = 0; i < n; i++)
		pthread_create(&cl[i].th, NULL, client_get, &cl[i]);
	pthread_t waiter;
	pthread_create(&waiter, NULL, join_then_wake, &b);
	ev_run(loop, 0);
	pthread_join(waiter, NULL);
	ev_async_stop(loop, &b.done);
}

/* Starts @c's server on a free port; false (and a failed check) if it cannot. */
static bool start_server(struct server_ctx *c, struct ev_loop *loop, bool weak)
{
	char err[256] = "";
	*c = (struct server_ctx){.loop = loop};
	c->server = loop_server_start(loop, 0, weak, on_request, on_gone, c, err, sizeof(err));
	return tap_ok(c->server != NULL, __FILE__, __LINE__, "server starts: %s", err);
}

static void free_laters(struct server_ctx *c)
{
	for (int i = 0; i < c->nlaters; i++) {
		ev_timer_stop(c->loop, &c->laters[i]->t);
		free(c->laters[i]);
	}
	c->nlaters = 0;
}

static void test_concurrent(struct ev_loop *loop)
{
	struct server_ctx c;
	if (!start_server(&c, loop, false))
		return;
	unsigned port = loop_server_port(c.server);
	CHECK(port > 0);

	/* Ten slow requests and, in the middle of them, quick ones. */
	struct client cl[NSLOW + 3] = {0};
	for (int i = 0; i < NSLOW; i++)
		snprintf(cl[i].url, sizeof(cl[i].url), "http://127.0.0.1:%u/later?ms=%d&id=%d", port, SLOW_MS, i);
	snprintf(cl[NSLOW].url, sizeof(cl[0].url), "http://127.0.0.1:%u/now", port);
	snprintf(cl[NSLOW + 1].url, sizeof(cl[0].url), "http://127.0.0.1:%u/nowhere", port);
	snprintf(cl[NSLOW + 2].url, sizeof(cl[0].url), "http://127.0.0.1:%u/now", port);
	cl[NSLOW + 2].method = "POST";
	double t0 = clock_now();
	run_clients(loop, cl, NSLOW + 3);
	double took = clock_now() - t0;

	for (int i = 0; i < NSLOW; i++) {
		char want[32];
		snprintf(want, sizeof(want), "later %d", i);
		CHECK_INT_EQ(cl[i].rc, 0);
		CHECK_INT_EQ(cl[i].status, 200);
		CHECK_STR_EQ(cl[i].body.data ? cl[i].body.data : "", want);
	}
	CHECK_INT_EQ(cl[NSLOW].status, 200);
	CHECK_STR_EQ(cl[NSLOW].body.data ? cl[NSLOW].body.data : "", "now");
	CHECK_INT_EQ(cl[NSLOW + 1].status, 404);
	CHECK_INT_EQ(cl[NSLOW + 2].status, 405);
	/* The quick answer did not wait for the slow ones. */
	double slowest_first = 1e9;
	for (int i = 0; i < NSLOW; i++)
		if (cl[i].done_at < slowest_first)
			slowest_first = cl[i].done_at;
	CHECK_DBL_LT(cl[NSLOW].done_at, slowest_first);
	/* All ten waited at the same time: about 0.2 s in all, not 2 s. */
	CHECK_INT_GE(c.peak_pending, NSLOW);
	CHECK_DBL_GE(took, SLOW_MS / 1000.0);
	CHECK_DBL_LT(took, SLOW_MS * NSLOW / 1000.0 / 2);
	CHECK_INT_EQ(c.requests, NSLOW + 2); /* the POST never reaches the handler */
	CHECK_INT_EQ(loop_server_pending(c.server), 0);
	CHECK_INT_EQ(c.gone, 0);
	for (int i = 0; i < NSLOW + 3; i++)
		buf_free(&cl[i].body);
	loop_server_stop(c.server);
	free_laters(&c);
}

/* A stop with a request still waiting: its owner hears it is gone, the
 * client gets an answer or a closed connection, and nothing is left. */
static void on_first_request_stop(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct server_ctx *c = w->data;
	(void)revents;
	if (c->requests > 0) {
		ev_prepare_stop(loop, w);
		loop_server_stop(c->server);
		c->server = NULL;
	}
}

static void test_stop_while_waiting(struct ev_loop *loop)
{
	struct server_ctx c;
	if (!start_server(&c, loop, false))
		return;
	struct client cl = {0};
	snprintf(cl.url, sizeof(cl.url), "http://127.0.0.1:%u/never", loop_server_port(c.server));
	/* Before the loop next waits, so just after the handler ran. */
	ev_prepare stopper;
	ev_prepare_init(&stopper, on_first_request_stop);
	stopper.data = &c;
	ev_prepare_start(loop, &stopper);
	double t0 = clock_now();
	run_clients(loop, &cl, 1);
	double took = clock_now() - t0;
	ev_prepare_stop(loop, &stopper);
	CHECK(c.server == NULL);
	CHECK_INT_EQ(c.requests, 1);
	CHECK_INT_EQ(c.gone, 1);
	CHECK(cl.rc != 0 || cl.status == 503);
	CHECK_DBL_LT(took, 5.0); /* the client heard at once, not at its own timeout */
	buf_free(&cl.body);
	loop_server_stop(c.server);
}

static void test_loopback_and_port(struct ev_loop *loop)
{
	struct server_ctx c;
	if (!start_server(&c, loop, false))
		return;
	unsigned port = loop_server_port(c.server);
	/* Another address of this machine is refused: only 127.0.0.1 listens.
	 * 127.0.0.2 is loopback too but not the bound address. */
	struct client other = {0};
	snprintf(other.url, sizeof(other.url), "http://127.0.0.2:%u/now", port);
	run_clients(loop, &other, 1);
	CHECK(other.rc != 0);
	buf_free(&other.body);

	/* The same port twice is an error with a message, not a crash. */
	struct server_ctx c2 = {.loop = loop};
	char err[256] = "";
	struct loop_server *again = loop_server_start(loop, port, false, on_request, on_gone, &c2, err, sizeof(err));
	CHECK(again == NULL);
	CHECK(strstr(err, "in use") != NULL);
	loop_server_stop(again);

	err[0] = 0;
	CHECK(loop_server_start(loop, 70000, false, on_request, on_gone, &c2, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "out of range") != NULL);
	loop_server_stop(c.server);
}

/* A weak server serves while something else keeps the loop going, and
 * lets ev_run() end when nothing does, even with its timer armed. */
static void test_weak(struct ev_loop *loop)
{
	struct server_ctx c;
	if (!start_server(&c, loop, true))
		return;
	struct client cl[2] = {0};
	for (int i = 0; i < 2; i++)
		snprintf(cl[i].url, sizeof(cl[i].url), "http://127.0.0.1:%u/later?ms=50&id=%d", loop_server_port(c.server), i);
	run_clients(loop, cl, 2);
	CHECK_INT_EQ(cl[0].status, 200);
	CHECK_INT_EQ(cl[1].status, 200);
	double t0 = clock_now();
	ev_run(loop, 0);
	CHECK_DBL_LT(clock_now() - t0, 1.0);
	for (int i = 0; i < 2; i++)
		buf_free(&cl[i].body);
	loop_server_stop(c.server);
	free_laters(&c);
	/* Nothing is left behind: the loop has no reference of the server's. */
	t0 = clock_now();
	ev_run(loop, 0);
	CHECK_DBL_LT(clock_now() - t0, 1.0);
}

int main(void)
{
	if (http_init() != 0) {
		tap_diag("libcurl did not start");
		return 1;
	}
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	test_concurrent(loop);
	test_stop_while_waiting(loop);
	test_loopback_and_port(loop);
	test_weak(loop);
	ev_loop_destroy(loop);
	curl_global_cleanup();
	return tap_done();
}
