#!/usr/bin/env python3
"""What observation finds in a real run, read from its record: the GIL's
holder and the threads that wait for it, and who cancelled a task.

usage: observe_e2e.py AIODEMO

Prints TAP. Moments are not asserted here (python_e2e.py compares them with
CPython's); shares of time are, with wide margins, because they are the
lesson: two threads doing CPU work take turns, processes do not."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemas  # noqa: E402
import strict_json  # noqa: E402

strict_json.install()


def record(aiodemo, name, *args):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'run.json')
        p = subprocess.run([aiodemo, 'run', name, '--record', path, '--color=never', *args],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError(f'{name}: exit {p.returncode}: {p.stderr}')
        return schemas.check_file('record', path), p.stdout


def gil_figures(rec):
    """Per lane name: job time, time waiting for the GIL, turns holding it."""
    lanes = [lane['name'] for lane in rec['lanes']]
    fig = {name: {'job': 0.0, 'wait': 0.0, 'turns': 0} for name in lanes}
    started, waiting = {}, {}
    for e in rec['events']:
        name = lanes[e['lane']]
        if e['kind'] == 'job-start':
            started[e['job']] = e['t']
        elif e['kind'] in ('job-done', 'error') and e.get('job') in started:
            fig[name]['job'] += e['t'] - started.pop(e['job'])
        elif e['kind'] == 'gil-wait':
            waiting[name] = e['t']
        elif e['kind'] == 'gil-take' and name in waiting:
            fig[name]['wait'] += e['t'] - waiting.pop(name)
        elif e['kind'] == 'gil' and e['text'] in fig:
            fig[e['text']]['turns'] += 1
    return fig


def test_gil_threads_take_turns(aiodemo):
    rec, out = record(aiodemo, 'thread-cpu-primes', '--view', 'gantt')
    kinds = {lane['kind'] for lane in rec['lanes']}
    assert 'gil' in kinds, f'no GIL lane among {kinds}'
    fig = gil_figures(rec)
    # ThreadPoolExecutor-1 is the pool of two threads.
    for w in ('ThreadPoolExecutor-1/1', 'ThreadPoolExecutor-1/2'):
        f = fig[w]
        assert f['turns'] >= 3, f'{w} held the GIL only {f["turns"]} times: {f}'
        assert f['wait'] >= 0.2 * f['job'], f'{w} waited {f["wait"]:.3f} s of {f["job"]:.3f} s for the GIL'
    alone = fig['ThreadPoolExecutor-0/1']
    assert alone['job'] > 0 and alone['wait'] < 0.15 * alone['job'], f'one thread alone waited: {alone}'
    for name, f in fig.items():
        if name.startswith('ProcessPoolExecutor'):
            assert f['wait'] == 0 and f['turns'] == 0, f'{name} is a process, with a GIL of its own: {f}'
    assert 'GIL  ' in out or '\nGIL' in out, 'the Gantt chart has no GIL lane'
    pools = [line for line in out.splitlines() if 'waited for the GIL' in line]
    assert len(pools) == 1, f'one pool (of two threads) should report GIL waits: {pools}'


def test_no_gil_lane_without_threads(aiodemo):
    rec, _ = record(aiodemo, 'blocking-sleep', '--scale', '0.05')
    assert all(lane['kind'] != 'gil' for lane in rec['lanes']), 'a run without thread jobs has a GIL lane'
    assert not [e for e in rec['events'] if e['kind'].startswith('gil')], 'GIL events without thread jobs'


def test_replay_keeps_the_gil(aiodemo):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'run.json')
        subprocess.run([aiodemo, 'run', 'thread-cpu-primes', '--record', path], capture_output=True, timeout=300,
                       check=True)
        live = schemas.check_file('record', path)
        p = subprocess.run([aiodemo, 'replay', path, '--view', 'gantt', '--color=never'], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        gil = [line for line in p.stdout.splitlines() if line.startswith('GIL ')]
        assert gil and ('1' in gil[0] and '2' in gil[0]), f'the replayed GIL lane lost its holders: {gil}'
        assert sum(e['kind'] == 'gil' for e in live['events']) >= 6
        # The trace and the picture draw the GIL too: slices named after
        # the holder, and a colour of their own.
        trace, svg = os.path.join(d, 'trace.json'), os.path.join(d, 'chart.svg')
        p = subprocess.run([aiodemo, 'replay', path, '--trace', trace, '--svg', svg], capture_output=True,
                           timeout=60)
        assert p.returncode == 0, p.stderr
        names = {e.get('name') for e in schemas.check_file('trace', trace)['traceEvents'] if e.get('ph') == 'X'}
        assert {'waiting for the GIL', 'ThreadPoolExecutor-1/1', 'ThreadPoolExecutor-1/2'} <= names, names
        assert None not in names and '(null)' not in names, names
        with open(svg, encoding='utf-8') as f:
            picture = f.read()
        assert 'fill=""' not in picture and '\x1b' not in picture, 'an SVG fill without a colour'
        assert 'waiting for the GIL' in picture, 'the SVG legend has no GIL'


def cancel_notes(rec):
    """Per task lane: the texts of its cancel events."""
    lanes = [lane['name'] for lane in rec['lanes']]
    notes = {}
    for e in rec['events']:
        if e['kind'] == 'cancel':
            notes.setdefault(lanes[e['lane']], []).append(e['text'])
    return notes


def lane_starting(notes, prefix):
    hits = [k for k in notes if k.startswith(prefix)]
    assert len(hits) == 1, f'no single lane {prefix!r} among {sorted(notes)}'
    return notes[hits[0]]


def test_who_cancelled(aiodemo):
    rec, _ = record(aiodemo, 'wait-for-timeout', '--scale', '0.1')
    slow = lane_starting(cancel_notes(rec), 'Task-2 slow_operation')
    assert any(t.startswith('cancel requested by Task-1 main() at line ') and 'wait_for(' in t for t in slow), slow
    assert slow[-1] == 'cancelled', slow
    rec, _ = record(aiodemo, 'taskgroup-cancel', '--scale', '0.1')
    notes = cancel_notes(rec)
    third = lane_starting(notes, 'Task-4 fetch_data(3)')
    assert 'cancel requested by TaskGroup._on_task_done, a callback on the loop' in third, third
    here = os.path.dirname(os.path.abspath(__file__))
    rec, _ = record(aiodemo, os.path.join(here, 'programs', 'cancel_self.py'), '--scale', '0.2')
    notes = cancel_notes(rec)
    assert 'cancel requested by itself' in lane_starting(notes, 'Task-2 cancels_itself'), notes
    assert any(t.startswith('cancelled with Task-2 cancels_itself()') for t in notes['Task-1 main()']), notes
    assert 'cancel requested while it was ready' in lane_starting(notes, 'Task-3 never_started'), notes
    stubborn = lane_starting(notes, 'Task-4 stubborn')
    assert any(t.startswith('cancel requested by Task-1 main() at line ') and t.endswith('.cancel()')
               for t in stubborn), stubborn


TESTS = [test_gil_threads_take_turns, test_no_gil_lane_without_threads, test_replay_keeps_the_gil,
         test_who_cancelled]


def main():
    aiodemo = sys.argv[1]
    print(f'1..{len(TESTS)}')
    failed = 0
    for i, t in enumerate(TESTS, 1):
        try:
            t(aiodemo)
            print(f'ok {i} - {t.__name__}')
        except Exception as e:  # a failed assertion or a run that went wrong
            failed += 1
            print(f'not ok {i} - {t.__name__}')
            for line in str(e).splitlines():
                print(f'# {line}')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
