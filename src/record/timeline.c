/* The timeline: events from the loop thread and from worker threads go
 * through one mutex, are stored, and are printed as they happen. */
#include "timeline.h"

#include <errno.h>
#include <math.h>
#include <langinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "rendering.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/io.h"
#include "util/text.h"

/* The text of the loop's step events, which have none of their own. */
static char no_text[] = "";

/* An event in the reorder window: its text not yet interned, its line as
 * it was to be printed (empty if it is not printed). */
struct tl_held {
	struct tl_event e;
	struct buf text, line;
};

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
	/* The reorder window: events from several threads come in a little
	 * out of time order (a worker's, stamped first, added after the
	 * loop's). Each waits here, in time order, until it is window seconds
	 * old, and is kept and printed then; the releaser thread lets them
	 * out when no other event comes. */
	double window; /* 0: none */
	struct tl_held *held;
	size_t nheld, heldcap;
	pthread_cond_t wake; /* on the monotonic clock */
	pthread_t releaser;
	bool releaser_on, stop_releaser;
	double last_now, last_real; /* clock_now() and the real clock at the last event */
	/* The English of say lines, and whether text shows it under them. */
	const struct renderings *renderings;
	bool show_en;
	/* Output the batcher thread (the loop's, while it runs) has made and
	 * not yet written: written when it waits, every BATCH_AGE seconds,
	 * at BATCH_BYTES, and before any other thread's. */
	struct buf pending;
	bool batching;
	pthread_t batcher;
	double pending_since;
};

#define BATCH_AGE   0.01
#define BATCH_BYTES 32768

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
	[K_POOL] = "pool",         [K_WORKER] = "worker",       [K_SPAWN] = "spawn",
	[K_SAY] = "say",           [K_SLEEP] = "sleep",         [K_AWAIT] = "await",
	[K_GATHER] = "gather",     [K_BLOCK] = "block",         [K_UNBLOCK] = "unblock",
	[K_OFFLOAD] = "offload",   [K_JOB_START] = "job-start", [K_JOB_DONE] = "job-done",
	[K_DONE] = "done",         [K_ERROR] = "error",         [K_CANCEL] = "cancel",
	[K_END] = "end",           [K_STDERR] = "stderr",       [K_IO] = "io",
	[K_READY] = "ready",       [K_STEP] = "step",           [K_YIELD] = "yield",
	[K_EXIT] = "exit",         [K_BEAT] = "beat",           [K_GIL] = "gil",
	[K_GIL_WAIT] = "gil-wait", [K_GIL_TAKE] = "gil-take",   [K_CHILD] = "child",
	[K_WAITS] = "waits",       [K_TIMER] = "timer",         [K_TIMER_OFF] = "timer-off",
};

static const char *const wait_names[] = {
	[W_LOCK] = "lock",           [W_SEMAPHORE] = "semaphore", [W_EVENT] = "event",
	[W_CONDITION] = "condition", [W_QUEUE] = "queue",         [W_BARRIER] = "barrier",
};

const char *timeline_wait_name(enum tl_wait w)
{
	return w > W_NONE && w <= W_LAST ? wait_names[w] : NULL;
}

int timeline_wait_from_name(const char *name)
{
	for (int w = W_NONE + 1; w <= W_LAST; w++)
		if (!strcmp(name, wait_names[w]))
			return w;
	return -1;
}

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
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		goto fail;
	bool cond = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	            pthread_cond_init(&tl->wake, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!cond)
		goto fail;
	if (pthread_mutex_init(&tl->lock, NULL) != 0) {
		pthread_cond_destroy(&tl->wake);
		goto fail;
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
fail:
	free(tl);
	return NULL;
}

double timeline_t0(const struct timeline *tl)
{
	return tl->t0;
}

