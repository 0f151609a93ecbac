"""sys.exit(3) after a short wait: python3 exits 3, without a traceback."""
import asyncio
import sys


async def main():
    await asyncio.sleep(0.1)
    print("leaving with status 3")
    sys.exit(3)


asyncio.run(main())
