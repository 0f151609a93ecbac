/* What the commands share: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/signals.h"

volatile sig_atomic_t caught_signal;
int end_signal;

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error("%s", msg);
	fprintf(stderr, "Try 'aiodemo --help' for more information.\n");
	return EXIT_USAGE;
}

int parse_amount(const char *s, double max, double *out)
{
	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

bool no_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	return (nc && *nc) || (term && !strcmp(term, "dumb"));
}

bool use_color(const struct options *o)
{
	return o->format == TL_TEXT &&
	       (o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !no_color()));
}

int output_failed(int err)
{
	if (err == EPIPE)
		return RUN_BROKEN_PIPE;
	diag_error("writing the timeline failed: %s", strerror(err));
	return 1;
}

void end_by(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	kill(getpid(), sig);
}

/* The child runs stop on their own (Ctrl-C reaches them from the
 * terminal; SIGTERM is passed on) and leave their records. */
static void on_signal(int sig)
{
	if (caught_signal && !child_active()) {
		end_by(sig); /* a second signal between runs: stop at once */
		_exit(128 + sig);
	}
	caught_signal = sig;
	if (sig != SIGINT)
		child_forward_signal(sig);
}

int install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART; /* a write to a slow reader goes on */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

struct child_options child_options_of(const struct options *o)
{
	return (struct child_options){ .scale = o->scale,
		                       .slow = o->slow,
		                       .max_events = o->max_events,
		                       .params = o->params,
		                       .nparams = o->nparams };
}
