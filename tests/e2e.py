#!/usr/bin/env python3
"""End-to-end tests: run the real aiodemo binary and check what a user sees.

usage: e2e.py AIODEMO [CASE...]

Each case runs built-in Python programs (`aiodemo list`) or the small
programs of tests/programs/cli/ through the command line, mostly at a small
--scale, and checks what comes out: the JSON stream and its summary, the
order of the printed lines and their moments (within tol(); moments count
from the program's start, as aiodemo reports them), the text views, the
files written, the exit status, and what signals and closed pipes do.
Output is TAP.

The cases in KNOWN_BUGS check behaviour aiodemo should have and does not
have yet. They are reported as TAP TODO: their failure does not fail the
suite. Once one passes (meson then reports an unexpected pass, a failure),
its bug is fixed: take it out of KNOWN_BUGS.

Every child gets a TMPDIR of its own; after each case it must be empty (a
run leaves no temporary file behind, even when interrupted).

A case that fails only on a moment or a duration (a Timing failure: a
loaded machine can hold a process back for tens of milliseconds, which
--scale stretches) runs once more; right then, it passes, with a TAP
comment that tells the first failure. Any other failure fails at once.
"""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemas  # noqa: E402
import strict_json  # noqa: E402

strict_json.install()

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCENARIOS = os.path.join(ROOT, 'scenarios')
PROGRAMS = os.path.join(HERE, 'programs', 'cli')
CPUS = os.cpu_count() or 1
PYTHON = '/usr/bin/python3.11' if os.path.exists('/usr/bin/python3.11') else shutil.which('python3')

# meson passes the build's b_sanitize; the sanitizers slow every step of
# CPython down, so the programs run longer there for the same tolerance.
SANITIZE = os.environ.get('AIODEMO_SANITIZE', 'none')
SANITIZED = SANITIZE not in ('', 'none')
THREAD_SANITIZER = 'thread' in SANITIZE
SCALE = 0.25 if THREAD_SANITIZER else 0.15 if SANITIZED else 0.1
# Under ThreadSanitizer, starting a thread takes some 100 ms, more than any
# tolerance of a moment allows (tests/python_e2e.py does not run there):
# moments are not checked, the rest is.
TIMING = not THREAD_SANITIZER
# check verifies the programs' own expectations, whose tolerance (10% and
# 20 ms) must absorb the end of the interpreter: a larger scale.
CHECK_SCALE = '2' if THREAD_SANITIZER else '0.2'

# Cases that check what aiodemo does not do yet (reported as TODO).
KNOWN_BUGS = set()

TMP = tempfile.mkdtemp(prefix='aiodemo-e2e-')
CHILD_TMP = os.path.join(TMP, 'tmpdir')   # the children's TMPDIR
SCRATCH = os.path.join(TMP, 'cwd')        # their working directory
WORK = os.path.join(TMP, 'work')          # files the tests write
for _d in (CHILD_TMP, SCRATCH, WORK):
    os.mkdir(_d)


class Failure(Exception):
    pass


class Timing(Failure):
    """A moment or a duration off its tolerance: what a loaded machine (a
    process held back for tens of milliseconds, which --scale stretches)
    can do to a right run. A case that fails so runs once more, and passes
    if it is right then (main())."""


class Skip(Exception):
    pass


def tol(seconds):
    """The allowed deviation, in real seconds, for a moment expected at
    @seconds of program time: 20% of it, and 25 ms for what the program's
    steps cost on a busy machine (moments count from the program's start,
    so CPython's own start is not among them)."""
    return 0.2 * seconds * SCALE + 0.025


def prog(name):
    """The path of a test program of tests/programs/cli/."""
    return os.path.join(PROGRAMS, name)


