/* The timeline: events from the loop thread and from worker threads go
 * through one mutex, are stored, and are printed as they happen. */
#include "timeline.h"

#include <errno.h>
#include <langinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/io.h"
#include "util/text.h"

#define LANE_WIDTH 26

/* The text of the loop's step events, which have none of their own. */
static char no_text[] = "";

struct timeline {
	pthread_mutex_t lock;
	FILE *out;
	enum tl_format fmt;
	bool color;
	bool utf8;
	bool broken;
	bool print_events; /* print events as they happen */
	bool print_steps;  /* JSON: the loop's steps too (K_READY, ...) */
	int write_errno;   /* why the output broke */
	double t0;
	struct tl_lane *lanes;
	int nlanes, lanecap;
	struct tl_event *events;
	size_t nevents, eventcap;
	struct tl_blocked *blocked;
	size_t nblocked, blockedcap;
	struct buf line;
	size_t max_events; /* 0: no limit */
	size_t not_kept;   /* events past the limit: printed, not kept */
	/* Lanes made once the limit is reached hold no kept event: when their
	 * task ends, their slots are used again. */
	int kept_lanes; /* the lanes made before the limit; -1 until then */
	int *free_lanes;
	int nfree, freecap;
	bool last_blocked_dropped; /* the share of the CPU is not the one before's */
	/* Event texts, interned: a run of 100 000 tasks says "finished"
	 * 100 000 times but stores it once. Open addressing, FNV-1a. */
	char **texts;
	size_t ntexts, textcap;
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The shared copy of @s (length @n). Lock held. */
static const char *intern(struct timeline *tl, const char *s, size_t n)
{
	if (n == 0)
		return no_text;
	if (tl->ntexts * 2 >= tl->textcap) {
		size_t cap = tl->textcap ? tl->textcap * 2 : 1024;
		char **t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < tl->textcap; i++) {
			if (!tl->texts[i])
				continue;
			size_t j = fnv1a(tl->texts[i], strlen(tl->texts[i])) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = tl->texts[i];
		}
		free(tl->texts);
		tl->texts = t;
		tl->textcap = cap;
	}
	size_t j = fnv1a(s, n) & (tl->textcap - 1);
	for (; tl->texts[j]; j = (j + 1) & (tl->textcap - 1))
		if (!strncmp(tl->texts[j], s, n) && tl->texts[j][n] == '\0')
			return tl->texts[j];
	tl->texts[j] = xstrndup(s, n);
	tl->ntexts++;
	return tl->texts[j];
}

static const char *const kind_names[] = {
	[K_POOL] = "pool",
	[K_WORKER] = "worker",
	[K_SPAWN] = "spawn",
	[K_SAY] = "say",
	[K_SLEEP] = "sleep",
	[K_AWAIT] = "await",
	[K_GATHER] = "gather",
	[K_BLOCK] = "block",
	[K_UNBLOCK] = "unblock",
	[K_OFFLOAD] = "offload",
	[K_JOB_START] = "job-start",
	[K_JOB_DONE] = "job-done",
	[K_DONE] = "done",
	[K_ERROR] = "error",
	[K_CANCEL] = "cancel",
	[K_END] = "end",
	[K_STDERR] = "stderr",
	[K_READY] = "ready",
	[K_STEP] = "step",
	[K_YIELD] = "yield",
	[K_EXIT] = "exit",
	[K_BEAT] = "beat",
	[K_GIL] = "gil",
	[K_GIL_WAIT] = "gil-wait",
	[K_GIL_TAKE] = "gil-take",
	[K_CHILD] = "child",
	[K_WAITS] = "waits",
	[K_TIMER] = "timer",
	[K_TIMER_OFF] = "timer-off",
};

bool timeline_kind_printed(enum tl_kind kind)
{
	return kind < K_READY;
}

bool timeline_kind_relates(enum tl_kind kind)
{
	return kind >= K_CHILD;
}

