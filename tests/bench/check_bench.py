#!/usr/bin/env python3
"""Checks that `aiodemo bench --quick` runs every set and reports every
figure, in JSON and as text, and that an unknown set is a usage error.

usage: check_bench.py AIODEMO

The figures themselves are reported, not asserted: speed targets belong in
benchmarks, not in tests. What is checked is that each benchmark ran and
gave a sane value: finite, positive, in a plausible range, consistent with
what the program does (a program is no shorter than its sleeps, and a sleep
never ends early). Prints TAP."""
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import schemas  # noqa: E402

PROGRAMS = {  # the overhead programs, and the seconds they sleep at least
    'offload_sleep': 2, 'semaphore': 2, 'process_primes': 0, 'serial_primes': 0,
}
SETS = ['overhead', 'loop', 'timers', 'start']


def expected(sizes):
    """KEY: (low, high) for every figure of the JSON output."""
    scale = sizes.get('sleep_scale', 1)
    e = {}

    def pair(key, unit, lo, hi, ratio=(0.05, 100)):
        e[f'{key}_aiodemo{unit}'] = (lo, hi)
        e[f'{key}_python{unit}'] = (lo, hi)
        e[f'{key}_ratio'] = ratio

    for name, sleeps in PROGRAMS.items():
        pair(f'overhead_{name}', '_s', max(sleeps * scale * 0.999, 1e-3), 60)
        pair(f'overhead_{name}_process', '_s', max(sleeps * scale, 1e-3), 60)
    for name, sleeps in (('tasks', 1 * scale), ('to_thread', 0)):
        pair(f'overhead_{name}', '_s', max(sleeps * 0.999, 1e-4), 120)
        pair(f'overhead_{name}_process', '_s', max(sleeps, 1e-3), 120)
        pair(f'overhead_{name}_rss', '_bytes', 1 << 20, 8 << 30)
    for name in ('call_soon', 'switches'):
        pair(f'loop_{name}', '_per_s', 1e2, 1e9, (0.01, 1000))
    for ms in ('1ms', '10ms', '100ms'):
        for stat in ('p50', 'p99'):
            e[f'timers_{ms}_{stat}_aiodemo_s'] = (0, 1)
            e[f'timers_{ms}_{stat}_python_s'] = (0, 1)
        # A sleep never ends early on aiodemo's loop; asyncio's may by its
        # clock's resolution (1 ns).
        e[f'timers_{ms}_earliest_aiodemo_s'] = (0, 1)
        e[f'timers_{ms}_earliest_python_s'] = (-1e-6, 1)
    pair('start', '_s', 1e-3, 10)
    return e


def main():
    aiodemo = sys.argv[1]
    checks = []
    tmp = tempfile.mkdtemp(prefix='check-bench-')
    # (The text fits COLUMNS, not the terminal that runs the tests.)
    env = dict(os.environ, TMPDIR=tmp, COLUMNS='100')
    p = subprocess.run([aiodemo, 'bench', '--quick', '--format', 'json'], capture_output=True, text=True,
                       timeout=600, env=env)
    checks.append(('exit status 0', p.returncode == 0, p.stderr))
    try:
        d = json.loads(p.stdout)
    except ValueError as e:
        d = {}
        checks.append(('the output is JSON', False, str(e) + '\n' + p.stdout))
    try:
        schemas.check('bench', d)
        checks.append(('the output is valid against schemas/bench.schema.json', True, ''))
    except schemas.Invalid as e:
        checks.append(('the output is valid against schemas/bench.schema.json', False, str(e)))
    checks.append(('kind bench, all sets, runs >= 2',
                   d.get('kind') == 'bench' and d.get('sets') == SETS and d.get('runs', 0) >= 2, p.stdout[:300]))
    checks.append(('the temporary directory is removed', os.listdir(tmp) == [], str(os.listdir(tmp))))
    missing = d.get('missing', {})
    figures = expected(d.get('sizes', {}))
    for key, (lo, hi) in figures.items():
        v = d.get(key)
        ok = isinstance(v, (int, float)) and math.isfinite(v) and lo <= v <= hi and (lo < 0 or v > 0)
        checks.append((f'{key} = {v} within [{lo}, {hi}]', ok, ''))
        if ok and f'{key}_min' in d:
            checks.append((f'{key}: min <= median <= max', d[f'{key}_min'] <= v <= d[f'{key}_max'], ''))
    for ms in ('1ms', '10ms', '100ms'):
        for side in ('aiodemo', 'python'):
            k = f'timers_{ms}_%s_{side}_s'
            ok = all(isinstance(d.get(k % s), (int, float)) for s in ('earliest', 'p50', 'p99'))
            checks.append((f'{k % "*"}: earliest <= p50 <= p99',
                           ok and d[k % 'earliest'] <= d[k % 'p50'] <= d[k % 'p99'], ''))
    for name in PROGRAMS:
        for side in ('aiodemo', 'python'):
            a, b = d.get(f'overhead_{name}_{side}_s'), d.get(f'overhead_{name}_process_{side}_s')
            checks.append((f'{name} under {side}: the process lasts longer than the program',
                           isinstance(a, (int, float)) and isinstance(b, (int, float)) and a < b, f'{a} {b}'))
    # uvloop is measured where python3-uvloop is installed, else missing.
    for name in ('call_soon', 'switches'):
        key = f'loop_{name}_uvloop_per_s'
        v = d.get(key, 'absent')
        ok = (isinstance(v, (int, float)) and 1e2 <= v <= 1e9) or (v is None and missing.get(key) == 'python3-uvloop')
        checks.append((f'{key} = {v} measured or missing: {missing.get(key)}', ok, ''))
    meta = {'kind', 'quick', 'runs', 'python', 'sets', 'sizes', 'missing'}
    unknown = sorted(k for k in d if k not in meta and k not in figures and not k.endswith(('_min', '_max'))
                     and not k.endswith('_uvloop_per_s'))
    checks.append(('no figure that the check does not know', not unknown, str(unknown)))

    # The text form: a table for every set.
    p = subprocess.run([aiodemo, 'bench', '--quick'], capture_output=True, text=True, timeout=600, env=env)
    checks.append(('text: exit status 0', p.returncode == 0, p.stderr))
    for heading in [s + ':' for s in SETS] + ['medians of 2 runs', 'offload-sleep: first line to end',
                                               'tasks sleeping', 'to_thread jobs: peak RSS', 'call_soon()',
                                               'sleep(0.001): lateness, earliest', 'aiodemo/python', 'uvloop']:
        checks.append((f'text shows {heading!r}', heading in p.stdout, p.stdout))
    for words in (['timer'], ['overhead', 'nonsense']):
        p = subprocess.run([aiodemo, 'bench', *words], capture_output=True, text=True, timeout=60, env=env)
        checks.append((f'bench {" ".join(words)}: a usage error', p.returncode == 2 and not p.stdout, p.stderr))
    checks.append(('the nearest set is suggested', "did you mean 'timers'" in
                   subprocess.run([aiodemo, 'bench', 'timer'], capture_output=True, text=True, timeout=60).stderr, ''))
    checks.append(('the temporary directory is removed after the text run', os.listdir(tmp) == [],
                   str(os.listdir(tmp))))
    if not os.listdir(tmp):
        os.rmdir(tmp)

    print(f'1..{len(checks)}')
    failed = 0
    for i, (what, ok, detail) in enumerate(checks, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {what}')
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:40]:
                print(f'# {line}')
    for key in sorted(d):
        if not key.endswith(('_min', '_max')):
            print(f'# {key} = {d[key]}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