def child_env(**changes):
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8', COLUMNS='100', TMPDIR=CHILD_TMP)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run(aiodemo, *args, check_status=0, env=None, cwd=SCRATCH, timeout=60, stdout=subprocess.PIPE):
    p = subprocess.run([aiodemo, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=timeout,
                       env=env or child_env(), cwd=cwd)
    if check_status is not None and p.returncode != check_status:
        raise Failure(f'aiodemo {" ".join(args)}: exit {p.returncode}, wanted {check_status}\n'
                      f'stderr: {p.stderr[-2000:]}')
    return p


SUMMARY_KEYS = ('status', 'total', 'scale', 'max_lag', 'heartbeat', 'tasks', 'jobs', 'max_queue_wait',
                'lag_p50', 'lag_p99', 'utilization', 'blocked', 'slow_passes', 'expectations')
LANE_KINDS = {'task', 'thread', 'process', 'loop', 'server'}


def parse_json_stream(text, scale=SCALE, before=(), header=False):
    """The events and the summary of a --format json output (the header
    first too, with @header); checks its shape and that each line is valid
    against schemas/stream.schema.json. @before are the lines of the same
    stream already read (the header among them), which are not returned."""
    objs = list(before)
    for n, line in enumerate(text.splitlines(), len(objs) + 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            raise Failure(f'line {n} is not JSON: {line!r}: {e}')
    if not objs or objs[-1].get('kind') != 'summary':
        raise Failure(f'the last JSON line is not the summary: {text[-300:]!r}')
    try:
        head, events, summary = schemas.check_stream(objs)
    except schemas.Invalid as e:
        raise Failure(str(e))
    events = events[max(len(before) - 1, 0):]
    if scale is not None and head['scale'] != scale:
        raise Failure(f'the header says scale {head["scale"]}, the run had {scale}')
    for key in SUMMARY_KEYS:
        if key not in summary:
            raise Failure(f'the summary has no {key!r}: {summary}')
    if scale is not None and summary['scale'] != scale:
        raise Failure(f'the summary says scale {summary["scale"]}, the run had {scale}')
    for e in events:
        for key in ('t', 'lane', 'lane_kind', 'kind', 'text'):
            if key not in e:
                raise Failure(f'event without {key!r}: {e}')
        if e['lane_kind'] not in LANE_KINDS:
            raise Failure(f'event on a lane of kind {e["lane_kind"]!r}: {e}')
        if not 0 <= e['t'] <= summary['total'] + 1e-6:
            raise Failure(f'event outside the run (0 to {summary["total"]} s): {e}')
    if any(e['kind'] == 'summary' for e in events):
        raise Failure('two summaries')
    return (head, events, summary) if header else (events, summary)


def run_json(aiodemo, target, *extra, check_status=0, scale=SCALE, command='run', **kw):
    p = run(aiodemo, command, target, '--scale', str(scale), '--format', 'json', *extra,
            check_status=check_status, **kw)
    return parse_json_stream(p.stdout, scale)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def how_to_run(name, keys):
    """The command and its options that run built-in program @name, whose
    header is @keys: a server (a clients line) is served with its clients
    on a free port, which then end it; any other program is run."""
    if 'clients' not in keys:
        return 'run', ()
    return 'serve', ('--clients', keys['clients'][0].split()[0], '--port', str(free_port()))


def says(events):
    return [e for e in events if e['kind'] == 'say']


def say_times(events):
    """The moment of each printed line (its first occurrence)."""
    out = {}
    for e in says(events):
        out.setdefault(e['text'], e['t'])
    return out


def expect_eq(what, got, want):
    if got != want:
        raise Failure(f'{what}: got {got!r}, wanted {want!r}')


def expect_in(what, piece, text):
    if piece not in text:
        raise Failure(f'{what}: {piece!r} is missing from:\n{text[-3000:]}')


def expect_at(what, t, seconds):
    if not TIMING:
        return
    want = seconds * SCALE
    if abs(t - want) > tol(seconds):
        raise Timing(f'{what}: at {t:.4f} s, wanted {want:.4f} s ± {tol(seconds):.4f}')


# What the end of the interpreter costs after the program's last step
# (Py_FinalizeEx, joining the pools' threads and processes).
FINISH = 0.15 if SANITIZED else 0.06


def expect_total(what, events, summary, seconds):
    """The program's last step at @seconds of program time, and the run's
    total (measured to the end of the interpreter) a little after it."""
    last = max(e['t'] for e in events if e['kind'] != 'end')
    expect_at(f'{what}: the last step', last, seconds)
    if not 0 <= summary['total'] - last <= (FINISH if TIMING else 1):
        raise Timing(f'{what}: the run ends at {summary["total"]:.4f} s, {summary["total"] - last:.4f} s after '
                      f'the last step of the program')


def expect_run_total(what, total, seconds):
    """A run's total figure: the program's last step at @seconds of program
    time, and the end of the interpreter after it."""
    if TIMING and not -tol(seconds) <= total - seconds * SCALE <= tol(seconds) + FINISH:
        raise Timing(f'{what}: {total:.4f} s, wanted {seconds * SCALE:.4f} s (+ up to {FINISH} s to end)')


def expect_free_loop(summary, forks=0):
    """The loop was not blocked: at most a few milliseconds, which starting a
    thread costs on a busy machine (the slow threshold is 0.1 s of program
    time: 10 ms at --scale 0.1), and 15 ms of CPU for each of @forks worker
    processes the pool forks from the loop's thread (the 'expect blocked'
    of executor-kinds)."""
    blocked = sum(w['end'] - w['start'] for w in summary['blocked'])
    if blocked > 0.2 * SCALE + 0.01 + 0.015 * forks:
        raise Timing(f'the loop was blocked {blocked:.4f} s: {summary["blocked"]}')


def expect_order(events, texts):
    expect_eq('printed lines, in order', [e['text'] for e in says(events)], texts)


def jobs_of(events, kind='job-start'):
    return {e['job']: e for e in events if e['kind'] == kind}


def program_text(aiodemo, name):
    return run(aiodemo, 'show', name).stdout


def line_of(text, piece):
    """The number of the one line of @text that contains @piece."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if piece in line]
    if len(hits) != 1:
        raise Failure(f'{piece!r} is on lines {hits} of the program, wanted one')
    return hits[0]


def write_program(name, text):
    path = os.path.join(WORK, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


class Started:
    """A child aiodemo in a process group of its own (so that a Ctrl-C can go
    to the whole group, as a terminal sends it), killed if it outlives the
    case or @limit seconds. Ctrl-C reaches it (@sigint, SIGINT's action at
    its start, is the default's) even if these tests run with SIGINT
    ignored, as in a shell's background job."""

    def __init__(self, aiodemo, *args, limit=60, env=None, sigint=signal.SIG_DFL):
        self.p = subprocess.Popen([aiodemo, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env or child_env(), cwd=SCRATCH, start_new_session=True,
                                  preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
        self.timer = threading.Timer(limit, self.kill)
        self.timer.start()
        self.seen = []   # the JSON lines read_until() read, the header first

    def kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def read_until(self, pred, what):
        """JSON events up to the first one for which @pred is true."""
        seen = []
        for line in self.p.stdout:
            seen.append(json.loads(line))
            try:
                schemas.check('stream', seen[-1], f'line {len(self.seen) + 1}')
            except schemas.Invalid as e:
                raise Failure(str(e))
            if (seen[-1]['kind'] == 'header') != (not self.seen):
                raise Failure(f'line {len(self.seen) + 1}: the header is the first line, and only it: {line!r}')
            self.seen.append(seen[-1])
            if pred(seen[-1]):
                return seen
        raise Failure(f'no {what} before the output ended: {self.p.stderr.read()[-1000:]}')

    def ctrl_c(self):
        try:
            os.killpg(self.p.pid, signal.SIGINT)
        except ProcessLookupError:
            raise Failure(f'aiodemo ended before Ctrl-C: {self.p.stderr.read()[-1000:]}')

    def finish(self, timeout=20):
        out, err = self.p.communicate(timeout=timeout)
        return self.p.returncode, out, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        if self.p.poll() is None:
            self.kill()
            self.p.communicate()
        return False


def gone(pid, within=3.0):
    """Whether process @pid has ended (a zombie waiting for its reaper counts)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with open(f'/proc/{pid}/stat') as f:
                if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def worker_pids(events):
    """The pids of the worker processes the timeline reports."""
    pids = []
    for e in events:
        m = re.match(r'worker process started \(pid (\d+)\)', e['text']) if e['kind'] == 'worker' else None
        if m:
            pids.append(int(m.group(1)))
    return pids


def doc_count_primes(start, end):
    """What the documents' count_primes(start, end) returns: the primes in
    [start, end), and 1 too (its all() over an empty range is True)."""
    sieve = bytearray([1]) * max(end, 2)
    sieve[0:2] = b'\0\0'
    for i in range(2, int(end ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, end, i)))
    return sum(sieve[start:end]) + (1 if start <= 1 < end else 0)


def primes_lines(upto=200000):
    c1, c2 = doc_count_primes(1, 100000), doc_count_primes(100000, upto)
    return [f'1-100000的质数: {c1}, 100000-200000的质数: {c2}', f'总质数: {c1 + c2}']


# --- built-in programs, as JSON ---------------------------------------------

def case_offload_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'offload-sleep')
    expect_order(events, ['✅ 阻塞任务开始（调用time.sleep）', '🔄 正常协程开始（用asyncio.sleep）',
                          '🔄 正常协程结束', '✅ 阻塞任务结束'])
    t = say_times(events)
    expect_at('the normal task ends', t['🔄 正常协程结束'], 1)
    expect_at('the blocked task ends', t['✅ 阻塞任务结束'], 2)
    expect_total('total', events, summary, 2)
    expect_free_loop(summary)
    expect_eq('status', summary['status'], 'ok')
    expect_eq('tasks', summary['tasks'], 3)
    starts, dones = jobs_of(events), jobs_of(events, 'job-done')
    expect_eq('jobs', sorted(starts), [1])
    expect_eq('job lane', (starts[1]['lane'], starts[1]['lane_kind']), ('asyncio/1', 'thread'))
    expect_at('the job runs', dones[1]['dur'], 2)
    offload = [e for e in events if e['kind'] == 'offload']
    expect_eq('offloaded from', [e['lane'] for e in offload], ['Task-2 blocked_task()'])
    if TIMING and summary['max_lag'] > 0.5 * SCALE:
        raise Timing(f'the loop lagged {summary["max_lag"]} s though nothing blocked it')


def case_blocking_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'blocking-sleep')
    expect_order(events, ['❌ 错误：直接调用阻塞函数', '❌ 错误任务结束', '✅ 正常协程开始', '✅ 正常协程结束'])
    t = say_times(events)
    expect_at('the bad task ends', t['❌ 错误任务结束'], 2)
    expect_at('the good task starts (after the block)', t['✅ 正常协程开始'], 2)
    expect_at('the good task ends', t['✅ 正常协程结束'], 3)
    expect_total('total', events, summary, 3)
    # One window of 2 s, time.sleep(2)'s; on a busy machine a step the
    # scheduler holds back past the slow threshold (10 ms at --scale 0.1)
    # is a window too, as short as expect_free_loop allows.
    line = line_of(program_text(aiodemo, 'blocking-sleep'), 'time.sleep(2)  # 阻塞')
    sleeps = [w for w in summary['blocked'] if w['line'] == line]
    expect_eq('windows at time.sleep(2)', len(sleeps), 1)
    expect_free_loop({'blocked': [w for w in summary['blocked'] if w['line'] != line]})
    w = sleeps[0]
    expect_at('the blocked window starts', w['start'], 0)
    expect_at('the blocked window lasts', w['end'] - w['start'], 2)
    expect_eq('blocked by', (w['lane'], w['line']), ('Task-2 bad_task()', line))
    if not w['what'].startswith('time.sleep(2)'):
        raise Failure(f'the window names {w["what"]!r}, not the line of time.sleep(2)')
    blocks = [e for e in events if e['kind'] in ('block', 'unblock') and e['line'] == line]
    expect_eq('block and unblock events', [(e['kind'], e['lane'], e['line']) for e in blocks],
              [('block', 'Task-2 bad_task()', line), ('unblock', 'Task-2 bad_task()', line)])
    if summary['max_lag'] < 1.5 * SCALE:
        raise Timing(f'max lag {summary["max_lag"]} s, but the loop was blocked for 2 s of program time')


def case_executor_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'executor-sleep')
    expect_order(events, ['✅ 阻塞任务开始', '✅ 阻塞任务结束'])
    expect_at('ends', say_times(events)['✅ 阻塞任务结束'], 2)
    expect_eq('tasks (the coroutine runs inside main)', summary['tasks'], 1)
    expect_free_loop(summary)
    starts = jobs_of(events)
    expect_eq('the default pool runs the job', [(e['lane'], e['lane_kind']) for e in starts.values()],
              [('asyncio/1', 'thread')])


def bounded(aiodemo, workers):
    extra = ['--param', f'workers={workers}'] if workers else []
    events, summary = run_json(aiodemo, 'bounded-pool', *extra)
    t = say_times(events)
    for url in ('url1', 'url2', 'url3', 'url4'):
        expect_at(f'start {url}', t[f'📥 开始下载: {url}'], 0)
    return events, summary, t


def case_bounded_pool(aiodemo):
    events, summary, t = bounded(aiodemo, None)
    for url in ('url1', 'url2', 'url3'):
        expect_at(f'finish {url}', t[f'✅ 完成下载: {url}'], 1)
    expect_at('finish url4 (queued behind three)', t['✅ 完成下载: url4'], 2)
    starts = jobs_of(events)
    expect_eq('jobs', sorted(starts), [1, 2, 3, 4])
    expect_at('job 4 starts when a thread is free', starts[4]['t'], 1)
    expect_at('job 4 waited in the queue', starts[4]['dur'], 1)
    lanes = sorted({e['lane'] for e in starts.values()})
    expect_eq('worker lanes', lanes, ['ThreadPoolExecutor-0/1', 'ThreadPoolExecutor-0/2', 'ThreadPoolExecutor-0/3'])
    expect_total('total', events, summary, 2)
    expect_eq('jobs in the summary', summary['jobs'], 4)
    expect_at('the longest queue wait', summary['max_queue_wait'], 1)


def case_bounded_pool_param(aiodemo):
    events, summary, t = bounded(aiodemo, 4)
    for url in ('url1', 'url2', 'url3', 'url4'):
        expect_at(f'finish {url} with 4 workers', t[f'✅ 完成下载: {url}'], 1)
    expect_total('total with 4 workers', events, summary, 1)
    expect_eq('worker lanes with 4 workers', len({e['lane'] for e in jobs_of(events).values()}), 4)
    events, summary, t = bounded(aiodemo, 1)
    ends = sorted(t[f'✅ 完成下载: {u}'] for u in ('url1', 'url2', 'url3', 'url4'))
    for i, end in enumerate(ends, 1):
        expect_at(f'download {i} of 4 with 1 worker', end, i)
    expect_eq('worker lanes with 1 worker', {e['lane'] for e in jobs_of(events).values()},
              {'ThreadPoolExecutor-0/1'})


def case_to_thread_basic(aiodemo):
    events, summary = run_json(aiodemo, 'to-thread-basic')
    texts = [e['text'] for e in says(events)]
    if len(texts) != 2 or not re.fullmatch(r'事件循环开始: \d\d:\d\d:\d\d', texts[0]) or \
            not re.fullmatch(r'事件循环结束: \d\d:\d\d:\d\d', texts[1]):
        raise Failure(f'printed lines: {texts}')
    expect_at('the second line', says(events)[1]['t'], 1)
    expect_total('total', events, summary, 1)
    expect_free_loop(summary)
    expect_eq('jobs', [e['lane'] for e in jobs_of(events).values()], ['asyncio/1'])


def case_partial_jobs(aiodemo):
    """A job wrapped in functools.partial (as aiofiles hands f.write to the
    pool) is named after the function it calls, with all its arguments."""
    events, summary = run_json(aiodemo, prog('partial_jobs.py'))
    expect_eq('printed results', [e['text'] for e in says(events)], ['None', 'nested', 'to_thread'])
    expect_eq('offloaded calls', [e['text'] for e in events if e['kind'] == 'offload'],
              ['job 1: time.sleep(0.1) to asyncio', "job 2: wait(0.1, why='nested') to asyncio",
               "job 3: wait(0.1, why='to_thread') to asyncio"])
    expect_free_loop(summary)


def case_process_primes(aiodemo):
    events, summary = run_json(aiodemo, 'process-primes')
    expect_order(events, primes_lines())
    starts, dones = jobs_of(events), jobs_of(events, 'job-done')
    expect_eq('jobs', sorted(starts), [1, 2])
    expect_eq('job lane kinds', {e['lane_kind'] for e in starts.values()}, {'process'})
    pids = worker_pids(events)
    if len(pids) != len(set(pids)) or os.getpid() in pids:
        raise Failure(f'worker pids {pids}')
    # ProcessPoolExecutor() has a worker per CPU.
    if CPUS >= 2:
        if len(pids) < 2 or starts[1]['lane'] == starts[2]['lane']:
            raise Failure(f'both jobs ran in the same worker process: {pids}')
        if not (starts[2]['t'] < dones[1]['t'] and starts[1]['t'] < dones[2]['t']):
            raise Failure('the two jobs did not overlap in time')
    # The loop is free while the workers count (starting them is a few
    # milliseconds of work on the loop, which a small scale can show).
    expect_free_loop(summary, forks=len(pids))
    offloads = [e['text'] for e in events if e['kind'] == 'offload']
    expect_eq('offloaded calls', offloads, ['job 1: count_primes(1, 100000) to ProcessPoolExecutor-0',
                                            'job 2: count_primes(100000, 200000) to ProcessPoolExecutor-0'])


def case_serial_primes(aiodemo):
    events, summary = run_json(aiodemo, 'serial-primes')
    expect_order(events, primes_lines())
    # Both counts run in one step of main, with no await between them: one
    # window, from the start of the step to the printing of the counts.
    expect_eq('blocked windows', len(summary['blocked']), 1)
    w = summary['blocked'][0]
    expect_eq('blocked by', w['lane'], 'Task-1 main()')
    expect_at('the window starts', w['start'], 0)
    first = says(events)[0]['t']
    if not w['start'] < first <= w['end'] + 0.005:
        raise Failure(f'the counts were printed at {first} s, outside the window {w}')
    text = program_text(aiodemo, 'serial-primes')
    lo, hi = line_of(text, 'def count_primes'), line_of(text, 'return count')
    if not lo < w['line'] <= hi:
        raise Failure(f'the window names line {w["line"]}, not a line of count_primes ({lo}-{hi})')
    if summary['max_lag'] < 0.8 * (w['end'] - w['start']):
        raise Timing(f'max lag {summary["max_lag"]} s for a block of {w["end"] - w["start"]} s')


def case_param_work(aiodemo):
    events, _ = run_json(aiodemo, 'process-primes', '--param', 'upto=150000')
    expect_order(events, primes_lines(150000))
    events, summary = run_json(aiodemo, 'serial-primes', '--param', 'upto=150000')
    expect_order(events, primes_lines(150000))


def case_job_names_at_scale(aiodemo):
    # At --scale 1 the job reads as the program wrote it; so it must at any scale.
    for name in ('offload-sleep', 'executor-sleep'):
        events, _ = run_json(aiodemo, name)
        expect_eq(f'{name}: the offloaded call', [e['text'] for e in events if e['kind'] == 'offload'],
                  ['job 1: time.sleep(2) to asyncio'])


# --- listing, showing, programs of one's own -------------------------------------

def case_list_and_show(aiodemo):
    out = run(aiodemo, 'list').stdout
    # A title too long for the width goes on under its column.
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(' ')]
    if len(names) != len(set(names)):
        raise Failure(f'names listed twice: {names}')
    for f in sorted(os.listdir(SCENARIOS)):
        if f.endswith('.py') and f[:-3] not in names:
            raise Failure(f'{f[:-3]} missing from aiodemo list')
    for line in out.splitlines():
        if len(line.split(None, 1)) < 2 and not line.startswith(' '):
            raise Failure(f'no title: {line!r}')
        if len(line) > 100 or (line.startswith(' ') and not line.startswith(' ' * 25)):
            raise Failure(f'not in 100 columns, titles under their column: {line!r}')
    with open(os.path.join(SCENARIOS, 'bounded-pool.py')) as f:
        source = f.read()
    expect_eq('show bounded-pool (the program as it is)', run(aiodemo, 'show', 'bounded-pool').stdout, source)
    # --param changes the code, not the header.
    shown = run(aiodemo, 'show', 'bounded-pool', '--param', 'workers=7').stdout
    head, body = source.split('# aiodemo: end\n', 1)
    expect_eq('show bounded-pool --param workers=7',
              shown, head + '# aiodemo: end\n' + body.replace('max_workers=3', 'max_workers=7'))
    with open(prog('fetches.py')) as f:
        expect_eq('show of a file', run(aiodemo, 'show', prog('fetches.py')).stdout, f.read())


def case_program_file(aiodemo):
    path = prog('fetches.py')
    events, summary = run_json(aiodemo, path)
    expect_order(events, ['start 1', 'start 2', 'done 1', 'done 2', "results ['r1', 'r2']"])
    t = say_times(events)
    expect_at('done 1', t['done 1'], 1)
    expect_at('done 2', t['done 2'], 2)
    expect_total('total', events, summary, 2)
    expect_eq('status', summary['status'], 'ok')
    # Each expectation of the header is checked, named by its line.
    with open(path) as f:
        header = [n for n, line in enumerate(f.read().splitlines(), 1) if line.startswith('# aiodemo: expect ')]
    exps = summary['expectations']
    expect_eq('expectations checked', [x['text'].split(':')[0] for x in exps[:-1]], [f'line {n}' for n in header])
    # (Their own tolerance is 10% and 20 ms, for the moments of a larger scale.)
    text = run(aiodemo, 'run', path, '--scale', CHECK_SCALE).stdout
    for piece in ('fetches: create_task runs two fetches at once: 2 s, not 3 s', "from aiodemo's tests",
                  f'expectations   {len(header) + 1} of {len(header) + 1} met'):
        expect_in('the text of a program file', piece, text)
    # (Its two lines are one paragraph, wrapped to the width.)
    expect_in('what to notice', 'what to notice Both fetches start at 0 s; the first ends at 1 s, the second '
              'at 2 s. Try --param second=3: the run takes 3 s.', ' '.join(text.split()))
    # A parameter: the program changes, its expectations do not (and a run
    # that misses some is still a run that worked).
    events, summary = run_json(aiodemo, path, '--param', 'second=3')
    expect_order(events, ['start 1', 'start 3', 'done 1', 'done 3', "results ['r1', 'r3']"])
    expect_at('done 3', say_times(events)['done 3'], 3)
    expect_total('total with second=3', events, summary, 3)
    missed = [x['text'] for x in summary['expectations'] if not x['ok']]
    if not any('"done 2" is never said' in m for m in missed) or not any('the run ends at' in m for m in missed):
        raise Failure(f'unmet expectations with second=3: {missed}')


def python_lines(*args, cwd):
    p = subprocess.run([PYTHON, *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    return p.stdout.splitlines(), p.stderr, p.returncode


def case_program_args(aiodemo):
    # As python3 argv.py one two runs it, from the program's directory.
    want, _, _ = python_lines('argv.py', 'one', 'two', cwd=PROGRAMS)
    events, _ = run_json(aiodemo, 'argv.py', 'one', 'two', cwd=PROGRAMS)
    got = [e['text'] for e in says(events)]
    for key in ('argv ', 'argv0 ', 'path0 ', 'cwd '):
        expect_eq(f'the program\'s {key.strip()}', [l for l in got if l.startswith(key)],
                  [l for l in want if l.startswith(key)])
    # After --, what looks like an option is the program's.
    events, _ = run_json(aiodemo, prog('argv.py'), 'one', '--', '--flag', 'x')
    expect_eq('arguments after --', says(events)[0]['text'], "argv ['one', '--flag', 'x']")


def case_main_file(aiodemo):
    # python3 makes a script's path absolute (__file__, tracebacks).
    want, _, _ = python_lines('argv.py', cwd=PROGRAMS)
    events, _ = run_json(aiodemo, 'argv.py', cwd=PROGRAMS)
    expect_eq('__file__', [e['text'] for e in says(events) if e['text'].startswith('file ')],
              [l for l in want if l.startswith('file ')])
    _, err, _ = python_lines('raises.py', cwd=PROGRAMS)
    want = [l for l in err.splitlines() if l.strip().startswith('File ') and 'raises.py' in l]
    events, _ = run_json(aiodemo, 'raises.py', cwd=PROGRAMS, check_status=1)
    got = [e['text'] for e in events if e['kind'] == 'stderr' and 'raises.py' in e['text']]
    expect_eq('the program\'s lines in the traceback', got, want)


# --- the text output -------------------------------------------------------------

def case_text_output(aiodemo):
    out = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE)).stdout
    line = line_of(program_text(aiodemo, 'blocking-sleep'), 'time.sleep(2)  # 阻塞')
    for piece in ('blocking-sleep: time.sleep(2) in a coroutine freezes the loop', 'from 01-offload-blocking-code.md',
                  f'scale {SCALE:g}', 'time (s)  lane                        event', 'Task-2 bad_task()',
                  '❌ 错误任务结束', f'■ the loop is blocked at line {line}: time.sleep(2)', '\nsummary\n',
                  '  status         ok', 'loop blocked   1 time', 'per task',
                  'what to notice\ngather starts bad_task first.'):
        expect_in('the text output', piece, out)
    if not re.search(r'\n  expectations   \d of 7 met', out):
        raise Failure(f'no expectations in the summary:\n{out}')
    if '\033[' in out:
        raise Failure('colour codes in output that is not a terminal')


def case_diagnostics(aiodemo):
    out = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE)).stdout
    line = line_of(program_text(aiodemo, 'blocking-sleep'), 'time.sleep(2)  # 阻塞')
    diag = out.split('\ndiagnostics\n', 1)
    if len(diag) != 2:
        raise Failure(f'no diagnostics:\n{out}')
    expect_in('the diagnostics', f'line {line}: `time.sleep(2)  # 阻塞事件循环！` in Task-2 bad_task() blocked the loop for',
              diag[1])
    expect_in('the diagnostics', 'asyncio.to_thread', diag[1])
    out = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE)).stdout
    if '\ndiagnostics\n' in out:
        raise Failure(f'diagnostics for a program that never blocks:\n{out}')


def pty_run(aiodemo, args, env):
    """Runs aiodemo with its stdout on a pseudo-terminal; returns (status, output)."""
    master, slave = os.openpty()
    p = subprocess.Popen([aiodemo, *args], stdout=slave, stderr=subprocess.DEVNULL, env=env, cwd=SCRATCH)
    os.close(slave)
    data = b''
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return p.wait(timeout=60), data.decode('utf-8', 'replace')


def case_color(aiodemo):
    args = ['run', 'blocking-sleep', '--scale', str(SCALE)]
    tty = child_env(NO_COLOR=None, TERM='xterm')
    for what, extra, env, colour in (('a terminal', [], tty, True),
                                     ('a terminal with NO_COLOR', [], dict(tty, NO_COLOR='1'), False),
                                     ('a terminal with NO_COLOR empty', [], dict(tty, NO_COLOR=''), True),
                                     ('a terminal with --color=never', ['--color=never'], tty, False)):
        status, out = pty_run(aiodemo, args + extra, env)
        expect_eq(f'exit status on {what}', status, 0)
        expect_in(f'the output on {what}', 'summary', out)
        if ('\033[' in out) != colour:
            raise Failure(f'on {what}: colour {"missing" if colour else "where there should be none"}')
    for env in (child_env(), child_env(NO_COLOR=None)):
        out = run(aiodemo, *args, '--color=always', env=env).stdout
        if '\033[' not in out:
            raise Failure('--color=always gave no colour')
    out = run(aiodemo, *args, '--color=always', '--format', 'json').stdout
    if '\033[' in out:
        raise Failure('colour codes in JSON')


def case_views(aiodemo):
    args = ['run', 'blocking-sleep', '--scale', str(SCALE)]
    legend = 'running on the loop'
    out = run(aiodemo, *args, '--view', 'events').stdout
    expect_in('--view events', 'time (s)  lane', out)
    expect_in('--view events', '❌ 错误任务结束', out)
    expect_in('--view events', 'summary', out)
    if legend in out or '▓' in out.split('summary')[0]:
        raise Failure(f'--view events drew the chart:\n{out}')
    out = run(aiodemo, *args, '--view', 'gantt').stdout
    expect_in('--view gantt', legend, out)
    expect_in('--view gantt', 'summary', out)
    if 'time (s)' in out or '❌ 错误任务结束' in out:
        raise Failure(f'--view gantt printed the events:\n{out}')
    for extra in (['--view', 'both'], []):
        out = run(aiodemo, *args, *extra).stdout
        if not out.index('time (s)') < out.index(legend) < out.index('\nsummary\n'):
            raise Failure(f'{extra or "the default view"}: not events, chart, summary:\n{out}')


# --- the chart -------------------------------------------------------------------

def gantt_rows(text):
    """The rows of the (first) chart in @text: lane -> cells. The label
    column is as wide as the axis's indent, less the two spaces after it."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r' {10,}0(\.0+)?s', l))
    label = len(lines[start]) - len(lines[start].lstrip(' ')) - 2
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith(' ' * (label + 2)):
            break
        if line[label:label + 2] != '  ':
            raise Failure(f'not a chart row: {line!r}')
        rows[line[:label].rstrip()] = line[label + 2:]
    return rows


# A worker's cells while it runs jobs: the bar, the GIL waits, the boundary
# between two jobs and their numbers.
JOB_CELLS = '▄╳┃#0123456789'


def runs_of(row, chars):
    """The [first, last] columns of each run of cells in @chars."""
    out, start = [], None
    for i, c in enumerate(row + '\0'):
        if c in chars and start is None:
            start = i
        elif c not in chars and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def chart_and_record(aiodemo, name, locale='C.UTF-8'):
    """The --view gantt chart of a run, and the same run's events as JSON."""
    rec = os.path.join(WORK, name + '.record.json')
    out = run(aiodemo, 'run', name, '--scale', str(SCALE), '--view', 'gantt', '--record', rec,
              env=child_env(LC_ALL=locale)).stdout
    events, summary = parse_json_stream(run(aiodemo, 'replay', rec, '--format', 'json').stdout)
    return gantt_rows(out), out, events, summary


def expect_column(what, col, t, total, width):
    want = t / total * width
    if abs(col - want) > 2.5:
        raise Failure(f'{what}: column {col} of {width}, wanted about {want:.1f} ({t:.3f} of {total:.3f} s)')


def case_gantt(aiodemo):
    rows, out, events, summary = chart_and_record(aiodemo, 'blocking-sleep')
    for lane in ('Task-1 main()', 'Task-2 bad_task()', 'Task-3 good_task()', 'loop'):
        if lane not in rows:
            raise Failure(f'no lane {lane!r} in:\n{out}')
    width = max(len(r) for r in rows.values())
    total, w = summary['total'], summary['blocked'][0]
    for lane in ('Task-2 bad_task()', 'loop'):
        blocked = runs_of(rows[lane], '▓')
        if len(blocked) != 1 or blocked[0][0] > 1:
            raise Failure(f'{lane}: blocked cells {blocked}: {rows[lane]!r}')
        expect_column(f'{lane}: the end of the block', blocked[0][1] + 1, w['end'], total, width)
    ready = runs_of(rows['Task-3 good_task()'], '▒')
    if len(ready) != 1:
        raise Failure(f'good_task is not shown ready while bad_task blocks: {rows["Task-3 good_task()"]!r}')
    expect_column('good_task ready until', ready[0][1] + 1, w['end'], total, width)
    if '▒' in rows['Task-2 bad_task()'] or '▓' in rows['Task-3 good_task()'] + rows['Task-1 main()']:
        raise Failure('the wrong task is shown blocking or starving')
    if '·' not in rows['loop'][blocked[0][1] + 1:]:
        raise Failure(f'no heartbeat on the loop once it is free: {rows["loop"]!r}')
    # Offloaded: a worker lane runs the job, nothing blocks.
    rows, out, events, summary = chart_and_record(aiodemo, 'offload-sleep')
    width = max(len(r) for r in rows.values())
    job = runs_of(rows.get('asyncio/1', ''), JOB_CELLS)
    done = jobs_of(events, 'job-done')[1]
    if len(job) != 1 or job[0][0] > 0.15 * width:
        raise Failure(f'the worker lane does not run the job from the start: {rows.get("asyncio/1")!r}')
    expect_column('the end of the job', job[0][1] + 1, done['t'], summary['total'], width)
    # (At the very end, joining the pool's thread may show as a block.)
    if any('▓' in r for lane, r in rows.items() if lane.startswith('Task-')) or '▓' in rows['loop'][:job[0][1]]:
        raise Failure(f'offload-sleep shows the loop blocked:\n{out}')
    # Without UTF-8, the chart falls back to ASCII.
    rows, out, events, summary = chart_and_record(aiodemo, 'blocking-sleep', 'C')
    if not runs_of(rows['Task-2 bad_task()'], '!') or any(ord(c) > 127 for r in rows.values() for c in r):
        raise Failure(f'ASCII chart: {rows}')
    # The pool's queue lane shows the fourth download waiting.
    rows, out, events, summary = chart_and_record(aiodemo, 'bounded-pool')
    width = max(len(r) for r in rows.values())
    queued = runs_of(rows.get('ThreadPoolExecutor-0 queue', ''), '░')
    # (The first jobs may wait a little for their threads to start.)
    # (Not where starting a thread takes as long as a job: ThreadSanitizer.)
    if TIMING and (not queued or queued[-1][1] - queued[-1][0] < 0.25 * width):
        raise Failure(f'queue lane: {rows.get("ThreadPoolExecutor-0 queue")!r}')
    if TIMING:
        expect_column('job 4 queued until', queued[-1][1] + 1, jobs_of(events)[4]['t'], summary['total'], width)
    for n in (1, 2, 3):
        if not runs_of(rows.get(f'ThreadPoolExecutor-0/{n}', ''), JOB_CELLS):
            raise Failure(f'worker {n} runs nothing: {rows}')


def legend_of(text):
    """The legend's lines under the (first) chart of @text: as indented as
    the axis, whose labels start at the chart's cells."""
    lines = text.splitlines()
    i = next(i for i, l in enumerate(lines) if re.match(r' {8,}\d[\d.]*s  ', l))
    pad = ' ' * (len(lines[i]) - len(lines[i].lstrip()))
    i += 1
    while i < len(lines) and not lines[i].startswith(pad):
        i += 1
    legend = []
    while i < len(lines) and lines[i].startswith(pad) and lines[i].strip():
        legend.append(lines[i].strip())
        i += 1
    return '\n'.join(legend)


SYNC_WAITS = os.path.join(HERE, 'programs', 'sync_waits.py')


def case_sync_waits(aiodemo):
    """A task that waits for a Lock, a Semaphore, an Event, a Condition, a
    Queue or a Barrier: the await says which, in words and in JSON, and
    the chart draws the wait apart from a sleep."""
    events, summary = run_json(aiodemo, SYNC_WAITS, scale=0.2)
    waits = [(e['waits_for'], e['text'].split('(waits for ')[-1].rstrip(')'))
             for e in events if e['kind'] == 'await' and 'waits_for' in e]
    expect_eq('what the tasks wait for', waits, [
        ('lock', 'a Lock'), ('semaphore', 'a Semaphore'), ('semaphore', 'a BoundedSemaphore'),
        ('event', 'an Event'), ('condition', 'a Condition'), ('queue', 'an item of a Queue'),
        ('queue', 'room in a Queue'), ('queue', 'the tasks of a Queue to be done'), ('barrier', 'a Barrier')])
    for e in events:
        if e['kind'] == 'await' and 'sleep(' in e['text'] and 'waits_for' in e:
            raise Failure(f'a sleep said to wait for a primitive: {e}')
    rec = os.path.join(WORK, 'sync.record.json')
    out = run(aiodemo, 'run', SYNC_WAITS, '--scale', '0.2', '--record', rec).stdout
    expect_in('the event line', '═ line 8: async with cm:  (waits for a Semaphore)', out)
    rows = gantt_rows(out)
    lock2 = next(r for lane, r in rows.items() if lane.startswith('Task-3 '))
    holder = next(r for lane, r in rows.items() if lane.startswith('Task-2 '))
    if not runs_of(lock2, '═') or '═' in holder or not runs_of(holder, '─'):
        raise Failure(f'the wait for the Lock is not drawn apart from the sleep:\n{out}')
    # Task-3 waits for the Lock while Task-2 sleeps holding it, then sleeps.
    if TIMING and runs_of(lock2, '═')[0][1] > runs_of(lock2, '─')[0][0]:
        raise Failure(f'the Lock is waited for after the sleep: {lock2!r}')
    expect_in('the legend', '═ waiting for a lock, semaphore, event or queue', legend_of(out))
    # The page draws the wait as a state of its own, and the SVG.
    page, svg = os.path.join(WORK, 'sync.html'), os.path.join(WORK, 'sync.svg')
    run(aiodemo, 'replay', rec, '--html', page, '--svg', svg, '--view', 'events')
    states = {sp[2] for l in page_data(page)['runs'][0]['chart'] if l['name'].startswith('Task-3 ')
              for sp in l['spans']}
    if 'sync' not in states:
        raise Failure(f'the page draws no wait for the Lock: {states}')
    with open(svg, encoding='utf-8') as f:
        expect_in('the SVG', 'waiting for a lock, semaphore, event or queue', f.read())
    # A record keeps it: the replay says and draws the same.
    events2, _ = parse_json_stream(run(aiodemo, 'replay', rec, '--format', 'json').stdout, 0.2)
    expect_eq('waits_for on replay', [e.get('waits_for') for e in events2 if e['kind'] == 'await'],
              [e.get('waits_for') for e in json.loads(open(rec).read())['events'] if e['kind'] == 'await'])
    schemas.check('record', json.loads(open(rec).read()))
    again = run(aiodemo, 'replay', rec, '--view', 'gantt').stdout
    expect_eq('the replayed row', gantt_rows(again)[next(k for k in rows if k.startswith('Task-3 '))], lock2)
    # In ASCII, the event line keeps the await's mark and the chart its own.
    out = run(aiodemo, 'replay', rec, '--view', 'gantt', env=child_env(LC_ALL='C')).stdout
    expect_in('the ASCII legend', '~ waiting for a lock, semaphore, event or queue', out)


def page_data(path):
    """The data a --html page embeds: its runs, their charts and moments."""
    with open(path, encoding='utf-8') as f:
        m = re.search(r'<script type="application/json" id="data">(.*?)</script>', f.read(), re.S)
    return json.loads(m.group(1))


def case_task_fates(aiodemo):
    """A task that fails ends with ✗ and its exception's repr, a cancelled
    one with ⊘: in the event list, at the end of its lane, and in ASCII."""
    target = prog('fates.py')
    events, summary = run_json(aiodemo, target)
    fates = {e['lane'].split()[1]: e for e in events if e['kind'] in ('error', 'cancel', 'done')
             and e['lane_kind'] == 'task' and not e['text'].startswith('cancel requested')}
    expect_eq('how fails() ended', (fates['fails()']['kind'], fates['fails()']['text']),
              ('error', "raised ValueError('boom')"))
    expect_eq('how forever() ended', (fates['forever()']['kind'], fates['forever()']['text']),
              ('cancel', 'cancelled'))
    expect_eq('how finishes() ended', fates['finishes()']['kind'], 'done')
    # The chart of one run against the moments of the same run (its record).
    rec = os.path.join(WORK, 'fates.record.json')
    out = run(aiodemo, 'run', target, '--scale', str(SCALE), '--record', rec).stdout
    events, summary = parse_json_stream(run(aiodemo, 'replay', rec, '--format', 'json').stdout)
    fates = {e['lane'].split()[1]: e for e in events if e['kind'] in ('error', 'cancel', 'done')
             and e['lane_kind'] == 'task' and not e['text'].startswith('cancel requested')}
    expect_in('the event list', "Task-2 fails()              ✗ raised ValueError('boom')", out)
    expect_in('the event list', 'Task-3 forever()            ⊘ cancelled', out)
    rows = gantt_rows(out)
    width = max(len(r) for r in rows.values())
    for lane, mark, t in (('Task-2 fails()', '✗', fates['fails()']['t']),
                          ('Task-3 forever()', '⊘', fates['forever()']['t'])):
        row = rows[lane].rstrip()
        if not row.endswith(mark) or row.count(mark) != 1:
            raise Failure(f'{lane} does not end with {mark}: {rows[lane]!r}')
        expect_column(f'{lane}: its end', len(row) - 1, t, summary['total'], width)
    if '✗' in rows['Task-4 finishes()'] + rows['Task-1 main()'] or '⊘' in rows['Task-4 finishes()']:
        raise Failure(f'a task that finished is marked:\n{out}')
    legend = legend_of(out)
    expect_in('the legend', '✗ the task failed', legend)
    expect_in('the legend', '⊘ the task was cancelled', legend)
    out = run(aiodemo, 'run', target, '--scale', str(SCALE), env=child_env(LC_ALL='C')).stdout
    expect_in('the ASCII event list', "X raised ValueError('boom')", out)
    expect_in('the ASCII event list', '/ cancelled', out)
    rows = gantt_rows(out)
    if not rows['Task-2 fails()'].rstrip().endswith('X') or not rows['Task-3 forever()'].rstrip().endswith('/'):
        raise Failure(f'ASCII marks: {rows}')
    # The page and the SVG mark them too.
    page, svg = os.path.join(WORK, 'fates.html'), os.path.join(WORK, 'fates.svg')
    run(aiodemo, 'run', target, '--scale', str(SCALE), '--html', page, '--svg', svg, '--view', 'events')
    chart = {l['name']: l.get('fate') for l in page_data(page)['runs'][0]['chart']}
    expect_eq('the page\'s fates', (chart['Task-2 fails()'][1:], chart['Task-3 forever()'][1:],
                                    chart['Task-4 finishes()']),
              (['failed', "raised ValueError('boom')"], ['cancelled', 'cancelled'], None))
    with open(svg, encoding='utf-8') as f:
        drawn = f.read()
    for piece in ('>✗</text>', '>⊘</text>', 'the task failed', 'the task was cancelled'):
        expect_in('the SVG', piece, drawn)
    # Without either, the legend does not list them.
    out = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--view', 'gantt').stdout
    if 'the task failed' in out or 'cancelled' in legend_of(out) or 'a lock, semaphore' in out:
        raise Failure(f'the legend lists what the chart does not show:\n{out}')


def case_job_boundaries(aiodemo):
    """Worker 1 of bounded-pool runs job 1, then job 4: the chart shows where
    one ends and the next begins, with their numbers; the events number
    each job the same way."""
    rows, out, events, summary = chart_and_record(aiodemo, 'bounded-pool')
    starts = jobs_of(events)
    # The worker that is free first takes job 4 after its own.
    lane = starts[4]['lane']
    before = next(n for n in (1, 2, 3) if starts[n]['lane'] == lane)
    first = rows[lane]
    width = max(len(r) for r in rows.values())
    if TIMING and (not first.strip().startswith(f'#{before}') or first.count('┃#4') != 1):
        raise Failure(f'{lane} shows no boundary from job {before} to job 4: {first!r}')
    if TIMING:
        expect_column('the boundary', first.index('┃'), starts[4]['t'], summary['total'], width)
    for n in (1, 2, 3):
        row = rows[starts[n]['lane']]
        if starts[n]['lane'] != lane and (not row.strip().startswith(f'#{n}') or '┃' in row):
            raise Failure(f'the worker of job {n}: {row!r}')
    expect_in('the legend', '┃#2 the next job of a worker', legend_of(out))
    for e in events:
        if e['kind'] in ('offload', 'job-start', 'job-done') and not e['text'].startswith(f'job {e["job"]}'):
            raise Failure(f'an event of job {e["job"]} does not say its number first: {e}')
    # One job on its worker: its number, and no boundary in the legend.
    rows, out, events, summary = chart_and_record(aiodemo, 'offload-sleep')
    if not rows['asyncio/1'].lstrip().startswith('#1') or '┃' in out:
        raise Failure(f'offload-sleep\'s job:\n{out}')
    expect_in('the legend', "#1 the job's number", legend_of(out))
    # In ASCII too.
    rows, out, events, summary = chart_and_record(aiodemo, 'bounded-pool', 'C')
    lane = jobs_of(events)[4]['lane']
    if '|4' not in rows[lane] or '#' in rows[lane]:
        raise Failure(f'ASCII boundary: {rows[lane]!r}')


def case_gil_wait_chart(aiodemo):
    """Two threads that count take turns with the GIL: their lanes show the
    waits (╳), which one thread alone never has."""
    out = run(aiodemo, 'run', prog('gil_threads.py'), '--view', 'gantt').stdout
    rows = gantt_rows(out)
    for n in (1, 2):
        row = rows[f'ThreadPoolExecutor-0/{n}']
        # The job's bar is one piece; after its end (as its function
        # returns) the thread may still wait for the GIL to hand the result
        # back, and nothing else.
        end = row.rfind('▄') + 1
        bar = len(runs_of(row[:end], '▄╳#0123456789'))
        if row.count('╳') < 0.15 * len(row.strip()) or bar != 1 or row[end:].strip(' ╳'):
            raise Failure(f'worker {n} does not show its waits for the GIL: {row!r}')
    legend = legend_of(out)
    expect_in('the legend', '╳ waiting for the GIL', legend)
    # The record has each thread's waits, as gil-wait and gil-take events.
    rec = os.path.join(WORK, 'gil.record.json')
    run(aiodemo, 'run', prog('gil_threads.py'), '--view', 'events', '--record', rec)
    doc = json.load(open(rec))
    waiting = {doc['lanes'][e['lane']]['name'] for e in doc['events'] if e['kind'] == 'gil-wait'}
    for n in (1, 2):
        if f'ThreadPoolExecutor-0/{n}' not in waiting:
            raise Failure(f'worker {n} never waits for the GIL in the record: {waiting}')
    # A thread alone waits only while the loop thread holds the GIL, which
    # on a busy machine can be a cell's worth as the job ends, never more.
    rows, out, events, summary = chart_and_record(aiodemo, 'offload-sleep')
    row = rows['asyncio/1']
    if row.count('╳') > max(1, 0.05 * len(row.strip())):
        raise Failure(f'a thread alone waits for the GIL: {row!r}')


def case_legend_glyphs(aiodemo):
    """Each glyph of the legend means one thing, and with --color it has the
    colour of the bars it explains."""
    args = ['run', prog('fates.py'), '--scale', str(SCALE), '--view', 'gantt']
    legend = legend_of(run(aiodemo, *args).stdout)
    glyphs = re.findall(r'(?:^|  )(\S+) ', legend)
    if len(glyphs) != len(set(glyphs)):
        raise Failure(f'a glyph means two things in the legend:\n{legend}')
    out = run(aiodemo, *args, '--color=always').stdout
    rows = [l for l in out.splitlines() if l.startswith('Task-1 main()')]
    bar = re.search(r'(\033\[[0-9;]*m)█', rows[0]).group(1)
    expect_in('the coloured legend', f'{bar}█\033[0m running on the loop', out)
    fate = re.search(r'(\033\[[0-9;]*m)✗', [l for l in out.splitlines() if l.startswith('Task-2 ')][0]).group(1)
    expect_in('the coloured legend', f'{fate}✗\033[0m the task failed', out)


def case_time_order(aiodemo):
    """A worker thread or process prints, then wakes the loop, which prints
    at once: the worker's line is stamped first but may come in after the
    loop's (a process's comes through a pipe). The events come out in time
    order all the same, the text's as the JSON's, and a replay of the
    record prints the same events in the same order."""
    target = prog('worker_first.py')
    rec = os.path.join(WORK, 'order.record.json')
    events, summary = run_json(aiodemo, target, '--record', rec, scale=1)
    times = [e['t'] for e in events]
    late = [(a, b) for a, b in zip(events, events[1:]) if b['t'] < a['t']]
    if late:
        raise Failure(f'{len(late)} events printed before earlier ones, the first: {late[0]}')
    texts = [e['text'] for e in says(events)]
    for i in range(20):
        for who in ('thread', 'process'):
            if texts.index(f'{who} {i}') > texts.index(f'loop after {who} {i}'):
                raise Failure(f'the loop\'s line came before the {who}\'s that woke it: {texts}')
    again, _ = parse_json_stream(run(aiodemo, 'replay', rec, '--format', 'json').stdout, 1)
    expect_eq('the replay\'s events', again, events)
    out = run(aiodemo, 'run', target, '--view', 'events').stdout
    times = [float(l.split()[0]) for l in out.splitlines() if re.match(r' *\d+\.\d{3}  ', l)]
    if len(times) < 80 or times != sorted(times):
        raise Failure(f'the text\'s events are not in time order:\n{out}')


def case_loop_health(aiodemo):
    events, summary = run_json(aiodemo, 'blocking-sleep')
    # Blocked for 2 s of 3: the missed beats count, so p50 is well above zero.
    if summary['lag_p99'] < 1.5 * SCALE or summary['lag_p50'] < 0.3 * SCALE:
        raise Timing(f'lag figures {summary["lag_p50"]}, {summary["lag_p99"]}')
    if not 0.5 <= summary['utilization'] <= 0.85:
        raise Failure(f'utilization {summary["utilization"]}, wanted about 2/3')
    expect_eq('heartbeat', summary['heartbeat'], round(0.1 * SCALE, 6))
    events, summary = run_json(aiodemo, 'offload-sleep')
    if TIMING and (summary['utilization'] > 0.2 or summary['lag_p99'] > 0.5 * SCALE):
        raise Timing(f'offload-sleep: utilization {summary["utilization"]}, p99 {summary["lag_p99"]}')
    out = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE)).stdout
    for piece in ('loop lag       p50', 'loop busy      ', '% of the time', 'per task'):
        expect_in('the text summary', piece, out)


def case_slow_option(aiodemo):
    events, summary = run_json(aiodemo, 'blocking-sleep', '--slow', '3')
    expect_eq('blocked windows with --slow 3', summary['blocked'], [])
    out = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--slow', '3').stdout
    if 'diagnostics' in out or 'loop blocked   never' not in out:
        raise Failure(f'--slow 3 still reports a 2 s block:\n{out}')
    out = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--slow', '1').stdout
    expect_in('--slow 1', 'blocked the loop for', out)
    run(aiodemo, 'run', 'blocking-sleep', '--slow', '0', check_status=2)


def display_width(s):
    import unicodedata
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ('W', 'F') else 1
               for c in s)


def case_cjk_columns(aiodemo):
    out = run(aiodemo, 'run', prog('cjk.py'), '--scale', str(SCALE)).stdout
    lines = [l for l in out.splitlines() if '下载任务' in l[:40] and l[:8].strip().replace('.', '').isdigit()]
    if len(lines) < 4:
        raise Failure(f'too few event lines:\n{out}')
    for l in lines:
        # The event column starts after the time (8), two spaces, the lane (26) and two spaces.
        lane_part = l[10:]
        cut, width = 0, 0
        while width < 28 and cut < len(lane_part):
            width += display_width(lane_part[cut])
            cut += 1
        if width != 28 or lane_part[cut - 2:cut] != '  ':
            raise Failure(f'misaligned: {l!r}')
    events, _ = run_json(aiodemo, prog('cjk.py'))
    expect_eq('CJK lines', [e['text'] for e in says(events)][:2], ['📥 开始下载: 第一个文件', '📥 开始下载: 2'])
    if not says(events)[0]['lane'].startswith('Task-2 下载任务('):
        raise Failure(f'the lane of a task named in Chinese: {says(events)[0]["lane"]!r}')


# --- the width of the text -------------------------------------------------------

def case_width_option(aiodemo):
    # --width N fits every line of every view to N, whatever COLUMNS says.
    for n in (60, 100, 200):
        for name in ('semaphore', 'blocking-sleep', 'process-primes'):
            out = run(aiodemo, 'run', name, '--scale', str(SCALE), '--width', str(n)).stdout
            wide = [l for l in out.splitlines() if display_width(l) > n]
            if wide:
                raise Failure(f'{name} --width {n}: {len(wide)} lines wider:\n' + '\n'.join(wide[:5]))
            expect_in(f'{name} --width {n}', 'time (s)', out)
            expect_in(f'{name} --width {n}', '\nsummary\n', out)
    # compare: one time axis, in the same columns for runs of shorter and longer names.
    out = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE), '--width', '100').stdout
    axes = [l for l in out.splitlines() if re.match(r' {10,}0(\.0+)?s', l)]
    if len(axes) != 2 or axes[0] != axes[1] or max(display_width(l) for l in out.splitlines()) > 100:
        raise Failure(f'compare in 100 columns: the axes {axes}:\n{out}')
    # The fuzzer's seed records, down to the narrowest width.
    records = os.path.join(HERE, 'fuzz', 'records')
    for f in sorted(os.listdir(records)):
        for n in (40, 60):
            out = run(aiodemo, 'replay', os.path.join(records, f), '--width', str(n)).stdout
            wide = [l for l in out.splitlines() if display_width(l) > n]
            if wide:
                raise Failure(f'replay {f} --width {n}: {len(wide)} lines wider:\n' + '\n'.join(wide[:5]))
    # The GIL's lane and its legend, two pools of threads and one of processes.
    out = run(aiodemo, 'run', 'thread-cpu-primes', '--scale', str(SCALE), '--width', '60').stdout
    wide = [l for l in out.splitlines() if display_width(l) > 60]
    if wide:
        raise Failure('thread-cpu-primes --width 60:\n' + '\n'.join(wide))
    queues = [lane for lane in gantt_rows(out) if lane.endswith(' queue')]
    if len(set(queues)) != 3:
        raise Failure(f'the queues of three pools are not told apart in 60 columns: {queues}')
    # An event too long goes on under the event column (after 8 + 2 + 16 + 2).
    out = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--width', '60').stdout
    lines = out.splitlines()
    spawn = next(i for i, l in enumerate(lines) if '+ Task-2 task_with_semaphore(' in l)
    if not lines[spawn + 1].startswith(' ' * 28) or lines[spawn + 1][28] == ' ':
        raise Failure(f'the rest of a long event is not under the event column:\n{lines[spawn]}\n{lines[spawn + 1]}')
    expect_in('the event, whole without its spaces', 'task_with_semaphore(<asyncio.locks.S...,0)',
              ''.join((lines[spawn][28:] + lines[spawn + 1][28:] + lines[spawn + 2][28:]).split()))
    # What to notice goes to the width, not 72 columns.
    notice = out.split('\nwhat to notice\n', 1)[1].splitlines()
    if max(display_width(l) for l in notice) > 60 or len(notice) < 6:
        raise Failure(f'what to notice in 60 columns:\n{notice}')
    out = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--width', '200').stdout
    notice = out.split('\nwhat to notice\n', 1)[1].splitlines()
    if len(notice) > 3:
        raise Failure(f'what to notice in 200 columns takes {len(notice)} lines:\n{notice}')
    # --help, and the commands with text output.
    for n in (60, 80):
        out = run(aiodemo, '--help', '--width', str(n)).stdout
        wide = [l for l in out.splitlines() if display_width(l) > n]
        if wide:
            raise Failure(f'--help --width {n}: {wide}')
        for piece in ('--max-events=N', '--width=N', 'aiodemo sweep NAME|FILE.py', 'exit status:'):
            expect_in(f'--help --width {n}', piece, out)
    out = run(aiodemo, 'list', '--width', '60').stdout
    if max(display_width(l) for l in out.splitlines()) > 60:
        raise Failure(f'list --width 60:\n{out}')
    # No COLUMNS and no terminal at all (a pipe, no controlling terminal): 80 columns.
    p = subprocess.run([aiodemo, 'run', 'semaphore', '--scale', str(SCALE)], capture_output=True, text=True,
                       env=child_env(COLUMNS=None), cwd=SCRATCH, timeout=60, start_new_session=True)
    expect_eq('exit status without a terminal', p.returncode, 0)
    if max(display_width(l) for l in p.stdout.splitlines()) > 80:
        raise Failure(f'wider than 80 columns without a terminal:\n{p.stdout}')
    expect_in('the lane column of 80 columns', 'time (s)  lane' + ' ' * 19 + 'event', p.stdout)
    for bad in ('39', '1001', 'wide', ''):
        p = run(aiodemo, 'run', 'semaphore', '--width', bad, check_status=2)
        expect_in('--width ' + bad, '--width takes a number of columns from 40 to 1000', p.stderr)
    p = run(aiodemo, 'show', 'semaphore', '--width', '80', check_status=2)
    expect_in('show --width', "--width is not an option of 'show'", p.stderr)