static const char *const lane_kind_names[] = {
	[LANE_LOOP] = "loop",       [LANE_TASK] = "task",     [LANE_THREAD] = "thread",
	[LANE_PROCESS] = "process", [LANE_SERVER] = "server", [LANE_GIL] = "gil",
};

const char *timeline_kind_name(enum tl_kind kind)
{
	return kind_names[kind];
}

const char *timeline_lane_kind_name(enum lane_kind kind)
{
	return lane_kind_names[kind];
}

struct timeline *timeline_new(FILE *out, enum tl_format fmt, bool color, double t0)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));
	if (pthread_mutex_init(&tl->lock, NULL) != 0) {
		free(tl);
		return NULL;
	}
	tl->out = out;
	tl->fmt = fmt;
	tl->color = color;
	const char *cs = nl_langinfo(CODESET);
	tl->utf8 = cs && !strcmp(cs, "UTF-8");
	tl->t0 = t0;
	tl->print_events = true;
	tl->kept_lanes = -1;
	return tl;
}

double timeline_t0(const struct timeline *tl)
{
	return tl->t0;
}

void timeline_set_t0(struct timeline *tl, double t0)
{
	pthread_mutex_lock(&tl->lock);
	if (!tl->nevents)
		tl->t0 = t0;
	pthread_mutex_unlock(&tl->lock);
}

void timeline_blocked_cpu(struct timeline *tl, double share)
{
	pthread_mutex_lock(&tl->lock);
	/* Clock granularity may make a share a hair above 1. */
	if (tl->nblocked && !tl->last_blocked_dropped)
		tl->blocked[tl->nblocked - 1].cpu = share > 1 ? 1 : share < 0 ? 0 : share;
	pthread_mutex_unlock(&tl->lock);
}

/* A lane's name is the program's (a task's name): UTF-8, and nothing a
 * terminal obeys. */
static char *shown_name(const char *name)
{
	struct buf valid = { 0 }, shown = { 0 };
	text_add_utf8(&valid, name, strlen(name));
	text_add_visible(&shown, valid.data ? valid.data : "", true);
	buf_free(&valid);
	return shown.data ? buf_steal(&shown) : xstrdup("");
}

int timeline_lane(struct timeline *tl, enum lane_kind kind, const char *name)
{
	pthread_mutex_lock(&tl->lock);
	int id;
	if (tl->nfree) {
		id = tl->free_lanes[--tl->nfree];
		free(tl->lanes[id].name);
	} else {
		if (tl->nlanes == tl->lanecap) {
			tl->lanecap = tl->lanecap ? tl->lanecap * 2 : 16;
			tl->lanes = xrealloc(tl->lanes, (size_t)tl->lanecap * sizeof(*tl->lanes));
		}
		id = tl->nlanes++;
	}
	tl->lanes[id] = (struct tl_lane){ shown_name(name), kind };
	pthread_mutex_unlock(&tl->lock);
	return id;
}

void timeline_lane_done(struct timeline *tl, int id)
{
	pthread_mutex_lock(&tl->lock);
	if (tl->kept_lanes >= 0 && id >= tl->kept_lanes && id < tl->nlanes) {
		free(tl->lanes[id].name);
		tl->lanes[id].name = xstrdup("");
		if (tl->nfree == tl->freecap) {
			tl->freecap = tl->freecap ? tl->freecap * 2 : 16;
			tl->free_lanes =
			        xrealloc(tl->free_lanes, (size_t)tl->freecap * sizeof(int));
		}
		tl->free_lanes[tl->nfree++] = id;
	}
	pthread_mutex_unlock(&tl->lock);
}

void timeline_lane_rename(struct timeline *tl, int id, const char *name)
{
	pthread_mutex_lock(&tl->lock);
	if (id >= 0 && id < tl->nlanes) {
		free(tl->lanes[id].name);
		tl->lanes[id].name = shown_name(name);
	}
	pthread_mutex_unlock(&tl->lock);
}

