/* Reading records with json-c: every field is checked, and a file that is
 * not a record of a version this aiodemo reads (2, and 3, which keeps the
 * run's parameters, arguments, machine and moment) is refused with a
 * message naming it. */
#include "replay.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "record/rendering.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/text.h"
#include "util/i18n.h"

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
	diag_error(_("%s: not an aiodemo record: %s"), path, what);
	return -1;
}

/* The string at @key, NULL for null: 1, or 0 if there is no @key or it is
 * neither. */
static int str_or_null(json_object *o, const char *key, const char **out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!v) {
		*out = NULL;
		return 1;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	*out = json_object_get_string(v);
	return 1;
}

/* Whether @s is a moment as records write it: "2026-12-02T05:50:01Z". */
static bool is_utc_time(const char *s)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof(form) - 1)
		return false;
	for (size_t i = 0; form[i]; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return false;
	return true;
}

/* What a record of version 3 says of the run beyond version 2's: the
 * program's arguments and parameters (in @prog), the versions, the moment
 * and the machine (in @run). NULL where they are null. */
static const char *read_run(struct replay *r, json_object *prog, json_object *run)
{
	struct record_info *info = &r->info;
	json_object *args, *params, *machine;
	if (!json_object_object_get_ex(prog, "args", &args) ||
	    (args && !json_object_is_type(args, json_type_array)))
		return _("the program has no list of arguments");
	if (args) {
		size_t n = json_object_array_length(args);
		if (n > INT_MAX - 1)
			return _("the program has too many arguments");
		r->args = xcalloc(n + 1, sizeof(*r->args));
		for (size_t i = 0; i < n; i++) {
			json_object *a = json_object_array_get_idx(args, i);
			if (!a || !json_object_is_type(a, json_type_string))
				return _("an argument of the program is not a string");
			r->args[i] = json_object_get_string(a);
		}
		info->args = r->args;
		info->nargs = (int)n;
	}
	if (!json_object_object_get_ex(prog, "params", &params) ||
	    (params && !json_object_is_type(params, json_type_array)))
		return _("the program has no list of parameters");
	if (params) {
		size_t n = json_object_array_length(params);
		if (n > INT_MAX - 1)
			return _("the program has too many parameters");
		r->params = xcalloc(n + 1, sizeof(*r->params));
		for (size_t i = 0; i < n; i++) {
			json_object *pp = json_object_array_get_idx(params, i), *set;
			struct record_param *rp = &r->params[i];
			rp->name = str_of(pp, "name");
			rp->value = str_of(pp, "value");
			rp->declared = str_of(pp, "declared");
			if (!rp->name || !*rp->name || !rp->value || !rp->declared ||
			    !json_object_object_get_ex(pp, "set", &set) ||
			    !json_object_is_type(set, json_type_boolean))
				return _(
				        "a parameter without a name, value, declared value or set");
			rp->set = json_object_get_boolean(set);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(r->params[k].name, rp->name))
					return _("two parameters of one name");
		}
		info->params = r->params;
		info->nparams = (int)n;
	}
	if (!str_or_null(run, "aiodemo", &info->aiodemo) ||
	    !str_or_null(run, "python", &info->python) ||
	    !str_or_null(run, "started", &info->started) ||
	    (info->started && !is_utc_time(info->started)))
		return _("the run has no aiodemo, python or started (a UTC time)");
	if (!json_object_object_get_ex(run, "machine", &machine) ||
	    (machine && !json_object_is_type(machine, json_type_object)))
		return _("the run has no machine");
	if (machine) {
		int cpus = 0;
		info->machine.kernel = str_of(machine, "kernel");
		if (int_in(machine, "cpus", 1 << 20, &cpus) != 1 || !info->machine.kernel ||
		    (json_object_object_get_ex(machine, "hostname", NULL) &&
		     !(info->machine.hostname = str_of(machine, "hostname"))))
			return _("the machine has no cpus or kernel, or a bad hostname");
		info->machine.cpus = cpus;
	}
	return NULL;
}

/* --- the bytes of a record, a chunk at a time --------------------------- */

