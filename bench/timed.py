"""Runs a program as `python3 PROGRAM` would, and reports how long it took
from its first line to its end (program_s) and inside its asyncio.run()
calls (run_s): interpreter start-up is left out, under python3.11 and
under `aiodemo run` alike.

usage: timed.py PROGRAM [SLEEP_SCALE]

SLEEP_SCALE (for `aiodemo bench --quick`) multiplies the delays of
asyncio.sleep() and time.sleep(), identically under both interpreters.
Prints one JSON line, or writes it to $AIODEMO_BENCH_REPORT."""
import asyncio
import json
import os
import runpy
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


def main():
    program = sys.argv[1]
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    if scale != 1.0:
        asyncio_sleep, time_sleep = asyncio.sleep, time.sleep

        async def sleep(delay, result=None):
            return await asyncio_sleep(delay * scale, result)

        asyncio.sleep = sleep
        time.sleep = lambda seconds: time_sleep(seconds * scale)
    spans = []
    asyncio_run = asyncio.run

    def run(main, **kwargs):
        start = time.perf_counter()
        try:
            return asyncio_run(main, **kwargs)
        finally:
            spans.append(time.perf_counter() - start)

    asyncio.run = run
    sys.argv = [program]
    start = time.perf_counter()
    runpy.run_path(program, run_name='__main__')
    end = time.perf_counter()
    asyncio.run = asyncio_run
    report({'program_s': end - start, 'run_s': sum(spans)})


main()