const char *timeline_lane_name(struct timeline *tl, int id)
{
	pthread_mutex_lock(&tl->lock);
	const char *name = tl->lanes[id].name;
	pthread_mutex_unlock(&tl->lock);
	return name;
}

/* Symbols that set internal events apart from the program's own output. */
static const char *mark(const struct timeline *tl, enum tl_kind kind)
{
	static const char *const utf8[] = {
		[K_POOL] = "▸",    [K_WORKER] = "▸",  [K_SPAWN] = "+",     [K_SAY] = "",
		[K_SLEEP] = "…",   [K_AWAIT] = "…",   [K_GATHER] = "+",    [K_BLOCK] = "■",
		[K_UNBLOCK] = "□", [K_OFFLOAD] = "→", [K_JOB_START] = "▶", [K_JOB_DONE] = "✓",
		[K_DONE] = "✓",    [K_ERROR] = "✗",   [K_CANCEL] = "✗",    [K_END] = "▸",
		[K_STDERR] = "!",
	};
	static const char *const ascii[] = {
		[K_POOL] = ">",    [K_WORKER] = ">",   [K_SPAWN] = "+",     [K_SAY] = "",
		[K_SLEEP] = "~",   [K_AWAIT] = "~",    [K_GATHER] = "+",    [K_BLOCK] = "#",
		[K_UNBLOCK] = "-", [K_OFFLOAD] = "->", [K_JOB_START] = ">", [K_JOB_DONE] = "ok",
		[K_DONE] = "ok",   [K_ERROR] = "!!",   [K_CANCEL] = "x",    [K_END] = ">",
		[K_STDERR] = "!",
	};
	if (!timeline_kind_printed(kind))
		return "";
	return tl->utf8 ? utf8[kind] : ascii[kind];
}

static void format_text(struct timeline *tl, const struct tl_event *e, struct buf *b)
{
	const struct tl_lane *lane = &tl->lanes[e->lane];
	buf_printf(b, "%8.3f  ", e->t);
	if (tl->color && lane->kind != LANE_TASK)
		buf_puts(b, lane->kind == LANE_LOOP ? "\033[35m" : "\033[36m");
	text_pad(b, lane->name, LANE_WIDTH, tl->utf8);
	if (tl->color && lane->kind != LANE_TASK)
		buf_puts(b, "\033[0m");
	buf_puts(b, "  ");
	if (e->kind == K_SAY) {
		if (tl->color)
			buf_puts(b, "\033[1m");
		text_add_visible(b, e->text, tl->utf8);
		if (tl->color)
			buf_puts(b, "\033[0m");
	} else {
		const char *color = e->kind == K_BLOCK || e->kind == K_ERROR || e->kind == K_STDERR
		                            ? "\033[31m"
		                    : e->kind == K_UNBLOCK ? "\033[33m"
		                                           : "\033[2m";
		if (tl->color)
			buf_puts(b, color);
		buf_printf(b, "%s ", mark(tl, e->kind));
		text_add_visible(b, e->text, tl->utf8);
		if (tl->color)
			buf_puts(b, "\033[0m");
	}
	buf_putc(b, '\n');
}

static void format_json(struct timeline *tl, const struct tl_event *e, struct buf *b)
{
	const struct tl_lane *lane = &tl->lanes[e->lane];
	buf_printf(b, "{\"t\":%.6f,\"lane\":", e->t);
	buf_json_string(b, lane->name, strlen(lane->name));
	buf_printf(b,
	           ",\"lane_kind\":\"%s\",\"kind\":\"%s\",\"text\":", lane_kind_names[lane->kind],
	           kind_names[e->kind]);
	buf_json_string(b, e->text, strlen(e->text));
	if (e->line)
		buf_printf(b, ",\"line\":%d", e->line);
	if (e->kind == K_CHILD || e->kind == K_WAITS) {
		buf_puts(b, ",\"on\":");
		buf_json_string(b, tl->lanes[e->other].name, strlen(tl->lanes[e->other].name));
	} else if (timeline_kind_relates(e->kind)) {
		buf_printf(b, ",\"timer\":%d", e->other);
	} else if (e->job) {
		buf_printf(b, ",\"job\":%d", e->job);
	}
	if (e->dur >= 0)
		buf_printf(b, ",\"dur\":%.6f", e->dur);
	buf_puts(b, "}\n");
}

