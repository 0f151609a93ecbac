#!/usr/bin/env python3
"""Every built-in program against its own expectations: `aiodemo check`.

usage: check_test.py AIODEMO [CHECK-OPTION...]

Runs `aiodemo check --tap CHECK-OPTION...` and passes its TAP on. A program
that misses an expectation is checked twice more on its own: the
expectations are moments and durations at a small --scale (a tolerance of
some 25 ms at --scale 0.1), and a loaded machine can hold a process back
longer than that. A program right in one of those runs passes, with a TAP
comment that tells its first miss; one that misses all three fails, with
what each run said. A program that cannot run misses every time.
"""
import re
import subprocess
import sys

AGAIN = 2


def check(aiodemo, opts, names=()):
    """[(ok, name, the line and its comments)] of one `aiodemo check`, and its
    exit status."""
    p = subprocess.run([aiodemo, 'check', *names, '--tap', *opts], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    results = []
    for line in p.stdout.splitlines():
        m = re.match(r'(not ok|ok) \d+ - (\S+)', line)
        if m:
            results.append([m.group(1) == 'ok', m.group(2), [line]])
        elif line.startswith('#') and results:
            results[-1][2].append(line)
    if p.stderr.strip():
        results.append([False, '(stderr)', ['not ok 0 - aiodemo check wrote to stderr'] +
                        ['# ' + line for line in p.stderr.splitlines()]])
    return results, p.returncode


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    aiodemo, opts = sys.argv[1], sys.argv[2:]
    results, status = check(aiodemo, opts)
    if not results:
        print('1..0')
        print(f'# aiodemo check printed no result (exit {status})')
        return 1
    print(f'1..{len(results)}')
    failed = 0
    for n, (ok, name, said) in enumerate(results, 1):
        tries = [said]
        while not ok and name != '(stderr)' and len(tries) <= AGAIN:
            again, _ = check(aiodemo, opts, [name])
            ok = len(again) == 1 and again[0][0]
            tries.append(again[0][2] if again else ['# (no result)'])
        body = re.sub(r'^(not ok|ok) \d+ - ', '', said[0])
        print(f'{"ok" if ok else "not ok"} {n} - {body}')
        if ok and len(tries) > 1:
            print(f'# timing, right in run {len(tries)} of {name}; the first said:')
            for line in said[1:]:
                print(f'#   {line[1:].strip()}')
        elif not ok:
            failed += 1
            for k, t in enumerate(tries, 1):
                print(f'# run {k}: {t[0]}')
                for line in t[1:]:
                    print(f'#   {line[1:].strip()}')
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
