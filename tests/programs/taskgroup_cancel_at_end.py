"""TaskGroup semantics: a failing child cancels its siblings and the body,
errors come back as an ExceptionGroup, the parent's cancel count is restored
(uncancel), an outside cancel goes through, and a task that cancels itself
just before it returns ends cancelled."""
import asyncio


async def cancel_then_return():
    asyncio.current_task().cancel()
    print("at_end: cancel requested, returning 12 anyway")
    return 12


async def sibling(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f"{name}: finished normally")
        return name
    except asyncio.CancelledError:
        print(f"{name}: cancelled by the group")
        raise
    finally:
        print(f"{name}: finally")


async def crash(delay, exc):
    await asyncio.sleep(delay)
    print(f"crash: raising {exc!r}")
    raise exc


async def crash_in_cleanup():
    try:
        await asyncio.sleep(1)
    finally:
        print("cleanup_crasher: raising ValueError from finally")
        raise ValueError("from finally")


async def group_with_failure():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sibling("quick", 0.05))
            tg.create_task(sibling("slow", 1))
            tg.create_task(crash(0.15, ZeroDivisionError("boom")))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body: cancelled because a child failed, cancelling() =", me.cancelling())
                raise
    except* ZeroDivisionError as eg:
        print("group: caught ZeroDivisionError part:", repr(eg.exceptions[0]))
    print("group: after the group, cancelling() =", me.cancelling())
    late = sibling("late", 0.1)
    try:
        tg.create_task(late)
    except RuntimeError as e:
        late.close()
        print("group: create_task after exit:", e)


async def group_with_cleanup_failure():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(crash(0.1, KeyError("k")))
            tg.create_task(crash_in_cleanup())
    except* KeyError as eg:
        print("cleanup group: KeyError part:", repr(eg.exceptions[0]))
    except* ValueError as eg:
        print("cleanup group: ValueError part:", repr(eg.exceptions[0]))


async def group_waits_at_end():
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(sibling("a", 0.2))
        b = tg.create_task(sibling("b", 0.1))
        print("waits: body done, __aexit__ waits for the children")
    print("waits: results", a.result(), b.result())


async def spawner(tg):
    await asyncio.sleep(0.05)
    print("spawner: adding a child to the group")
    tg.create_task(sibling("spawned", 0.1))


async def group_cancelled_from_outside():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(spawner(tg))
        tg.create_task(sibling("long", 1))


async def main():
    t = asyncio.create_task(cancel_then_return())
    try:
        print("main: result", await t)
    except asyncio.CancelledError:
        print("main: cancel_then_return ended cancelled =", t.cancelled())

    await group_with_failure()
    await group_with_cleanup_failure()
    await group_waits_at_end()

    r = asyncio.create_task(group_cancelled_from_outside())
    await asyncio.sleep(0.25)
    r.cancel()
    try:
        await r
    except asyncio.CancelledError:
        print("main: outer cancel went through the group, cancelled =", r.cancelled())


if __name__ == "__main__":
    asyncio.run(main())
