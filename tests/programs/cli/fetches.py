# aiodemo: name fetches
# aiodemo: title create_task runs two fetches at once: 2 s, not 3 s
# aiodemo: source aiodemo's tests (tests/programs/cli)
# aiodemo: param second = 2 at "fetch(2)"
# aiodemo: expect total 2s
# aiodemo: expect "done 1" at 1s
# aiodemo: expect "done 2" at 2s
# aiodemo: expect before "done 1" "done 2"
# aiodemo: expect says "results ['r1', 'r2']"
# aiodemo: expect blocked 0s
# aiodemo: notice Both fetches start at 0 s; the first ends at 1 s, the second at 2 s.
# aiodemo: notice Try --param second=3: the run takes 3 s.
# aiodemo: end
"""Two fetches in tasks of their own: they overlap, so the run takes as long
as the longer one. A program file with aiodemo's header: expectations, a
parameter and what to notice (tests/e2e.py runs it by path)."""
import asyncio


async def fetch(n):
    print(f"start {n}")
    await asyncio.sleep(n)
    print(f"done {n}")
    return f"r{n}"


async def main():
    t1 = asyncio.create_task(fetch(1))
    t2 = asyncio.create_task(fetch(2))
    print("results", [await t1, await t2])


asyncio.run(main())