/* Writes @b to the output; notes a reader that went away. Lock held. */
static void emit_locked(struct timeline *tl, const struct buf *b)
{
	if (!tl->out || tl->broken)
		return;
	/* Straight to the descriptor, past a signal that interrupts a write
	 * blocked on a slow reader: what stdio buffered goes first. */
	int fd = fileno(tl->out); /* -1 for a stream in memory: stdio then */
	if (fflush(tl->out) != 0 ||
	    (fd >= 0 ? io_write_all(fd, b->data, b->len) != 0
	             : fwrite(b->data, 1, b->len, tl->out) != b->len || fflush(tl->out) != 0)) {
		tl->broken = true;
		tl->write_errno = errno;
		clearerr(tl->out);
	}
}

/* Prints @e in the timeline's format; the lock is held. */
static void print_event_locked(struct timeline *tl, const struct tl_event *e)
{
	buf_clear(&tl->line);
	if (tl->fmt == TL_JSON)
		format_json(tl, e, &tl->line);
	else
		format_text(tl, e, &tl->line);
	emit_locked(tl, &tl->line);
}

/* Room for one more event: its slot, or NULL when the limit keeps it out
 * (counted). The lock is held. */
static struct tl_event *next_slot(struct timeline *tl)
{
	if (tl->max_events && tl->nevents >= tl->max_events) {
		if (tl->kept_lanes < 0)
			tl->kept_lanes = tl->nlanes;
		tl->not_kept++;
		return NULL;
	}
	if (tl->nevents == tl->eventcap) {
		tl->eventcap = tl->eventcap ? tl->eventcap * 2 : 256;
		tl->events = xrealloc(tl->events, tl->eventcap * sizeof(*tl->events));
	}
	return &tl->events[tl->nevents++];
}

void timeline_add(struct timeline *tl, double when, int lane, enum tl_kind kind, int line, int job,
                  double dur, const char *fmt, ...)
{
	struct buf text = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	/* Whatever a program prints, the stream and the record stay UTF-8. */
	if (text.len && !text_is_utf8(text.data, text.len, NULL)) {
		struct buf valid = { 0 };
		text_add_utf8(&valid, text.data, text.len);
		buf_free(&text);
		text = valid;
	}
	pthread_mutex_lock(&tl->lock);
	struct tl_event *slot = next_slot(tl), past;
	struct tl_event *e = slot ? slot : &past;
	*e = (struct tl_event){ when - tl->t0, dur, text.data ? text.data : no_text, lane, line,
		                { job },       kind };
	if (slot)
		e->text = intern(tl, e->text, text.len);
	if (tl->out && !tl->broken && tl->print_events &&
	    (timeline_kind_printed(kind) || (tl->fmt == TL_JSON && tl->print_steps))) {
		print_event_locked(tl, e);
	}
	pthread_mutex_unlock(&tl->lock);
	buf_free(&text);
}

void timeline_step(struct timeline *tl, double when, int lane, enum tl_kind kind, int line,
                   double dur)
{
	pthread_mutex_lock(&tl->lock);
	struct tl_event *slot = next_slot(tl), past;
	struct tl_event *e = slot ? slot : &past;
	/* No text of its own: there are several of these per task. */
	*e = (struct tl_event){ when - tl->t0, dur, no_text, lane, line, { 0 }, kind };
	if (tl->out && !tl->broken && tl->print_events && tl->print_steps && tl->fmt == TL_JSON) {
		buf_clear(&tl->line);
		format_json(tl, e, &tl->line);
		emit_locked(tl, &tl->line);
	}
	pthread_mutex_unlock(&tl->lock);
}

