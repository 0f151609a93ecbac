"""Event and Condition wake-up order: Event.set() wakes every waiter in the
order they started waiting; Condition.notify(n) wakes the first n, each one
re-acquiring the lock in turn; wait_for(predicate); a cancelled waiter still
re-acquires the lock before the CancelledError leaves wait()."""
import asyncio


async def event_waiter(ev, name):
    print(f"{name}: waiting for the event")
    await ev.wait()
    print(f"{name}: woke up")


async def events():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(event_waiter(ev, f"e{i}")) for i in range(3)]
    await asyncio.sleep(0.1)
    print("main: set the event")
    ev.set()
    await asyncio.gather(*tasks)
    print("main: wait on a set event returns", await ev.wait())
    ev.clear()
    try:
        await asyncio.wait_for(ev.wait(), timeout=0.05)
    except asyncio.TimeoutError:
        print("main: after clear(), wait() times out; is_set =", ev.is_set())


async def cond_waiter(cond, name):
    async with cond:
        print(f"{name}: waiting on the condition")
        await cond.wait()
        print(f"{name}: woke up holding the lock")
        await asyncio.sleep(0.05)
        print(f"{name}: releasing the lock")


async def conditions():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(cond_waiter(cond, f"c{i}")) for i in range(4)]
    await asyncio.sleep(0.05)
    async with cond:
        print("main: notify(2)")
        cond.notify(2)
        print("main: still holding the lock after notify")
    await asyncio.sleep(0.2)
    async with cond:
        print("main: notify_all()")
        cond.notify_all()
    await asyncio.gather(*tasks)
    try:
        cond.notify()
    except RuntimeError as e:
        print("main: notify without the lock:", repr(e))


async def predicate_wait():
    cond = asyncio.Condition()
    state = {"count": 0}

    async def watcher():
        async with cond:
            await cond.wait_for(lambda: state["count"] >= 3)
            print("watcher: count reached", state["count"])

    w = asyncio.create_task(watcher())
    for _ in range(4):
        await asyncio.sleep(0.05)
        async with cond:
            state["count"] += 1
            print("main: count is", state["count"])
            cond.notify_all()
    await w


async def cancelled_condition_waiter():
    cond = asyncio.Condition()

    async def victim():
        async with cond:
            try:
                await cond.wait()
            except asyncio.CancelledError:
                print("victim: cancelled, holds the lock again =", cond.locked())
                raise

    v = asyncio.create_task(victim())
    await asyncio.sleep(0.05)
    async with cond:
        v.cancel()
        await asyncio.sleep(0.05)
        print("main: victim waits for the lock, done =", v.done())
    await asyncio.gather(v, return_exceptions=True)
    print("main: victim cancelled =", v.cancelled(), "lock free =", not cond.locked())


async def main():
    await events()
    await conditions()
    await predicate_wait()
    await cancelled_condition_waiter()


if __name__ == "__main__":
    asyncio.run(main())
