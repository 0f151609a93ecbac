#!/usr/bin/env python3
"""End-to-end tests: run the real aiodemo binary and check what a user sees.

usage: e2e.py AIODEMO [CASE...]

Each case runs a scenario at a small --scale with --format json and checks
the order of events, their moments (with a tolerance), the summary and the
exit status. Output is TAP.
"""
import json
import os
import subprocess
import sys

SCALE = 0.05
HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(os.path.dirname(HERE), 'scenarios')


def _scenario_files(args):
    """These tests exercise the scenario language's runtime: a built-in name
    becomes the path of its .scn file, since the same name now runs the
    document's Python program (tests/python_e2e.py tests those)."""
    if not isinstance(args, (list, tuple)) or len(args) < 2 or not str(args[0]).endswith('aiodemo'):
        return args
    if args[1] == 'check':  # check takes built-in names as the scenario language's
        return args
    out = list(args)
    for i, a in enumerate(out[1:], 1):
        path = os.path.join(SCENARIOS, str(a) + '.scn')
        if '/' not in str(a) and os.path.exists(path):
            out[i] = path
    return out


_subprocess_run, _subprocess_popen = subprocess.run, subprocess.Popen
subprocess.run = lambda args, *a, **k: _subprocess_run(_scenario_files(args), *a, **k)
subprocess.Popen = lambda args, *a, **k: _subprocess_popen(_scenario_files(args), *a, **k)


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def tol(seconds):
    """The allowed deviation for an event expected at @seconds of scenario time."""
    return 0.2 * seconds * SCALE + 0.025


def run(aiodemo, *args, check_status=0):
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8')
    p = subprocess.run([aiodemo, *args], capture_output=True, text=True, timeout=60, env=env)
    if check_status is not None and p.returncode != check_status:
        raise Failure(f'aiodemo {" ".join(args)}: exit {p.returncode}, wanted {check_status}\n'
                      f'stderr: {p.stderr}')
    return p


def run_json(aiodemo, name, *extra):
    p = run(aiodemo, 'run', name, '--scale', str(SCALE), '--format', 'json', *extra)
    events = []
    for n, line in enumerate(p.stdout.splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise Failure(f'line {n} is not JSON: {line!r}: {e}')
        events.append(obj)
    if not events or events[-1].get('kind') != 'summary':
        raise Failure('the last JSON line is not the summary')
    for e in events[:-1]:
        for key in ('t', 'lane', 'lane_kind', 'kind', 'text'):
            if key not in e:
                raise Failure(f'event without {key!r}: {e}')
    return events[:-1], events[-1]


def says(events):
    return [e for e in events if e['kind'] == 'say']


def expect_eq(what, got, want):
    if got != want:
        raise Failure(f'{what}: got {got!r}, wanted {want!r}')


def expect_at(what, t, seconds):
    want = seconds * SCALE
    if abs(t - want) > tol(seconds):
        raise Failure(f'{what}: at {t:.4f} s, wanted {want:.4f} s ± {tol(seconds):.4f}')


def say_times(events):
    return {e['text']: e['t'] for e in says(events)}


def expect_order(events, texts):
    got = [e['text'] for e in says(events)]
    expect_eq('say order', got, texts)


def case_offload_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'offload-sleep')
    expect_order(events, ['✅ Blocked task starts (calls time.sleep)',
                          '🔄 Normal coroutine starts (asyncio.sleep)',
                          '🔄 Normal coroutine ends', '✅ Blocked task ends'])
    t = say_times(events)
    expect_at('normal task ends', t['🔄 Normal coroutine ends'], 1)
    expect_at('blocked task ends', t['✅ Blocked task ends'], 2)
    expect_at('total', summary['total'], 2)
    expect_eq('blocked windows', summary['blocked'], [])
    expect_eq('status', summary['status'], 'ok')
    jobs = [e for e in events if e['kind'] == 'job-start']
    expect_eq('job lanes', [e['lane'] for e in jobs], ['default/1'])
    expect_eq('job lane kind', jobs[0]['lane_kind'], 'thread')
    if summary['max_lag'] > 0.5 * SCALE:
        raise Failure(f'the loop lagged {summary["max_lag"]} s though nothing blocked it')


def case_blocking_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'blocking-sleep')
    expect_order(events, ['❌ Wrong: calling a blocking function directly', '❌ Wrong task ends',
                          '✅ Normal coroutine starts', '✅ Normal coroutine ends'])
    t = say_times(events)
    expect_at('bad task ends', t['❌ Wrong task ends'], 2)
    expect_at('good task starts (after the block)', t['✅ Normal coroutine starts'], 2)
    expect_at('good task ends', t['✅ Normal coroutine ends'], 3)
    expect_at('total', summary['total'], 3)
    expect_eq('blocked windows', len(summary['blocked']), 1)
    w = summary['blocked'][0]
    expect_at('blocked window start', w['start'], 0)
    expect_at('blocked window length', w['end'] - w['start'], 2)
    expect_eq('blocked by', (w['lane'], w['what']), ('t2 bad_task()', 'block 2s'))
    if summary['max_lag'] < 1.5 * SCALE:
        raise Failure(f'max lag {summary["max_lag"]} s, but the loop was blocked for 2 s of scenario time')


