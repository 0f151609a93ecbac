/* The state of a run at one of its events: see state.h. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/i18n.h"

static void reset(struct run_state *s)
{
	for (int i = 0; i < s->nlanes; i++) {
		free(s->tasks[i].on);
		s->tasks[i] = (struct st_task){ .parent = -1 };
		s->worker_job[i] = 0;
	}
	for (int i = 1; i <= s->njobs; i++) {
		free((char *)s->jobs[i].what);
		free((char *)s->jobs[i].pool);
	}
	free(s->jobs);
	s->jobs = NULL;
	s->njobs = 0;
	s->at = 0;
	s->t = 0;
	s->running = -1;
	s->nready = 0;
	s->ntimers = 0;
	s->gil = -2;
	s->gil_text = NULL;
	s->printed = 0;
}

void state_init(struct run_state *s, const struct timeline *tl)
{
	memset(s, 0, sizeof(*s));
	s->events = timeline_events(tl, &s->nevents);
	s->lanes = timeline_lanes(tl, &s->nlanes);
	s->tasks = xcalloc((size_t)s->nlanes + 1, sizeof(*s->tasks));
	s->worker_job = xcalloc((size_t)s->nlanes + 1, sizeof(int));
	reset(s);
}

void state_free(struct run_state *s)
{
	reset(s);
	free(s->tasks);
	free(s->worker_job);
	free(s->ready);
	free(s->timers);
	memset(s, 0, sizeof(*s));
}

static bool is_task(const struct run_state *s, int lane)
{
	return lane >= 0 && lane < s->nlanes && s->lanes[lane].kind == LANE_TASK;
}

static void unready(struct run_state *s, int lane)
{
	for (int i = 0; i < s->nready; i++)
		if (s->ready[i] == lane) {
			memmove(&s->ready[i], &s->ready[i + 1],
			        (size_t)(s->nready - i - 1) * sizeof(int));
			s->nready--;
			return;
		}
}

static void ready(struct run_state *s, int lane)
{
	unready(s, lane);
	if (s->nready == s->readycap) {
		s->readycap = s->readycap ? s->readycap * 2 : 16;
		s->ready = xrealloc(s->ready, (size_t)s->readycap * sizeof(int));
	}
	s->ready[s->nready++] = lane;
}

static void drop_timer(struct run_state *s, int number)
{
	for (int i = 0; i < s->ntimers; i++)
		if (s->timers[i].number == number) {
			memmove(&s->timers[i], &s->timers[i + 1],
			        (size_t)(s->ntimers - i - 1) * sizeof(*s->timers));
			s->ntimers--;
			return;
		}
}

/* In the order they come due. */
static void add_timer(struct run_state *s, struct st_timer t)
{
	drop_timer(s, t.number);
	if (s->ntimers == s->timercap) {
		s->timercap = s->timercap ? s->timercap * 2 : 16;
		s->timers = xrealloc(s->timers, (size_t)s->timercap * sizeof(*s->timers));
	}
	int i = s->ntimers;
	while (i > 0 && s->timers[i - 1].due > t.due) {
		s->timers[i] = s->timers[i - 1];
		i--;
	}
	s->timers[i] = t;
	s->ntimers++;
}

/* The timers due by @t have fired. */
static void fire_timers(struct run_state *s, double t)
{
	int n = 0;
	while (n < s->ntimers && s->timers[n].due <= t)
		n++;
	if (n) {
		memmove(s->timers, s->timers + n, (size_t)(s->ntimers - n) * sizeof(*s->timers));
		s->ntimers -= n;
	}
}

static struct st_job *job(struct run_state *s, int n)
{
	if (n <= 0)
		return NULL;
	if (n > s->njobs) {
		s->jobs = xrealloc(s->jobs, ((size_t)n + 1) * sizeof(*s->jobs));
		for (int i = s->njobs + 1; i <= n; i++)
			s->jobs[i] = (struct st_job){ -1, -1, -1, NULL, NULL, false, 0 };
		s->njobs = n;
	}
	return &s->jobs[n];
}

