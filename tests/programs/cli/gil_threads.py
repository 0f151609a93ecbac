"""Two threads that count in pure Python at once: they take turns with the
GIL, each waiting for it about half of its job."""
import asyncio
from concurrent.futures import ThreadPoolExecutor


def count(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


async def main():
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as pool:
        print(await asyncio.gather(*(loop.run_in_executor(pool, count, 3_000_000) for _ in range(2))))


asyncio.run(main())
