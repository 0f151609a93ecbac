"""asyncio.wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED and a
timeout. Its results are sets, so names are sorted before they are printed."""
import asyncio


async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        print(f"{name}: failing")
        raise RuntimeError(f"{name} failed")
    print(f"{name}: done")
    return name


def names(tasks):
    return sorted(t.get_name() for t in tasks)


def make(specs):
    return [asyncio.create_task(job(n, d, f), name=n) for n, d, f in specs]


async def main():
    tasks = make([("fast", 0.05, False), ("mid", 0.15, False), ("slow", 0.25, False)])
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print("first_completed: done", names(done), "pending", names(pending))
    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    print("first_completed again: done", names(done), "pending", names(pending))
    for t in pending:
        t.cancel()
    done, pending = await asyncio.wait(pending)
    print("after cancel: cancelled", [t.cancelled() for t in done], "pending", names(pending))

    tasks = make([("ok", 0.05, False), ("bad", 0.1, True), ("late", 0.3, False)])
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    print("first_exception: done", names(done), "pending", names(pending))
    for t in sorted(done, key=lambda t: t.get_name()):
        print("  ", t.get_name(), "exception:", repr(t.exception()))
    done, pending = await asyncio.wait(pending, timeout=0.05)
    print("timeout: done", names(done), "pending", names(pending), "(no exception raised)")
    done, pending = await asyncio.wait(pending)
    print("all_completed: done", names(done), "results", [t.result() for t in done])

    already = make([("instant", 0, False)])
    await asyncio.sleep(0.01)
    done, pending = await asyncio.wait(already, return_when=asyncio.FIRST_EXCEPTION)
    print("already done, no exception: done", names(done), "pending", names(pending))

    try:
        await asyncio.wait([])
    except ValueError as e:
        print("empty wait:", repr(e))
    coro = job("bare", 0)
    try:
        await asyncio.wait([coro])
    except TypeError as e:
        print("coroutine passed to wait:", type(e).__name__)
    finally:
        coro.close()


if __name__ == "__main__":
    asyncio.run(main())