/* The largest record read: some 15 million events. A record is read as a
 * stream and only its events are kept (as a run keeps them), so the
 * limit is the timeline's memory, and the end of /dev/zero's or a pipe's
 * that never ends. */
#define MAX_RECORD ((size_t)1 << 30)

/* Where the bytes come from: a file, read @chunk bytes at a time into a
 * window that holds what is not used yet, or one buffer. Every byte is
 * checked as UTF-8 as it comes: JSON is UTF-8, and bytes that are not
 * would reach the terminal, and the JSON and SVG files written from the
 * record, as they are. (json-c's own check, JSON_TOKENER_VALIDATE_UTF8,
 * lets F5..F7 and overlong forms through.) */
struct src {
	FILE *f;    /* NULL: only the buffer */
	char *win;  /* the file's bytes not used yet */
	size_t cap; /* the window's size */
	size_t chunk_size;
	const char *data; /* the bytes at hand: s->data[s->pos .. s->len) */
	size_t len, pos;
	size_t offset;          /* the bytes of the file before s->data */
	unsigned char carry[4]; /* a UTF-8 sequence the end of s->data cut */
	size_t ncarry, carry_at;
	char why[256]; /* what went wrong, once something did (translated) */
};

static int seq_len(unsigned char c)
{
	return c >= 0xc2 && c <= 0xdf   ? 2
	       : c >= 0xe0 && c <= 0xef ? 3
	       : c >= 0xf0 && c <= 0xf4 ? 4
	                                : 1;
}

static bool not_utf8(struct src *s, size_t at)
{
	snprintf(s->why, sizeof(s->why), _("not UTF-8 (byte %zu)"), at);
	return false;
}

/* Checks the @n bytes at @p, which come at @offset of the file; a sequence
 * cut at their end is checked when the rest comes. */
static bool check_utf8(struct src *s, const char *p, size_t n, size_t offset)
{
	size_t i = 0, bad;
	if (s->ncarry) {
		size_t need = (size_t)seq_len(s->carry[0]) - s->ncarry, take = need < n ? need : n;
		memcpy(s->carry + s->ncarry, p, take);
		s->ncarry += take;
		if (take < need)
			return true;
		if (!text_is_utf8((const char *)s->carry, s->ncarry, &bad))
			return not_utf8(s, s->carry_at);
		s->ncarry = 0;
		i = take;
	}
	size_t cut = n;
	for (size_t k = 1; k <= 3 && k <= n - i; k++) {
		unsigned char c = (unsigned char)p[n - k];
		if (c >= 0xc0) {
			if ((size_t)seq_len(c) > k)
				cut = n - k;
			break;
		}
		if (c < 0x80)
			break;
	}
	if (!text_is_utf8(p + i, cut - i, &bad))
		return not_utf8(s, offset + i + bad);
	s->ncarry = n - cut;
	s->carry_at = offset + cut;
	memcpy(s->carry, p + cut, s->ncarry);
	return true;
}

/* More of the file after the bytes at hand, which stay: false at its end,
 * or when it cannot be read (s->why says so). A value is parsed from one
 * run of bytes, so that json-c sees the same bytes however the file is
 * read: one that does not end in the window is parsed again with twice as
 * much. */
static bool more(struct src *s)
{
	if (!s->f || *s->why)
		return false;
	size_t keep = s->len - s->pos;
	if (keep)
		memmove(s->win, s->win + s->pos, keep);
	s->offset += s->pos;
	s->pos = 0;
	s->len = keep;
	size_t want = keep > s->chunk_size ? keep : s->chunk_size;
	if (keep + want > s->cap) {
		s->cap = keep + want;
		s->win = xrealloc(s->win, s->cap);
	}
	s->data = s->win;
	size_t n = fread(s->win + keep, 1, want, s->f);
	if (!n) {
		if (ferror(s->f))
			snprintf(s->why, sizeof(s->why), "%s", strerror(errno));
		else if (s->ncarry)
			not_utf8(s, s->carry_at);
		return false;
	}
	if (s->offset + keep + n > MAX_RECORD) {
		snprintf(s->why, sizeof(s->why), _("it is larger than %zu MiB"), MAX_RECORD >> 20);
		return false;
	}
	if (!check_utf8(s, s->win + keep, n, s->offset + keep))
		return false;
	s->len = keep + n;
	return true;
}

