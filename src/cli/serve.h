/* serve --clients N: the built-in clients of a server program (net/clients.h)
 * around its run. They start as the program does, wait for its port, send
 * N requests at once, and once every one is answered stop the program as
 * Ctrl-C would, which is then the run's planned end: its expectations are
 * checked, and the answers are told after the summary (text) or in it
 * (JSON, "clients"). */
#ifndef AIODEMO_CLI_SERVE_H
#define AIODEMO_CLI_SERVE_H

#include <stdbool.h>

#include "host/program.h"
#include "util/buf.h"

struct serve_clients;

/** Starts @n clients of @p (0: the header's clients count) on its port
 *  parameter. NULL after printing an error (a program without a port
 *  parameter is a usage error: *@usage is set). */
struct serve_clients *serve_clients_start(const struct program *p, int n, double scale,
                                          bool *usage);

/** After the run: the clients stopped, and whether they ended it (every
 *  request answered or given up). */
bool serve_clients_end(struct serve_clients *sc);

/** Whether every request was answered with a 2xx status. */
bool serve_clients_ok(const struct serve_clients *sc);

/** The JSON summary's "clients" member, times from @t0 (CLOCK_MONOTONIC). */
void serve_clients_json(const struct serve_clients *sc, double t0, struct buf *b);

/** The text told after the summary, times from @t0, @columns wide. */
void serve_clients_text(const struct serve_clients *sc, double t0, int columns, struct buf *b);

void serve_clients_free(struct serve_clients *sc);

#endif
