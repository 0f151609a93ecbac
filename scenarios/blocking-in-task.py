# aiodemo: name blocking-in-task
# aiodemo: title Example 5, time.sleep in create_task tasks: one after the other, 3 s, the loop blocked 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 5
# aiodemo: expect total 3s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Do something with 2..." at 1s
# aiodemo: expect "Done with 2" at 3s
# aiodemo: expect "Task 1 fully completed" at 3s
# aiodemo: expect before "Done with 2" "Task 1 fully completed"
# aiodemo: expect blocked 3s
# aiodemo: notice The snippet is only fetch_data, with time.sleep; this file runs it
# aiodemo: notice with Example 3's main and asyncio.run(main()), as the comment ("even
# aiodemo: notice with create_task, it still blocks") means. Task 1 runs first and
# aiodemo: notice blocks the loop thread for 1 s; task 2 can only start then, and blocks
# aiodemo: notice it for 2 s more. main waits behind both: even "Task 1 fully completed"
# aiodemo: notice comes at 3 s, after task 2 has ended, since the loop could not run
# aiodemo: notice main in between. 3 s, as in Example 1. The fix: aiodemo run
# aiodemo: notice create-task (asyncio.sleep), or aiodemo run to-thread-tasks
# aiodemo: notice (time.sleep in threads).
# aiodemo: end

import asyncio
import time

async def fetch_data(param):
    print(f"Do something with {param}...")
    time.sleep(param)  # ❌ 错误：在异步函数中使用阻塞操作
    print(f"Done with {param}")
    return f"Result of {param}"

# 即使使用了 create_task，仍然会阻塞

# (added by aiodemo: Example 3's main, which the comment above means)
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

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
