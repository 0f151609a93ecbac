# aiodemo: name async-generator
# aiodemo: title Q7, async for over an async generator: 0, 1 and 2, one every 0.1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q7 (async iterator)
# aiodemo: expect total 300ms
# aiodemo: expect "0" at 100ms
# aiodemo: expect "1" at 200ms
# aiodemo: expect "2" at 300ms
# aiodemo: expect blocked 0s
# aiodemo: notice The snippet leaves out import asyncio; this file adds it. The answer
# aiodemo: notice speaks of an async iterator with __aiter__() and __anext__(); the
# aiodemo: notice program uses an async generator, an async def with yield, which Python
# aiodemo: notice gives both methods. Each step of "async for" awaits the generator's
# aiodemo: notice next value: it sleeps 0.1 s (the loop free meanwhile) and yields, so
# aiodemo: notice 0, 1 and 2 are printed at 0.1, 0.2 and 0.3 s.
# aiodemo: end

# (added by aiodemo: the document's snippet leaves out the import)
import asyncio

async def async_generator():
    for i in range(3):
        await asyncio.sleep(0.1)
        yield i

async def main():
    async for item in async_generator():
        print(item)

asyncio.run(main())
