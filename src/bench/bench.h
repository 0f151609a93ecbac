/* `aiodemo bench`: what running a program under aiodemo costs, each figure
 * beside its peer measured in the same run: the same Python program under
 * python3.11 (asyncio's default loop), and uvloop where it is installed. */
#ifndef AIODEMO_BENCH_H
#define AIODEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>

/** Which benchmarks to run, as bits. */
enum bench_set {
	BENCH_OVERHEAD = 1, /* observation: programs under aiodemo run and python3.11 */
	BENCH_LOOP = 2,     /* call_soon and task switches per second */
	BENCH_TIMERS = 4,   /* how late asyncio.sleep() ends */
	BENCH_START = 8,    /* starting and finishing a trivial program */
	BENCH_ALL = 15,
};

/** The names of the sets, "all" last: *@n of them. */
const char *const *bench_set_names(size_t *n);

/** The bits of the set called @name, or 0 when there is none. */
int bench_set_bits(const char *name);

/** Runs the benchmarks in @set, small ones with @quick, printing text or
 *  JSON (@json). Returns an exit status. */
int bench_run(int set, bool quick, bool json);

#endif
