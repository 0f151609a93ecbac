/* `aiodemo bench`: measures what offloading costs on this machine: thread
 * and process round trips, throughput, timer accuracy and scale, beside
 * the same figures for libuv and Python's asyncio when they are present. */
#ifndef AIODEMO_BENCH_H
#define AIODEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>

/** Which benchmarks to run, as bits. */
enum bench_set {
	BENCH_OFFLOAD = 1,
	BENCH_PROCESS = 2,
	BENCH_TIMERS = 4,
	BENCH_ALL = 7,
};

/** Runs the benchmarks in @set, small ones with @quick, printing text or
 *  JSON (@json). With @peers, the libuv and asyncio peers run too where
 *  they are found. Returns an exit status. */
int bench_run(int set, bool quick, bool json, bool peers);

#endif
