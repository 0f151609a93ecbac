"""How late asyncio.sleep() ends: a chain of COUNT sleeps of each DELAY,
one after the other, each measured on time.monotonic() from just before
the await to just after it. Lateness is that span less DELAY; a negative
one would be a sleep that ended early.

usage: timers.py DELAY:COUNT...

Reports, for each delay in milliseconds D, D_p50, D_p99 and D_min (the
earliest) in seconds. Prints one JSON line, or writes it to
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


async def chain(delay, count):
    late = []
    for _ in range(count):
        start = time.monotonic()
        await asyncio.sleep(delay)
        late.append(time.monotonic() - start - delay)
    late.sort()
    return late[len(late) // 2], late[int((len(late) - 1) * 0.99)], late[0]


async def main(chains):
    figures = {}
    for delay, count in chains:
        p50, p99, earliest = await chain(delay, count)
        ms = '%g' % (delay * 1000)
        figures.update({ms + 'ms_p50': p50, ms + 'ms_p99': p99, ms + 'ms_min': earliest})
    return figures


chains = [(float(d), int(c)) for d, c in (a.split(':') for a in sys.argv[1:])]
report(asyncio.run(main(chains)))
