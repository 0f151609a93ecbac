# aiodemo: name create-task
# aiodemo: title Example 3, create_task schedules both fetches at once: 2 s, not 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 3
# aiodemo: source.zh 04-asyncio-tutorial.md，正确的异步方式（Example 3）
# aiodemo: expect total 2s
# aiodemo: expect "Do something with 2..." at 0s
# aiodemo: expect "Task 1 fully completed" at 1s
# aiodemo: expect "Task 2 fully completed" at 2s
# aiodemo: expect before "Do something with 2..." "Done with 1"
# aiodemo: expect blocked 0s
# aiodemo: notice asyncio.create_task puts both coroutines in the loop's queue; they
# aiodemo: notice start when main first yields, at "await task1". Both sleeps then run
# aiodemo: notice at the same time: fetch 1 ends at 1 s, fetch 2 at 2 s, 2 s in all. The
# aiodemo: notice snippet leaves out asyncio.run(main()); this file adds it.
# aiodemo: notice asyncio.run() gives back main's returned list, and the program does
# aiodemo: notice not print it. Next step: aiodemo run await-order.
# aiodemo: title.zh 示例 3，create_task 同时安排两次获取：2 秒，而不是 3 秒
# aiodemo: notice.zh asyncio.create_task 把两个协程放进事件循环的队列；它们在 main 第一次让出时，也
# aiodemo: notice.zh 就是“await task1”时开始。两次睡眠于是同时进行：fetch 1 在 1 秒结束，fetch 2 在
# aiodemo: notice.zh 2 秒结束，共 2 秒。这段代码省略了 asyncio.run(main())，这个文件补上了。
# aiodemo: notice.zh asyncio.run() 返回 main 返回的列表，程序没有打印它。下一步：aiodemo run
# aiodemo: notice.zh await-order。
# aiodemo: end

import asyncio
import time

async def fetch_data(param):
    print(f"Do something with {param}...")
    await asyncio.sleep(param)
    print(f"Done with {param}")
    return f"Result of {param}"

async def main():
    # 使用 create_task 将协程调度到事件循环
    task1 = asyncio.create_task(fetch_data(1))
    task2 = asyncio.create_task(fetch_data(2))

    # 等待任务完成
    result1 = await task1
    print("Task 1 fully completed")
    result2 = await task2
    print("Task 2 fully completed")
    return [result1, result2]

# 总执行时间：2秒（并发执行）

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