def case_executor_sleep(aiodemo):
    events, summary = run_json(aiodemo, 'executor-sleep')
    expect_order(events, ['✅ Blocked task starts', '✅ Blocked task ends'])
    expect_at('ends', say_times(events)['✅ Blocked task ends'], 2)
    expect_eq('tasks (the coroutine runs inside main)', summary['tasks'], 1)
    expect_eq('blocked windows', summary['blocked'], [])


def bounded(aiodemo, workers):
    extra = ['--param', f'workers={workers}'] if workers else []
    events, summary = run_json(aiodemo, 'bounded-pool', *extra)
    t = say_times(events)
    for url in ('url1', 'url2', 'url3', 'url4'):
        expect_at(f'start {url}', t[f'📥 Start download: {url}'], 0)
    return events, summary, t


def case_bounded_pool(aiodemo):
    events, summary, t = bounded(aiodemo, None)
    for url in ('url1', 'url2', 'url3'):
        expect_at(f'finish {url}', t[f'✅ Finished download: {url}'], 1)
    expect_at('finish url4 (queued behind three)', t['✅ Finished download: url4'], 2)
    starts = {e['job']: e for e in events if e['kind'] == 'job-start'}
    expect_at('job 4 starts when a thread is free', starts[4]['t'], 1)
    expect_at('job 4 waited in the queue', starts[4]['dur'], 1)
    lanes = {e['lane'] for e in starts.values()}
    expect_eq('worker lanes', sorted(lanes), ['downloads/1', 'downloads/2', 'downloads/3'])
    expect_at('total', summary['total'], 2)


def case_bounded_pool_param(aiodemo):
    events, summary, t = bounded(aiodemo, 4)
    for url in ('url1', 'url2', 'url3', 'url4'):
        expect_at(f'finish {url} with 4 workers', t[f'✅ Finished download: {url}'], 1)
    expect_at('total with 4 workers', summary['total'], 1)
    events, summary, t = bounded(aiodemo, 1)
    ends = sorted(t[f'✅ Finished download: {u}'] for u in ('url1', 'url2', 'url3', 'url4'))
    for i, end in enumerate(ends, 1):
        expect_at(f'download {i} of 4 with 1 worker', end, i)


def case_to_thread_basic(aiodemo):
    events, summary = run_json(aiodemo, 'to-thread-basic')
    texts = [e['text'] for e in says(events)]
    if len(texts) != 2 or not texts[0].startswith('Event loop starts: ') or \
            not texts[1].startswith('Event loop ends: '):
        raise Failure(f'say lines: {texts}')
    expect_at('total', summary['total'], 1)


def primes_counts(events):
    expect_order(events, ['Primes in 1-100000: 9593, primes in 100000-200000: 8392',
                          'Total primes: 17985'])


def case_process_primes(aiodemo):
    events, summary = run_json(aiodemo, 'process-primes')
    primes_counts(events)
    starts = {e['job']: e for e in events if e['kind'] == 'job-start'}
    dones = {e['job']: e for e in events if e['kind'] == 'job-done'}
    expect_eq('job lane kinds', {e['lane_kind'] for e in starts.values()}, {'process'})
    if starts[1]['lane'] == starts[2]['lane']:
        raise Failure('both jobs ran in the same worker process')
    if not (starts[2]['t'] < dones[1]['t'] and starts[1]['t'] < dones[2]['t']):
        raise Failure('the two jobs did not overlap in time')
    pool = [e for e in events if e['kind'] == 'pool']
    pids = pool[0]['text'].split('(pid ')[1].rstrip(')').split(', ')
    if len(pids) != len(set(pids)) or str(os.getpid()) in pids:
        raise Failure(f'worker pids {pids}')
    expect_eq('blocked windows', summary['blocked'], [])


def case_serial_primes(aiodemo):
    events, summary = run_json(aiodemo, 'serial-primes')
    primes_counts(events)
    expect_eq('blocked windows', [w['what'] for w in summary['blocked']],
              ['primes(1, 100000)', 'primes(100000, 200000)'])
    w1, w2 = summary['blocked']
    if w2['start'] < w1['end']:
        raise Failure('the two counts overlapped on the loop thread')


def case_list_and_show(aiodemo):
    out = run(aiodemo, 'list').stdout
    names = [line.split()[0] for line in out.splitlines()]
    for name in ('offload-sleep', 'blocking-sleep', 'executor-sleep', 'bounded-pool',
                 'to-thread-basic', 'process-primes', 'serial-primes'):
        if name not in names:
            raise Failure(f'{name} missing from aiodemo list')
    for line in out.splitlines():
        if len(line.split(None, 1)) < 2:
            raise Failure(f'no title: {line!r}')
    shown = run(aiodemo, 'show', 'bounded-pool').stdout
    for piece in ('ThreadPoolExecutor(max_workers=3)', 'notice:', 'param   workers = 3'):
        if piece not in shown:
            raise Failure(f'show bounded-pool lacks {piece!r}')


def case_text_output(aiodemo):
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE))
    out = p.stdout
    for piece in ('blocking-sleep: ', 'time (s)', 't2 bad_task()', '❌ Wrong task ends', 'summary',
                  'loop blocked   1 time', 'what to notice'):
        if piece not in out:
            raise Failure(f'text output lacks {piece!r}:\n{out}')
    if '\033[' in out:
        raise Failure('colour codes in output that is not a terminal')
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--color=always')
    if '\033[' not in p.stdout:
        raise Failure('--color=always gave no colour')


