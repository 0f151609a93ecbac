"""Callback ordering: call_soon is first in, first out; a callback scheduled
by a callback runs in a later pass; call_later(0) runs after the call_soon
callbacks already queued; timers fire by deadline, equal deadlines in the
order they were scheduled; a cancelled handle never runs; an exception in a
callback goes to the exception handler and the loop carries on."""
import asyncio
import threading


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def cb(name, *more):
        print("callback", name, *more)

    def chain(n):
        print("chain", n)
        if n < 3:
            loop.call_soon(chain, n + 1)

    loop.call_soon(cb, "soon-1")
    loop.call_later(0, cb, "later-0")
    loop.call_soon(chain, 1)
    loop.call_soon(cb, "soon-2", "with", "args")
    print("main: scheduled; nothing has run yet")
    await asyncio.sleep(0)
    print("main: after one sleep(0)")
    await asyncio.sleep(0.05)

    for name, delay in (("t-200", 0.2), ("t-100a", 0.1), ("t-050", 0.05), ("t-100b", 0.1)):
        loop.call_later(delay, cb, name)
    h = loop.call_later(0.15, cb, "cancelled-one")
    loop.call_at(loop.time() + 0.25, cb, "call_at-250")
    loop.call_later(0.3, done.set_result, None)
    h.cancel()
    print("main: handle cancelled =", h.cancelled())
    await done

    def handler(lp, context):
        print("handler:", context["message"].split(" at ")[0], repr(context.get("exception")))

    def bad():
        raise LookupError("in a callback")

    loop.set_exception_handler(handler)
    loop.call_soon(bad)
    loop.call_soon(cb, "after-bad")
    await asyncio.sleep(0.05)
    loop.set_exception_handler(None)

    ev = asyncio.Event()

    def from_thread():
        loop.call_soon_threadsafe(cb, "from-thread")
        loop.call_soon_threadsafe(ev.set)

    th = threading.Thread(target=from_thread)
    loop.call_later(0.05, th.start)
    await ev.wait()
    th.join()
    print("main: event set by the thread's callback")


if __name__ == "__main__":
    asyncio.run(main())