void timeline_set_t0(struct timeline *tl, double t0)
{
	pthread_mutex_lock(&tl->lock);
	if (!tl->nevents && !tl->nheld)
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

int timeline_lane_width(int columns)
{
	int w = columns / 4 + 1;
	return w < 12 ? 12 : w > 40 ? 40 : w;
}

/* The bytes of @s that fit in @width columns from its start. */
static size_t head_fitting(const char *s, int width)
{
	const char *after;
	return width > 0 && *s ? text_break(s, width, &after) : 0;
}

void timeline_lane_label(struct buf *b, const char *name, int width, bool utf8)
{
	if (text_width(name) <= width) {
		text_pad(b, name, width, utf8);
		return;
	}
	/* A task's number tells it apart first: "Task-12 " stays whole. */
	struct buf label = { 0 };
	const char *rest = name;
	size_t digits = strncmp(name, "Task-", 5) ? 0 : strspn(name + 5, "0123456789");
	if (digits && (name[5 + digits] == ' ' || !name[5 + digits])) {
		if (width < 20)
			buf_printf(&label, "t%.*s", (int)digits, name + 5);
		else
			buf_add(&label, name, 5 + digits);
		rest = name + 5 + digits;
	}
	int room = width - text_width(label.data ? label.data : "") - 1;
	if (room + 1 >= text_width(rest)) { /* "t12 main()" fits */
		buf_puts(&label, rest);
		text_pad(b, label.data, width, utf8);
		buf_free(&label);
		return;
	}
	if (room < 4) {
		text_pad(b, name, width, utf8);
		buf_free(&label);
		return;
	}
	/* The end that differs: from the first separator that leaves it at
	 * most two thirds of the room ("…, 0)", "…-0/12", "…-1 queue"). */
	const char *tail = NULL;
	for (const char *p = rest + strlen(rest); p > rest; p--)
		if (strchr(",/-( ", p[-1]) && p - 1 > rest && text_width(p - 1) <= room * 2 / 3)
			tail = p - 1;
	if (!tail) {
		tail = rest + strlen(rest);
		while (tail > rest && text_width(tail) < room / 3)
			do
				tail--;
			while (tail > rest && ((unsigned char)*tail & 0xC0) == 0x80);
	}
	buf_add(&label, rest, head_fitting(rest, room - text_width(tail)));
	buf_puts(&label, utf8 ? "…" : "~");
	buf_puts(&label, tail);
	text_pad(b, label.data, width, utf8);
	buf_free(&label);
}

/* Symbols that set internal events apart from the program's own output. */
static const char *mark(const struct timeline *tl, enum tl_kind kind)
{
	static const char *const utf8[] = {
		[K_POOL] = "▸",    [K_WORKER] = "▸",  [K_SPAWN] = "+",     [K_SAY] = "",
		[K_SLEEP] = "…",   [K_AWAIT] = "…",   [K_GATHER] = "+",    [K_BLOCK] = "■",
		[K_UNBLOCK] = "□", [K_OFFLOAD] = "→", [K_JOB_START] = "▶", [K_JOB_DONE] = "✓",
		[K_DONE] = "✓",    [K_ERROR] = "✗",   [K_CANCEL] = "⊘",    [K_END] = "▸",
		[K_STDERR] = "!",  [K_IO] = "⇄",
	};
	static const char *const ascii[] = {
		[K_POOL] = ">",    [K_WORKER] = ">",   [K_SPAWN] = "+",     [K_SAY] = "",
		[K_SLEEP] = "~",   [K_AWAIT] = "~",    [K_GATHER] = "+",    [K_BLOCK] = "#",
		[K_UNBLOCK] = "-", [K_OFFLOAD] = "->", [K_JOB_START] = ">", [K_JOB_DONE] = "ok",
		[K_DONE] = "ok",   [K_ERROR] = "X",    [K_CANCEL] = "/",    [K_END] = ">",
		[K_STDERR] = "!",  [K_IO] = "<>",
	};
	if (!timeline_kind_printed(kind))
		return "";
	return tl->utf8 ? utf8[kind] : ascii[kind];
}

/* The notes that aiodemo's events say: in English in the event (records
 * and JSON keep them so), translated where they are shown. The programs'
 * lines and the tasks' names are not among them. */
static const char *const notes[] = {
	N_("finished"),
	N_("returned %s"),
	N_("raised %s"),
	N_("cancelled"),
	N_("cancelled with %s, which it awaits"),
	N_("cancel requested by itself"),
	N_("cancel requested while it was ready"),
	N_("cancel requested by %s, a callback on the loop at line %d: %s"),
	N_("cancel requested by %s, a callback on the loop"),
	N_("cancel requested by a callback, a callback on the loop at line %d: %s"),
	N_("cancel requested by a callback, a callback on the loop"),
	N_("cancel requested by %s at line %d: %s"),
	N_("cancel requested by %s"),
	N_("the loop is blocked at line %d: %s"),
	N_("the loop is blocked"),
	N_("the loop is free again after %.3f s"),
	N_("line %d: %s  (waits for %s)"),
	N_("line %d: %s"),
	N_("job %d: %s to %s"),
	N_("job %d (waited %.3f ms in the queue)"),
	N_("job %d done after %.3f s"),
	N_("job %d raised %s after %.3f s"),
	N_("job %d raised after %.3f s"),
	N_("job %d failed after %.3f s"),
	N_("job %d cancelled in the queue after %.3f s: it never started"),
	N_("worker thread %d started"),
	N_("worker process started (pid %d)"),
	N_("the program ended (exit status %d)"),
	N_("waits for the GIL"),
	N_("stops waiting for the GIL"),
	N_("nobody"),
	N_("another thread"),
	N_("listens on %s (fd %d)"),
	N_("stops listening on %s (fd %d)"),
	N_("accepted %s (fd %d)"),
	N_("connected to %s in %.3f ms (fd %d)"),
	N_("sends %lld bytes to %s (fd %d)"),
	N_("a request from %s arrives: %d bytes (fd %d)"),
	N_("answers %s after %.3f ms (fd %d)"),
	N_("the answer from %s begins after %.3f ms: %d bytes (fd %d)"),
	N_("closed the connection to %s after %.3f s: %llu bytes out, %llu in (fd %d)"),
};

/* The words of notes' pieces: what a task waits for, who holds the GIL. */
static const char *const note_words[] = {
	N_("a Lock"),
	N_("a Semaphore"),
	N_("an Event"),
	N_("a Condition"),
	N_("a Queue (get)"),
	N_("a Queue (put)"),
	N_("a Queue (join)"),
	N_("a Barrier"),
	N_("a BoundedSemaphore"),
	N_("an item of %s %s"),
	N_("room in %s %s"),
	N_("the tasks of %s %s to be done"),
	N_("a job in a thread"),
	N_("the tasks of its TaskGroup"),
	N_("another thread"),
	N_("a Unix socket"),
};

void timeline_note_text(struct buf *out, enum tl_kind kind, const char *text)
{
	if (kind == K_SAY || kind == K_STDERR || kind == K_SPAWN || kind == K_CHILD ||
	    kind == K_WAITS || kind == K_TIMER || kind == K_TIMER_OFF)
		buf_puts(out, text);
	else
		i18n_retranslate_words(out, text, notes, sizeof(notes) / sizeof(notes[0]),
		                       note_words, sizeof(note_words) / sizeof(note_words[0]));
}

/* The event as text, after the time and the lane: @e's text, cut into
 * lines of @width columns, each line past the first under the first's
 * start, @indent columns in. */
/* Appends @s in lines of @width columns, the later ones after @indent
 * spaces, each in @color (or none). */
static void wrap_lines(struct buf *b, const char *s, int width, int indent, const char *color)
{
	const char *next;
	for (bool first = true; first || *s; first = false, s = next) {
		size_t k = text_break(s, width, &next);
		if (!first)
			buf_printf(b, "%*s", indent, "");
		if (color && k)
			buf_puts(b, color);
		buf_add(b, s, k);
		if (color && k)
			buf_puts(b, "\033[0m");
		buf_putc(b, '\n');
	}
}

static void format_event_text(struct timeline *tl, const struct tl_event *e, struct buf *b,
                              int width, int indent)
{
	struct buf text = { 0 }, shown = { 0 };
	/* A wait for a Lock, a Queue...: the chart's mark of it. */
	bool sync = e->kind == K_AWAIT && e->waits != W_NONE && tl->utf8;
	if (e->kind != K_SAY)
		buf_printf(&text, "%s ", sync ? "═" : mark(tl, e->kind));
	struct buf note = { 0 };
	timeline_note_text(&note, e->kind, e->text);
	text_add_visible(&shown, note.data ? note.data : "", tl->utf8);
	buf_free(&note);
	/* A tab goes to the next of the event column's tab stops. */
	for (const char *p = shown.data ? shown.data : ""; *p; p++) {
		size_t tab = strcspn(p, "\t");
		buf_add(&text, p, tab);
		p += tab;
		if (!*p)
			break;
		int col = text_width(text.data ? text.data : "");
		do
			buf_putc(&text, ' ');
		while (++col % 8);
	}
	const char *color = !tl->color         ? NULL
	                    : e->kind == K_SAY ? "\033[1m"
	                    : e->kind == K_BLOCK || e->kind == K_ERROR || e->kind == K_STDERR
	                            ? "\033[31m"
	                    : e->kind == K_UNBLOCK ? "\033[33m"
	                                           : "\033[2m";
	wrap_lines(b, text.data ? text.data : "", width, indent, color);
	buf_free(&text);
	buf_free(&shown);
}

static void format_text(struct timeline *tl, const struct tl_event *e, struct buf *b)
{
	const struct tl_lane *lane = &tl->lanes[e->lane];
	int columns = text_columns(), lane_width = timeline_lane_width(columns);
	buf_printf(b, "%8.3f  ", e->t);
	if (tl->color && lane->kind != LANE_TASK)
		buf_puts(b, lane->kind == LANE_LOOP ? "\033[35m" : "\033[36m");
	timeline_lane_label(b, lane->name, lane_width, tl->utf8);
	if (tl->color && lane->kind != LANE_TASK)
		buf_puts(b, "\033[0m");
	buf_puts(b, "  ");
	int indent = 8 + 2 + lane_width + 2;
	format_event_text(tl, e, b, columns - indent, indent);
	struct buf en = { 0 };
	if (e->kind == K_SAY && tl->show_en && renderings_render(tl->renderings, e->text, &en)) {
		/* Under the line, in the event column: the translation, in plain
		 * type where the program's line is bold. */
		struct buf line = { 0 };
		buf_printf(&line, "%s en: ", tl->utf8 ? "↳" : "->");
		text_add_visible(&line, en.data, tl->utf8);
		buf_printf(b, "%*s", indent, "");
		wrap_lines(b, line.data, columns - indent, indent, NULL);
		buf_free(&line);
	}
	buf_free(&en);
}

/* Appends @x >= 0 as "%.6f" would, rounded to the microsecond; a moment
 * or a duration of every event: printf is slow for it. */
static void put_seconds(struct buf *b, double x)
{
	if (!(x >= 0 && x < 1e12)) {
		buf_printf(b, "%.6f", x);
		return;
	}
	unsigned long long us = (unsigned long long)llround(x * 1e6);
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", us / 1000000);
	char frac[8];
	unsigned long long f = us % 1000000;
	for (int i = 5; i >= 0; i--, f /= 10)
		frac[i] = (char)('0' + f % 10);
	frac[6] = '\0';
	buf_add(b, digits, (size_t)n);
	buf_putc(b, '.');
	buf_add(b, frac, 6);
}

static void format_json(struct timeline *tl, const struct tl_event *e, struct buf *b)
{
	const struct tl_lane *lane = &tl->lanes[e->lane];
	buf_puts(b, "{\"t\":");
	put_seconds(b, e->t);
	buf_puts(b, ",\"lane\":");
	buf_json_string(b, lane->name, strlen(lane->name));
	buf_puts(b, ",\"lane_kind\":\"");
	buf_puts(b, lane_kind_names[lane->kind]);
	buf_puts(b, "\",\"kind\":\"");
	buf_puts(b, kind_names[e->kind]);
	buf_puts(b, "\",\"text\":");
	buf_json_string(b, e->text, strlen(e->text));
	if (e->kind == K_SAY) {
		struct buf en = { 0 };
		if (renderings_render(tl->renderings, e->text, &en)) {
			buf_puts(b, ",\"en\":");
			buf_json_text(b, en.data);
		}
		buf_free(&en);
	}
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
	if (e->kind == K_AWAIT && timeline_wait_name(e->waits))
		buf_printf(b, ",\"waits_for\":\"%s\"", timeline_wait_name(e->waits));
	if (e->dur >= 0) {
		buf_puts(b, ",\"dur\":");
		put_seconds(b, e->dur);
	}
	buf_puts(b, "}\n");
}

/* Writes @len bytes of @data to the output; notes a reader that went
 * away. Lock held. */
static void write_locked(struct timeline *tl, const char *data, size_t len)
{
	if (!tl->out || tl->broken || !len)
		return;
	/* Straight to the descriptor, past a signal that interrupts a write
	 * blocked on a slow reader: what stdio buffered goes first. */
	int fd = fileno(tl->out); /* -1 for a stream in memory: stdio then */
	if (fflush(tl->out) != 0 ||
	    (fd >= 0 ? io_write_all(fd, data, len) != 0
	             : fwrite(data, 1, len, tl->out) != len || fflush(tl->out) != 0)) {
		tl->broken = true;
		tl->write_errno = errno;
		clearerr(tl->out);
	}
}

/* Writes what the batcher holds. Lock held. */
static void flush_pending_locked(struct timeline *tl)
{
	if (tl->pending.len) {
		write_locked(tl, tl->pending.data, tl->pending.len);
		buf_clear(&tl->pending);
	}
}

/* Writes @b to the output, or keeps it with the batcher's. Lock held. */
static void emit_locked(struct timeline *tl, const struct buf *b)
{
	if (!tl->out || tl->broken)
		return;
	if (tl->batching && pthread_equal(pthread_self(), tl->batcher)) {
		double now = clock_real_now();
		if (!tl->pending.len)
			tl->pending_since = now;
		buf_add(&tl->pending, b->data, b->len);
		if (tl->pending.len >= BATCH_BYTES || now - tl->pending_since >= BATCH_AGE)
			flush_pending_locked(tl);
		return;
	}
	flush_pending_locked(tl);
	write_locked(tl, b->data, b->len);
}

void timeline_batch(struct timeline *tl, bool on)
{
	pthread_mutex_lock(&tl->lock);
	if (!on)
		flush_pending_locked(tl);
	tl->batching = on;
	tl->batcher = pthread_self();
	pthread_mutex_unlock(&tl->lock);
}

void timeline_flush_stale(struct timeline *tl)
{
	pthread_mutex_lock(&tl->lock);
	if (tl->pending.len && clock_real_now() - tl->pending_since >= BATCH_AGE)
		flush_pending_locked(tl);
	pthread_mutex_unlock(&tl->lock);
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

/* Keeps event @e (its text @text, @len bytes, not yet interned) and
 * prints it: @printed is its line, formatted when it happened, or NULL.
 * The lock is held. */
static void commit_locked(struct timeline *tl, const struct tl_event *e, const char *text,
                          size_t len, const struct buf *printed)
{
	struct tl_event *slot = next_slot(tl);
	if (slot) {
		*slot = *e;
		slot->text = len ? intern(tl, text, len) : no_text;
	}
	if (printed && printed->len)
		emit_locked(tl, printed);
}

/* Whether an event of @kind is printed now. The lock is held. */
static bool printing_locked(const struct timeline *tl, enum tl_kind kind)
{
	return tl->out && !tl->broken && tl->print_events &&
	       (timeline_kind_printed(kind) || (tl->fmt == TL_JSON && tl->print_steps));
}

/* Releases the held events stamped at or before @cutoff (seconds since
 * time 0), oldest first. The lock is held. */
static void release_locked(struct timeline *tl, double cutoff)
{
	size_t n = 0;
	while (n < tl->nheld && tl->held[n].e.t <= cutoff) {
		struct tl_held *h = &tl->held[n++];
		commit_locked(tl, &h->e, h->text.data, h->text.len, &h->line);
		buf_free(&h->text);
		buf_free(&h->line);
	}
	if (n) {
		memmove(tl->held, tl->held + n, (tl->nheld - n) * sizeof(*tl->held));
		tl->nheld -= n;
	}
}

/* Records event @e of text @text (@len bytes) and prints it, or holds it
 * for the reorder window. The lock is held. */
/* The events a reorder window holds at most. */
#define HELD_MAX 64

static void put_locked(struct timeline *tl, struct tl_event *e, const char *text, size_t len)
{
	struct buf line = { 0 };
	if (printing_locked(tl, (enum tl_kind)e->kind)) {
		/* Formatted now: the lanes' names are the moment's. */
		struct tl_event shown = *e;
		shown.text = len ? text : no_text;
		if (tl->fmt == TL_JSON)
			format_json(tl, &shown, &line);
		else
			format_text(tl, &shown, &line);
	}
	if (tl->window <= 0) {
		commit_locked(tl, e, text, len, &line);
		buf_free(&line);
		return;
	}
	if (tl->nheld == tl->heldcap) {
		tl->heldcap = tl->heldcap ? tl->heldcap * 2 : 64;
		tl->held = xrealloc(tl->held, tl->heldcap * sizeof(*tl->held));
	}
	/* In time order; events of the same moment in the order they came. */
	size_t at = tl->nheld;
	while (at > 0 && tl->held[at - 1].e.t > e->t)
		at--;
	memmove(tl->held + at + 1, tl->held + at, (tl->nheld - at) * sizeof(*tl->held));
	tl->held[at] = (struct tl_held){ *e, { 0 }, line };
	if (len)
		buf_add(&tl->held[at].text, text, len);
	tl->nheld++;
	tl->last_now = clock_now();
	tl->last_real = clock_real_now();
	release_locked(tl, tl->last_now - tl->t0 - tl->window);
	/* A program that prints faster than its reader reads waits for it,
	 * as under python3: the thread that adds the event writes the oldest
	 * out itself once the window holds many. */
	if (tl->nheld > HELD_MAX)
		release_locked(tl, tl->held[tl->nheld - HELD_MAX - 1].e.t);
	/* The releaser sleeps until the oldest held event is due, or for good
	 * when none is held: only a new oldest one changes that. Waking it for
	 * every event would cost a switch of threads per event. */
	if (at == 0)
		pthread_cond_signal(&tl->wake);
}

/* Records an event of text @text (taken over) and prints it. */
static void add_text(struct timeline *tl, double when, int lane, enum tl_kind kind, int line,
                     int job, double dur, enum tl_wait waits, struct buf text)
{
	/* Whatever a program prints, the stream and the record stay UTF-8. */
	if (text.len && !text_is_utf8(text.data, text.len, NULL)) {
		struct buf valid = { 0 };
		text_add_utf8(&valid, text.data, text.len);
		buf_free(&text);
		text = valid;
	}
	pthread_mutex_lock(&tl->lock);
	struct tl_event e = { when - tl->t0, dur, no_text, lane, line, { job }, kind, waits };
	put_locked(tl, &e, text.data, text.len);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&text);
}

void timeline_add(struct timeline *tl, double when, int lane, enum tl_kind kind, int line, int job,
                  double dur, const char *fmt, ...)
{
	struct buf text = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	add_text(tl, when, lane, kind, line, job, dur, W_NONE, text);
}

void timeline_add_await(struct timeline *tl, double when, int lane, int line, enum tl_wait waits,
                        const char *text)
{
	struct buf b = { 0 };
	buf_puts(&b, text);
	add_text(tl, when, lane, K_AWAIT, line, 0, -1, waits, b);
}

void timeline_step(struct timeline *tl, double when, int lane, enum tl_kind kind, int line,
                   double dur)
{
	pthread_mutex_lock(&tl->lock);
	/* No text of its own: there are several of these per task. */
	struct tl_event e = { when - tl->t0, dur, no_text, lane, line, { 0 }, kind, W_NONE };
	put_locked(tl, &e, NULL, 0);
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
	struct tl_event e = { when - tl->t0,      dur,  no_text, lane, line,
		              { .other = other }, kind, W_NONE };
	put_locked(tl, &e, text, len);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&valid);
}

