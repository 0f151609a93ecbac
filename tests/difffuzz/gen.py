"""Random asyncio programs that print as they go, one per seed.

usage: gen.py SEED [--out FILE] [--meta FILE]

generate(seed) makes a program (the same one for the same seed, on any
machine) out of nested tasks, gather, wait, wait_for, asyncio.timeout,
TaskGroup, cancellation, locks, semaphores, queues, events, conditions,
thread and process jobs, asyncio.sleep and time.sleep, loops, and
exceptions raised, caught or left to propagate. Every duration is a literal
of its own line, so that the simulation (sim.py: the program on CPython's
own loop, on a virtual clock) can name the lines of two events that come
too close for the order of a real run to be certain; the generator then
draws one of their durations again, and simulates again, until nothing can
race (or gives up on that draw and makes another program). What it returns
is a program that prints the same lines in the same order on every true
run, at moments the simulation knows within its uncertainty. A program is
refused, too, when its lines change with the order of the sets CPython
orders by address (all_tasks(), which asyncio.run cancels at its end, and
a TaskGroup's tasks: tried in reverse, and for more than two tasks in
SHUFFLES shuffles) or with when the cyclic collector runs (never, or before
every event and as asyncio.run ends).

meta: the seed, the draw, the simulation's lines (with each line's moment
and uncertainty), its duration and exit status, and the features used.
"""
import json
import os
import random
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sim  # noqa: E402 - imported here, before any fork, with asyncio
import gc  # noqa: E402

gc.freeze()   # the forked simulations collect only their own objects: no copy of every page

GRIDS = {
    'sleep': [i / 100 for i in range(1, 36)],     # asyncio.sleep
    'block': [i / 100 for i in range(2, 11)],     # time.sleep on the loop thread
    'job': [i / 100 for i in range(2, 26)],       # time.sleep in a thread or a process job
    'timeout': [i / 100 for i in range(3, 51)],   # wait_for, asyncio.timeout, wait(timeout=)
}
MAX_DURATION = 1.5
SHUFFLES = 4      # orders tried for a set of more than two tasks, beyond the two it always tries
MAX_FUNCS = 14
MAX_DEPTH = 3
GENERATOR_BUGS = ('NameError', 'UnboundLocalError', 'AttributeError', 'TypeError', 'SyntaxError',
                  'RuntimeError', 'IndentationError', 'PicklingError', 'was never awaited')

HEADER = '''\
# difffuzz program, seed {seed} (draw {draw}): python3 FILE runs it
import asyncio
import contextlib
import contextvars
import os
import signal
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

CV = contextvars.ContextVar("cv", default="unset")


class FuzzError(Exception):
    pass


def outcome(t):
    if t.cancelled():
        return "cancelled"
    e = t.exception()
    return repr(e) if e is not None else repr(t.result())


def tjob(n, d):
    """A job for a worker thread."""
    time.sleep(d)
    if n % 7 == 0:
        raise FuzzError(f"tjob {{n}} failed")
    if n % 2:
        print(f"tjob {{n}} done in its thread")
    if n % 5 == 0:
        print(f"tjob {{n}} notes on stderr", file=sys.stderr)
    return n * 10


def fail_cb(tag):
    """A callback that fails: the loop logs it and goes on."""
    raise FuzzError(f"callback {{tag}} failed")


async def inner_loop(n):
    legs = []

    async def leg(k, d):
        await asyncio.sleep(d)
        legs.append(f"leg {{k}}")
    # Named tasks: the default names count in every thread at once.
    await asyncio.gather(asyncio.create_task(leg(1, 0.05), name="leg-1"),
                         asyncio.create_task(leg(2, 0.02), name="leg-2"))
    return f"loop {{n}}: {{legs}}"


def tloop(n):
    """A job for a worker thread that runs an event loop of its own (and prints nothing: its lines would
    race with the loop thread's)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(loop.create_task(inner_loop(n), name=f"inner-{{n}}"))
    finally:
        loop.close()


def pjob(n, d):
    """A job for a worker process."""
    time.sleep(d)
    if n % 7 == 0:
        raise FuzzError(f"pjob {{n}} failed")
    if n % 3 == 0:
        print(f"pjob {{n}} done in its process")
    if n % 5 == 0:
        print(f"pjob {{n}} notes on stderr", file=sys.stderr)
    return n * n
'''


def indent(lines, n=1):
    return ['    ' * n + l if l else l for l in lines]


