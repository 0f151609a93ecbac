"""aiodemo's side of a run, set up before the program starts.

asyncio gets aiodemo's event loop: CPython's own selector event loop with a
selector that waits on libev (_aiodemo.EvLoop), so scheduling, tasks,
cancellation and transports stay CPython's. The observed loop's ready queue
reports each step; CPython's executors report their jobs; sys.stdout and
sys.stderr become lines on the timeline. Nothing here changes what the
program does, and none of it adds a frame to the program's tracebacks:
the hooks that run inside the program's calls are C functions.
"""
import _aiodemo

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.tasks
import asyncio.unix_events
import concurrent.futures.thread as _thread_pool
import contextvars
import functools
import importlib.machinery
import io
import linecache
import os
import selectors
import site
import socket
import sys
import threading
import time
import weakref


class _Selector(selectors._BaseSelectorImpl):
    """A selector that waits on libev, for asyncio's selector event loop."""

    def __init__(self, observe=False):
        super().__init__()
        self._ev = _aiodemo.EvLoop(observe=observe)

    def register(self, fileobj, events, data=None):
        key = super().register(fileobj, events, data)
        try:
            self._ev.watch(key.fd, events)
        except BaseException:
            super().unregister(fileobj)
            raise
        return key

    def modify(self, fileobj, events, data=None):
        # In place, as an epoll selector modifies (the base class would
        # unregister and register again, and the descriptor, ready, would
        # come out after others ready since).
        try:
            key = self._fd_to_key[self._fileobj_lookup(fileobj)]
        except KeyError:
            raise KeyError(f"{fileobj!r} is not registered") from None
        if events != key.events:
            try:
                self._ev.watch(key.fd, events)
            except BaseException:
                super().unregister(fileobj)
                raise
        if events != key.events or data != key.data:
            key = key._replace(events=events, data=data)
            self._fd_to_key[key.fd] = key
        return key

    def unregister(self, fileobj):
        key = super().unregister(fileobj)
        try:
            self._ev.watch(key.fd, 0)
        except OSError:
            pass  # the descriptor may be closed already, as with epoll
        return key

    def select(self, timeout=None):
        ready = []
        get = self._fd_to_key.get
        for fd, events in self._ev.wait(timeout):
            key = get(fd)
            if key:
                ready.append((key, events & key.events))
        return ready

    def close(self):
        self._ev.close()
        super().close()


class _UnixSelectorEventLoop(asyncio.unix_events._UnixSelectorEventLoop):
    # The name and module of the class it extends: a program that prints
    # its loop sees what it would see under python3.
    def __init__(self, selector=None):
        observe = selector is None and threading.current_thread() is threading.main_thread()
        super().__init__(selector if selector is not None else _Selector(observe))
        self._aiodemo_observed = observe
        self._aiodemo_running = False
        if observe:
            self._ready = _aiodemo.ReadyQueue()
            _aiodemo.io_ignore(self._ssock.fileno())

    # A signal the program takes with add_signal_handler (aiohttp's
    # web.run_app takes Ctrl-C so, and ends without a KeyboardInterrupt):
    # noted, for serve. The handler itself runs later, from the ready queue.
    def _handle_signal(self, sig):
        if self._aiodemo_observed:
            _aiodemo.signal_seen(sig)
        super()._handle_signal(sig)

    # run_forever() calls this as it starts and as it ends, outside the
    # loop's own callbacks: the observation's enter and exit, without a
    # frame of ours around the program's run.
    def _set_coroutine_origin_tracking(self, enabled):
        super()._set_coroutine_origin_tracking(enabled)
        if not self._aiodemo_observed or asyncio.events._get_running_loop() is self:
            return
        self._aiodemo_running = not self._aiodemo_running
        if self._aiodemo_running:
            _aiodemo.loop_enter()
        else:
            _aiodemo.loop_exit()
            self._selector._ev.pause()


# The timers it sets and cancels are noted by methods written in C, which
# call BaseEventLoop's own and add no frame of ours to a traceback.
_UnixSelectorEventLoop.call_at, _UnixSelectorEventLoop._timer_handle_cancelled = _aiodemo.timer_methods(
    asyncio.base_events.BaseEventLoop.call_at, asyncio.base_events.BaseEventLoop._timer_handle_cancelled)
