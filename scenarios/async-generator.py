# aiodemo: name async-generator
# aiodemo: title Q7, async for over an async generator: 0, 1 and 2, one every 0.1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q7 (async iterator)
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 7 题（异步迭代器）
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
# aiodemo: title.zh Q7，用 async for 遍历异步生成器：0、1 和 2，每 0.1 秒一个
# aiodemo: notice.zh 这段代码省略了 import asyncio，这个文件补上了。回答说的是带 __aiter__() 和
# aiodemo: notice.zh __anext__() 的异步迭代器；程序用的是异步生成器，即带 yield 的 async def，
# aiodemo: notice.zh Python 会为它提供这两个方法。“async for”的每一步都 await 生成器的下一个值：
# aiodemo: notice.zh 它睡 0.1 秒（期间事件循环空闲）再 yield，所以 0、1 和 2 分别在 0.1、0.2 和
# aiodemo: notice.zh 0.3 秒打印。
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
