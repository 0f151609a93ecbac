"""A generated program run on a virtual clock, to prove it deterministic.

simulate(source, path) runs the program in this interpreter (call it in a
forked child: it patches time.sleep, the event loop policy and
ProcessPoolExecutor, and it creates tasks, whose default names count up for
the life of the process) on an event loop that is CPython's own selector
loop with a virtual clock: waiting for a timer takes no time, time.sleep()
on the loop thread moves the clock and blocks the loop, and a job for a
thread or process pool runs at once, in this thread, its time.sleep()s
adding up its duration, and completes when the clock reaches its end.

What it checks is what makes a real run deterministic. Every event that
comes from outside the loop's own order — a timer firing, a job ending —
has a window of program time in which a real run may see it: its moment on
the virtual clock, plus the uncertainty it inherits from the events that led
to it (a thread or a process takes some time to start, which is not known;
each job adds it). Two such events pending at once must be GAP apart, or a
real run could see them in either order; a timer cancelled by another
event's consequences must not be due within GAP of that event; a loop
blocked by time.sleep() must not have an event near its start or its end.
A stall of the loop thread (starting a worker) of unknown length shifts
all that the loop schedules after it, and not what it had scheduled before:
two events are compared with the stalls between their schedulings added to
their uncertainty. Each conflict names the program lines that scheduled the
two events, so that the generator can change the durations written there.

gc: 'off' runs without the cyclic collector, 'eager' collects before each
event; both collect at the end, as the interpreter's exit would. A program
whose lines differ between the two depends on when the collector runs.

The result is a dict: ok, reason, conflicts [(line, line)], the virtual
duration, the exit status, the lines printed (stdout and stderr, each with
its moment and its uncertainty) and the warnings the loop logged.
"""
import asyncio
import concurrent.futures
import contextlib
import gc
import io
import random
import select
import selectors
import sys
import time
import traceback
import weakref

GAP = 0.03          # the least distance between two independent events, program time
IO_STEP = 0.003     # what a pass of the loop that handles I/O may take, program time: loopback I/O
                    # takes real time, which --scale does not shrink (at --scale 0.2, 0.6 ms)
J_THREAD = 0.06     # what a thread job may take beyond its own sleeps
J_PROC_FIRST = 0.25  # the first jobs of a process pool: forking its workers
J_PROC = 0.06       # later jobs of a process pool
J_SHUTDOWN = 0.1    # a process pool's shutdown: joining its workers
# The loop thread stalls while a pool starts a worker: Thread.start() waits for the new thread to run,
# a process pool forks all its workers and starts a thread at its first job. How long is not known:
# everything the loop does after it may be that much later than on the virtual clock, but the timers
# it had already set are not.
J_STALL_THREAD = 0.05
J_STALL_PROCS = 0.12
MAX_DEFAULT_JOBS = 4  # the default executor has min(32, cpus + 4) threads: at least 5


class Hang(BaseException):
    """The loop has nothing to wait for: the real program would hang."""


class Reject(BaseException):
    """The program does something the simulation cannot vouch for."""


def reject(why):
    """Refuses the program: noted, since the exception may end in a task or a callback, not here."""
    if SIM is not None and SIM.rejected is None:
        SIM.rejected = why
    raise Reject(why)


class Item:
    """A timer or a job end: an event from outside the loop's order."""
    __slots__ = ('kind', 'when', 'unc', 'line', 'born', 'seq', 'pool', 'start', 'start_unc', 'hid', 'g')

    def __init__(self, kind, when, unc, line, born, seq, g):
        self.kind, self.when, self.unc, self.line, self.born, self.seq = kind, when, unc, line, born, seq
        self.g = g
        self.pool = self.hid = None
        self.start = self.start_unc = 0.0


