# aiodemo: name blocking-in-task
# aiodemo: title Example 5, time.sleep in create_task tasks: one after the other, 3 s, the loop blocked 3 s
# aiodemo: source 04-asyncio-tutorial.md, Example 5
# aiodemo: source.zh 04-asyncio-tutorial.md，错误示例（Example 5）
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
# aiodemo: title.zh 示例 5，create_task 的任务里用 time.sleep：一个接一个，共 3 秒，事件循环被阻塞 3 秒
# aiodemo: notice.zh 这段代码只有用了 time.sleep 的 fetch_data；这个文件用示例 3 的 main 和
# aiodemo: notice.zh asyncio.run(main()) 运行它，正如注释“即使使用了 create_task，仍然会阻塞”的意思。
# aiodemo: notice.zh 任务 1 先运行，阻塞事件循环线程 1 秒；任务 2 这时才能开始，又阻塞它 2 秒。main
# aiodemo: notice.zh 排在两者之后：连“Task 1 fully completed”也在 3 秒、任务 2 结束之后才出现，因为
# aiodemo: notice.zh 其间事件循环无法运行 main。共 3 秒，与示例 1 一样。修复办法：aiodemo run
# aiodemo: notice.zh create-task（asyncio.sleep），或 aiodemo run to-thread-tasks（在线程里
# aiodemo: notice.zh time.sleep）。
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
