"""asyncio.wait_for() edges: a timeout cancels the inner task and waits for
its cleanup; timeout None and 0; an inner task that swallows the cancel; an
inner task that raises while being cancelled; the outer task cancelled."""
import asyncio


async def slow(name, delay, cleanup=0.0):
    try:
        await asyncio.sleep(delay)
        print(f"{name}: finished")
        return f"{name} result"
    except asyncio.CancelledError:
        print(f"{name}: cancelled")
        raise
    finally:
        if cleanup:
            print(f"{name}: cleanup takes a while")
            await asyncio.sleep(cleanup)
            print(f"{name}: cleanup done")


async def swallower():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("swallower: ignoring the cancel, returning a value")
        return "swallowed"


async def raises_on_cancel():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("raiser: turning the cancel into KeyError")
        raise KeyError("during cancel")


async def started_flag():
    print("zero: body ran (not expected)")


async def main():
    print("1:", await asyncio.wait_for(slow("quick", 0.05), timeout=0.2))

    try:
        await asyncio.wait_for(slow("tardy", 0.5, cleanup=0.1), timeout=0.1)
    except asyncio.TimeoutError as e:
        print("2: TimeoutError after the cleanup,", repr(e))

    print("3:", await asyncio.wait_for(slow("untimed", 0.05), timeout=None))

    fut = asyncio.get_running_loop().create_future()
    fut.set_result("ready")
    print("4: timeout 0, done future:", await asyncio.wait_for(fut, timeout=0))

    try:
        await asyncio.wait_for(started_flag(), timeout=0)
    except asyncio.TimeoutError:
        print("5: timeout 0 with a coroutine: TimeoutError, body never ran")

    try:
        print("6: swallowed timeout gives:", await asyncio.wait_for(swallower(), timeout=0.05))
    except asyncio.TimeoutError:
        print("6: TimeoutError")

    try:
        await asyncio.wait_for(raises_on_cancel(), timeout=0.05)
    except KeyError as e:
        print("7: the inner exception comes out:", repr(e))
    except asyncio.TimeoutError:
        print("7: TimeoutError")

    inner = asyncio.create_task(slow("inner", 1))
    outer = asyncio.create_task(asyncio.wait_for(inner, timeout=1))
    await asyncio.sleep(0.05)
    outer.cancel()
    try:
        await outer
    except asyncio.CancelledError:
        print("8: outer cancelled; inner cancelled =", inner.cancelled())

    shielded = asyncio.create_task(slow("shielded", 0.15))
    try:
        await asyncio.wait_for(asyncio.shield(shielded), timeout=0.05)
    except asyncio.TimeoutError:
        print("9: timed out, shielded task still running =", not shielded.done())
    print("9:", await shielded)


if __name__ == "__main__":
    asyncio.run(main())
