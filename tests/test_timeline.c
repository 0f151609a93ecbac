/* The timeline's reorder window: events added out of time order (a
 * worker's, stamped before the loop's, added after it) are kept and
 * printed in time order, none is lost, and a quiet timeline still lets
 * the held ones out within the window. Prints TAP. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "record/timeline.h"
#include "util/clock.h"

/* Everything written to @f so far. */
static char *contents(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(f);
	if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fseek(f, 0, SEEK_END);
	return s;
}

int main(void)
{
	FILE *out = tmpfile();
	if (!tap_ok(out != NULL, __FILE__, __LINE__, "a file to print to"))
		return tap_done();
	double t0 = clock_real_now();
	struct timeline *tl = timeline_new(out, TL_JSON, false, t0);
	int loop = timeline_lane(tl, LANE_LOOP, "loop");
	int worker = timeline_lane(tl, LANE_THREAD, "pool/1");
	CHECK_INT_EQ(timeline_set_reorder(tl, 0.2), 0);

	/* The loop's line, then the worker's, stamped 5 ms before it. */
	double now = clock_real_now();
	timeline_add(tl, now, loop, K_SAY, 0, 0, -1, "second");
	timeline_add(tl, now - 0.005, worker, K_SAY, 0, 0, -1, "first");
	char *s = contents(out);
	tap_ok(!strstr(s, "first") && !strstr(s, "second"), __FILE__, __LINE__,
	       "held for the window: nothing printed yet");
	free(s);
	size_t n;
	timeline_events(tl, &n);
	CHECK_INT_EQ(n, 0);

	/* Nothing else comes: the timeline's thread lets them out (within a
	 * second and a half: a loaded machine can hold a thread back). */
	for (int i = 0; i < 200; i++) {
		s = contents(out);
		bool both = strstr(s, "first") && strstr(s, "second");
		free(s);
		if (both)
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	double took = clock_real_now() - now;
	s = contents(out);
	char *first = strstr(s, "first"), *second = strstr(s, "second");
	tap_ok(first && second, __FILE__, __LINE__, "let out on a quiet timeline");
	tap_ok(first && second && first < second, __FILE__, __LINE__,
	       "printed in time order: the worker's first");
	CHECK_DBL_GE(took, 0.2 - 0.006);
	CHECK_DBL_LT(took, 0.2 + 1.5);
	free(s);
	const struct tl_event *ev = timeline_events(tl, &n);
	CHECK_INT_EQ(n, 2);
	tap_ok(n == 2 && !strcmp(ev[0].text, "first") && ev[0].t < ev[1].t, __FILE__, __LINE__,
	       "kept in time order too: a replay prints what the run printed");

	/* The summary lets out what is held first, in order; nothing is lost. */
	now = clock_real_now();
	for (int i = 0; i < 50; i++)
		timeline_add(tl, now - 0.001 * (i % 5), i % 2 ? worker : loop, K_SAY, 0, 0, -1,
		             "line %d", i);
	struct run_summary sum = { .status = "ok", .expected_total = -1, .code_end = -1 };
	timeline_print_summary(tl, &sum);
	s = contents(out);
	char *summary = strstr(s, "\"kind\":\"summary\"");
	int found = 0;
	for (int i = 0; i < 50; i++) {
		char want[32];
		snprintf(want, sizeof(want), "\"line %d\"", i);
		char *at = strstr(s, want);
		found += at && summary && at < summary;
	}
	CHECK_INT_EQ(found, 50);
	ev = timeline_events(tl, &n);
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted &= ev[i - 1].t <= ev[i].t;
	tap_ok(sorted, __FILE__, __LINE__, "every event kept in time order");
	free(s);

	/* Without a window, an event is printed as it comes. */
	CHECK_INT_EQ(timeline_set_reorder(tl, 0), 0);
	timeline_add(tl, clock_real_now(), loop, K_SAY, 0, 0, -1, "at once");
	s = contents(out);
	CHECK(strstr(s, "at once") != NULL);
	free(s);
	timeline_free(tl);
	fclose(out);
	return tap_done();
}
