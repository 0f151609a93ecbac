# aiodemo: name create-task
# aiodemo: title Example 3, create_task schedules both fetches at once: 2 s, not 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 3
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
