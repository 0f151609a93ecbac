/* libFuzzer harness for records (what `aiodemo replay` reads): any bytes
 * must give either an error message or a record that replays as
 * `aiodemo replay` would show it: its heading (the JSON stream's header)
 * and its events printed, the model built, the Gantt chart, the summary,
 * the time of each task and pool and the diagnostics drawn, and the run
 * written back as a record, a Chrome trace and an SVG, all into memory.
 * Besides faults, leaks and hangs, it aborts when an output is not what
 * it claims to be: text that is not UTF-8, a JSON line or trace that
 * strict JSON refuses, an SVG that is not XML text or has a number that is
 * not one, or a record written back that does not read back to the same
 * record. Built with -Dfuzz=true by clang; the
 * unit test `records` runs fuzz_record() on the seed corpus in every build. */
#include <json-c/json.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "report/export.h"
#include "report/html.h"
#include "report/render.h"
#include "report/replay.h"
#include "report/state.h"
#include "report/svg.h"

int fuzz_record(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_record: %s:%d: check failed: %s\n", __FILE__,        \
			        __LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Whether the @n bytes at @s are UTF-8: no stray or missing continuation
 * bytes, no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p++;
		if (c < 0x80)
			continue;
		int more = c >= 0xc2 && c <= 0xdf   ? 1
		           : c >= 0xe0 && c <= 0xef ? 2
		           : c >= 0xf0 && c <= 0xf4 ? 3
		                                    : -1;
		if (more < 0 || end - p < more)
			return false;
		unsigned lo = 0x80, hi = 0xbf;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (p[0] < lo || p[0] > hi)
			return false;
		for (int i = 1; i < more; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += more;
	}
	return true;
}

/* A JSON document that strict JSON (and UTF-8) takes, all of it. */
static bool is_strict_json(const char *s, size_t n)
{
	json_tokener *tok = json_tokener_new();
	CHECK(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *o = json_tokener_parse_ex(tok, s, (int)n);
	bool ok = o && json_tokener_get_error(tok) == json_tokener_success;
	if (ok) {
		/* Nothing but white space after the document. */
		for (size_t i = json_tokener_get_parse_end(tok); i < n && ok; i++)
			ok = s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t';
	}
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* Every line of @s is a JSON document of its own. */
static bool is_json_lines(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (len && !is_strict_json(p, len))
			return false;
		p += len + 1;
	}
	return true;
}

/* An SVG as svg_write() writes it: UTF-8 with no control character that
 * XML refuses, every '&' an entity, and every attribute value free of "nan"
 * and "inf" (no lane name is in one). */
static bool is_clean_svg(const char *s, size_t n)
{
	if (!is_utf8(s, n) || n < 7 || memcmp(s + n - 7, "</svg>\n", 7) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
			return false;
	for (const char *p = s; (p = memchr(p, '&', (size_t)(s + n - p))); p++)
		if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) &&
		    strncmp(p, "&quot;", 6))
			return false;
	for (const char *p = s; (p = strstr(p, "=\"")); p++) {
		const char *q = strchr(p + 2, '"');
		if (!q)
			return false;
		for (const char *v = p + 2; v < q; v++)
			if (!strncasecmp(v, "nan", 3) || !strncasecmp(v, "inf", 3))
				return false;
		p = q;
	}
	return true;
}

/* Writes the record of @r into memory; returns it (malloc'ed), *@len set. */
static char *record_of(const struct replay *r, size_t *len)
{
	char *data = NULL;
	FILE *f = open_memstream(&data, len);
	CHECK(f);
	CHECK(export_record(f, &r->info, r->tl, &r->summary) == 0);
	CHECK(fclose(f) == 0);
	return data;
}

