"""CPython's own warnings about lost work, each while the loop runs:
a coroutine created and never awaited ("coroutine ... was never awaited",
from the warnings module), and a task whose exception nobody retrieves
("Task exception was never retrieved", from asyncio's logger when the task
is destroyed)."""
import asyncio
import gc


async def work():
    print("work runs")


async def fail():
    await asyncio.sleep(0.1)
    raise ValueError("nobody looks")


async def main():
    work()  # a coroutine object, dropped at once
    gc.collect()
    print("dropped a coroutine")
    t = asyncio.create_task(fail())
    await asyncio.sleep(0.2)
    del t
    gc.collect()
    print("dropped a failed task")


asyncio.run(main())