_UnixSelectorEventLoop.__module__ = asyncio.unix_events._UnixSelectorEventLoop.__module__

# What the program's sockets send and receive and when they close, for the
# loop's sockets on the timeline: C methods that call _socket.socket's own.
(socket.socket.send, socket.socket.recv, socket.socket.recv_into,
 socket.socket._real_close) = _aiodemo.io_methods(
    socket.socket.send, socket.socket.recv, socket.socket.recv_into, socket.socket._real_close)


class _Policy(asyncio.unix_events._UnixDefaultEventLoopPolicy):
    _loop_factory = _UnixSelectorEventLoop


_Policy.__name__ = _Policy.__qualname__ = '_UnixDefaultEventLoopPolicy'
_Policy.__module__ = asyncio.unix_events._UnixDefaultEventLoopPolicy.__module__
asyncio.set_event_loop_policy(_Policy())


def _short(value, limit=24):
    try:
        text = repr(value)
    except Exception:
        text = '?'
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _unwrap(fn, args, kwargs):
    """The function a job calls and its arguments, out of the partials
    that wrap it: to_thread's Context.run, and one like aiofiles' of
    f.write and its bytes."""
    while isinstance(fn, functools.partial):
        if isinstance(getattr(fn.func, '__self__', None), contextvars.Context) and fn.args:
            fn, args, kwargs = fn.args[0], fn.args[1:] + tuple(args), {**fn.keywords, **kwargs}
        else:
            fn, args, kwargs = fn.func, fn.args + tuple(args), {**fn.keywords, **kwargs}
    return fn, args, kwargs


def _describe(fn, args, kwargs):
    """time.sleep(2) for a job: the function a to_thread call wraps too."""
    fn, args, kwargs = _unwrap(fn, args, kwargs)
    name = getattr(fn, '__qualname__', None) or getattr(fn, '__name__', None) or type(fn).__name__
    module = getattr(fn, '__module__', None)
    if module and module not in ('__main__', 'builtins'):
        name = module + '.' + name
    parts = [_short(a) for a in args[:4]] + ['%s=%s' % (k, _short(v)) for k, v in list(kwargs.items())[:4]]
    if len(args) + len(kwargs) > 8:
        parts.append('...')
    return '%s(%s)' % (name, ', '.join(parts))


def _job_line(fn):
    """The line where the program defines the function a job runs, or 0."""
    fn = _unwrap(fn, (), {})[0]
    code = getattr(fn, '__code__', None)
    main = sys.modules.get('__main__')
    if code is None or code.co_filename != getattr(main, '__file__', None):
        return 0
    return code.co_firstlineno


def _failure(future):
    if future.cancelled():
        return 'cancelled'
    exc = future._exception
    return None if exc is None else _short(exc, 80)


class _ThreadWorkItem(_thread_pool._WorkItem):
    def __init__(self, future, fn, args, kwargs):
        super().__init__(future, fn, args, kwargs)
        executor = sys._getframe(1).f_locals.get('self')
        prefix = getattr(executor, '_thread_name_prefix', None) or 'ThreadPoolExecutor'
        job = _aiodemo.job_submitted(prefix, _describe(fn, args, kwargs), _job_line(fn))
        self._aiodemo_job = (job, prefix)
        if job:
            # Its end is stamped as fn returns, before the future wakes the loop.
            self.fn = _aiodemo.Job(fn, job, prefix)

    def run(self):
        job, prefix = self._aiodemo_job
        name = threading.current_thread().name
        head, _, index = name.rpartition('_')
        if not self.future.cancelled():
            _aiodemo.job_started(job, prefix, int(index) if head == prefix and index.isdigit() else 0)
        try:
            super().run()
        finally:
            _aiodemo.job_finished(job, _failure(self.future))
            # As _WorkItem.run does after a failure: the exception's frames
            # lead back to this one, and through self to the future that
            # holds the exception, a cycle that would keep the program's
            # objects (an async generator, say) alive until the collector
            # runs, where python3 frees them at once.
            self = None


_thread_pool._WorkItem = _ThreadWorkItem

_process_labels = weakref.WeakKeyDictionary()