def case_lane_names(aiodemo):
    # A name too long keeps its task's number and the end that differs.
    out = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--width', '80').stdout
    events = [l for l in out.splitlines() if re.match(r' +\d+\.\d{3}  ', l)]
    lanes = {l[10:10 + 21].rstrip() for l in events}
    for k in range(5):
        want = f'Task-{k + 2} task_with…, {k})'
        if want not in lanes:
            raise Failure(f'no lane {want!r} in 80 columns: {sorted(lanes)}')
    # Narrow: tN for Task-N.
    out = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--width', '60').stdout
    events = [l for l in out.splitlines() if re.match(r' +\d+\.\d{3}  ', l)]
    lanes = {l[10:10 + 16].rstrip() for l in events}
    for k in range(5):
        if not any(re.fullmatch(rf't{k + 2} task_wi\w*…, {k}\)', lane) for lane in lanes):
            raise Failure(f'no lane t{k + 2} ... , {k}) in 60 columns: {sorted(lanes)}')
    if 'Task-1 main()' not in lanes:
        raise Failure(f'a name that fits is not shortened: {sorted(lanes)}')
    # The chart's labels too; JSON keeps the names whole.
    rows = gantt_rows(out)
    if not any(re.fullmatch(r't6 task_wi\w*…, 4\)', lane) for lane in rows):
        raise Failure(f'the chart\'s labels in 60 columns: {sorted(rows)}')
    events, _ = run_json(aiodemo, 'semaphore')
    if not any(e['lane'].startswith('Task-2 task_with_semaphore(<asyncio.locks.S') and e['lane'].endswith(', 0)')
               for e in events):
        raise Failure('JSON does not keep the lane names whole')


def case_notice_rewrapped(aiodemo):
    # What to notice is one paragraph rewrapped to the width: Chinese lines
    # join with no space, and a line of Chinese is cut between characters.
    path = write_program('zh_notice.py', '# aiodemo: name zh-notice\n'
                         '# aiodemo: notice 第一行的中文说明文字，没有空格，一直写下去，\n'
                         '# aiodemo: notice 第二行接着写。English follows\n'
                         '# aiodemo: notice here.\n'
                         '# aiodemo: end\nprint("好")\n')
    out = run(aiodemo, 'run', path, '--width', '40').stdout
    notice = out.split('\nwhat to notice\n', 1)[1].splitlines()
    expect_eq('what to notice in 40 columns', notice,
              ['第一行的中文说明文字，没有空格，一直写下', '去，第二行接着写。English follows here.'])


def case_worker_order(aiodemo):
    # Workers by number in the chart, /2 before /10, whichever took a job first.
    rec = os.path.join(WORK, 'workers.record.json')
    run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--record', rec, '--view', 'gantt')
    with open(rec) as f:
        doc = json.load(f)
    for lane in doc['lanes']:
        if lane['name'] == 'ThreadPoolExecutor-0/1':
            lane['name'] = 'ThreadPoolExecutor-0/10'
    with open(rec, 'w') as f:
        json.dump(doc, f)
    out = run(aiodemo, 'replay', rec, '--view', 'gantt', '--width', '120').stdout
    workers = [lane for lane in gantt_rows(out) if lane.startswith('ThreadPoolExecutor-0/')]
    expect_eq('the workers, in order', workers,
              ['ThreadPoolExecutor-0/2', 'ThreadPoolExecutor-0/3', 'ThreadPoolExecutor-0/10'])


# --- errors of the program, and what CPython reports -------------------------------

def case_unhandled_error(aiodemo):
    events, summary = run_json(aiodemo, prog('raises.py'), check_status=1)
    expect_eq('status', summary['status'], 'error')
    expect_eq('error', summary['error'], 'ZeroDivisionError: division by zero')
    raised = [e for e in events if e['kind'] == 'error']
    expect_eq('the task that raised', [e['lane'] for e in raised], ['Task-1 main()'])
    expect_at('it raised', raised[0]['t'], 0.5)
    with open(prog('raises.py')) as f:
        line = line_of(f.read(), 'return 1 / 0')
    tb = [e['text'] for e in events if e['kind'] == 'stderr' and e['lane'] == '__main__']
    if not tb or tb[0] != 'Traceback (most recent call last):' or tb[-1] != 'ZeroDivisionError: division by zero':
        raise Failure(f'the traceback on the timeline: {tb}')
    if not any(f'line {line}, in main' in l for l in tb):
        raise Failure(f'the traceback does not name line {line}: {tb}')
    ends = [e['text'] for e in events if e['kind'] == 'end']
    expect_eq('the end', ends, ['the program ended (exit status 1)'])
    out = run(aiodemo, 'run', prog('raises.py'), '--scale', str(SCALE), check_status=1).stdout
    for piece in ('  status         error', '  error          ZeroDivisionError: division by zero',
                  '! ZeroDivisionError: division by zero'):
        expect_in('the text of a failed run', piece, out)
    # sys.exit(N) gives N, as python3 does, and no traceback.
    events, summary = run_json(aiodemo, prog('exit_status.py'), check_status=3)
    expect_eq('the end', [e['text'] for e in events if e['kind'] == 'end'], ['the program ended (exit status 3)'])
    expect_eq('stderr lines', [e for e in events if e['kind'] == 'stderr'], [])
    expect_order(events, ['leaving with status 3'])


def case_never_retrieved(aiodemo):
    p = run(aiodemo, 'run', prog('never_retrieved.py'), '--scale', str(SCALE), '--format', 'json')
    events, summary = parse_json_stream(p.stdout)
    expect_eq('aiodemo\'s own stderr', p.stderr, '')
    lines = [(e['kind'], e['lane'], e['text']) for e in events if e['kind'] in ('say', 'stderr', 'error')]
    texts = [t for _, _, t in lines]

    def index(pred, what):
        hits = [i for i, (k, lane, t) in enumerate(lines) if pred(k, lane, t)]
        if not hits:
            raise Failure(f'no {what} on the timeline: {lines}')
        return hits[0]

    warn = index(lambda k, lane, t: k == 'stderr' and lane == 'Task-1 main()' and
                 t.endswith("RuntimeWarning: coroutine 'work' was never awaited"), '"never awaited" warning')
    dropped = texts.index('dropped a coroutine')
    raised = index(lambda k, lane, t: k == 'error' and lane == 'Task-2 fail()' and 'ValueError' in t,
                   'error of the task')
    report = index(lambda k, lane, t: k == 'stderr' and lane == 'Task-1 main()' and
                   t == 'Task exception was never retrieved', '"never retrieved" report')
    after = texts.index('dropped a failed task')
    if not warn < dropped < raised < report < after:
        raise Failure(f'out of order: {lines}')
    if 'work runs' in texts:
        raise Failure('the coroutine that was never awaited ran')
    if 'ValueError: nobody looks' not in texts[report:after]:
        raise Failure(f'the report lacks the exception: {texts[report:after]}')
    out = run(aiodemo, 'run', prog('never_retrieved.py'), '--scale', str(SCALE)).stdout
    expect_in('the text timeline', '! Task exception was never retrieved', out)
    expect_in('the text timeline', "was never awaited", out)


def case_never_retrieved_at_exit(aiodemo):
    # Reported as the interpreter ends, after the program's last line: as
    # python3 prints it, it belongs to the run, on its timeline.
    p = run(aiodemo, 'run', prog('retrieved_at_exit.py'), '--scale', str(SCALE), '--format', 'json')
    events, summary = parse_json_stream(p.stdout)
    expect_eq('aiodemo\'s own stderr', p.stderr, '')
    texts = [e['text'] for e in events if e['kind'] in ('say', 'stderr')]
    if 'Task exception was never retrieved' not in texts:
        raise Failure(f'the report is not on the timeline: {texts}')
    if texts.index('Task exception was never retrieved') < texts.index("the program's last line"):
        raise Failure(f'reported before the program ended: {texts}')


def syntax_errors():
    """(file name, source) of programs that do not compile."""
    return [
        ('unclosed.py', 'import asyncio\n\n\nasync def main():\n    values = (1,\n    await asyncio.sleep(0.1)\n\n\n'
                        'asyncio.run(main())\n'),
        ('indent.py', 'import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0.1)\n      print("done")\n\n\n'
                      'asyncio.run(main())\n'),
        ('toplevel_await.py', 'import asyncio\n\nprint("never")\nawait asyncio.sleep(1)\n'),
    ]


def compile_error(text, name):
    try:
        compile(text, name, 'exec')
    except SyntaxError as e:
        return e
    raise AssertionError(f'{name} compiles')


def case_syntax_error(aiodemo):
    for name, text in syntax_errors():
        path = write_program(name, text)
        e = compile_error(text, name)
        for fmt in ('text', 'json'):
            p = run(aiodemo, 'run', path, '--format', fmt, check_status=2)
            want = f'{path}:{e.lineno}:{e.offset}: error: {type(e).__name__}: {e.msg}'
            expect_in(f'{name}: stderr', want, p.stderr)
            err = p.stderr.splitlines()
            src = text.splitlines()[e.lineno - 1]
            at = [i for i, l in enumerate(err) if l.endswith('| ' + src)]
            if not at or at[0] + 1 >= len(err):
                raise Failure(f'{name}: the line is not shown: {p.stderr!r}')
            bar, caret = err[at[0]].index('|'), err[at[0] + 1]
            if caret.find('^') - bar - 2 != e.offset - 1:
                raise Failure(f'{name}: the caret is not under column {e.offset}: {p.stderr!r}')
            if fmt == 'json' and p.stdout:
                raise Failure(f'{name}: JSON output for a program that does not compile: {p.stdout!r}')
            if 'never' in p.stdout:
                raise Failure(f'{name}: something of the program ran')


def case_syntax_error_stdout(aiodemo):
    # As with any other bad program (a bad header, a missing file): the
    # error on stderr, nothing on stdout.
    for name, text in syntax_errors():
        p = run(aiodemo, 'run', write_program(name, text), check_status=2)
        expect_eq(f'{name}: stdout', p.stdout, '')


def case_header_errors(aiodemo):
    cases = [
        ('key.py', '# aiodemo: nmae x\nprint(1)\n', 1, "unknown header key 'nmae'"),
        ('expect.py', '# aiodemo: name e\n# aiodemo: expect total soon\nprint(1)\n', 2,
         'expect total takes a duration'),
        ('expect2.py', '# aiodemo: expect "x" at\nprint(1)\n', 1, 'expect "LINE" at DURATION'),
        ('param.py', '# aiodemo: param n = 5 at "sleep(5)"\nimport time\ntime.sleep(4)\n', 1,
         'param n: "sleep(5)" must occur once in the program'),
        ('param2.py', '# aiodemo: param n = 5\nprint(5)\n', 1, 'param takes NAME = VALUE at "CONTEXT"'),
        ('param3.py', '# aiodemo: param n = 5 at "N = 5"\n# aiodemo: param n = 5 at "N = 5"\nN = 5\n', 2,
         'param n is declared already, on line 1'),
    ]
    for name, text, line, message in cases:
        path = write_program(name, text)
        for args in (['run', path], ['show', path], ['check', path]):
            p = run(aiodemo, *args, check_status=2)
            expect_in(f'aiodemo {args[0]} {name}', f'{path}:{line}: {message}', p.stderr)
            expect_eq(f'aiodemo {args[0]} {name}: stdout', p.stdout, '')


def case_header_say_errors(aiodemo):
    # A malformed say.en line: the file, the line and the column, the line
    # shown and a caret under the column (CJK characters are two wide).
    cases = [
        ('say1.py', '# aiodemo: say.en 任务 = "x"\nprint(1)\n', 19, 'say.en takes "PATTERN" = "ENGLISH"', 18),
        ('say2.py', '# aiodemo: say.en "任务 {}" "x"\nprint(1)\n', 31, 'expected = and the English', 28),
        ('say3.py', '# aiodemo: say.en "任务 {}{}" = "x"\nprint(1)\n', 29, 'two {} side by side', 26),
        ('say4.py', '# aiodemo: say.en "{}" = "x"\nprint(1)\n', 20, 'a pattern without text', 19),
        ('say5.py', '# aiodemo: say.en "任务 {}" = "a {2}"\nprint(1)\n', 36, 'no such {} in the pattern', 33),
        ('say6.py', '# aiodemo: say.en "a {x" = "a"\nprint(1)\n', 22, 'a brace that is not', 21),
        ('say7.py', '# aiodemo: say.en "a {}" = "a"\n# aiodemo: say.en "a {}" = "b"\nprint(1)\n', 20,
         'this pattern has a rendering already', 19),
    ]
    for name, text, col, message, caret in cases:
        path = write_program(name, text)
        line = text.count('\n', 0, text.index('say.en', text.rindex('# aiodemo'))) + 1
        for args in (['run', path], ['show', path], ['check', path]):
            p = run(aiodemo, *args, check_status=2)
            expect_in(f'aiodemo {args[0]} {name}', f'{path}:{line}:{col}: error: {message}', p.stderr)
            expect_eq(f'aiodemo {args[0]} {name}: stdout', p.stdout, '')
        marks = [l for l in p.stderr.splitlines() if l.rstrip().endswith('^')]
        if not marks or marks[0].index('^') - marks[0].index('|') - 2 != caret:
            raise Failure(f'{name}: the caret is not under column {caret} of the line: {p.stderr!r}')


