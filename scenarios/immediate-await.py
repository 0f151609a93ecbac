# aiodemo: name immediate-await
# aiodemo: title Example 2, awaiting each coroutine object at once: still one after the other, 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 2
# aiodemo: expect total 3s
# aiodemo: expect "Task 1 fully completed" at 1s
# aiodemo: expect "Do something with 2..." at 1s
# aiodemo: expect "Task 2 fully completed" at 3s
# aiodemo: expect before "Task 1 fully completed" "Do something with 2..."
# aiodemo: expect blocked 0s
# aiodemo: notice fetch_data(1) and fetch_data(2) only make coroutine objects; nothing
# aiodemo: notice runs yet. "await task1" runs the first one inside main (no task is
# aiodemo: notice made), and the second one does not start until the first is over: 3 s,
# aiodemo: notice as in Example 1, though the loop is free the whole time. The snippet
# aiodemo: notice leaves out asyncio.run(main()); this file adds it. asyncio.run() gives
# aiodemo: notice back main's returned list, and the program does not print it. Next
# aiodemo: notice step: aiodemo run create-task.
# aiodemo: end

import asyncio
import time

async def fetch_data(param):
    print(f"Do something with {param}...")
    await asyncio.sleep(param)  # 非阻塞等待
    print(f"Done with {param}")
    return f"Result of {param}"

async def main():
    task1 = fetch_data(1)      # 创建协程对象
    task2 = fetch_data(2)      # 创建协程对象

    result1 = await task1      # 立即等待，没有并发
    print("Task 1 fully completed")
    result2 = await task2      # 立即等待，没有并发
    print("Task 2 fully completed")
    return [result1, result2]

# 总执行时间：仍然是3秒

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