def case_usage_errors(aiodemo):
    cases = [
        (['run', 'offlod-sleep'], "did you mean 'offload-sleep'?"),
        (['run', 'offload-sleep', '--scale', '0'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', '-1'], '--scale takes a number'),
        (['run', 'offload-sleep', '--scale', 'abc'], '--scale takes a number'),
        (['run', 'bounded-pool', '--param', 'worker=4'], "did you mean 'workers'?"),
        (['run', 'bounded-pool', '--param', 'workers=abc'], 'takes a number'),
        (['run', 'offload-sleep', '--format', 'xml'], '--format takes text or json'),
        (['run', 'offload-sleep', '--bogus'], "unknown option '--bogus'"),
        (['run'], 'needs a scenario'),
        (['rnu', 'offload-sleep'], "did you mean 'run'?"),
        ([], 'no command given'),
        (['run', HERE], 'is a directory'),
        (['run', '/nonexistent/x.scn'], 'cannot open scenario file'),
        (['run', 'offload-sleep', 'extra'], "unexpected argument 'extra'"),
        (['run', 'offload-sleep', '--scale'], "option '--scale' needs a value"),
        (['run', 'offload-sleep', '--view', 'pie'], '--view takes events, gantt or both'),
        (['run', 'offload-sleep', '--slow', 'soon'], '--slow takes seconds'),
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
    p = run(aiodemo, 'run', 'bounded-pool', '--param', 'workers=0', check_status=2)
    if 'from 1 to 256' not in p.stderr:
        raise Failure(f'workers=0: {p.stderr!r}')
    # Output that cannot be written is an error, not a closed pipe.
    if os.path.exists('/dev/full'):
        with open('/dev/full', 'w') as full:
            env = dict(os.environ, NO_COLOR='1')
            p = subprocess.run([aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE)], stdout=full,
                               stderr=subprocess.PIPE, text=True, env=env, timeout=60)
        expect_eq('exit status writing to /dev/full', p.returncode, 1)
        if 'No space left on device' not in p.stderr:
            raise Failure(f'/dev/full: {p.stderr!r}')


def case_scenario_file_errors(aiodemo):
    p = run(aiodemo, 'run', os.path.join(HERE, 'scenarios', 'bad-indent.scn'), check_status=2)
    want = 'bad-indent.scn:6:9: error: unexpected indentation'
    if want not in p.stderr or '^' not in p.stderr:
        raise Failure(f'stderr {p.stderr!r} lacks {want!r} and a caret')
    p = run(aiodemo, 'run', os.path.join(HERE, 'scenarios', 'unknown-func.scn'), check_status=2)
    if "unknown function 'fetc'; did you mean 'fetch'?" not in p.stderr or ':9:' not in p.stderr:
        raise Failure(f'stderr {p.stderr!r}')


def case_scenario_file_runs(aiodemo):
    path = os.path.join(HERE, 'scenarios', 'create-task.scn')
    events, summary = run_json(aiodemo, path)
    expect_order(events, ['Do something with 1...', 'Do something with 2...', 'Done with 1',
                          'Task 1 fully completed', 'Done with 2', 'Task 2 fully completed',
                          "['Result of 1', 'Result of 2']"])
    t = say_times(events)
    expect_at('Task 1 fully completed', t['Task 1 fully completed'], 1)
    expect_at('Task 2 fully completed', t['Task 2 fully completed'], 2)
    expect_at('total', summary['total'], 2)


def case_unhandled_error(aiodemo):
    p = run(aiodemo, 'run', os.path.join(HERE, 'scenarios', 'raises.scn'), '--scale', str(SCALE),
            '--format', 'json', check_status=1)
    summary = json.loads(p.stdout.splitlines()[-1])
    expect_eq('status', summary['status'], 'error')
    if 'ZeroDivisionError: division by zero (line 6)' not in summary['error']:
        raise Failure(f'error: {summary["error"]!r}')


def gantt_rows(aiodemo, name, locale='C.UTF-8', *extra):
    env = dict(os.environ, NO_COLOR='1', LC_ALL=locale, COLUMNS='100')
    p = subprocess.run([aiodemo, 'run', name, '--scale', str(SCALE), '--view', 'gantt', *extra],
                       capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise Failure(f'gantt of {name}: exit {p.returncode}: {p.stderr}')
    rows = {}
    for line in p.stdout.splitlines():
        if len(line) > 28 and line[:26].strip() and line[26:28] == '  ':
            rows[line[:26].rstrip()] = line[28:]
    return rows, p.stdout


def runs_of(row, ch):
    """The [first, last] columns of each run of @ch in @row."""
    out, start = [], None
    for i, c in enumerate(row + ' '):
        if c == ch and start is None:
            start = i
        elif c != ch and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def case_gantt(aiodemo):
    rows, out = gantt_rows(aiodemo, 'blocking-sleep')
    for lane in ('main', 't2 bad_task()', 't3 good_task()', 'loop'):
        if lane not in rows:
            raise Failure(f'no lane {lane!r} in:\n{out}')
    if 'time (s)' in out:
        raise Failure('--view gantt printed the event list')
    width = len(rows['main'].rstrip())
    # The run lasts 3 s; the block covers the first two thirds of the axis.
    for lane in ('t2 bad_task()', 'loop'):
        blocked = runs_of(rows[lane], '▓')
        if not blocked:
            raise Failure(f'{lane}: no blocked cells: {rows[lane]!r}')
        first, last = blocked[0]
        if first > 1 or abs((last + 1) / width - 2 / 3) > 0.08:
            raise Failure(f'{lane}: blocked over columns {first}-{last} of {width}, wanted 0-{2 * width // 3}')
    ready = runs_of(rows['t3 good_task()'], '▒')
    if not ready or abs((ready[0][1] + 1) / width - 2 / 3) > 0.08:
        raise Failure(f'good_task is not shown ready for the first two thirds: {rows["t3 good_task()"]!r}')
    if '▒' in rows['t2 bad_task()'] or '▓' in rows['t3 good_task()']:
        raise Failure('the wrong task is shown blocking or starving')
    # The offloaded version: a worker lane runs the job, nothing blocks.
    rows, out = gantt_rows(aiodemo, 'offload-sleep')
    if '▓' in out.split('summary')[0].replace('▓ blocking the loop', ''):
        raise Failure(f'offload-sleep shows the loop blocked:\n{out}')
    # (A worker thread takes a few milliseconds to start under ThreadSanitizer.)
    job = runs_of(rows.get('default/1', ''), '█')
    if not job or job[0][0] > 0.15 * len(rows['main'].rstrip()):
        raise Failure(f'the worker lane does not run the job from the start: {rows.get("default/1")!r}')
    # Without UTF-8, the chart falls back to ASCII.
    rows, out = gantt_rows(aiodemo, 'blocking-sleep', 'C')
    if not runs_of(rows['t2 bad_task()'], '!') or any(ord(c) > 127 for c in rows['loop']):
        raise Failure(f'ASCII chart: {rows}')
    # The pool's queue lane shows the fourth download waiting.
    rows, out = gantt_rows(aiodemo, 'bounded-pool')
    queued = runs_of(rows.get('downloads queue', ''), '░')
    if not queued or abs((queued[0][1] + 1) / len(rows['main'].rstrip()) - 0.5) > 0.08:
        raise Failure(f'queue lane: {rows.get("downloads queue")!r}')


def case_loop_health(aiodemo):
    events, summary = run_json(aiodemo, 'blocking-sleep')
    for key in ('lag_p50', 'lag_p99', 'utilization', 'slow_passes'):
        if key not in summary:
            raise Failure(f'no {key} in the summary')
    # Blocked for 2 s of 3: the missed beats count, so p50 is well above zero.
    if summary['lag_p99'] < 1.5 * SCALE or summary['lag_p50'] < 0.3 * SCALE:
        raise Failure(f'lag figures {summary["lag_p50"]}, {summary["lag_p99"]}')
    if not 0.5 <= summary['utilization'] <= 0.85:
        raise Failure(f'utilization {summary["utilization"]}, wanted about 2/3')
    events, summary = run_json(aiodemo, 'offload-sleep')
    if summary['utilization'] > 0.2 or summary['lag_p99'] > 0.5 * SCALE:
        raise Failure(f'offload-sleep: utilization {summary["utilization"]}, p99 {summary["lag_p99"]}')
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE))
    for piece in ('diagnostics', 'line 42: `block 2s` in t2 bad_task() blocked the loop for',
                  'per task', 'loop busy'):
        if piece not in p.stdout:
            raise Failure(f'text summary lacks {piece!r}')


def case_compare(aiodemo):
    p = run(aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE), '--format', 'json')
    d = json.loads(p.stdout)
    expect_eq('compared scenarios', (d['a']['scenario'], d['b']['scenario']), ('blocking-sleep', 'offload-sleep'))
    if abs(d['ratio']['total'] - 2 / 3) > 0.2:
        raise Failure(f'total ratio {d["ratio"]["total"]}, wanted about 2/3')
    if d['a']['blocked'] < 1.5 * SCALE or d['b']['blocked'] != 0:
        raise Failure(f'blocked: {d["a"]["blocked"]} and {d["b"]["blocked"]}')
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8', COLUMNS='100')
    out = subprocess.run([aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE)],
                         capture_output=True, text=True, env=env, timeout=60).stdout
    for piece in ('A blocking-sleep', 'B offload-sleep', 't2 bad_task()', 'default/1', 'B/A', 'time blocked'):
        if piece not in out:
            raise Failure(f'compare output lacks {piece!r}:\n{out}')
    # Both charts share one axis: the shorter run ends early on it.
    rows = [l for l in out.splitlines() if l.startswith('main ')]
    if len(rows) != 2 or len(rows[1].rstrip()) > 0.8 * len(rows[0].rstrip()):
        raise Failure(f'the two main lanes are not on one axis: {rows}')
    run(aiodemo, 'compare', 'blocking-sleep', check_status=2)


