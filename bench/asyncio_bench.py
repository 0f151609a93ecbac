#!/usr/bin/env python3
"""Python's asyncio measured the way `aiodemo bench` measures aiodemo: the
round trip of asyncio.to_thread of a no-op, 10 000 no-op jobs queued on a
ThreadPoolExecutor(3), a ProcessPoolExecutor(2) round trip, and how late
asyncio.sleep(0.01) wakes. Prints "key value unit" lines."""
import asyncio
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

QUICK = '--quick' in sys.argv


def noop(*args):
    return None


def pct(values, p):
    values = sorted(values)
    return values[int((len(values) - 1) * p)]


async def main():
    loop = asyncio.get_running_loop()
    lat = []
    for _ in range(300 if QUICK else 2000):
        t = time.perf_counter()
        await asyncio.to_thread(noop)
        lat.append(time.perf_counter() - t)
    print(f'thread_rtt_p50 {pct(lat, 0.5):.9g} s')
    print(f'thread_rtt_p99 {pct(lat, 0.99):.9g} s')
    n = 2000 if QUICK else 10000
    with ThreadPoolExecutor(max_workers=3) as ex:
        t = time.perf_counter()
        await asyncio.gather(*[loop.run_in_executor(ex, noop) for _ in range(n)])
        print(f'thread_throughput_{n} {n / (time.perf_counter() - t):.9g} jobs/s')
    with ProcessPoolExecutor(max_workers=2) as ex:
        await loop.run_in_executor(ex, noop)  # start the workers first
        lat = []
        for _ in range(50 if QUICK else 300):
            t = time.perf_counter()
            await loop.run_in_executor(ex, noop)
            lat.append(time.perf_counter() - t)
        print(f'process_rtt_p50 {pct(lat, 0.5):.9g} s')
    late = []
    for _ in range(10 if QUICK else 50):
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        late.append(time.perf_counter() - t - 0.01)
    print(f'sleep_late_p50 {statistics.median(late):.9g} s')


asyncio.run(main())
