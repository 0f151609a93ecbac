# aiodemo: name async-context-manager
# aiodemo: title Q7, async with AsyncDatabase(): __aenter__, a 0.1 s query, then __aexit__
# aiodemo: source 03-asyncio-interview-questions.md, Q7 (async context manager)
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
