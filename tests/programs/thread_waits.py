"""Timed waits of threading, queue and concurrent.futures, in threads the
loop hands work to: each times out, or is woken, when the program's clock
says so."""
import asyncio
import concurrent.futures
import queue
import threading
import time


def timed_waits():
    start = time.monotonic()

    def since():
        return f"{time.monotonic() - start:.1f}"

    print("event.wait(0.3):", threading.Event().wait(0.3), since())
    try:
        queue.Queue().get(timeout=0.2)
    except queue.Empty:
        print("queue.get(timeout=0.2): Empty", since())
    print("semaphore.acquire(timeout=0.2):", threading.Semaphore(0).acquire(timeout=0.2), since())
    sleeper = threading.Thread(target=time.sleep, args=(0.5,))
    sleeper.start()
    sleeper.join(timeout=0.1)
    print("join(timeout=0.1): alive", sleeper.is_alive(), since())
    sleeper.join()
    print("join(): alive", sleeper.is_alive(), since())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(time.sleep, 0.4)
        try:
            future.result(timeout=0.1)
        except concurrent.futures.TimeoutError:
            print("result(timeout=0.1): TimeoutError", since())
        print("result():", future.result(), since())
    cond = threading.Condition()
    with cond:
        print("wait_for(false, 0.2):", cond.wait_for(lambda: False, timeout=0.2), since())


async def main():
    await asyncio.to_thread(timed_waits)
    print("done")


asyncio.run(main())
