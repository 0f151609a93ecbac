# aiodemo: name sweep-target
# aiodemo: title Two tasks sleep n x m tenths of a second at once; at n = at, something goes wrong
# aiodemo: source aiodemo's tests (tests/programs/cli)
# aiodemo: param n = 1 at "N = 1"
# aiodemo: param m = 1 at "M = 1"
# aiodemo: param at = 0 at "AT = 0"
# aiodemo: param fate = 1 at "FATE = 1"
# aiodemo: end
"""For `aiodemo sweep` (tests/e2e.py): two tasks sleep N * M / 10 s at
once, so a run takes as long as one of them. When N is AT, the run goes
wrong as FATE says: 1 raises ZeroDivisionError, 2 waits forever on the
loop, 3 blocks the loop forever in time.sleep (SIGTERM cannot stop it:
SIGKILL must), 4 dies of SIGSEGV, 5 calls sys.exit(3)."""
import asyncio
import os
import signal
import sys
import time

N = 1
M = 1
AT = 0
FATE = 1


async def nap():
    await asyncio.sleep(N * M / 10)


async def main():
    await asyncio.gather(nap(), nap())
    if N != AT:
        return
    print(f"n = {N}: fate {FATE}", flush=True)
    if FATE == 1:
        print(1 / 0)
    elif FATE == 2:
        await asyncio.sleep(3600)
    elif FATE == 3:
        time.sleep(3600)
    elif FATE == 4:
        os.kill(os.getpid(), signal.SIGSEGV)
    elif FATE == 5:
        sys.exit(3)


asyncio.run(main())