void timeline_relate(struct timeline *tl, double when, int lane, enum tl_kind kind, int other,
                     int line, double dur, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	struct buf valid = { 0 };
	if (len && !text_is_utf8(text, len, NULL)) {
		text_add_utf8(&valid, text, len);
		text = valid.data;
		len = valid.len;
	}
	pthread_mutex_lock(&tl->lock);
	struct tl_event *slot = next_slot(tl), past;
	struct tl_event *e = slot ? slot : &past;
	*e = (struct tl_event){ when - tl->t0, dur, no_text, lane, line, { .other = other }, kind };
	if (slot && len)
		e->text = intern(tl, text, len);
	if (tl->out && !tl->broken && tl->print_events && tl->print_steps && tl->fmt == TL_JSON) {
		buf_clear(&tl->line);
		format_json(tl, e, &tl->line);
		emit_locked(tl, &tl->line);
	}
	pthread_mutex_unlock(&tl->lock);
	buf_free(&valid);
}

void timeline_print_events(struct timeline *tl)
{
	pthread_mutex_lock(&tl->lock);
	for (size_t i = 0; i < tl->nevents; i++) {
		const struct tl_event *e = &tl->events[i];
		if (!timeline_kind_printed(e->kind))
			continue;
		print_event_locked(tl, e);
	}
	pthread_mutex_unlock(&tl->lock);
}

void timeline_set_limit(struct timeline *tl, size_t max)
{
	pthread_mutex_lock(&tl->lock);
	tl->max_events = max;
	pthread_mutex_unlock(&tl->lock);
}

size_t timeline_not_kept(const struct timeline *tl, size_t *limit)
{
	if (limit)
		*limit = tl->max_events;
	return tl->not_kept;
}

void timeline_set_not_kept(struct timeline *tl, size_t n, size_t limit)
{
	tl->not_kept = n;
	tl->max_events = limit;
}

void timeline_set_printing(struct timeline *tl, bool events, bool steps)
{
	tl->print_events = events;
	tl->print_steps = steps;
}

void timeline_blocked(struct timeline *tl, double start, double end, int lane, int line,
                      const char *what)
{
	pthread_mutex_lock(&tl->lock);
	tl->last_blocked_dropped = tl->kept_lanes >= 0 && lane >= tl->kept_lanes;
	if (tl->last_blocked_dropped) { /* a lane the timeline does not keep */
		pthread_mutex_unlock(&tl->lock);
		return;
	}
	if (tl->nblocked == tl->blockedcap) {
		tl->blockedcap = tl->blockedcap ? tl->blockedcap * 2 : 8;
		tl->blocked = xrealloc(tl->blocked, tl->blockedcap * sizeof(*tl->blocked));
	}
	tl->blocked[tl->nblocked++] =
	        (struct tl_blocked){ start - tl->t0, end - tl->t0, lane, line, xstrdup(what), -1 };
	pthread_mutex_unlock(&tl->lock);
}

bool timeline_output_broken(const struct timeline *tl)
{
	return tl->broken;
}

int timeline_output_errno(const struct timeline *tl)
{
	return tl->write_errno;
}

bool timeline_utf8(const struct timeline *tl)
{
	return tl->utf8;
}

static void print_va(struct timeline *tl, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);

static void print_va(struct timeline *tl, const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	buf_vprintf(&b, fmt, ap);
	pthread_mutex_lock(&tl->lock);
	emit_locked(tl, &b);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&b);
}

void timeline_print_text_any(struct timeline *tl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_va(tl, fmt, ap);
	va_end(ap);
}

void timeline_print_text(struct timeline *tl, const char *fmt, ...)
{
	if (tl->fmt != TL_TEXT)
		return;
	va_list ap;
	va_start(ap, fmt);
	print_va(tl, fmt, ap);
	va_end(ap);
}

