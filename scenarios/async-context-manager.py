# aiodemo: name async-context-manager
# aiodemo: title Q7, async with AsyncDatabase(): __aenter__, a 0.1 s query, then __aexit__
# aiodemo: source 03-asyncio-interview-questions.md, Q7 (async context manager)
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 7 题（异步上下文管理器）
# aiodemo: expect total 100ms
# aiodemo: expect "连接数据库" at 0s
# aiodemo: expect "查询结果" at 100ms
# aiodemo: expect "关闭数据库连接" at 100ms
# aiodemo: expect before "查询结果" "关闭数据库连接"
# aiodemo: expect blocked 0s
# aiodemo: notice "async with" awaits __aenter__ (it prints "连接数据库" and returns the
# aiodemo: notice object, bound to db), runs the block, and awaits __aexit__ when the
# aiodemo: notice block is left, here after the 0.1 s query has printed its result. Both
# aiodemo: notice methods are coroutines, so they could await real connection work; here
# aiodemo: notice only the query waits, with asyncio.sleep, and the loop stays free. The
# aiodemo: notice program is the document's, as it prints it.
# aiodemo: title.zh Q7，async with AsyncDatabase()：__aenter__、0.1 秒的查询，然后 __aexit__
# aiodemo: notice.zh “async with”先 await __aenter__（它打印“连接数据库”并返回对象，绑定到 db），
# aiodemo: notice.zh 然后运行代码块，离开代码块时再 await __aexit__，这里是在 0.1 秒的查询打印出
# aiodemo: notice.zh 结果之后。两个方法都是协程，所以可以 await 真正的连接工作；这里只有查询在
# aiodemo: notice.zh 等待，用的是 asyncio.sleep，事件循环保持空闲。程序就是文档里的，输出也照原样。
# aiodemo: say.en "连接数据库" = "connecting to the database"
# aiodemo: say.en "查询结果" = "the query's result"
# aiodemo: say.en "关闭数据库连接" = "closing the database connection"
# aiodemo: end

import asyncio

class AsyncDatabase:
    async def __aenter__(self):
        print("连接数据库")
        return self
        
    async def __aexit__(self, exc_type, exc_val, exc_tb):
        print("关闭数据库连接")
        
    async def query(self):
        await asyncio.sleep(0.1)
        return "查询结果"

async def main():
    async with AsyncDatabase() as db:
        result = await db.query()
        print(result)

asyncio.run(main())
