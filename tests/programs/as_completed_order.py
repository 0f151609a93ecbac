"""as_completed() yields in the order things finish, gather() returns in the
order they were given; gather with and without return_exceptions; a child
of gather cancelled; gather itself cancelled."""
import asyncio


async def job(name, delay, fail=False):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name}: cancelled")
        raise
    if fail:
        print(f"{name}: raising")
        raise ValueError(name)
    print(f"{name}: done")
    return name


async def main():
    coros = [job("third", 0.25), job("first", 0.05), job("second", 0.15)]
    for i, nxt in enumerate(asyncio.as_completed(coros), 1):
        print(f"as_completed #{i}:", await nxt)

    try:
        for nxt in asyncio.as_completed([job("quick", 0.05), job("never", 0.28)], timeout=0.15):
            print("with timeout:", await nxt)
    except asyncio.TimeoutError:
        print("with timeout: TimeoutError from as_completed")
    await asyncio.sleep(0.05)

    print("gather order:", await asyncio.gather(job("g-slow", 0.15), job("g-fast", 0.05)))

    results = await asyncio.gather(job("r1", 0.05), job("r2", 0.1, fail=True), job("r3", 0.15),
                                   return_exceptions=True)
    print("return_exceptions:", [repr(r) for r in results])

    a = asyncio.create_task(job("x1", 0.05, fail=True))
    b = asyncio.create_task(job("x2", 0.2))
    try:
        await asyncio.gather(a, b)
    except ValueError as e:
        print("without return_exceptions: first error", repr(e), "- x2 still running =", not b.done())
    print("x2 later gives", await b)

    c1 = asyncio.create_task(job("c1", 0.2))
    c2 = asyncio.create_task(job("c2", 0.1))
    g = asyncio.gather(c1, c2, return_exceptions=True)
    await asyncio.sleep(0.05)
    c1.cancel()
    print("child cancelled, gather with return_exceptions:", [type(r).__name__ for r in await g])

    d1 = asyncio.create_task(job("d1", 0.3))
    d2 = asyncio.create_task(job("d2", 0.3))
    g = asyncio.gather(d1, d2)
    await asyncio.sleep(0.05)
    print("cancelling the gather:", g.cancel())
    try:
        await g
    except asyncio.CancelledError:
        print("gather cancelled; children cancelled:", d1.cancelled(), d2.cancelled())

    print("empty gather:", await asyncio.gather())


if __name__ == "__main__":
    asyncio.run(main())
