#!/usr/bin/env python3
"""aiodemo play, driven in tmux: keys sent with send-keys, the screen read
with capture-pane, and what it shows checked against the record it plays.

usage: play_test.py AIODEMO

Each case prints a TAP line. The record is made first (aiodemo run
offload-sleep --record), so that what the screen must show at each step is
known from the events themselves: the moment and the event's number in the
header, the line marked as running, the ready queue, the job on its worker,
the lines printed so far. Stepping back must show the very screen that
stepping forward showed."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemas  # noqa: E402

SCALE = 0.05
W, H = 80, 24
STOPS_SKIPPED = {'beat', 'child', 'waits', 'gil-wait', 'gil-take'}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def expect(what, cond, detail=''):
    if not cond:
        raise Failure(f'{what}{": " + detail if detail else ""}')


class Screen:
    """aiodemo play in a tmux session of its own, W x H."""

    def __init__(self, aiodemo, args, work):
        self.name = f'aiodemo-play-{os.getpid()}'
        self.rc_file = os.path.join(work, 'rc')
        # The shell ignores Ctrl-C, to live on and write down how aiodemo ended.
        # Under AddressSanitizer, LeakSanitizer's check at exit (it stops the
        # threads under ptrace) can hang on a busy machine in a process on a
        # pseudo-terminal: the other tests check for leaks.
        asan = ':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'), 'detect_leaks=0']))
        cmd = (f"trap '' INT; ASAN_OPTIONS={asan} " + ' '.join([aiodemo, 'play', *args]) +
               f'; echo $? > {self.rc_file}; sleep 60')
        env = {**os.environ, 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8', 'TERM': 'xterm-256color'}
        env.pop('NO_COLOR', None)
        subprocess.run(['tmux', 'kill-session', '-t', self.name], stderr=subprocess.DEVNULL)
        subprocess.run(['tmux', 'new-session', '-d', '-s', self.name, '-x', str(W), '-y', str(H), cmd],
                       check=True, env=env)

    def text(self):
        return subprocess.run(['tmux', 'capture-pane', '-p', '-t', self.name], capture_output=True, text=True,
                              check=True).stdout

    def wait_for(self, pattern, what, timeout=20):
        """The screen once it shows @pattern and has stopped changing (a
        capture can come while the player is halfway through drawing)."""
        end = time.monotonic() + timeout
        last = None
        while time.monotonic() < end:
            t = self.text()
            if re.search(pattern, t):
                if t == last:
                    return t
                last = t
            time.sleep(0.05)
        raise Failure(f'no {what} on the screen:\n{self.text()}')

    def keys(self, *keys):
        subprocess.run(['tmux', 'send-keys', '-t', self.name, *keys], check=True)

    def step(self, key, event):
        """Sends @key and waits for the header to say event @event."""
        self.keys(key)
        return self.wait_for(rf'event {event}/', f'event {event} after {key}')

    def close(self):
        subprocess.run(['tmux', 'kill-session', '-t', self.name], stderr=subprocess.DEVNULL)

    def rc(self, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if os.path.exists(self.rc_file):
                with open(self.rc_file) as f:
                    data = f.read().strip()
                if data:
                    return int(data)
            time.sleep(0.05)
        raise Failure('aiodemo play did not end')


def tap_case(i, name, call):
    """Runs case @i, @name, printing its TAP line (and what failed);
    returns whether it failed."""
    failed = False
    try:
        call()
        print(f'ok {i} - {name}')
    except Skip as e:
        print(f'ok {i} - {name} # SKIP {e}')
    except Exception as e:  # noqa: BLE001 - report and go on
        failed = True
        print(f'not ok {i} - {name}')
        for line in f'{type(e).__name__}: {e}'.splitlines():
            print(f'# {line}')
    sys.stdout.flush()
    return failed


def stops(events):
    """The event numbers (1-based, as the header counts) a step stops at."""
    return [i + 1 for i, e in enumerate(events) if e['kind'] not in STOPS_SKIPPED]


def oracle(doc, at):
    """What the screen must show after events [0, at): computed from the
    record here, independently of the player's code."""
    lanes = [l['name'] for l in doc['lanes']]
    ready, running, line_of, printed, job_on = [], None, {}, [], {}
    for e in doc['events'][:at]:
        lane, kind = e['lane'], e['kind']
        if kind == 'ready':
            if lane in ready:
                ready.remove(lane)
            ready.append(lane)
        elif kind == 'step':
            if lane in ready:
                ready.remove(lane)
            running = lane
        elif kind in ('yield', 'exit'):
            if running == lane:
                running = None
            if e.get('line'):
                line_of[lane] = e['line']
        elif kind == 'await':
            line_of[lane] = e['line']
        elif kind in ('say', 'stderr', 'offload', 'spawn') and e.get('line') and running == lane:
            line_of[lane] = e['line']
        if kind in ('say', 'stderr'):
            printed.append(e['text'])
        elif kind == 'job-start':
            job_on[e['job']] = lanes[lane]
        elif kind == 'job-done':
            job_on.pop(e['job'], None)
    last = doc['events'][at - 1] if at else None
    focus = last['lane'] if last and last['lane'] in line_of and doc['lanes'][last['lane']]['kind'] == 'task' \
        else running
    short = [re.match(r'(Task-\d+)', n).group(1) if re.match(r'Task-\d+', n) else n for n in lanes]
    return {
        't': last['t'] if last else 0.0,
        'ready': [short[l] for l in ready],
        'running': short[running] if running is not None else None,
        'line': line_of.get(focus) if focus is not None else None,
        'printed': printed,
        'jobs': job_on,
    }


