/* Benchmarks of the machinery itself. Each measures one thing the way a
 * scenario uses it: a thread job's round trip from submission to its done
 * callback on the loop, a process job's round trip beside a bare pipe
 * ping-pong, how late timers fire, and how runs grow with their size. The
 * scale runs happen in forked children so that each has its own peak RSS. */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "procpool.h"
#include "loop/ptimer.h"
#include "threadpool.h"
#include "record/timeline.h"

#define REPEAT 5 /* runs of each benchmark; figures are their medians */

#ifndef AIODEMO_BENCH_DIR
#define AIODEMO_BENCH_DIR ""
#endif
#ifndef AIODEMO_UVBENCH
#define AIODEMO_UVBENCH ""
#endif

/* --- results ------------------------------------------------------------------ */

/* One figure, measured once per repetition. */
struct figure {
	const char *group;
	char *name;  /* for people */
	char *key;   /* for JSON */
	double *values;
	size_t n;
	const char *unit; /* "s", "jobs/s", "B", "x" */
};

static struct figure *figures;
static size_t nfigures;

static void add_figure(const char *group, const char *key, const char *name, double value, const char *unit)
{
	struct figure *f = NULL;
	for (size_t i = 0; i < nfigures && !f; i++)
		if (!strcmp(figures[i].key, key))
			f = &figures[i];
	if (!f) {
		figures = xrealloc(figures, (nfigures + 1) * sizeof(*figures));
		f = &figures[nfigures++];
		*f = (struct figure){group, xstrdup(name), xstrdup(key), NULL, 0, unit};
	}
	f->values = xrealloc(f->values, (f->n + 1) * sizeof(*f->values));
	f->values[f->n++] = value;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts @v with the NaNs (failed measurements) at the end, and returns
 * the @p-th of the others, or NaN if there are none; *@valid (if given)
 * tells how many there are. */
static double percentile_of(double *v, size_t n, double p, size_t *valid)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i])) {
			double t = v[k];
			v[k++] = v[i];
			v[i] = t;
		}
	if (valid)
		*valid = k;
	if (!k)
		return NAN;
	qsort(v, k, sizeof(*v), cmp_double);
	return v[(size_t)((double)(k - 1) * p)];
}

static double percentile(double *v, size_t n, double p)
{
	return percentile_of(v, n, p, NULL);
}

/* --- thread pool ---------------------------------------------------------------- */

struct tp_bench {
	struct threadpool *pool;
	struct tp_work *works;
	double *lat;
	size_t n, done, next;
	bool chain; /* submit the next job from the done callback */
	double t_first, t_last;
};

static void noop_work(struct tp_work *w)
{
	(void)w;
}

static void tp_done(struct tp_work *w, int status)
{
	struct tp_bench *b = w->data;
	double now = clock_now();
	if (b->lat)
		b->lat[b->done] = now - w->t_submit;
	b->done++;
	b->t_last = now;
	if (b->chain && b->next < b->n) {
		struct tp_work *nw = &b->works[b->next++];
		*nw = (struct tp_work){.work = noop_work, .done = tp_done, .data = b};
		threadpool_submit(b->pool, nw);
	}
	(void)status;
}

