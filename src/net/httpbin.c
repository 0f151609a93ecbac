/* The local HTTP server: libmicrohttpd, a thread per connection, bound to
 * loopback only; its JSON is json-c's. */
#include "httpbin.h"

#include <stdio.h>

#include "util/i18n.h"

#if defined(HAVE_MICROHTTPD) && defined(HAVE_JSON_C)

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"

#define MAX_DELAY     60.0        /* seconds /delay/N may ask for (httpbin's: 10) */
#define MAX_BYTES     (16u << 20) /* what /bytes/N may ask for */
#define MAX_REDIRECTS 20

struct httpbin {
	struct MHD_Daemon *daemon;
	struct httpbin_options o;
	struct httpbin_hooks hooks;
	char url[64];
	pthread_mutex_t lock;
	pthread_cond_t wake; /* on the monotonic clock: a delay's end, or stopping */
	bool stopping;
	unsigned next_id, answered;
};

/* What one request keeps between libmicrohttpd's calls. */
struct request {
	unsigned id;
};

bool httpbin_available(void)
{
	return true;
}

/* Waits @seconds of real time, or less when the server stops; returns
 * false if it stopped. */
static bool wait_for(struct httpbin *h, double seconds)
{
	double at = clock_real_now() + seconds;
	struct timespec due = { (time_t)at, (long)((at - floor(at)) * 1e9) };
	pthread_mutex_lock(&h->lock);
	int rc = 0;
	while (!h->stopping && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&h->wake, &h->lock, &due);
	bool going = !h->stopping;
	pthread_mutex_unlock(&h->lock);
	return going;
}

static enum MHD_Result add_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
	(void)kind;
	json_object_object_add(cls, key, json_object_new_string(value ? value : ""));
	return MHD_YES;
}

/* %-encodes @s into @b as a URL's query does, but for its unreserved
 * characters. */
static void url_encode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c))
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

struct query {
	struct buf *b;
	bool first;
};

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	struct query *q = cls;
	(void)kind;
	buf_putc(q->b, q->first ? '?' : '&');
	q->first = false;
	url_encode(q->b, key);
	if (value) {
		buf_putc(q->b, '=');
		url_encode(q->b, value);
	}
	return MHD_YES;
}

/* httpbin's echo of a request: its query arguments, its headers, where it
 * came from and the URL it asked for. */
static char *echo(struct MHD_Connection *conn, const char *path, bool with_args)
{
	json_object *o = json_object_new_object();
	if (with_args) {
		json_object *args = json_object_new_object();
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_pair, args);
		json_object_object_add(o, "args", args);
	}
	json_object *headers = json_object_new_object();
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_pair, headers);
	json_object_object_add(o, "headers", headers);
	if (with_args) {
		char ip[INET6_ADDRSTRLEN] = "";
		const union MHD_ConnectionInfo *ci =
		        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
			          ip, sizeof(ip));
		json_object_object_add(o, "origin", json_object_new_string(ip));
		const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
		struct buf url = { 0 };
		buf_printf(&url, "http://%s%s", host ? host : "127.0.0.1", path);
		struct query q = { &url, true };
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query, &q);
		json_object_object_add(o, "url", json_object_new_string(url.data));
		buf_free(&url);
	}
	struct buf out = { 0 };
	buf_puts(&out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	                                                         JSON_C_TO_STRING_SPACED |
	                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_putc(&out, '\n');
	json_object_put(o);
	return buf_steal(&out);
}