/* "job 3: time.sleep(2) to asyncio": what and the pool. */
static void parse_offload(struct st_job *j, const char *text)
{
	const char *colon = strstr(text, ": "), *to = NULL;
	for (const char *p = strstr(text, " to "); p; p = strstr(p + 1, " to "))
		to = p;
	if (!colon || !to || to < colon) {
		j->what = xstrdup(text);
		return;
	}
	j->what = xstrndup(colon + 2, (size_t)(to - colon - 2));
	j->pool = xstrdup(to + 4);
}

static void add_on(struct st_task *k, int other)
{
	if (k->non == k->oncap) {
		k->oncap = k->oncap ? k->oncap * 2 : 4;
		k->on = xrealloc(k->on, (size_t)k->oncap * sizeof(int));
	}
	k->on[k->non++] = other;
}

static int lane_named(const struct run_state *s, const char *name)
{
	for (int i = 0; i < s->nlanes; i++)
		if (!strcmp(s->lanes[i].name, name))
			return i;
	return -1;
}

static void apply(struct run_state *s, const struct tl_event *e)
{
	s->t = e->t;
	fire_timers(s, e->t);
	struct st_task *k = is_task(s, e->lane) ? &s->tasks[e->lane] : NULL;
	struct st_job *j;
	switch (e->kind) {
	case K_CHILD:
		if (is_task(s, e->other))
			s->tasks[e->other].parent = e->lane;
		break;
	case K_READY:
		if (k) {
			ready(s, e->lane);
			/* A running task that schedules its next step (sleep(0))
			 * runs on until it yields, and is ready then. */
			if (s->running != e->lane)
				k->state = TS_READY;
		}
		break;
	case K_STEP:
		if (k) {
			/* One task runs at a time: one left running in a record
			 * made up waits now. */
			if (s->running >= 0 && s->running != e->lane)
				s->tasks[s->running].state = TS_WAITING;
			unready(s, e->lane);
			s->running = e->lane;
			k->state = TS_RUNNING;
			k->await = NULL;
			k->non = 0;
		}
		break;
	case K_YIELD:
	case K_EXIT:
		if (s->running == e->lane)
			s->running = -1;
		if (k) {
			bool queued = false;
			for (int i = 0; i < s->nready; i++)
				queued |= s->ready[i] == e->lane;
			k->state = e->kind == K_EXIT ? TS_DONE : queued ? TS_READY : TS_WAITING;
			if (e->line)
				k->line = e->line;
		}
		break;
	case K_AWAIT:
		if (k) {
			k->await = e->text;
			k->line = e->line;
		}
		break;
	case K_WAITS:
		if (k && is_task(s, e->other))
			add_on(k, e->other);
		break;
	case K_DONE:
	case K_CANCEL:
		if (k) {
			k->end = e->text;
			k->end_kind = e->kind;
		}
		break;
	case K_ERROR:
		if (k) {
			k->end = e->text;
			k->end_kind = e->kind;
		}
		if ((j = job(s, e->job)) != NULL) {
			j->done = true;
			if (j->worker >= 0 && s->worker_job[j->worker] == e->job)
				s->worker_job[j->worker] = 0;
		}
		break;
	case K_SAY:
	case K_STDERR:
		s->printed++;
		if (k && e->line && s->running == e->lane)
			k->line = e->line;
		/* A worker's line: where its job printed last. */
		if (!k && e->line && (j = job(s, s->worker_job[e->lane])) != NULL)
			j->line = e->line;
		break;
	case K_SPAWN:
	case K_BLOCK:
		if (k && e->line && s->running == e->lane)
			k->line = e->line;
		break;
	case K_OFFLOAD:
		if ((j = job(s, e->job)) != NULL) {
			free((char *)j->what);
			free((char *)j->pool);
			*j = (struct st_job){ e->lane, -1, e->t, NULL, NULL, false, 0 };
			parse_offload(j, e->text);
			if (k) {
				k->job = e->job;
				if (e->line)
					k->line = e->line;
			}
		}
		break;
	case K_JOB_START:
		if ((j = job(s, e->job)) != NULL) {
			j->worker = e->lane;
			j->line = e->line;
			s->worker_job[e->lane] = e->job;
		}
		break;
	case K_JOB_DONE:
		if ((j = job(s, e->job)) != NULL) {
			j->done = true;
			if (s->worker_job[e->lane] == e->job)
				s->worker_job[e->lane] = 0;
			if (is_task(s, j->by) && s->tasks[j->by].job == e->job)
				s->tasks[j->by].job = 0;
		}
		break;
	case K_GIL:
		s->gil_text = e->text;
		s->gil = lane_named(s, e->text);
		break;
	case K_TIMER:
		add_timer(s, (struct st_timer){ e->other, e->lane, e->line,
		                                e->t + (e->dur > 0 ? e->dur : 0), e->text });
		break;
	case K_TIMER_OFF:
		drop_timer(s, e->other);
		break;
	default:
		break;
	}
}

