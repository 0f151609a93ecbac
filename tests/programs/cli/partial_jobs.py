import asyncio
import functools
import time


def wait(seconds, *, why):
    time.sleep(seconds)
    return why


async def main():
    loop = asyncio.get_running_loop()
    # A job is the function a partial wraps, with the partial's arguments
    # and the call's, however many partials (and to_thread's) wrap it.
    print(await loop.run_in_executor(None, functools.partial(time.sleep, 0.1)))
    inner = functools.partial(wait, why='nested')
    print(await loop.run_in_executor(None, functools.partial(inner, 0.1)))
    print(await asyncio.to_thread(functools.partial(wait, why='to_thread'), 0.1))


asyncio.run(main())