const struct tl_event *timeline_events(const struct timeline *tl, size_t *n)
{
	*n = tl->nevents;
	return tl->events;
}

const struct tl_lane *timeline_lanes(const struct timeline *tl, int *n)
{
	*n = tl->kept_lanes >= 0 ? tl->kept_lanes : tl->nlanes; /* the others hold no event */
	return tl->lanes;
}

const struct tl_blocked *timeline_blocked_windows(const struct timeline *tl, size_t *n)
{
	*n = tl->nblocked;
	return tl->blocked;
}

static void summary_text(struct timeline *tl, const struct run_summary *s, struct buf *b)
{
	const char *bold = tl->color ? "\033[1m" : "", *off = tl->color ? "\033[0m" : "";
	buf_printf(b, "\n%ssummary%s\n", bold, off);
	buf_printf(b, "  %-14s %s\n", "status", s->status);
	if (s->error)
		buf_printf(b, "  %-14s %s\n", "error", s->error);
	buf_printf(b, "  %-14s ", "total");
	buf_seconds(b, s->total);
	if (s->expected_total >= 0 && !strcmp(s->status, "ok")) {
		double want = s->expected_total * s->scale;
		double end = s->code_end >= 0 ? s->code_end : s->total;
		bool ok = end >= want - s->tolerance && end <= want + s->tolerance;
		buf_printf(b, "   (expected %g s", want);
		if (s->scale != 1)
			buf_printf(b, " = %g s x scale %g", s->expected_total, s->scale);
		buf_printf(b, ": %s)", ok ? "as expected" : "NOT as expected");
	}
	buf_putc(b, '\n');
	buf_printf(b, "  %-14s p50 ", "loop lag");
	buf_seconds(b, s->lag_p50);
	buf_puts(b, ", p99 ");
	buf_seconds(b, s->lag_p99);
	buf_puts(b, ", max ");
	buf_seconds(b, s->max_lag);
	buf_printf(b, "   (heartbeat every ");
	buf_seconds(b, s->heartbeat);
	buf_puts(b, ")\n");
	buf_printf(b, "  %-14s %.0f%% of the time (the rest it waited for timers and workers)\n",
	           "loop busy", s->utilization * 100);
	buf_printf(b, "  %-14s %zu", "tasks", s->tasks);
	if (s->jobs) {
		buf_printf(b, ", jobs offloaded %zu, longest queue wait ", s->jobs);
		buf_seconds(b, s->max_queue_wait);
	}
	buf_putc(b, '\n');
	if (tl->not_kept)
		buf_printf(
		        b,
		        "  %-14s the first %zu events kept, %zu more only printed (--max-events)\n",
		        "timeline", tl->nevents, tl->not_kept);
	if (s->nchecks) {
		int met = 0;
		for (int i = 0; i < s->nchecks; i++)
			met += s->checks[i].ok;
		buf_printf(b, "  %-14s %d of %d met%s\n", "expectations", met, s->nchecks,
		           met < s->nchecks ? "; not met:" : "");
		for (int i = 0; i < s->nchecks; i++)
			if (!s->checks[i].ok)
				buf_printf(b, "    %s\n", s->checks[i].text);
	}
	if (tl->nblocked == 0) {
		buf_printf(b, "  %-14s never: every step that waited gave the loop back\n",
		           "loop blocked");
		return;
	}
	double sum = 0;
	for (size_t i = 0; i < tl->nblocked; i++)
		sum += tl->blocked[i].end - tl->blocked[i].start;
	buf_printf(b, "  %-14s %zu time%s, ", "loop blocked", tl->nblocked,
	           tl->nblocked == 1 ? "" : "s");
	buf_seconds(b, sum);
	buf_puts(b, " in all; meanwhile no other task could run:\n");
	for (size_t i = 0; i < tl->nblocked && i < 20; i++) {
		const struct tl_blocked *w = &tl->blocked[i];
		buf_printf(b, "    %8.3f-%.3f  %s, line %d: %s\n", w->start, w->end,
		           tl->lanes[w->lane].name, w->line, w->what);
	}
	if (tl->nblocked > 20)
		buf_printf(b, "    ... and %zu more\n", tl->nblocked - 20);
}