def check_screen(text, doc, at, n):
    want = oracle(doc, at)
    head = text.splitlines()[0]
    expect(f'event {at}: the header', f'event {at}/{n}' in head and f't = {want["t"]:.3f} s' in head, head)
    ready = re.search(r'ready +(.*?)\s*$', text, re.M)
    expect(f'event {at}: the ready queue', ready and ready.group(1).split() == (want['ready'] or ['(empty)']),
           f'{ready.group(1) if ready else None!r}, wanted {want["ready"]}')
    running = re.search(r'running +(\S+)', text)
    expect(f'event {at}: the task running', running and (running.group(1) == want['running'] or
                                                        (want['running'] is None and running.group(1).startswith('nothing'))),
           f'{running.group(1) if running else None!r}, wanted {want["running"]}')
    marked = re.findall(r'^ *(\d+) ▶', text, re.M)
    if want['line']:
        expect(f'event {at}: the line marked running', marked == [str(want['line'])],
               f'{marked}, wanted {want["line"]}')
    else:
        expect(f'event {at}: no line marked', not marked, str(marked))
    if want['printed']:
        expect(f'event {at}: the last line printed', want['printed'][-1][:20] in text, want['printed'][-1])
    else:
        expect(f'event {at}: nothing printed yet', '(nothing printed yet)' in text)
    for job, worker in want['jobs'].items():
        expect(f'event {at}: job {job} on {worker}', f'job {job} on {worker}' in text)


def case_step_forward_and_back(aiodemo, work, rec, doc):
    n = len(doc['events'])
    at_stops = stops(doc['events'])
    s = Screen(aiodemo, [rec], work)
    try:
        text = s.wait_for(r'event 0/', 'the first screen')
        check_screen(text, doc, 0, n)
        expect('the start in words', 'The run is about to begin.' in text)
        screens = {0: text}
        for at in at_stops[:24]:
            screens[at] = s.step('Right', at)
            check_screen(screens[at], doc, at, n)
        # A job on its worker was among them, and a line printed.
        seen = ''.join(screens.values())
        expect('a job on its worker among the first steps', re.search(r'job 1 on asyncio/1', seen))
        # Back, one event at a time: the same screens.
        back = [0] + at_stops[:23]
        for at in reversed(back):
            text = s.step('Left', at)
            expect(f'event {at} again, stepping back', text == screens[at],
                   f'\n{text}\n-- going forward it was --\n{screens[at]}')
        # The time keys: a moment later is later, never before.
        text = s.step('Down', r'\d+')
        t = float(re.search(r't = ([\d.]+) s', text).group(1))
        expect('a moment later', t >= 0)
        # End, Home.
        text = s.step('End', n)
        check_screen(text, doc, n, n)
        expect('the end: everything printed', oracle(doc, n)['printed'][-1][:20] in text)
        s.step('Home', 0)
        s.keys('q')
        expect('q: exit status 0', s.rc() == 0)
    finally:
        s.close()


def case_find_and_go_to(aiodemo, work, rec, doc):
    n = len(doc['events'])
    says = [(i + 1, e) for i, e in enumerate(doc['events']) if e['kind'] == 'say']
    at, e = says[-1]
    s = Screen(aiodemo, [rec], work)
    try:
        s.wait_for(r'event 0/', 'the first screen')
        s.keys('/')
        s.wait_for('find a printed line:', 'the prompt of /')
        s.keys('-l', e['text'][-4:])
        text = s.step('Enter', at)
        check_screen(text, doc, at, n)
        expect('find: where', f'found at {e["t"]:.3f} s' in text, text.splitlines()[-1])
        # g: the first stop at or after the moment given.
        target = doc['summary']['total'] / 2
        want = next(i + 1 for i, ev in enumerate(doc['events'])
                    if ev['kind'] not in STOPS_SKIPPED and ev['t'] >= target)
        s.keys('g')
        s.wait_for('go to the moment', 'the prompt of g')
        s.keys('-l', f'{target:.6f}')
        text = s.step('Enter', want)
        check_screen(text, doc, want, n)
        s.keys('?')
        s.wait_for('keys \\(any key closes this\\)', 'the keys')
        s.keys('x')
        s.wait_for(r'→ next', 'the footer again')
        s.keys('q')
        expect('q: exit status 0', s.rc() == 0)
    finally:
        s.close()


