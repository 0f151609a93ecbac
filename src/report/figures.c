/* A run's figures and their spread: see figures.h. */
#include "figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"

static const struct figure_info infos[NFIGURES] = {
	[FIG_TOTAL] = { "total", N_("total"), UNIT_SECONDS },
	[FIG_MAX_LAG] = { "max_lag", N_("max loop lag"), UNIT_SECONDS },
	[FIG_LAG_P99] = { "lag_p99", N_("loop lag p99"), UNIT_SECONDS },
	[FIG_QUEUE_WAIT] = { "queue_wait", N_("queue wait"), UNIT_SECONDS },
	[FIG_BLOCKED] = { "blocked", N_("time blocked"), UNIT_SECONDS },
	[FIG_BUSY] = { "utilization", N_("loop busy"), UNIT_SHARE },
	[FIG_THREADS] = { "threads", N_("threads used"), UNIT_COUNT },
	[FIG_PROCESSES] = { "processes", N_("processes used"), UNIT_COUNT },
};

const struct figure_info *figure_info(enum figure f)
{
	return &infos[f];
}

int figure_by_key(const char *key)
{
	for (int i = 0; i < NFIGURES; i++)
		if (!strcmp(infos[i].key, key))
			return i;
	return -1;
}

const char *const *figure_keys(int *n)
{
	static const char *keys[NFIGURES];
	for (int i = 0; i < NFIGURES; i++)
		keys[i] = infos[i].key;
	*n = NFIGURES;
	return keys;
}

void figures_of(const struct timeline *tl, const struct run_summary *s, double out[NFIGURES])
{
	size_t nb;
	const struct tl_blocked *bw = timeline_blocked_windows(tl, &nb);
	double blocked = 0;
	for (size_t i = 0; i < nb; i++)
		blocked += bw[i].end - bw[i].start;
	out[FIG_TOTAL] = s->total;
	out[FIG_MAX_LAG] = s->max_lag;
	out[FIG_LAG_P99] = s->lag_p99;
	out[FIG_QUEUE_WAIT] = s->max_queue_wait;
	out[FIG_BLOCKED] = blocked;
	out[FIG_BUSY] = s->utilization;
	/* A thread or a worker process has a lane once it does something the
	 * run shows: a job, a line printed. */
	int n;
	const struct tl_lane *lanes = timeline_lanes(tl, &n);
	out[FIG_THREADS] = out[FIG_PROCESSES] = 0;
	for (int i = 0; i < n; i++) {
		out[FIG_THREADS] += lanes[i].kind == LANE_THREAD;
		out[FIG_PROCESSES] += lanes[i].kind == LANE_PROCESS;
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct spread spread_of(double *v, int n)
{
	struct spread s = { 0, 0, 0, n };
	if (n <= 0)
		return s;
	qsort(v, (size_t)n, sizeof(*v), by_value);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

bool spread_overlap(struct spread a, struct spread b)
{
	return a.n > 0 && b.n > 0 && a.min <= b.max && b.min <= a.max;
}

double figure_ratio(double b, double a)
{
	return a > 0 ? b / a : b > 0 ? INFINITY : 1;
}

/* A count, or a median of counts: "6", "5.5". */
static void count_text(struct buf *b, double v)
{
	buf_printf(b, v == floor(v) ? "%.0f" : "%.1f", v);
}

void figure_format(struct buf *b, double v, enum figure_unit unit)
{
	if (!isfinite(v))
		buf_puts(b, "-");
	else if (unit == UNIT_SECONDS)
		buf_seconds(b, v);
	else if (unit == UNIT_COUNT)
		count_text(b, v);
	else
		buf_printf(b, v < 0.1 ? "%.1f%%" : "%.0f%%", v * 100);
}

void figure_format_range(struct buf *b, struct spread s, enum figure_unit unit)
{
	if (unit == UNIT_COUNT) {
		count_text(b, s.min);
		buf_puts(b, "..");
		count_text(b, s.max);
	} else if (unit == UNIT_SHARE)
		buf_printf(b, s.max < 0.1 ? "%.1f..%.1f%%" : "%.0f..%.0f%%", s.min * 100,
		           s.max * 100);
	else if (s.max < 0.001)
		buf_printf(b, "%.3f..%.3f ms", s.min * 1000, s.max * 1000);
	else if (s.max < 1)
		buf_printf(b, "%.1f..%.1f ms", s.min * 1000, s.max * 1000);
	else
		buf_printf(b, "%.3f..%.3f s", s.min, s.max);
}
