#!/usr/bin/env python3
"""Differential fuzzing: random asyncio programs under CPython and aiodemo.

usage: run.py AIODEMO [--seeds A..B | --seeds A.. --time SECONDS | --time SECONDS]
              [--scale S] [--jobs N] [--keep DIR] [--tap] [--programs FILE...]

For each seed, gen.py writes a program (the same for the same seed), and
the program runs under /usr/bin/python3.11 (the CPython aiodemo embeds) and
under `aiodemo run FILE --format json --scale S --record REC`. A divergence
is any of:

- other printed lines, or in another order: stdout (`say` events) and
  stderr (`stderr` events) line by line, and lines of the two streams that
  python3 printed well apart in the same order (addresses, clock times and
  floats normalized as tests/python_e2e.py does);
- another exit status;
- a line's moment, in program time (aiodemo's divided by S), off by more
  than python_e2e.py's tolerance (50 ms + 15%, plus 12 ms of real time,
  which S stretches) plus the uncertainty the simulation gives that line
  (the start of the threads and processes before it);
- NDJSON that is not strictly valid (each line valid UTF-8 and JSON
  without NaN or Infinity, an object valid against
  schemas/stream.schema.json, times finite and, but for the events that
  aiodemo(1) says come late, in order), a header that is not the first
  line, or a summary that is not the last line or not there exactly once;
- a sanitizer's report on aiodemo's stderr, or anything else there;
- no end within the time allowed (a hang);
- `aiodemo replay REC --format json` showing another header or other
  events than the run;
  `aiodemo replay REC --color=always --trace T --svg S` failing, or its
  text not UTF-8, the record or the trace not strict JSON or not valid
  against their schemas (schemas/), its SVG not XML;
- a process of the run (found by a token in its environment) still alive
  after aiodemo has exited, or anything left in the TMPDIR given to the run.

When only what time decides is off (moments, the order of lines, the lines
a timeout lets through, the exit status), both run once more (and, off
again, a third time with aiodemo at 2.5 times the scale), and what is
right then is a note (a loaded machine can hold a process back
for tens of milliseconds, which --scale stretches), not a divergence; the
first runs are kept in findings/ all the same. Under ThreadSanitizer, which
slows aiodemo's own code, not CPython's (which is not instrumented), what time
decides is a note even when it happens twice: there the check is for
races, hangs, the output and what is left behind.

A divergence prints the seed, the program's path and a diff, and keeps the
program, its meta and both runs' output in tests/difffuzz/findings/seed-N/
(git-ignored). When the lines differ, python3 runs the program twice more:
if its own runs differ, the program is not deterministic and the generator
is at fault, which the report says.

--seeds A..B runs seeds A to B (both included); --time T runs seeds from A
(default: a base from the clock, printed) until T seconds have passed;
--programs runs the given files instead (tests/difffuzz/regressions/). The
last line says "N programs, D divergences" (a TAP comment with --tap); the
exit status is 1 when D > 0.
"""
import argparse
import difflib
import json
import math
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from xml.etree import ElementTree
from concurrent.futures import ThreadPoolExecutor, as_completed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import schemas  # noqa: E402 - tests/schemas.py: the stream's, the record's and the trace's
PYTHON = '/usr/bin/python3.11' if os.path.exists('/usr/bin/python3.11') else shutil.which('python3')
FINDINGS = os.path.join(HERE, 'findings')
SANITIZER_REPORT = re.compile(rb'(ERROR|WARNING): (Address|Leak|Thread|UndefinedBehavior)Sanitizer|runtime error:|'
                              rb'SUMMARY: \w+Sanitizer')
DEFAULTS = {  # build: (scale, real-time slack per line in seconds, aiodemo's time limit)
    None: (0.2, 0.012, 60),
    'address': (0.5, 0.03, 180),
    'thread': (2.0, 0.05, 300),
}


def sanitizer_of(binary):
    with open(binary, 'rb') as f:
        data = f.read()
    if b'__tsan_init' in data:
        return 'thread'
    if b'__asan_init' in data:
        return 'address'
    return None


