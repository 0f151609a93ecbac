"""N asyncio.to_thread() jobs of a function that does nothing, all at once,
in the default thread pool.

usage: to_thread.py N

Prints one JSON line (run_s: the time of asyncio.run), or writes it to
$AIODEMO_BENCH_REPORT."""
import asyncio
import json
import os
import sys
import time


def report(figures):
    line = json.dumps(figures)
    path = os.environ.get('AIODEMO_BENCH_REPORT')
    if path:
        with open(path, 'w') as f:
            f.write(line + '\n')
    else:
        print(line)


def nothing():
    pass


async def main(n):
    await asyncio.gather(*[asyncio.to_thread(nothing) for _ in range(n)])


start = time.perf_counter()
asyncio.run(main(int(sys.argv[1])))
report({'run_s': time.perf_counter() - start})
