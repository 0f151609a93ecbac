/* libuv's thread pool measured the way `aiodemo bench` measures its own:
 * the round trip of a no-op uv_queue_work, one at a time, and the rate of
 * 100 000 queued at once, with three threads. Prints "key value unit". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct req {
	uv_work_t w;
	double t_submit;
};

static struct req *reqs;
static double *lat;
static size_t n, done, next;
static int chain;
static double t_last;

static void work(uv_work_t *w)
{
	(void)w;
}

static void after(uv_work_t *w, int status)
{
	struct req *r = (struct req *)w;
	double t = now();
	(void)status;
	if (lat)
		lat[done] = t - r->t_submit;
	done++;
	t_last = t;
	if (chain && next < n) {
		struct req *q = &reqs[next++];
		q->t_submit = now();
		uv_queue_work(uv_default_loop(), &q->w, work, after);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && !strcmp(argv[1], "--quick");
	setenv("UV_THREADPOOL_SIZE", "3", 1);
	n = quick ? 2000 : 20000;
	reqs = calloc(n, sizeof(*reqs));
	lat = calloc(n, sizeof(*lat));
	if (!reqs || !lat)
		return 1;
	chain = 1;
	next = 1;
	reqs[0].t_submit = now();
	uv_queue_work(uv_default_loop(), &reqs[0].w, work, after);
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	qsort(lat, n, sizeof(*lat), cmp);
	printf("thread_rtt_p50 %.9g s\nthread_rtt_p99 %.9g s\n", lat[n / 2], lat[(size_t)((double)(n - 1) * 0.99)]);
	free(reqs);
	free(lat);
	lat = NULL;
	chain = 0;
	n = quick ? 10000 : 100000;
	done = 0;
	reqs = calloc(n, sizeof(*reqs));
	if (!reqs)
		return 1;
	double t0 = now();
	for (size_t i = 0; i < n; i++) {
		reqs[i].t_submit = t0;
		uv_queue_work(uv_default_loop(), &reqs[i].w, work, after);
	}
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	printf("thread_throughput_%zu %.9g jobs/s\n", n, (double)done / (t_last - t0));
	free(reqs);
	return 0;
}
