/* The signals that stop a run: see signals.h. */
#include "signals.h"

void signals_stopping(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}
