"""Tasks that wait for each of asyncio's synchronisation primitives: a
Lock, a Semaphore, a BoundedSemaphore, an Event, a Condition, a Queue's
get, put and join, and a Barrier. Each waiter is woken 0.1 s later."""
import asyncio


async def hold(cm, name):
    async with cm:
        print(f"{name}: holds it")
        await asyncio.sleep(0.1)


async def lock_and_semaphores():
    for cm, name in ((asyncio.Lock(), "lock"), (asyncio.Semaphore(1), "semaphore"),
                     (asyncio.BoundedSemaphore(1), "bounded")):
        await asyncio.gather(hold(cm, f"{name} 1"), hold(cm, f"{name} 2"))


async def event():
    ev = asyncio.Event()

    async def waiter():
        await ev.wait()
        print("event: set")

    t = asyncio.create_task(waiter())
    await asyncio.sleep(0.1)
    ev.set()
    await t


async def condition():
    cond = asyncio.Condition()

    async def waiter():
        async with cond:
            await cond.wait()
            print("condition: notified")

    t = asyncio.create_task(waiter())
    await asyncio.sleep(0.1)
    async with cond:
        cond.notify()
    await t


async def queue():
    q = asyncio.Queue(maxsize=1)

    async def getter():
        print("queue: got", await q.get())
        q.task_done()

    t = asyncio.create_task(getter())
    await asyncio.sleep(0.1)
    await q.put(1)
    await q.put(2)  # full until the getter below takes it
    await asyncio.sleep(0)
    t2 = asyncio.create_task(getter())
    await q.join()
    print("queue: joined")
    await asyncio.gather(t, t2)


async def barrier():
    b = asyncio.Barrier(2)

    async def party(n):
        await asyncio.sleep(0.1 * n)
        await b.wait()
        print(f"barrier: party {n} through")

    await asyncio.gather(party(0), party(1))


async def main():
    await lock_and_semaphores()
    await event()
    await condition()
    await queue()
    await barrier()


asyncio.run(main())
