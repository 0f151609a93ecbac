/* aiodemo httpbin: the local HTTP server of the network programs, alone,
 * until Ctrl-C: python3 runs a program against it as aiodemo's runs do. */
#ifndef AIODEMO_CLI_HTTPBIN_COMMAND_H
#define AIODEMO_CLI_HTTPBIN_COMMAND_H

#include "cli.h"

/** Serves on --port (or a free port) at --scale with --latency; prints its
 *  URL, a line a request, and the count at the end. @held: the signals
 *  that stop it, blocked. Returns the exit status. */
int cmd_httpbin(const struct options *o, const sigset_t *held);

#endif
