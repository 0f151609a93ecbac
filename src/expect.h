/* Checking a run against the expectations its scenario states. */
#ifndef AIODEMO_EXPECT_H
#define AIODEMO_EXPECT_H

#include <stdbool.h>

#include "scenario.h"
#include "timeline.h"

/** The verdict on one expectation. */
struct expect_result {
	const struct expect_decl *decl; /* NULL for the implicit "the run ends ok" */
	bool ok;
	char *text; /* what was expected and what happened, for people */
};

/** The allowed deviation, in seconds, from a moment @seconds of scenario time
 *  into a run at @scale: 10% of the scaled time plus 20 ms. */
double expect_tolerance(double seconds, double scale);

/** Checks every expectation of @sc against the events of @tl, a run at
 *  @scale that lasted @total seconds and ended with @failed (an unhandled
 *  error) or not. Returns the results (*@n of them, to free with
 *  expect_free()). */
struct expect_result *expect_verify(const struct scenario *sc, const struct timeline *tl, double scale,
				    double total, bool failed, int *n);

/** Puts into @s what the summary says of @sc's expectations: the expected
 *  total and its tolerance at @scale and, when @r is not NULL, the @n
 *  verdicts. Returns the array s->checks points into (to free after the
 *  summary), or NULL without verdicts. */
struct summary_check *expect_summarize(const struct scenario *sc, double scale, const struct expect_result *r,
				       int n, struct run_summary *s);

/** How many of the @n results failed. */
int expect_failures(const struct expect_result *r, int n);

/** Frees results; free(NULL) is a no-op. */
void expect_free(struct expect_result *r, int n);

#endif
