/* The built-in clients of a server program (`aiodemo serve --clients N`):
 * N requests at once, GET http://127.0.0.1:PORT/PATH, from a python3
 * process of their own (src/net/clients.py, urllib), so that a lesson on a
 * server needs no second terminal. The process is not part of the run: its
 * requests arrive at the program as any client's would.
 *
 *   clients thread                         the program (observed)
 *   ──────────────                         ──────────────────────
 *   connect to 127.0.0.1:PORT until it
 *   listens (the program is starting)
 *   python3 clients.py URL N TIMEOUT ────▶ N requests at once
 *   reads an answer a line             ◀── each answered
 *   all answered, or given up: done() ───▶ (the caller stops the run)
 */
#ifndef AIODEMO_NET_CLIENTS_H
#define AIODEMO_NET_CLIENTS_H

#include <stdbool.h>

struct clients_options {
	int port;
	const char *path; /* from /: what each client asks */
	int n;            /* requests at once */
	double timeout;   /* seconds a request may take (real time) */
	double wait;      /* seconds the server may take to listen (real time) */
	/* Called from the clients' thread once every request is answered or
	 * given up, or the server never listened (not after clients_stop()). */
	void (*done)(void *arg);
	void *arg;
};

/** One request. */
struct client_answer {
	int id;                /* 1..n */
	double sent, answered; /* CLOCK_MONOTONIC seconds */
	int status;            /* the HTTP status, or 0: no answer */
	char *body;            /* the answer's beginning, or why none came */
};

struct clients;

/** Starts the clients' thread (with every signal blocked). NULL, with
 *  errno set, when it cannot. */
struct clients *clients_start(const struct clients_options *o);

/** Ends the clients: the process is killed if it still runs, the thread
 *  joined. What was answered stays. stop(NULL) is a no-op. */
void clients_stop(struct clients *c);

/** After clients_stop(): the requests answered or given up, in the order
 *  they ended, and why the clients could not run (NULL when they ran). */
const struct client_answer *clients_answers(const struct clients *c, int *n);
const char *clients_error(const struct clients *c);

/** "http://127.0.0.1:PORT/PATH", what the clients ask. */
const char *clients_url(const struct clients *c);

void clients_free(struct clients *c);

/** A port of 127.0.0.1 that nothing listens on now (the kernel's pick), for
 *  a server run with its clients; 8080 when none can be had. */
int clients_free_port(void);

#endif