int fuzz_record(const uint8_t *data, size_t size)
{
	/* The ways of showing it, from the input's length: every length
	 * mutates into its neighbours, so all are tried. */
	enum tl_format fmt = size & 1 ? TL_JSON : TL_TEXT;
	bool color = size & 2, utf8 = size & 4;
	setlocale(LC_CTYPE, utf8 ? "C.UTF-8" : "C");

	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	CHECK(f);
	struct replay r;
	int rc = replay_load_buffer("fuzz.json", (const char *)data, size, f, fmt, color, true, &r);
	/* Read as a stream, a few bytes at a time (chunks of 1 to 7 bytes cut
	 * every UTF-8 sequence and JSON token somewhere): the same verdict,
	 * and the same record. */
	struct replay chunked;
	FILE *in = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	CHECK(in);
	int rc2 =
	        replay_load_file(in, "fuzz.json", 1 + size % 7, NULL, fmt, color, false, &chunked);
	CHECK(fclose(in) == 0);
	CHECK((rc == 0) == (rc2 == 0));
	if (rc == 0) {
		size_t la, lb;
		char *a = record_of(&r, &la), *b = record_of(&chunked, &lb);
		CHECK(la == lb && !memcmp(a, b, la));
		free(a);
		free(b);
	}
	replay_free(&chunked);
	if (rc != 0) {
		replay_free(&r);
		CHECK(fclose(f) == 0);
		free(out);
		return 0;
	}
	/* What `aiodemo replay` prints: the heading (the stream's header in
	 * JSON), the events again, the pictures and the summary. */
	struct buf b = { 0 };
	if (fmt == TL_JSON) {
		export_header(&b, &r.info);
		CHECK(b.len && b.data[b.len - 1] == '\n' &&
		      memchr(b.data, '\n', b.len) == b.data + b.len - 1);
		CHECK(is_strict_json(b.data, b.len));
		timeline_print_text_any(r.tl, "%s", b.data);
		buf_clear(&b);
	} else {
		export_params_text(&b, &r.info, " - ", utf8);
		for (size_t i = 0; i < b.len; i++)
			CHECK(((unsigned char)b.data[i] >= 0x20 || b.data[i] == '\t') &&
			      b.data[i] != 0x7f);
	}
	timeline_print_events(r.tl);
	struct model m;
	model_build(&m, r.tl, r.summary.total);
	render_gantt(&m, &b, 100, 30, timeline_utf8(r.tl), color);
	render_gantt(&m, &b, 400, 2, !timeline_utf8(r.tl), !color);
	render_gantt(&m, &b, 40, 30, timeline_utf8(r.tl), color);
	timeline_print_summary(r.tl, &r.summary);
	render_task_times(&m, &b, 12, 100);
	render_task_times(&m, &b, 1, 40);
	render_pool_times(&m, &b, 100);
	render_pool_times(&m, &b, 40);
	render_diagnostics(r.tl, &r.summary, r.summary.slow_threshold, &b, 100);
	render_diagnostics(r.tl, &r.summary, 0, &b, 40);
	/* What `aiodemo play` shows at each stop, forward, then back. */
	struct run_state st;
	state_init(&st, r.tl);
	size_t stops = 0;
	for (size_t at = 0; stops < 4096; stops++) {
		state_seek(&st, at);
		state_note(&st, &b);
		CHECK(st.at == at && st.nready >= 0 && st.ntimers >= 0);
		CHECK(st.running < 0 || st.tasks[st.running].state == TS_RUNNING);
		size_t next = state_next_stop(&st, at);
		if (next == at)
			break;
		at = next;
	}
	for (size_t at = st.at; at > 0 && stops-- > 0;) {
		at = state_prev_stop(&st, at);
		state_seek(&st, at);
		state_note(&st, &b);
	}
	state_seek(&st, state_stop_at_time(&st, r.summary.total / 2));
	state_free(&st);
	CHECK(!timeline_output_broken(r.tl));
	CHECK(fclose(f) == 0);
	CHECK(is_utf8(b.data ? b.data : "", b.len));
	CHECK(is_utf8(out, outlen));
	if (fmt == TL_JSON)
		CHECK(is_json_lines(out, outlen));
	buf_free(&b);
	free(out);

	/* The files --trace and --svg write. */
	f = open_memstream(&out, &outlen);
	CHECK(f);
	CHECK(export_trace(f, &r.info, r.tl, &m) == 0);
	CHECK(fclose(f) == 0);
	CHECK(is_strict_json(out, outlen));
	free(out);
	/* The picture in both styles, and as compare draws two runs. */
	struct svg_run pictures[2] = { { &r.info, r.tl, &m, &r.summary, NULL },
		                       { &r.info, r.tl, &m, &r.summary, "again" } };
	for (int style = SVG_PAGE; style <= SVG_SLIDES; style++)
		for (int nruns = 1; nruns <= 2; nruns++) {
			f = open_memstream(&out, &outlen);
			CHECK(f);
			CHECK(svg_write(f, pictures, nruns, (enum svg_style)style) == 0);
			CHECK(fclose(f) == 0);
			CHECK(is_clean_svg(out, outlen));
			free(out);
		}
	/* The page of --html: its data strict JSON, in one script element. */
	f = open_memstream(&out, &outlen);
	CHECK(f);
	struct html_run page = { &r.info, r.tl, &m, &r.summary };
	CHECK(export_html(f, &page, 1) == 0);
	CHECK(fclose(f) == 0);
	CHECK(is_utf8(out, outlen));
	static const char open_tag[] = "<script type=\"application/json\" id=\"data\">";
	const char *json = strstr(out, open_tag);
	CHECK(json);
	json += strlen(open_tag);
	const char *close = strstr(json, "</script>");
	CHECK(close);
	CHECK(is_strict_json(json, (size_t)(close - json)));
	free(out);
	model_free(&m);

	/* The record written back is JSON, reads back, and is then written
	 * the same again. */
	size_t len1, len2;
	char *rec1 = record_of(&r, &len1);
	replay_free(&r);
	CHECK(is_strict_json(rec1, len1));
	CHECK(replay_load_buffer("fuzz-again.json", rec1, len1, NULL, fmt, color, true, &r) == 0);
	char *rec2 = record_of(&r, &len2);
	replay_free(&r);
	CHECK(len1 == len2 && !memcmp(rec1, rec2, len1));
	free(rec1);
	free(rec2);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_record(data, size);
	return 0;
}