def sanitizer_env(kind):
    supp = os.path.join(ROOT, 'tests', 'sanitizers')
    env = {}
    if kind == 'address':
        env['UBSAN_OPTIONS'] = 'halt_on_error=1:print_stacktrace=1'
        env['LSAN_OPTIONS'] = f'suppressions={supp}/lsan.supp:print_suppressions=0'
    elif kind == 'thread':
        env['TSAN_OPTIONS'] = f'halt_on_error=1:suppressions={supp}/tsan.supp'
    return {k: v for k, v in env.items() if k not in os.environ}


# The problems that time decides: the moments, the order of lines, the lines a timeout lets through,
# the exit status.
TIMED = ('moment of', 'order:', 'lines', 'exit status')


def normal(line):
    """tests/python_e2e.py's normalization: addresses, clock times, floats, lists of numbers; and a
    NUL, which aiodemo shows as its picture (aiodemo(1))."""
    line = line.replace('\x00', '\u2400')
    line = re.sub(r'0x[0-9a-f]+', '0x...', line)
    line = re.sub(r'\b\d\d:\d\d:\d\d\b', 'HH:MM:SS', line)
    line = re.sub(r'\b\d+\.\d+', 'N.N', line)
    return re.sub(r'\[(\d+(?:, \d+)*)\]', lambda m: '[%s]' % ', '.join(sorted(m.group(1).split(', '))), line)


def shown(line):
    """@line with its control characters visible."""
    return re.sub(r'[\x00-\x08\x0b-\x1f\x7f]', lambda m: '\\x%02x' % ord(m.group()), line)


def tol(t, scale, slack):
    return 0.05 + 0.15 * t + slack / scale


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_proc(argv, cwd, env, limit):
    """Runs @argv for @limit seconds at most; returns (status, stdout, stderr, [(t, line)] of stdout,
    [(t, line)] of stderr, timed out), each line stamped when its newline arrived. Its output is read
    until the pipes close, or for 2 s after it has exited (a process it left may hold them open)."""
    start = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    raw = {p.stdout.fileno(): bytearray(), p.stderr.fileno(): bytearray()}
    lines = {p.stdout.fileno(): [], p.stderr.fileno(): []}
    part = {p.stdout.fileno(): b'', p.stderr.fileno(): b''}
    sel = selectors.DefaultSelector()
    for f in (p.stdout, p.stderr):
        sel.register(f, selectors.EVENT_READ)
    hung, exited = False, None
    while sel.get_map():
        now = time.monotonic()
        if exited is None and p.poll() is not None:
            exited = now
        if exited is not None and now > exited + 2:
            break
        if exited is None and now - start > limit and not hung:
            hung = True
            kill_group(p)
        for key, _ in sel.select(timeout=0.05):
            fd = key.fd
            data = os.read(fd, 1 << 16)
            if not data:
                sel.unregister(key.fileobj)
                continue
            t = time.monotonic() - start
            raw[fd] += data
            chunks = (part[fd] + data).split(b'\n')
            part[fd] = chunks.pop()
            lines[fd] += [(t, c.decode('utf-8', 'replace')) for c in chunks]
    sel.close()
    p.wait()
    t = time.monotonic() - start
    for fd in lines:
        if part[fd]:
            lines[fd].append((t, part[fd].decode('utf-8', 'replace')))
    out_fd, err_fd = list(raw)
    p.stdout.close()
    p.stderr.close()
    return p, p.returncode, bytes(raw[out_fd]), bytes(raw[err_fd]), lines[out_fd], lines[err_fd], hung


def _no_constant(name):
    raise ValueError(f'{name} is not JSON')