def case_record_replay(aiodemo):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        rec, trace, svg = (os.path.join(d, n) for n in ('run.json', 'trace.json', 'chart.svg'))
        live = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json',
                   '--record', rec, '--trace', trace, '--svg', svg).stdout.splitlines()
        again = run(aiodemo, 'replay', rec, '--format', 'json').stdout.splitlines()
        expect_eq('replayed JSON events', again[:-1], live[:-1])
        a, b = json.loads(live[-1]), json.loads(again[-1])
        for key in ('status', 'total', 'max_lag', 'tasks', 'jobs', 'blocked', 'expectations'):
            expect_eq(f'replayed summary {key}', b[key], a[key])
        env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8', COLUMNS='100')
        text = subprocess.run([aiodemo, 'replay', rec, '--view', 'gantt'], capture_output=True, text=True,
                              env=env, timeout=60).stdout
        for piece in ('bounded-pool: ', 'downloads queue', 'downloads/3', 'summary', 'what to notice'):
            if piece not in text:
                raise Failure(f'replay --view gantt lacks {piece!r}')
        with open(rec) as f:
            doc = json.load(f)
        expect_eq('record format', (doc['format'], doc['version']), ('aiodemo-record', 1))
        bad = os.path.join(d, 'bad.json')
        with open(bad, 'w') as f:
            f.write('{"format": "something else"}')
        p = run(aiodemo, 'replay', bad, check_status=2)
        if 'not an aiodemo record' not in p.stderr:
            raise Failure(f'replay of a bad file: {p.stderr!r}')
        p = run(aiodemo, 'replay', os.path.join(d, 'missing.json'), check_status=2)
        if 'cannot read record' not in p.stderr:
            raise Failure(f'replay of a missing file: {p.stderr!r}')