def _patch_process_pool(_process_pool):
    class _ProcessWorkItem(_process_pool._WorkItem):
        def __init__(self, future, fn, args, kwargs):
            executor = sys._getframe(1).f_locals.get('self')
            context = getattr(executor, '_mp_context', None)
            # Only a forked worker has aiodemo's module and its channel back.
            if context is not None and context.get_start_method() == 'fork':
                label = _process_labels.get(executor)
                if label is None:
                    label = _process_labels[executor] = 'ProcessPoolExecutor-%d' % len(_process_labels)
                job = _aiodemo.job_submitted(label, _describe(fn, args, kwargs), _job_line(fn))
                fn = _aiodemo.Job(fn, job, label)
            super().__init__(future, fn, args, kwargs)

    _ProcessWorkItem.__qualname__ = '_ProcessWorkItem'
    _process_pool._WorkItem = _ProcessWorkItem


class _OnImport:
    """Patches a module of the standard library as the program first imports
    it, for a program that uses it only: importing the process pool (and
    multiprocessing with it) takes some 8 ms, which a run that never makes
    one should not pay. (A finder of sys.meta_path by its find_spec alone:
    importlib.abc would import importlib.resources, as long again.)"""

    def __init__(self, patches):
        self._patches = patches

    def find_spec(self, name, path, target=None):
        patch = self._patches.pop(name, None)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            patch(module)
        spec.loader.exec_module = exec_module
        return spec


if 'concurrent.futures.process' in sys.modules:
    _patch_process_pool(sys.modules['concurrent.futures.process'])
else:
    sys.meta_path.insert(0, _OnImport({'concurrent.futures.process': _patch_process_pool}))
os.register_at_fork(after_in_child=_aiodemo.after_fork)


class _Output(io.TextIOBase):
    """sys.stdout or sys.stderr: each line becomes an event on the lane of
    the code that writes it."""

    def __init__(self, real, write):
        self._real = real
        self.write = write  # a C function: print() adds no frame of ours

    encoding = property(lambda self: self._real.encoding)
    errors = property(lambda self: self._real.errors)
    name = property(lambda self: self._real.name)
    newlines = None

    def writable(self):
        return True

    def fileno(self):
        return self._real.fileno()

    def isatty(self):
        return self._real.isatty()

    def flush(self):
        pass


# sys.__stdout__ and sys.__stderr__ too: CPython puts them back in place of
# sys.stdout and sys.stderr when it ends, and what it reports then ("Task
# exception was never retrieved" of a task in a global) belongs on the
# timeline as well.
_aiodemo.set_encoding(sys.stdout.encoding, sys.stdout.errors, sys.stderr.encoding, sys.stderr.errors)
sys.stdout = sys.__stdout__ = _Output(sys.stdout, _aiodemo.write_stdout)
sys.stderr = sys.__stderr__ = _Output(sys.stderr, _aiodemo.write_stderr)

if _aiodemo.scale != 1:
    _real_clocks = {}
    for _name, _fn in _aiodemo.scaled_clocks().items():
        _real_clocks[id(getattr(time, _name))] = (getattr(time, _name), _fn)
        setattr(time, _name, _fn)
    # What was imported before kept the clock it bound (threading's _time,
    # queue's time): the program's clock there too.
    for _module in list(sys.modules.values()):
        _globals = getattr(_module, '__dict__', None)
        for _key, _value in list(_globals.items()) if isinstance(_globals, dict) else ():
            _pair = _real_clocks.get(id(_value))
            if _pair and _pair[0] is _value:
                _globals[_key] = _pair[1]
    del _real_clocks, _module, _globals
    _aiodemo.scale_socket_timeouts(socket)
    _aiodemo.scale_thread_waits(threading)

_libdirs = {os.path.dirname(os.__file__)}
for _dir in site.getsitepackages() + [site.getusersitepackages()]:
    _libdirs.add(os.path.dirname(_dir) if _dir.endswith('site-packages') else _dir)
_libdirs.add('/usr/lib/python3/')
_aiodemo.configure((asyncio.tasks._CTask if hasattr(asyncio.tasks, '_CTask') else asyncio.Task,
                    asyncio.tasks._PyTask),
                   tuple(d.rstrip('/') + '/' for d in _libdirs), linecache.getline,
                   os.path.dirname(asyncio.__file__) + '/')