static bool syntax(struct src *s, const char *what)
{
	if (!*s->why)
		snprintf(s->why, sizeof(s->why), _("byte %zu: %s"), s->offset + s->pos, what);
	return false;
}

static int fail(struct src *s, const char *what)
{
	syntax(s, what);
	return -1;
}

/* The next character that is not white space, not taken; -1 at the end. */
static int peek(struct src *s)
{
	while (s->pos < s->len || more(s)) {
		char c = s->data[s->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return (unsigned char)c;
		s->pos++;
	}
	return -1;
}

static bool expect(struct src *s, char c, const char *what)
{
	int next = peek(s);
	if (next != (unsigned char)c)
		return syntax(s, next < 0 ? _("the JSON ends too soon") : what);
	s->pos++;
	return true;
}

/* The next JSON value, parsed by json-c; *@out is NULL for null. */
static bool next_value(struct src *s, json_tokener *tok, json_object **out)
{
	if (peek(s) < 0)
		return syntax(s, _("the JSON ends too soon"));
	for (;;) {
		json_tokener_reset(tok);
		size_t avail = s->len - s->pos;
		int n = avail > INT_MAX ? INT_MAX : (int)avail;
		json_object *o = json_tokener_parse_ex(tok, s->data + s->pos, n);
		enum json_tokener_error err = json_tokener_get_error(tok);
		if (err == json_tokener_continue) {
			if (!more(s))
				return syntax(s, _("the JSON ends too soon"));
			continue;
		}
		s->pos += json_tokener_get_parse_end(tok);
		if (err != json_tokener_success)
			return syntax(s, json_tokener_error_desc(err));
		*out = o;
		return true;
	}
}

/* --- a record's members -------------------------------------------------- */

struct loader {
	const char *path;
	FILE *out;
	enum tl_format fmt;
	bool color, print_events;
	struct replay *r;
	json_object *doc; /* every member but the events */
	size_t nlanes;
	size_t nevents;
	int max_job;
};

/* The members an event needs, and the timeline: 0 when they are there,
 * 1 when they have not come yet, -1 when they are wrong. */
static int prepare(struct loader *L, bool last)
{
	struct replay *r = L->r;
	const char *path = L->path;
	json_object *doc = L->doc, *sc, *lanes = array_of(doc, "lanes");
	if (r->tl)
		return 0;
	const char *format = str_of(doc, "format");
	double version = -1;
	json_object *prog, *run = NULL;
	/* Version 3 keeps what the stream's header says of the run. */
	bool v3 = num_in(doc, "version", -DBL_MAX, DBL_MAX, &version) == 1 && version >= 3;
	bool have = format && json_object_object_get_ex(doc, "version", NULL) &&
	            json_object_object_get_ex(doc, "scenario", &sc) &&
	            json_object_object_get_ex(doc, "program", NULL) && lanes &&
	            (!v3 || json_object_object_get_ex(doc, "run", NULL));
	if (!have && !last)
		return 1;
	if (!format || strcmp(format, "aiodemo-record") != 0)
		return bad(path, _("no \"format\": \"aiodemo-record\""));
	if (num_in(doc, "version", -DBL_MAX, DBL_MAX, &version) != 1)
		return bad(path, _("no version"));
	if (version < RECORD_OLDEST || version > RECORD_VERSION || version != (int)version) {
		diag_error(version < RECORD_OLDEST
		                   ? _("%s: a record of version %g; this aiodemo reads versions %d "
		                       "and %d (record the run again: aiodemo run PROGRAM --record "
		                       "FILE)")
		                   : _("%s: a record of version %g; this aiodemo reads versions %d "
		                       "and %d (a newer aiodemo wrote it)"),
		           path, version, RECORD_OLDEST, RECORD_VERSION);
		return -1;
	}
	if (!json_object_object_get_ex(doc, "scenario", &sc))
		return bad(path, _("no scenario or summary"));
	r->info.name = str_of(sc, "name");
	r->info.title = str_of(sc, "title");
	r->info.source = str_of(sc, "source");
	r->info.notice = str_of(sc, "notice");
	r->info.title_zh = str_of(sc, "title_zh");
	r->info.notice_zh = str_of(sc, "notice_zh");
	r->info.source_zh = str_of(sc, "source_zh");
	if (r->info.source_zh && !*r->info.source_zh)
		r->info.source_zh = NULL;
	if (r->info.title_zh && !*r->info.title_zh)
		r->info.title_zh = NULL;
	if (r->info.notice_zh && !*r->info.notice_zh)
		r->info.notice_zh = NULL;
	if (!r->info.name || num_in(sc, "scale", DBL_MIN, 1000, &r->info.scale) != 1)
		return bad(path, _("the scenario has no name or scale"));
	if (r->info.title && !*r->info.title)
		r->info.title = NULL;
	if (r->info.source && !*r->info.source)
		r->info.source = NULL;
	if (r->info.notice && !*r->info.notice)
		r->info.notice = NULL;
	if (!json_object_object_get_ex(doc, "program", &prog))
		return bad(path, _("no program"));
	r->info.file = str_of(prog, "file");
	r->info.text = str_of(prog, "text");
	if (!r->info.file || !r->info.text)
		return bad(path, _("the program has no file or text"));
	r->info.nargs = r->info.nparams = -1; /* version 2 does not say */
	if (v3) {
		const char *wrong = json_object_object_get_ex(doc, "run", &run) &&
		                                    json_object_is_type(run, json_type_object)
		                            ? read_run(r, prog, run)
		                            : _("no run");
		if (wrong)
			return bad(path, wrong);
	}
	if (!lanes)
		return bad(path, _("no lanes, events or blocked windows"));
	r->tl = timeline_new(L->out, L->fmt, L->color, 0);
	if (!r->tl)
		return bad(path, _("out of memory"));
	timeline_set_printing(r->tl, L->print_events, false);
	r->say_en = renderings_new();
	timeline_set_renderings(r->tl, r->say_en, i18n_lang() == I18N_EN);
	L->nlanes = json_object_array_length(lanes);
	for (size_t i = 0; i < L->nlanes; i++) {
		json_object *l = json_object_array_get_idx(lanes, i);
		const char *name = str_of(l, "name"), *kind = str_of(l, "kind");
		int k = kind ? lane_kind_from_name(kind) : -1;
		if (!name || k < 0)
			return bad(path, _("a lane without a name or with an unknown kind"));
		timeline_lane(r->tl, (enum lane_kind)k, name);
	}
	return 0;
}

/* Event @i, onto the timeline. */
static int add_event(struct loader *L, json_object *e, size_t i)
{
	double t, dur = -1;
	int lane, line = 0, job = 0, other = -1;
	const char *kind = str_of(e, "kind"), *text = str_of(e, "text");
	const char *en = str_of(e, "en");
	int k = kind ? kind_from_name(kind) : -1;
	const char *wrong = NULL;
	if (num_in(e, "t", 0, MAX_SECONDS, &t) != 1)
		wrong = N_("no time \"t\" in range");
	else if (int_in(e, "lane", (double)L->nlanes - 1, &lane) != 1)
		wrong = N_("no \"lane\" among the lanes");
	else if (k < 0)
		wrong = N_("an unknown \"kind\"");
	else if (int_in(e, "line", INT_MAX, &line) < 0)
		wrong = N_("a bad \"line\"");
	else if (int_in(e, "job", INT_MAX, &job) < 0)
		wrong = N_("a bad \"job\"");
	else if (num_in(e, "dur", -DBL_MAX, MAX_SECONDS, &dur) < 0)
		wrong = N_("a bad \"dur\"");
	else if (timeline_kind_relates((enum tl_kind)k) &&
	         int_in(e, "other",
	                k == K_CHILD || k == K_WAITS ? (double)L->nlanes - 1 : (double)INT_MAX,
	                &other) != 1)
		wrong = k == K_CHILD || k == K_WAITS ? N_("no \"other\" among the lanes")
		                                     : N_("no timer's number \"other\"");
	/* What an await waits for: a record made before aiodemo said it
	 * has none, and an unknown one (a newer aiodemo's) is none. */
	const char *waits = k == K_AWAIT && !wrong ? str_of(e, "waits_for") : NULL;
	int w = waits ? timeline_wait_from_name(waits) : W_NONE;
	if (wrong) {
		char what[192]; /* room for a translation */
		snprintf(what, sizeof(what), _("event %zu is malformed: %s"), i, _(wrong));
		return bad(L->path, what);
	}
	if (job > L->max_job)
		L->max_job = job;
	if (k == K_SAY && text && *text && en && *en)
		renderings_add_line(L->r->say_en, text, en);
	if (dur < 0)
		dur = -1; /* none */
	if (k == K_AWAIT)
		timeline_add_await(L->r->tl, t, lane, line, w < 0 ? W_NONE : (enum tl_wait)w,
		                   text ? text : "");
	else if (timeline_kind_relates((enum tl_kind)k))
		timeline_relate(L->r->tl, t, lane, (enum tl_kind)k, other, line, dur, text);
	else if (timeline_kind_printed((enum tl_kind)k) ||
	         (text && *text)) /* the GIL's holder is text */
		timeline_add(L->r->tl, t, lane, (enum tl_kind)k, line, job, dur, "%s",
		             text ? text : "");
	else
		timeline_step(L->r->tl, t, lane, (enum tl_kind)k, line, dur);
	L->nevents++;
	return 0;
}

/* The events array, one event at a time: none but the one read is kept
 * as JSON. */
static int stream_events(struct loader *L, struct src *s, json_tokener *tok)
{
	if (!expect(s, '[', _("\"events\" is not an array")))
		return -1;
	for (size_t i = 0;; i++) {
		if (peek(s) == ']') {
			s->pos++;
			return 0;
		}
		if (i > 0 && !expect(s, ',', _("expected ',' or ']' after an event")))
			return -1;
		json_object *e;
		if (!next_value(s, tok, &e))
			return -1;
		int rc = add_event(L, e, i);
		json_object_put(e);
		if (rc != 0)
			return rc;
	}
}

/* The top-level object, member by member: the events streamed once the
 * lanes are known (they come first in the records aiodemo writes), the
 * rest kept in L->doc. */
static int walk(struct loader *L, struct src *s, json_tokener *tok)
{
	if (peek(s) < 0 && !*s->why && s->offset + s->len == 0) {
		snprintf(s->why, sizeof(s->why), _("the file is empty"));
		return -1;
	}
	if (!expect(s, '{', _("not a JSON object")))
		return -1;
	bool events = false;
	for (size_t i = 0;; i++) {
		if (peek(s) == '}') {
			s->pos++;
			break;
		}
		if (i > 0 && !expect(s, ',', _("expected ',' or '}' after a member")))
			return -1;
		json_object *key;
		int next = peek(s);
		if (next != '"')
			return fail(s, next < 0 ? _("the JSON ends too soon")
			                        : _("a member's name is not a string"));
		if (!next_value(s, tok, &key))
			return -1;
		char *name = xstrdup(json_object_get_string(key));
		json_object_put(key);
		int rc = expect(s, ':', _("expected ':' after a member's name")) ? 0 : -1;
		if (rc == 0 && !strcmp(name, "events")) {
			rc = events ? bad(L->path, _("two \"events\"")) : prepare(L, false);
			events = true;
			if (rc == 0)
				rc = stream_events(L, s, tok);
			else if (rc == 1) { /* before the lanes: kept, and read at the end */
				json_object *v;
				rc = next_value(s, tok, &v) ? 0 : -1;
				if (rc == 0)
					json_object_object_add(L->doc, "events", v);
			}
		} else if (rc == 0) {
			json_object *v;
			rc = next_value(s, tok, &v) ? 0 : -1;
			if (rc == 0)
				json_object_object_add(L->doc, name, v);
		}
		free(name);
		if (rc != 0)
			return -1;
	}
	if (peek(s) >= 0)
		return fail(s, _("something follows the record's end"));
	if (*s->why)
		return -1;
	if (!events)
		return bad(L->path, _("no lanes, events or blocked windows"));
	return 0;
}

/* The blocked windows and the summary, once every event is in. */
static int finish(struct loader *L, json_object *blocked, json_object *sum)
{
	struct replay *r = L->r;
	const char *path = L->path;
	size_t nlanes = L->nlanes;
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
			return bad(path, _("a malformed blocked window"));
		timeline_blocked(r->tl, start, end, lane, line, what);
		/* The share of the window the loop thread was on the CPU, if known. */
		double cpu;
		int has_cpu = num_in(w, "cpu", 0, 1, &cpu);
		if (has_cpu < 0)
			return bad(path, _("a malformed blocked window"));
		if (has_cpu == 1)
			timeline_blocked_cpu(r->tl, cpu);
	}

	struct run_summary *s = &r->summary;
	s->status = str_of(sum, "status");
	s->error = str_of(sum, "error");
	if (s->error && !*s->error)
		s->error = NULL;
	double tasks = 0, jobs = 0, not_started = 0;
	s->code_end = -1;
	if (!s->status || num_in(sum, "total", 0, MAX_SECONDS, &s->total) != 1)
		return bad(path, _("the summary has no status, or no total of 0 to 1e9 seconds"));
	/* The status is written into JSON as it is, not as a string escaped. */
	if (strcmp(s->status, "ok") && strcmp(s->status, "error") &&
	    strcmp(s->status, "interrupted"))
		return bad(path, _("the summary's status is not ok, error or interrupted"));
	/* Its other figures are durations (expected_total -1 if none), a share
	 * and counts. */
	const struct {
		const char *key;
		double *v, lo, hi;
	} figures[] = {
		{ "expected_total", &s->expected_total, -1, MAX_SECONDS },
		{ "code_end", &s->code_end, -1, MAX_SECONDS },
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
		{ "jobs_not_started", &not_started, 0, MAX_COUNT },
	};
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (num_in(sum, figures[i].key, figures[i].lo, figures[i].hi, figures[i].v) < 0) {
			char what[128];
			snprintf(what, sizeof(what), _("the summary's %s is out of range"),
			         figures[i].key);
			return bad(path, what);
		}
	s->tasks = (size_t)tasks;
	s->jobs = (size_t)jobs;
	s->jobs_not_started = not_started <= jobs ? (size_t)not_started : (size_t)jobs;
	/* A run that kept its first max_events events and counted the rest. */
	double limit = 0, not_kept = 0;
	if (num_in(sum, "max_events", 1, MAX_COUNT, &limit) < 0 ||
	    num_in(sum, "events_not_kept", 0, MAX_COUNT, &not_kept) < 0 ||
	    (not_kept > 0 && (limit == 0 || (size_t)limit != L->nevents)))
		return bad(path, _("the summary's max_events or events_not_kept is wrong"));
	timeline_set_not_kept(r->tl, (size_t)not_kept, (size_t)limit);
	json_object *slow = array_of(sum, "slow_passes"), *checks = array_of(sum, "expectations");
	size_t nslow = slow ? json_object_array_length(slow) : 0;
	r->slow = xcalloc(nslow + 1, sizeof(*r->slow));
	for (size_t i = 0; i < nslow; i++) {
		json_object *p = json_object_array_get_idx(slow, i);
		double steps = 0;
		if (num_in(p, "t", 0, MAX_SECONDS, &r->slow[i].t) < 0 ||
		    num_in(p, "dur", 0, MAX_SECONDS, &r->slow[i].dur) < 0 ||
		    num_in(p, "steps", 0, MAX_COUNT, &steps) < 0)
			return bad(path, _("a malformed slow pass"));
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
			return bad(path, _("an expectation without text"));
	}
	s->checks = r->checks;
	s->nchecks = (int)nchecks;
	return 0;
}

