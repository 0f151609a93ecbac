/* Reading records with json-c: every field is checked, and a file that is
 * not a record of this version is refused with a message naming it. */
#include "replay.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/text.h"

#ifdef HAVE_JSON_C
#include <json-c/json.h>

bool replay_available(void)
{
	return true;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A record's times are seconds since its run began: one of more than 30
 * years is no run's, and larger ones overflow the pictures' arithmetic. */
#define MAX_SECONDS 1e9
/* Nor are more tasks, jobs or callbacks than that; a size_t holds them all. */
#define MAX_COUNT 1e9

/* The number at @key if it is a finite one in [@lo, @hi]: 1 and *@out set;
 * 0 if there is no @key; -1 if there is one but not such a number (another
 * type, NaN, an infinity, out of range). */
static int num_in(json_object *o, const char *key, double lo, double hi, double *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return -1;
	double x = json_object_get_double(v);
	if (!(x >= lo && x <= hi)) /* NaN too */
		return -1;
	/* -0 as 0: written back as "-0", it would read back as the integer 0. */
	*out = x == 0 ? 0 : x;
	return 1;
}

/* Like num_in(), for a whole number in [0, @max] (@max at most INT_MAX):
 * a lane's index, a line, a job's number. */
static int int_in(json_object *o, const char *key, double max, int *out)
{
	double x;
	int rc = num_in(o, key, 0, max, &x);
	if (rc == 1 && x != (int)x)
		return -1;
	if (rc == 1)
		*out = (int)x;
	return rc;
}

static json_object *array_of(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static int kind_from_name(const char *s)
{
	for (int k = 0; k <= K_LAST; k++)
		if (!strcmp(timeline_kind_name((enum tl_kind)k), s))
			return k;
	return -1;
}

static int lane_kind_from_name(const char *s)
{
	for (int k = 0; k <= LANE_GIL; k++)
		if (!strcmp(timeline_lane_kind_name((enum lane_kind)k), s))
			return k;
	return -1;
}

static int bad(const char *path, const char *what)
{
	diag_error("%s: not an aiodemo record: %s", path, what);
	return -1;
}

int replay_load_buffer(const char *path, const char *data, size_t len, FILE *out,
                       enum tl_format fmt, bool color, bool print_events, struct replay *r)
{
	memset(r, 0, sizeof(*r));
	if (len > INT_MAX) {
		diag_error("cannot read record '%s': larger than %d bytes", path, INT_MAX);
		return -1;
	}
	/* JSON is UTF-8: bytes that are not would reach the terminal, and the
	 * JSON and SVG files written from the record, as they are. json-c's
	 * own check (JSON_TOKENER_VALIDATE_UTF8) lets F5..F7 and overlong
	 * forms through, so the check is ours. */
	size_t at;
	if (!text_is_utf8(data, len, &at)) {
		diag_error("cannot read record '%s': not UTF-8 (byte %zu)", path, at);
		return -1;
	}
	json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return bad(path, "out of memory");
	json_object *doc = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error err = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!doc) {
		diag_error("cannot read record '%s': %s", path,
		           !len                           ? "the file is empty"
		           : err == json_tokener_continue ? "the JSON ends too soon"
		                                          : json_tokener_error_desc(err));
		return -1;
	}
	r->priv = doc;
	const char *format = str_of(doc, "format");
	double version = -1;
	if (!format || strcmp(format, "aiodemo-record") != 0)
		return bad(path, "no \"format\": \"aiodemo-record\"");
	if (num_in(doc, "version", -DBL_MAX, DBL_MAX, &version) != 1)
		return bad(path, "no version");
	if (version != RECORD_VERSION) {
		diag_error("%s: a record of version %g; this aiodemo reads version %d", path,
		           version, RECORD_VERSION);
		return -1;
	}
	json_object *sc, *sum;
	if (!json_object_object_get_ex(doc, "scenario", &sc) ||
	    !json_object_object_get_ex(doc, "summary", &sum))
		return bad(path, "no scenario or summary");
	r->info.name = str_of(sc, "name");
	r->info.title = str_of(sc, "title");
	r->info.source = str_of(sc, "source");
	r->info.notice = str_of(sc, "notice");
	if (!r->info.name || num_in(sc, "scale", DBL_MIN, 1000, &r->info.scale) != 1)
		return bad(path, "the scenario has no name or scale");
	if (r->info.title && !*r->info.title)
		r->info.title = NULL;
	if (r->info.source && !*r->info.source)
		r->info.source = NULL;
	if (r->info.notice && !*r->info.notice)
		r->info.notice = NULL;

	json_object *lanes = array_of(doc, "lanes"), *events = array_of(doc, "events"),
	            *blocked = array_of(doc, "blocked");
	if (!lanes || !events || !blocked)
		return bad(path, "no lanes, events or blocked windows");
	r->tl = timeline_new(out, fmt, color, 0);
	if (!r->tl)
		return bad(path, "out of memory");
	timeline_set_printing(r->tl, print_events, false);
	size_t nlanes = json_object_array_length(lanes);
	for (size_t i = 0; i < nlanes; i++) {
		json_object *l = json_object_array_get_idx(lanes, i);
		const char *name = str_of(l, "name"), *kind = str_of(l, "kind");
		int k = kind ? lane_kind_from_name(kind) : -1;
		if (!name || k < 0)
			return bad(path, "a lane without a name or with an unknown kind");
		timeline_lane(r->tl, (enum lane_kind)k, name);
	}
	size_t nev = json_object_array_length(events);
	/* Jobs are numbered from 1, and each has events of its own: a larger
	 * number is no job's (and would size the model's tables of jobs). */
	double max_job = nev < INT_MAX ? (double)nev : INT_MAX;
	for (size_t i = 0; i < nev; i++) {
		json_object *e = json_object_array_get_idx(events, i);
		double t, dur = -1;
		int lane, line = 0, job = 0;
		const char *kind = str_of(e, "kind"), *text = str_of(e, "text");
		int k = kind ? kind_from_name(kind) : -1;
		const char *wrong = NULL;
		if (num_in(e, "t", 0, MAX_SECONDS, &t) != 1)
			wrong = "no time \"t\" in range";
		else if (int_in(e, "lane", (double)nlanes - 1, &lane) != 1)
			wrong = "no \"lane\" among the lanes";
		else if (k < 0)
			wrong = "an unknown \"kind\"";
		else if (int_in(e, "line", INT_MAX, &line) < 0)
			wrong = "a bad \"line\"";
		else if (int_in(e, "job", max_job, &job) < 0)
			wrong = "a bad \"job\"";
		else if (num_in(e, "dur", -DBL_MAX, MAX_SECONDS, &dur) < 0)
			wrong = "a bad \"dur\"";
		if (wrong) {
			char what[96];
			snprintf(what, sizeof(what), "event %zu is malformed: %s", i, wrong);
			return bad(path, what);
		}
		if (dur < 0)
			dur = -1; /* none */
		if (timeline_kind_printed((enum tl_kind)k) ||
		    (text && *text)) /* the GIL's holder is text */
			timeline_add(r->tl, t, lane, (enum tl_kind)k, line, job, dur, "%s",
			             text ? text : "");
		else
			timeline_step(r->tl, t, lane, (enum tl_kind)k, line, dur);
	}
	size_t nb = json_object_array_length(blocked);
	for (size_t i = 0; i < nb; i++) {
		json_object *w = json_object_array_get_idx(blocked, i);
		double start = 0, end;
		int lane, line = 0;
		const char *what = str_of(w, "what");
		if (num_in(w, "start", 0, MAX_SECONDS, &start) != 1 ||
		    num_in(w, "end", start, MAX_SECONDS, &end) != 1 ||
		    int_in(w, "lane", (double)nlanes - 1, &lane) != 1 || !what ||
		    int_in(w, "line", INT_MAX, &line) < 0)
			return bad(path, "a malformed blocked window");
		timeline_blocked(r->tl, start, end, lane, line, what);
		/* The share of the window the loop thread was on the CPU, if known. */
		double cpu;
		int has_cpu = num_in(w, "cpu", 0, 1, &cpu);
		if (has_cpu < 0)
			return bad(path, "a malformed blocked window");
		if (has_cpu == 1)
			timeline_blocked_cpu(r->tl, cpu);
	}

	struct run_summary *s = &r->summary;
	s->status = str_of(sum, "status");
	s->error = str_of(sum, "error");
	if (s->error && !*s->error)
		s->error = NULL;
	double tasks = 0, jobs = 0;
	if (!s->status || num_in(sum, "total", 0, MAX_SECONDS, &s->total) != 1)
		return bad(path, "the summary has no status, or no total of 0 to 1e9 seconds");
	/* The status is written into JSON as it is, not as a string escaped. */
	if (strcmp(s->status, "ok") && strcmp(s->status, "error") &&
	    strcmp(s->status, "interrupted"))
		return bad(path, "the summary's status is not ok, error or interrupted");
	/* Its other figures are durations (expected_total -1 if none), a share
	 * and counts. */
	const struct {
		const char *key;
		double *v, lo, hi;
	} figures[] = {
		{ "expected_total", &s->expected_total, -1, MAX_SECONDS },
		{ "tolerance", &s->tolerance, 0, MAX_SECONDS },
		{ "max_lag", &s->max_lag, 0, MAX_SECONDS },
		{ "heartbeat", &s->heartbeat, 0, MAX_SECONDS },
		{ "max_queue_wait", &s->max_queue_wait, 0, MAX_SECONDS },
		{ "lag_p50", &s->lag_p50, 0, MAX_SECONDS },
		{ "lag_p99", &s->lag_p99, 0, MAX_SECONDS },
		{ "slow_threshold", &s->slow_threshold, 0, MAX_SECONDS },
		{ "utilization", &s->utilization, 0, MAX_COUNT },
		{ "scale", &s->scale, 0, 1000 },
		{ "tasks", &tasks, 0, MAX_COUNT },
		{ "jobs", &jobs, 0, MAX_COUNT },
	};
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (num_in(sum, figures[i].key, figures[i].lo, figures[i].hi, figures[i].v) < 0) {
			char what[64];
			snprintf(what, sizeof(what), "the summary's %s is out of range",
			         figures[i].key);
			return bad(path, what);
		}
	s->tasks = (size_t)tasks;
	s->jobs = (size_t)jobs;
	json_object *slow = array_of(sum, "slow_passes"), *checks = array_of(sum, "expectations");
	size_t nslow = slow ? json_object_array_length(slow) : 0;
	r->slow = xcalloc(nslow + 1, sizeof(*r->slow));
	for (size_t i = 0; i < nslow; i++) {
		json_object *p = json_object_array_get_idx(slow, i);
		double steps = 0;
		if (num_in(p, "t", 0, MAX_SECONDS, &r->slow[i].t) < 0 ||
		    num_in(p, "dur", 0, MAX_SECONDS, &r->slow[i].dur) < 0 ||
		    num_in(p, "steps", 0, MAX_COUNT, &steps) < 0)
			return bad(path, "a malformed slow pass");
		r->slow[i].steps = (size_t)steps;
	}
	s->slow = r->slow;
	s->nslow = (int)nslow;
	size_t nchecks = checks ? json_object_array_length(checks) : 0;
	r->checks = xcalloc(nchecks + 1, sizeof(*r->checks));
	for (size_t i = 0; i < nchecks; i++) {
		json_object *c = json_object_array_get_idx(checks, i), *ok;
		r->checks[i].text = str_of(c, "text");
		r->checks[i].ok =
		        json_object_object_get_ex(c, "ok", &ok) && json_object_get_boolean(ok);
		if (!r->checks[i].text)
			return bad(path, "an expectation without text");
	}
	s->checks = r->checks;
	s->nchecks = (int)nchecks;
	return 0;
}

/* The largest record read: some 3 million events. */
#define MAX_RECORD (256 << 20)

int replay_load(const char *path, FILE *out, enum tl_format fmt, bool color, bool print_events,
                struct replay *r)
{
	memset(r, 0, sizeof(*r));
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error("cannot read record '%s': %s", path, strerror(errno));
		return -1;
	}
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	while (b.len <= MAX_RECORD && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	int rc;
	if (b.len > MAX_RECORD) {
		/* /dev/zero, or a record no run of a teaching program makes. */
		diag_error("cannot read record '%s': it is larger than %d MiB", path,
		           MAX_RECORD >> 20);
		rc = -1;
	} else if (ferror(f)) {
		diag_error("cannot read record '%s': %s", path, strerror(errno));
		rc = -1;
	} else {
		rc = replay_load_buffer(path, b.data ? b.data : "", b.len, out, fmt, color,
		                        print_events, r);
	}
	fclose(f);
	buf_free(&b);
	return rc;
}

void replay_free(struct replay *r)
{
	timeline_free(r->tl);
	if (r->priv)
		json_object_put(r->priv);
	free(r->slow);
	free(r->checks);
	memset(r, 0, sizeof(*r));
}

#else

bool replay_available(void)
{
	return false;
}

int replay_load(const char *path, FILE *out, enum tl_format fmt, bool color, bool print_events,
                struct replay *r)
{
	(void)out, (void)fmt, (void)color, (void)print_events;
	memset(r, 0, sizeof(*r));
	diag_error("cannot replay '%s': this aiodemo was built without json-c (install "
	           "libjson-c-dev and "
	           "rebuild)",
	           path);
	return -1;
}

int replay_load_buffer(const char *path, const char *data, size_t len, FILE *out,
                       enum tl_format fmt, bool color, bool print_events, struct replay *r)
{
	(void)data, (void)len;
	return replay_load(path, out, fmt, color, print_events, r);
}

void replay_free(struct replay *r)
{
	(void)r;
}

#endif
