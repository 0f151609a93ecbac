# aiodemo: name taskgroup
# aiodemo: title TaskGroup with two fetches: the block ends when both are done, 2 s, results in order
# aiodemo: source 04-asyncio-tutorial.md, asyncio.TaskGroup()
# aiodemo: source.zh 04-asyncio-tutorial.md，高级并发控制：asyncio.TaskGroup()
# aiodemo: expect total 2s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Task Group Results: ['Result of 1', 'Result of 2']" at 2s
# aiodemo: expect before "Done with 2" "Task Group Results: ['Result of 1', 'Result of 2']"
# aiodemo: expect blocked 0s
# aiodemo: notice The snippet is only main(): this file adds Example 3's imports and
# aiodemo: notice fetch_data before it and asyncio.run(main()) after it. tg.create_task
# aiodemo: notice schedules both fetches; leaving the "async with" block waits for every
# aiodemo: notice task of the group, so nothing needs an explicit await. At 2 s both are
# aiodemo: notice done and result() gives each task's result at once. When a task fails,
# aiodemo: notice the group cancels the others: aiodemo run taskgroup-cancel.
# aiodemo: title.zh 有两次获取的 TaskGroup：两者都完成时代码块才结束，2 秒，结果按顺序
# aiodemo: notice.zh 这段代码只有 main()：这个文件在它前面补上示例 3 的 import 和 fetch_data，后面
# aiodemo: notice.zh 补上 asyncio.run(main())。tg.create_task 安排两次获取；离开“async with”代码块
# aiodemo: notice.zh 时会等待组里的每个任务，所以不需要显式的 await。到 2 秒两者都已完成，result()
# aiodemo: notice.zh 立即给出每个任务的结果。有任务失败时，任务组会取消其他任务：aiodemo run
# aiodemo: notice.zh taskgroup-cancel。
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
    # TaskGroup 确保所有任务必须成功
    async with asyncio.TaskGroup() as tg:
        results = [tg.create_task(fetch_data(i)) for i in range(1, 3)]
        # 所有任务在上下文管理器退出时自动等待

    print(f"Task Group Results: {[result.result() for result in results]}")

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
