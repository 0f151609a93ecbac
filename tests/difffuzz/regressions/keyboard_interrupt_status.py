"""A program that raises KeyboardInterrupt itself: python3 dies of SIGINT, aiodemo exits 130.

Since 3.8, python3 ends an unhandled KeyboardInterrupt by killing itself
with SIGINT, so that its parent sees it interrupted (WIFSIGNALED, WTERMSIG
SIGINT: subprocess's returncode -2). aiodemo prints the same lines and the
same traceback but exits normally with status 130 (returncode 130): the
same number in a shell's $?, another status to any parent that waits for it
(expected: aiodemo ends by SIGINT too, after its output).

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
