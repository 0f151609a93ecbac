/* An HTTP server on a libev loop: libmicrohttpd in its external event-loop
 * mode, its epoll fd watched by one ev_io and its timeout kept by one
 * ev_timer. A request handler may answer at once or later, when a job it
 * started has finished: the connection is suspended meanwhile, so the loop
 * keeps accepting and serving other requests. Everything happens on the
 * loop's thread. */
#ifndef AIODEMO_LOOPSERVER_H
#define AIODEMO_LOOPSERVER_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct loop_server;
struct loop_request;

/** Called on the loop thread for each GET request. The handler answers
 *  with loop_request_respond(), now or later; until it does, the
 *  connection waits. */
typedef void loop_request_fn(void *ctx, struct loop_request *req);

/** Called when a request that was never answered is dropped (the server
 *  stops); @req is invalid afterwards. May be NULL. */
typedef void loop_request_gone_fn(void *ctx, struct loop_request *req);

/** Starts a server on 127.0.0.1:@port (0 for a free port) driven by @loop.
 *  Its watchers keep ev_run() going, unless @weak: then they serve while
 *  something else does. Returns NULL with a message in @err on failure. */
struct loop_server *loop_server_start(struct ev_loop *loop, unsigned port, bool weak, loop_request_fn *on_request,
				      loop_request_gone_fn *on_gone, void *ctx, char *err, size_t errsize);

/** The port the server listens on. */
unsigned loop_server_port(const struct loop_server *s);

/** Requests received and not yet answered. */
int loop_server_pending(const struct loop_server *s);

/** Drops the requests not answered, closes every connection and frees the
 *  server; stop(NULL) is a no-op. */
void loop_server_stop(struct loop_server *s);

/** The request's path ("/captcha"). */
const char *loop_request_path(const struct loop_request *req);

/** The value of query argument @key, or NULL. */
const char *loop_request_arg(const struct loop_request *req, const char *key);

/** When the request arrived, in ev_now() time. */
double loop_request_arrival(const struct loop_request *req);

/** Slot for the handler's own data. */
void *loop_request_data(const struct loop_request *req);
void loop_request_set_data(struct loop_request *req, void *data);

/** Answers with status @code and @body (copied) of MIME type @type. Call it
 *  once; @req is invalid afterwards. */
void loop_request_respond(struct loop_request *req, unsigned code, const char *type, const char *body);

#endif
