/* The local HTTP server of the network programs: endpoints like httpbin's
 * (/get, /delay/N, /bytes/N, /status/CODE, ...) on 127.0.0.1, in
 * libmicrohttpd's threads, never on the loop being shown. Its delays are
 * program time: /delay/1 answers after 1 s x --scale, as every response
 * waits the server's latency x --scale, which stands for a far server.
 *
 *   program                        httpbin (a thread per connection)
 *   ───────                        ─────────────────────────────────
 *   requests.get(".../delay/1") ─▶ GET /delay/1    arrived(id)
 *                                  waits (latency + 1 s) x scale,
 *                                  or less if the server stops
 *   status 200, JSON body      ◀── answered(id, 200, bytes)
 */
#ifndef AIODEMO_NET_HTTPBIN_H
#define AIODEMO_NET_HTTPBIN_H

#include <stdbool.h>
#include <stddef.h>

/** What the server tells of each request, from its own threads (each
 *  callback may be NULL). */
struct httpbin_hooks {
	void (*arrived)(void *arg, unsigned id, const char *method, const char *url);
	void (*answered)(void *arg, unsigned id, unsigned status, size_t bytes);
	void *arg;
};

struct httpbin_options {
	int port;       /* 0: a free one */
	double scale;   /* what the delays are multiplied by */
	double latency; /* seconds (program time) before each answer */
	const struct httpbin_hooks *hooks;
};

struct httpbin;

/** Whether aiodemo was built with the server (libmicrohttpd and json-c). */
bool httpbin_available(void);

/** Starts the server on 127.0.0.1; returns NULL with a message in @err. */
struct httpbin *httpbin_start(const struct httpbin_options *o, char *err, size_t errsize);

/** "http://127.0.0.1:PORT". */
const char *httpbin_url(const struct httpbin *h);

/** How many requests it has answered. */
unsigned httpbin_answered(const struct httpbin *h);

/** Stops the server: a delay still running ends at once, unanswered, and
 *  its threads are joined. stop(NULL) is a no-op. */
void httpbin_stop(struct httpbin *h);

#endif
