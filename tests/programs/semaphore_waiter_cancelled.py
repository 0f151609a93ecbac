"""Semaphore wake-up order: waiters are served first in, first out; a waiter
cancelled while it waits gives up its place; a waiter cancelled after a
release already chose it passes the slot on to the next one."""
import asyncio


async def worker(sem, name, hold):
    print(f"{name}: wants the semaphore")
    try:
        async with sem:
            print(f"{name}: acquired")
            await asyncio.sleep(hold)
            print(f"{name}: releasing")
    except asyncio.CancelledError:
        print(f"{name}: cancelled before acquiring")
        raise


async def fifo_with_cancelled_waiter():
    sem = asyncio.Semaphore(1)
    tasks = {}
    for name, hold in (("A", 0.2), ("B", 0.1), ("C", 0.1), ("D", 0.1)):
        tasks[name] = asyncio.create_task(worker(sem, name, hold))
        await asyncio.sleep(0)
    await asyncio.sleep(0.1)
    print("main: cancelling C while it waits")
    tasks["C"].cancel()
    results = await asyncio.gather(*tasks.values(), return_exceptions=True)
    print("main: results", [type(r).__name__ for r in results])
    print("main: semaphore locked at the end =", sem.locked())


async def waiter(sem, name):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        print(f"{name}: cancelled (a release had already picked it)")
        raise
    print(f"{name}: got the slot")


async def cancelled_after_wake():
    sem = asyncio.Semaphore(0)
    w1 = asyncio.create_task(waiter(sem, "w1"))
    w2 = asyncio.create_task(waiter(sem, "w2"))
    w3 = asyncio.create_task(waiter(sem, "w3"))
    await asyncio.sleep(0.05)
    print("main: release once, then cancel w1 before it runs")
    sem.release()
    w1.cancel()
    await asyncio.sleep(0.05)
    print("main: w2 done =", w2.done(), "w3 done =", w3.done())
    sem.release()
    await asyncio.gather(w1, w2, w3, return_exceptions=True)
    print("main: w1 cancelled =", w1.cancelled(), "locked =", sem.locked())


async def bounded():
    sem = asyncio.BoundedSemaphore(1)
    await sem.acquire()
    sem.release()
    try:
        sem.release()
    except ValueError as e:
        print("bounded: second release:", repr(e))


async def main():
    await fifo_with_cancelled_waiter()
    await cancelled_after_wake()
    await bounded()


if __name__ == "__main__":
    asyncio.run(main())