static void summary_json(struct timeline *tl, const struct run_summary *s, struct buf *b)
{
	buf_printf(b, "{\"kind\":\"summary\",\"status\":\"%s\",\"total\":%.6f", s->status,
	           s->total);
	if (s->error) {
		buf_puts(b, ",\"error\":");
		buf_json_string(b, s->error, strlen(s->error));
	}
	if (s->code_end >= 0)
		buf_printf(b, ",\"code_end\":%.6f", s->code_end);
	if (s->expected_total >= 0)
		buf_printf(b, ",\"expected_total\":%.6f,\"tolerance\":%.6f",
		           s->expected_total * s->scale, s->tolerance);
	buf_printf(
	        b,
	        ",\"scale\":%g,\"max_lag\":%.6f,\"heartbeat\":%.6f,\"tasks\":%zu,\"jobs\":%zu,"
	        "\"max_queue_wait\":%.6f,\"lag_p50\":%.6f,\"lag_p99\":%.6f,\"utilization\":%.4f,",
	        s->scale, s->max_lag, s->heartbeat, s->tasks, s->jobs, s->max_queue_wait,
	        s->lag_p50, s->lag_p99, s->utilization);
	if (tl->not_kept)
		buf_printf(b, "\"events_kept\":%zu,\"events_not_kept\":%zu,", tl->nevents,
		           tl->not_kept);
	if (s->json_more)
		buf_printf(b, "%s,", s->json_more);
	buf_puts(b, "\"blocked\":[");
	for (size_t i = 0; i < tl->nblocked; i++) {
		const struct tl_blocked *w = &tl->blocked[i];
		buf_printf(b, "%s{\"start\":%.6f,\"end\":%.6f,\"lane\":", i ? "," : "", w->start,
		           w->end);
		buf_json_string(b, tl->lanes[w->lane].name, strlen(tl->lanes[w->lane].name));
		buf_printf(b, ",\"line\":%d,\"what\":", w->line);
		buf_json_string(b, w->what, strlen(w->what));
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"slow_passes\":[");
	for (int i = 0; i < s->nslow; i++)
		buf_printf(b, "%s{\"t\":%.6f,\"dur\":%.6f,\"steps\":%zu}", i ? "," : "",
		           s->slow[i].t, s->slow[i].dur, s->slow[i].steps);
	buf_puts(b, "],\"expectations\":[");
	for (int i = 0; i < s->nchecks; i++) {
		buf_printf(b, "%s{\"ok\":%s,\"text\":", i ? "," : "",
		           s->checks[i].ok ? "true" : "false");
		buf_json_string(b, s->checks[i].text, strlen(s->checks[i].text));
		buf_putc(b, '}');
	}
	buf_puts(b, "]}\n");
}

void timeline_print_summary(struct timeline *tl, const struct run_summary *s)
{
	struct buf b = { 0 };
	pthread_mutex_lock(&tl->lock);
	if (tl->fmt == TL_JSON)
		summary_json(tl, s, &b);
	else
		summary_text(tl, s, &b);
	emit_locked(tl, &b);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&b);
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	for (int i = 0; i < tl->nlanes; i++)
		free(tl->lanes[i].name);
	free(tl->lanes);
	free(tl->free_lanes);
	for (size_t i = 0; i < tl->textcap; i++)
		free(tl->texts[i]);
	free(tl->texts);
	free(tl->events);
	for (size_t i = 0; i < tl->nblocked; i++)
		free(tl->blocked[i].what);
	free(tl->blocked);
	buf_free(&tl->line);
	pthread_mutex_destroy(&tl->lock);
	free(tl);
}
