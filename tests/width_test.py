#!/usr/bin/env python3
"""aiodemo run on terminals of 60, 80, 120 and 200 columns (tmux windows of
that width): no line of what the terminal shows is wider than the window,
so the terminal wraps nothing, and every line the program printed is
there, in the event list's lines that go on under the event column.

usage: width_test.py AIODEMO

Each program runs with its standard output on the terminal and through a
pipe (`aiodemo run X | cat`, COLUMNS unset: the width is the terminal's
all the same), in English and with --lang zh. The widths are measured
(a CJK character takes two columns), not matched against texts, so the
test holds as the Chinese catalogue grows. Output is TAP.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

WIDTHS = (60, 80, 120, 200)
PROGRAMS = ('blocking-sleep', 'semaphore', 'bounded-pool', 'process-primes', 'taskgroup-cancel',
            'gather-exceptions', 'exception-gather')
SCALE = '0.1'
HEIGHT = 50


class Failure(Exception):
    pass


def display_width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ('W', 'F') else 1
               for c in s)


def environment():
    env = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', TERM='xterm-256color')
    for k in ('COLUMNS', 'LINES', 'NO_COLOR', 'LANGUAGE', 'TMUX'):
        env.pop(k, None)
    # Under AddressSanitizer, LeakSanitizer's check at exit can hang on a busy
    # machine in a process on a pseudo-terminal: the other tests check for leaks.
    env['ASAN_OPTIONS'] = ':'.join(filter(None, [env.get('ASAN_OPTIONS'), 'detect_leaks=0']))
    return env


def printed_lines(aiodemo, name):
    """What the program prints (its say and stderr events), from a JSON run."""
    p = subprocess.run([aiodemo, 'run', name, '--scale', SCALE, '--format', 'json'], capture_output=True,
                       text=True, env=environment(), timeout=120)
    lines = []
    for line in p.stdout.splitlines():
        e = json.loads(line)
        if e.get('kind') in ('say', 'stderr') and e.get('text', '').strip():
            lines.append(e['text'])
    if not lines:
        raise Failure(f'{name}: no printed line in its JSON stream (exit {p.returncode}): {p.stderr[-500:]}')
    return lines


class Terminal:
    """A tmux server of its own, with a window @width columns wide that
    keeps all its history."""

    def __init__(self, work, width):
        self.socket = f'aiodemo-width-{os.getpid()}-{width}'
        self.width = width
        self.work = work
        conf = os.path.join(work, 'tmux.conf')
        with open(conf, 'w') as f:
            f.write('set -g history-limit 100000\nset -g status off\n')
        self.tmux = ['tmux', '-L', self.socket, '-f', conf]

    def run(self, command):
        """Runs @command (a shell line) in a new window; returns the lines
        the window shows (wrapped lines joined), once it has ended."""
        done = os.path.join(self.work, 'done')
        if os.path.exists(done):
            os.unlink(done)
        subprocess.run(self.tmux + ['kill-server'], stderr=subprocess.DEVNULL)
        line = f'{command}; echo $? > {shlex.quote(done)}; sleep 600'
        subprocess.run(self.tmux + ['new-session', '-d', '-s', 'w', '-x', str(self.width), '-y', str(HEIGHT),
                                    line], check=True, env=environment())
        end = time.monotonic() + 120
        while not self.ended(done):
            if time.monotonic() > end:
                raise Failure(f'{command}: not done after 120 s')
            time.sleep(0.05)
        # -J joins the lines the terminal wrapped: one of them is then wider than the window.
        out = subprocess.run(self.tmux + ['capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', 'w'],
                             capture_output=True, text=True, check=True).stdout
        subprocess.run(self.tmux + ['kill-server'], stderr=subprocess.DEVNULL)
        return out.splitlines()

    @staticmethod
    def ended(done):
        """Whether the shell wrote down the command's exit status."""
        try:
            with open(done) as f:
                return bool(f.read().strip())
        except FileNotFoundError:
            return False

    def close(self):
        subprocess.run(self.tmux + ['kill-server'], stderr=subprocess.DEVNULL)


def check_screen(what, lines, width, printed):
    too_wide = [f'{display_width(l.rstrip())}: {l.rstrip()!r}' for l in lines if display_width(l.rstrip()) > width]
    if too_wide:
        raise Failure(f'{what}: {len(too_wide)} lines wider than {width} columns:\n' + '\n'.join(too_wide[:10]))
    text = '\n'.join(lines)
    # An event line goes on under the event column: without the spaces,
    # the program's line is there whole.
    flat = ''.join(text.split())
    lost = [p for p in printed if ''.join(p.split()) not in flat]
    if lost:
        raise Failure(f'{what}: lines the program printed are missing: {lost[:5]}\n' + text[-3000:])


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    aiodemo = os.path.abspath(sys.argv[1])
    cases = [(w, name, pipe, lang) for w in WIDTHS for name in PROGRAMS for pipe in (False, True)
             for lang in ('en', 'zh')]
    print(f'1..{len(cases)}')
    if not shutil.which('tmux'):
        for i, c in enumerate(cases, 1):
            print(f'ok {i} - {c} # SKIP no tmux')
        return 0
    work = tempfile.mkdtemp(prefix='aiodemo-width-')
    printed = {}
    failed = 0
    try:
        for i, (width, name, pipe, lang) in enumerate(cases, 1):
            what = f'{name} in {width} columns, {"through a pipe" if pipe else "on the terminal"}, --lang {lang}'
            term = Terminal(work, width)
            try:
                if name not in printed:
                    printed[name] = printed_lines(aiodemo, name)
                command = ' '.join(shlex.quote(a) for a in [aiodemo, 'run', name, '--scale', SCALE, '--lang', lang])
                if pipe:
                    command += ' | cat'
                check_screen(what, term.run(command), width, printed[name])
                print(f'ok {i} - {what}')
            except Failure as e:
                failed += 1
                print(f'not ok {i} - {what}')
                for line in str(e).splitlines():
                    print(f'# {line}')
            finally:
                term.close()
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
