"""The event loop's own speed: call_soon() callbacks per second, and task
switches per second of two tasks that pass the loop to each other with
asyncio.sleep(0).

usage: loop.py asyncio|uvloop CALLBACKS SWITCHES

asyncio: the loop asyncio.run() makes (aiodemo's under `aiodemo run`);
uvloop: uvloop's (reported as missing when `import uvloop` fails).
Prints one JSON line, or writes it to $AIODEMO_BENCH_REPORT."""
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


async def call_soon_rate(n):
    """n callbacks scheduled at once; the last one ends the wait."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def nothing():
        pass

    start = time.perf_counter()
    for _ in range(n - 1):
        loop.call_soon(nothing)
    loop.call_soon(done.set_result, None)
    await done
    return n / (time.perf_counter() - start)


async def ping_pong_rate(n):
    """Two tasks, each resumed n times, one after the other."""
    async def player():
        for _ in range(n):
            await asyncio.sleep(0)

    start = time.perf_counter()
    await asyncio.gather(player(), player())
    return 2 * n / (time.perf_counter() - start)


async def main(callbacks, switches):
    return {'call_soon_per_s': await call_soon_rate(callbacks),
            'switches_per_s': await ping_pong_rate(switches)}


def run():
    kind, callbacks, switches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if kind == 'uvloop':
        try:
            import uvloop
        except ImportError:
            report({'missing': 'python3-uvloop'})
            return
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    report(asyncio.run(main(callbacks, switches)))


run()