def strict_ndjson(raw, what):
    """The objects of an NDJSON stream, checked strictly; raises ValueError."""
    if raw and not raw.endswith(b'\n'):
        raise ValueError(f'{what}: the last line has no newline')
    objs = []
    for no, line in enumerate(raw.split(b'\n')[:-1] if raw else [], 1):
        try:
            text = line.decode('utf-8')
        except UnicodeDecodeError as e:
            raise ValueError(f'{what} line {no}: not UTF-8 ({e})') from None
        try:
            obj = json.loads(text, parse_constant=_no_constant)
        except ValueError as e:
            raise ValueError(f'{what} line {no}: {e}: {text[:200]}') from None
        if not isinstance(obj, dict):
            raise ValueError(f'{what} line {no}: not an object: {text[:200]}')
        objs.append(obj)
    kinds = [o.get('kind') for o in objs]
    if kinds.count('summary') != 1 or kinds[-1] != 'summary':
        raise ValueError(f'{what}: {kinds.count("summary")} summaries, the last line is {kinds[-1:]!r}')
    # Each line valid against schemas/stream.schema.json, the header first (a validator made once).
    schemas.check_stream(objs, what)
    last, lane_last = 0.0, {}
    for no, o in enumerate(objs[1:-1], 2):
        t = o.get('t')
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) or t < 0:
            raise ValueError(f'{what} line {no}: a bad time {t!r}')
        # The order aiodemo(1) gives (JSON): times go up but for a block (the start of its step, written
        # once the step has run for the slow threshold), a task's await, done, error and cancel (the end
        # of its step, written once their text is made) and a worker process's events (its own moments,
        # written when they arrive); on each lane, times go up.
        late = o.get('kind') == 'block' or o.get('lane_kind') == 'process' or \
            (o.get('lane_kind') == 'task' and o.get('kind') in ('await', 'done', 'error', 'cancel'))
        if not late:
            if t < last:
                raise ValueError(f'{what} line {no}: time {t} before that of an earlier event ({last})')
            last = t
        lane = o.get('lane')
        if o.get('kind') != 'block' and t < lane_last.get(lane, 0.0):
            raise ValueError(f'{what} line {no}: time {t} before that of an earlier event of {lane!r}')
        lane_last[lane] = max(t, lane_last.get(lane, 0.0))
        for k in ('lane', 'kind', 'text'):
            if not isinstance(o.get(k), str):
                raise ValueError(f'{what} line {no}: no string {k!r}: {o!r}')
    return objs


def survivors(token):
    """Processes (not zombies) that still carry @token in their environment."""
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/environ', 'rb') as f:
                if token not in f.read():
                    continue
            with open(f'/proc/{pid}/stat', 'rb') as f:
                state = f.read().rsplit(b')', 1)[1].split()[0]
            if state == b'Z':
                continue
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
            found.append(f'{pid} {cmd}')
        except OSError:
            continue
    return found