class PoolModel:
    """The workers of a pool: when each is free again, and how uncertain that is."""

    def __init__(self, workers, first_j, warm_j, start_stall, first_stall=0.0, all_at_once=False):
        self.max = workers
        self.workers = []          # [free at, uncertainty]
        self.first_j, self.warm_j = first_j, warm_j
        self.start_stall, self.first_stall = start_stall, first_stall
        self.all_at_once = all_at_once
        self.first_at = None
        self.items = []

    def assign(self, now, unc, dur):
        """(start, its uncertainty, the end's uncertainty, the loop's stall) of a job submitted now."""
        stall = 0.0
        if self.first_at is None:
            self.first_at = now
            stall += self.first_stall
            if self.all_at_once:
                self.workers = [[now, 0.0] for _ in range(self.max)]
        idle = [w for w in self.workers if w[0] + w[1] + GAP <= now]
        if idle:
            w = min(idle, key=lambda w: w[0])
        elif len(self.workers) < self.max:
            w = [now, 0.0]
            self.workers.append(w)
            stall += self.start_stall
        else:
            w = min(self.workers, key=lambda w: w[0])
        start = max(now, w[0])
        start_unc = max(unc, w[1] if w[0] >= now else 0.0)
        j = self.first_j if start < self.first_at + self.first_j else self.warm_j
        end_unc = start_unc + j
        w[0], w[1] = start + dur, end_unc
        return start, start_unc, end_unc, stall


class Sim:
    def __init__(self, path):
        self.path = path
        self.now = 0.0
        self.pending = {}
        self.seq = 0
        self.fires = 0
        self.cur_unc = 0.0
        self.cur_item = None
        self.cur_fire = 0
        self.block_unc = 0.0
        self.conflicts = []
        self.out = []
        self.job_out = None
        self.job_dur = 0.0
        self.warnings = []
        self.default_pool = PoolModel(MAX_DEFAULT_JOBS, J_THREAD, J_THREAD, J_STALL_THREAD)
        self.G = 0.0             # the stalls so far
        self.rejected = None
        self.gc = 'off'
        self.default_jobs_running = 0
        self.io_steps = 0        # the passes with I/O since a timer fired
        self.shutdown_waiters = []

    # -- where the program asked for it
    def line(self):
        f = sys._getframe(2)
        while f is not None:
            if f.f_code.co_filename == self.path:
                return f.f_lineno
            f = f.f_back
        return None

    def conflict(self, a, b, why):
        la = a.line if isinstance(a, Item) else a
        lb = b.line if isinstance(b, Item) else b
        self.conflicts.append((la, lb, why))

    @staticmethod
    def near(lo1, hi1, lo2, hi2, dg=0.0):
        return lo1 < hi2 + GAP + dg and lo2 < hi1 + GAP + dg

    def new_item(self, kind, when, unc, line):
        self.seq += 1
        it = Item(kind, when, unc, line, self.fires, self.seq, self.G)
        self.pending[self.seq] = it
        return it

    def fired(self, item):
        """@item fires now: no other pending event may be near it."""
        self.pending.pop(item.seq, None)
        self.fires += 1
        self.io_steps = 0
        unc = item.unc
        if self.now > item.when + 1e-9:   # late: the loop was blocked
            unc = max(unc, self.block_unc)
        for other in self.pending.values():
            if self.near(item.when, item.when + item.unc, other.when, other.when + other.unc, abs(item.g - other.g)):
                self.conflict(item, other, f'{item.kind} and {other.kind} due at {item.when:.3f} and {other.when:.3f}')
        self.cur_unc, self.cur_item, self.cur_fire = unc, item, self.fires
        if self.gc == 'eager':
            gc.collect()

    def io_event(self):
        """A pass of the loop handles I/O: the real time the passes since the last timer took makes the
        moment uncertain, and a timer due near it may fire before it or after."""
        self.io_steps += 1
        unc = self.io_steps * IO_STEP
        self.cur_unc = max(self.cur_unc, unc)
        for other in self.pending.values():
            if other.when < self.now + unc + GAP:
                self.conflict(other, self.cur_item.line if self.cur_item else None,
                              f'{other.kind} due at {other.when:.3f} near I/O at {self.now:.3f} (+{unc:.3f})')

    def cancelled(self, item):
        """@item is cancelled now, by the consequences of the current event."""
        self.pending.pop(item.seq, None)
        dg = abs(item.g - self.G)   # a stall between its scheduling and now may make the cancel late
        if (item.born < self.cur_fire or dg > 0) and item.when - (self.now + self.cur_unc) < GAP + dg:
            self.conflict(item, self.cur_item.line if self.cur_item else None,
                          f'{item.kind} due at {item.when:.3f} cancelled at {self.now:.3f}')

    def block(self, d, line, exempt=()):
        """The loop thread blocks for @d seconds."""
        start, end = self.now, self.now + d
        for other in self.pending.values():
            if other.seq in exempt:
                continue
            lo, hi = other.when, other.when + other.unc
            dg = abs(other.g - self.G)
            inside = lo >= start + GAP + dg and hi <= end - GAP - dg
            if not inside and self.near(lo, hi, start, end + self.cur_unc, dg):
                self.conflict(other, line, f'{other.kind} due at {lo:.3f} near a block {start:.3f}..{end:.3f}')
        self.now = end
        self.block_unc = self.cur_unc

    # -- jobs
    def run_job(self, func, args):
        """Runs a job's function here and now; returns (duration, result, exception, lines it printed).
        An event loop the job runs (a worker thread's own) has a clock of its own, which adds to the job's
        duration."""
        saved = self.job_out, self.job_dur
        self.job_out, self.job_dur = [], 0.0
        running = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            try:
                result, exc = func(*args), None
            except Exception as e:  # noqa: BLE001 - the job's exception is its result
                result, exc = None, e
            return self.job_dur, result, exc, self.job_out
        finally:
            asyncio.events._set_running_loop(running)
            self.job_out, self.job_dur = saved


