# aiodemo: name gather-results
# aiodemo: title gather(*coroutines) then gather(*tasks), return_exceptions=True: 2 s each, results in order
# aiodemo: source 04-asyncio-tutorial.md, asyncio.gather()
# aiodemo: source.zh 04-asyncio-tutorial.md，高级并发控制：asyncio.gather()
# aiodemo: expect total 4s
# aiodemo: expect "Coroutine Results: ['Result of 1', 'Result of 2']" at 2s
# aiodemo: expect "Task Results: ['Result of 1', 'Result of 2']" at 4s
# aiodemo: expect blocked 0s
# aiodemo: notice The snippet is only main(): this file adds Example 3's imports and
# aiodemo: notice fetch_data before it and asyncio.run(main()) after it. gather turns
# aiodemo: notice each coroutine object into a task, runs them at the same time and
# aiodemo: notice gives their results in the order of its arguments: fetch 1 ends at 1
# aiodemo: notice s, fetch 2 at 2 s, and the list prints at 2 s. The second gather is
# aiodemo: notice given tasks made with create_task, and takes them as they are: the
# aiodemo: notice same 2 s, so 4 s in all. Nothing fails here, so return_exceptions=True
# aiodemo: notice changes nothing; see aiodemo run gather-exceptions for a task that
# aiodemo: notice fails.
# aiodemo: title.zh 先 gather(*协程) 再 gather(*任务)，return_exceptions=True：各 2 秒，结果按顺序
# aiodemo: notice.zh 这段代码只有 main()：这个文件在它前面补上示例 3 的 import 和 fetch_data，后面
# aiodemo: notice.zh 补上 asyncio.run(main())。gather 把每个协程对象变成任务，让它们同时运行，并按
# aiodemo: notice.zh 参数的顺序给出结果：fetch 1 在 1 秒结束，fetch 2 在 2 秒结束，列表在 2 秒打印。
# aiodemo: notice.zh 第二个 gather 拿到的是用 create_task 创建的任务，照原样接收：同样 2 秒，所以共
# aiodemo: notice.zh 4 秒。这里没有任何失败，所以 return_exceptions=True 不起作用；有任务失败的情形
# aiodemo: notice.zh 见 aiodemo run gather-exceptions。
# aiodemo: end

# (added by aiodemo: Example 3's imports and fetch_data; the document's snippet is only main())
import asyncio
import time

async def fetch_data(param):
    print(f"Do something with {param}...")
    await asyncio.sleep(param)
    print(f"Done with {param}")
    return f"Result of {param}"

async def main():
    # 创建多个协程
    coroutines = [fetch_data(i) for i in range(1, 3)]

    # gather 可以自动将协程对象转换为任务对象
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    print(f"Coroutine Results: {results}")

    # 也可以用于任务
    tasks = [asyncio.create_task(fetch_data(i)) for i in range(1, 3)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    print(f"Task Results: {results}")

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