def case_say_en_program(aiodemo):
    # say.en in a program of one's own: {N} for another order, braces, a
    # placeholder's text rendered in turn, the first pattern that matches;
    # "en" in the stream and the record, the line itself untouched, and
    # expectations matched against the line as printed.
    path = write_program('say_en.py', """\
# aiodemo: say.en "{}个任务" = "{} tasks"
# aiodemo: say.en "完成了 {}，用时 {} 秒" = "{2} s for {1}"
# aiodemo: say.en "集合 {{{}}}" = "the set {{{}}}"
# aiodemo: say.en "完成了 {}" = "not this one"
# aiodemo: expect says "完成了 3个任务，用时 2 秒"
# aiodemo: end
print("完成了 3个任务，用时 2 秒")
print("集合 {1, 2}")
print("没有译文")
print("done")
""")
    want = {'完成了 3个任务，用时 2 秒': '2 s for 3 tasks', '集合 {1, 2}': 'the set {1, 2}',
            '没有译文': None, 'done': None}
    events, summary = run_json(aiodemo, path, '--lang', 'zh')
    expect_eq('the renderings', {e['text']: e.get('en') for e in says(events)}, want)
    expect_eq('expectations met', all(x['ok'] for x in summary['expectations']), True)
    record = os.path.join(WORK, 'say_en.json')
    p = run(aiodemo, 'run', path, '--scale', str(SCALE), '--lang', 'en', '--view', 'events',
            '--record', record)
    lines = p.stdout.splitlines()
    for line, en in want.items():
        at = next(i for i, l in enumerate(lines) if l.endswith('  ' + line))
        under = ' ' * 38 + f'↳ en: {en}' if en else None
        if (lines[at + 1] == under) != bool(en) or (not en and '↳' in lines[at + 1]):
            raise Failure(f'under {line!r}: {lines[at + 1]!r}, wanted {under!r}')
    doc = schemas.check_file('record', record)
    expect_eq('the record\'s renderings', {e['text']: e.get('en') for e in doc['events'] if e['kind'] == 'say'},
              want)
    p = run(aiodemo, 'replay', record, '--format', 'json', '--lang', 'zh')
    events, _ = parse_json_stream(p.stdout)
    expect_eq('the replay\'s renderings', {e['text']: e.get('en') for e in says(events)}, want)
    p = run(aiodemo, 'replay', record, '--lang', 'en', '--view', 'events')
    expect_in('replay in English', ' ' * 38 + '↳ en: the set {1, 2}\n', p.stdout)
    p = run(aiodemo, 'replay', record, '--lang', 'zh', '--view', 'events')
    if '↳' in p.stdout:
        raise Failure(f'replay in Chinese shows renderings: {p.stdout!r}')


CJK = re.compile('[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]')


def scenario_headers():
    """Each built-in program's name and header: {key: [values]}."""
    out = {}
    for f in sorted(os.listdir(SCENARIOS)):
        if not f.endswith('.py'):
            continue
        keys = {}
        with open(os.path.join(SCENARIOS, f), encoding='utf-8') as src:
            for line in src:
                if not line.startswith('# aiodemo: ') or line.startswith('# aiodemo: end'):
                    if not line.startswith('#'):
                        break
                    continue
                key, _, value = line[len('# aiodemo: '):].rstrip('\n').partition(' ')
                keys.setdefault(key, []).append(value)
        out[f[:-3]] = keys
    return out


def case_scenarios_in_english(aiodemo):
    # Every line with Chinese in it that a built-in program prints has an
    # English rendering without Chinese: "en" in the stream, and in the text
    # view a line of its own under it.
    missing = []
    for name, keys in scenario_headers().items():
        command, opts = how_to_run(name, keys)
        events, _ = run_json(aiodemo, name, '--lang', 'en', *opts, command=command, timeout=120)
        for e in says(events):
            if CJK.search(e['text']) and (not e.get('en') or CJK.search(e['en'])):
                missing.append(f'{name}: {e["text"]!r} -> {e.get("en")!r}')
    if missing:
        raise Failure('lines without an English rendering:\n' + '\n'.join(missing))
    p = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--lang', 'en', '--view', 'events')
    lines = p.stdout.splitlines()
    at = next(i for i, l in enumerate(lines) if l.endswith('任务 3 开始执行'))
    expect_eq('the line under 任务 3 开始执行', lines[at + 1], ' ' * 38 + '↳ en: task 3 starts')
    p = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--lang', 'zh', '--view', 'events')
    if '↳ en:' in p.stdout:
        raise Failure(f'renderings in Chinese: {p.stdout[:1000]!r}')


def case_scenarios_in_chinese(aiodemo):
    # In Chinese, the heading of every built-in program shows its title.zh
    # and "what to notice" its notice.zh; its record keeps both, and the
    # English of its lines, which replay shows in English.
    listed = run(aiodemo, 'list', '--lang', 'zh', '--width', '1000').stdout.splitlines()
    for name, keys in scenario_headers().items():
        if 'title.zh' not in keys or 'notice.zh' not in keys:
            raise Failure(f'{name}: no title.zh or notice.zh')
        expect_in(f'{name}: aiodemo list in Chinese', f'{name:<24} {keys["title.zh"][0]}', listed)
        if not CJK.search(keys['title.zh'][0]) or not all(CJK.search(v) for v in keys['notice.zh']):
            raise Failure(f'{name}: a title.zh or notice.zh line without Chinese')
        record = os.path.join(WORK, f'{name}.zh.json')
        command, opts = how_to_run(name, keys)
        p = run(aiodemo, command, name, '--scale', str(SCALE), '--lang', 'zh', '--view', 'gantt',
                '--record', record, '--width', '1000', *opts, timeout=120)
        lines = p.stdout.splitlines()
        expect_eq(f'{name}: the heading', lines[0], f'{name}: {keys["title.zh"][0]}')
        # Its source as the document names the section: source.zh.
        if 'source' in keys:
            if 'source.zh' not in keys:
                raise Failure(f'{name}: a source and no source.zh')
            expect_eq(f'{name}: the source', lines[1].split(' · ')[0], f'出自 {keys["source.zh"][0]}')
        # The notice is wrapped to the width anew: the same text, spaces aside.
        notice = lines[lines.index('值得注意') + 1:]
        if 'clients' in keys:   # the clients' answers come after it
            notice = notice[:notice.index('')]
        expect_eq(f'{name}: what to notice', re.sub(r'\s', '', ''.join(notice)),
                  re.sub(r'\s', '', ''.join(keys['notice.zh'])))
        doc = schemas.check_file('record', record)
        expect_eq(f'{name}: the record\'s title_zh', doc['scenario'].get('title_zh'), keys['title.zh'][0])
        expect_eq(f'{name}: the record\'s source_zh', doc['scenario'].get('source_zh'),
                  keys['source.zh'][0] if 'source.zh' in keys else None)
        expect_eq(f'{name}: the record\'s notice_zh', doc['scenario'].get('notice_zh'),
                  '\n'.join(keys['notice.zh']) + '\n')
        if keys.get('say.en'):
            p = run(aiodemo, 'replay', record, '--lang', 'en', '--view', 'events', '--width', '1000')
            if '↳ en: ' not in p.stdout:
                raise Failure(f'{name}: replay in English shows no rendering: {p.stdout[:1500]!r}')
            p = run(aiodemo, 'replay', record, '--lang', 'en', '--width', '1000')
            expect_eq(f'{name}: the heading in English', p.stdout.splitlines()[0],
                      f'{name}: {keys["title"][0]}')
        os.remove(record)
    # The SVG's heading and the HTML page's title are Chinese too.
    title = scenario_headers()['semaphore']['title.zh'][0]
    svg, page = os.path.join(WORK, 'zh.svg'), os.path.join(WORK, 'zh.html')
    run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--lang', 'zh', '--view', 'gantt',
        '--svg', svg, '--html', page)
    for path in (svg, page):
        with open(path, encoding='utf-8') as f:
            expect_in(path, title, f.read())
        os.remove(path)


# --- the command line ----------------------------------------------------------

def case_usage_errors(aiodemo):
    cases = [
        (['run', 'offlod-sleep'], "did you mean 'offload-sleep'?"),
        (['show', 'offlod-sleep'], "did you mean 'offload-sleep'?"),
        (['check', 'offlod-sleep'], "did you mean 'offload-sleep'?"),
        (['run', 'offload-sleep', '--scale', '0'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', '-1'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', 'abc'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale'], "option '--scale' needs a value"),
        (['run', 'bounded-pool', '--param', 'workers'], '--param takes NAME=VALUE'),
        (['run', 'bounded-pool', '--param', 'workers=3;import os'], 'takes a number (or True, False, None)'),
        (['run', 'offload-sleep', '--param', 'workers=3'], "offload-sleep has no parameter 'workers'"),
        (['run', 'offload-sleep', '--format', 'xml'], '--format takes text or json'),
        (['run', 'offload-sleep', '--color=sometimes'], '--color takes auto, always or never'),
        (['run', 'offload-sleep', '--view', 'pie'], '--view takes events, gantt or both'),
        (['run', 'offload-sleep', '--slow', 'soon'], '--slow takes seconds'),
        (['run', 'offload-sleep', '--scale', '0x10'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', ' 1'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', 'inf'], '--scale takes a number'),
        (['run', 'offload-sleep', '--max-events', '0x10'], '--max-events takes a whole number from 1'),
        (['run', 'offload-sleep', '--max-events', '0'], '--max-events takes a whole number from 1'),
        (['check', 'bounded-pool', '--param', 'worker=4'], "has no parameter 'worker'; did you mean 'workers'?"),
        (['compare', 'bounded-pool', 'offload-sleep', '--param', 'workers=4'], "offload-sleep has no parameter"),
        (['replay', '/dev/zero'], "cannot read record '/dev/zero': byte 0: not a JSON object"),
        (['run', 'offload-sleep', '--bogus'], "unknown option '--bogus'"),
        (['run'], "'run' needs a"),
        (['rnu', 'offload-sleep'], "did you mean 'run'?"),
        (['chek'], "did you mean 'check'?"),
        ([], 'no command given'),
        (['run', HERE], 'is a directory'),
        (['run', '/nonexistent/x.py'], "cannot open Python program '/nonexistent/x.py'"),
        (['show', 'offload-sleep', 'extra'], "unexpected argument 'extra'"),
        (['list', 'extra'], "unexpected argument 'extra'"),
        (['compare', 'blocking-sleep'], "'compare' needs two"),
        (['compare', 'blocking-sleep', 'offlod-sleep'], "did you mean 'offload-sleep'?"),
        (['bench', 'everything'], "bench has no set 'everything'; the sets are overhead, loop, timers, start and all"),
        (['bench', 'timer'], "bench has no set 'timer'; did you mean 'timers'?"),
        (['bench', 'scale'], "bench has no set 'scale'; did you mean 'overhead'?"),
        (['replay'], 'needs a record file'),
    ]
    for args, message in cases:
        p = run(aiodemo, *args, check_status=2)
        if message not in p.stderr:
            raise Failure(f'aiodemo {" ".join(args)}: stderr {p.stderr!r} lacks {message!r}')
        if p.stdout:
            raise Failure(f'aiodemo {" ".join(args)} wrote to stdout: {p.stdout!r}')
        if len(p.stderr.splitlines()) > 2:
            raise Failure(f'aiodemo {" ".join(args)}: more than the error and a hint: {p.stderr!r}')
    out = run(aiodemo, '--help').stdout
    for command in COMMANDS:
        expect_in('--help', f'aiodemo {command}', out)
    expect_narrow('--help', out)
    if not re.fullmatch(r'aiodemo \S+\n', run(aiodemo, '--version').stdout):
        raise Failure('--version')


COMMANDS = ('list', 'run', 'serve', 'show', 'check', 'compare', 'replay', 'play', 'sweep', 'bench', 'help')
# A value each option takes, to try it with every command.
OPTION_VALUES = {'clients': '2', 'color': 'never', 'format': 'text', 'lang': 'en', 'html': 'x.html', 'max-events': '5',
                 'param': 'a=1', 'plot': 'total', 'port': '80', 'record': 'x.json', 'repeat': '2',
                 'scale': '1', 'slow': '1', 'svg': 'x.svg', 'svg-style': 'page', 'timeout': '1',
                 'trace': 'x.json', 'view': 'both', 'width': '80'}


def expect_narrow(what, text):
    wide = [line for line in text.splitlines() if display_width(line) > 80]
    if wide:
        raise Failure(f'{what} has lines wider than 80 columns: {wide}')


def help_options(text):
    """The long options that a help lists under 'options:'."""
    section = text.split('\noptions:\n', 1)[1].split('\n\n', 1)[0]
    return set(re.findall(r'^  (?:-\w, |    )--([\w-]+)', section, re.M))


def case_help(aiodemo):
    general = run(aiodemo, 'help').stdout
    expect_eq('aiodemo help', general, run(aiodemo, '--help').stdout)
    every = help_options(general)
    if not {'scale', 'tap', 'names', 'params', 'lang'} <= every:
        raise Failure(f'--help lacks options: {sorted(every)}')
    for command in COMMANDS:
        for lang in ('en', 'zh'):
            text = run(aiodemo, 'help', command, '--lang', lang).stdout
            expect_eq(f'aiodemo {command} --help --lang {lang}', run(aiodemo, command, '--help', '--lang', lang).stdout, text)
            expect_narrow(f'aiodemo help {command} --lang {lang}', text)
        text = run(aiodemo, 'help', command).stdout
        if command == 'help':
            expect_eq('aiodemo help help', text, general)
            continue
        if not text.startswith(f'usage: aiodemo {command}'):
            raise Failure(f'aiodemo help {command} begins {text[:40]!r}')
        if text.count('usage') != 1 or 'commands:' in text:
            raise Failure(f'aiodemo help {command} tells of other commands: {text!r}')
        # Exactly the options the command takes: each other one is refused.
        listed = help_options(text)
        for option in every:
            value = [OPTION_VALUES[option]] if option in OPTION_VALUES else []
            p = run(aiodemo, command, f'--{option}', *value, '--help', check_status=None)
            takes = p.returncode == 0
            if takes != (option in listed):
                raise Failure(f'aiodemo {command} --{option}: exit status {p.returncode}, {p.stderr!r}, '
                              f'but help {command} {"lists" if option in listed else "does not list"} it')
    for args, message in ((['help', 'rnu'], "unknown command 'rnu'; did you mean 'run'?"),
                          (['help', 'frobnicate'], "unknown command 'frobnicate'"),
                          (['help', 'run', 'show'], "unexpected argument 'show'"),
                          (['rnu', '--help'], "did you mean 'run'?")):
        p = run(aiodemo, *args, check_status=2)
        expect_in(f'aiodemo {" ".join(args)}', message, p.stderr)
        expect_eq(f'aiodemo {" ".join(args)}: stdout', p.stdout, '')


def case_names_and_params(aiodemo):
    names = run(aiodemo, 'list', '--names').stdout.split()
    expect_eq('list --names', names, [line.split()[0] for line in run(aiodemo, 'list').stdout.splitlines() if not line.startswith(' ')])
    expect_eq('show bounded-pool --params', run(aiodemo, 'show', 'bounded-pool', '--params').stdout, 'workers=3\n')
    expect_eq('show --params with --param',
              run(aiodemo, 'show', 'bounded-pool', '--params', '--param', 'workers=5').stdout, 'workers=5\n')
    expect_eq('show offload-sleep --params', run(aiodemo, 'show', 'offload-sleep', '--params').stdout, '')


def case_param_errors(aiodemo):
    p = run(aiodemo, 'run', 'bounded-pool', '--param', 'worker=4', check_status=2)
    expect_in('an unknown parameter', "bounded-pool has no parameter 'worker'", p.stderr)
    expect_eq('stdout', p.stdout, '')
    p = run(aiodemo, 'show', 'bounded-pool', '--param', 'worker=4', check_status=2)
    expect_in('show with an unknown parameter', "'worker'", p.stderr)
    # A value the program itself refuses fails as the program: CPython's error.
    events, summary = run_json(aiodemo, 'bounded-pool', '--param', 'workers=0', check_status=1)
    expect_eq('workers=0', summary['error'], 'ValueError: max_workers must be greater than 0')


def case_param_suggestion(aiodemo):
    # As for a mistyped command or program name.
    p = run(aiodemo, 'run', 'bounded-pool', '--param', 'worker=4', check_status=2)
    expect_in('an unknown parameter', "did you mean 'workers'?", p.stderr)
    p = run(aiodemo, 'run', prog('fetches.py'), '--param', 'secnd=3', check_status=2)
    expect_in('an unknown parameter', "did you mean 'second'?", p.stderr)


def case_ideal_option(aiodemo):
    # An option that is accepted must do something: the ideal run, or a refusal.
    p = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--format', 'json', '--ideal', check_status=None)
    if p.returncode == 2:
        expect_in('--ideal refused', '--ideal', p.stderr)
    elif not any(json.loads(l).get('kind') == 'ideal' for l in p.stdout.splitlines()):
        raise Failure(f'--ideal: exit {p.returncode}, no ideal run and no error: {p.stderr!r}')


def case_serve_command(aiodemo):
    # A program that starts no server: serve says so, and fails.
    p = run(aiodemo, 'serve', 'offload-sleep', '--scale', str(SCALE), check_status=None)
    if p.returncode == 0 or not p.stderr:
        raise Failure(f'serve offload-sleep: exit {p.returncode}, stderr {p.stderr!r}')


def case_serve_bounded(aiodemo):
    # A server under serve keeps answering with a thousand idle connections
    # that sent half a line, and its timeline stays bounded: past
    # --max-events, events are printed and counted, not kept, and the lanes
    # of the tasks that ended are used again.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)   # (aiodemo inherits it)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        raise Failure(f'this machine allows {hard} open files: the case needs 1200')
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200 if hard == resource.RLIM_INFINITY
                                                    else min(hard, 4096)), hard))
    record = os.path.join(WORK, 'serve.json')
    with Started(aiodemo, 'serve', prog('echo_server.py'), '--format', 'json', '--max-events', '300',
                 '--record', record) as p:
        said = p.read_until(lambda e: e['kind'] == 'say' and e['text'].startswith('serving on'), 'serving')
        port = int(said[-1]['text'].split()[-1])
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(p.p.stdout))
        reader.start()

        def ask(i):
            with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
                s.sendall(b'hi %d\n' % i)
                return s.makefile('rb').readline()
        idle = []
        try:
            for _ in range(1000):
                idle.append(socket.create_connection(('127.0.0.1', port), timeout=10))
                idle[-1].sendall(b'half a li')
            expect_eq('an answer beside 1000 idle connections', ask(-1), b'echo hi -1\n')
        finally:
            for s in idle:
                s.close()
        for i in range(400):
            expect_eq(f'request {i}', ask(i), b'echo hi %d\n' % i)

        def ended():
            return sum(1 for line in list(lines) if ' handle(' in line and
                       re.search(r'"kind":"(done|error|cancel)"', line))
        deadline = time.monotonic() + 20
        while ended() < 1401 and time.monotonic() < deadline:
            time.sleep(0.05)
        p.ctrl_c()
        status = p.p.wait(timeout=20)
        reader.join()   # (the only reader of stdout)
        err = p.p.stderr.read()
    expect_eq('serve after Ctrl-C', (status, err), (0, ''))
    events, summary = parse_json_stream(''.join(lines), 1, p.seen)
    done = [e for e in events if e['kind'] in ('done', 'error', 'cancel') and ' handle(' in e['lane']]
    if len(done) < 1401:
        raise Failure(f'{len(done)} handler tasks ended in the stream, not every one of 1401')
    expect_eq('events kept', summary.get('events_kept'), 300)
    if summary.get('events_not_kept', 0) < 1000:
        raise Failure(f'the summary counts {summary.get("events_not_kept")} events not kept')
    doc = schemas.check_file('record', record)
    expect_eq('events in the record', len(doc['events']), 300)
    if len(doc['lanes']) > 300:
        raise Failure(f'the record has {len(doc["lanes"])} lanes for 300 events')
    p = run(aiodemo, 'replay', record)
    expect_in('the replayed summary', 'the first 300 events kept, ', p.stdout)


def case_max_events(aiodemo):
    # A run that keeps 30 events prints all of them, says how many it did
    # not keep, and an expectation about a line it did not keep says so
    # rather than that the line was never said.
    p = run(aiodemo, 'run', 'semaphore', '--scale', str(SCALE), '--format', 'json', '--max-events', '30',
            check_status=None)
    events, summary = parse_json_stream(p.stdout)
    expect_eq('lines printed', len(says(events)), 10)
    expect_eq('events kept', summary['events_kept'], 30)
    if summary['events_not_kept'] < 20:
        raise Failure(f'{summary["events_not_kept"]} events not kept')
    p = run(aiodemo, 'check', 'semaphore', '--scale', str(CHECK_SCALE), '--max-events', '30', check_status=1)
    expect_in('check with 30 events kept', 'is not among the first 30 events, those kept (--max-events)',
              p.stdout)


def case_hostile_text(aiodemo):
    """Whatever a program prints, the stream is UTF-8 and the terminal gets
    no escape sequence (issue: invalid UTF-8 and controls reached them)."""
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8', TMPDIR=CHILD_TMP)
    path = prog('hostile_text.py')
    ref = subprocess.run(['/usr/bin/python3.11', path], capture_output=True, env=env, timeout=60)
    p = subprocess.run([aiodemo, 'run', path, '--format', 'json'], capture_output=True, env=env, timeout=60)
    expect_eq('exit status', p.returncode, ref.returncode)
    lines = []
    for raw in p.stdout.splitlines():
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as e:
            raise Failure(f'a line that is not UTF-8: {raw!r}: {e}')
        lines.append(json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(Failure(c))))
    schemas.check_stream(lines, 'the stream of hostile_text.py')
    says = [e['text'] for e in lines if e.get('kind') == 'say']
    expect_eq('the printed lines', says[:2], ['surrogate: \ufffd.', 'latin-1: \u00ff\u00fe'])
    expect_eq('a NUL, shown as its picture', says[2], 'a nul\u2400and after')
    expect_in('the colour line', 'colour: \x1b[31mred\x1b[0m', says[3])
    errs = [e['text'] for e in lines if e.get('kind') == 'stderr']
    expect_eq('stderr, as python3 writes it (backslashreplace)', errs, ['stderr surrogate: \\udc80'])
    t = subprocess.run([aiodemo, 'run', path, '--view', 'events'], capture_output=True, env=env, timeout=60)
    for c in (b'\x1b', b'\x07', b'\r'):
        if c in t.stdout:
            raise Failure(f'{c!r} reached the terminal: {t.stdout!r}')
    expect_in('the picture of ESC', '\u241b[31mred', t.stdout.decode())
    expect_in("the task's name, shown", 'evil\u241b]0;title\u2407task', t.stdout.decode())


# --- check and compare ---------------------------------------------------------

