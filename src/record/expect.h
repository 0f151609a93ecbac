/* Expectations: what a program's header says must be true of its run, and
 * checking a run against them. */
#ifndef AIODEMO_EXPECT_H
#define AIODEMO_EXPECT_H

#include <stdbool.h>

#include "timeline.h"

enum expect_kind {
	EXPECT_TOTAL,   /* expect total D: the run takes D */
	EXPECT_AT,      /* expect "text" at D: a printed line with that text at D */
	EXPECT_BEFORE,  /* expect before "a" "b": a is printed before b */
	EXPECT_BLOCKED, /* expect blocked D: the loop is blocked D in all */
	EXPECT_SAYS,    /* expect says "text": some printed line has that text */
	EXPECT_STATUS,  /* expect error / expect ok: how the run ends */
};

/** One expectation of a program's header. */
struct expect_decl {
	enum expect_kind kind;
	double seconds;
	char *text, *text2; /* the printed lines it names */
	bool failure;       /* EXPECT_STATUS: the run must end with an error */
	bool cpu;           /* the duration is CPU work's, which --scale leaves alone */
	double fixed;       /* "D + F cpu": seconds F of it that no --scale shortens */
	int line;           /* in the program's header */
};

/** A program's expectations. */
struct expectations {
	struct expect_decl *items;
	int n;
};

/** The verdict on one expectation. */
struct expect_result {
	const struct expect_decl *decl; /* NULL for the implicit "the run ends ok" */
	bool ok;
	char *text; /* what was expected and what happened, for people */
};

/** What no --scale shortens in a moment, seconds: the machine's timer and
 *  thread wake-ups, and starting worker processes (which blocks the loop
 *  some milliseconds, more under a sanitizer). */
#define EXPECT_JITTER 0.02

/** The allowed deviation, in seconds, from a moment @seconds of scenario time
 *  into a run at @scale: 10% of the moment plus 50 ms, both in the
 *  program's own time (multiplied by @scale, so that an expectation means
 *  the same at every scale), and EXPECT_JITTER. */
double expect_tolerance(double seconds, double scale);

/** The moment @x names at @scale, and its tolerance: with a part that no
 *  --scale shortens ("1s + 60ms cpu"), half of that part (how fast a
 *  machine computes varies that much) and 50 ms more. */
double expect_moment(const struct expect_decl *x, double scale, double *tolerance);

/** Checks every expectation of @x against the events of @tl, a run at
 *  @scale that lasted @total seconds and ended with @failed (an unhandled
 *  error) or not. Returns the results (*@n of them, to free with
 *  expect_free()). */
struct expect_result *expect_verify(const struct expectations *x, const struct timeline *tl,
                                    double scale, double total, bool failed, int *n);

/** Puts into @s what the summary says of the expectations @x: the expected
 *  total and its tolerance at @scale and, when @r is not NULL, the @n
 *  verdicts. Returns the array s->checks points into (to free after the
 *  summary), or NULL without verdicts. */
struct summary_check *expect_summarize(const struct expectations *x, double scale,
                                       const struct expect_result *r, int n, struct run_summary *s);

/** How many of the @n results failed. */
int expect_failures(const struct expect_result *r, int n);

/** Appends the text of a check (kept in English) as it is shown, in the
 *  language chosen. */
void expect_text_shown(struct buf *out, const char *text);

/** Frees the expectations' texts. */
void expectations_free(struct expectations *x);

/** Frees results; free(NULL) is a no-op. */
void expect_free(struct expect_result *r, int n);

#endif
