/* aiodemo httpbin. */
#include "httpbin_command.h"

#include <signal.h>
#include <stdio.h>

#include "net/httpbin.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/signals.h"

struct log {
	double t0;
};

/* A line a request, from the server's threads: one printf each. */
static void arrived(void *arg, unsigned id, const char *method, const char *url)
{
	const struct log *l = arg;
	printf("%8.3f  #%u %s %s\n", clock_real_now() - l->t0, id, method, url);
	fflush(stdout);
}

static void answered(void *arg, unsigned id, unsigned status, size_t bytes)
{
	const struct log *l = arg;
	printf(_("%8.3f  #%u answered %u, %zu bytes\n"), clock_real_now() - l->t0, id, status,
	       bytes);
	fflush(stdout);
}

int cmd_httpbin(const struct options *o, const sigset_t *held)
{
	struct log l = { clock_real_now() };
	struct httpbin_hooks hooks = { arrived, answered, &l };
	struct httpbin_options ho = { o->port > 0 ? (int)o->port : 0, o->scale, o->latency,
		                      &hooks };
	char err[256];
	struct httpbin *h = httpbin_start(&ho, err, sizeof(err));
	if (!h) {
		diag_error("%s", err);
		return 1;
	}
	printf(_("serving %s (delays x %g, latency %g s); Ctrl-C stops it\n"), httpbin_url(h),
	       o->scale, o->latency);
	fflush(stdout);
	int sig = 0;
	while (sigwait(held, &sig) != 0)
		;
	unsigned n = httpbin_answered(h);
	httpbin_stop(h);
	printf(ngettext("stopped by %s, after %u request\n", "stopped by %s, after %u requests\n",
	                n),
	       signals_name(sig), n);
	return 0;
}