static int bench_offload(struct ev_loop *loop, bool quick)
{
	size_t n = quick ? 2000 : 20000;
	struct tp_bench b = {0};
	b.pool = threadpool_new(loop, "bench", 3, NULL, NULL);
	if (!b.pool)
		return -1;
	b.works = xcalloc(n, sizeof(*b.works));
	b.lat = xcalloc(n, sizeof(*b.lat));
	b.n = n;
	b.chain = true;
	b.next = 1;
	b.works[0] = (struct tp_work){.work = noop_work, .done = tp_done, .data = &b};
	threadpool_submit(b.pool, &b.works[0]);
	ev_run(loop, 0);
	add_figure("offload", "thread_rtt_p50", "thread job round trip, one at a time: p50", percentile(b.lat, n, 0.5), "s");
	add_figure("offload", "thread_rtt_p99", "thread job round trip, one at a time: p99", percentile(b.lat, n, 0.99), "s");
	double rtt = percentile(b.lat, n, 0.5);
	free(b.works);
	free(b.lat);
	/* Throughput: all queued at once, three threads. */
	size_t sizes[] = {10000, 100000, 1000000};
	for (size_t s = 0; s < (quick ? 1 : 3); s++) {
		struct tp_bench q = {.pool = b.pool, .n = sizes[s]};
		q.works = xcalloc(q.n, sizeof(*q.works));
		q.t_first = clock_now();
		for (size_t i = 0; i < q.n; i++) {
			q.works[i] = (struct tp_work){.work = noop_work, .done = tp_done, .data = &q};
			threadpool_submit(q.pool, &q.works[i]);
		}
		ev_run(loop, 0);
		char key[64], name[96];
		snprintf(key, sizeof(key), "thread_throughput_%zu", sizes[s]);
		snprintf(name, sizeof(name), "%zu queued no-op jobs, 3 threads", sizes[s]);
		add_figure("offload", key, name, (double)q.done / (q.t_last - q.t_first), "jobs/s");
		free(q.works);
	}
	threadpool_destroy(b.pool);
	/* The lesson: what offloading adds to a function of a given length. */
	add_figure("offload", "cost_of_1us", "offloading a 1 µs function: cost over its own time", (rtt + 1e-6) / 1e-6, "x");
	add_figure("offload", "cost_of_10ms", "offloading a 10 ms function: cost over its own time", (rtt + 1e-2) / 1e-2, "x");
	return 0;
}

/* --- process pool ----------------------------------------------------------------- */

struct pp_bench {
	struct procpool *pool;
	struct pp_job job;
	double *lat;
	size_t n, done;
	char byte;
	bool failed;
};

static void pp_echo(void *ctx, const void *req, size_t len, struct pp_reply *r)
{
	(void)ctx;
	pp_reply_result(r, req, len);
}

static void pp_done(struct pp_job *j, int status, const void *reply, size_t len)
{
	struct pp_bench *b = j->data;
	(void)reply, (void)len;
	if (status != 0) {
		b->failed = true;
		return;
	}
	b->lat[b->done++] = clock_now() - j->t_submit;
	if (b->done < b->n) {
		b->job = (struct pp_job){.req = &b->byte, .req_len = 1, .done = pp_done, .data = b};
		procpool_submit(b->pool, &b->job);
	}
}