static int load(struct src *s, const char *path, FILE *out, enum tl_format fmt, bool color,
                bool print_events, struct replay *r)
{
	memset(r, 0, sizeof(*r));
	if (*s->why) {
		diag_error(_("cannot read record '%s': %s"), path, s->why);
		return -1;
	}
	struct loader L = { path, out, fmt, color, print_events, r, json_object_new_object(),
		            0,    0,   0 };
	json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	r->priv = L.doc;
	if (!tok || !L.doc) {
		json_tokener_free(tok);
		return bad(path, _("out of memory"));
	}
	int rc = walk(&L, s, tok);
	json_tokener_free(tok);
	if (rc != 0 && *s->why) {
		diag_error(_("cannot read record '%s': %s"), path, s->why);
		return -1;
	}
	if (rc != 0)
		return rc;
	if (prepare(&L, true) != 0)
		return -1;
	json_object *events = NULL, *doc = L.doc, *sum, *blocked = array_of(doc, "blocked");
	if (json_object_object_get_ex(doc, "events", &events)) {
		if (!json_object_is_type(events, json_type_array))
			return bad(path, _("no lanes, events or blocked windows"));
		for (size_t i = 0; i < json_object_array_length(events); i++)
			if (add_event(&L, json_object_array_get_idx(events, i), i) != 0)
				return -1;
	}
	if (!json_object_object_get_ex(doc, "summary", &sum))
		return bad(path, _("no scenario or summary"));
	if (!blocked)
		return bad(path, _("no lanes, events or blocked windows"));
	/* Jobs are numbered from 1, and each has events of its own: a larger
	 * number is no job's (and would size the model's tables of jobs). */
	if ((size_t)L.max_job > L.nevents)
		return bad(path, _("a job's number larger than the number of events"));
	return finish(&L, blocked, sum);
}