/* A number from the end of @path after @prefix: /delay/N, /bytes/N. */
static bool path_number(const char *path, const char *prefix, double lo, double hi, double *out)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0 || !path[n])
		return false;
	char *end;
	errno = 0;
	double v = strtod(path + n, &end);
	if (*end || errno || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* @n bytes of a fixed pseudo-random sequence from @seed (xorshift64*):
 * the same bytes for the same seed, as httpbin's ?seed= gives. */
static char *random_bytes(size_t n, uint64_t seed)
{
	char *p = xmalloc(n ? n : 1);
	uint64_t x = seed * 2654435761u + 0x9E3779B97F4A7C15u;
	for (size_t i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = (char)((x * 0x2545F4914F6CDD1Du) >> 56);
	}
	return p;
}

/* An answer: @body (taken) of @len bytes, of type @type. */
struct answer {
	unsigned status;
	char *body;
	size_t len;
	const char *type;
	char *location; /* a redirect's */
};

static void json_answer(struct answer *a, char *body)
{
	a->body = body;
	a->len = strlen(body);
}

static void text_answer(struct answer *a, unsigned status, const char *fmt, ...) ATTR_PRINTF(3, 4);

static void text_answer(struct answer *a, unsigned status, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	a->status = status;
	a->len = b.len;
	a->body = buf_steal(&b);
	a->type = "text/plain; charset=utf-8";
}

#define ENDPOINTS                                                                                  \
	"/get, /headers, /delay/N (N seconds, at most 60), /bytes/N, /status/CODE and "            \
	"/redirect/N"

/* What @path asks for, and how long it asks the server to wait. */
static void route(struct MHD_Connection *conn, const char *path, struct answer *a, double *delay)
{
	double v;
	a->status = MHD_HTTP_OK;
	a->type = "application/json";
	*delay = 0;
	if (!strcmp(path, "/get") || !strcmp(path, "/anything")) {
		json_answer(a, echo(conn, path, true));
	} else if (!strcmp(path, "/headers")) {
		json_answer(a, echo(conn, path, false));
	} else if (!strncmp(path, "/delay/", 7)) {
		if (path_number(path, "/delay/", 0, MAX_DELAY, &v)) {
			*delay = v;
			json_answer(a, echo(conn, path, true));
		} else {
			text_answer(a, MHD_HTTP_BAD_REQUEST,
			            "/delay/N takes a number of seconds from 0 to %g\n", MAX_DELAY);
		}
	} else if (!strncmp(path, "/bytes/", 7)) {
		if (path_number(path, "/bytes/", 0, MAX_BYTES, &v) && v == (double)(size_t)v) {
			const char *seed =
			        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "seed");
			a->len = (size_t)v;
			a->body = random_bytes(a->len, seed ? strtoull(seed, NULL, 10) : 0);
			a->type = "application/octet-stream";
		} else {
			text_answer(a, MHD_HTTP_BAD_REQUEST,
			            "/bytes/N takes a whole number of bytes from 0 to %u\n",
			            MAX_BYTES);
		}
	} else if (!strncmp(path, "/status/", 8)) {
		if (path_number(path, "/status/", 100, 599, &v) && v == (double)(int)v) {
			text_answer(a, (unsigned)v, "%s", "");
			if (a->status >= 300 && a->status < 400)
				a->location = xstrdup("/get");
		} else {
			text_answer(a, MHD_HTTP_BAD_REQUEST,
			            "/status/CODE takes an HTTP status from 100 to 599\n");
		}
	} else if (!strncmp(path, "/redirect/", 10)) {
		if (path_number(path, "/redirect/", 1, MAX_REDIRECTS, &v) && v == (double)(int)v) {
			struct buf to = { 0 };
			if (v > 1)
				buf_printf(&to, "/redirect/%d", (int)v - 1);
			else
				buf_puts(&to, "/get");
			a->location = buf_steal(&to);
			text_answer(a, MHD_HTTP_FOUND, "%s", "");
		} else {
			text_answer(a, MHD_HTTP_BAD_REQUEST,
			            "/redirect/N takes a number of redirects from 1 to %d\n",
			            MAX_REDIRECTS);
		}
	} else {
		text_answer(a, MHD_HTTP_NOT_FOUND, "not found: this server has %s\n", ENDPOINTS);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
	struct httpbin *h = cls;
	(void)version, (void)upload;
	if (!*state) {
		/* The first call only announces the request: its headers are in. */
		struct request *r = xcalloc(1, sizeof(*r));
		pthread_mutex_lock(&h->lock);
		r->id = ++h->next_id;
		pthread_mutex_unlock(&h->lock);
		*state = r;
		if (h->hooks.arrived)
			h->hooks.arrived(h->hooks.arg, r->id, method, url);
		return MHD_YES;
	}
	struct request *r = *state;
	if (*upload_size) {
		*upload_size = 0; /* a body is read and dropped: the echo leaves it out */
		return MHD_YES;
	}
	struct answer a = { 0 };
	double delay = 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		text_answer(&a, MHD_HTTP_METHOD_NOT_ALLOWED,
		            "%s is not served here: GET and HEAD are\n", method);
	else
		route(conn, url, &a, &delay);
	delay += h->o.latency;
	/* Program time: the scale makes it real time. */
	if (delay > 0 && !wait_for(h, delay * h->o.scale)) {
		free(a.body);
		free(a.location);
		return MHD_NO; /* stopping: the connection closes unanswered */
	}
	struct MHD_Response *resp =
	        a.body ? MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE)
	               : MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(a.body);
		free(a.location);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.type);
	if (a.location)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, a.location);
	free(a.location);
	enum MHD_Result ok = MHD_queue_response(conn, a.status, resp);
	MHD_destroy_response(resp);
	pthread_mutex_lock(&h->lock);
	h->answered++;
	pthread_mutex_unlock(&h->lock);
	if (h->hooks.answered)
		h->hooks.answered(h->hooks.arg, r->id, a.status, a.len);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
	(void)cls, (void)conn, (void)why;
	free(*state);
	*state = NULL;
}

