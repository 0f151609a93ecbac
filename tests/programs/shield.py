"""asyncio.shield(): cancelling the awaiter leaves the inner task running;
cancelling the inner task does reach the awaiter; results and exceptions
pass through; gather of shields."""
import asyncio


async def work(name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name}: inner cancelled")
        raise
    if fail:
        print(f"{name}: inner raising")
        raise OSError(name)
    print(f"{name}: inner done")
    return name + " result"


async def waiter(aw, name):
    try:
        r = await asyncio.shield(aw)
        print(f"{name}: awaiter got {r}")
    except asyncio.CancelledError:
        print(f"{name}: awaiter cancelled")
        raise


async def main():
    print("result:", await asyncio.shield(work("plain", 0.05)))

    try:
        await asyncio.shield(work("bad", 0.05, fail=True))
    except OSError as e:
        print("exception passes through:", repr(e))

    inner = asyncio.create_task(work("protected", 0.2))
    w = asyncio.create_task(waiter(inner, "w1"))
    await asyncio.sleep(0.05)
    w.cancel()
    await asyncio.gather(w, return_exceptions=True)
    print("after outer cancel: inner done =", inner.done(), "awaiter cancelled =", w.cancelled())
    print("awaiting the inner task directly:", await inner)

    inner = asyncio.create_task(work("exposed", 0.2))
    w = asyncio.create_task(waiter(inner, "w2"))
    await asyncio.sleep(0.05)
    inner.cancel()
    await asyncio.gather(w, return_exceptions=True)
    print("inner cancelled: awaiter cancelled too =", w.cancelled())

    fut = asyncio.get_running_loop().create_future()
    fut.set_result("already")
    print("shield of a done future:", await asyncio.shield(fut))

    t1 = asyncio.create_task(work("s1", 0.1))
    t2 = asyncio.create_task(work("s2", 0.15))
    g = asyncio.gather(asyncio.shield(t1), asyncio.shield(t2))
    await asyncio.sleep(0.05)
    g.cancel()
    try:
        await g
    except asyncio.CancelledError:
        print("gather of shields cancelled; tasks still running:", not t1.done(), not t2.done())
    print("their results:", await t1, "/", await t2)


if __name__ == "__main__":
    asyncio.run(main())
