# A timeout of NaN and of infinity, and a memory bomb: what CPython does
# with them, the loop does too (the C runtime of earlier versions stopped
# every timer on a NaN timeout).
import asyncio
import math


async def quick():
    await asyncio.sleep(0.05)
    return "quick done"


async def main():
    for timeout in (math.inf, math.nan):
        try:
            print(timeout, "->", await asyncio.wait_for(quick(), timeout=timeout))
        except Exception as e:
            print(timeout, "->", type(e).__name__, e)
    # Timers still fire after a NaN deadline was scheduled.
    loop = asyncio.get_running_loop()
    fired = loop.create_future()
    loop.call_later(math.nan, lambda: None)
    loop.call_later(0.05, fired.set_result, "timer after NaN fired")
    print(await fired)
    try:
        big = "x" * (1 << 62)
        print(len(big))
    except MemoryError as e:
        print("MemoryError", e)
    try:
        print(len(range(10 ** 30)))
    except OverflowError as e:
        print("OverflowError:", e)
    print("range(10**30)[-1] % 7 =", range(10 ** 30)[-1] % 7)


asyncio.run(main())
