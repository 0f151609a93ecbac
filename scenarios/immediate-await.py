# aiodemo: name immediate-await
# aiodemo: title Example 2, awaiting each coroutine object at once: still one after the other, 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 2
# aiodemo: source.zh 04-asyncio-tutorial.md，异步版本但立即 await（Example 2）
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
# aiodemo: title.zh 示例 2，立即 await 每个协程对象：仍是一个接一个，共 3 秒
# aiodemo: notice.zh fetch_data(1) 和 fetch_data(2) 只创建协程对象，还什么都没有运行。“await task1”
# aiodemo: notice.zh 在 main 里面运行第一个（没有创建任务），第二个要等第一个结束才开始：共 3 秒，与
# aiodemo: notice.zh 示例 1 一样，尽管事件循环一直是空闲的。这段代码省略了 asyncio.run(main())，这个
# aiodemo: notice.zh 文件补上了。asyncio.run() 返回 main 返回的列表，程序没有打印它。下一步：
# aiodemo: notice.zh aiodemo run create-task。
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