class Capture(io.TextIOBase):
    def __init__(self, sim, stream):
        self.sim, self.stream, self.buf = sim, stream, ''

    def writable(self):
        return True

    def write(self, s):
        sim = self.sim
        if sim.job_out is not None:
            sim.job_out.append((self.stream, s))
            return len(s)
        self.buf += s
        while '\n' in self.buf:
            line, self.buf = self.buf.split('\n', 1)
            sim.out.append((self.stream, line, sim.now, sim.cur_unc + sim.G))
        return len(s)

    def emit_job(self, pieces):
        for stream, s in pieces:
            if stream == self.stream:
                self.write(s)

    def flush(self):
        pass


class FakeSelector(selectors._BaseSelectorImpl):
    """The loop's selector: real readiness from epoll, never a real wait. Sockets on the loopback
    interface are ready as soon as the other end has written; when nothing is ready, the clock moves
    to the next timer. Descriptors ready together come in epoll's order, as under python3 and
    aiodemo."""

    def __init__(self, sim):
        super().__init__()
        self.sim = sim
        self._ep = select.epoll()

    @staticmethod
    def _mask(events):
        return (select.EPOLLIN if events & selectors.EVENT_READ else 0) | \
            (select.EPOLLOUT if events & selectors.EVENT_WRITE else 0)

    def register(self, fileobj, events, data=None):
        key = super().register(fileobj, events, data)
        self._ep.register(key.fd, self._mask(events))
        return key

    def unregister(self, fileobj):
        key = super().unregister(fileobj)
        try:
            self._ep.unregister(key.fd)
        except OSError:
            pass
        return key

    def select(self, timeout=None):
        ready = []
        for fd, ev in self._ep.poll(0, max(len(self._fd_to_key), 1)):
            key = self._fd_to_key.get(fd)
            if key is None:
                continue
            events = (selectors.EVENT_READ if ev & ~select.EPOLLOUT else 0) | \
                (selectors.EVENT_WRITE if ev & ~select.EPOLLIN else 0)
            if events & key.events:
                ready.append((key, events & key.events))
        if ready:
            self.sim.io_event()
            return ready
        if timeout is None:
            raise Hang('the loop waits with nothing to wait for')
        if timeout > 0:
            self.sim.now += timeout
        return []

    def close(self):
        self._ep.close()
        super().close()


