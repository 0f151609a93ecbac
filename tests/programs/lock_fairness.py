"""asyncio.Lock fairness: waiters get the lock in the order they asked; a
task that releases and at once asks again goes to the back; a cancelled
waiter, before or after it was woken, does not keep the lock."""
import asyncio


async def greedy(lock, name, rounds, hold):
    for i in range(rounds):
        async with lock:
            print(f"{name}: holds the lock (round {i})")
            await asyncio.sleep(hold)
        # no await between release and the next acquire


async def fair_rounds():
    lock = asyncio.Lock()
    tasks = [asyncio.create_task(greedy(lock, n, 2, 0.05)) for n in ("a", "b", "c")]
    await asyncio.gather(*tasks)
    print("fair: locked at the end =", lock.locked())


async def waiter(lock, name):
    try:
        async with lock:
            print(f"{name}: got the lock")
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        print(f"{name}: cancelled without the lock")
        raise


async def cancelled_waiters():
    lock = asyncio.Lock()
    await lock.acquire()
    w1 = asyncio.create_task(waiter(lock, "w1"))
    w2 = asyncio.create_task(waiter(lock, "w2"))
    w3 = asyncio.create_task(waiter(lock, "w3"))
    await asyncio.sleep(0.05)
    print("main: cancel w2 while it waits")
    w2.cancel()
    await asyncio.sleep(0.05)
    print("main: release; then cancel w1, which the release has just woken")
    lock.release()
    w1.cancel()
    await asyncio.gather(w1, w2, w3, return_exceptions=True)
    print("main: w1", w1.cancelled(), "w2", w2.cancelled(), "w3", w3.cancelled())
    print("main: locked at the end =", lock.locked())


async def misuse():
    lock = asyncio.Lock()
    try:
        lock.release()
    except RuntimeError as e:
        print("misuse: release of a free lock:", repr(e))
    print("misuse: acquire returns", await lock.acquire())
    try:
        await asyncio.wait_for(lock.acquire(), timeout=0.05)
    except asyncio.TimeoutError:
        print("misuse: a second acquire times out; the lock is not reentrant")
    lock.release()
    print("misuse: locked after release =", lock.locked())


async def main():
    await fair_rounds()
    await cancelled_waiters()
    await misuse()


if __name__ == "__main__":
    asyncio.run(main())