def case_check(aiodemo):
    good, bad = prog('fetches.py'), prog('wrong_expectations.py')
    p = run(aiodemo, 'check', '--scale', CHECK_SCALE, 'offload-sleep', good)
    lines = p.stdout.splitlines()
    if len(lines) != 3 or not lines[0].startswith('ok   offload-sleep') or not lines[1].startswith(f'ok   {good}'):
        raise Failure(f'check output: {p.stdout!r}')
    expect_eq('the last line', lines[2], '2 passed, 0 failed')
    p = run(aiodemo, 'check', '--scale', CHECK_SCALE, '--tap', 'offload-sleep', bad, check_status=1)
    lines = p.stdout.splitlines()
    expect_eq('TAP plan', lines[0], '1..2')
    if not lines[1].startswith('ok 1 - offload-sleep'):
        raise Failure(f'TAP line: {lines[1]!r}')
    if not any(l.startswith(f'not ok 2 - {bad}') for l in lines):
        raise Failure(f'no failure line: {p.stdout!r}')
    for piece in ('# NOT met: line 3: the run ends at', '# NOT met: line 4: "two" at',
                  '# NOT met: line 5: "two" comes after "one"', '# NOT met: line 6: "three" is never said',
                  '# met: line 7: "one" at'):
        expect_in('check --tap', piece, p.stdout)
    p = run(aiodemo, 'check', '--scale', str(SCALE), bad, check_status=1)
    expect_in('check', 'NOT met: line 6: "three" is never said', p.stdout)
    expect_in('check', '0 passed, 1 failed', p.stdout)
    # run reports unmet expectations in its summary but is not a failure.
    out = run(aiodemo, 'run', bad, '--scale', str(SCALE)).stdout
    expect_in('run summary', 'expectations   2 of 6 met; not met:\n    line 3: the run ends at', out)
    # An error nobody handled fails the check.
    p = run(aiodemo, 'check', '--scale', str(SCALE), prog('raises.py'), check_status=1)
    expect_in('check of a failing program', 'NOT met: the run ends with an error nobody handled', p.stdout)
    p = run(aiodemo, 'check', 'no-such-program', check_status=2)
    expect_in('check of an unknown name', "'no-such-program'", p.stderr)


def case_check_exit_status(aiodemo):
    p = run(aiodemo, 'check', '--scale', str(SCALE), prog('exit_status.py'), check_status=1)
    if not p.stdout.startswith('FAIL'):
        raise Failure(f'check of a program that exits 3: {p.stdout!r}')


def case_check_syntax_error(aiodemo):
    # A program that does not compile is found before anything runs, as a
    # bad header or an unknown name is.
    name, text = syntax_errors()[0]
    path = write_program(name, text)
    p = run(aiodemo, 'check', '--scale', str(SCALE), 'offload-sleep', path, check_status=2)
    expect_eq('stdout', p.stdout, '')
    e = compile_error(text, name)
    expect_in('stderr', f'{path}:{e.lineno}:{e.offset}: error: SyntaxError', p.stderr)


def compare_json(aiodemo, *args, check_status=0):
    p = run(aiodemo, 'compare', *args, '--scale', str(SCALE), '--format', 'json', check_status=check_status)
    d = json.loads(p.stdout)
    try:
        schemas.check('compare', d, 'the compare document')
    except schemas.Invalid as e:
        raise Failure(str(e))
    expect_eq('compare document kind', (d['kind'], d['schema']), ('compare', 1))
    for r in d['runs']:
        for key in FIGURE_KEYS:
            for part in ('figures', 'min', 'max', 'ratio'):
                if key not in r[part]:
                    raise Failure(f'run {r["label"]} has no {part}.{key}: {r}')
        expect_eq(f'run {r["label"]}: runs kept', len(r['each']), d['repeat'])
        if not 0 <= r['shown'] < d['repeat']:
            raise Failure(f'run {r["label"]} shows run {r["shown"]} of {d["repeat"]}')
    return d


def case_compare(aiodemo):
    d = compare_json(aiodemo, 'blocking-sleep', 'offload-sleep')
    a, b = d['runs']
    expect_eq('compared programs', (a['scenario'], b['scenario']), ('blocking-sleep', 'offload-sleep'))
    expect_eq('labels', (a['label'], b['label']), ('A', 'B'))
    expect_eq('statuses', (a['status'], b['status']), ('ok', 'ok'))
    expect_run_total('A total', a['figures']['total'], 3)
    expect_run_total('B total', b['figures']['total'], 2)
    if abs(b['ratio']['total'] - b['figures']['total'] / a['figures']['total']) > 1e-3:
        raise Failure(f'total ratio {b["ratio"]["total"]} of {b["figures"]["total"]} / {a["figures"]["total"]}')
    expect_eq('A against itself', a['ratio']['total'], 1)
    expect_at('A blocked', a['figures']['blocked'], 2)
    # time.sleep on the loop's thread uses no other; to_thread one worker.
    expect_eq('threads used', (a['figures']['threads'], b['figures']['threads']), (0, 1))
    expect_eq('processes used', (a['figures']['processes'], b['figures']['processes']), (0, 0))
    # Counting primes in two worker processes: two processes, no thread.
    d = compare_json(aiodemo, 'serial-primes', 'process-primes')
    expect_eq('processes used', [r['figures']['processes'] for r in d['runs']], [0, 2])
    expect_eq('threads used', [r['figures']['threads'] for r in d['runs']], [0, 0])
    expect_eq('B blocked', b['figures']['blocked'], 0)
    out = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE)).stdout
    for piece in ('A blocking-sleep\n  time.sleep(2) in a coroutine', 'B offload-sleep\n  to_thread',
                  'Task-2 bad_task()', 'asyncio/1', 'B/A', 'time blocked', 'max loop lag', 'loop busy',
                  'queue wait', '\n  threads used           0         1      -\n',
                  '\n  processes used         0         0  1.00x\n'):
        expect_in('compare output', piece, out)
    # Both charts share one axis: the shorter run ends early on it.
    rows = [l for l in out.splitlines() if l.startswith('Task-1 main() ')]
    if len(rows) != 2 or len(rows[1].rstrip()) > 0.85 * len(rows[0].rstrip()):
        raise Failure(f'the two main lanes are not on one axis: {rows}')
    # A program that fails: compared all the same, and the status says so.
    p = run(aiodemo, 'compare', prog('raises.py'), 'offload-sleep', '--scale', str(SCALE), check_status=1)
    expect_in('compare with a failing program', 'the run ended with error: ZeroDivisionError: division by zero',
              p.stdout)


def case_compare_runs_with_params(aiodemo):
    # Three runs, each with its own parameters (and a --param for all):
    # workers=3 takes 2 s, 4 and 8 take 1 s.
    d = compare_json(aiodemo, 'bounded-pool', 'bounded-pool workers=4', "bounded-pool  'workers=8'")
    runs = d['runs']
    expect_eq('labels', [r['label'] for r in runs], ['A', 'B', 'C'])
    expect_eq('parameters', [r['params'] for r in runs], [{}, {'workers': '4'}, {'workers': '8'}])
    expect_eq('runs as given', [r['run'] for r in runs], ['bounded-pool', 'bounded-pool workers=4',
                                                          'bounded-pool workers=8'])
    for r, seconds in zip(runs, (2, 1, 1)):
        expect_run_total(f'{r["run"]}: total', r['figures']['total'], seconds)
    # (The end of the interpreter is in every total, so the ratio to A is
    # not quite 0.5: it is the ratio of the totals.)
    for r in runs[1:]:
        if abs(r['ratio']['total'] - r['figures']['total'] / runs[0]['figures']['total']) > 1e-3:
            raise Failure(f'{r["run"]}: total ratio {r["ratio"]["total"]} is not its total over A\'s')
    # Four downloads: as many threads as the pool has, up to four.
    expect_eq('threads used', [r['figures']['threads'] for r in runs], [3, 4, 4])
    # The 4th download waits 1 s for a thread with 3, not at all with 4.
    expect_at('A queue wait', runs[0]['figures']['queue_wait'], 1)
    if TIMING and runs[1]['figures']['queue_wait'] > tol(0):
        raise Failure(f'B waited {runs[1]["figures"]["queue_wait"]} s in the queue')
    # The command's --param goes to every run; a run's own comes after it.
    d = compare_json(aiodemo, '--param', 'workers=1', 'bounded-pool', 'bounded-pool workers=4')
    expect_eq('parameters', [r['params'] for r in d['runs']], [{'workers': '1'}, {'workers': '4'}])
    expect_run_total('workers=1 total', d['runs'][0]['figures']['total'], 4)
    expect_run_total('workers=4 total', d['runs'][1]['figures']['total'], 1)
    # Its own scale: the same program at half the scale takes half the time.
    d = compare_json(aiodemo, 'offload-sleep', f'offload-sleep --scale {SCALE / 2}')
    expect_eq('scales', [r['scale'] for r in d['runs']], [SCALE, SCALE / 2])
    # 2 s of program time: 2 s at the command's scale, 1 s at half of it
    # (and the end of the interpreter, which no scale shortens, in both).
    expect_run_total('the total at the scale', d['runs'][0]['figures']['total'], 2)
    expect_run_total('the total at half the scale', d['runs'][1]['figures']['total'], 1)
    # Text: one chart a run, all on one axis, and a column and ratio for each.
    out = run(aiodemo, 'compare', 'bounded-pool', 'bounded-pool workers=4', 'bounded-pool workers=8',
              '--scale', str(SCALE)).stdout
    for piece in ('A bounded-pool\n', 'B bounded-pool workers=4\n', 'C bounded-pool workers=8\n', 'B/A', 'C/A'):
        expect_in('three-way compare', piece, out)
    rows = [l for l in out.splitlines() if l.startswith('Task-1 main() ')]
    if len(rows) != 3 or len(rows[1].rstrip()) > (0.75 if TIMING else 1) * len(rows[0].rstrip()):
        raise Failure(f'the main lanes are not on one axis: {rows}')
    total = next(l for l in out.splitlines() if l.strip().startswith('total'))
    if len(re.findall(r'\d\.\d\dx', total)) != 2:
        raise Failure(f'the total row has no ratio for B and C: {total!r}')


def case_compare_run_errors(aiodemo):
    cases = [
        (['bounded-pool', 'bounded-pool worker=4'], "did you mean 'workers'?"),
        (['bounded-pool', 'bounded-pool --svg x.svg'], "in the run 'bounded-pool --svg x.svg': '--svg' is not an option"),
        (['bounded-pool', 'bounded-pool workers'], "'workers' is not NAME=VALUE"),
        (['bounded-pool', "bounded-pool 'workers=4"], "a ' that is not closed"),
        (['bounded-pool', 'bounded-pool --scale 0'], '--scale takes a number'),
        (['bounded-pool', 'bounded-pool --scale'], '--scale takes a number'),
        (['bounded-pool', ' --scale 2'], 'it does not begin with a program'),
        (['bounded-pool', 'bounded-pool workers=x'], 'takes a number'),
        (['bounded-pool', 'offlod-sleep workers=4'], "did you mean 'offload-sleep'?"),
    ]
    for args, message in cases:
        p = run(aiodemo, 'compare', *args, check_status=2)
        expect_in(f'compare {args}', message, p.stderr)
        expect_eq(f'compare {args}: stdout', p.stdout, '')
    # A file whose name has spaces is a program as it is.
    spaced = os.path.join(WORK, 'a program.py')
    shutil.copy(prog('raises.py'), spaced)
    d = compare_json(aiodemo, 'offload-sleep', spaced, check_status=1)
    expect_eq('the spaced file', d['runs'][1]['status'], 'error')


def case_compare_repeat(aiodemo):
    d = compare_json(aiodemo, 'bounded-pool', 'bounded-pool workers=4', '--repeat', '3')
    expect_eq('repeat', d['repeat'], 3)
    for r in d['runs']:
        totals = sorted(e['figures']['total'] for e in r['each'])
        expect_eq(f'{r["run"]}: median', round(r['figures']['total'], 6), round(totals[1], 6))
        expect_eq(f'{r["run"]}: range', (round(r['min']['total'], 6), round(r['max']['total'], 6)),
                  (round(totals[0], 6), round(totals[-1], 6)))
        # The run shown is the one whose total is the median.
        expect_eq(f'{r["run"]}: shown', round(r['each'][r['shown']]['figures']['total'], 6), round(totals[1], 6))
    # 2 s against 1 s: far beyond the runs' own variation, and said so.
    expect_eq('notes', len(d['notes']), 1)
    expect_in('note', "B's total is 0.", d['notes'][0])
    if TIMING:
        # About half: 1 s against 2 s, and in both CPython's start and end,
        # which no scale shortens (some 40 ms on a busy machine).
        m = re.search(r"B's total is (\d\.\d+)x A's", d['notes'][0])
        if not m or not 0.45 <= float(m.group(1)) <= 0.7:
            raise Failure(f'B against A, not about half: {d["notes"][0]}')
        expect_in('note', 'beyond the runs\' own variation', d['notes'][0])
    # The same program twice: its ranges overlap, and the note says that.
    d = compare_json(aiodemo, 'offload-sleep', 'offload-sleep', '--repeat', '3')
    if TIMING and 'within the runs\' own variation' not in d['notes'][0] and \
            'what a busy machine makes' not in d['notes'][0]:
        raise Failure(f'the same program twice, said to differ: {d["notes"]}')
    out = run(aiodemo, 'compare', 'bounded-pool', 'bounded-pool workers=4', '--repeat', '2',
              '--scale', str(SCALE)).stdout
    for piece in ('run 1 of 2 shown: the median total', '  range', "B's total is"):
        if piece not in out and piece.replace('1 of', '2 of') not in out:
            raise Failure(f'compare --repeat output lacks {piece!r}: {out[-800:]}')


def case_run_repeat(aiodemo):
    p = run(aiodemo, 'run', 'bounded-pool', '--repeat', '3', '--scale', str(SCALE), '--format', 'json')
    events, summary = parse_json_stream(p.stdout)
    rep = summary['repeat']
    expect_eq('runs', (rep['runs'], rep['exit_statuses']), (3, [0, 0, 0]))
    f = rep['figures']['total']
    if not f['min'] <= f['median'] <= f['max']:
        raise Failure(f'median outside the range: {f}')
    # The stream is the shown run's, the one of the median total.
    expect_eq('the shown run', round(summary['total'], 6), round(f['median'], 6))
    expect_at('total', f['median'], 2)
    lines = [e['text'] for e in says(events)]
    expect_eq('first and last line', (lines[0], lines[-1]), ('📥 开始下载: url1', '✅ 完成下载: url4'))
    out = run(aiodemo, 'run', 'bounded-pool', '--repeat', '2', '--scale', str(SCALE)).stdout
    for piece in ('run 1 of 2: ', 'run 2 of 2: ', 'is shown: the median total', 'median of 2', 'range',
                  '✅ 完成下载: url4', 'what to notice'):
        expect_in('run --repeat', piece, out)
    # The program's arguments reach every run; its status is the runs'.
    p = run(aiodemo, 'run', '--repeat', '2', '--scale', str(SCALE), '--format', 'json', '--',
            prog('raises.py'), '-x', check_status=1)
    events, summary = parse_json_stream(p.stdout)
    expect_eq('statuses', summary['repeat']['exit_statuses'], [1, 1])
    # Records and pictures are the shown run's.
    rec = os.path.join(WORK, 'repeat.json')
    run(aiodemo, 'run', 'offload-sleep', '--repeat', '2', '--scale', str(SCALE), '--record', rec,
        '--view', 'gantt')
    again = run(aiodemo, 'replay', rec, '--format', 'json').stdout.splitlines()
    expect_run_total('the recorded run', json.loads(again[-1])['total'], 2)


def case_options_per_command(aiodemo):
    # An option that does not apply to a command is an error, never ignored.
    cases = [
        (['compare', 'offload-sleep', 'blocking-sleep', '--trace', 'x.json'], "--trace is not an option of 'compare'"),
        (['list', '--svg-style', 'slides'], "--svg-style is not an option of 'list'"),
        (['compare', 'offload-sleep', 'blocking-sleep', '--record', 'x.json'], "--record is not an option of 'compare'"),
        (['compare', 'offload-sleep', 'blocking-sleep', '--view', 'gantt'], "--view is not an option of 'compare'"),
        (['list', '--format', 'json'], "--format is not an option of 'list'"),
        (['list', '--scale', '2'], "--scale is not an option of 'list'"),
        (['show', 'bounded-pool', '--scale', '2'], "--scale is not an option of 'show'"),
        (['run', 'offload-sleep', '--tap'], "--tap is not an option of 'run'"),
        (['run', 'offload-sleep', '--port', '8080'], "--port is not an option of 'run'"),
        (['run', 'offload-sleep', '--quick'], "--quick is not an option of 'run'"),
        (['check', 'offload-sleep', '--format', 'json'], "--format is not an option of 'check'"),
        (['check', 'offload-sleep', '--repeat', '2'], "--repeat is not an option of 'check'"),
        (['check', 'offload-sleep', '--record', 'x.json'], "--record is not an option of 'check'"),
        (['replay', 'x.json', '--scale', '2'], "--scale is not an option of 'replay'"),
        (['replay', 'x.json', '--param', 'a=1'], "--param is not an option of 'replay'"),
        (['bench', '--scale', '2'], "--scale is not an option of 'bench'"),
        (['serve', 'offload-sleep', '--repeat', '2'], "--repeat is not an option of 'serve'"),
        (['play', 'offload-sleep', '--html', 'x.html'], "--html is not an option of 'play'"),
        (['run', 'offload-sleep', '--repeat', '0'], '--repeat takes a number of runs from 1 to 100'),
        (['run', 'offload-sleep', '--repeat', '101'], '--repeat takes a number of runs from 1 to 100'),
    ]
    for args, message in cases:
        p = run(aiodemo, *args, check_status=2)
        expect_in(f'aiodemo {" ".join(args)}', message, p.stderr)
        expect_eq(f'aiodemo {" ".join(args)}: stdout', p.stdout, '')
    # The message says where the option belongs.
    p = run(aiodemo, 'compare', 'a', 'b', '--tap', check_status=2)
    expect_in('--tap', "(only of 'check')", p.stderr)


# --- sweep ---------------------------------------------------------------------

FIGURE_KEYS = ['total', 'max_lag', 'lag_p99', 'queue_wait', 'blocked', 'utilization', 'threads', 'processes']
# bounded-pool's four 1 s downloads on N workers: 4 s, 2 s, 2 s, then 1 s.
POOL_TOTALS = {1: 4, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1}


def sweep_json(aiodemo, *args, check_status=0, **kw):
    p = run(aiodemo, 'sweep', *args, '--format', 'json', check_status=check_status, **kw)
    try:
        d = json.loads(p.stdout)
    except ValueError as e:
        raise Failure(f'sweep --format json: not one JSON document: {e}: {p.stdout[-500:]!r}')
    try:
        schemas.check('sweep', d, 'the sweep document')
    except schemas.Invalid as e:
        raise Failure(str(e))
    for key in ('kind', 'schema', 'aiodemo', 'program', 'scale', 'repeat', 'timeout', 'params', 'values',
                'fixed', 'plot', 'points', 'runs', 'failed', 'interrupted'):
        if key not in d:
            raise Failure(f'the sweep document has no {key!r}: {sorted(d)}')
    expect_eq('kind', (d['kind'], d['schema']), ('sweep', 1))
    for pt in d['points']:
        expect_eq('a point\'s figures', list(pt['figures']), FIGURE_KEYS)
        ok = [r for r in pt['runs'] if r['status'] == 'ok']
        expect_eq('a point\'s ok runs', pt['ok'], len(ok))
        for key in FIGURE_KEYS:
            values = sorted(r['figures'][key] for r in ok)
            f = pt['figures'][key]
            expect_eq(f'{key}: n', f['n'], len(values))
            if not values:
                expect_eq(f'{key} of no run', (f['median'], f['min'], f['max']), (None, None, None))
                continue
            median = (values[(len(values) - 1) // 2] + values[len(values) // 2]) / 2
            if abs(f['median'] - median) > 2e-6 or (f['min'], f['max']) != (values[0], values[-1]):
                raise Failure(f'{key}: {f} is not the spread of {values}')
    return p, d


def case_sweep_bounded_pool(aiodemo):
    args = ['bounded-pool', 'workers=1..6', '--repeat', '2', '--scale', str(SCALE)]
    p, d = sweep_json(aiodemo, *args)
    version = run(aiodemo, '--version').stdout.split()[1]
    expect_eq('the document', (d['aiodemo'], d['program']['name'], d['scale'], d['repeat'], d['params'],
                               d['values'], d['fixed'], d['plot'], d['runs'], d['failed'], d['interrupted']),
              (version, 'bounded-pool', SCALE, 2, ['workers'], {'workers': ['1', '2', '3', '4', '5', '6']}, {},
               'total', 12, 0, None))
    expect_eq('the points, in order', [pt['params'] for pt in d['points']],
              [{'workers': str(n)} for n in range(1, 7)])
    first = d['points'][0]['figures']['total']['median']
    for pt in d['points']:
        n = int(pt['params']['workers'])
        expect_eq(f'workers={n}: runs', [(r['run'], r['status'], r['exit_status']) for r in pt['runs']],
                  [(1, 'ok', 0), (2, 'ok', 0)])
        for r in pt['runs']:
            expect_run_total(f'workers={n}, run {r["run"]}', r['figures']['total'], POOL_TOTALS[n])
        if abs(pt['speedup'] - first / pt['figures']['total']['median']) > 1e-3:
            raise Failure(f'workers={n}: speedup {pt["speedup"]}, the first total over this one is not that')
    # Four workers or more: no download waits in the queue.
    waits = [pt['figures']['queue_wait']['median'] for pt in d['points']]
    if TIMING and not (min(waits[:3]) > 0.8 * SCALE and max(waits[3:]) < 0.2 * SCALE):
        raise Failure(f'queue waits {waits}')
    # CSV: a row a run, in the same order, agreeing with the JSON within the
    # runs' own variation.
    p = subprocess.run([aiodemo, 'sweep', *args, '--format', 'csv'], capture_output=True, env=child_env(),
                       cwd=SCRATCH, timeout=60)
    expect_eq('sweep --format csv: exit status', p.returncode, 0)
    if not p.stdout.endswith(b'\r\n') or b'\n' in p.stdout.replace(b'\r\n', b''):
        raise Failure(f'CSV lines do not end in CRLF: {p.stdout[:200]!r}')
    import csv
    rows = list(csv.reader(p.stdout.decode().splitlines()))
    expect_eq('CSV header', rows[0], ['workers', 'run', 'status', 'exit_status', 'signal', 'message'] + FIGURE_KEYS)
    expect_eq('CSV rows', [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows[1:]],
              [(str(n), str(k), 'ok', '0', '', '') for n in range(1, 7) for k in (1, 2)])
    for r in rows[1:]:
        n = int(r[0])
        total = float(r[6])
        expect_run_total(f'CSV workers={n}', total, POOL_TOTALS[n])
        median = d['points'][n - 1]['figures']['total']['median']
        if TIMING and abs(total - median) > 2 * tol(POOL_TOTALS[n]) + FINISH:
            raise Failure(f'CSV workers={n}: total {total}, JSON {median}')
    # Text: a heading, a row a point in order, then the plot.
    out = run(aiodemo, 'sweep', *args).stdout
    lines = out.splitlines()
    expect_eq('the heading', lines[0].split(':')[0], 'bounded-pool')
    # (The title takes two lines of 100 columns.)
    expect_in('the heading', f'sweep of workers = 1..6 (6 values), 2 runs each, scale {SCALE:g}, no timeout',
              next(l for l in lines if l.startswith('sweep of')))
    head = next(i for i, l in enumerate(lines) if l.split()[:2] == ['workers', 'total'])
    for piece in ('min..max', 'loop lag p99', 'queue wait', 'time blocked', 'speedup'):
        expect_in('the table\'s head', piece, lines[head])
    table = lines[head + 1:head + 7]
    expect_eq('the rows, in order', [l.split()[0] for l in table], [str(n) for n in range(1, 7)])
    for l in table:
        n = int(l.split()[0])
        m = re.match(r'\s+\d+\s+([\d.]+) (ms|s)\s+[\d.]+\.\.[\d.]+ (ms|s)\s', l)
        if not m:
            raise Failure(f'row {l!r}')
        expect_run_total(f'text: workers={n}', float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1),
                          POOL_TOTALS[n])
        if not l.endswith('x'):
            raise Failure(f'no speedup in {l!r}')
    expect_eq('the first speedup', table[0].split()[-1], '1.00x')
    plot = lines[head + 8:]
    expect_eq('the plot\'s title', plot[0], 'total against workers (the median of 2 runs)')
    if not any(l.split() == [str(n) for n in range(1, 7)] for l in plot):
        raise Failure(f'no x axis with the values 1 to 6:\n{out}')
    expect_in('the plot', 'workers', plot[-2])
    expect_in('the legend', '│ min..max', plot[-1])
    if sum(l.count('●') for l in plot) != 6:
        raise Failure(f'not six points in the plot:\n{out}')
    # The plot's height goes with the figures: 4 s above 1 s.
    rows_of = [i for i, l in enumerate(plot) if '●' in l]
    if len(rows_of) < 2:
        raise Failure(f'the points are all on one row:\n{out}')
    # ASCII without a UTF-8 locale, the width of a narrow terminal.
    out = run(aiodemo, 'sweep', *args, env=child_env(LC_ALL='C', COLUMNS='60')).stdout
    if any(ord(c) > 127 for c in out):
        raise Failure(f'not ASCII in the C locale:\n{out}')
    plot = out[out.index('total against workers'):].splitlines()
    if max(len(l) for l in plot) > 60 or sum(l.count('o') for l in plot[1:-3]) != 6:
        raise Failure(f'the ASCII plot in 60 columns:\n{out}')


def case_sweep_failures(aiodemo):
    # At n = 1 (at=1) the program goes wrong as fate says: each row says how,
    # and the sweep goes on; a run that failed makes the status 1.
    target = prog('sweep_target.py')
    # (AddressSanitizer takes SIGSEGV, to report it, and exits 1, unless told not to.)
    # (ThreadSanitizer too, and exits 66.)
    env = child_env(ASAN_OPTIONS=os.environ.get('ASAN_OPTIONS', '') + ':handle_segv=0',
                    TSAN_OPTIONS=os.environ.get('TSAN_OPTIONS', '') + ':handle_segv=0') if SANITIZED else None
    p = run(aiodemo, 'sweep', target, 'fate=0,1,4,5', '--param', 'at=1', '--scale', str(SCALE), check_status=1,
            env=env)
    lines = p.stdout.splitlines()
    expect_in('the heading', f'sweep of fate = 0,1,4,5 (4 values), 1 run each, scale {SCALE:g}, no timeout, with at=1',
              lines[1])
    head = next(i for i, l in enumerate(lines) if l.split()[:2] == ['fate', 'total'])
    rows = [l.strip() for l in lines[head + 1:head + 5]]
    if not re.match(r'0\s+[\d.]+ ms\s', rows[0]) or not rows[0].endswith('1.00x'):
        raise Failure(f'the row of the run that ended: {rows[0]!r}')
    expect_eq('the rows of the runs that failed', [re.sub(r'\s+', ' ', r) for r in rows[1:]],
              ['1 exit 1: ZeroDivisionError: division by zero', '4 killed by SIGSEGV', '5 exit 3'])
    expect_in('the end', '3 of 4 runs failed', p.stdout)
    # Two runs of a point, one of which fails: the row tells the one that
    # ended, and which failed.
    p, d = sweep_json(aiodemo, target, 'n=1..3', 'm=1,2', '--param', 'at=2', '--scale', str(SCALE),
                      check_status=1)
    expect_eq('the grid, the first parameter outermost', [(pt['params']['n'], pt['params']['m']) for pt in d['points']],
              [('1', '1'), ('1', '2'), ('2', '1'), ('2', '2'), ('3', '1'), ('3', '2')])
    expect_eq('statuses', [pt['runs'][0]['status'] for pt in d['points']], ['ok', 'ok', 'error', 'error', 'ok', 'ok'])
    bad = d['points'][2]['runs'][0]
    expect_eq('a failed run', (bad['exit_status'], bad['signal'], bad['message'], bad['error']),
              (1, None, 'exit 1: ZeroDivisionError: division by zero', 'ZeroDivisionError: division by zero'))
    if bad['figures'] is None or d['points'][2]['figures']['total']['n'] != 0 or d['points'][2]['speedup'] is not None:
        raise Failure(f'a failed run has its figures but counts in no spread: {d["points"][2]}')
    expect_eq('the count of failed runs', (d['runs'], d['failed']), (6, 2))
    # m multiplies the sleeps: n=3, m=2 takes 0.6 s.
    expect_run_total('n=3, m=2', d['points'][5]['figures']['total']['median'], 0.6)


def descendants_of_env(tmpdir, grace=3):
    """The processes whose TMPDIR is @tmpdir (every child of these tests'
    aiodemo), as "PID (COMMAND LINE)", once those ending have had @grace
    seconds to: a process that SIGKILL or its parent's death ends takes a
    moment to go on a loaded machine."""
    deadline = time.monotonic() + grace
    while True:
        found = processes_of_env(tmpdir)
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    out = []
    for pid in found:
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                line = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
            out.append(f'{pid} ({line[:200]})')
        except OSError:
            pass
    return out


def processes_of_env(tmpdir):
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f'/proc/{pid}/environ', 'rb') as f:
                env = f.read().split(b'\0')
            with open(f'/proc/{pid}/stat') as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            continue
        if f'TMPDIR={tmpdir}'.encode() in env and state != 'Z':
            found.append(int(pid))
    return found