void state_seek(struct run_state *s, size_t at)
{
	if (at > s->nevents)
		at = s->nevents;
	if (at < s->at)
		reset(s);
	while (s->at < at)
		apply(s, &s->events[s->at++]);
}

bool state_is_stop(const struct run_state *s, size_t i)
{
	switch (s->events[i].kind) {
	case K_BEAT:
	case K_CHILD:
	case K_WAITS:
	case K_GIL_WAIT:
	case K_GIL_TAKE:
		return false;
	default:
		return true;
	}
}

size_t state_next_stop(const struct run_state *s, size_t at)
{
	for (size_t i = at; i < s->nevents; i++)
		if (state_is_stop(s, i))
			return i + 1;
	return at;
}

size_t state_prev_stop(const struct run_state *s, size_t at)
{
	for (size_t i = at > 1 ? at - 1 : 0; i > 0; i--)
		if (state_is_stop(s, i - 1))
			return i;
	return 0;
}

size_t state_stop_at_time(const struct run_state *s, double t)
{
	size_t last = 0;
	for (size_t i = 0; i < s->nevents; i++)
		if (state_is_stop(s, i)) {
			last = i + 1;
			if (s->events[i].t >= t)
				return i + 1;
		}
	return last;
}

void state_short_name(const struct run_state *s, int lane, struct buf *out)
{
	if (lane < 0 || lane >= s->nlanes) {
		buf_puts(out, "?");
		return;
	}
	const char *name = s->lanes[lane].name;
	if (s->lanes[lane].kind == LANE_TASK && !strncmp(name, "Task-", 5))
		buf_printf(out, "%.*s", (int)strcspn(name, " "), name);
	else
		buf_puts(out, name);
}

int state_focus(const struct run_state *s)
{
	if (s->at > 0) {
		int lane = s->events[s->at - 1].lane;
		if (is_task(s, lane) && s->tasks[lane].line > 0)
			return lane;
	}
	return s->running;
}

const char *state_task_word(enum task_state st)
{
	switch (st) {
	case TS_READY:
		return N_("ready");
	case TS_RUNNING:
		return N_("running");
	case TS_WAITING:
		return N_("waits");
	case TS_DONE:
		return N_("done");
	default:
		return N_("none");
	}
}

char *state_waits_for(const struct st_task *k)
{
	if (!k->await)
		return NULL;
	const char *w = strstr(k->await, "(waits for ");
	if (w)
		return xstrndup(w + 11, strcspn(w + 11, ")"));
	if (strstr(k->await, "gather("))
		return xstrdup("asyncio.gather");
	return NULL;
}

const char *state_timer_words(const char *what)
{
	if (!what)
		return N_("a callback");
	if (!strcmp(what, "_set_result_unless_cancelled"))
		return "asyncio.sleep";
	if (!strcmp(what, "Timeout._on_timeout"))
		return "asyncio.timeout";
	if (!strcmp(what, "_release_waiter"))
		return N_("a wait's timeout");
	return what;
}

