#!/usr/bin/env python3
"""Checks that `aiodemo bench --quick` still runs and reports every figure.

usage: check_bench.py AIODEMO

The figures themselves are reported, not asserted: speed targets belong in
benchmarks, not in tests. What is checked is that each benchmark ran and
gave a sane value. Prints TAP."""
import json
import math
import subprocess
import sys


def main():
    aiodemo = sys.argv[1]
    p = subprocess.run([aiodemo, 'bench', '--quick', '--format', 'json'], capture_output=True, text=True,
                       timeout=600)
    checks = []
    checks.append(('exit status 0', p.returncode == 0, p.stderr))
    try:
        d = json.loads(p.stdout)
    except ValueError as e:
        d = {}
        checks.append(('the output is JSON', False, str(e)))
    expected = {
        'thread_rtt_p50': (0, 0.05), 'thread_rtt_p99': (0, 0.5), 'thread_throughput_10000': (100, 1e9),
        'process_rtt_p50': (0, 0.05), 'pipe_rtt_p50': (0, 0.05), 'timerfd_late_p50': (-0.001, 0.05),
        'ev_timer_late_p50': (-0.001, 0.05), 'cost_of_10ms': (1, 2),
    }
    for key, (lo, hi) in expected.items():
        v = d.get(key)
        ok = isinstance(v, (int, float)) and math.isfinite(v) and lo <= v <= hi
        checks.append((f'{key} = {v} within [{lo}, {hi}]', ok, ''))
    # The same keys must come in the text form too.
    p = subprocess.run([aiodemo, 'bench', '--quick', 'timers'], capture_output=True, text=True, timeout=600)
    checks.append(('text output names the timerfd', 'timerfd' in p.stdout, p.stdout))
    p = subprocess.run([aiodemo, 'bench', 'nonsense'], capture_output=True, text=True, timeout=60)
    checks.append(('an unknown benchmark is a usage error', p.returncode == 2, p.stderr))
    print(f'1..{len(checks)}')
    failed = 0
    for i, (what, ok, detail) in enumerate(checks, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {what}')
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:10]:
                print(f'  # {line}')
    for key in sorted(d):
        print(f'# {key} = {d[key]}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
