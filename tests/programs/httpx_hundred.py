# aiodemo: url base = http://httpbin.test
# aiodemo: end
"""100 httpx requests of 1 s each at once, on the loop's one thread: far
less than the 100 s one after the other would take (httpx's own CPU work,
some milliseconds a request, which no --scale shortens, makes it more than
1 s); then a timeout, in program time, as httpx raises it."""
import asyncio
import threading
import time

import httpx

threads = set()


async def fetch(client, i):
    threads.add(threading.get_ident())
    r = await client.get(f"http://httpbin.test/delay/1?i={i}")
    threads.add(threading.get_ident())
    return r.json()["args"]["i"]


async def main():
    start = time.monotonic()
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
        got = await asyncio.gather(*(fetch(client, i) for i in range(100)))
        print(f"{len(got)} answers, in order: {got == [str(i) for i in range(100)]}")
        print(f"threads used: {len(threads)}")
        print(f"at once, not one after the other: {1 <= time.monotonic() - start < 20}")
        try:
            await client.get("http://httpbin.test/delay/3", timeout=1)
        except httpx.TimeoutException as e:
            print("timeout:", type(e).__name__)


asyncio.run(main())