struct httpbin *httpbin_start(const struct httpbin_options *o, char *err, size_t errsize)
{
	struct httpbin *h = xcalloc(1, sizeof(*h));
	h->o = *o;
	if (o->hooks)
		h->hooks = *o->hooks;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&h->lock, NULL);
	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Its threads take no signal: Ctrl-C is the program's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->daemon =
	        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                                 MHD_USE_POLL | MHD_USE_ITC,
	                         (uint16_t)o->port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
	                         (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
	                         on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
	                         MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)512, MHD_OPTION_END);
	int saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->daemon) {
		if (o->port)
			snprintf(err, errsize, _("cannot serve on 127.0.0.1:%d: %s"), o->port,
			         strerror(saved));
		else
			snprintf(err, errsize,
			         _("cannot start the local HTTP server on 127.0.0.1: %s"),
			         strerror(saved));
		pthread_cond_destroy(&h->wake);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
	        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(h->url, sizeof(h->url), "http://127.0.0.1:%u", info ? (unsigned)info->port : 0u);
	return h;
}

const char *httpbin_url(const struct httpbin *h)
{
	return h->url;
}

unsigned httpbin_answered(const struct httpbin *h)
{
	struct httpbin *m = (struct httpbin *)h;
	pthread_mutex_lock(&m->lock);
	unsigned n = m->answered;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void httpbin_stop(struct httpbin *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_broadcast(&h->wake);
	pthread_mutex_unlock(&h->lock);
	MHD_stop_daemon(h->daemon);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

#else /* without libmicrohttpd or json-c */

bool httpbin_available(void)
{
	return false;
}

struct httpbin *httpbin_start(const struct httpbin_options *o, char *err, size_t errsize)
{
	(void)o;
	snprintf(err, errsize, "%s",
	         _("this aiodemo was built without its local HTTP server "
	           "(libmicrohttpd and json-c)"));
	return NULL;
}

const char *httpbin_url(const struct httpbin *h)
{
	(void)h;
	return "";
}

unsigned httpbin_answered(const struct httpbin *h)
{
	(void)h;
	return 0;
}

void httpbin_stop(struct httpbin *h)
{
	(void)h;
}

#endif
