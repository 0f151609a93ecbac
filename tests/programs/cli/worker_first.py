"""A worker prints, then wakes the loop, which prints at once: each
worker's line comes before the loop's, in the output as in time. The
worker processes' lines reach aiodemo through a pipe, after the fact."""
import asyncio
import os
import threading
from concurrent.futures import ProcessPoolExecutor


def in_thread(loop, fut, i):
    print(f"thread {i}", flush=True)
    loop.call_soon_threadsafe(fut.set_result, None)


def in_process(i, fd):
    print(f"process {i}", flush=True)
    os.write(fd, b"x")


async def main():
    loop = asyncio.get_running_loop()
    for i in range(20):
        fut = loop.create_future()
        threading.Thread(target=in_thread, args=(loop, fut, i)).start()
        await fut
        print(f"loop after thread {i}")
    r, w = os.pipe()
    woke = asyncio.Event()
    loop.add_reader(r, lambda: (os.read(r, 1), woke.set()))
    with ProcessPoolExecutor(max_workers=1) as pool:
        for i in range(20):
            woke.clear()
            job = loop.run_in_executor(pool, in_process, i, w)
            await woke.wait()
            print(f"loop after process {i}")
            await job
    loop.remove_reader(r)


asyncio.run(main())