class FakePool:
    """ProcessPoolExecutor, in the simulation."""

    shutdown_j = J_SHUTDOWN

    def __init__(self, max_workers=None, *args, **kwargs):
        if max_workers is None:
            reject('a pool without max_workers depends on the machine')
        self.model = PoolModel(max_workers, J_PROC_FIRST, J_PROC, 0.0, J_STALL_PROCS, all_at_once=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown(wait=True)
        return False

    def shutdown(self, wait=True, **kwargs):
        if not wait or SIM is None:
            return
        sim = SIM
        mine = [it for it in self.model.items if it.seq in sim.pending]
        end = max([sim.now] + [it.when for it in mine])
        unc = max([sim.cur_unc] + [it.unc for it in mine]) + (self.shutdown_j if self.model.first_at is not None else 0)
        saved = sim.cur_unc
        sim.cur_unc = unc
        sim.block(end - sim.now, sim.line(), exempt={it.seq for it in mine})
        sim.cur_unc = unc
        del saved

    def submit(self, *a, **k):
        reject('the simulation runs pool jobs through run_in_executor only')


class FakeThreadPool(FakePool):
    """ThreadPoolExecutor, in the simulation."""
    shutdown_j = J_THREAD

    def __init__(self, max_workers=None, *args, **kwargs):
        if max_workers is None:
            reject('a pool without max_workers depends on the machine')
        self.model = PoolModel(max_workers, J_THREAD, J_THREAD, J_STALL_THREAD)


class SimLoop(asyncio.SelectorEventLoop):
    def __init__(self, sim):
        super().__init__(selector=FakeSelector(sim))
        self._sim = sim

    def time(self):
        return self._sim.now

    def create_task(self, coro, *, name=None, context=None):
        t = super().create_task(coro, name=name, context=context)
        global task_count
        task_count += 1
        task_order[t] = task_count
        return t

    def _call_soon(self, callback, args, context):
        sim = self._sim
        return super()._call_soon(self._sim_run, (sim.cur_unc, sim.cur_item, sim.cur_fire, callback, args), context)

    def _sim_run(self, unc, item, fire, callback, args):
        sim = self._sim
        sim.cur_unc, sim.cur_item, sim.cur_fire = unc, item, fire
        callback(*args)

    def call_at(self, when, callback, *args, context=None):
        sim = self._sim
        item = sim.new_item('timer', when, sim.cur_unc, sim.line())
        h = super().call_at(when, self._sim_fire, item, callback, args, context=context)
        item.hid = id(h)
        sim_handles[id(h)] = (h, item)
        return h

    def _sim_fire(self, item, callback, args):
        sim_handles.pop(item.hid, None)
        self._sim.fired(item)
        callback(*args)

    def _timer_handle_cancelled(self, handle):
        entry = sim_handles.pop(id(handle), None)
        if entry is not None and entry[0] is handle and entry[1].seq in self._sim.pending:
            self._sim.cancelled(entry[1])
        super()._timer_handle_cancelled(handle)

    def run_in_executor(self, executor, func, *args):
        sim = self._sim
        line = sim.line()
        if executor is None:
            model = sim.default_pool
            sim.default_jobs_running += 1
            if sim.default_jobs_running > MAX_DEFAULT_JOBS:
                reject('more jobs at once than the default executor surely has threads')
        elif isinstance(executor, FakePool):
            model = executor.model
        else:
            reject('an executor the simulation does not model')
        dur, result, exc, printed = sim.run_job(func, args)
        start, start_unc, end_unc, stall = model.assign(sim.now, sim.cur_unc, dur)
        sim.G += stall
        fut = self.create_future()
        item = sim.new_item('job', start + dur, end_unc, line)
        item.start, item.start_unc = start, end_unc
        model.items.append(item)
        h = asyncio.SelectorEventLoop.call_at(self, start + dur, self._sim_job_done, item, model, fut, result, exc,
                                              printed)
        del h

        def on_cancel(f):
            if f.cancelled() and item.seq in sim.pending and sim.now < item.start + item.start_unc + GAP:
                sim.conflict(item, sim.cur_item.line if sim.cur_item else None,
                             'a job cancelled before it surely started')
        fut.add_done_callback(on_cancel)
        return fut

    def _sim_job_done(self, item, model, fut, result, exc, printed):
        sim = self._sim
        sim.fired(item)
        if model is sim.default_pool:
            sim.default_jobs_running -= 1
            if sim.default_jobs_running == 0:
                for w in sim.shutdown_waiters:
                    if not w.done():
                        w.set_result(None)
        for stream in (sys.stdout, sys.stderr):
            if stream.buf and any(name == stream.stream for name, _ in printed):
                # python3 writes a worker's line after the loop thread's half line; aiodemo keeps each
                # thread's lines whole (tests/python_e2e.py), on purpose.
                reject('a worker prints while the loop thread has half a line')
        sys.stdout.emit_job(printed)
        sys.stderr.emit_job(printed)

        def set_state():
            if fut.cancelled():
                return
            if exc is not None:
                fut.set_exception(exc)
            else:
                fut.set_result(result)
        self.call_soon(set_state)

    async def shutdown_default_executor(self):
        if self._sim.default_jobs_running:
            w = self.create_future()
            self._sim.shutdown_waiters.append(w)
            await w

    def close(self):
        sim = self._sim
        for it in list(sim.pending.values()):
            if it.kind == 'timer' and sim.near(it.when, it.when + it.unc, sim.now, sim.now + sim.cur_unc,
                                               abs(it.g - sim.G)):
                sim.conflict(it, None, f'a timer due at {it.when:.3f} near the end of the loop at {sim.now:.3f}')
            if it.hid is not None:
                sim_handles.pop(it.hid, None)   # the loop lets go of its handles: so does the simulation
        super().close()

    def call_exception_handler(self, context):
        self._sim.warnings.append(f"{context.get('message', '')} | {context.get('exception')!r}")
        super().call_exception_handler(context)


class NestedLoop(SimLoop):
    """The loop a job runs in its worker thread: its clock starts at 0, and what it runs adds to the job's
    duration when it is closed."""

    def __init__(self, outer):
        inner = Sim(outer.path)
        inner.job_out = outer.job_out
        super().__init__(inner)
        self._outer = outer

    def close(self):
        if not self.is_closed():
            self._outer.job_dur += self._sim.now
        asyncio.SelectorEventLoop.close(self)


class SimPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        if SIM.job_out is not None:
            return NestedLoop(SIM)
        return SimLoop(SIM)


class OrderedSet:
    """A set whose iteration order is that of insertion, or its reverse: in
    place of the sets whose order CPython leaves to the objects' addresses
    (a TaskGroup's tasks, which it cancels in that order; all_tasks(), which
    asyncio.run cancels at its end in that order). A program whose lines
    change between the two orders depends on addresses: a real run under
    another allocator (aiodemo's) may print them otherwise. @order is
    'created', 'reversed', or an int: a shuffle of that seed. Two orders
    are all there are for two items; a set of more that is iterated is
    counted (largest_set), for the generator to try shuffles too."""

    def __init__(self, items=(), order='created'):
        self.d = dict.fromkeys(items)
        self.order = order

    def add(self, x):
        self.d[x] = None

    def discard(self, x):
        self.d.pop(x, None)

    def remove(self, x):
        del self.d[x]

    def __contains__(self, x):
        return x in self.d

    def __len__(self):
        return len(self.d)

    def __iter__(self):
        items = list(self.d)
        if SIM is not None:
            SIM.largest_set = max(SIM.largest_set, len(items))
        if self.order == 'reversed':
            items.reverse()
        elif isinstance(self.order, int):
            random.Random(self.order).shuffle(items)
        return iter(items)


def patch_orders(order):
    """TaskGroup._tasks and all_tasks() in @order (see OrderedSet); returns the undo."""
    tg_init = asyncio.TaskGroup.__init__
    all_tasks = asyncio.tasks.all_tasks

    def init(self):
        tg_init(self)
        self._tasks = OrderedSet(order=order)

    def ordered_all_tasks(loop=None):
        if SIM is not None and SIM.gc == 'eager':
            # asyncio.run's end takes all_tasks() to cancel them: a pending task that is garbage by then
            # (its creator ended) is destroyed, and logged, if the collector runs first, else cancelled.
            gc.collect()
        found = all_tasks(loop)
        created = sorted(found, key=lambda t: task_order.get(t, 0))
        return OrderedSet(created, order=order)
    asyncio.TaskGroup.__init__ = init
    asyncio.tasks.all_tasks = ordered_all_tasks

    def undo():
        asyncio.TaskGroup.__init__ = tg_init
        asyncio.tasks.all_tasks = all_tasks
    return undo


SIM = None
sim_handles = {}
task_count = 0
task_order = weakref.WeakKeyDictionary()   # task: the order of its creation (no reference kept)


def simulate(source, path, order='created', collect='off'):
    global SIM
    sim = SIM = Sim(path)
    sim.gc = collect
    sim.largest_set = 0
    if collect == 'off':
        gc.disable()
    out, err = Capture(sim, 'stdout'), Capture(sim, 'stderr')
    real_sleep = time.sleep

    def sleep(d):
        if sim.job_out is not None:
            sim.job_dur += d
        else:
            sim.block(d, sim.line())
    status, reason = 0, None
    time.sleep = sleep
    concurrent.futures.ProcessPoolExecutor = FakePool
    concurrent.futures.ThreadPoolExecutor = FakeThreadPool
    asyncio.set_event_loop_policy(SimPolicy())
    undo = patch_orders(order)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            g = {'__name__': '__main__', '__file__': path, '__builtins__': __builtins__}
            try:
                code = compile(source, path, 'exec')
                exec(code, g)
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except Hang as e:
                reason = f'hangs at {sim.now:.3f}: {e}'
            except Reject as e:
                reason = f'rejected: {e}'
            except BaseException:  # noqa: BLE001 - the program's uncaught error
                traceback.print_exc()
                status = 1
            # What the interpreter's exit would destroy, and what that logs ("Task was destroyed but it is
            # pending!"): lines whose moment is the collector's, refused by the generator.
            g.clear()
            sys.exc_info()
            gc.collect()
    finally:
        undo()
        time.sleep = real_sleep
        asyncio.set_event_loop_policy(None)
        SIM = None
    if sim.rejected is not None:
        reason = f'rejected: {sim.rejected}'
    if reason is None and sim.conflicts:
        reason = f'{len(sim.conflicts)} conflicts, the first {sim.conflicts[0]}'
    lines = [{'stream': s, 'text': t, 't': round(at, 6), 'unc': round(u, 6)} for s, t, at, u in sim.out]
    return {
        'ok': reason is None,
        'reason': reason,
        'conflicts': [(a, b) for a, b, _ in sim.conflicts],
        'why': [w for _, _, w in sim.conflicts][:20],
        'duration': round(sim.now, 6),
        'status': status,
        'lines': lines,
        'warnings': sim.warnings,
        'largest_set': sim.largest_set,
    }


if __name__ == '__main__':
    import json
    p = sys.argv[1]
    with open(p, encoding='utf-8') as f:
        print(json.dumps(simulate(f.read(), p), indent=1))
