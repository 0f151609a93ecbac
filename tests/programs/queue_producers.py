"""asyncio.Queue with a bound: producers block on put() while the queue is
full, consumers take items in FIFO order, join() waits for task_done(); a
cancelled get() loses no item; Priority and Lifo queues."""
import asyncio


async def producer(q, name, n):
    for i in range(n):
        item = f"{name}-{i}"
        await q.put(item)
        print(f"{name}: put {item} (size now {q.qsize()})")
    print(f"{name}: finished producing")


async def consumer(q, name, per_item):
    while True:
        item = await q.get()
        print(f"{name}: got {item}")
        await asyncio.sleep(per_item)
        q.task_done()


async def bounded_pipeline():
    q = asyncio.Queue(maxsize=2)
    c = asyncio.create_task(consumer(q, "consumer", 0.05))
    await asyncio.gather(producer(q, "p1", 3), producer(q, "p2", 2))
    print("main: all produced, waiting for join()")
    await q.join()
    print("main: join() returned, queue empty =", q.empty())
    c.cancel()
    await asyncio.gather(c, return_exceptions=True)


async def cancelled_getter():
    q = asyncio.Queue()
    g1 = asyncio.create_task(q.get())
    g2 = asyncio.create_task(q.get())
    await asyncio.sleep(0.05)
    q.put_nowait("only item")
    g1.cancel()
    await asyncio.sleep(0.05)
    print("cancelled get: g1 cancelled =", g1.cancelled(), "g2 got", repr(g2.result()))
    print("cancelled get: queue size", q.qsize())


async def nowait_errors():
    q = asyncio.Queue(maxsize=1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        print("nowait: get on empty:", repr(e))
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except asyncio.QueueFull as e:
        print("nowait: put on full:", repr(e), "full() =", q.full())
    try:
        await asyncio.wait_for(q.put(3), timeout=0.05)
    except asyncio.TimeoutError:
        print("nowait: blocked put timed out, size", q.qsize())
    q.get_nowait()
    q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        print("nowait: task_done too often:", repr(e))


async def other_orders():
    pq = asyncio.PriorityQueue()
    for item in [(3, "c"), (1, "a"), (2, "b")]:
        pq.put_nowait(item)
    print("priority:", [pq.get_nowait() for _ in range(3)])
    lq = asyncio.LifoQueue()
    for item in "xyz":
        lq.put_nowait(item)
    print("lifo:", [lq.get_nowait() for _ in range(3)])


async def main():
    await bounded_pipeline()
    await cancelled_getter()
    await nowait_errors()
    await other_orders()


if __name__ == "__main__":
    asyncio.run(main())
