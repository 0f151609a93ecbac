"""A task that fails, one that is cancelled, one that finishes: three ends
the timeline marks apart."""
import asyncio


async def fails():
    await asyncio.sleep(0.5)
    raise ValueError("boom")


async def forever():
    await asyncio.sleep(100)


async def finishes():
    await asyncio.sleep(0.5)


async def main():
    failing = asyncio.create_task(fails())
    waiting = asyncio.create_task(forever())
    done = asyncio.create_task(finishes())
    await asyncio.sleep(1)
    waiting.cancel()
    print(await asyncio.gather(failing, waiting, done, return_exceptions=True))
    await asyncio.sleep(0.5)


asyncio.run(main())
