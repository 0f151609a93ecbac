"""A trivial asyncio program: the time to start and finish it is the
interpreter's (or aiodemo's) own."""
import asyncio


async def main():
    pass


asyncio.run(main())