class G:
    def __init__(self, rng, seed, draw):
        self.rng = rng
        self.seed, self.draw = seed, draw
        self.defs = []
        self.slots = []
        self.nfunc = 0
        self.nsite = 0
        self.nvar = 0
        self.features = Counter()
        self.global_pool = False
        self.thread_loops = False

    # -- small things
    def D(self, kind):
        """A duration: a placeholder the rendering fills in."""
        self.slots.append([kind, self.rng.choice(GRIDS[kind])])
        return '\u00ab%d\u00bb' % (len(self.slots) - 1)

    def site(self):
        self.nsite += 1
        return self.nsite

    def var(self, base):
        self.nvar += 1
        return f'{base}{self.nvar}'

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, weights):
        names = list(weights)
        return self.rng.choices(names, [weights[n] for n in names])[0]

    def say(self, fn, what='step', loopvar=None):
        """A line printed: mostly plain, some to stderr, some with text that tests the capture of output."""
        n = self.site()
        text = f'{fn}: {what} {n}'
        form = self.pick({'plain': 30, 'stderr': 4, 'odd': 2, 'multi': 1, 'partial': 1, 'write': 1, 'long': 0.3,
                          'empty': 0.3, 'flush': 0.5})
        if form != 'plain':
            self.features[f'print ({form})'] += 1

        def lit(t):
            if loopvar:
                return 'f' + repr(t + ' {%s}' % loopvar)
            return repr(t)
        if form == 'stderr':
            return [f'print({lit(text)}, file=sys.stderr)']
        if form == 'odd':
            odd = [' \u4efb\u52a1\u5b8c\u6210 \u2705', ' tab\there', ' quote " and backslash \\',
                   ' \u00e9 \u00df \u2211 \U0001f600', ' \x1b[1mbold\x1b[0m', ' cr\rlf', ' del\x7f',
                   ' \u200b zero width', ' bell\x07 vt\x0b ff\x0c']
            odd += [' nul\x00byte']   # regressions/nul_in_line.py
            extra = self.rng.choice(odd)
            if self.chance(0.15):   # regressions/surrogate_print.py
                return [f'print({lit(text)} + " \\udcff")', f'print({lit(text)} + " \\udcfe", file=sys.stderr)']
            return [f'print({lit(text + extra)})']
        if form == 'multi':
            return [f'print({lit(text)}, 3, [1, 2], None, sep=" | ")']
        if form == 'partial':
            return [f'print({lit(text + " part")}, end="")', 'print(" and the rest")']
        if form == 'write':
            return [f'sys.{self.rng.choice(["stdout", "stderr"])}.write({lit(text)} + "\\n" + {lit(text + " again")}'
                    ' + "\\n")']
        if form == 'long':
            return [f'print({lit(text)} + " " + "x" * {self.rng.choice([1000, 4095, 4096, 9000, 70000])})']
        if form == 'empty':
            return [f'print({lit(text)})', 'print()']
        if form == 'flush':
            return [f'print({lit(text)}, flush=True)']
        return [f'print({lit(text)})']

    def new_name(self, prefix):
        self.nfunc += 1
        return f'{prefix}{self.nfunc}'

    def room(self):
        return self.nfunc < MAX_FUNCS

    # -- functions
    def func(self, prefix, depth, ctx, params=(), head=None, tail=None, allow_raise=True, nmin=1, nmax=3):
        """A new coroutine function; returns its name."""
        name = self.new_name(prefix)
        c = dict(ctx, fn=name, task=True)
        body = list(head(name) if head else [])
        body += self.body(name, depth, c, nmin, nmax)
        if tail:
            body += tail(name)
        body += self.ending(name, allow_raise)
        if not body:
            body = ['pass']
        self.defs.append([f'async def {name}({", ".join(params)}):'] + indent(body))
        return name

    def ending(self, fn, allow_raise, task=True):
        r = self.rng.random()
        if task and r < 0.03:
            self.features['cancel itself, then return'] += 1
            return self.say(fn, 'cancels itself and returns') + ['asyncio.current_task().cancel()',
                                                                 f'return {self.site()}']
        if task and allow_raise and r < 0.05:
            if self.chance(0.25):   # regressions/keyboard_interrupt_status.py
                self.features['KeyboardInterrupt in a task'] += 1
                return self.say(fn, 'interrupts the program') + ['raise KeyboardInterrupt']
            self.features['SystemExit in a task'] += 1
            return self.say(fn, 'exits the program') + [f'raise SystemExit({self.rng.choice([0, 2, 5])})']
        if allow_raise and r < 0.2:
            self.features['raise'] += 1
            exc = self.rng.choice(['FuzzError', 'FuzzError', 'ValueError', 'KeyError'])
            if self.chance(0.2):
                self.features['exception with a note'] += 1
                return [f'err = {exc}("{fn} fails {self.site()}")', f'err.add_note("{fn}: a note {self.site()}")',
                        'raise err']
            return [f'raise {exc}("{fn} fails {self.site()}")']
        if r < 0.6:
            return [f'return {self.site()}']
        return []

    def body(self, fn, depth, ctx, nmin=1, nmax=3):
        out = []
        for _ in range(self.rng.randint(nmin, nmax)):
            out += self.statement(fn, depth, ctx)
        return out

    def statement(self, fn, depth, ctx, leaf_only=False):
        w = {'say': 3, 'sleep': 5, 'sleep0': 0.6, 'block': 1.0, 'tjob': 1.2, 'name': 0.3, 'callback': 0.4,
             'future': 0.4, 'cvset': 0.3, 'cvget': 0.4, 'warn': 0.15, 'taskrepr': 0.15, 'partial_await': 0.15,
             'callback_error': 0.12, 'signal': 0.15}
        if self.thread_loops:
            # The tasks of a worker thread's loop take numbers from the same counter as the loop
            # thread's, at moments no await orders: no default task names are printed.
            w.update(thread_loop=0.6, name=0, taskrepr=0)
        if ctx.get('pool') or self.global_pool:
            w['pjob'] = 1.0
        if ctx.get('task'):
            w['selfcancel'] = 0.25
        if not leaf_only and depth < MAX_DEPTH and self.room():
            w.update({'try': 2, 'loop': 1, 'spawn': 1.6, 'gather': 1.6, 'wait': 1, 'wait_for': 1.3,
                      'timeout': 1.3, 'taskgroup': 1.3, 'tg_cancel_end': 0.8, 'lock': 0.8, 'semaphore': 0.8,
                      'sem_woken': 0.5, 'queue': 0.8, 'event': 0.7, 'condition': 0.6, 'as_completed': 0.6,
                      'procpool': 0.5, 'shield': 0.4, 'await_direct': 0.7, 'barrier': 0.5, 'agen': 0.6,
                      'timeout_resched': 0.4, 'threadpool': 0.5, 'lock_woken': 0.4, 'streams': 0.7})
            if depth == 0:
                for k in ('try', 'gather', 'wait', 'wait_for', 'timeout', 'taskgroup', 'tg_cancel_end', 'lock',
                          'semaphore', 'sem_woken', 'queue', 'event', 'condition', 'as_completed', 'procpool',
                          'barrier', 'agen', 'threadpool', 'lock_woken', 'streams'):
                    w[k] *= 2.5
        kind = self.pick(w)
        self.features[kind] += 1
        return getattr(self, 'st_' + kind)(fn, depth, ctx)

    # -- leaves
    def st_say(self, fn, depth, ctx):
        return self.say(fn, loopvar=ctx.get('loopvar'))

    def st_sleep(self, fn, depth, ctx):
        out = [f'await asyncio.sleep({self.D("sleep")})']
        if self.chance(0.6):
            out += self.say(fn, 'slept', ctx.get('loopvar'))
        return out

    def st_sleep0(self, fn, depth, ctx):
        return ['await asyncio.sleep(0)']

    def st_block(self, fn, depth, ctx):
        return [f'time.sleep({self.D("block")})  # blocks the loop'] + self.say(fn, 'blocked', ctx.get('loopvar'))

    def st_tjob(self, fn, depth, ctx):
        n = self.rng.randint(1, 30)
        r = self.var('r')
        if self.chance(0.25):
            self.features['run_in_executor(None)'] += 1
            call = f'await asyncio.get_running_loop().run_in_executor(None, tjob, {n}, {self.D("job")})'
        else:
            call = f'await asyncio.to_thread(tjob, {n}, {self.D("job")})'
        return [f'{r} = {call}', f'print(f"{fn}: tjob gave {{{r}}}")']

    def st_pjob(self, fn, depth, ctx):
        n = self.rng.randint(1, 30)
        pool = ctx.get('pool') or 'POOL'
        r = self.var('r')
        return [f'{r} = await asyncio.get_running_loop().run_in_executor({pool}, pjob, {n}, {self.D("job")})',
                f'print(f"{fn}: pjob gave {{{r}}}")']

    def st_name(self, fn, depth, ctx):
        return [f'print(f"{fn}: runs in {{asyncio.current_task().get_name()}}")']

    def st_selfcancel(self, fn, depth, ctx):
        out = self.say(fn, 'cancels itself') + ['asyncio.current_task().cancel()']
        wait = 'await asyncio.sleep(0)' if self.chance(0.6) else f'await asyncio.sleep({self.D("sleep")})'
        if self.chance(0.6):
            return out + ['try:', '    ' + wait, 'except asyncio.CancelledError:'] + \
                indent(self.say(fn, 'self-cancel arrived')) + ['    raise']
        return out + [wait]

    def st_callback(self, fn, depth, ctx):
        lp = 'asyncio.get_running_loop()'
        text = repr(f'{fn}: callback {self.site()}')
        if self.chance(0.3):
            return [f'{lp}.call_soon(print, {text})']
        return [f'{lp}.call_later({self.D("sleep")}, print, {text})']

    def st_future(self, fn, depth, ctx):
        f = self.var('fut')
        return [f'{f} = asyncio.get_running_loop().create_future()',
                f'asyncio.get_running_loop().call_later({self.D("sleep")}, '
                f'lambda: {f}.done() or {f}.set_result({self.site()}))',
                f'print(f"{fn}: the future gave {{await {f}}}")']

    def st_callback_error(self, fn, depth, ctx):
        return [f'asyncio.get_running_loop().call_soon(fail_cb, "{fn} {self.site()}")']

    def st_thread_loop(self, fn, depth, ctx):
        r = self.var('r')
        return [f'{r} = await asyncio.to_thread(tloop, {self.site()})', f'print(f"{fn}: a loop in a thread gave {{{r}}}")']

    def st_signal(self, fn, depth, ctx):
        """A signal the program sends itself, handled on the loop (add_signal_handler)."""
        sig = self.rng.choice(['SIGUSR1', 'SIGUSR2'])
        ev = self.var('got')
        lp = 'asyncio.get_running_loop()'
        return [f'{ev} = asyncio.Event()',
                f'{lp}.add_signal_handler(signal.{sig}, lambda: (print("{fn}: {sig} handled {self.site()}"), '
                f'{ev}.set()))',
                f'signal.raise_signal(signal.{sig})' if self.chance(0.5) else f'os.kill(os.getpid(), signal.{sig})',
                f'await {ev}.wait()', f'{lp}.remove_signal_handler(signal.{sig})']

    def st_cvset(self, fn, depth, ctx):
        return [f'CV.set("{fn}-{self.site()}")']

    def st_cvget(self, fn, depth, ctx):
        return [f'print(f"{fn}: cv is {{CV.get()}}")']

    def st_warn(self, fn, depth, ctx):
        return [f'warnings.warn("{fn}: careful {self.site()}")']

    def st_taskrepr(self, fn, depth, ctx):
        return [f'print(f"{fn}: I am {{asyncio.current_task()!r}}")']

    def st_partial_await(self, fn, depth, ctx):
        """Half a line, an await, the rest of it: other tasks' lines may land in between, as under python3."""
        return [f'print("{fn}: half a line {self.site()} ", end="")', f'await asyncio.sleep({self.D("sleep")})',
                'print("and its end")']

    # -- composites
    def child(self, depth, ctx, prefix='c', **kw):
        """A new coroutine function; returns the call that makes its coroutine."""
        if ctx.get('pool'):
            name = self.func(prefix, depth + 1, {'pool': 'pool'}, params=('pool',), **kw)
            return f'{name}({ctx["pool"]})'
        return self.func(prefix, depth + 1, {}, **kw) + '()'

    def st_await_direct(self, fn, depth, ctx):
        call = self.child(depth, ctx, 'd')
        r = self.var('r')
        return [f'{r} = await {call}', f'print(f"{fn}: {call} returned {{{r}!r}}")']

    def st_try(self, fn, depth, ctx):
        inner = self.body(fn, depth + 1, ctx, 1, 3)
        out = ['try:'] + indent(inner)
        n = self.site()
        catch = self.pick({'FuzzError': 3, 'Exception': 2, '(FuzzError, KeyError)': 1, 'ValueError': 1,
                           'TimeoutError': 1, 'asyncio.CancelledError': 1.2})
        out += [f'except {catch} as e{n}:', f'    print(f"{fn}: caught {{e{n}!r}} at {n}")']
        if catch == 'asyncio.CancelledError':
            self.features['except CancelledError'] += 1
            if self.chance(0.7):
                out += ['    raise']
            else:
                self.features['cancel swallowed'] += 1
        elif self.chance(0.12):
            self.features['raise ... from'] += 1
            out += [f'    raise FuzzError("{fn} re-raises {self.site()}") from e{n}']
        if self.chance(0.2):
            out += ['else:'] + indent(self.say(fn, 'no error'))
        if self.chance(0.55):
            self.features['finally'] += 1
            out += ['finally:'] + indent(self.say(fn, 'finally'))
        return out

    def st_loop(self, fn, depth, ctx):
        i = self.var('i')
        c = dict(ctx, loopvar=i)
        inner = []
        for _ in range(self.rng.randint(1, 2)):
            inner += self.statement(fn, depth + 1, c, leaf_only=True)
        k = self.rng.randint(2, 4)
        out = [f'for {i} in range({k}):'] + indent(inner)
        if self.chance(0.5):
            self.features['break'] += 1
            b = self.rng.randint(0, k - 1)
            out += indent([f'if {i} == {b}:'] + indent(self.say(fn, 'breaks', i) + ['break']))
        return out

    def st_spawn(self, fn, depth, ctx):
        t = self.var('t')
        mode = self.pick({'await': 3, 'cancel': 2, 'forget': 0.7})
        call = self.child(depth, ctx, allow_raise=(mode != 'forget'))
        named = self.chance(0.3)
        out = [f'{t} = asyncio.create_task({call}' + (f', name="{t}")' if named else ')')]
        for _ in range(self.rng.randint(0, 2)):
            out += self.statement(fn, depth + 1, ctx, leaf_only=True)
        if mode == 'await':
            out += [f'print(f"{fn}: {t} gave {{await {t}!r}}")']
        elif mode == 'cancel':
            self.features['cancel'] += 1
            out += [f'{t}.cancel()' if self.chance(0.7) else f'{t}.cancel("stop {t}")', 'try:',
                    f'    print(f"{fn}: {t} ended anyway: {{await {t}!r}}")',
                    'except asyncio.CancelledError as e:',
                    f'    print(f"{fn}: {t} cancelled: {{{t}.cancelled()}} {{e.args}}")',
                    'except Exception as e:',
                    f'    print(f"{fn}: {t} failed first: {{e!r}}")']
        else:
            out += [f'print(f"{fn}: leaves {t} running, done={{{t}.done()}}")']
        return out

    def kids(self, depth, ctx, lo=2, hi=3, prefix='c', allow_raise=True):
        return [self.child(depth, ctx, prefix, allow_raise=allow_raise) for _ in range(self.rng.randint(lo, hi))]

    def st_gather(self, fn, depth, ctx):
        r = self.var('res')
        ret = self.chance(0.5)
        self.features['gather(return_exceptions=True)' if ret else 'gather'] += 1
        calls = self.kids(depth, ctx)
        out = [f'{r} = await asyncio.gather('] + indent([c + ',' for c in calls])
        out += [f'    return_exceptions=True)' if ret else ')']
        return out + [f'print(f"{fn}: gather gave {{{r}!r}}")']

    def st_wait(self, fn, depth, ctx):
        v = self.var('w')
        calls = self.kids(depth, ctx)
        when = self.pick({'FIRST_COMPLETED': 2, 'ALL_COMPLETED': 1, 'FIRST_EXCEPTION': 1})
        self.features[f'wait({when})'] += 1
        out = [f'{v} = ['] + indent([f'asyncio.create_task({c}, name="{v}{chr(97 + k)}"),'
                                      for k, c in enumerate(calls)]) + [']']
        tmo = ''
        if self.chance(0.4):
            self.features['wait(timeout=)'] += 1
            tmo = f', timeout={self.D("timeout")}'
        out += [f'done, pending = await asyncio.wait({v}, return_when=asyncio.{when}{tmo})',
                f'print(f"{fn}: done {{sorted(t.get_name() for t in done)}}, '
                f'pending {{sorted(t.get_name() for t in pending)}}")',
                'for t in sorted(done, key=asyncio.Task.get_name):',
                f'    print(f"{fn}: {{t.get_name()}} -> {{outcome(t)}}")',
                'for t in sorted(pending, key=asyncio.Task.get_name):',
                '    t.cancel()',
                'await asyncio.wait(pending) if pending else None',
                'for t in sorted(pending, key=asyncio.Task.get_name):',
                f'    print(f"{fn}: {{t.get_name()}} after cancel -> {{outcome(t)}}")']
        return out

    def st_wait_for(self, fn, depth, ctx):
        call = self.child(depth, ctx)
        r = self.var('r')
        t = self.pick({'slot': 10, 'None': 1, '0': 0.6})
        if t != 'slot':
            self.features[f'wait_for(timeout={t})'] += 1
        timeout = self.D('timeout') if t == 'slot' else t
        return ['try:', f'    {r} = await asyncio.wait_for({call}, timeout={timeout})',
                f'    print(f"{fn}: wait_for gave {{{r}!r}}")',
                'except TimeoutError:'] + indent(self.say(fn, 'wait_for timed out'))

    def st_timeout(self, fn, depth, ctx):
        inner = self.body(fn, depth + 1, ctx, 1, 3)
        out = ['try:', f'    async with asyncio.timeout({self.D("timeout")}):'] + indent(inner, 2)
        out += indent(self.say(fn, 'inside the timeout'))
        return out + ['except TimeoutError:'] + indent(self.say(fn, 'timeout expired'))

    def group_except(self, fn):
        n = self.site()
        out = ['except* FuzzError as eg:',
               f'    print(f"{fn}: group failed with {{[repr(e) for e in eg.exceptions]}} at {n}")']
        if self.chance(0.4):
            out += ['except* (ValueError, KeyError) as eg:',
                    f'    print(f"{fn}: group also failed with {{[repr(e) for e in eg.exceptions]}}")']
        return out

    def st_taskgroup(self, fn, depth, ctx):
        tg = self.var('tg')
        calls = self.kids(depth, ctx)
        names = [f'{tg}{chr(97 + k)}' for k in range(len(calls))]
        inner = [f'{n} = {tg}.create_task({c})' for n, c in zip(names, calls)]
        for _ in range(self.rng.randint(0, 2)):
            inner += self.statement(fn, depth + 1, ctx)
        out = ['try:', f'    async with asyncio.TaskGroup() as {tg}:'] + indent(inner, 2)
        out += [f'    print(f"{fn}: group gave {" ".join("{outcome(%s)}" % n for n in names)}")']
        return out + self.group_except(fn)

    def st_tg_cancel_end(self, fn, depth, ctx):
        """Tasks waiting at the end of a TaskGroup are cancelled: one child, or the task that waits."""
        tg = self.var('tg')
        calls = self.kids(depth, ctx)
        names = [f'{tg}{chr(97 + k)}' for k in range(len(calls))]
        target_self = self.chance(0.4)
        self.features['cancel the task waiting at the end of a TaskGroup' if target_self
                      else 'cancel a child at the end of a TaskGroup'] += 1
        d = self.D('sleep')

        def killer_body(name):
            return [f'await asyncio.sleep({d})'] + self.say(name, 'cancels its target') + ['target.cancel()']
        killer = self.new_name('k')
        self.defs.append([f'async def {killer}(target):'] + indent(killer_body(killer)))
        k = self.var('kill')
        target = 'asyncio.current_task()' if target_self else names[-1]
        inner = [f'{n} = {tg}.create_task({c})' for n, c in zip(names, calls)]
        inner += [f'{k} = asyncio.create_task({killer}({target}))']
        inner += self.say(fn, 'the group body is done')
        group = ['try:', f'    async with asyncio.TaskGroup() as {tg}:'] + indent(inner, 2)
        group += [f'    print(f"{fn}: group ended {" ".join("{outcome(%s)}" % n for n in names)}")']
        group += self.group_except(fn)
        if target_self:
            out = ['try:'] + indent(group) + ['except asyncio.CancelledError:'] + \
                indent(self.say(fn, 'cancelled while the group ended'))
            if self.chance(0.2):
                out += ['    raise']
        else:
            out = group
        return out + [f'{k}.cancel()']

    def workers(self, depth, ctx, prefix, param, wrap, lo=2, hi=4):
        """Worker functions whose bodies run inside wrap(name, body)."""
        calls = []
        for _ in range(self.rng.randint(lo, hi)):
            name = self.new_name(prefix)
            c = dict(ctx, fn=name, task=True, pool=None)
            pre = self.body(name, depth + 2, c, 0, 1)
            inner = self.body(name, depth + 2, c, 1, 2)
            body = pre + wrap(name, inner) + self.ending(name, True)
            self.defs.append([f'async def {name}({param}):'] + indent(body))
            calls.append(name)
        return calls

    def st_lock(self, fn, depth, ctx):
        v = self.var('lock')
        calls = self.workers(depth, ctx, 'lw', 'lock', lambda name, inner: (
            ['async with lock:'] + indent(self.say(name, 'holds the lock') + inner) + self.say(name, 'let go')))
        r = self.var('res')
        return [f'{v} = asyncio.Lock()', f'{r} = await asyncio.gather('] + \
            indent([f'{c}({v}),' for c in calls]) + ['    return_exceptions=True)',
                                                   f'print(f"{fn}: lock workers gave {{{r}!r}}")']

    def st_semaphore(self, fn, depth, ctx):
        v = self.var('sem')
        cls = self.rng.choice(['Semaphore', 'BoundedSemaphore'])
        calls = self.workers(depth, ctx, 'sw', 'sem', lambda name, inner: (
            ['async with sem:'] + indent(self.say(name, 'in the semaphore') + inner) + self.say(name, 'out')), 3, 4)
        ws = self.var('ws')
        out = [f'{v} = asyncio.{cls}({self.rng.randint(1, 2)})',
               f'{ws} = [' + ', '.join(f'asyncio.create_task({c}({v}))' for c in calls) + ']']
        if self.chance(0.5):
            self.features['cancel a semaphore waiter'] += 1
            out += [f'await asyncio.sleep({self.D("sleep")})', f'{ws}[-1].cancel()']
        r = self.var('res')
        return out + [f'{r} = await asyncio.gather(*{ws}, return_exceptions=True)',
                      f'print(f"{fn}: semaphore workers gave {{{r}!r}}, locked={{{v}.locked()}}")']

    def woken_waiters(self, prefix, prim, got, depth, ctx):
        """Two or three tasks that wait to acquire @prim (a lock or a semaphore), say so if cancelled while
        they wait, and say @got, run a body and release it once they have it; returns their names."""
        names = []
        for _ in range(self.rng.randint(2, 3)):
            name = self.new_name(prefix)
            c = dict(ctx, fn=name, task=True, pool=None)
            body = ['try:', f'    await {prim}.acquire()', 'except asyncio.CancelledError:'] + \
                indent(self.say(name, 'cancelled while it waited') + ['raise'])
            body += self.say(name, got) + self.body(name, depth + 2, c, 0, 1) + [f'{prim}.release()']
            self.defs.append([f'async def {name}({prim}):'] + indent(body))
            names.append(name)
        return names

    def st_sem_woken(self, fn, depth, ctx):
        """A waiter that a release has woken is cancelled before it runs."""
        v = self.var('sem')
        names = self.woken_waiters('sa', 'sem', 'acquired', depth, ctx)
        ws = self.var('ws')
        first = 'await asyncio.sleep(0)' if self.chance(0.5) else f'await asyncio.sleep({self.D("sleep")})'
        out = [f'{v} = asyncio.Semaphore(0)',
               f'{ws} = [' + ', '.join(f'asyncio.create_task({c}({v}))' for c in names) + ']',
               first] + self.say(fn, 'releases once and cancels the woken waiter') + \
            [f'{v}.release()', f'{ws}[0].cancel()', 'await asyncio.sleep(0)',
             f'print(f"{fn}: after the cancel: {{[t.done() for t in {ws}]}}")',
             f'{v}.release()']
        r = self.var('res')
        return out + [f'{r} = await asyncio.gather(*{ws}, return_exceptions=True)',
                      f'print(f"{fn}: waiters gave {{{r}!r}}, locked={{{v}.locked()}}")']

    def st_lock_woken(self, fn, depth, ctx):
        """A waiter that a lock's release has woken is cancelled before it runs."""
        v = self.var('lock')
        names = self.woken_waiters('la', 'lock', 'has the lock', depth, ctx)
        ws = self.var('ws')
        r = self.var('res')
        return [f'{v} = asyncio.Lock()', f'await {v}.acquire()',
                f'{ws} = [' + ', '.join(f'asyncio.create_task({c}({v}))' for c in names) + ']',
                'await asyncio.sleep(0)'] + self.say(fn, 'releases the lock and cancels the woken waiter') + \
            [f'{v}.release()', f'{ws}[0].cancel()',
             f'{r} = await asyncio.gather(*{ws}, return_exceptions=True)',
             f'print(f"{fn}: lock waiters gave {{{r}!r}}, locked={{{v}.locked()}}")']

    def st_streams(self, fn, depth, ctx):
        """A server on the loopback interface and clients that talk to it, each in its own time."""
        handler = self.new_name('sh')
        c = dict(ctx, fn=handler, task=True, pool=None)
        per_line = self.body(handler, depth + 2, c, 0, 1)
        body = ['while line := await reader.readline():',
                '    text = line.decode().strip()',
                f'    print(f"{handler}: got {{text!r}}")'] + indent(per_line) + \
            ['    writer.write(f"echo {text}\\n".encode())', '    await writer.drain()']
        body += self.say(handler, 'sees the end') + ['writer.close()', 'await writer.wait_closed()']
        if self.chance(0.3):
            body = ['try:'] + indent(body) + ['finally:'] + indent(self.say(handler, 'finally'))
        self.defs.append([f'async def {handler}(reader, writer):'] + indent(body))
        clients = []
        for _ in range(self.rng.randint(1, 3)):
            name = self.new_name('cl')
            c = dict(ctx, fn=name, task=True, pool=None)
            k = self.rng.randint(1, 3)
            start = f'await asyncio.sleep({self.D("sleep")})'
            if self.chance(0.5):   # connections at once: regressions/io_ready_order.py
                start = 'await asyncio.sleep(0)'
            body = [start, 'reader, writer = await asyncio.open_connection("127.0.0.1", port)']
            body += self.say(name, 'connected')
            i = self.var('i')
            body += [f'for {i} in range({k}):', f'    writer.write(f"{name}-{{{i}}}\\n".encode())',
                     '    await writer.drain()', f'    print(f"{name}: reply {{(await reader.readline()).decode().strip()}}")']
            body += indent(self.body(name, depth + 2, c, 0, 1))
            if self.chance(0.3):
                self.features['write_eof'] += 1
                body += ['writer.write_eof()', f'print(f"{name}: after EOF {{await reader.read()!r}}")']
            body += ['writer.close()', 'await writer.wait_closed()'] + self.say(name, 'closed')
            body += self.ending(name, True)
            self.defs.append([f'async def {name}(port):'] + indent(body))
            clients.append(name)
        srv, port, r = self.var('srv'), self.var('port'), self.var('res')
        return [f'{srv} = await asyncio.start_server({handler}, "127.0.0.1", 0)',
                f'{port} = {srv}.sockets[0].getsockname()[1]',
                f'async with {srv}:',
                f'    {r} = await asyncio.gather('] + indent([f'{c}({port}),' for c in clients], 2) + \
            ['        return_exceptions=True)', f'print(f"{fn}: the clients gave {{{r}!r}}")']

    def st_queue(self, fn, depth, ctx):
        q = self.var('q')
        sentinel = self.chance(0.4)
        self.features['queue with sentinels' if sentinel else 'queue join + cancel'] += 1
        prods = []
        for _ in range(self.rng.randint(1, 2)):
            name = self.new_name('qp')
            i = self.var('i')
            body = [f'for {i} in range({self.rng.randint(1, 3)}):',
                    f'    await asyncio.sleep({self.D("sleep")})',
                    f'    await q.put("{name}-" + str({i}))'] + indent(self.say(name, 'put', i))
            self.defs.append([f'async def {name}(q):'] + indent(body))
            prods.append(name)
        cons = []
        for _ in range(self.rng.randint(1, 2)):
            name = self.new_name('qc')
            work = []
            if self.chance(0.6):
                work = [f'await asyncio.sleep({self.D("sleep")})']
            elif self.chance(0.3):
                work = [f'time.sleep({self.D("block")})  # blocks the loop']
            body = ['n = 0', 'while True:', '    item = await q.get()']
            if sentinel:
                body += ['    if item is None:', '        q.task_done()', '        break']
            body += [f'    print(f"{name}: got {{item}}")'] + indent(work) + ['    q.task_done()', '    n += 1',
                                                                          'return n']
            if not sentinel and self.chance(0.5):
                body = ['try:'] + indent(body) + ['finally:'] + indent(self.say(name, 'stops'))
            self.defs.append([f'async def {name}(q):'] + indent(body))
            cons.append(name)
        cs = self.var('cons')
        out = [f'{q} = asyncio.Queue(maxsize={self.rng.randint(0, 2)})',
               f'{cs} = [' + ', '.join(f'asyncio.create_task({c}({q}))' for c in cons) + ']',
               'await asyncio.gather(' + ', '.join(f'{p}({q})' for p in prods) + ')']
        if sentinel:
            out += [f'for _ in {cs}:', f'    await {q}.put(None)']
        else:
            out += [f'await {q}.join()'] + self.say(fn, 'the queue is drained') + [f'for c in {cs}:', '    c.cancel()']
        r = self.var('res')
        return out + [f'{r} = await asyncio.gather(*{cs}, return_exceptions=True)',
                      f'print(f"{fn}: consumers gave {{{r}!r}}")']

    def st_event(self, fn, depth, ctx):
        ev = self.var('ev')
        names = []
        for _ in range(self.rng.randint(1, 3)):
            name = self.new_name('ew')
            c = dict(ctx, fn=name, task=True, pool=None)
            if self.chance(0.3):
                self.features['wait_for(event.wait())'] += 1
                wait = ['try:', f'    await asyncio.wait_for(ev.wait(), timeout={self.D("timeout")})',
                        'except TimeoutError:'] + indent(self.say(name, 'gave up waiting') + [f'return {self.site()}'])
            else:
                wait = ['await ev.wait()']
            body = self.say(name, 'waits') + wait + self.say(name, 'saw the event') + self.body(name, depth + 2, c, 0, 1)
            body += self.ending(name, True)
            self.defs.append([f'async def {name}(ev):'] + indent(body))
            names.append(name)
        ws = self.var('ws')
        r = self.var('res')
        return [f'{ev} = asyncio.Event()',
                f'{ws} = [' + ', '.join(f'asyncio.create_task({c}({ev}))' for c in names) + ']',
                f'await asyncio.sleep({self.D("sleep")})'] + self.say(fn, 'sets the event') + \
            [f'{ev}.set()', f'{r} = await asyncio.gather(*{ws}, return_exceptions=True)',
             f'print(f"{fn}: event waiters gave {{{r}!r}}")']

    def st_condition(self, fn, depth, ctx):
        cv, box = self.var('cond'), self.var('box')
        n = self.rng.randint(1, 3)
        names = []
        for _ in range(self.rng.randint(1, 3)):
            name = self.new_name('cw')
            want = self.rng.randint(1, n)
            body = ['async with cond:', f'    await cond.wait_for(lambda: len(box) >= {want})',
                    f'    print(f"{name}: sees {{len(box)}} items")']
            body += self.ending(name, True)
            self.defs.append([f'async def {name}(cond, box):'] + indent(body))
            names.append(name)
        notify = self.rng.choice(['notify_all()', 'notify(1)', 'notify()'])
        self.features[f'condition.{notify}'] += 1
        k = self.var('k')
        ws = self.var('ws')
        r = self.var('res')
        return [f'{cv} = asyncio.Condition()', f'{box} = []',
                f'{ws} = [' + ', '.join(f'asyncio.create_task({c}({cv}, {box}))' for c in names) + ']',
                f'for {k} in range({n}):', f'    await asyncio.sleep({self.D("sleep")})',
                f'    async with {cv}:', f'        {box}.append({k})',
                f'        print(f"{fn}: adds {{{k}}}")', f'        {cv}.{notify}',
                f'async with {cv}:', f'    {cv}.notify_all()',
                f'{r} = await asyncio.gather(*{ws}, return_exceptions=True)',
                f'print(f"{fn}: condition waiters gave {{{r}!r}}")']

    def st_as_completed(self, fn, depth, ctx):
        # Tasks, not coroutines: as_completed makes the tasks of coroutines in the order of a set.
        calls = ['asyncio.create_task(%s)' % c for c in self.kids(depth, ctx, 2, 3, allow_raise=True)]
        tmo = ''
        if self.chance(0.3):
            self.features['as_completed(timeout=)'] += 1
            tmo = f', timeout={self.D("timeout")}'
        out = ['try:', '    for f in asyncio.as_completed([' + ', '.join(calls) + f']{tmo}):',
               '        try:', f'            print(f"{fn}: as_completed gave {{await f!r}}")',
               '        except FuzzError as e:', f'            print(f"{fn}: as_completed raised {{e!r}}")',
               'except TimeoutError:'] + indent(self.say(fn, 'as_completed timed out'))
        return out

    def st_procpool(self, fn, depth, ctx):
        pool = self.var('pool')
        lp = self.var('loop')
        jobs = [f'{lp}.run_in_executor({pool}, pjob, {self.rng.randint(1, 30)}, {self.D("job")}),'
                for _ in range(self.rng.randint(1, 3))]
        if self.chance(0.5):
            jobs.append(self.child(depth, dict(ctx, pool=pool), 'p') + ',')
        ret = self.chance(0.6)
        r = self.var('res')
        out = [f'{lp} = asyncio.get_running_loop()',
               f'with ProcessPoolExecutor(max_workers={self.rng.randint(1, 2)}) as {pool}:',
               f'    {r} = await asyncio.gather('] + indent(jobs, 2)
        out += ['        return_exceptions=True)' if ret else '    )']
        out += [f'    print(f"{fn}: the pool gave {{{r}!r}}")']
        return out

    def st_shield(self, fn, depth, ctx):
        call = self.child(depth, ctx, allow_raise=False)
        t = self.var('t')
        return [f'{t} = asyncio.create_task({call})', 'try:',
                f'    print(f"{fn}: shielded gave {{await asyncio.wait_for(asyncio.shield({t}), '
                f'timeout={self.D("timeout")})!r}}")',
                'except TimeoutError:',
                f'    print(f"{fn}: shield timed out, inner done={{{t}.done()}}")',
                f'    print(f"{fn}: inner gave {{await {t}!r}}")']

    def st_barrier(self, fn, depth, ctx):
        v = self.var('bar')
        k = self.rng.randint(2, 3)
        calls = []
        for _ in range(k):
            name = self.new_name('bw')
            c = dict(ctx, fn=name, task=True, pool=None)
            body = self.body(name, depth + 2, c, 0, 2) + [
                'i = await bar.wait()', f'print(f"{name}: passed the barrier as {{i}}")']
            body += self.body(name, depth + 2, c, 0, 1) + self.ending(name, True)
            self.defs.append([f'async def {name}(bar):'] + indent(body))
            calls.append(name)
        r = self.var('res')
        return [f'{v} = asyncio.Barrier({k})', f'{r} = await asyncio.gather('] + \
            indent([f'{c}({v}),' for c in calls]) + ['    return_exceptions=True)',
                                                   f'print(f"{fn}: barrier workers gave {{{r}!r}}")']

    def st_agen(self, fn, depth, ctx):
        name = self.new_name('ag')
        k = self.rng.randint(1, 4)
        body = ['try:', f'    for i in range({k}):', f'        await asyncio.sleep({self.D("sleep")})',
                f'        yield "{name}-" + str(i)', 'finally:'] + indent(self.say(name, 'closes'))
        self.defs.append([f'async def {name}():'] + indent(body))
        v = self.var('v')
        stop = self.rng.randint(0, k)
        loop = [f'print(f"{fn}: {name} gave {{{v}}}")']
        if stop < k:
            self.features['async for ... break'] += 1
            loop += [f'if {v} == "{name}-{stop}":'] + indent(self.say(fn, 'stops iterating') + ['break'])
        if self.chance(0.4):
            self.features['contextlib.aclosing'] += 1
            g = self.var('g')
            return [f'async with contextlib.aclosing({name}()) as {g}:', f'    async for {v} in {g}:'] + \
                indent(loop, 2) + self.say(fn, 'closed the generator')
        return [f'async for {v} in {name}():'] + indent(loop) + self.say(fn, 'after async for')

    def st_timeout_resched(self, fn, depth, ctx):
        inner = self.body(fn, depth + 1, ctx, 1, 3)
        lp = 'asyncio.get_running_loop()'
        if self.chance(0.5):
            self.features['asyncio.timeout_at'] += 1
            head = [f'    async with asyncio.timeout_at({lp}.time() + {self.D("timeout")}):']
        else:
            self.features['timeout.reschedule'] += 1
            cm = self.var('cm')
            head = [f'    async with asyncio.timeout(None) as {cm}:',
                    f'        {cm}.reschedule({lp}.time() + {self.D("timeout")})']
        out = ['try:'] + head + indent(inner, 2) + indent(self.say(fn, 'within the deadline'))
        return out + ['except TimeoutError:'] + indent(self.say(fn, 'the deadline passed'))

    def st_threadpool(self, fn, depth, ctx):
        tp = self.var('tp')
        lp = self.var('loop')
        jobs = [f'{lp}.run_in_executor({tp}, tjob, {self.rng.randint(1, 30)}, {self.D("job")}),'
                for _ in range(self.rng.randint(1, 3))]
        r = self.var('res')
        ret = self.chance(0.6)
        out = [f'{lp} = asyncio.get_running_loop()',
               f'with ThreadPoolExecutor(max_workers={self.rng.randint(1, 2)}) as {tp}:',
               f'    {r} = await asyncio.gather('] + indent(jobs, 2)
        out += ['        return_exceptions=True)' if ret else '    )']
        return out + [f'print(f"{fn}: the thread pool gave {{{r}!r}}")']

    # -- the program
    def program(self):
        self.global_pool = self.chance(0.15)
        self.thread_loops = self.chance(0.12)
        if self.global_pool:
            self.features['module-level process pool'] += 1
        ctx = {'fn': 'main', 'task': False}
        body = self.say('main', 'starts')
        for b in range(self.rng.randint(1, 3)):
            block = self.statement('main', 0, ctx)
            if self.chance(0.55):
                block = ['try:'] + indent(block) + ['except Exception as e:',
                                                    f'    print(f"main: block {b} failed with {{e!r}}")']
            body += block
        body += self.say('main', 'ends')
        code = self.rng.choice([0, 0, 0, 0, 1, 3])
        exit_style = self.pick({'plain': 4, 'sys.exit': 1, 'runner': 1})
        if exit_style == 'sys.exit':
            body += [f'return {code}']
        main = ['async def main():'] + indent(body)
        second = self.chance(0.2)
        if second:
            self.features['a second loop' if exit_style != 'runner' else 'a second Runner.run'] += 1
            self.defs.append(['async def epilogue():'] + indent(
                self.say('epilogue', 'starts') + [f'await asyncio.sleep({self.D("sleep")})'] +
                self.say('epilogue', 'ends') + [f'print(f"epilogue: runs in {{asyncio.current_task().get_name()}}")']))
        if exit_style == 'runner':
            self.features['asyncio.Runner'] += 1
            run = ['with asyncio.Runner() as runner:', '    runner.run(main())'] + \
                (['    runner.run(epilogue())'] if second else [])
        elif exit_style == 'sys.exit':
            self.features['sys.exit'] += 1
            run = ['code = asyncio.run(main())', 'print("the loop is closed", file=sys.stderr)', 'sys.exit(code)']
        else:
            run = ['asyncio.run(main())'] + (['asyncio.run(epilogue())'] if second else [])
        if self.chance(0.2):
            self.features['print outside the loop'] += 1
            run = ['print("__main__: before the loop")'] + run
        if self.global_pool:
            run = ['with ProcessPoolExecutor(max_workers=2) as POOL:'] + indent(run)
        parts = [HEADER.format(seed=self.seed, draw=self.draw)]
        for d in self.defs:
            parts.append('\n'.join(d) + '\n')
        parts.append('\n'.join(main) + '\n')
        parts.append('\n'.join(['if __name__ == "__main__":'] + indent(run)) + '\n')
        return '\n\n'.join(parts)

    def render(self, template):
        return re.sub('\u00ab(\\d+)\u00bb', lambda m: '%.2f' % self.slots[int(m.group(1))][1], template)