void state_note(const struct run_state *s, struct buf *out)
{
	if (s->at == 0) {
		buf_puts(out, _("The run is about to begin."));
		return;
	}
	const struct tl_event *e = &s->events[s->at - 1];
	struct buf who = { 0 }, other = { 0 }, text = { 0 };
	state_short_name(s, e->lane, &who);
	timeline_note_text(&text, e->kind, e->text); /* aiodemo's notes, translated */
	const char *note = text.data ? text.data : "";
	const struct st_task *k = is_task(s, e->lane) ? &s->tasks[e->lane] : NULL;
	switch (e->kind) {
	case K_READY:
		buf_printf(out,
		           _("%s is put on the ready queue: it runs when the loop comes to it."),
		           who.data);
		break;
	case K_STEP:
		if (k && k->line)
			buf_printf(out, _("The loop runs %s, from line %d."), who.data, k->line);
		else
			buf_printf(out, _("The loop runs %s."), who.data);
		break;
	case K_YIELD:
		if (k && k->await)
			buf_printf(out, _("%s gives the loop back at line %d and waits: %s."),
			           who.data, e->line,
			           strchr(k->await, ':') ? strchr(k->await, ':') + 2 : k->await);
		else
			buf_printf(out, _("%s gives the loop back at line %d and waits."), who.data,
			           e->line);
		break;
	case K_EXIT:
		buf_printf(out, _("%s's last step ends: the task is over."), who.data);
		break;
	case K_SPAWN:
		if (e->line)
			buf_printf(out, _("%s creates %s at line %d."), who.data, e->text, e->line);
		else
			buf_printf(out, _("%s creates %s."), who.data, e->text);
		break;
	case K_SAY:
		buf_printf(out, _("%s prints a line."), who.data);
		break;
	case K_STDERR:
		buf_printf(out, _("%s writes a line to stderr."), who.data);
		break;
	case K_OFFLOAD: {
		const struct st_job *j = e->job > 0 && e->job <= s->njobs ? &s->jobs[e->job] : NULL;
		buf_printf(out,
		           _("%s hands job %d (%s) to the pool %s: the loop is free meanwhile."),
		           who.data, e->job, j && j->what ? j->what : "?",
		           j && j->pool ? j->pool : "?");
		break;
	}
	case K_JOB_START:
		if (e->dur >= 0)
			buf_printf(out, _("%s takes job %d after %.3f s in the queue."), who.data,
			           e->job, e->dur);
		else
			buf_printf(out, _("%s takes job %d."), who.data, e->job);
		break;
	case K_JOB_DONE:
		if (e->dur >= 0)
			buf_printf(out, _("%s is done with job %d, which ran %.3f s."), who.data,
			           e->job, e->dur);
		else
			buf_printf(out, _("%s is done with job %d."), who.data, e->job);
		break;
	case K_BLOCK:
		buf_printf(out, _("%s blocks the loop: %s. Nothing else can run."), who.data, note);
		break;
	case K_UNBLOCK:
		buf_printf(out, _("%s lets the loop go: %s."), who.data, note);
		break;
	case K_TIMER:
		buf_printf(out, _("%s sets a timer (%s) due at %.3f s."), who.data,
		           _(state_timer_words(e->text)), e->t + (e->dur > 0 ? e->dur : 0));
		break;
	case K_TIMER_OFF:
		buf_printf(out, _("%s cancels a timer before it fires."), who.data);
		break;
	case K_IO:
		buf_printf(out, _("A socket of %s, as the loop sees it: %s."), who.data, note);
		break;
	case K_GIL:
		buf_printf(out, _("The GIL goes to %s."), note);
		break;
	case K_AWAIT:
		buf_printf(out, _("%s awaits, %s."), who.data, note);
		break;
	case K_CHILD:
	case K_WAITS:
		state_short_name(s, e->other, &other);
		buf_printf(out, e->kind == K_CHILD ? _("%s made %s.") : _("%s waits for %s."),
		           who.data, other.data);
		break;
	default:
		buf_printf(out, "%s: %s%s", who.data,
		           e->text[0] ? note : timeline_kind_name(e->kind), ".");
		break;
	}
	buf_free(&text);
	buf_free(&who);
	buf_free(&other);
}
