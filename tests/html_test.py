#!/usr/bin/env python3
"""The page of --html, in headless Chromium: the DOM at several slider
positions (set by the address's #at=N) checked against the record, the
same moments in aiodemo play (in tmux) showing the same state, and
screenshots: the line marked, the themes.

usage: html_test.py AIODEMO

Each case prints a TAP line; without chromium, they are skipped."""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import play_test  # noqa: E402 - the record's oracle and the tmux screen
import png  # noqa: E402
import schemas  # noqa: E402

SCALE = 0.05


Failure, Skip, expect = play_test.Failure, play_test.Skip, play_test.expect


def chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


def browser_args(work):
    return [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--hide-scrollbars', f'--user-data-dir={work}/profile']


class Dom(html.parser.HTMLParser):
    """The text of each element with an id, and the attributes of each."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.attrs, self.current = [], {}, {}, []
        self.titles, self.in_title = [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'title' and self.stack:
            self.in_title = True
            self.titles.append('')
        if tag in ('meta', 'input', 'br', 'img', 'line', 'rect', 'circle'):
            if a.get('id'):
                self.attrs[a['id']] = a
            return
        self.stack.append(a.get('id'))
        if a.get('id'):
            self.attrs[a['id']] = a
            self.text[a['id']] = ''
        if 'current' in (a.get('class') or '').split():
            self.current.append(a.get('data-line'))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'):
            self.attrs[a['id']] = a

    def handle_endtag(self, tag):
        self.in_title = self.in_title and tag != 'title'
        if tag in ('meta', 'input', 'br', 'img', 'line', 'rect', 'circle'):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_title:
            self.titles[-1] += data
        for i in self.stack:
            if i:
                self.text[i] += data


def dom_at(work, page, at):
    p = subprocess.run(browser_args(work) + ['--virtual-time-budget=2000', '--dump-dom', f'file://{page}#at={at}'],
                       capture_output=True, text=True, timeout=120)
    expect(f'chromium dumps the page at event {at}', '<body' in p.stdout, p.stderr[-500:])
    d = Dom()
    d.feed(p.stdout)
    return d


def check_dom(d, doc, at):
    want = play_test.oracle(doc, at)
    side = d.attrs.get('side0', {})
    expect(f'event {at}: the page shows it', side.get('data-at') == str(at), str(side.get('data-at')))
    expect(f'event {at}: the time', d.text['time'].strip() == f't = {want["t"]:.3f} s', d.text['time'])
    ready = d.text['ready0'].split()
    expect(f'event {at}: the ready queue', ready == (want['ready'] or ['(empty)']), f'{ready}, wanted {want["ready"]}')
    running = d.text['running0']
    if want['running']:
        expect(f'event {at}: the task running', running.startswith(want['running'] + ' ') or
               running == want['running'], f'{running!r}, wanted {want["running"]}')
    else:
        expect(f'event {at}: nothing running', running.startswith('nothing'), running)
    expect(f'event {at}: the line marked', d.current == ([str(want['line'])] if want['line'] else []),
           f'{d.current}, wanted {want["line"]}')
    if want['printed']:
        expect(f'event {at}: the last line printed', want['printed'][-1] in d.text['printed0'])
        # The page is English: each line's English under it.
        en = {e['text']: e['en'] for e in doc['events'] if e['kind'] == 'say' and e.get('en')}
        if want['printed'][-1] in en:
            expect(f'event {at}: the English of the last line', f'↳ en: {en[want["printed"][-1]]}' in
                   d.text['printed0'], d.text['printed0'])
        expect(f'event {at}: no line printed later', d.text['printed0'].count('\n') <= len(want['printed']))
    else:
        expect(f'event {at}: nothing printed', '(nothing printed yet)' in d.text['printed0'])
    for job, worker in want['jobs'].items():
        expect(f'event {at}: job {job} on {worker}', f'job {job} on {worker}' in d.text['jobs0'], d.text['jobs0'])
    return want


def case_dom_against_the_record(aiodemo, work, rec, doc, page):
    stops = play_test.stops(doc['events'])
    picks = sorted({stops[0], stops[3], stops[10], stops[len(stops) // 2], stops[-1]})
    for at in picks:
        check_dom(dom_at(work, page, at), doc, at)
    # Every bar says what it is: the job's, the line a step resumed at.
    d = dom_at(work, page, stops[-1])
    bars = [t for t in d.titles if ' s, ' in t]
    expect('a title on every bar', len(bars) > 10, str(len(bars)))
    expect('the job bar names the job', any('asyncio/1: job 1: time.sleep(2) to asyncio' in t for t in bars),
           '\n'.join(bars[:20]))
    resumed = [e['line'] for e in doc['events'] if e['kind'] == 'yield']
    expect('a step bar names its line', any(f'from line {n}' in t for t in bars for n in resumed))
    # Before the first event.
    d = dom_at(work, page, 0)
    expect('before the first event', d.text['note0'].strip() == 'The run is about to begin.', d.text['note0'])


def case_same_as_the_player(aiodemo, work, rec, doc, page):
    if not shutil.which('tmux'):
        raise Skip('no tmux')
    stops = play_test.stops(doc['events'])
    picks = [stops[2], stops[8], stops[14]]
    s = play_test.Screen(aiodemo, [rec], work)
    try:
        s.wait_for(r'event 0/', 'the first screen')
        done = 0
        for at in picks:
            while done < at:
                done = stops[stops.index(done) + 1] if done in stops else stops[0]
                screen = s.step('Right', done)
            d = dom_at(work, page, at)
            running = re.search(r'running +(\S+)', screen).group(1)
            expect(f'event {at}: the task running, player and page',
                   d.text['running0'].startswith(running), f'{running} / {d.text["running0"]}')
            ready = re.search(r'ready +(.*?)\s*$', screen, re.M).group(1).split()
            expect(f'event {at}: the ready queue, player and page', ready == d.text['ready0'].split(),
                   f'{ready} / {d.text["ready0"]}')
            marked = re.findall(r'^ *(\d+) ▶', screen, re.M)
            expect(f'event {at}: the line marked, player and page', marked == d.current, f'{marked} / {d.current}')
            note = screen.splitlines()[-2].strip()
            expect(f'event {at}: the words, player and page', d.text['note0'].startswith(note.rstrip('…')),
                   f'{note!r} / {d.text["note0"]!r}')
        s.keys('q')
    finally:
        s.close()


def case_screenshots(aiodemo, work, rec, doc, page):
    stops = play_test.stops(doc['events'])
    shots = {}
    for name, frag in (('early', f'at={stops[5]}'), ('late', f'at={stops[-3]}'),
                       ('dark', f'at={stops[5]}&theme=dark')):
        shot = os.path.join(work, f'{name}.png')
        p = subprocess.run(browser_args(work) + ['--virtual-time-budget=2000', '--window-size=1280,1000',
                                                 f'--screenshot={shot}', f'file://{page}#{frag}'],
                           capture_output=True, text=True, timeout=120)
        expect(f'a screenshot ({name})', os.path.exists(shot), p.stderr[-500:])
        shots[name] = png.colour_counts(shot)
    light, dark = shots['early'], shots['dark']
    total = sum(light.values())
    white = light.get((255, 255, 255), 0)
    expect('light theme: mostly white', white > total * 0.4, f'{white} of {total}')
    darkbg = dark.get((0x11, 0x14, 0x18), 0)
    expect('dark theme: mostly dark', darkbg > total * 0.4, f'{darkbg} of {total}')
    highlight = (0xff, 0xe0, 0x66)
    expect('the current line highlighted', light.get(highlight, 0) > 2000, str(light.get(highlight, 0)))
    expect('a later moment draws otherwise', shots['late'] != shots['early'])


def case_replay_and_compare(aiodemo, work, rec, doc, page):
    again = os.path.join(work, 'replay.html')
    subprocess.run([aiodemo, 'replay', rec, '--lang', 'en', '--html', again], stdout=subprocess.DEVNULL, check=True,
                   timeout=60)
    with open(page, encoding='utf-8') as f, open(again, encoding='utf-8') as g:
        expect('replay --html: the page of the run', f.read() == g.read())
    both = os.path.join(work, 'compare.html')
    subprocess.run([aiodemo, 'compare', 'blocking-sleep', 'offload-sleep', '--scale', str(SCALE), '--html', both],
                   stdout=subprocess.DEVNULL, timeout=120)
    expect('compare --html: a page', os.path.exists(both))
    d = Dom()
    p = subprocess.run(browser_args(work) + ['--virtual-time-budget=2000', '--dump-dom', f'file://{both}#t=1000'],
                       capture_output=True, text=True, timeout=120)
    d.feed(p.stdout)
    expect('compare: two runs', 'side0' in d.attrs and 'side1' in d.attrs, str(list(d.attrs)[:20]))
    expect('compare: both named', 'blocking-sleep vs offload-sleep' in d.text.get('title', ''))
    for k in (0, 1):
        expect(f'compare: run {k} at its end', d.text[f'note{k}'].strip() != '' and
               'nothing' in d.text[f'running{k}'], d.text[f'running{k}'])
    # The page is one file: no address outside it.
    with open(both, encoding='utf-8') as f:
        text = f.read()
    expect('no external resource', not re.search(r'(src|href)=["\']?(https?:)?//', text))
    expect('no script ends early', text.count('</script>') == 2)
    # --html only where it makes sense.
    p = subprocess.run([aiodemo, 'check', 'semaphore', '--html', os.path.join(work, 'x.html')],
                       capture_output=True, text=True, timeout=60)
    expect('check --html: a usage error', p.returncode == 2 and "--html is not an option of 'check'" in p.stderr, p.stderr)


def case_hostile_text(aiodemo, work, rec, doc, page):
    """A program that prints </script> and markup: the page stays one page."""
    prog = os.path.join(work, 'hostile.py')
    with open(prog, 'w') as f:
        f.write('import asyncio\n\nasync def main():\n    print("</script><b>x</b> & <!--")\n'
                '    await asyncio.sleep(0.01)\n\nasyncio.run(main())\n')
    out = os.path.join(work, 'hostile.html')
    subprocess.run([aiodemo, 'run', prog, '--html', out], stdout=subprocess.DEVNULL, check=True, timeout=60)
    with open(out, encoding='utf-8') as f:
        text = f.read()
    expect('the printed markup stays text', text.count('</script>') == 2)
    p = subprocess.run(browser_args(work) + ['--virtual-time-budget=2000', '--dump-dom', f'file://{out}#t=1000'],
                       capture_output=True, text=True, timeout=120)
    d = Dom()
    d.feed(p.stdout)
    expect('the line as printed', '</script><b>x</b> & <!--' in d.text.get('printed0', ''), d.text.get('printed0'))


def case_heading(aiodemo, work, rec, doc, page):
    """The heading says the scale and the values --param set; the record is
    valid against its schema."""
    try:
        schemas.check('record', doc, rec)
    except schemas.Invalid as e:
        raise Failure(str(e))
    d = dom_at(work, page, 0)
    expect('the heading without --param', d.text['subtitle'].startswith('total ') and
           f', scale {SCALE}, status ok' in d.text['subtitle'], d.text['subtitle'])
    out = os.path.join(work, 'workers.html')
    subprocess.run([aiodemo, 'run', 'bounded-pool', '--scale', str(SCALE), '--param', 'workers=4', '--html', out],
                   stdout=subprocess.DEVNULL, check=True, timeout=60)
    d = dom_at(work, out, 0)
    expect('the heading with --param', f', scale {SCALE}, workers=4, status ok' in d.text['subtitle'],
           d.text['subtitle'])


CASES = [
    ('the heading', case_heading),
    ('the DOM against the record', case_dom_against_the_record),
    ('the same state as aiodemo play', case_same_as_the_player),
    ('screenshots', case_screenshots),
    ('replay and compare', case_replay_and_compare),
    ('hostile text', case_hostile_text),
]


def main():
    aiodemo = os.path.abspath(sys.argv[1])
    print(f'1..{len(CASES)}')
    if not chromium():
        for i, (name, _) in enumerate(CASES, 1):
            print(f'ok {i} - {name} # SKIP chromium is not installed')
        return 0
    work = tempfile.mkdtemp(prefix='aiodemo-html-')
    failed = 0
    try:
        rec, page = os.path.join(work, 'offload.json'), os.path.join(work, 'offload.html')
        subprocess.run([aiodemo, 'run', 'offload-sleep', '--scale', str(SCALE), '--lang', 'en', '--record', rec,
                        '--html', page],
                       stdout=subprocess.DEVNULL, check=True, timeout=60)
        with open(rec, encoding='utf-8') as f:
            doc = json.load(f)
        for i, (name, fn) in enumerate(CASES, 1):
            failed += play_test.tap_case(i, name, lambda: fn(aiodemo, work, rec, doc, page))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
