"""Waits a long time on the loop, in a task and in a worker thread: for
stopping a run in the middle (Ctrl-C, SIGTERM)."""
import asyncio
import time


async def main():
    print("waiting")
    await asyncio.gather(asyncio.sleep(60), asyncio.to_thread(time.sleep, 0.5))
    print("never printed")


asyncio.run(main())
