#!/usr/bin/env python3
"""The shells' completions of aiodemo, in the shells themselves.

usage: completion_test.py AIODEMO COMPLETIONS_DIR

bash: sources COMPLETIONS_DIR/aiodemo.bash, sets COMP_WORDS and
COMP_CWORD as bash does for a line and calls _aiodemo, then checks
COMPREPLY. zsh: starts an interactive zsh on a pseudo-terminal with
compinit and COMPLETIONS_DIR on $fpath, types each line and a Tab, and
checks the candidates that the completion offered (captured from compadd).
The line's first word is the aiodemo under test. Output is TAP.
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

AIODEMO, COMPLETIONS = (os.path.abspath(a) for a in sys.argv[1:3])
WORK = tempfile.mkdtemp(prefix='aiodemo-completion-')
for name in ('prog.py', 'run.json', 'notes.txt'):
    open(os.path.join(WORK, name), 'w').close()
os.mkdir(os.path.join(WORK, 'sub'))
ENV = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', HOME=WORK, ZDOTDIR=WORK)
ENV.pop('LANGUAGE', None)
# Under AddressSanitizer, LeakSanitizer's check at exit (it stops the
# process's threads under ptrace) can hang on a busy machine, in an aiodemo
# that zsh's completion runs on a pseudo-terminal (with or without the
# local server's libraries); what aiodemo leaks the other tests check, and
# this one checks the completions.
ENV['ASAN_OPTIONS'] = ':'.join(filter(None, [ENV.get('ASAN_OPTIONS'), 'detect_leaks=0']))

NAMES = subprocess.run([AIODEMO, 'list', '--names'], capture_output=True, text=True,
                       check=True).stdout.split()
COMMANDS = ['list', 'run', 'serve', 'show', 'check', 'compare', 'replay', 'play', 'sweep',
            'bench', 'httpbin', 'help']
RUN_OPTIONS = {'--color=', '--format=', '--help', '--html=', '--lang=', '--max-events=',
               '--param=', '--record=', '--repeat=', '--scale=', '--slow=', '--svg=',
               '--svg-style=', '--trace=', '--version', '--view=', '--width='}

# (words after aiodemo, the last being completed; what must be offered
# exactly, or a check of the candidates)
CASES = [
    (['r'], {'run', 'replay'}),
    ([''], set(COMMANDS)),
    (['help', 'co'], {'compare'}),
    (['run', '--'], RUN_OPTIONS),
    (['check', '--'], {'--help', '--lang=', '--max-events=', '--param=', '--scale=',
                       '--slow=', '--tap', '--version', '--width='}),
    (['list', '--'], {'--help', '--lang=', '--names', '--version', '--width='}),
    (['httpbin', '--'], {'--help', '--lang=', '--latency=', '--port=', '--scale=', '--version',
                         '--width='}),
    (['h'], {'help', 'httpbin'}),
    (['run', 'bounded-pool', '--s'], {'--scale=', '--slow=', '--svg=', '--svg-style='}),
    (['run', 'bou'], {'bounded-pool'}),
    (['run', 'offload-'], {n for n in NAMES if n.startswith('offload-')}),
    (['run', 'pr'], {n for n in NAMES if n.startswith('pr')} | {'prog.py'}),
    (['replay', ''], {'run.json', 'sub/'}),
    (['run', 'bounded-pool', '--param', ''], {'workers='}),
    (['show', 'bounded-pool', '-p', 'w'], {'workers='}),
    (['run', 'offload-sleep', '--param', ''], set()),
    (['sweep', 'bounded-pool', ''], {'workers='}),
    (['run', 'offload-sleep', '--format', ''], {'text', 'json'}),
    (['sweep', 'bounded-pool', 'workers=1,2', '--format', ''], {'text', 'json', 'csv'}),
    (['run', 'offload-sleep', '--view', ''], {'events', 'gantt', 'both'}),
    (['compare', 'a', 'b', '--svg-style', ''], {'page', 'slides'}),
    (['run', 'offload-sleep', '--color', 'a'], {'auto', 'always'}),
    (['replay', 'run.json', '--color=a'], {'auto', 'always'}),
    (['play', 'r'], {n for n in NAMES if n.startswith('r')} | {'run.json'}),
    (['run', 'prog.py', '--', ''], {'notes.txt', 'prog.py', 'run.json', 'sub/'}),
    (['--lang', ''], {'zh', 'en'}),
    (['sweep', 'bounded-pool', 'workers=1..4', '--plot', 'q'], {'queue_wait'}),
    (['bench', ''], {'overhead', 'loop', 'timers', 'start', 'all'}),
]


def bash_words(words):
    """COMP_WORDS as bash splits a line at its COMP_WORDBREAKS: '=' apart."""
    out = []
    for w in words:
        if w.startswith('--') and '=' in w:
            name, value = w.split('=', 1)
            out += [name, '=', value]
        else:
            out.append(w)
    return out


def bash_complete(cases):
    script = [f'source {COMPLETIONS}/aiodemo.bash', 'compopt() { :; }']
    for words in cases:
        w = bash_words([AIODEMO] + words)
        quoted = ' '.join("'" + x.replace("'", "'\\''") + "'" for x in w)
        script += [f'COMP_WORDS=({quoted}); COMP_CWORD={len(w) - 1}; COMPREPLY=()',
                   '_aiodemo', 'printf "%s\\n" "${COMPREPLY[@]}"; echo "<end>"']
    p = subprocess.run(['bash', '--norc', '--noprofile', '-c', '\n'.join(script)],
                       capture_output=True, text=True, cwd=WORK, env=ENV, timeout=60)
    if p.returncode != 0 or p.stderr:
        raise RuntimeError(f'bash: status {p.returncode}: {p.stderr}')
    results = [set(filter(None, block.split('\n'))) for block in p.stdout.split('<end>\n')[:-1]]
    # bash's completion of files: a directory gets its slash from readline.
    return [{r + '/' if os.path.isdir(os.path.join(WORK, r)) else r for r in rs} for rs in results]


ZSH_SETUP = r'''
PS1='%% '; PS2=''; RPS1=''; unsetopt beep zle_bell 2>/dev/null; LISTMAX=100000
fpath=(%(dir)s $fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' select-prompt ''
# Every candidate that reaches compadd, with its suffix, into a file.
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"; return
  fi
  local -a __hits __suf
  zparseopts -E -a __suf S:
  builtin compadd -A __hits "$@"
  local __s=${__suf[2]-}
  (( $#__hits )) && print -rl -- ${^__hits}$__s >> %(capture)s
  builtin compadd "$@"
}
_capture_complete() { zle complete-word; print done > %(capture)s.done }
zle -N capture-complete _capture_complete
bindkey '^I' capture-complete
print ready > %(capture)s.done
'''


class Zsh:
    def __init__(self):
        self.capture = os.path.join(WORK, 'capture')
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(WORK)
            os.execvpe('zsh', ['zsh', '-f', '-i'], ENV)
        self.pid, self.fd = pid, fd
        self.send(ZSH_SETUP % {'dir': COMPLETIONS, 'capture': self.capture})
        self.wait_done(30)

    def send(self, text):
        os.write(self.fd, text.encode())

    def drain(self):
        while select.select([self.fd], [], [], 0)[0]:
            try:
                if not os.read(self.fd, 65536):
                    break
            except OSError:
                break

    def wait_done(self, timeout):
        done = self.capture + '.done'
        deadline = time.time() + timeout
        while not os.path.exists(done):
            self.drain()
            if time.time() > deadline:
                raise RuntimeError('zsh did not finish the completion')
            time.sleep(0.02)
        os.unlink(done)
        self.drain()

    def complete(self, words):
        if os.path.exists(self.capture):
            os.unlink(self.capture)
        self.send(' '.join([AIODEMO] + words) + '\t')
        self.wait_done(30)
        self.send('\x15')  # ^U: the line goes
        try:
            with open(self.capture) as f:
                return set(f.read().split())
        except FileNotFoundError:
            return set()

    def close(self):
        self.send('exit\n')
        os.close(self.fd)
        os.waitpid(self.pid, 0)


def zsh_expected(want):
    """zsh's candidates: options that take a value offered with the '=' as
    their suffix, directories as their names."""
    return {w.rstrip('/') for w in want}


def main():
    tests = []
    for words, want in CASES:
        tests.append(('bash', words, want))
    have_zsh = shutil.which('zsh') is not None
    for words, want in CASES:
        tests.append(('zsh', words, zsh_expected(want)))
    print(f'1..{len(tests)}')
    failed = 0
    results = {'bash': bash_complete([w for w, _ in CASES])}
    zsh = None
    n = 0
    try:
        for shell, words, want in tests:
            n += 1
            name = f'{shell}: aiodemo {" ".join(words)}<Tab>'
            if shell == 'zsh' and not have_zsh:
                print(f'ok {n} - {name} # SKIP zsh is not installed')
                continue
            if shell == 'bash':
                got = results['bash'][n - 1]
            else:
                zsh = zsh or Zsh()
                got = zsh.complete(words)
            if got == want:
                print(f'ok {n} - {name}')
            else:
                failed += 1
                print(f'not ok {n} - {name}')
                print(f'# got {sorted(got)}')
                print(f'# want {sorted(want)}')
            sys.stdout.flush()
    finally:
        if zsh:
            zsh.close()
        shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