def case_sweep_timeout(aiodemo):
    # fate 2 waits forever on the loop: SIGTERM stops it. fate 3 blocks the
    # loop in time.sleep, which SIGTERM does not stop: SIGKILL, 2 s later.
    limit = 3 if SANITIZED else 1
    t0 = time.monotonic()
    p, d = sweep_json(aiodemo, prog('sweep_target.py'), 'fate=2,3,0', '--param', 'at=1', '--scale', str(SCALE),
                      '--timeout', str(limit), check_status=1)
    took = time.monotonic() - t0
    expect_eq('the timeout', d['timeout'], limit)
    runs = [pt['runs'][0] for pt in d['points']]
    expect_eq('statuses', [(r['status'], r['exit_status'], r['message']) for r in runs],
              [('timeout', None, f'timeout after {limit} s'), ('timeout', None, f'timeout after {limit} s'),
               ('ok', 0, None)])
    expect_eq('the signals that ended them', [r['signal'] for r in runs], ['SIGTERM', 'SIGKILL', None])
    if not 2 * limit + 2 <= took < 2 * limit + 2 + (20 if SANITIZED else 5):
        raise Timing(f'the sweep took {took:.1f} s: two timeouts of {limit} s and a SIGKILL 2 s after SIGTERM')
    left = descendants_of_env(CHILD_TMP)
    if left:
        raise Failure(f'processes left after the sweep: {left}')
    # A built-in program, whose run has a directory of its own, and whose
    # worker processes count primes: all gone after the timeout (and the
    # case checks that TMPDIR is empty).
    p, d = sweep_json(aiodemo, 'process-primes', 'upto=400000000', '--timeout', str(limit), check_status=1)
    expect_eq('process-primes past its timeout', d['points'][0]['runs'][0]['status'], 'timeout')
    left = descendants_of_env(CHILD_TMP)
    if left:
        raise Failure(f'processes left after the sweep of process-primes: {left}')


def case_sweep_interrupt(aiodemo):
    # Ctrl-C in the middle: the rows so far, that it was interrupted, and
    # the end by SIGINT.
    with Started(aiodemo, 'sweep', prog('sweep_target.py'), 'n=1..8', '--scale', '1') as p:
        seen = ''
        for line in p.p.stdout:
            seen += line
            if line.split()[:1] == ['2']:
                break
        p.ctrl_c()
        status, out, err = p.finish()
    out = seen + out
    expect_eq('ended by SIGINT', status, -signal.SIGINT)
    expect_eq('stderr', err, '')
    # Ctrl-C comes once this script has read the second row: a point or
    # more later if this script was slow to read it on a busy machine.
    m = re.search(r'\ninterrupted by SIGINT after (\d) of 8 points\n', out)
    if not m or not 2 <= int(m.group(1)) < 8:
        raise Failure(f'the end: no "interrupted by SIGINT after K of 8 points", K from 2 to 7, in:\n{out}')
    done = [str(k) for k in range(1, int(m.group(1)) + 1)]
    # The next point's row, if its run had begun, says it was interrupted.
    rows = [l.split()[0] for l in out.split('\ninterrupted')[0].splitlines() if re.match(r'\s+\d\s', l)]
    if rows not in (done, done + [str(len(done) + 1)]) or (len(rows) > len(done) and 'interrupted by SIGINT\n' not in out):
        raise Failure(f'the rows of an interrupted sweep:\n{out}')
    expect_in('the plot of what was done', 'total against n', out)


def case_sweep_usage_errors(aiodemo):
    target = prog('sweep_target.py')
    cases = [
        (['sweep'], "'sweep' needs a program name or file"),
        (['sweep', 'bounded-pool'], "'sweep' needs a parameter of bounded-pool to sweep"),
        (['sweep', 'bounded-pol', 'workers=1,2'], "did you mean 'bounded-pool'?"),
        (['sweep', 'bounded-pool', 'worker=1..3'], "bounded-pool has no parameter 'worker'; did you mean 'workers'?"),
        (['sweep', 'bounded-pool', 'workers'], "'workers' is not a parameter to sweep: write NAME=LIST"),
        (['sweep', 'bounded-pool', 'workers='], "'workers=' is not a parameter to sweep"),
        (['sweep', 'bounded-pool', 'workers=1..x'], "workers=1..x: 'x' is not a number: a range is FIRST..LAST"),
        (['sweep', 'bounded-pool', 'workers=1..6:'], "workers=1..6:: '' is not a number"),
        (['sweep', 'bounded-pool', 'workers=0x1..6'], "'0x1' is not a number"),
        (['sweep', 'bounded-pool', 'workers=6..1'], 'workers=6..1: the range is empty'),
        (['sweep', 'bounded-pool', 'workers=1..6:0'], 'workers=1..6:0: the step must be greater than 0'),
        (['sweep', 'bounded-pool', 'workers=1..6:-1'], "'-1' is not a number" if False else 'the step must be greater than 0'),
        (['sweep', 'bounded-pool', 'workers=1,,2'], 'workers=1,,2: an empty value in the list'),
        (['sweep', 'bounded-pool', 'workers=1,two'], "workers=1,two: 'two' is not a number (or True, False, None)"),
        (['sweep', 'bounded-pool', 'workers=1,2,1'], "workers=1,2,1: '1' is in the list twice"),
        (['sweep', 'bounded-pool', 'workers=1..5000'], 'workers=1..5000 has 5000 values, more than the 1000 points'),
        (['sweep', target, 'n=1..100', 'm=1..11'], 'the grid has 1100 points (100 x 11), more than the 1000'),
        (['sweep', 'bounded-pool', 'workers=1,2', 'workers=3'], 'workers is swept twice (workers=1,2 and workers=3)'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--param', 'workers=3'],
         'workers is swept: it cannot be set with --param workers=3 too'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--param', 'worker=3'], "did you mean 'workers'?"),
        (['sweep', 'bounded-pool', 'workers=1,2', '--repeat', '0'], '--repeat takes a number of runs from 1 to 100'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--repeat', '101'], '--repeat takes a number of runs from 1 to 100'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--repeat', '2x'], '--repeat takes a number of runs'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--timeout', '0'], '--timeout takes seconds greater than 0'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--timeout', 'soon'], '--timeout takes seconds'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--plot', 'nosuch'],
         "--plot takes a figure (total, max_lag, lag_p99, queue_wait, blocked, utilization, threads or processes), "
         "not 'nosuch'"),
        (['sweep', 'bounded-pool', 'workers=1,2', '--plot', 'totl'], "not 'totl'; did you mean 'total'?"),
        (['sweep', 'bounded-pool', 'workers=1,2', '--format', 'xml'], '--format takes text or json (sweep: or csv)'),
        (['sweep', 'bounded-pool', 'workers=1,2', '--svg', '/nonexistent/plot.svg'], "cannot write the SVG to"),
        (['run', 'offload-sleep', '--format', 'csv'], "--format csv is for 'sweep': run writes text or json"),
        (['compare', 'offload-sleep', 'blocking-sleep', '--format=csv'], "--format csv is for 'sweep'"),
        (['run', 'offload-sleep', '--timeout', '5'], "--timeout is not an option of 'run' (only of 'sweep')"),
        (['check', '--repeat', '3'], "--repeat is not an option of 'check'"),
        (['check', '--plot', 'total'], "--plot is not an option of 'check' (only of 'sweep')"),
        (['swep', 'bounded-pool', 'workers=1'], "did you mean 'sweep'?"),
    ]
    for args, message in cases:
        p = run(aiodemo, *args, check_status=2)
        if message not in p.stderr:
            raise Failure(f'aiodemo {" ".join(args)}: stderr {p.stderr!r} lacks {message!r}')
        if p.stdout:
            raise Failure(f'aiodemo {" ".join(args)} wrote to stdout: {p.stdout!r}')
        if len(p.stderr.splitlines()) > 2:
            raise Failure(f'aiodemo {" ".join(args)}: more than the error and a hint: {p.stderr!r}')
    out = run(aiodemo, '--help').stdout
    for piece in ('aiodemo sweep NAME|FILE.py PARAM=LIST|RANGE...', '--repeat=K', '--timeout=SECONDS', '--plot=FIGURE'):
        expect_in('--help', piece, out)


def case_sweep_values(aiodemo):
    # Ranges with a step, and lists: the values as --param takes them, in
    # the order given (show prints the program with a value set).
    target = prog('sweep_target.py')
    for spec, values in (('0.5..2:0.5', ['0.5', '1.0', '1.5', '2.0']), ('1..9:2', ['1', '3', '5', '7', '9']),
                         ('-1..1:0.5', ['-1.0', '-0.5', '0.0', '0.5', '1.0']), ('0.1..0.3:0.1', ['0.1', '0.2', '0.3']),
                         ('8,2,4', ['8', '2', '4']), ('3', ['3'])):
        p, d = sweep_json(aiodemo, target, f'm={spec}', '--param', 'n=1', '--scale', str(SCALE))
        expect_eq(f'm={spec}', d['values']['m'], values)
        expect_eq(f'm={spec}: points', [pt['params']['m'] for pt in d['points']], values)


def case_sweep_svg(aiodemo):
    import xml.etree.ElementTree as ET
    svg = os.path.join(WORK, 'sweep.svg')
    target = prog('sweep_target.py')
    p, d = sweep_json(aiodemo, target, 'n=1..4', 'm=1,2', '--param', 'at=3', '--repeat', '2', '--scale', str(SCALE),
                      '--plot', 'max_lag', '--svg', svg, check_status=1)
    expect_eq('the plotted figure', d['plot'], 'max_lag')
    try:
        root = ET.parse(svg).getroot()
    except ET.ParseError as e:
        raise Failure(f'the SVG is not well-formed XML: {e}')
    ns = '{http://www.w3.org/2000/svg}'
    expect_eq('the root', root.tag, ns + 'svg')
    texts = [t.text for t in root.iter(ns + 'text')]
    expect_in('the title', 'sweep-target: max loop lag against n (the median of 2 runs)', texts[0])
    for piece in ('1', '2', '3', '4', 'n', 'm=1', 'm=2', 'min..max'):
        if piece not in texts:
            raise Failure(f'the SVG has no text {piece!r}: {texts}')
    series = [g for g in root.iter(ns + 'g') if g.get('class') == 'series']
    expect_eq('series', len(series), 2)
    # A point for each (n, m) that ran, n=3 failing: its value in its title.
    points = [el for g in series for el in g if el.get('class') == 'point']
    want = {}
    for pt in d['points']:
        if pt['figures']['max_lag']['n']:
            want[f'n={pt["params"]["n"]}, m={pt["params"]["m"]}'] = pt['figures']['max_lag']
    got = {el.find(ns + 'title').text.split(':')[0]: el.find(ns + 'title').text for el in points}
    expect_eq('the points', sorted(got), sorted(want))
    ranges = [el for g in series for el in g if el.get('class') == 'range']
    expect_eq('a range for each point', len(ranges), len(want))
    # With --format text too, and no SVG when nothing would be written into
    # a directory that is not there.
    out = run(aiodemo, 'sweep', target, 'n=1,2', '--scale', str(SCALE), '--svg', svg).stdout
    expect_in('text beside the SVG', 'total against n', out)
    ET.parse(svg)
    # As a slide: 16:9, the plot scaled up so that its 13 pixels are large type.
    run(aiodemo, 'sweep', target, 'n=1,2', '--scale', str(SCALE), '--svg', svg, '--svg-style', 'slides')
    root = ET.parse(svg).getroot()
    expect_eq('the viewBox of a slide', root.get('viewBox'), '0 0 1920 1080')
    g = next(g for g in root.iter(ns + 'g') if 'scale(' in (g.get('transform') or ''))
    k = float(re.search(r'scale\(([0-9.]+)\)', g.get('transform')).group(1))
    sizes = [float(e.get('font-size')) * k for e in g.iter() if e.get('font-size')]
    if not sizes or min(sizes) < 24:
        raise Failure(f'type on the slide: {sizes}')
    expect_in('the slide\'s title', 'sweep-target: total against n', ''.join(g.find(ns + 'text').itertext()))


# --- files: records, traces, pictures -----------------------------------------------

def case_record_replay(aiodemo):
    rec, trace, svg = (os.path.join(WORK, n) for n in ('run.json', 'trace.json', 'chart.svg'))
    live = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json',
               '--record', rec, '--trace', trace, '--svg', svg).stdout.splitlines()
    again = run(aiodemo, 'replay', rec, '--format', 'json').stdout.splitlines()
    parse_json_stream('\n'.join(live))
    parse_json_stream('\n'.join(again))
    expect_eq('replayed JSON header and events', again[:-1], live[:-1])
    a, b = json.loads(live[-1]), json.loads(again[-1])
    for key in ('status', 'total', 'max_lag', 'tasks', 'jobs', 'blocked', 'expectations'):
        expect_eq(f'replayed summary {key}', b[key], a[key])
    text = run(aiodemo, 'replay', rec, '--view', 'gantt').stdout
    for piece in ('bounded-pool: ', 'ThreadPoolExecutor-0 queue', 'ThreadPoolExecutor-0/3', 'summary',
                  'what to notice'):
        expect_in('replay --view gantt', piece, text)
    # A text run and the replay of its record print the same.
    rec2 = os.path.join(WORK, 'run2.json')
    live = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--record', rec2).stdout
    again = run(aiodemo, 'replay', rec2).stdout
    expect_eq('the replayed text', again, live)
    doc = schemas.check_file('record', rec)
    expect_eq('record format', (doc['format'], doc['version']), ('aiodemo-record', 3))
    expect_eq('recorded program', doc['scenario']['name'], 'bounded-pool')
    with open(os.path.join(SCENARIOS, 'bounded-pool.py'), encoding='utf-8') as f:
        expect_eq('the recorded program', doc['program'],
                  {'file': 'bounded-pool.py', 'text': f.read(), 'args': [],
                   'params': [{'name': 'workers', 'value': '3', 'declared': '3', 'set': False}]})
    # A record of a version before 2 is refused, and says what to do; so
    # is one of a version to come.
    for version, why in ((1, '(record the run again: aiodemo run PROGRAM --record FILE)'),
                         (4, '(a newer aiodemo wrote it)')):
        old = write_program('old.json', json.dumps(dict(doc, version=version)))
        p = run(aiodemo, 'replay', old, check_status=2)
        expect_in('replay of a record of another version',
                  f'a record of version {version}; this aiodemo reads versions 2 and 3 {why}', p.stderr)
    names = {e['args']['name'] for e in schemas.check_file('trace', trace)['traceEvents']
             if e.get('name') == 'thread_name'}
    for lane in ('ThreadPoolExecutor-0/1', 'ThreadPoolExecutor-0/3', "Task-5 download_task('url4')"):
        if lane not in names:
            raise Failure(f'no trace track for {lane!r}: {names}')
    with open(svg) as f:
        expect_in('the SVG', 'bounded-pool', f.read(500))
    bad = write_program('bad.json', '{"format": "something else"}')
    p = run(aiodemo, 'replay', bad, check_status=2)
    expect_in('replay of a bad file', 'not an aiodemo record', p.stderr)
    p = run(aiodemo, 'replay', os.path.join(WORK, 'missing.json'), check_status=2)
    expect_in('replay of a missing file', 'cannot read record', p.stderr)
    # Paths are checked before the run: a bad one costs no run.
    p = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--record', '/nonexistent/r.json',
            check_status=2)
    expect_in('a record that cannot be written', "cannot write the record to '/nonexistent/r.json'", p.stderr)
    expect_eq('the output of a refused run', p.stdout, '')
    target = os.path.join(WORK, 'own.py')
    with open(target, 'w') as f:
        f.write('print("mine")\n')
    p = run(aiodemo, 'run', target, '--record', target, check_status=2)
    expect_in('a record over the program', 'which this command reads', p.stderr)
    with open(target) as f:
        expect_eq('the program, kept', f.read(), 'print("mine")\n')
    same = os.path.join(WORK, 'same.out')
    p = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--record', same, '--svg', same, check_status=2)
    expect_in('two files on one path', 'would both be written to', p.stderr)
    p = run(aiodemo, 'replay', rec, '--record', rec, check_status=2)
    expect_in('a replay over its own record', 'which this command reads', p.stderr)
    # Written whole, then put in place: no temporary file stays beside it.
    leftovers = [n for n in os.listdir(os.path.dirname(rec)) if n.startswith('.') and '.json.' in n]
    expect_eq('temporary files beside the record', leftovers, [])


PROBE = """\
# aiodemo: name header-probe
# aiodemo: title what the header says
# aiodemo: param first = 2 at "FIRST = 2"
# aiodemo: param second = 0.5 at "SECOND = 0.5"
# aiodemo: end
import asyncio
import os
import platform
import sys

FIRST = 2
SECOND = 0.5


async def main():
    await asyncio.sleep(0.1)
    print(platform.python_version(), os.cpu_count(), FIRST, SECOND, *sys.argv[1:])

asyncio.run(main())
"""


def utc_now():
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def case_stream_header(aiodemo):
    # The first line tells of the run: the program, its arguments, the
    # value of each parameter and those --param set, the scale, the
    # machine, the versions, the moment.
    path = write_program('probe.py', PROBE)
    version = run(aiodemo, '--version').stdout.split()[-1]
    before = utc_now()
    head, events, _ = parse_json_stream(run(aiodemo, 'run', path, 'one', 'two words', '--scale', str(SCALE),
                                            '--format', 'json', '--param', 'first=7').stdout, header=True)
    after = utc_now()
    python, cpus, first, second, *args = says(events)[0]['text'].split(' ', 4)
    expect_eq('what the program saw', (first, second, args), ('7', '0.5', ['one two words']))
    expect_eq('the scenario', head['scenario'], {'name': 'header-probe', 'title': 'what the header says',
                                                 'source': None})
    expect_eq('the file', head['file'], path)
    expect_eq('the arguments', head['args'], ['one', 'two words'])
    expect_eq('the parameters', head['params'], {'first': '7', 'second': '0.5'})
    expect_eq('the parameters --param set', head['params_set'], ['first'])
    expect_eq('the scale', head['scale'], SCALE)
    expect_eq('the schema', head['schema'], 1)
    expect_eq('the version of aiodemo', head['aiodemo'], version)
    expect_eq('the version of CPython, as the program sees it', head['python'], python)
    expect_eq('the CPUs, as os.cpu_count() counts them', head['machine']['cpus'], os.cpu_count())
    expect_eq('the CPUs, as the program counts them', str(head['machine']['cpus']), cpus)
    u = os.uname()
    expect_eq('the kernel', head['machine']['kernel'], f'{u.sysname} {u.release} {u.machine}')
    expect_eq('the hostname', head['machine'].get('hostname'), socket.gethostname())
    if not before <= head['started'] <= after:
        raise Failure(f'started {head["started"]}, not between {before} and {after}')
    # A built-in, with none set and with one, and serve's --port.
    head, _, _ = parse_json_stream(run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE),
                                       '--format', 'json').stdout, header=True)
    expect_eq('bounded-pool: the file', head['file'], 'bounded-pool.py')
    expect_eq('bounded-pool: the parameters', (head['params'], head['params_set'], head['args']),
              ({'workers': '3'}, [], []))
    head, _, _ = parse_json_stream(run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format',
                                       'json', '--param', 'workers=4').stdout, header=True)
    expect_eq('bounded-pool --param workers=4', (head['params'], head['params_set']),
              ({'workers': '4'}, ['workers']))
    # The text heading says the values --param set, after the scale; so
    # does the SVG's.
    svg = os.path.join(WORK, 'workers.svg')
    out = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--param', 'workers=4',
              '--view', 'events', '--svg', svg).stdout
    expect_in('the text heading', f'feature 2 · scale {SCALE:g} · workers=4\n', out)
    with open(svg, encoding='utf-8') as f:
        expect_in('the SVG\'s heading', f', scale {SCALE:g}, workers=4, loop busy ', f.read(2000))
    out = run(aiodemo, 'run', path, '--scale', str(SCALE), '--param', 'second=1', '--param', 'first=3',
              '--view', 'events', env=child_env(LC_ALL='C')).stdout
    expect_in('the text heading, ASCII, in the header\'s order', f'\nscale {SCALE:g} - first=3 - second=1\n', out)
    out = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--view', 'events').stdout
    expect_in('the text heading without --param', f'feature 2 · scale {SCALE:g}\n', out)


