/* A program's url parameters: each one that --param leaves alone points at
 * a local HTTP server (net/httpbin.h) that serves the run, with the
 * latency its header gives and the run's --scale. */
#ifndef AIODEMO_HOST_URLS_H
#define AIODEMO_HOST_URLS_H

#include "program.h"

struct url_servers;

/** Starts the servers @p needs and points its url parameters at them;
 *  returns NULL after printing an error. A program with none gets a
 *  handle that holds none. */
struct url_servers *urls_serve(struct program *p, double scale);

/** Stops the servers; NULL is a no-op. */
void urls_stop(struct url_servers *s);

#endif
