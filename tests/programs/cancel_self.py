"""Cancellation of the current task, of a task before it starts, of a task
that swallows the CancelledError, and try/finally in cancelled tasks."""
import asyncio


async def cancels_itself():
    task = asyncio.current_task()
    task.cancel("by myself")
    print("self: cancel requested, cancelling() =", task.cancelling())
    try:
        await asyncio.sleep(0.1)
        print("self: sleep finished (not expected)")
    except asyncio.CancelledError as e:
        print("self: CancelledError with args", e.args)
        raise
    finally:
        print("self: finally ran")


async def never_started():
    print("never_started: body ran (not expected)")


async def stubborn():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("stubborn: caught CancelledError, returning a value instead")
        return "ignored the cancel"


async def cleanup_needs_await():
    try:
        await asyncio.sleep(1)
    finally:
        print("cleanup: finally starts, awaiting during cleanup")
        await asyncio.sleep(0.1)
        print("cleanup: finally done")


async def own_timeout(sleep, timeout):
    """A hand-made timeout: cancel() from a timer, uncancel() in finally."""
    task = asyncio.current_task()
    fired = False

    def on_timeout():
        nonlocal fired
        fired = True
        task.cancel()

    handle = asyncio.get_running_loop().call_later(timeout, on_timeout)
    try:
        try:
            await asyncio.sleep(sleep)
            print(f"own_timeout({sleep}, {timeout}): block finished")
        finally:
            handle.cancel()
            if fired and task.uncancel() == 0:
                print(f"own_timeout({sleep}, {timeout}): timed out, uncancel() brought the count to 0")
    except asyncio.CancelledError:
        if not fired or task.cancelling():
            raise
        print(f"own_timeout({sleep}, {timeout}): converted to a timeout")
    await asyncio.sleep(0.05)
    print(f"own_timeout({sleep}, {timeout}): code after the block runs, cancelling() = {task.cancelling()}")


async def main():
    t = asyncio.create_task(cancels_itself())
    try:
        await t
    except asyncio.CancelledError:
        print("main: awaiting the self-cancelled task raised CancelledError")
    print("main: t.cancelled() =", t.cancelled())

    t2 = asyncio.create_task(never_started())
    t2.cancel()
    try:
        await t2
    except asyncio.CancelledError:
        print("main: task cancelled before its first step never ran its body")

    t3 = asyncio.create_task(stubborn())
    await asyncio.sleep(0.05)
    t3.cancel()
    result = await t3
    print("main: stubborn result:", result)
    print("main: stubborn cancelled() =", t3.cancelled(), "cancelling() =", t3.cancelling())

    t4 = asyncio.create_task(cleanup_needs_await())
    await asyncio.sleep(0.05)
    print("main: cancel cleanup task, cancel() returned", t4.cancel())
    print("main: second cancel() returned", t4.cancel(), "cancelling() =", t4.cancelling())
    try:
        await t4
    except asyncio.CancelledError:
        print("main: cleanup task finished cancelled")
    print("main: cancel() on a done task returned", t4.cancel())

    # cancelling a task awaiting another task cancels the inner one too
    async def inner():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("inner: cancelled through its awaiter")
            raise

    async def outer(it):
        try:
            await it
        except asyncio.CancelledError:
            print("outer: cancelled")
            raise

    it = asyncio.create_task(inner())
    ot = asyncio.create_task(outer(it))
    await asyncio.sleep(0.05)
    ot.cancel()
    await asyncio.gather(ot, return_exceptions=True)
    print("main: inner cancelled =", it.cancelled(), "outer cancelled =", ot.cancelled())

    await own_timeout(0.05, 0.15)
    await own_timeout(0.3, 0.1)
    t5 = asyncio.create_task(own_timeout(0.3, 0.1))
    await asyncio.sleep(0.05)
    t5.cancel()
    try:
        await t5
    except asyncio.CancelledError:
        print("main: a cancel from outside is not mistaken for the timeout")


if __name__ == "__main__":
    asyncio.run(main())
