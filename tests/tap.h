/* A tiny TAP producer for the unit tests: one "ok"/"not ok" line per check,
 * the failing expression and both values as diagnostics, the plan at the end. */
#ifndef AIODEMO_TAP_H
#define AIODEMO_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Each test program is one translation unit, so file-scope counters are
 * the whole of the state. */
static int tap_count;
static int tap_failures;

__attribute__((format(printf, 4, 5))) static inline bool tap_ok(bool pass, const char *file,
                                                                int line, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	if (!pass)
		tap_failures++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		printf("#   failed at %s:%d\n", file, line);
	/* Tests fork: an unflushed buffer would be printed twice. */
	fflush(stdout);
	return pass;
}

/* A "# ..." comment line, for section names and failure details. */
__attribute__((format(printf, 1, 2))) static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Prints the plan and returns the process exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failures)
		tap_diag("failed %d of %d checks", tap_failures, tap_count);
	fflush(stdout);
	return tap_failures || tap_count == 0 ? 1 : 0;
}

#define CHECK(cond) ((void)tap_ok(!!(cond), __FILE__, __LINE__, "%s", #cond))

/* The CHECK_* macros stringify their own arguments: passed on, they would be
 * macro-expanded first (errno would print as a function call). */
#define TAP_CMP_INT(a, op, b, sa, sb)                                                              \
	do {                                                                                       \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);                        \
		if (!tap_ok(tap_a_ op tap_b_, __FILE__, __LINE__, "%s %s %s", sa, #op, sb))        \
			tap_diag("  %s is %lld, %s is %lld", sa, tap_a_, sb, tap_b_);              \
	} while (0)

#define CHECK_INT_EQ(a, b) TAP_CMP_INT(a, ==, b, #a, #b)
#define CHECK_INT_NE(a, b) TAP_CMP_INT(a, !=, b, #a, #b)
#define CHECK_INT_LT(a, b) TAP_CMP_INT(a, <, b, #a, #b)
#define CHECK_INT_LE(a, b) TAP_CMP_INT(a, <=, b, #a, #b)
#define CHECK_INT_GT(a, b) TAP_CMP_INT(a, >, b, #a, #b)
#define CHECK_INT_GE(a, b) TAP_CMP_INT(a, >=, b, #a, #b)

#define TAP_CMP_DBL(a, op, b, sa, sb)                                                              \
	do {                                                                                       \
		double tap_a_ = (a), tap_b_ = (b);                                                 \
		if (!tap_ok(tap_a_ op tap_b_, __FILE__, __LINE__, "%s %s %s", sa, #op, sb))        \
			tap_diag("  %s is %.6f, %s is %.6f", sa, tap_a_, sb, tap_b_);              \
	} while (0)

#define CHECK_DBL_LT(a, b) TAP_CMP_DBL(a, <, b, #a, #b)
#define CHECK_DBL_LE(a, b) TAP_CMP_DBL(a, <=, b, #a, #b)
#define CHECK_DBL_GT(a, b) TAP_CMP_DBL(a, >, b, #a, #b)
#define CHECK_DBL_GE(a, b) TAP_CMP_DBL(a, >=, b, #a, #b)

/* |a - b| <= tol */
#define CHECK_DBL_NEAR(a, b, tol)                                                                  \
	do {                                                                                       \
		double tap_a_ = (a), tap_b_ = (b), tap_t_ = (tol);                                 \
		if (!tap_ok(fabs(tap_a_ - tap_b_) <= tap_t_, __FILE__, __LINE__,                   \
		            "%s is %s within %s", #a, #b, #tol))                                   \
			tap_diag("  %s is %.6f, %s is %.6f, off by %.6f (allowed %.6f)", #a,       \
			         tap_a_, #b, tap_b_, fabs(tap_a_ - tap_b_), tap_t_);               \
	} while (0)

/* lo <= x <= hi */
#define CHECK_DBL_BETWEEN(x, lo, hi)                                                               \
	do {                                                                                       \
		double tap_x_ = (x), tap_l_ = (lo), tap_h_ = (hi);                                 \
		if (!tap_ok(tap_l_ <= tap_x_ && tap_x_ <= tap_h_, __FILE__, __LINE__,              \
		            "%s <= %s <= %s", #lo, #x, #hi))                                       \
			tap_diag("  %s is %.6f, not in [%.6f, %.6f]", #x, tap_x_, tap_l_, tap_h_); \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
	do {                                                                                       \
		const char *tap_a_ = (a), *tap_b_ = (b);                                           \
		if (!tap_ok(tap_a_ && tap_b_ && strcmp(tap_a_, tap_b_) == 0, __FILE__, __LINE__,   \
		            "%s equals %s", #a, #b))                                               \
			tap_diag("  %s is \"%s\", %s is \"%s\"", #a, tap_a_ ? tap_a_ : "(null)",   \
			         #b, tap_b_ ? tap_b_ : "(null)");                                  \
	} while (0)

/* @needle occurs in @hay */
#define CHECK_STR_CONTAINS(hay, needle)                                                            \
	do {                                                                                       \
		const char *tap_h_ = (hay), *tap_n_ = (needle);                                    \
		if (!tap_ok(tap_h_ && tap_n_ && strstr(tap_h_, tap_n_), __FILE__, __LINE__,        \
		            "%s contains %s", #hay, #needle))                                      \
			tap_diag("  %s is \"%s\", %s is \"%s\"", #hay, tap_h_ ? tap_h_ : "(null)", \
			         #needle, tap_n_ ? tap_n_ : "(null)");                             \
	} while (0)

#endif
