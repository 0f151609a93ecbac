# aiodemo: name wrong-expectations
# aiodemo: title a program whose header expects what it does not do
# aiodemo: expect total 1s
# aiodemo: expect "two" at 1s
# aiodemo: expect before "two" "one"
# aiodemo: expect says "three"
# aiodemo: expect "one" at 1s
# aiodemo: end
"""It prints "one" at 1 s and "two" at 3 s: only the last expectation (and
the implicit "the run ends ok") hold, the first four do not."""
import asyncio


async def main():
    await asyncio.sleep(1)
    print("one")
    await asyncio.sleep(2)
    print("two")


asyncio.run(main())
