/* The local servers of a run's url parameters. */
#include "urls.h"

#include <stdlib.h>

#include "net/httpbin.h"
#include "util/diag.h"
#include "util/i18n.h"

struct url_servers {
	struct httpbin **servers;
	int n;
};

struct url_servers *urls_serve(struct program *p, double scale)
{
	struct url_servers *s = xcalloc(1, sizeof(*s));
	s->servers = xcalloc((size_t)p->nparams + 1, sizeof(*s->servers));
	for (int i = 0; i < p->nparams; i++) {
		const struct program_param *pp = &p->params[i];
		if (!pp->url || pp->set)
			continue;
		char err[256];
		struct httpbin_options o = { 0, scale, pp->latency, NULL };
		struct httpbin *h = httpbin_start(&o, err, sizeof(err));
		if (!h) {
			diag_error(_("%s: %s; give the program another server with --param %s=URL"),
			           p->info.name, err, pp->name);
			urls_stop(s);
			return NULL;
		}
		s->servers[s->n++] = h;
		program_set_url(p, i, httpbin_url(h));
	}
	return s;
}

void urls_stop(struct url_servers *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		httpbin_stop(s->servers[i]);
	free(s->servers);
	free(s);
}
