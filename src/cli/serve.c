/* serve --clients N: see serve.h. */
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/clients.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/text.h"

/* How long the program may take to listen, and each request to be
 * answered: real seconds, as a user at a browser would wait. */
#define WAIT_LISTEN 30.0
#define WAIT_ANSWER 60.0

struct serve_clients {
	struct clients *c;
	int n;
	bool stopped;
};

/* Set by the clients' thread when every request has ended: the run's stop
 * that follows is theirs. */
static atomic_bool clients_done;
/* What stops the program then: SIGINT, as Ctrl-C would (the server ends as
 * it ends then), or SIGTERM, which aiodemo turns into the same, where
 * SIGINT is ignored (a shell's background job: CPython leaves it so). */
static int stop_signal;

static void on_done(void *arg)
{
	(void)arg;
	atomic_store(&clients_done, true);
	kill(getpid(), stop_signal);
}

struct serve_clients *serve_clients_start(const struct program *p, int n, double scale, bool *usage)
{
	(void)scale;
	*usage = false;
	const char *port = NULL;
	for (int i = 0; i < p->nparams; i++)
		if (!p->params[i].url && !strcmp(p->params[i].name, "port"))
			port = p->params[i].value;
	if (!port) {
		diag_error(_("--clients: %s has no parameter 'port' to send them to (its header "
		             "declares one with: param port = 8080 at \"port=8080\")"),
		           p->info.name);
		*usage = true;
		return NULL;
	}
	struct serve_clients *sc = xcalloc(1, sizeof(*sc));
	sc->n = n > 0 ? n : p->info.clients;
	atomic_store(&clients_done, false);
	struct sigaction sa;
	stop_signal =
	        sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN ? SIGTERM : SIGINT;
	struct clients_options co = { .port = atoi(port),
		                      .path = p->info.client_path,
		                      .n = sc->n,
		                      .timeout = WAIT_ANSWER,
		                      .wait = WAIT_LISTEN,
		                      .done = on_done };
	sc->c = clients_start(&co);
	if (!sc->c) {
		diag_error(_("cannot start the clients: %s"), strerror(errno));
		free(sc);
		return NULL;
	}
	return sc;
}

bool serve_clients_end(struct serve_clients *sc)
{
	clients_stop(sc->c);
	sc->stopped = atomic_load(&clients_done);
	return sc->stopped;
}

bool serve_clients_ok(const struct serve_clients *sc)
{
	int n;
	const struct client_answer *a = clients_answers(sc->c, &n);
	if (n < sc->n || clients_error(sc->c))
		return false;
	for (int i = 0; i < n; i++)
		if (a[i].status < 200 || a[i].status > 299)
			return false;
	return true;
}

static int by_latency(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The latencies of the answered requests, sorted; their count in *@k. */
static double *latencies(const struct client_answer *a, int n, int *k)
{
	double *l = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*l));
	*k = 0;
	for (int i = 0; i < n; i++)
		if (a[i].status)
			l[(*k)++] = a[i].answered - a[i].sent;
	qsort(l, (size_t)*k, sizeof(*l), by_latency);
	return l;
}

static double median(const double *l, int k)
{
	return k % 2 ? l[k / 2] : (l[k / 2 - 1] + l[k / 2]) / 2;
}

void serve_clients_json(const struct serve_clients *sc, double t0, struct buf *b)
{
	int n, k;
	const struct client_answer *a = clients_answers(sc->c, &n);
	double *l = latencies(a, n, &k);
	buf_puts(b, "\"clients\":{\"url\":");
	buf_json_text(b, clients_url(sc->c));
	buf_printf(b, ",\"asked\":%d,\"answered\":%d,\"ok\":%s,\"latency\":", sc->n, k,
	           serve_clients_ok(sc) ? "true" : "false");
	if (k)
		buf_printf(b, "{\"min\":%.6f,\"median\":%.6f,\"max\":%.6f}", l[0], median(l, k),
		           l[k - 1]);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"error\":");
	buf_json_text(b, clients_error(sc->c));
	buf_puts(b, ",\"requests\":[");
	for (int i = 0; i < n; i++) {
		buf_printf(b,
		           "%s{\"id\":%d,\"sent\":%.6f,\"answered\":%.6f,\"status\":%d,\"body\":",
		           i ? "," : "", a[i].id, a[i].sent - t0, a[i].answered - t0, a[i].status);
		buf_json_text(b, a[i].body);
		buf_puts(b, "}");
	}
	buf_puts(b, "]}");
	free(l);
}