def case_trace(aiodemo):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'trace.json')
        run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--format', 'json', '--trace', path)
        with open(path) as f:
            doc = json.load(f)
    events = doc['traceEvents']
    names, depth = {}, {}
    for e in events:
        for key in ('ph', 'ts', 'pid', 'tid'):
            if key not in e:
                raise Failure(f'trace event without {key!r}: {e}')
        if e['ph'] == 'M' and e['name'] == 'thread_name':
            if e['args']['name'] in names.values():
                raise Failure(f'two tracks named {e["args"]["name"]!r}')
            names[e['tid']] = e['args']['name']
        elif e['ph'] == 'B':
            depth[e['tid']] = depth.get(e['tid'], 0) + 1
        elif e['ph'] == 'E':
            depth[e['tid']] = depth.get(e['tid'], 0) - 1
            if depth[e['tid']] < 0:
                raise Failure(f'an E without its B on track {names.get(e["tid"])}')
    if any(depth.values()):
        raise Failure(f'unbalanced B/E: {depth}')
    for lane in ('main', 't2 bad_task()', 't3 good_task()', 'loop'):
        if lane not in names.values():
            raise Failure(f'no track for {lane!r}')
    blocking = [e for e in events if e['ph'] == 'B' and e['name'] == 'blocking the loop']
    if sorted(names[b['tid']] for b in blocking) != ['loop', 't2 bad_task()']:
        raise Failure(f'blocking slices: {blocking}')
    says = [e['name'] for e in events if e['ph'] == 'i']
    if '❌ Wrong task ends' not in says:
        raise Failure(f'say instants: {says}')
    if not any(e['ph'] == 'C' and e['name'] == 'loop lag (ms)' for e in events):
        raise Failure('no loop lag counter')


def chromium():
    import shutil
    return shutil.which('chromium') or shutil.which('chromium-browser')


def case_svg(aiodemo):
    import tempfile
    sys.path.insert(0, HERE)
    import png
    browser = chromium()
    if not browser:
        raise Skip('chromium is not installed')
    red = (0xd6, 0x27, 0x28)
    with tempfile.TemporaryDirectory() as d:
        found = {}
        for name in ('blocking-sleep', 'offload-sleep'):
            svg, shot = os.path.join(d, name + '.svg'), os.path.join(d, name + '.png')
            run(aiodemo, 'run', name, '--scale', str(SCALE), '--format', 'json', '--svg', svg)
            with open(svg) as f:
                text = f.read()
            if not text.startswith('<svg') or 't2 bad_task()' not in text and name == 'blocking-sleep':
                raise Failure(f'{name}: not the SVG expected')
            p = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                                '--no-first-run', '--disable-background-networking', '--disable-component-update',
                                '--disable-sync', '--hide-scrollbars', f'--user-data-dir={d}/profile',
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
        # The legend's swatch is red in both; only blocking-sleep has a red bar.
        if found['blocking-sleep'] < found['offload-sleep'] + 2000:
            raise Failure(f'red pixels: {found}')


def display_width(s):
    import unicodedata
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1
    return w


