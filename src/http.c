/* The HTTP client (libcurl's easy interface) and the local test server
 * (libmicrohttpd, a thread per connection, bound to loopback only). */
#include "http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"

#define MAX_BODY (16u << 20)   /* what http_get keeps of a response */
#define MAX_DELAY 60.0         /* seconds /delay/N may ask for, as httpbin's 10 */

int http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct buf *b = userp;
	if (b->len + size * n > MAX_BODY)
		return 0; /* curl reports a write error */
	buf_add(b, data, size * n);
	return size * n;
}

/* Lets Ctrl-C cut a transfer short: curl asks this now and then. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	volatile const int *stop = p;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE) ? 1 : 0;
}

int http_get(const char *url, double timeout, volatile const int *stop, long *status, struct buf *body, char *err,
	     size_t errsize)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errsize, "cannot start an HTTP request");
		return -1;
	}
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000 > 1 ? timeout * 1000 : 1));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* worker threads: no SIGALRM */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "aiodemo");
	/* A proxy from the environment must not swallow the local server. */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	if (stop) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)stop);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		if (rc == CURLE_ABORTED_BY_CALLBACK)
			snprintf(err, errsize, "interrupted");
		else if (rc == CURLE_WRITE_ERROR)
			snprintf(err, errsize, "the response is larger than %u MiB", MAX_BODY >> 20);
		else
			snprintf(err, errsize, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return 0;
}

/* --- the local server ------------------------------------------------------- */

struct http_server {
	struct MHD_Daemon *daemon;
	double scale;
	http_log_fn *log;
	void *ctx;
	char url[64];
};

enum MHD_Result http_answer(struct MHD_Connection *conn, unsigned code, const char *type, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result ok = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ok;
}

struct args_json {
	struct buf *b;
	bool first;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct args_json *a = cls;
	struct buf *b = a->b;
	(void)kind;
	if (!a->first)
		buf_putc(b, ',');
	a->first = false;
	buf_json_string(b, key, strlen(key));
	buf_putc(b, ':');
	buf_json_string(b, value ? value : "", value ? strlen(value) : 0);
	return MHD_YES;
}

/* httpbin's answer: the query arguments and the URL, as JSON. */
static void echo_json(struct MHD_Connection *conn, const char *url, struct buf *out)
{
	buf_puts(out, "{\"args\":{");
	struct args_json a = {out, true};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &a);
	buf_puts(out, "},\"url\":");
	buf_json_string(out, url, strlen(url));
	buf_puts(out, "}\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct http_server *s = cls;
	(void)version, (void)upload;
	if (!*state) {
		/* The first call only announces the request. */
		*state = s;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* refused, not read: the answer says why */
		return http_answer(conn, MHD_HTTP_BAD_REQUEST, "text/plain", "this server takes no request body\n");
	}
	if (strcmp(method, "GET") != 0)
		return http_answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET is served here\n");
	struct buf body = {0};
	unsigned int code = MHD_HTTP_OK;
	double delay = 0;
	if (!strcmp(url, "/get")) {
		echo_json(conn, url, &body);
	} else if (!strncmp(url, "/delay/", 7)) {
		char *end;
		delay = strtod(url + 7, &end);
		if (end == url + 7 || *end || !(delay >= 0) || delay > MAX_DELAY) {
			code = MHD_HTTP_BAD_REQUEST;
			buf_printf(&body, "/delay/N takes a number of seconds from 0 to %g\n", MAX_DELAY);
		} else {
			/* Real time, whatever the run's clock: this is another program. */
			clock_sleep_real(delay * s->scale);
			echo_json(conn, url, &body);
		}
	} else {
		code = MHD_HTTP_NOT_FOUND;
		buf_puts(&body, "not found: this server has /get and /delay/N\n");
	}
	if (s->log) {
		struct buf what = {0};
		const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
		buf_printf(&what, "GET %s%s%s answered %u", url, q ? "?name=" : "", q ? q : "", code);
		if (code == MHD_HTTP_OK)
			buf_printf(&what, " after %gs", delay);
		s->log(s->ctx, what.data);
		buf_free(&what);
	}
	enum MHD_Result ok = http_answer(conn, code, code == MHD_HTTP_OK ? "application/json" : "text/plain", body.data);
	buf_free(&body);
	return ok;
}

struct http_server *http_server_start(double scale, http_log_fn *log, void *ctx, char *err, size_t errsize)
{
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->scale = scale;
	s->log = log;
	s->ctx = ctx;
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = 0; /* a free one */
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
					     MHD_USE_ERROR_LOG,
				     0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errsize, "cannot start the local HTTP server on 127.0.0.1");
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u", info ? (unsigned)info->port : 0u);
	return s;
}

const char *http_server_url(const struct http_server *s)
{
	return s->url;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