def slot_lines(template):
    """{line number: [slot indices]} of the template."""
    out = {}
    for no, line in enumerate(template.split('\n'), 1):
        found = [int(x) for x in re.findall('\u00ab(\\d+)\u00bb', line)]
        if found:
            out[no] = found
    return out


def simulate_forked(source, path, order='created', collect='off'):
    """sim.simulate in a forked child: a fresh task counter, patches that die with it."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            res = sim.simulate(source, path, order, collect)
        except BaseException as e:  # noqa: BLE001 - report anything
            res = {'ok': False, 'reason': f'the simulation failed: {e!r}', 'conflicts': []}
            code = 1
        data = json.dumps(res).encode()
        while data:
            n = os.write(w, data)
            data = data[n:]
        os._exit(code)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(b''.join(chunks) or b'{"ok": false, "reason": "no result", "conflicts": []}')


def verdict(res):
    """Why a simulated program is refused, or None."""
    if not res.get('ok'):
        return res.get('reason') or 'refused'
    if res['duration'] > MAX_DURATION:
        return f'too long: {res["duration"]:.2f} s'
    warned = [w for w in res['warnings'] if not re.match(r"Exception in callback .* \| FuzzError\('callback ", w)]
    if warned:
        return f'the loop logged: {warned[0]}'
    for l in res['lines']:
        for bad in GENERATOR_BUGS:
            if bad in l['text']:
                return f'a generator error: {l["text"]}'
    return None


def generate(seed, draws=60, repairs=60, stats=None):
    """(source, meta) of seed's program."""
    stats = stats if stats is not None else Counter()
    path = '<difffuzz>'
    for draw in range(draws):
        rng = random.Random(f'difffuzz:{seed}:{draw}')
        g = G(rng, seed, draw)
        template = g.program()
        where = slot_lines(template)
        best, best_n = None, None
        for _ in range(repairs):
            src = g.render(template)
            res = simulate_forked(src, path)
            why = verdict(res)
            stats['simulations'] += 1
            if why is None:
                # The same program with the sets CPython orders by address in the other order, and the
                # collector run before every event rather than never.
                others = [simulate_forked(src, path, order='reversed', collect='eager')]
                if res.get('largest_set', 0) > 2:   # more orders than those two: some shuffles too
                    others += [simulate_forked(src, path, order=k) for k in range(SHUFFLES)]
                stats['simulations'] += len(others)
                def seen(r):
                    return [(l['stream'], re.sub(r'x[0-9a-f]{6,}', 'x', l['text'])) for l in r.get('lines', [])]
                if any(seen(other) != seen(res) or verdict(other) is not None for other in others):
                    stats['refused: depends on the order of a set or on the collector'] += 1
                    break
                meta = {'seed': seed, 'draw': draw, 'duration': res['duration'], 'status': res['status'],
                        'lines': res['lines'], 'features': dict(g.features)}
                return src, meta
            n = len({(a, b) for a, b in res.get('conflicts', [])}) if res.get('conflicts') else None
            if n is None and best is None:
                stats['refused: ' + re.sub(r'[\d.]+', 'N', why)[:60]] += 1
                break
            if best is not None and (n is None or n > best_n):
                g.slots[changed][1] = old   # worse: back to the last draw
            else:
                best, best_n = res, n
            slots = sorted({s for a, b in best['conflicts'] for ln in (a, b) if ln in where for s in where[ln]})
            if not slots:
                stats['refused: conflicts on lines without durations'] += 1
                break
            stats['repairs'] += 1
            changed = rng.choice(slots)
            old = g.slots[changed][1]
            g.slots[changed][1] = rng.choice(GRIDS[g.slots[changed][0]])
        else:
            stats['refused: conflicts remain'] += 1
    raise RuntimeError(f'seed {seed}: no program in {draws} draws')


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('seed', type=int)
    ap.add_argument('--out')
    ap.add_argument('--meta')
    ap.add_argument('--stats', action='store_true')
    a = ap.parse_args()
    stats = Counter()
    src, meta = generate(a.seed, stats=stats)
    if a.out:
        with open(a.out, 'w', encoding='utf-8') as f:
            f.write(src)
    else:
        sys.stdout.write(src)
    if a.meta:
        with open(a.meta, 'w', encoding='utf-8') as f:
            json.dump(meta, f)
    if a.stats:
        print(json.dumps(dict(stats)), file=sys.stderr)


if __name__ == '__main__':
    main()