def case_replay_header(aiodemo):
    # A replay's header is the recorded run's, not the replaying machine's.
    rec = os.path.join(WORK, 'header.json')
    live = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json', '--param',
               'workers=4', '--record', rec).stdout
    head, _, _ = parse_json_stream(live, header=True)
    time.sleep(1.1)   # another second: the replay's own moment would differ
    again, _, _ = parse_json_stream(run(aiodemo, 'replay', rec, '--format', 'json').stdout, header=True)
    expect_eq('the replay\'s header', again, head)
    doc = schemas.check_file('record', rec)
    expect_eq('the recorded run', doc['run'], {'aiodemo': head['aiodemo'], 'python': head['python'],
                                               'started': head['started'], 'machine': head['machine']})
    doc['run'] = dict(doc['run'], started='2001-02-03T04:05:06Z', aiodemo='0.0.1',
                      machine={'cpus': 64, 'kernel': 'Linux 2.6.32 sparc64', 'hostname': 'elsewhere'})
    other = write_program('elsewhere.json', json.dumps(doc))
    again, _, _ = parse_json_stream(run(aiodemo, 'replay', other, '--format', 'json').stdout, header=True)
    expect_eq('the header of a run made elsewhere',
              (again['started'], again['aiodemo'], again['machine']),
              ('2001-02-03T04:05:06Z', '0.0.1', {'cpus': 64, 'kernel': 'Linux 2.6.32 sparc64',
                                                 'hostname': 'elsewhere'}))
    out = run(aiodemo, 'replay', rec, '--view', 'events').stdout
    expect_in('the replay\'s text heading', f'feature 2 · scale {SCALE:g} · workers=4\n', out)
    # Written again from its replay, the record is the same.
    rec2 = os.path.join(WORK, 'header2.json')
    run(aiodemo, 'replay', rec, '--record', rec2, stdout=subprocess.DEVNULL)
    with open(rec, 'rb') as f, open(rec2, 'rb') as g:
        expect_eq('the record written from its replay', g.read(), f.read())


def version2(doc):
    """@doc, a record of version 3, as version 2 wrote it."""
    old = {k: v for k, v in doc.items() if k != 'run'}
    old['version'] = 2
    old['program'] = {'file': doc['program']['file'], 'text': doc['program']['text']}
    return old


def case_record_version2(aiodemo):
    # A record of version 2 replays: the same events and summary; what it
    # did not keep is null in the header.
    rec = os.path.join(WORK, 'v3.json')
    live = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json', '--param',
               'workers=4', '--record', rec).stdout.splitlines()
    old = write_program('v2.json', json.dumps(version2(schemas.check_file('record', rec)), ensure_ascii=False))
    out = run(aiodemo, 'replay', old, '--format', 'json').stdout
    head, events, summary = parse_json_stream(out, header=True)
    expect_eq('the events of the version 2 record', out.splitlines()[1:-1], live[1:-1])
    a, b = json.loads(live[-1]), summary
    for key in ('status', 'total', 'max_lag', 'tasks', 'jobs', 'blocked', 'expectations'):
        expect_eq(f'the summary of the version 2 record: {key}', b[key], a[key])
    live_head = json.loads(live[0])
    expect_eq('the header of a version 2 record',
              head, dict(live_head, aiodemo=None, python=None, started=None, machine=None, args=None,
                         params=None, params_set=None))
    text = run(aiodemo, 'replay', old, '--view', 'events').stdout
    expect_in('the text heading of a version 2 record', f'feature 2 · scale {SCALE:g}\n', text)
    # Written again, it is a record of version 3 that says it does not know.
    again = os.path.join(WORK, 'v2-again.json')
    run(aiodemo, 'replay', old, '--record', again, '--trace', os.path.join(WORK, 'v2-trace.json'),
        stdout=subprocess.DEVNULL)
    doc = schemas.check_file('record', again)
    expect_eq('a version 2 record written again: its run', doc['run'],
              {'aiodemo': None, 'python': None, 'started': None, 'machine': None})
    expect_eq('... its arguments and parameters', (doc['program']['args'], doc['program']['params']), (None, None))
    expect_eq('... its trace', schemas.check_file('trace', os.path.join(WORK, 'v2-trace.json'))['otherData'],
              {'scenario': 'bounded-pool', 'scale': SCALE, 'params': None})
    expect_eq('... which replays as the version 2 record', run(aiodemo, 'replay', again, '--format', 'json').stdout,
              out)
    # The seed records of the fuzzer (tests/fuzz/records/), of both versions.
    seeds = os.path.join(HERE, 'fuzz', 'records')
    versions = set()
    for name in sorted(os.listdir(seeds)):
        with open(os.path.join(seeds, name), encoding='utf-8') as f:
            doc = json.load(f)
        versions.add(doc['version'])
        if doc['version'] == 3:
            schemas.check('record', doc, name)
        parse_json_stream(run(aiodemo, 'replay', os.path.join(seeds, name), '--format', 'json').stdout,
                          scale=None)
    expect_eq('the versions of the seed records', versions, {2, 3})


def without_cpu_line(text):
    return re.sub(r'\n *The loop thread was on the CPU for \d+% of it\.', '', text)


def case_replay_text(aiodemo):
    # With diagnostics too: the replay prints what the run printed.
    rec = os.path.join(WORK, 'blocking.json')
    live = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--record', rec).stdout
    expect_in('the run', '\ndiagnostics\n', live)
    again = run(aiodemo, 'replay', rec).stdout
    if again != live:
        import difflib
        diff = list(difflib.unified_diff(live.splitlines(), again.splitlines(), 'run', 'replay', lineterm='', n=0))
        raise Failure('the replay differs from the run:\n' + '\n'.join(diff[2:]))


def case_trace(aiodemo):
    path = os.path.join(WORK, 'trace.json')
    run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--format', 'json', '--trace', path)
    events = schemas.check_file('trace', path)['traceEvents']
    # (check_file checked that the slices nest on each track.)
    names = {}
    for e in events:
        if e['ph'] == 'M' and e['name'] == 'thread_name':
            if e['args']['name'] in names.values():
                raise Failure(f'two tracks named {e["args"]["name"]!r}')
            names[e['tid']] = e['args']['name']
    for lane in ('Task-1 main()', 'Task-2 bad_task()', 'Task-3 good_task()', 'loop'):
        if lane not in names.values():
            raise Failure(f'no track for {lane!r}')
    blocking = [e for e in events if e['ph'] == 'X' and e['name'] == 'blocking the loop']
    if sorted(names[b['tid']] for b in blocking) != ['Task-2 bad_task()', 'loop']:
        raise Failure(f'blocking slices: {blocking}')
    for b in blocking:
        if not 0.7 * 2e6 * SCALE <= b['dur'] <= 2e6 * SCALE + 300e3:
            raise Failure(f'blocking the loop for {b["dur"]} µs, not some {2e6 * SCALE:.0f}: {b}')
        if not b['args'].get('line') or 'time.sleep(2)' not in b['args'].get('what', ''):
            raise Failure(f'the blocking slice does not say the line of time.sleep(2): {b}')
    if len({b['args']['line'] for b in blocking}) != 1:
        raise Failure(f'the blocking slices say different lines: {blocking}')
    # The other task: ready while the loop is blocked, then asleep.
    good = {e['name'] for e in events if e['ph'] == 'X' and names[e['tid']] == 'Task-3 good_task()'}
    if not {'ready', 'running', 'await asyncio.sleep'} <= good:
        raise Failure(f'the slices of Task-3 good_task(): {good}')
    instants = [e['name'] for e in events if e['ph'] == 'i']
    if '❌ 错误任务结束' not in instants:
        raise Failure(f'printed lines as instants: {instants}')
    if not any(e['ph'] == 'C' and e['name'] == 'loop lag (ms)' for e in events):
        raise Failure('no loop lag counter')


def chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


def case_svg(aiodemo):
    sys.path.insert(0, HERE)
    import png
    browser = chromium()
    if not browser:
        raise Skip('chromium is not installed')
    red = (0xd6, 0x27, 0x28)
    found = {}
    for name in ('blocking-sleep', 'offload-sleep'):
        svg, shot = os.path.join(WORK, name + '.svg'), os.path.join(WORK, name + '.png')
        run(aiodemo, 'run', name, '--scale', str(SCALE), '--format', 'json', '--svg', svg)
        with open(svg) as f:
            text = f.read()
        if not text.startswith('<svg') or (name == 'blocking-sleep' and 'Task-2 bad_task()' not in text):
            raise Failure(f'{name}: not the SVG expected')
        p = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                            '--no-first-run', '--disable-background-networking', '--disable-component-update',
                            '--disable-sync', '--hide-scrollbars', f'--user-data-dir={WORK}/profile',
                            '--window-size=1200,420', f'--screenshot={shot}', 'file://' + svg],
                           capture_output=True, text=True, timeout=120)
        if not os.path.exists(shot):
            raise Failure(f'chromium made no screenshot: {p.stderr[-500:]}')
        counts = png.colour_counts(shot)
        total = sum(counts.values())
        white = counts.get((255, 255, 255), 0) + counts.get((247, 247, 247), 0)
        if total - white < total * 0.02:
            raise Failure(f'{name}: the rendered chart is blank')
        found[name] = counts.get(red, 0)
    # The legend's swatch is red in both; only blocking-sleep has red bars.
    if found['blocking-sleep'] < found['offload-sleep'] + 2000:
        raise Failure(f'red pixels: {found}')


# A program for pictures on slides: more lanes than a slide holds, a dozen
# lines printed at one moment on one lane, a blocked window, and lines in
# Chinese only (甲乙丙丁 first, 戊己庚辛 last) whose glyphs the screenshot
# looks for.
SLIDES_PROGRAM = """# aiodemo: name slides-demo
# aiodemo: title 课堂演示: many tasks, lines printed at once, a blocked loop
# aiodemo: param tasks = 14 at "TASKS = 14"
# aiodemo: end
import asyncio
import time

TASKS = 14


async def worker(i):
    print(f"任务{i}开始 (task {i} starts)")
    await asyncio.sleep(0.2 + 0.02 * i)
    print(f"任务{i}结束")


async def main():
    print("甲乙丙丁")
    for k in range(12):
        print(f"第{k}行: the same moment, line {k}")
    time.sleep(0.3)
    await asyncio.gather(*(worker(i) for i in range(TASKS)))
    await asyncio.sleep(0.1)
    print("戊己庚辛")


asyncio.run(main())
"""

SVG_NS = '{http://www.w3.org/2000/svg}'


def text_columns(s):
    """Columns as aiodemo counts them (wcwidth): CJK and emoji two, combining marks none."""
    import unicodedata
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1
               for c in s)


def svg_callouts(root):
    """The callouts' texts and their boxes, from the SVG's coordinates and text widths."""
    out = []
    for t in root.iter(SVG_NS + 'text'):
        if t.get('class') != 'callout':
            continue
        x, y, fs = float(t.get('x')), float(t.get('y')), float(t.get('font-size'))
        text = ''.join(t.itertext())
        w = text_columns(text) * 0.62 * fs
        out.append((text, (x, y - 0.95 * fs, x + w, y + 0.3 * fs)))
    return out


def expect_apart(what, callouts):
    for i, (ta, a) in enumerate(callouts):
        for tb, b in callouts[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                raise Failure(f'{what}: the callouts {ta!r} {a} and {tb!r} {b} overlap')


def slides_svg(aiodemo, style, name):
    prog = write_program('slides-demo.py', SLIDES_PROGRAM)
    svg = os.path.join(WORK, name)
    out = run(aiodemo, 'run', prog, '--scale', str(SCALE), '--param', 'tasks=14', '--format', 'json',
              '--svg', svg, '--svg-style', style).stdout
    events, _ = parse_json_stream(out, SCALE)
    said = [e['text'] for e in events if e['kind'] == 'say']
    import xml.etree.ElementTree as ET
    return ET.parse(svg).getroot(), said, svg


def case_svg_slides(aiodemo):
    root, said, _ = slides_svg(aiodemo, 'slides', 'slides.svg')
    expect_eq('the viewBox of a slide', root.get('viewBox'), '0 0 1920 1080')
    sizes = [float(e.get('font-size')) for e in root.iter() if e.get('font-size')]
    expect_eq('text sizes below 24 px on a slide', [f for f in sizes if f < 24], [])
    texts = {e.get('class'): ''.join(e.itertext()) for e in root.iter(SVG_NS + 'text') if e.get('class')}
    expect_in('the title', '课堂演示: many tasks', texts['title'])
    expect_in('the heading', 'tasks=14', texts['heading'])
    lanes = [''.join(e.itertext()) for e in root.iter(SVG_NS + 'text') if e.get('class') == 'lane']
    if not 3 <= len(lanes) <= 12:
        raise Failure(f'{len(lanes)} lanes on a slide: {lanes}')
    expect_in('the lanes kept', 'loop', lanes)
    notes = ' '.join(''.join(e.itertext()) for e in root.iter(SVG_NS + 'text') if e.get('class') == 'note')
    expect_in('the note of the lanes left out', 'lanes not shown', notes)
    callouts = svg_callouts(root)
    shown = [t for t, _ in callouts]
    for line in ('甲乙丙丁', '戊己庚辛'):
        expect_in('the callouts', line, shown)
    blocked = [t for t in shown if t.startswith('blocked ')]
    if len(blocked) != 1 or 'time.sleep(0.3)' not in blocked[0]:
        raise Failure(f'the blocked window\'s callout: {blocked}')
    for t in shown:
        if t not in said and not t.startswith('blocked ') and not (t.endswith('…') and any(
                s.startswith(t[:-1]) for s in said)):
            raise Failure(f'a callout that the program did not print: {t!r}')
    # A dozen lines at one moment on one lane do not all fit: the rest are counted.
    m = re.search(r'\+(\d+) more', notes)
    if not m:
        raise Failure(f'no "+N more" note: {notes!r}')
    expect_eq('callouts shown and counted', len(shown) + int(m.group(1)) > len(said), True)
    expect_apart('slides', callouts)
    font = root.get('font-family')
    for name in ('Noto Sans CJK SC', 'Droid Sans Fallback'):
        expect_in('the fonts', name, font)
    if font.index('DejaVu Sans') > font.index('Noto Sans CJK SC'):
        raise Failure(f'the CJK fonts come before the Latin ones: {font}')


def case_svg_callouts_page(aiodemo):
    root, said, _ = slides_svg(aiodemo, 'page', 'page.svg')
    expect_eq('the page\'s width', root.get('width'), '1180')
    lanes = [''.join(e.itertext()) for e in root.iter(SVG_NS + 'text') if e.get('class') == 'lane']
    if len(lanes) < 16:
        raise Failure(f'a page shows every lane: {lanes}')
    callouts = svg_callouts(root)
    shown = [t for t, _ in callouts]
    for line in ('甲乙丙丁', '戊己庚辛', '任务3开始 (task 3 starts)'):
        expect_in('the callouts of a page', line, shown)
    expect_eq('blocked callouts', len([t for t in shown if t.startswith('blocked ')]), 1)
    expect_apart('page', callouts)


def case_svg_slides_screenshot(aiodemo):
    sys.path.insert(0, HERE)
    import png
    browser = chromium()
    if not browser:
        raise Skip('chromium is not installed')
    root, _, svg = slides_svg(aiodemo, 'slides', 'shot.svg')
    shot = os.path.join(WORK, 'slides.png')
    p = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                        '--no-first-run', '--disable-background-networking', '--disable-component-update',
                        '--disable-sync', '--hide-scrollbars', f'--user-data-dir={WORK}/profile',
                        '--window-size=1920,1080', f'--screenshot={shot}', 'file://' + svg],
                       capture_output=True, text=True, timeout=120)
    if not os.path.exists(shot):
        raise Failure(f'chromium made no screenshot: {p.stderr[-500:]}')
    width, height, rows, bpp = png.read_png(shot)
    expect_eq('the screenshot\'s size', (width, height), (1920, 1080))
    counts = png.colour_counts(shot)
    white = counts.get((255, 255, 255), 0) + counts.get((247, 247, 247), 0)
    if width * height - white < width * height * 0.05:
        raise Failure('the rendered slide is blank')

    def ink(x0, y0, x1, y1):
        """The dark pixels of a region, as a set of offsets from its corner."""
        dots = set()
        for y in range(int(y0), int(y1)):
            row = rows[y]
            for x in range(int(x0), int(x1)):
                r, g, b = row[x * bpp:x * bpp + 3]
                if r + g + b < 3 * 110:
                    dots.add((x - int(x0), y - int(y0)))
        return dots

    boxes = dict(svg_callouts(root))
    glyphs = []
    for line in ('甲乙丙丁', '戊己庚辛'):
        x0, y0, _, y1 = boxes[line]
        fs = (y1 - y0) / 1.25
        dots = ink(x0, y0, x0 + 4 * fs, y1)
        # Four CJK glyphs cover a good part of their squares.
        if len(dots) < 4 * fs * fs * 0.06:
            raise Failure(f'{line!r} is not drawn: {len(dots)} dark pixels in its place')
        glyphs.append(dots)
    # Missing glyphs are drawn as the same empty boxes whatever the
    # character: two different lines must not look alike.
    same = len(glyphs[0] & glyphs[1]) / max(1, len(glyphs[0] | glyphs[1]))
    if same > 0.6:
        raise Failure(f'甲乙丙丁 and 戊己庚辛 look alike ({same:.0%} of their ink): no CJK glyphs')


def case_compare_svg(aiodemo):
    import xml.etree.ElementTree as ET
    svg = os.path.join(WORK, 'compare.svg')
    out = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE), '--format', 'json',
              '--svg', svg).stdout
    totals = [r['figures']['total'] for r in json.loads(out)['runs']]
    root = ET.parse(svg).getroot()
    charts = [g for g in root.iter(SVG_NS + 'g') if g.get('class') == 'chart']
    expect_eq('the charts, one a run', [g.get('data-run') for g in charts], ['A', 'B'])
    heads = [''.join(t.itertext()) for g in charts for t in g.iter(SVG_NS + 'text') if t.get('class') == 'run']
    expect_eq('the runs\' headers', [h.split(':')[0] for h in heads], ['A  blocking-sleep', 'B  offload-sleep'])
    bars = [next(r for r in g.iter(SVG_NS + 'rect') if r.get('class') == 'run-total') for g in charts]
    expect_eq('the totals\' bars start together', bars[0].get('x'), bars[1].get('x'))
    widths = [float(b.get('width')) for b in bars]
    ratio = (widths[0] / widths[1]) / (totals[0] / totals[1])
    if abs(ratio - 1) > 0.02:
        raise Failure(f'the totals {totals} drawn {widths} wide')
    totals_text = [''.join(t.itertext()) for g in charts for t in g.iter(SVG_NS + 'text')
                   if t.get('class') == 'run-total-text']
    expect_eq('the totals written', totals_text, [f'{t:.3f} s' for t in totals])
    # The lanes share the axis: each run's bars end within its total on
    # it (the longest run's total bar spans the whole axis), near its end.
    x0, axis = float(bars[0].get('x')), max(widths)
    for g, total in zip(charts, totals):
        end = max(float(r.get('x')) + float(r.get('width')) for r in g.iter(SVG_NS + 'rect')
                  if r.get('class') is None and r.get('fill') not in ('#f7f7f7', '#eef2f6'))
        reach = (end - x0) / axis * max(totals)
        if not 0.8 * total <= reach <= total * 1.01 + 0.001:
            raise Failure(f'run {g.get("data-run")}: its bars reach {reach:.3f} s of its {total:.3f} s')
    run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE), '--svg', svg,
        '--svg-style', 'slides')
    expect_eq('compare as a slide', ET.parse(svg).getroot().get('viewBox'), '0 0 1920 1080')
    p = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--svg', svg, '--html', svg, check_status=2)
    expect_in('two files on one path', 'would both be written to', p.stderr)
    p = run(aiodemo, 'run', 'offload-sleep', '--svg-style', 'poster', check_status=2)
    expect_in('an unknown style', "--svg-style takes page or slides, not 'poster'", p.stderr)
    p = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--svg-style', 'slides', check_status=2)
    expect_in('a style without a picture', '--svg-style says how to draw the picture of --svg FILE', p.stderr)


# --- signals, pipes, limits ----------------------------------------------------

def interrupted_summary(status, out, err, what, before=()):
    expect_eq(f'{what}: ended by SIGINT, as python3 does', status, -signal.SIGINT)
    expect_eq(f'{what}: stderr', err, '')
    events, summary = parse_json_stream(out, summary_scale(out), before)
    expect_eq(f'{what}: status', summary['status'], 'interrupted')
    expect_eq(f'{what}: the end', [e['text'] for e in events if e['kind'] == 'end'],
              ['the program ended (exit status 130)'])
    return events, summary


def summary_scale(out):
    return json.loads(out.splitlines()[-1]).get('scale')


def case_interrupt(aiodemo):
    # Ctrl-C in a block on the loop: as in python3, asyncio.run's handler
    # cancels main once the block ends; good_task never starts.
    scale = 0.25
    with Started(aiodemo, 'run', 'blocking-sleep', '--format', 'json', '--scale', str(scale)) as p:
        seen = p.read_until(lambda e: e['kind'] == 'block', 'block')
        p.ctrl_c()
        events, summary = interrupted_summary(*p.finish(), 'blocking-sleep', p.seen)
    texts = [e['text'] for e in says(seen + events)]
    expect_eq('lines printed', texts, ['❌ 错误：直接调用阻塞函数', '❌ 错误任务结束'])
    if TIMING and not 1.6 * scale < summary['total'] < 2.8 * scale:
        raise Timing(f'the run took {summary["total"]} s: the block is {2 * scale} s, the program {3 * scale} s')
    # Ctrl-C while tasks wait and a thread works: the run ends at once (once
    # the default executor's thread is done), with a partial timeline.
    with Started(aiodemo, 'run', prog('long_sleep.py'), '--format', 'json') as p:
        seen = p.read_until(lambda e: e['kind'] == 'job-start', 'job')
        t0 = time.monotonic()
        p.ctrl_c()
        events, summary = interrupted_summary(*p.finish(), 'long_sleep.py', p.seen)
        if time.monotonic() - t0 > 5:
            raise Timing(f'the run went on for {time.monotonic() - t0:.1f} s after Ctrl-C')
    if 'never printed' in [e['text'] for e in says(events)]:
        raise Failure('main went on after Ctrl-C')
    expect_eq('the KeyboardInterrupt', [e['text'] for e in events if e['kind'] == 'stderr'][-1], 'KeyboardInterrupt')
    # The text view: the timeline so far and the summary.
    with Started(aiodemo, 'run', prog('long_sleep.py')) as p:
        for line in p.p.stdout:
            if 'waiting' in line:
                break
        p.ctrl_c()
        status, out, err = p.finish()
    expect_eq('text: ended by SIGINT', status, -signal.SIGINT)
    for piece in ('\nsummary\n', '  status         interrupted', '  error          KeyboardInterrupt'):
        expect_in('the text of an interrupted run', piece, out)
    # Ctrl-C while worker processes count (some 0.5 s): they end with the run.
    with Started(aiodemo, 'run', 'process-primes', '--format', 'json', '--param', 'upto=400000') as p:
        seen = p.read_until(lambda e: e['kind'] == 'job-start', 'job')
        p.ctrl_c()
        events, summary = interrupted_summary(*p.finish(), 'process-primes', p.seen)
    for pid in worker_pids(seen + events):
        if not gone(pid):
            raise Failure(f'worker process {pid} outlived the interrupted run')


