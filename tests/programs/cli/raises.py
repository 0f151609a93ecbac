"""An error nobody handles: main raises ZeroDivisionError at 0.5 s; python3
prints the traceback and exits 1."""
import asyncio


async def main():
    print("dividing soon")
    await asyncio.sleep(0.5)
    return 1 / 0


asyncio.run(main())