/* The thread that lets held events out once they are a window old, when
 * nothing else comes to do it (a quiet loop). */
static void *releaser(void *arg)
{
	struct timeline *tl = arg;
	pthread_mutex_lock(&tl->lock);
	while (!tl->stop_releaser) {
		if (!tl->nheld) {
			pthread_cond_wait(&tl->wake, &tl->lock);
			continue;
		}
		/* The clock of the stamps, from the last event's moment: this
		 * thread does not read whether it is virtual. */
		double real = clock_real_now();
		double now = tl->last_now + (real - tl->last_real);
		double due = tl->held[0].e.t + tl->t0 + tl->window;
		if (now >= due) {
			release_locked(tl, now - tl->t0 - tl->window);
			continue;
		}
		double at = real + (due - now);
		struct timespec ts = { (time_t)at, (long)((at - floor(at)) * 1e9) };
		pthread_cond_timedwait(&tl->wake, &tl->lock, &ts);
	}
	pthread_mutex_unlock(&tl->lock);
	return NULL;
}

int timeline_set_reorder(struct timeline *tl, double window)
{
	pthread_mutex_lock(&tl->lock);
	release_locked(tl, INFINITY);
	flush_pending_locked(tl);
	bool running = tl->releaser_on;
	tl->window = 0;
	tl->stop_releaser = true;
	pthread_cond_signal(&tl->wake);
	pthread_mutex_unlock(&tl->lock);
	if (running)
		pthread_join(tl->releaser, NULL);
	tl->releaser_on = false;
	if (window <= 0)
		return 0;
	tl->stop_releaser = false;
	if (pthread_create(&tl->releaser, NULL, releaser, tl) != 0)
		return -1;
	tl->releaser_on = true;
	pthread_mutex_lock(&tl->lock);
	tl->window = window;
	pthread_mutex_unlock(&tl->lock);
	return 0;
}