/* A bare pipe ping-pong with a forked child: the floor for any process pool. */
static double pipe_pingpong(size_t n, double *p99)
{
	int up[2], down[2];
	if (pipe(up) != 0)
		return NAN;
	if (pipe(down) != 0) {
		close(up[0]);
		close(up[1]);
		return NAN;
	}
	pid_t pid = fork();
	if (pid < 0)
		return NAN;
	if (pid == 0) {
		close(up[1]);
		close(down[0]);
		char c;
		while (read(up[0], &c, 1) == 1 && write(down[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(up[0]);
	close(down[1]);
	double *lat = xcalloc(n, sizeof(*lat));
	size_t got = 0;
	for (; got < n; got++) {
		char c = 'x';
		double t = clock_now();
		if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1)
			break;
		lat[got] = clock_now() - t;
	}
	close(up[1]);
	close(down[0]);
	waitpid(pid, NULL, 0);
	double p50 = percentile(lat, got, 0.5);
	*p99 = percentile(lat, got, 0.99);
	free(lat);
	return p50;
}

static int bench_process(struct ev_loop *loop, bool quick)
{
	size_t n = quick ? 300 : 5000;
	struct pp_bench b = {.n = n, .byte = 'x'};
	b.pool = procpool_new(loop, "bench", 2, pp_echo, NULL);
	if (!b.pool)
		return -1;
	b.lat = xcalloc(n, sizeof(*b.lat));
	b.job = (struct pp_job){.req = &b.byte, .req_len = 1, .done = pp_done, .data = &b};
	procpool_submit(b.pool, &b.job);
	ev_run(loop, 0);
	procpool_destroy(b.pool);
	if (b.failed) {
		free(b.lat);
		errno = EPIPE;
		return -1;
	}
	double p50 = percentile(b.lat, b.done, 0.5);
	add_figure("process", "process_rtt_p50", "process job round trip: p50", p50, "s");
	add_figure("process", "process_rtt_p99", "process job round trip: p99", percentile(b.lat, b.done, 0.99), "s");
	free(b.lat);
	double pp99;
	double pp50 = pipe_pingpong(n, &pp99);
	add_figure("process", "pipe_rtt_p50", "raw pipe ping-pong with a forked child: p50", pp50, "s");
	add_figure("process", "process_vs_pipe", "process job round trip over the raw ping-pong", p50 / pp50, "x");
	return 0;
}

/* --- timers ----------------------------------------------------------------------- */

struct timer_bench {
	struct ptimer pt;
	ev_timer et;
	double due, *late;
	size_t n, done;
	double period;
	bool use_ev;
};

static void next_timer(struct ev_loop *loop, struct timer_bench *b)
{
	b->due = clock_now() + b->period;
	if (b->use_ev) {
		ev_now_update(loop);
		ev_timer_set(&b->et, b->due - clock_now(), 0);
		ev_timer_start(loop, &b->et);
	} else {
		ptimer_arm(loop, &b->pt, b->due);
	}
}

static void timer_fired(struct ev_loop *loop, struct timer_bench *b)
{
	b->late[b->done++] = clock_now() - b->due;
	if (b->done < b->n)
		next_timer(loop, b);
}

static void on_ptimer(struct ev_loop *loop, struct ptimer *t)
{
	timer_fired(loop, t->data);
}

static void on_evtimer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	timer_fired(loop, w->data);
}

static int bench_timers(struct ev_loop *loop, bool quick)
{
	size_t n = quick ? 20 : 100;
	for (int which = 0; which < 2; which++) {
		struct timer_bench b = {.n = n, .period = 0.01, .use_ev = which == 1};
		b.late = xcalloc(n, sizeof(*b.late));
		if (ptimer_init(&b.pt, on_ptimer, true) != 0) {
			free(b.late);
			return -1;
		}
		b.pt.data = &b;
		ev_timer_init(&b.et, on_evtimer, 0, 0);
		b.et.data = &b;
		next_timer(loop, &b);
		ev_run(loop, 0);
		ptimer_close(loop, &b.pt);
		const char *who = which ? "libev ev_timer" : "aiodemo's timerfd";
		char key[64], name[96];
		snprintf(key, sizeof(key), "%s_late_p50", which ? "ev_timer" : "timerfd");
		snprintf(name, sizeof(name), "lateness of a 10 ms timer, %s: p50", who);
		add_figure("timers", key, name, percentile(b.late, n, 0.5), "s");
		snprintf(key, sizeof(key), "%s_late_p99", which ? "ev_timer" : "timerfd");
		snprintf(name, sizeof(name), "lateness of a 10 ms timer, %s: p99", who);
		add_figure("timers", key, name, percentile(b.late, n, 0.99), "s");
		free(b.late);
	}
	return 0;
}


/* --- peers -------------------------------------------------------------------------- */

/* Runs a peer that prints "key value" lines; adds them as figures. */
static void run_peer(const char *group, const char *what, const char *cmd, bool quick)
{
	struct buf line = {0};
	buf_printf(&line, "%s%s 2>/dev/null", cmd, quick ? " --quick" : "");
	FILE *p = popen(line.data, "r");
	buf_free(&line);
	if (!p)
		return;
	char key[128], unit[16];
	double value;
	char text[512];
	while (fgets(text, sizeof(text), p)) {
		if (sscanf(text, "%127s %lf %15s", key, &value, unit) != 3)
			continue;
		struct buf name = {0}, k = {0};
		buf_printf(&name, "%s: %s", what, key);
		buf_printf(&k, "%s_%s", group, key);
		add_figure(group, k.data, name.data, value, !strcmp(unit, "s") ? "s" : !strcmp(unit, "jobs/s") ? "jobs/s" : "x");
		buf_free(&name);
		buf_free(&k);
	}
	pclose(p);
}

static void bench_peers(bool quick)
{
	if (*AIODEMO_UVBENCH && access(AIODEMO_UVBENCH, X_OK) == 0)
		run_peer("libuv", "libuv 1.x uv_queue_work", AIODEMO_UVBENCH, quick);
	struct buf script = {0};
	buf_printf(&script, "%s/asyncio_bench.py", AIODEMO_BENCH_DIR);
	if (*AIODEMO_BENCH_DIR && access(script.data, R_OK) == 0) {
		struct buf cmd = {0};
		buf_printf(&cmd, "python3 '%s'", script.data);
		run_peer("asyncio", "Python asyncio", cmd.data, quick);
		buf_free(&cmd);
	}
	buf_free(&script);
}

/* --- output --------------------------------------------------------------------------- */

static void print_value(double v, const char *unit)
{
	if (isnan(v)) {
		printf("%12s", "-");
	} else if (!strcmp(unit, "s")) {
		if (v < 1e-3)
			printf("%9.1f µs", v * 1e6);
		else if (v < 1)
			printf("%9.3f ms", v * 1e3);
		else
			printf("%10.3f s", v);
	} else if (!strcmp(unit, "B")) {
		printf("%10.0f B", v);
	} else if (!strcmp(unit, "jobs/s")) {
		printf("%7.2f M/s", v / 1e6);
	} else {
		printf("%11.3fx", v);
	}
}

int bench_run(int set, bool quick, bool json, bool peers)
{
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	if (!loop) {
		diag_error("cannot start libev's loop");
		return 1;
	}
	int rc = 0;
	/* Each figure is the median of REPEAT runs, reported with its range. */
	int repeat = quick ? 1 : REPEAT, runs = 0;
	for (int r = 0; r < repeat && rc == 0; r++, runs++) {
		if ((set & BENCH_OFFLOAD) && bench_offload(loop, quick) != 0)
			rc = 1;
		if ((set & BENCH_PROCESS) && bench_process(loop, quick) != 0)
			rc = 1;
		if ((set & BENCH_TIMERS) && bench_timers(loop, quick) != 0)
			rc = 1;
		if (peers && (set & (BENCH_OFFLOAD | BENCH_PROCESS | BENCH_TIMERS)))
			bench_peers(quick);
	}
	if (rc)
		diag_error("a benchmark could not run: %s", strerror(errno));
	if (json) {
		printf("{\"kind\":\"bench\",\"quick\":%s,\"runs\":%d", quick ? "true" : "false", runs);
		for (size_t i = 0; i < nfigures; i++) {
			struct figure *f = &figures[i];
			size_t valid;
			double med = percentile_of(f->values, f->n, 0.5, &valid);
			if (isnan(med)) {
				printf(",\"%s\":null", f->key);
				continue;
			}
			printf(",\"%s\":%.9g", f->key, med);
			if (valid > 1)
				printf(",\"%s_min\":%.9g,\"%s_max\":%.9g", f->key, f->values[0], f->key, f->values[valid - 1]);
		}
		printf("}\n");
	} else {
		if (runs > 1)
			printf("medians of %d runs, with the lowest and the highest\n\n", runs);
		const char *group = NULL;
		for (size_t i = 0; i < nfigures; i++) {
			struct figure *f = &figures[i];
			if (!group || strcmp(group, f->group) != 0) {
				group = f->group;
				printf("%s%s\n", i ? "\n" : "", group);
			}
			printf("  %-58s ", f->name);
			size_t valid;
			print_value(percentile_of(f->values, f->n, 0.5, &valid), f->unit); /* sorts the values */
			if (valid > 1) {
				printf("   (");
				print_value(f->values[0], f->unit);
				printf(" ..");
				print_value(f->values[valid - 1], f->unit);
				printf(")");
			}
			putchar('\n');
		}
	}
	for (size_t i = 0; i < nfigures; i++) {
		free(figures[i].name);
		free(figures[i].key);
		free(figures[i].values);
	}
	free(figures);
	figures = NULL;
	nfigures = 0;
	return rc;
}