static void add_seconds(struct buf *b, double s, int width)
{
	struct buf v = { 0 };
	buf_seconds(&v, s);
	text_pad_left(b, v.data, width);
	buf_free(&v);
}

void serve_clients_text(const struct serve_clients *sc, double t0, int columns, struct buf *b)
{
	int n, k;
	const struct client_answer *a = clients_answers(sc->c, &n);
	double *l = latencies(a, n, &k);
	struct buf t = { 0 };
	buf_printf(&t, _("clients        %d at once: GET %s"), sc->n, clients_url(sc->c));
	buf_putc(&t, '\n');
	if (clients_error(sc->c)) {
		buf_printf(&t, _("  error        %s"), clients_error(sc->c));
		buf_putc(&t, '\n');
	}
	int good = 0;
	double first = 0, last = 0;
	for (int i = 0; i < n; i++) {
		good += a[i].status >= 200 && a[i].status <= 299;
		if (!i || a[i].sent < first)
			first = a[i].sent;
		if (!i || a[i].answered > last)
			last = a[i].answered;
	}
	if (n) {
		struct buf from = { 0 }, to = { 0 }, took = { 0 };
		buf_seconds(&from, first - t0);
		buf_seconds(&to, last - t0);
		buf_seconds(&took, last - first);
		buf_printf(&t,
		           _("  answered     %d of %d, %d with a 2xx status; the first sent at %s, "
		             "the last answer at %s: %s in all"),
		           k, sc->n, good, from.data, to.data, took.data);
		buf_putc(&t, '\n');
		buf_free(&from);
		buf_free(&to);
		buf_free(&took);
	}
	if (k) {
		struct buf lo = { 0 }, mid = { 0 }, hi = { 0 };
		buf_seconds(&lo, l[0]);
		buf_seconds(&mid, median(l, k));
		buf_seconds(&hi, l[k - 1]);
		buf_printf(&t, _("  latency      min %s, median %s, max %s"), lo.data, mid.data,
		           hi.data);
		buf_putc(&t, '\n');
		buf_free(&lo);
		buf_free(&mid);
		buf_free(&hi);
	}
	text_fit(b, t.data, columns);
	buf_free(&t);
	if (!n) {
		free(l);
		return;
	}
	/* A row a request, in the order they were answered. */
	struct buf row = { 0 };
	buf_puts(&row, "  ");
	text_pad_left(&row, "#", 4);
	buf_puts(&row, "  ");
	text_pad_left(&row, _("sent"), 9);
	buf_puts(&row, "  ");
	text_pad_left(&row, _("answered"), 9);
	buf_puts(&row, "  ");
	text_pad_left(&row, _("latency"), 9);
	buf_puts(&row, "  ");
	text_pad_left(&row, _("status"), 6);
	buf_puts(&row, "  ");
	int used = text_width(row.data);
	text_pad(&row, _("answer"), columns - used > 8 ? columns - used : 8, true);
	while (row.len && row.data[row.len - 1] == ' ')
		row.data[--row.len] = '\0';
	buf_printf(b, "%s\n", row.data);
	for (int i = 0; i < n; i++) {
		buf_clear(&row);
		char id[16], status[16];
		snprintf(id, sizeof(id), "%d", a[i].id);
		snprintf(status, sizeof(status), "%d", a[i].status);
		buf_puts(&row, "  ");
		text_pad_left(&row, id, 4);
		buf_puts(&row, "  ");
		add_seconds(&row, a[i].sent - t0, 9);
		buf_puts(&row, "  ");
		add_seconds(&row, a[i].answered - t0, 9);
		buf_puts(&row, "  ");
		add_seconds(&row, a[i].answered - a[i].sent, 9);
		buf_puts(&row, "  ");
		text_pad_left(&row, a[i].status ? status : "-", 6);
		buf_puts(&row, "  ");
		struct buf body = { 0 };
		text_add_visible(&body, a[i].body, true);
		text_pad(&row, body.data ? body.data : "", columns - used > 8 ? columns - used : 8,
		         true);
		buf_free(&body);
		while (row.len && row.data[row.len - 1] == ' ')
			row.data[--row.len] = '\0';
		buf_printf(b, "%s\n", row.data);
	}
	buf_free(&row);
	free(l);
}

void serve_clients_free(struct serve_clients *sc)
{
	if (!sc)
		return;
	clients_free(sc->c);
	free(sc);
}
