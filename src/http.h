/* HTTP for scenarios: a blocking GET with libcurl (the requests.get of the
 * documents, meant to run in a worker), and a small local server with
 * httpbin-like endpoints that aiodemo starts on 127.0.0.1 so that a
 * scenario needs no network. The server runs its own threads, never the
 * loop being demonstrated. */
#ifndef AIODEMO_HTTP_H
#define AIODEMO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>

#include "buf.h"

/** Prepares libcurl; call once, before any thread starts. Returns 0 or -1. */
int http_init(void);

/** GETs @url with a timeout of @timeout seconds, following redirects:
 *  fills *@status and @body. Stops early when *@stop becomes non-zero (it
 *  may be NULL). Returns 0, or -1 with a message in @err. */
int http_get(const char *url, double timeout, volatile const int *stop, long *status, struct buf *body, char *err,
	     size_t errsize);

struct http_server;

/** Queues on a libmicrohttpd connection the answer @code with @body
 *  (copied), of MIME type @type: what both servers answer with. */
enum MHD_Result http_answer(struct MHD_Connection *conn, unsigned code, const char *type, const char *body);

/** Called by the server's threads for each request (may be NULL). */
typedef void http_log_fn(void *ctx, const char *what);

/** Starts the local server on 127.0.0.1 and a free port. Its /delay/N
 *  waits N x @scale seconds, like httpbin's. Returns NULL with a message in
 *  @err on failure. */
struct http_server *http_server_start(double scale, http_log_fn *log, void *ctx, char *err, size_t errsize);

/** "http://127.0.0.1:PORT". */
const char *http_server_url(const struct http_server *s);

/** Stops the server and joins its threads; stop(NULL) is a no-op. */
void http_server_stop(struct http_server *s);

#endif
