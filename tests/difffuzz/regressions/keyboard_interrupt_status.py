"""A program that raises KeyboardInterrupt itself: aiodemo ends by SIGINT, as python3 does.

Since 3.8, python3 ends an unhandled KeyboardInterrupt by killing itself
with SIGINT, so that its parent sees it interrupted (WIFSIGNALED, WTERMSIG
SIGINT: subprocess's returncode -2). aiodemo printed the same lines and the
same traceback but once exited normally with status 130: the same number
in a shell's $?, another status to any parent that waits for it. It now
ends by SIGINT too, once its output is complete.

    python3 tests/difffuzz/run.py AIODEMO --programs keyboard_interrupt_status.py
"""
import asyncio


async def interrupter():
    await asyncio.sleep(0.05)
    print("interrupter: raises KeyboardInterrupt")
    raise KeyboardInterrupt


async def main():
    print("main: starts")
    try:
        await asyncio.create_task(interrupter())
    finally:
        print("main: finally")


asyncio.run(main())