class Fuzz:
    def __init__(self, a):
        self.aiodemo = os.path.abspath(a.aiodemo)
        self.kind = sanitizer_of(self.aiodemo)
        scale, slack, limit = DEFAULTS[self.kind]
        self.scale = a.scale or scale
        self.slack = slack
        self.limit = limit * max(1.0, self.scale)
        self.keep = a.keep
        self.env = dict(os.environ, LC_ALL='C.UTF-8', **sanitizer_env(self.kind))
        self.env.pop('PYTHONSTARTUP', None)
        self.base = tempfile.mkdtemp(prefix='difffuzz-')

    # -- one program
    def make(self, seed, work):
        prog, meta = os.path.join(work, 'prog.py'), os.path.join(work, 'meta.json')
        r = subprocess.run([PYTHON, os.path.join(HERE, 'gen.py'), str(seed), '--out', prog, '--meta', meta],
                           capture_output=True, text=True, timeout=300, env=dict(self.env, PYTHONHASHSEED='0'))
        if r.returncode:
            raise RuntimeError(f'gen.py {seed} failed: {r.stderr.strip()[-500:]}')
        with open(meta, encoding='utf-8') as f:
            return prog, json.load(f)

    def adopt(self, path, work):
        prog = os.path.join(work, os.path.basename(path))
        shutil.copy(path, prog)
        # The simulation gives each line's uncertainty, whether it vouches for the program or not.
        p, _, out, _, _, _, _ = run_proc([PYTHON, os.path.join(HERE, 'sim.py'), prog], work, self.env, 60)
        kill_group(p)
        try:
            lines = json.loads(out)['lines']
        except (ValueError, KeyError):
            lines = []
        return prog, {'seed': os.path.basename(path), 'lines': lines, 'features': {}}

    def reference(self, prog, work, n):
        tmp = os.path.join(work, f'tmp-ref{n}')
        os.makedirs(tmp, exist_ok=True)
        env = dict(self.env, TMPDIR=tmp)
        p, status, _, _, out, err, hung = run_proc([PYTHON, '-u', prog], work, env, 60)
        kill_group(p)   # anything it left
        return {'status': status, 'out': out, 'err': err, 'hung': hung}

    def live(self, prog, work, scale=None):
        scale = scale or self.scale
        tmp = os.path.join(work, 'tmp-live')
        os.makedirs(tmp, exist_ok=True)
        token = 'DIFFFUZZ_TOKEN=' + uuid.uuid4().hex
        env = dict(self.env, TMPDIR=tmp)
        env['DIFFFUZZ_TOKEN'] = token.split('=', 1)[1]
        rec = os.path.join(work, 'record.json')
        t0 = time.monotonic()
        p, status, out, err, _, _, hung = run_proc([self.aiodemo, 'run', prog, '--format', 'json', '--scale',
                                                    str(scale), '--record', rec], work, env, self.limit)
        took = time.monotonic() - t0
        left = survivors(token.encode())
        deadline = time.monotonic() + 3
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = survivors(token.encode())
        # What is left is reported, then ended: it descends from the run.
        kill_group(p)
        for entry in left:
            try:
                os.kill(int(entry.split()[0]), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        return {'status': status, 'out': out, 'err': err, 'hung': hung, 'rec': rec, 'left': left,
                'tmp': sorted(os.listdir(tmp)), 'took': took, 'scale': scale}

    def replay(self, rec, work):
        p, status, out, err, _, _, hung = run_proc([self.aiodemo, 'replay', rec, '--format', 'json'], work,
                                                   self.env, self.limit)
        return status, out, err, hung

    def case(self, seed, path=None):
        work = tempfile.mkdtemp(prefix=f'seed-{seed}-', dir=self.base)
        prog, meta = self.adopt(path, work) if path else self.make(seed, work)
        ref = self.reference(prog, work, 1)
        live = self.live(prog, work)
        problems, info = self.check(ref, live, meta, work)
        notes = []
        if problems and all(p.startswith(TIMED) for p in problems):
            # Only what time decides: a loaded machine can hold a process back for tens of milliseconds,
            # which --scale stretches, and a timeout then expires before lines it would have let through.
            # Both run once more; what does not happen again is a note (the first runs are kept in
            # findings/), not a divergence.
            first = problems
            saved = self.save(seed, work, prog, meta, ref, live, problems, info)
            shutil.rmtree(os.path.join(work, 'tmp-live'), ignore_errors=True)
            ref2, live2 = self.reference(prog, work, 2), self.live(prog, work)
            again, info2 = self.check(ref2, live2, meta, work)
            if again and self.kind != 'thread' and all(p.startswith(TIMED) for p in again):
                # Twice: a third time at a larger scale, which the same stall upsets less (the
                # lines of a right program do not depend on the scale).
                shutil.rmtree(os.path.join(work, 'tmp-live'), ignore_errors=True)
                ref2, live2 = self.reference(prog, work, 3), self.live(prog, work, min(1.0, self.scale * 2.5))
                again, info2 = self.check(ref2, live2, meta, work)
            if not again:
                notes = [f'{first[0].splitlines()[0]} once, not when run again (kept in {saved})']
                problems, ref, live, info = [], ref2, live2, info2
            elif self.kind == 'thread' and all(p.startswith(TIMED) for p in again):
                # ThreadSanitizer slows aiodemo's own code, not CPython's (not instrumented): the loop
                # thread falls behind a worker's job by more than --scale makes up for. Under it the
                # check is for races, hangs, output and leftovers; the lines are the plain build's
                # and AddressSanitizer's to check.
                notes = [f'{first[0].splitlines()[0]}, twice: timing under ThreadSanitizer (kept in {saved})']
                problems, ref, live, info = [], ref2, live2, info2
        if any(p.startswith('lines') for p in problems):
            # The same program under python3 twice more: does it agree with itself?
            others = [self.reference(prog, work, n) for n in (2, 3)]
            texts = {(tuple(normal(l) for _, l in r['out']), tuple(normal(l) for _, l in r['err']))
                     for r in [ref] + others}
            if len(texts) > 1:
                problems.insert(0, 'the program is not deterministic under python3 (a generator problem)')
        result = {'seed': seed, 'prog': prog, 'problems': problems, 'lines': info.get('lines', 0),
                  'features': meta.get('features', {}), 'notes': notes}
        if problems:
            result['saved'] = self.save(seed, work, prog, meta, ref, live, problems, info)
        if self.keep:
            dest = os.path.join(self.keep, f'seed-{seed}')
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(work, dest, ignore=shutil.ignore_patterns('tmp-*'))
        shutil.rmtree(work, ignore_errors=True)
        return result

    # -- the checks
    def check(self, ref, live, meta, work):
        problems, info = [], {}
        if ref['hung']:
            return ['python3 did not finish within 60 s (a generator problem)'], info
        if live['hung']:
            problems.append(f'hang: aiodemo did not finish within {self.limit:.0f} s')
        if SANITIZER_REPORT.search(live['err']):
            m = SANITIZER_REPORT.search(live['err'])
            problems.append('a sanitizer report: ' +
                            live['err'][max(0, m.start() - 200):m.start() + 1500].decode('utf-8', 'replace'))
        elif live['err'].strip():
            problems.append('aiodemo wrote to its stderr: ' + live['err'][:800].decode('utf-8', 'replace'))
        if live['left']:
            problems.append(f'processes of the run still alive after it: {live["left"]}')
        if live['tmp']:
            problems.append(f'left in the run\'s TMPDIR: {live["tmp"]}')
        try:
            events = strict_ndjson(live['out'], 'the run\'s NDJSON')
        except ValueError as e:
            problems.append(f'invalid output: {e}')
            return problems, info
        if live['status'] != ref['status']:
            problems.append(f'exit status {live["status"]}, python3 {ref["status"]}')
        # The replay shows the same events.
        if os.path.exists(live['rec']):
            status, out, err, hung = self.replay(live['rec'], work)
            if hung or status != 0:
                problems.append(f'replay: exit status {status}{" (hung)" if hung else ""}: '
                                f'{err[:300].decode("utf-8", "replace")}')
            else:
                try:
                    again = strict_ndjson(out, 'the replay\'s NDJSON')
                    a, b = events[:-1], again[:-1]
                    if a != b:
                        i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                        problems.append(f'replay: other events from event {i + 1} on: run '
                                        f'{a[i] if i < len(a) else None}, replay {b[i] if i < len(b) else None}')
                    elif err.strip():
                        problems.append('replay wrote to stderr: ' + err[:300].decode('utf-8', 'replace'))
                except ValueError as e:
                    problems.append(f'replay: invalid output: {e}')
            problems += self.drawings(live['rec'], work)
        elif not live['hung']:
            problems.append('no record was written')
        # The lines.
        S = live['scale']
        got = {'out': [(e['t'] / S, e['text'], k) for k, e in enumerate(events) if e['kind'] == 'say'],
               'err': [(e['t'] / S, e['text'], k) for k, e in enumerate(events) if e['kind'] == 'stderr']}
        info['lines'] = len(got['out']) + len(got['err'])
        same = True
        unc = self.uncertainties(meta, ref)
        for stream, name in (('out', 'stdout'), ('err', 'stderr')):
            r = [normal(l) for _, l in ref[stream]]
            g = [normal(l) for _, l, _ in got[stream]]
            if r != g and sorted(r) == sorted(g) and self.close_swaps(ref[stream], r, g, unc[stream], S):
                continue
            if r != g:
                same = False
                diff = list(difflib.unified_diff([shown(l) for l in r], [shown(l) for l in g], f'python3 {name}',
                                                 f'aiodemo {name}', lineterm='', n=2))
                problems.append(f'lines: {name} differs\n' + '\n'.join(diff[:60]))
        if not same:
            return problems, info
        # The order of lines of the two streams, where python3 printed them well apart.
        ro = [(t, 'out', i) for i, (t, _) in enumerate(ref['out'])] + \
             [(t, 'err', i) for i, (t, _) in enumerate(ref['err'])]
        for ta, sa, ia in ro:
            for tb, sb, ib in ro:
                if sa == 'err' and sb == 'out' or sa == 'out' and sb == 'err':
                    margin = 0.05 + max(unc[sa][ia], unc[sb][ib])
                    if tb - ta > margin and got[sb][ib][2] < got[sa][ia][2]:
                        problems.append(f'order: python3 printed {ref[sa][ia][1]!r} ({sa}) {tb - ta:.3f} s '
                                        f'before {ref[sb][ib][1]!r} ({sb}); aiodemo the other way round')
                        break
            if problems:
                break
        # The moments, from the first line printed to either stream.
        if (ref['out'] or ref['err']) and (got['out'] or got['err']):
            r0 = min(t for t, _ in ref['out'][:1] + ref['err'][:1])
            g0 = min(t for t, _, _ in got['out'][:1] + got['err'][:1])
            bad = []
            for stream in ('out', 'err'):
                for i, ((rt, line), (gt, _, _)) in enumerate(zip(ref[stream], got[stream])):
                    allowed = tol(rt - r0, S, self.slack) + unc[stream][i]
                    if abs((gt - g0) - (rt - r0)) > allowed:
                        bad.append(f'moment of {line!r}: {gt - g0:.3f} s, python3 {rt - r0:.3f} s '
                                   f'(allowed {allowed:.3f} s)')
            problems += bad[:5]
        return problems, info

    def close_swaps(self, ref, r, g, unc, scale):
        """Whether aiodemo's lines @g are python3's @r (at the moments of @ref)
        in another order only where python3 printed them close together: no
        further apart than the moments' tolerance of a line (50 ms, the
        simulation's uncertainty, and the real-time slack that --scale
        stretches)."""
        where = {}
        for k, line in enumerate(g):
            where.setdefault(line, []).append(k)
        seen = {}
        pos = []
        for line in r:
            n = seen.get(line, 0)
            seen[line] = n + 1
            pos.append(where[line][n])
        for i in range(len(r)):
            for j in range(i + 1, len(r)):
                if pos[j] < pos[i]:
                    margin = 0.05 + unc[i] + unc[j] + self.slack / scale
                    if ref[j][0] - ref[i][0] > margin:
                        return False
        return True

    def drawings(self, rec, work):
        """The record shown as text (events, chart, summary, in colour), a Chrome trace and an SVG: each
        must be made, and be valid."""
        problems = []
        trace, svg = os.path.join(work, 'trace.json'), os.path.join(work, 'chart.svg')
        env = dict(self.env, COLUMNS='100')
        p, status, out, err, _, _, hung = run_proc([self.aiodemo, 'replay', rec, '--color=always', '--trace', trace,
                                                    '--svg', svg], work, env, self.limit)
        if hung or status != 0 or err.strip():
            problems.append(f'replay as text: exit status {status}{" (hung)" if hung else ""}: '
                            f'{err[:800].decode("utf-8", "replace")}')
            return problems
        try:
            out.decode('utf-8')
        except UnicodeDecodeError as e:
            problems.append(f'replay as text: not UTF-8: {e}')
        for name, path in (('record', rec), ('trace', trace)):
            try:
                with open(path, 'rb') as f:
                    schemas.check(name, json.loads(f.read().decode('utf-8'), parse_constant=_no_constant),
                                  f'the {name}')
            except (OSError, ValueError) as e:
                problems.append(f'the {name}: {e}')
        try:
            ElementTree.parse(svg)
        except (OSError, ElementTree.ParseError) as e:
            problems.append(f'the SVG: {e}')
        return problems

    @staticmethod
    def uncertainties(meta, ref):
        """Each reference line's uncertainty from the simulation: by position when the simulation printed
        the same lines, else the largest it saw."""
        sim = {'out': [l for l in meta.get('lines', []) if l['stream'] == 'stdout'],
               'err': [l for l in meta.get('lines', []) if l['stream'] == 'stderr']}
        most = max([l['unc'] for l in meta.get('lines', [])] + [0.0])
        out = {}
        for s in ('out', 'err'):
            if [l['text'] for l in sim[s]] == [l for _, l in ref[s]]:
                out[s] = [l['unc'] for l in sim[s]]
            else:
                out[s] = [most] * len(ref[s])
        return out

    def save(self, seed, work, prog, meta, ref, live, problems, info):
        dest = os.path.join(FINDINGS, seed if isinstance(seed, str) else f'seed-{seed}')
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        shutil.copy(prog, os.path.join(dest, 'prog.py'))
        with open(os.path.join(dest, 'meta.json'), 'w', encoding='utf-8') as f:
            json.dump(meta, f, indent=1)
        for name, data in (('python3.stdout', '\n'.join(f'{t:8.3f} {l}' for t, l in ref['out'])),
                           ('python3.stderr', '\n'.join(f'{t:8.3f} {l}' for t, l in ref['err']))):
            with open(os.path.join(dest, name), 'w', encoding='utf-8') as f:
                f.write(data + '\n')
        with open(os.path.join(dest, 'aiodemo.ndjson'), 'wb') as f:
            f.write(live['out'])
        with open(os.path.join(dest, 'aiodemo.stderr'), 'wb') as f:
            f.write(live['err'])
        if os.path.exists(live['rec']):
            shutil.copy(live['rec'], os.path.join(dest, 'record.json'))
        with open(os.path.join(dest, 'problems.txt'), 'w', encoding='utf-8') as f:
            f.write(f'seed {seed}; aiodemo run prog.py --format json --scale {self.scale}\n\n')
            f.write('\n\n'.join(problems) + '\n')
        return dest


def parse_seeds(spec):
    if spec is None:
        return None, None
    if '..' in spec:
        a, b = spec.split('..', 1)
        return int(a), (int(b) if b else None)
    return int(spec), int(spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('aiodemo')
    ap.add_argument('--seeds', help='A..B (both included), or A.. with --time')
    ap.add_argument('--time', type=float, help='run seeds until this many seconds have passed')
    ap.add_argument('--scale', type=float, help='aiodemo --scale (default 0.2; 0.5 under ASan; 2 under TSan)')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--keep', help='keep every program and its runs in this directory')
    ap.add_argument('--tap', action='store_true', help='TAP output')
    ap.add_argument('--programs', nargs='+', help='run these program files instead of seeds')
    a = ap.parse_args()
    fz = Fuzz(a)
    first, last = parse_seeds(a.seeds)
    if a.programs:
        cases = [(os.path.basename(p), p) for p in a.programs]
    elif a.time is None:
        if first is None or last is None:
            ap.error('give --seeds A..B, or --time')
        cases = [(s, None) for s in range(first, last + 1)]
    else:
        if first is None:
            first = int(time.time()) % 1000000 * 1000
        cases = None
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    say = print
    if cases is not None and a.tap:
        say(f'1..{len(cases)}')
    started = time.monotonic()
    header = (f'# aiodemo {fz.aiodemo} ({fz.kind or "plain"} build), --scale {fz.scale}, {a.jobs} at a time'
              + (f', seeds from {first} for {a.time:.0f} s' if cases is None else ''))
    say(header, flush=True)
    n = diverged = noted = 0
    lock = threading.Lock()

    def report(res):
        nonlocal n, diverged, noted
        with lock:
            n += 1
            name = res['seed'] if isinstance(res['seed'], str) else f'seed {res["seed"]}'
            if res['problems']:
                diverged += 1
                first_line = res['problems'][0].split('\n')[0]
                if a.tap:
                    say(f'not ok {n} - {name}: {first_line}')
                else:
                    say(f'DIVERGENCE {name}: {first_line}')
                say(f'# program: {res.get("saved", res["prog"])}/prog.py'
                    if res.get('saved') else f'# program: {res["prog"]}')
                for p in res['problems']:
                    for line in p.split('\n'):
                        say(f'#   {line}')
            elif a.tap:
                say(f'ok {n} - {name} ({res["lines"]} lines)')
            for note in res.get('notes', []):
                noted += 1
                say(f'# note: {name}: {note}')
            sys.stdout.flush()

    def one(seed, path):
        try:
            return fz.case(seed, path)
        except Exception as e:  # noqa: BLE001 - the case's failure
            return {'seed': seed, 'prog': path or '?', 'problems': [f'the runner failed: {type(e).__name__}: {e}'],
                    'lines': 0}

    try:
        with ThreadPoolExecutor(max_workers=a.jobs) as ex:
            if cases is not None:
                for f in as_completed([ex.submit(one, s, p) for s, p in cases]):
                    report(f.result())
            else:
                nxt = first
                running = set()
                while True:
                    while len(running) < a.jobs and time.monotonic() - started < a.time:
                        running.add(ex.submit(one, nxt, None))
                        nxt += 1
                    if not running:
                        break
                    done = next(as_completed(running))
                    running.discard(done)
                    report(done.result())
                if a.tap:
                    say(f'1..{n}')
    finally:
        shutil.rmtree(fz.base, ignore_errors=True)
    took = time.monotonic() - started
    seeds = f' (seeds {first}..{first + n - 1})' if cases is None else ''
    reran = f', {noted} noted (what time decides: right when run again, or under ThreadSanitizer)' if noted else ''
    say(f'{"# " if a.tap else ""}{n} programs, {diverged} divergences{seeds}{reran} in {took:.0f} s')
    return 1 if diverged else 0


if __name__ == '__main__':
    sys.exit(main())