def case_interrupt_queued(aiodemo):
    """Ctrl-C while jobs wait in a pool's queue: the summary counts the jobs
    that never started, the events say each one's end, and the chart shows
    them queued until then."""
    rec = os.path.join(WORK, 'queued.record.json')
    with Started(aiodemo, 'run', 'bounded-pool', '--param', 'workers=1', '--format', 'json', '--scale', '0.2',
                 '--record', rec) as p:
        p.read_until(lambda e: e['kind'] == 'job-start' and e['job'] == 2, 'job 2')
        p.ctrl_c()
        events, summary = interrupted_summary(*p.finish(), 'bounded-pool', p.seen)
    events = p.seen[1:] + events
    expect_eq('jobs that never started', summary.get('jobs_not_started'), 2)
    started = sorted(jobs_of(events))
    expect_eq('jobs that started', started, [1, 2])
    dropped = {e['job']: e for e in events if e['kind'] == 'cancel' and 'job' in e}
    expect_eq('jobs cancelled in the queue', sorted(dropped), [3, 4])
    for job, e in dropped.items():
        expect_in(f'job {job}', f'job {job} cancelled in the queue', e['text'])
        expect_in(f'job {job}', 'never started', e['text'])
    schemas.check('record', json.load(open(rec)))
    out = run(aiodemo, 'replay', rec).stdout
    expect_in('the text summary', '  not started    2 jobs were queued and never started', out)
    rows = gantt_rows(out)
    width = max(len(r) for r in rows.values())
    queued = runs_of(rows['ThreadPoolExecutor-0 queue'], '░')
    if not queued:
        raise Failure(f'no queue: {rows}')
    expect_column('queued until', queued[-1][1] + 1, max(e['t'] for e in dropped.values()),
                  json.load(open(rec))['summary']['total'], width)
    # A run in which every job ran says nothing of it.
    events, summary = run_json(aiodemo, 'bounded-pool')
    if 'jobs_not_started' in summary:
        raise Failure(f'jobs not started in a whole run: {summary}')


BUSY = """\
import asyncio


async def main():
    print("busy", flush=True)
    try:
        while True:
            pass
    finally:
        print("finally")

asyncio.run(main())
"""


def case_interrupt_busy_loop(aiodemo):
    # A busy loop in a coroutine, as under python3.11: the first Ctrl-C
    # cancels the main task, which cannot see it while the loop spins; the
    # second raises KeyboardInterrupt in the running code. The partial run
    # is reported and the temporary files removed.
    if THREAD_SANITIZER:
        raise Skip('ThreadSanitizer holds a signal back until the thread makes a call it intercepts, '
                   'which a busy loop never does')
    path = write_program('busy.py', BUSY)
    ends = {}
    for who in ('python3', 'aiodemo'):
        argv = ['/usr/bin/python3.11', path] if who == 'python3' else [aiodemo, 'run', path, '--format', 'json']
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
                             cwd=SCRATCH, start_new_session=True)
        try:
            first = ''
            while 'busy' not in first:
                line = p.stdout.readline()
                if not line:
                    raise Failure(f'{who}: {first!r} and no busy loop: {p.stderr.read()[-500:]}')
                first += line
            time.sleep(0.3)
            os.killpg(p.pid, signal.SIGINT)
            time.sleep(0.3)
            if p.poll() is not None:
                raise Failure(f'{who} ended at the first Ctrl-C ({p.returncode})')
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        ends[who] = p.returncode, first + out, err
    rc, out, err = ends['python3']
    expect_eq('python3 after two Ctrl-C', (rc, out), (-signal.SIGINT, 'busy\nfinally\n'))
    expect_eq('the end of the traceback under python3', err.rstrip().splitlines()[-1], 'KeyboardInterrupt')
    rc, out, err = ends['aiodemo']
    expect_eq('aiodemo after two Ctrl-C', rc, -signal.SIGINT)
    expect_eq('aiodemo: stderr', err, '')
    events, summary = parse_json_stream(out, 1)
    expect_eq('printed', [e['text'] for e in says(events)], ['busy', 'finally'])
    expect_eq('the KeyboardInterrupt', [e['text'] for e in events if e['kind'] == 'stderr'][-1], 'KeyboardInterrupt')
    expect_eq('status', summary['status'], 'interrupted')
    expect_eq('left in TMPDIR', os.listdir(CHILD_TMP), [])
    # Started with SIGINT ignored, asyncio.run has no Ctrl-C handler: one
    # SIGTERM raises KeyboardInterrupt in the running code.
    with Started(aiodemo, 'run', path, '--format', 'json', sigint=signal.SIG_IGN) as p:
        p.read_until(lambda e: e['kind'] == 'say' and e['text'] == 'busy', 'busy loop')
        time.sleep(0.3)
        p.p.send_signal(signal.SIGTERM)
        rc, out, err = p.finish()
    expect_eq('aiodemo after SIGTERM, SIGINT ignored', rc, -signal.SIGTERM)
    events, summary = parse_json_stream(out, 1, p.seen)
    expect_eq('printed after SIGTERM', [e['text'] for e in says(events)], ['finally'])
    expect_eq('what stopped the busy loop', summary['error'], 'SIGTERM, which stops a run as Ctrl-C does')


def case_interrupt_check(aiodemo):
    for args in (['check', '--scale', '1', prog('long_sleep.py'), 'offload-sleep'],
                 ['compare', '--scale', '1', prog('long_sleep.py'), 'offload-sleep']):
        with Started(aiodemo, *args) as p:
            # (A child run is under way once its temporary files are.)
            deadline = time.monotonic() + 10
            while len(os.listdir(CHILD_TMP)) < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.3)
            p.ctrl_c()
            status, out, err = p.finish()
        expect_eq(f'{args[0]}: ended by SIGINT', status, -signal.SIGINT)
        if 'offload-sleep' in out:
            raise Failure(f'{args[0]} went on after Ctrl-C: {out!r}')
        if args[0] == 'check':
            expect_in('check after Ctrl-C', 'the run was interrupted', out)


def case_sigterm(aiodemo):
    # kill PID: as Ctrl-C, then aiodemo ends by SIGTERM, $? 143 (and no
    # temporary directory is left: the case checks that TMPDIR is empty).
    with Started(aiodemo, 'run', 'offload-sleep', '--format', 'json') as p:
        p.read_until(lambda e: e['kind'] == 'job-start', 'job')
        p.p.send_signal(signal.SIGTERM)
        status, out, err = p.finish()
    expect_eq('ended by SIGTERM', status, -signal.SIGTERM)
    _, summary = parse_json_stream(out, 1, p.seen)
    expect_eq('status', summary['status'], 'interrupted')
    expect_eq('what stopped it', summary['error'], 'SIGTERM, which stops a run as Ctrl-C does')
    # SIGHUP (a closed terminal) the same, $? 129.
    with Started(aiodemo, 'run', 'offload-sleep', '--format', 'json') as p:
        p.read_until(lambda e: e['kind'] == 'job-start', 'job')
        p.p.send_signal(signal.SIGHUP)
        status, out, err = p.finish()
    expect_eq('ended by SIGHUP', status, -signal.SIGHUP)
    _, summary = parse_json_stream(out, 1, p.seen)
    expect_eq('what stopped it', summary['error'], 'SIGHUP, which stops a run as Ctrl-C does')
    # Started with SIGINT ignored (a shell's background job, nohup), where
    # Python cannot take Ctrl-C: SIGTERM still stops the run and it is
    # reported, while worker processes count, and while the loop waits.
    for name, args in (('process-primes', ['--param', 'upto=400000']), ('offload-sleep', [])):
        with Started(aiodemo, 'run', name, '--format', 'json', *args, sigint=signal.SIG_IGN) as p:
            seen = p.read_until(lambda e: e['kind'] == 'job-start', 'job')
            p.p.send_signal(signal.SIGTERM)
            status, out, err = p.finish()
        expect_eq(f'{name}: ended by SIGTERM with SIGINT ignored', status, -signal.SIGTERM)
        events, summary = parse_json_stream(out, 1, p.seen)
        expect_eq(f'{name}: status with SIGINT ignored', summary['status'], 'interrupted')
        expect_eq(f'{name}: what stopped it', summary['error'], 'SIGTERM, which stops a run as Ctrl-C does')
        for pid in worker_pids(seen + events):
            if not gone(pid):
                raise Failure(f'worker process {pid} outlived a run SIGTERM stopped')


def case_killed_parent_leaves_no_worker(aiodemo):
    with Started(aiodemo, 'run', 'process-primes', '--format', 'json', '--param', 'upto=400000000') as p:
        seen = []
        while len(worker_pids(seen)) < min(CPUS, 2):
            seen += p.read_until(lambda e: e['kind'] == 'worker', 'two worker processes')
        p.p.send_signal(signal.SIGKILL)
        p.p.communicate(timeout=10)
    pids = worker_pids(seen)
    for pid in pids:
        if not gone(pid):
            raise Failure(f'worker process {pid} outlived a SIGKILLed aiodemo')
    # SIGKILL leaves no chance to clean up: the built-in's directory stays,
    # and the next run removes it.
    left = [n for n in os.listdir(CHILD_TMP) if n.startswith('aiodemo-run-')]
    if not left:
        raise Failure('no directory left by the killed run: nothing shows the next run removes it')
    run(aiodemo, 'run', 'to-thread-basic', '--scale', str(SCALE))
    expect_eq('what a killed run left, after the next run', [n for n in os.listdir(CHILD_TMP) if n in left], [])


def case_closed_pipe(aiodemo):
    for args in (['run', 'bounded-pool', '--scale', str(SCALE)],
                 ['run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json'],
                 ['check', '--scale', str(SCALE), 'offload-sleep', 'to-thread-basic']):
        with Started(aiodemo, *args) as p:
            p.p.stdout.readline()
            p.p.stdout.close()
            err = p.p.stderr.read()
            p.p.wait(timeout=20)
        expect_eq(f'aiodemo {" ".join(args)}: stderr when the reader goes away', err, '')
        # 141, or death by SIGPIPE, which a shell reports as 141 too.
        if p.p.returncode not in (141, -signal.SIGPIPE):
            raise Failure(f'aiodemo {" ".join(args)}: exit {p.p.returncode} when the reader goes away, wanted 141')


def full_disk(aiodemo, args):
    with open('/dev/full', 'w') as full:
        p = run(aiodemo, *args, stdout=full, check_status=None)
    expect_eq(f'aiodemo {" ".join(args)} > /dev/full: exit status', p.returncode, 1)
    expect_in(f'aiodemo {" ".join(args)} > /dev/full: stderr', 'No space left on device', p.stderr)


def case_full_disk(aiodemo):
    if not os.path.exists('/dev/full'):
        raise Skip('no /dev/full')
    for args in (['list'], ['show', 'offload-sleep']):
        full_disk(aiodemo, args)


def case_full_disk_runs(aiodemo):
    if not os.path.exists('/dev/full'):
        raise Skip('no /dev/full')
    rec = os.path.join(WORK, 'full.json')
    run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--format', 'json', '--record', rec)
    for args in (['run', 'offload-sleep', '--scale', str(SCALE)],
                 ['run', 'offload-sleep', '--scale', str(SCALE), '--format', 'json'],
                 ['check', '--scale', str(SCALE), 'offload-sleep'],
                 ['compare', '--scale', str(SCALE), 'offload-sleep', 'blocking-sleep'],
                 ['replay', rec]):
        full_disk(aiodemo, args)


def case_resource_limits(aiodemo):
    import resource

    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (14, 14))
    p = subprocess.run([aiodemo, 'run', 'process-primes', '--scale', str(SCALE), '--format', 'json'],
                       capture_output=True, text=True, env=child_env(), cwd=SCRATCH, timeout=60,
                       preexec_fn=few_files)
    expect_eq('exit status without file descriptors for the pool', p.returncode, 1)
    _, summary = parse_json_stream(p.stdout)
    expect_eq('status', summary['status'], 'error')
    if 'OSError: [Errno 24] Too many open files' not in summary.get('error', ''):
        raise Failure(f'error: {summary.get("error")!r}')


# --- languages: aiodemo's own words in Chinese, English unchanged ------------------

def zh_env(**changes):
    """The environment of a Chinese user: LANG=zh_CN.UTF-8 (a locale this
    machine need not have installed) and nothing that overrides it."""
    return child_env(LC_ALL=None, LC_MESSAGES=None, LANGUAGE=None, LANG='zh_CN.UTF-8', **changes)


# ASCII words that may stay in Chinese output: names of Python, asyncio and
# aiodemo, which are not translated.
ENGLISH_NAMES = {'asyncio', 'Task', 'gather', 'await', 'sleep', 'GIL', 'CPU', 'Python', 'aiodemo',
                 'run', 'offload', 'main', 'loop', 'pid', 'stderr', 'TaskGroup', 'Semaphore',
                 'ProcessPoolExecutor', 'ThreadPoolExecutor', 'to_thread', 'max', 'p50', 'p99'}


def english_words_left(text, known):
    """The ASCII words of 3 letters or more in @text once the strings of
    @known (the program's lines and source, lane names, ...), Python
    identifiers, numbers and units are taken out."""
    for piece in sorted(known, key=len, reverse=True):
        if piece:
            text = text.replace(piece, ' ')
    text = re.sub(r"'[^'\n]*'", ' ', text)                         # Python's reprs: 'Result of 1'
    text = re.sub(r'[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+', ' ', text)  # asyncio.sleep, time.sleep
    text = re.sub(r'[A-Za-z_]\w*\(', ' ', text)                   # calls: main(, to_thread(
    text = re.sub(r'\b\w*_\w*\b', ' ', text)                        # names_with_underscores
    text = re.sub(r'\b[A-Z][a-z]+[A-Z]\w*\b', ' ', text)            # CamelCase: ZeroDivisionError
    text = re.sub(r'\b[0-9][0-9.]*(ms|s|x)?\b', ' ', text)          # numbers and units
    return sorted({w for w in re.findall(r'[A-Za-z]{3,}', text) if w not in ENGLISH_NAMES})


CHINESE_SCENARIOS = ['blocking-sleep', 'semaphore', 'bounded-pool', 'taskgroup-cancel', 'exception-gather']


def case_chinese_run(aiodemo):
    """With LANG=zh_CN.UTF-8, a run's text has no English word of aiodemo's."""
    for name in CHINESE_SCENARIOS:
        # Wide: an event line and the program line it quotes stay on one line.
        p = run(aiodemo, 'run', name, '--scale', str(SCALE), '--width', '400', env=zh_env(), check_status=None)
        if p.returncode not in (0, 1):
            raise Failure(f'{name}: exit {p.returncode}\n{p.stderr[-2000:]}')
        out = p.stdout
        expect_in(f'{name}: the summary in Chinese', '\n汇总\n', out)
        # The heading's title and source, and what to notice, come from the
        # program's header, whose Chinese is not written yet: they are not
        # checked here.
        lines = out.splitlines()
        body = lines[2:]
        if '值得注意' in body:
            body = body[:body.index('值得注意')]
        head, events, summary = parse_json_stream(
            run(aiodemo, 'run', name, '--scale', str(SCALE), '--format', 'json', env=zh_env(),
                check_status=None).stdout, header=True)
        known = {e['text'] for e in events if e['kind'] in ('say', 'stderr')}
        lanes = {e['lane'] for e in events}
        known |= lanes
        # Names cut to their column: "Task-2 download_task('url…".
        known |= {lane[:k] + '…' for lane in lanes for k in range(5, len(lane))}
        known |= {w['what'] for w in summary['blocked']}
        known |= {line.strip() for line in program_text(aiodemo, name).splitlines()}
        known |= {summary.get('error') or ''}
        left = english_words_left('\n'.join(body), known)
        if left:
            raise Failure(f'{name}: English words in the Chinese output: {left}\n{out}')


def normalized(text):
    """@text with its numbers (times, durations, counts) as N, and the
    spaces that align them as one."""
    return re.sub(r' +', ' ', re.sub(r'[0-9]+(\.[0-9]+)?', 'N', text))


def case_lang_en(aiodemo):
    """--lang en, and LANG=C.UTF-8, speak today's English; --lang zh Chinese."""
    english = run(aiodemo, '--help').stdout
    expect_eq('--help with --lang en under LANG=zh_CN.UTF-8',
              run(aiodemo, '--help', '--lang', 'en', env=zh_env()).stdout, english)
    expect_eq('--help with --lang=en', run(aiodemo, '--lang=en', '--help', env=zh_env()).stdout, english)
    expect_in('--help in English', 'usage: aiodemo list', english)
    expect_in('--lang zh under LANG=C.UTF-8', '用法：aiodemo list', run(aiodemo, '--lang', 'zh', '--help').stdout)
    args = ['run', 'blocking-sleep', '--scale', str(SCALE), '--view', 'events', '--width', '400']  # lines whole
    en = run(aiodemo, *args).stdout
    for want in ('\nsummary\n', '■ the loop is blocked at line 34: time.sleep(2)', '✓ finished',
                 '  loop lag       p50 ', 'what to notice', 'time (s)  lane'):
        expect_in('English output', want, en)
    got = run(aiodemo, *args, '--lang', 'en', env=zh_env()).stdout
    # The same lines; two events of one moment may come in either order.
    expect_eq('the events and the summary with --lang en', sorted(normalized(got).splitlines()),
              sorted(normalized(en).splitlines()))
    # No Chinese but the program's own: its lines and its source.
    rest = got
    events, _ = run_json(aiodemo, 'blocking-sleep')
    for piece in sorted({e['text'] for e in says(events)} |
                        {line.strip() for line in program_text(aiodemo, 'blocking-sleep').splitlines()},
                        key=len, reverse=True):
        if piece:
            rest = rest.replace(piece, ' ')
    if re.search('[\u4e00-\u9fff]', rest):
        raise Failure(f'Chinese in --lang en output, beyond the program\'s own:\n{got}')


def case_chinese_usage_errors(aiodemo):
    # (arguments, the message, whether it is one of the command line's own,
    # which tell where the help is)
    cases = [
        (['run', 'offload-sleep', '--bogus'], '未知选项“--bogus”', True),
        (['runn'], '未知命令“runn”；您是指“run”吗？', True),
        (['run', 'offload-sleep', '--scale', '0'], '--scale 的值是大于 0、至多 1000 的数', True),
        (['--lang', 'fr', 'list'], '--lang 的值是 zh 或 en，而不是“fr”', True),
        ([], '没有给出命令', True),
        (['run', 'offload-sleep', '--param', 'workers=3'], 'offload-sleep 没有参数“workers”', False),
        (['run', 'offlod-sleep'], '未知程序“offlod-sleep”；您是指“offload-sleep”吗？', False),
    ]
    for args, want, usage in cases:
        p = run(aiodemo, *args, env=zh_env(), check_status=2)
        expect_in(f'aiodemo {" ".join(args)}', 'aiodemo: 错误: ' + want, p.stderr)
        if usage:
            expect_in(f'aiodemo {" ".join(args)}', '运行“aiodemo --help”了解更多信息。', p.stderr)
    # English where the environment asks for nothing else, and with --lang en.
    p = run(aiodemo, 'run', 'offload-sleep', '--bogus', '--lang', 'en', env=zh_env(), check_status=2)
    expect_in('--lang en', "aiodemo: error: unknown option '--bogus'", p.stderr)


def case_chinese_help(aiodemo):
    out = run(aiodemo, '--help', env=zh_env()).stdout
    for want in ('用法：aiodemo list', '命令：', '选项：', '退出状态：'):
        expect_in('--help in Chinese', want, out)
    for line in out.splitlines():
        if display_width(line) > 80:
            raise Failure(f'--help in Chinese: a line of {display_width(line)} columns:\n{line}')
    # Names of programs, commands, options and their values, and of formats,
    # stay as they are.
    for name in sorted({'Ctrl-C', 'Perfetto', 'Chrome', 'chrome://tracing', 'Test Anything Protocol',
                        'SystemExit', 'uvloop', 'python3.11', 'python3', 'libev', 'CPython',
                        'aiodemo-program', "'bounded-pool workers=4'", "'offload-sleep --scale 0.5'",
                        'HTML', 'JSON', 'SVG', 'TAP', 'text', 'json', 'csv', 'auto', 'always', 'never',
                        'events', 'gantt', 'both', 'total', 'blocked', 'utilization', 'threads', 'processes',
                        'list', 'serve',
                        'show', 'check', 'compare', 'replay', 'play', 'sweep', 'bench', 'help',
                        'page', 'slides', 'httpbin', '/get', '/delay/N', '/bytes/N',
                        '/status/CODE', '/redirect/N', 'port', '127.0.0.1'},
                       key=len, reverse=True):
        out = out.replace(name, ' ')
    words = english_words_left(re.sub(r'(--?[a-zA-Z][\w-]*|[A-Z]{2,}|\S*[=|\[\]]\S*)', ' ', out), set())
    if words:
        raise Failure(f'English words in the Chinese --help: {words}')


def case_json_language(aiodemo):
    """The JSON stream says the same kinds and texts, in English, whatever the language."""
    args = ['run', 'blocking-sleep', '--scale', str(SCALE), '--format', 'json']
    _, en_events, en_summary = parse_json_stream(run(aiodemo, *args).stdout, header=True)
    _, zh_events, zh_summary = parse_json_stream(run(aiodemo, *args, env=zh_env()).stdout, header=True)

    def texts(events):
        return [(e['kind'], normalized(e['text'])) for e in events]

    # As sets: which of two events close in time prints first is the
    # machine's (a blocked step is told when the sampler sees it, after
    # what the step printed if the machine is slow), not the language's.
    expect_eq('the events in zh and in en', sorted(texts(zh_events)), sorted(texts(en_events)))
    expect_eq('the expectations in zh and in en', [normalized(x['text']) for x in zh_summary['expectations']],
              [normalized(x['text']) for x in en_summary['expectations']])
    expect_eq('the summary\'s keys', sorted(zh_summary), sorted(en_summary))
    expect_in('an English note in zh', ('block', 'the loop is blocked at line N: time.sleep(N) # 阻塞事件循环！'),
              texts(zh_events))


def case_children_language(aiodemo):
    """The children of run --repeat (and so of check, compare and sweep)
    get the parent's language."""
    path = write_program('argv.py', 'print(" ".join(open("/proc/self/cmdline").read().split("\\0")))\n')
    for env, lang in ((child_env(), 'en'), (zh_env(), 'zh')):
        _, events, _ = parse_json_stream(
            run(aiodemo, 'run', path, '--repeat', '2', '--format', 'json', env=env).stdout,
            scale=1, header=True)
        line = says(events)[0]['text']
        expect_in(f'the child\'s command line ({lang})', f' --lang {lang} ', line)
    _, events, _ = parse_json_stream(
        run(aiodemo, '--lang', 'zh', 'run', path, '--repeat', '2', '--format', 'json').stdout,
        scale=1, header=True)
    expect_in('the child\'s command line (--lang zh)', ' --lang zh ', says(events)[0]['text'])


def clear(directory):
    for f in os.listdir(directory):
        path = os.path.join(directory, f)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)


CASES = {name[5:].replace('_', '-'): fn for name, fn in globals().items() if name.startswith('case_')}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    aiodemo = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(CASES)
    unknown = [n for n in names + sorted(KNOWN_BUGS) if n not in CASES]
    if unknown:
        print(f'no such case: {", ".join(unknown)}', file=sys.stderr)
        return 2
    print(f'1..{len(names)}')
    failed = 0
    try:
        for i, name in enumerate(names, 1):
            todo = ' # TODO known bug' if name in KNOWN_BUGS else ''
            problem = note = None
            for attempt in (1, 2):
                problem = None
                try:
                    CASES[name](aiodemo)
                    left = sorted(os.listdir(CHILD_TMP))
                    if left:
                        problem = f'Failure: left in TMPDIR: {left}'
                except Skip as e:
                    problem = e
                    break
                except Timing as e:
                    problem = f'{type(e).__name__}: {e}'
                    clear(CHILD_TMP)
                    if attempt == 1:
                        note = f'timing, right when run again: {str(e).splitlines()[0]}'
                        continue
                except Exception as e:  # noqa: BLE001 - whatever goes wrong is the case's failure
                    problem = f'{type(e).__name__}: {e}'
                break
            if isinstance(problem, Skip):
                print(f'ok {i} - {name} # SKIP {problem}')
                continue
            clear(CHILD_TMP)
            if note and not problem:
                print(f'# {name}: {note}')
            if problem:
                failed += not todo
                print(f'not ok {i} - {name}{todo}')
                for line in problem.splitlines():
                    print(f'# {line}')
            else:
                print(f'ok {i} - {name}{todo}')
            sys.stdout.flush()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