void timeline_flush(struct timeline *tl)
{
	pthread_mutex_lock(&tl->lock);
	release_locked(tl, INFINITY);
	flush_pending_locked(tl);
	pthread_mutex_unlock(&tl->lock);
}

void timeline_set_renderings(struct timeline *tl, const struct renderings *r, bool show)
{
	pthread_mutex_lock(&tl->lock);
	tl->renderings = r;
	tl->show_en = show;
	pthread_mutex_unlock(&tl->lock);
}

bool timeline_render_en(const struct timeline *tl, const char *text, struct buf *out)
{
	return renderings_render(tl->renderings, text, out);
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
	release_locked(tl, INFINITY); /* the events before it first */
	flush_pending_locked(tl);
	write_locked(tl, b.data, b.len);
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
	/* The reorder window's thread may be keeping events. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&tl->lock;
	pthread_mutex_lock(lock);
	*n = tl->nevents;
	const struct tl_event *events = tl->events;
	pthread_mutex_unlock(lock);
	return events;
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

/* A line of the summary: its label, padded to the column of the values. */
static void summary_label(struct buf *b, const char *label, bool utf8)
{
	buf_puts(b, "  ");
	text_pad(b, label, 14, utf8);
	buf_putc(b, ' ');
}

void timeline_error_text(struct buf *out, const char *error)
{
	/* The failures that aiodemo words; CPython's exceptions stay as they are. */
	static const char *const errors[] = {
		N_("%s, which stops a run as Ctrl-C does"),
	};
	i18n_retranslate(out, error, errors, sizeof(errors) / sizeof(errors[0]));
}

const char *timeline_status_word(const char *status)
{
	static const char *const words[][2] = {
		{ "ok", N_("ok") },
		{ "error", N_("error") },
		{ "interrupted", N_("interrupted") },
		{ "timeout", N_("timeout") },
		{ "crashed", N_("crashed") },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(status, words[i][0]))
			return _(words[i][1]);
	return status;
}

static void summary_text(struct timeline *tl, const struct run_summary *s, struct buf *b)
{
	const char *bold = tl->color ? "\033[1m" : "", *off = tl->color ? "\033[0m" : "";
	bool u = tl->utf8;
	buf_printf(b, "\n%s%s%s\n", bold, _("summary"), off);
	summary_label(b, _("status"), u);
	buf_printf(b, "%s\n", timeline_status_word(s->status));
	if (s->error) {
		summary_label(b, _("error"), u);
		timeline_error_text(b, s->error);
		buf_putc(b, '\n');
	}
	summary_label(b, _("total"), u);
	buf_seconds(b, s->total);
	if (s->expected_total >= 0 && !strcmp(s->status, "ok")) {
		double want = s->expected_total * s->scale;
		double end = s->code_end >= 0 ? s->code_end : s->total;
		bool ok = end >= want - s->tolerance && end <= want + s->tolerance;
		const char *verdict = ok ? _("as expected") : _("NOT as expected");
		if (s->scale != 1)
			buf_printf(b, _("   (expected %g s = %g s x scale %g: %s)"), want,
			           s->expected_total, s->scale, verdict);
		else
			buf_printf(b, _("   (expected %g s: %s)"), want, verdict);
	}
	buf_putc(b, '\n');
	struct buf p50 = { 0 }, p99 = { 0 }, max = { 0 }, beat = { 0 };
	buf_seconds(&p50, s->lag_p50);
	buf_seconds(&p99, s->lag_p99);
	buf_seconds(&max, s->max_lag);
	buf_seconds(&beat, s->heartbeat);
	summary_label(b, _("loop lag"), u);
	buf_printf(b, _("p50 %s, p99 %s, max %s   (heartbeat every %s)"), p50.data, p99.data,
	           max.data, beat.data);
	buf_putc(b, '\n');
	buf_free(&p50);
	buf_free(&p99);
	buf_free(&max);
	buf_free(&beat);
	summary_label(b, _("loop busy"), u);
	buf_printf(b, _("%.0f%% of the time (the rest it waited for timers and workers)"),
	           s->utilization * 100);
	buf_putc(b, '\n');
	summary_label(b, _("tasks"), u);
	buf_printf(b, "%zu", s->tasks);
	if (s->jobs) {
		struct buf wait = { 0 };
		buf_seconds(&wait, s->max_queue_wait);
		buf_printf(b, _(", jobs offloaded %zu, longest queue wait %s"), s->jobs, wait.data);
		buf_free(&wait);
	}
	buf_putc(b, '\n');
	if (s->jobs_not_started) {
		summary_label(b, _("not started"), u);
		buf_printf(b,
		           ngettext("%zu job was queued and never started",
		                    "%zu jobs were queued and never started", s->jobs_not_started),
		           s->jobs_not_started);
		buf_putc(b, '\n');
	}
	if (tl->not_kept) {
		summary_label(b, _("timeline"), u);
		buf_printf(b, _("the first %zu events kept, %zu more only printed (--max-events)"),
		           tl->nevents, tl->not_kept);
		buf_putc(b, '\n');
	}
	if (s->nchecks) {
		int met = 0;
		for (int i = 0; i < s->nchecks; i++)
			met += s->checks[i].ok;
		summary_label(b, _("expectations"), u);
		if (met < s->nchecks)
			buf_printf(b, _("%d of %d met; not met:"), met, s->nchecks);
		else
			buf_printf(b, _("%d of %d met"), met, s->nchecks);
		buf_putc(b, '\n');
		for (int i = 0; i < s->nchecks; i++)
			if (!s->checks[i].ok) {
				buf_puts(b, "    ");
				expect_text_shown(b, s->checks[i].text);
				buf_putc(b, '\n');
			}
	}
	summary_label(b, _("loop blocked"), u);
	if (tl->nblocked == 0) {
		buf_printf(b, "%s\n", _("never: every step that waited gave the loop back"));
		return;
	}
	double sum = 0;
	for (size_t i = 0; i < tl->nblocked; i++)
		sum += tl->blocked[i].end - tl->blocked[i].start;
	struct buf all = { 0 };
	buf_seconds(&all, sum);
	buf_printf(
	        b,
	        ngettext("%zu time, %s in all; meanwhile no other task could run:",
	                 "%zu times, %s in all; meanwhile no other task could run:", tl->nblocked),
	        tl->nblocked, all.data);
	buf_putc(b, '\n');
	buf_free(&all);
	for (size_t i = 0; i < tl->nblocked && i < 20; i++) {
		const struct tl_blocked *w = &tl->blocked[i];
		buf_printf(b, "    %8.3f-%.3f  ", w->start, w->end);
		buf_printf(b, _("%s, line %d: %s"), tl->lanes[w->lane].name, w->line, w->what);
		buf_putc(b, '\n');
	}
	if (tl->nblocked > 20) {
		buf_printf(b, _("    ... and %zu more"), tl->nblocked - 20);
		buf_putc(b, '\n');
	}
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
	if (s->jobs_not_started)
		buf_printf(b, "\"jobs_not_started\":%zu,", s->jobs_not_started);
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
	release_locked(tl, INFINITY);
	if (tl->fmt == TL_JSON) {
		summary_json(tl, s, &b);
	} else {
		struct buf text = { 0 };
		summary_text(tl, s, &text);
		text_fit(&b, text.data, text_columns());
		buf_free(&text);
	}
	flush_pending_locked(tl);
	write_locked(tl, b.data, b.len);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&b);
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	timeline_set_reorder(tl, 0); /* prints what it holds */
	pthread_mutex_lock(&tl->lock);
	flush_pending_locked(tl);
	pthread_mutex_unlock(&tl->lock);
	buf_free(&tl->pending);
	free(tl->held);
	pthread_cond_destroy(&tl->wake);
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