def case_play_in_time(aiodemo, work, rec, doc):
    n = len(doc['events'])
    s = Screen(aiodemo, [rec], work)
    try:
        s.wait_for(r'event 0/', 'the first screen')
        s.keys('p')
        # At 1x the run's own pace: the whole of it in about its length.
        text = s.wait_for(rf'event {n}/{n}  paused', 'the end of playing', timeout=20)
        check_screen(text, doc, n, n)
        s.keys('C-c')
        expect('Ctrl-C: ends by SIGINT', s.rc() == 130)
    finally:
        s.close()


def case_a_program(aiodemo, work, rec, doc):
    """play NAME records a run first, then plays it."""
    s = Screen(aiodemo, ['offload-sleep', '--scale', str(SCALE)], work)
    try:
        text = s.wait_for(r'event 0/\d+', 'the first screen of a run it recorded')
        expect('the program shown', 'offload-sleep' in text.splitlines()[0])
        expect('its source', 'async def blocked_task():' in text)
        s.keys('q')
        expect('q: exit status 0', s.rc() == 0)
    finally:
        s.close()


def case_marks(aiodemo, work, rec, doc):
    """At the end of a run, the task tree and the chart mark a task that
    failed (✗, with its exception) and one that was cancelled (⊘)."""
    fates = os.path.join(work, 'fates.json')
    subprocess.run([aiodemo, 'run', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'programs', 'cli', 'fates.py'), '--scale', str(SCALE),
                    '--record', fates], stdout=subprocess.DEVNULL, check=True, timeout=60)
    s = Screen(aiodemo, [fates], work)
    try:
        s.wait_for(r'event 0/\d+', 'the first screen')
        s.keys('End')
        text = s.wait_for(r'Task-3 done ⊘', 'the cancelled task in the tree')
        expect('the failed task in the tree', re.search(r"Task-2 done ✗ raised ValueError", text), text)
        # The chart's rows: a 16-column label, then the cells.
        rows = {line.split()[0]: line[16:] for line in text.splitlines() if re.match(r'Task-\d ', line)}
        expect('the chart: fails() ends with ✗', rows.get('Task-2', '').rstrip().endswith('✗'), text)
        expect('the chart: forever() ends with ⊘', rows.get('Task-3', '').rstrip().endswith('⊘'), text)
        expect('the chart: finishes() unmarked', not re.search('[✗⊘]', rows.get('Task-4', '✗')), text)
        s.keys('q')
        expect('q: exit status 0', s.rc() == 0)
    finally:
        s.close()


def case_no_terminal(aiodemo, work, rec, doc):
    p = subprocess.run([aiodemo, 'play', rec], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=30)
    expect('no terminal: exit status 2', p.returncode == 2, str(p.returncode))
    expect('no terminal: says so', 'aiodemo play needs a terminal' in p.stderr, p.stderr)
    p = subprocess.run([aiodemo, 'play'], capture_output=True, text=True, timeout=30)
    expect('no target: exit status 2', p.returncode == 2 and "'play' needs" in p.stderr, p.stderr)


def case_record_schema(aiodemo, work, rec, doc):
    """The record played is valid against schemas/record.schema.json."""
    try:
        schemas.check('record', doc, rec)
    except schemas.Invalid as e:
        raise Failure(str(e))


CASES = [
    ('the record against its schema', case_record_schema),
    ('step forward and back', case_step_forward_and_back),
    ('find and go to', case_find_and_go_to),
    ('play in time', case_play_in_time),
    ('a program', case_a_program),
    ('marks of failed and cancelled tasks', case_marks),
    ('no terminal', case_no_terminal),
]


def main():
    aiodemo = os.path.abspath(sys.argv[1])
    print(f'1..{len(CASES)}')
    if not shutil.which('tmux'):
        for i, (name, _) in enumerate(CASES, 1):
            print(f'ok {i} - {name} # SKIP no tmux')
        return 0
    work = tempfile.mkdtemp(prefix='aiodemo-play-')
    failed = 0
    try:
        rec = os.path.join(work, 'offload.json')
        subprocess.run([aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--record', rec],
                       stdout=subprocess.DEVNULL, check=True, timeout=60)
        with open(rec, encoding='utf-8') as f:
            doc = json.load(f)
        probe = subprocess.run([aiodemo, 'play', rec], stdin=subprocess.DEVNULL, capture_output=True, text=True)
        built = 'built without ncurses' not in probe.stderr
        for i, (name, fn) in enumerate(CASES, 1):
            if not built and fn not in (case_no_terminal, case_record_schema):
                print(f'ok {i} - {name} # SKIP built without ncurses')
                continue
            if os.path.exists(os.path.join(work, 'rc')):
                os.remove(os.path.join(work, 'rc'))
            failed += tap_case(i, name, lambda: fn(aiodemo, work, rec, doc))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
