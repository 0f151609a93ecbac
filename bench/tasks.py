"""N tasks that each await asyncio.sleep(SECONDS), all at once.

usage: tasks.py N [SECONDS]    (default 1)

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


async def sleeper(seconds):
    await asyncio.sleep(seconds)


async def main(n, seconds):
    await asyncio.gather(*[asyncio.create_task(sleeper(seconds)) for _ in range(n)])


start = time.perf_counter()
asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
report({'run_s': time.perf_counter() - start})