def case_cjk_columns(aiodemo):
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8', COLUMNS='100')
    p = subprocess.run([aiodemo, 'run', os.path.join(HERE, 'scenarios', 'cjk.scn'), '--scale', str(SCALE)],
                       capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise Failure(f'cjk.scn: exit {p.returncode}: {p.stderr}')
    lines = [l for l in p.stdout.splitlines() if '下载任务' in l[:40] and l[:8].strip().replace('.', '').isdigit()]
    if len(lines) < 4:
        raise Failure(f'too few event lines:\n{p.stdout}')
    for l in lines:
        # The event column starts after the time (8), two spaces, the lane (26) and two spaces.
        lane_part = l[10:]
        cut, width = 0, 0
        while width < 28 and cut < len(lane_part):
            width += display_width(lane_part[cut])
            cut += 1
        if width != 28 or lane_part[cut - 2:cut] != '  ':
            raise Failure(f'misaligned: {l!r}')
    says = [e['text'] for e in says_of_json(aiodemo, os.path.join(HERE, 'scenarios', 'cjk.scn'))]
    expect_eq('CJK say lines', says[:2], ['📥 开始下载: 第一个文件', '📥 开始下载: 2'])


def says_of_json(aiodemo, path):
    events, _ = run_json(aiodemo, path)
    return says(events)


def case_slow_option(aiodemo):
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--slow', '3')
    if 'diagnostics' in p.stdout:
        raise Failure('--slow 3 still reports a 2 s block')
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--slow', '1')
    if 'blocked the loop for' not in p.stdout:
        raise Failure('--slow 1 does not report a 2 s block')
    run(aiodemo, 'run', 'blocking-sleep', '--slow', '0', check_status=2)


def case_ideal(aiodemo):
    p = run(aiodemo, 'run', 'blocking-sleep', '--scale', str(SCALE), '--format', 'json', '--ideal')
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    ideal = [l for l in lines if l.get('kind') == 'ideal']
    expect_eq('the summary is still last', lines[-1]['kind'], 'summary')
    if len(ideal) != 1:
        raise Failure('no ideal line')
    d = ideal[0]
    if abs(d['total'] - 3 * SCALE) > 1e-6:
        raise Failure(f'ideal total {d["total"]}, wanted exactly {3 * SCALE}')
    expect_eq('say lines matched', (d['matched'], d['says']), (4, 4))
    if d['deviation_max'] > tol(3):
        raise Failure(f'the real run strays {d["deviation_max"]} s from the ideal')
    ideal_times = [x['ideal'] for x in d['lines']]
    expect_eq('ideal moments', [round(t / SCALE, 6) for t in ideal_times], [0, 2, 2, 3])
    # With offloaded jobs: the ideal pool of three runs the fourth download after the first.
    p = run(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--format', 'json', '--ideal')
    d = [json.loads(l) for l in p.stdout.splitlines() if '"kind":"ideal"' in l][0]
    ends = sorted(x['ideal'] for x in d['lines'] if x['text'].startswith('✅'))
    expect_eq('ideal download ends', [round(t / SCALE, 6) for t in ends], [1, 1, 1, 2])
    p = run(aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--ideal', '--view', 'events')
    for piece in ('ideal run (the same scenario on a virtual clock', '|real - ideal|', 'real-ideal'):
        if piece not in p.stdout:
            raise Failure(f'text output lacks {piece!r}')


def case_limits(aiodemo):
    p = run(aiodemo, 'run', os.path.join(HERE, 'scenarios', 'overtime.scn'), '--scale', '0.0001',
            '--format', 'json', check_status=1)
    summary = json.loads(p.stdout.splitlines()[-1])
    if 'limit of 3600 s of scenario time' not in summary.get('error', ''):
        raise Failure(f'overtime: {summary.get("error")!r}')
    with open(os.path.join(HERE, 'scenarios', 'overtime.scn')) as f:
        text = f.read().replace('3000s', '4000s')
    import tempfile
    with tempfile.NamedTemporaryFile('w', suffix='.scn', delete=False) as f:
        f.write(text)
    try:
        p = run(aiodemo, 'run', f.name, '--scale', '0.0001', '--format', 'json', check_status=1)
        if 'longer than the limit of 3600 s' not in p.stdout:
            raise Failure(f'a 4000 s sleep: {p.stdout[-300:]!r}')
    finally:
        os.unlink(f.name)


def case_resource_limits(aiodemo):
    import resource

    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (8, 8))
    env = dict(os.environ, NO_COLOR='1')
    p = subprocess.run([aiodemo, 'run', 'process-primes', '--scale', str(SCALE)], capture_output=True,
                       text=True, env=env, timeout=60, preexec_fn=few_files)
    expect_eq('exit status without file descriptors for the pool', p.returncode, 1)
    if 'worker processes of pool procs: Too many open files' not in p.stderr:
        raise Failure(f'stderr: {p.stderr!r}')
    if p.stdout:
        raise Failure(f'something was printed before the failure: {p.stdout!r}')


def case_http(aiodemo):
    p = run(aiodemo, 'check', '--scale', str(SCALE), '--tap', os.path.join(HERE, 'scenarios', 'http-errors.scn'),
            'threaded-downloads')
    if 'not ok' in p.stdout:
        raise Failure(p.stdout)
    events, summary = run_json(aiodemo, 'threaded-downloads')
    server = [e for e in events if e['lane_kind'] == 'server']
    gets = [e['text'] for e in server if e['text'].startswith('GET ')]
    if len(gets) != 3 or not all('answered 200' in g for g in gets):
        raise Failure(f'server lane: {gets}')
    if not server[0]['text'].startswith('listening on http://127.0.0.1:'):
        raise Failure(f'the server listens on {server[0]["text"]!r}')
    lines = [e['text'] for e in says(events)]
    if not all('status: 200' in l for l in lines[1:]) or len(lines) != 4:
        raise Failure(f'results: {lines}')
    expect_at('total', summary['total'], 1)


def case_int_and_random(aiodemo):
    p = run(aiodemo, 'check', '--tap', os.path.join(HERE, 'scenarios', 'int-and-random.scn'))
    if 'not ok' in p.stdout or not p.stdout.startswith('1..1\nok 1'):
        raise Failure(p.stdout)


def case_captcha(aiodemo):
    # Both scenarios meet their expectations at full scale too (at twice it
    # under ThreadSanitizer, whose thread starts eat into the tolerance).
    scale = '2' if 'thread' in os.environ.get('AIODEMO_SANITIZE', '') else '1'
    p = run(aiodemo, 'check', '--scale', scale, 'captcha-server', 'captcha-on-loop')
    if '2 passed, 0 failed' not in p.stdout:
        raise Failure(f'check at scale 1: {p.stdout}')
    events, summary = run_json(aiodemo, 'captcha-server')
    server = [e for e in events if e['lane'] == 'http server (on the loop)']
    arrivals = [e for e in server if ' arrives, handled by ' in e['text']]
    answers = [e for e in server if ' answered 200 after ' in e['text']]
    expect_eq('requests arriving', len(arrivals), 10)
    expect_eq('answers leaving', len(answers), 10)
    # The loop accepts every request while the first captchas are being made.
    if max(e['t'] for e in arrivals) >= min(e['t'] for e in answers):
        raise Failure('a request arrived only after the first answer left: the loop was not free')
    captchas = [e['text'] for e in says(events)][1:]
    for c in captchas:
        body = json.loads(c.split(' ', 1)[1])
        if not c.startswith('200 ') or len(body['captcha']) != 8 or set(body['captcha']) - set('abcdef123456'):
            raise Failure(f'answer {c!r}')
    if len(set(captchas)) < 9:
        raise Failure(f'the worker processes made the same captchas: {captchas}')
    # (Their totals were checked at full scale above: at a small one, the
    # fixed cost of ten connections is a large part of the run.)
    events, summary = run_json(aiodemo, 'captcha-on-loop')
    blocked = sum(w['end'] - w['start'] for w in summary['blocked'])
    expect_eq('blocking steps on the loop', len(summary['blocked']), 10)
    if blocked < 0.9 * SCALE:
        raise Failure(f'captcha-on-loop blocked the loop {blocked:.4f} s only')


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def http(url, method='GET'):
    """(status, body) of a request made without any proxy."""
    import urllib.error
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def listening_addresses(port):
    """The local addresses of the sockets listening on @port, from /proc/net/tcp{,6}."""
    found = []
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            addr, p = local.split(':')
            if state == '0A' and int(p, 16) == port:
                found.append(addr)
    return found


def case_serve(aiodemo):
    import signal
    import threading
    import time
    port = free_port()
    p = start(aiodemo, 'serve', 'captcha-server', '--port', str(port), '--param', 'requests=1', '--format', 'json')
    seen = []
    for line in p.stdout:
        seen.append(json.loads(line))
        if 'goes on serving until Ctrl-C' in seen[-1]['text']:
            break
    else:
        raise Failure(f'serve ended early: {p.stderr.read()}')
    try:
        expect_eq('listening sockets (127.0.0.1 only)', listening_addresses(port), ['0100007F'])
        # Ten at once: the process pool makes them in parallel (two rounds of 0.1 s).
        base = f'http://127.0.0.1:{port}'
        results = [None] * 10

        def get(i):
            results[i] = http(f'{base}/captcha?length=8')

        t0 = time.monotonic()
        threads = [threading.Thread(target=get, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        for status, body in results:
            expect_eq('status', status, 200)
            expect_eq('captcha length', len(json.loads(body)['captcha']), 8)
        if not 0.2 <= took < 0.7:
            raise Failure(f'ten concurrent requests took {took:.3f} s, wanted about 0.2 s (1 s one at a time)')
        # Bad requests get a 4xx with the reason, and the server keeps serving.
        for path, code, reason in (('/nope', 404, 'not found: this server has /captcha'),
                                   ('/captcha?length=-1', 400, 'length must be from 1 to 64, not -1'),
                                   ('/captcha?length=abc', 400, "invalid literal for int() with base 10: 'abc'"),
                                   ('/captcha?length=99999999999999999999999', 400, 'too large'),
                                   ('/captcha?length=65', 400, 'not 65')):
            status, body = http(base + path)
            expect_eq(f'{path}: status', status, code)
            if reason not in body:
                raise Failure(f'{path}: the answer {body!r} lacks {reason!r}')
        expect_eq('POST', http(base + '/captcha', 'POST')[0], 405)
        status, body = http(base + '/captcha')
        expect_eq('a good request after the bad ones', status, 200)
        expect_eq('the default length', len(json.loads(body)['captcha']), 6)
        # The same port twice: a clear error, not a crash.
        q = run(aiodemo, 'serve', 'captcha-server', '--port', str(port), '--param', 'requests=1', check_status=1)
        if f'cannot listen on 127.0.0.1:{port} (is the port in use?)' not in q.stdout + q.stderr:
            raise Failure(f'serve on a port in use says: {q.stdout[-500:]} {q.stderr}')
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    expect_eq('serve: exit status after Ctrl-C', p.returncode, 0)
    expect_eq('serve: stderr', err, '')
    expect_eq('serve: the last line', json.loads(out.splitlines()[-1]).get('kind'), 'summary')
    for pid in pids_of(seen):
        if not gone(pid):
            raise Failure(f'worker process {pid} outlived the server')
    p = run(aiodemo, 'serve', 'offload-sleep', '--scale', str(SCALE), check_status=1)
    if 'offload-sleep never calls serve()' not in p.stderr:
        raise Failure(f'serve of a scenario without a server: {p.stderr!r}')
    p = run(aiodemo, 'serve', 'captcha', check_status=2)
    if "did you mean one of 'captcha-on-loop', 'captcha-server'?" not in p.stderr:
        raise Failure(f'serve captcha: {p.stderr!r}')
    p = run(aiodemo, 'run', 'offload-sleep', '--port', '8080', check_status=2)
    if "--port is an option of 'serve'" not in p.stderr:
        raise Failure(f'--port with run: {p.stderr!r}')


def case_check(aiodemo):
    good = os.path.join(HERE, 'scenarios', 'create-task.scn')
    bad = os.path.join(HERE, 'scenarios', 'wrong-expectations.scn')
    p = run(aiodemo, 'check', '--scale', str(SCALE), 'offload-sleep', good)
    if '2 passed, 0 failed' not in p.stdout:
        raise Failure(f'check output: {p.stdout!r}')
    p = run(aiodemo, 'check', '--scale', str(SCALE), '--tap', 'offload-sleep', bad, check_status=1)
    lines = p.stdout.splitlines()
    expect_eq('TAP plan', lines[0], '1..2')
    if not lines[1].startswith('ok 1 - offload-sleep'):
        raise Failure(f'TAP line: {lines[1]!r}')
    if not any(l.startswith('not ok 2 - ') for l in lines):
        raise Failure(f'no failure line: {p.stdout!r}')
    for piece in ('NOT met: line 3: the run ends at', 'NOT met: line 4: "two" at',
                  'NOT met: line 5: "two" comes after "one"', 'NOT met: line 6: "three" is never said'):
        if piece not in p.stdout:
            raise Failure(f'check --tap lacks {piece!r}:\n{p.stdout}')
    # run reports unmet expectations in its summary but is not a failure.
    p = run(aiodemo, 'run', bad, '--scale', str(SCALE))
    if 'expectations   1 of 5 met; not met:' not in p.stdout:
        raise Failure(f'run summary: {p.stdout!r}')
    p = run(aiodemo, 'check', 'no-such-scenario', check_status=2)
    if "unknown scenario 'no-such-scenario'" not in p.stderr:
        raise Failure(f'check of an unknown name: {p.stderr!r}')


def start(aiodemo, *args):
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C.UTF-8')
    return subprocess.Popen([aiodemo, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def read_until(p, kind):
    """Reads JSON lines from @p until an event of @kind; returns the events read."""
    seen = []
    for line in p.stdout:
        seen.append(json.loads(line))
        if seen[-1].get('kind') == kind:
            return seen
    raise Failure(f'no {kind!r} event before the output ended')


def pids_of(events):
    pool = [e for e in events if e['kind'] == 'pool']
    return [int(x) for x in pool[0]['text'].split('(pid ')[1].rstrip(')').split(', ')]


def gone(pid, within=3.0):
    import time
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def case_interrupt(aiodemo):
    import signal
    p = start(aiodemo, 'run', 'blocking-sleep', '--format', 'json')
    read_until(p, 'block')
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    expect_eq('exit status after SIGINT', p.returncode, 130)
    summary = json.loads(out.splitlines()[-1])
    expect_eq('status', summary['status'], 'interrupted')
    if summary['total'] > 1.5:
        raise Failure(f'the run went on for {summary["total"]} s after Ctrl-C')
    # Ctrl-C in the middle of offloaded work: threads and processes stop too.
    for name in ('offload-sleep', 'process-primes'):
        extra = ['--param', 'upto=400000000'] if name == 'process-primes' else []
        p = start(aiodemo, 'run', name, '--format', 'json', *extra)
        seen = read_until(p, 'job-start')
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        expect_eq(f'{name}: exit status after SIGINT', p.returncode, 130)
        expect_eq(f'{name}: stderr', err, '')
        last = json.loads(out.splitlines()[-1])
        expect_eq(f'{name}: the last line after SIGINT', last.get('kind'), 'summary')
        if name == 'process-primes':
            for pid in pids_of(seen):
                if not gone(pid):
                    raise Failure(f'worker process {pid} outlived the interrupted run')


def case_sigterm(aiodemo):
    import signal
    p = start(aiodemo, 'run', 'offload-sleep', '--format', 'json')
    read_until(p, 'job-start')
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=10)
    expect_eq('exit status after SIGTERM', p.returncode, 143)


def case_killed_parent_leaves_no_worker(aiodemo):
    import signal
    p = start(aiodemo, 'run', 'process-primes', '--format', 'json', '--param', 'upto=400000000')
    seen = read_until(p, 'job-start')
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=10)
    for pid in pids_of(seen):
        if not gone(pid):
            raise Failure(f'worker process {pid} outlived a SIGKILLed aiodemo')


def case_closed_pipe(aiodemo):
    p = start(aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE))
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    p.wait(timeout=10)
    expect_eq('stderr when the reader goes away', err, '')
    expect_eq('exit status when the reader goes away', p.returncode, 141)


def case_param_work(aiodemo):
    events, summary = run_json(aiodemo, 'process-primes', '--param', 'upto=2000')
    expect_order(events, ['Primes in 1-1000: 169, primes in 1000-2000: 135', 'Total primes: 304'])


CASES = {name[5:].replace('_', '-'): fn for name, fn in globals().items() if name.startswith('case_')}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    aiodemo = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    print(f'1..{len(names)}')
    failed = 0
    for i, name in enumerate(names, 1):
        try:
            CASES[name](aiodemo)
            print(f'ok {i} - {name}')
        except Skip as e:
            print(f'ok {i} - {name} # SKIP {e}')
        except (Failure, subprocess.TimeoutExpired, KeyError, IndexError) as e:
            failed += 1
            print(f'not ok {i} - {name}')
            for line in f'{type(e).__name__}: {e}'.splitlines():
                print(f'  # {line}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