int replay_load_buffer(const char *path, const char *data, size_t len, FILE *out,
                       enum tl_format fmt, bool color, bool print_events, struct replay *r)
{
	struct src s = { .data = data, .len = len };
	if (check_utf8(&s, data, len, 0) && s.ncarry)
		not_utf8(&s, s.carry_at); /* cut at the end */
	return load(&s, path, out, fmt, color, print_events, r);
}

int replay_load_file(FILE *f, const char *path, size_t chunk, FILE *out, enum tl_format fmt,
                     bool color, bool print_events, struct replay *r)
{
	struct src s = { .f = f, .chunk_size = chunk ? chunk : 65536 };
	int rc = load(&s, path, out, fmt, color, print_events, r);
	free(s.win);
	return rc;
}

int replay_load(const char *path, FILE *out, enum tl_format fmt, bool color, bool print_events,
                struct replay *r)
{
	memset(r, 0, sizeof(*r));
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error(_("cannot read record '%s': %s"), path, strerror(errno));
		return -1;
	}
	int rc = replay_load_file(f, path, 0, out, fmt, color, print_events, r);
	fclose(f);
	return rc;
}

void replay_free(struct replay *r)
{
	timeline_free(r->tl);
	renderings_free(r->say_en);
	if (r->priv)
		json_object_put(r->priv);
	free(r->slow);
	free(r->checks);
	free(r->params);
	free((void *)r->args);
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
	diag_error(_("cannot replay '%s': this aiodemo was built without json-c (install "
	             "libjson-c-dev and "
	             "rebuild)"),
	           path);
	return -1;
}

int replay_load_buffer(const char *path, const char *data, size_t len, FILE *out,
                       enum tl_format fmt, bool color, bool print_events, struct replay *r)
{
	(void)data, (void)len;
	return replay_load(path, out, fmt, color, print_events, r);
}

int replay_load_file(FILE *f, const char *path, size_t chunk, FILE *out, enum tl_format fmt,
                     bool color, bool print_events, struct replay *r)
{
	(void)f, (void)chunk;
	return replay_load(path, out, fmt, color, print_events, r);
}

void replay_free(struct replay *r)
{
	(void)r;
}

#endif
