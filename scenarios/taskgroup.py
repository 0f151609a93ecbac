# aiodemo: name taskgroup
# aiodemo: title TaskGroup with two fetches: the block ends when both are done, 2 s, results in order
# aiodemo: source 04-asyncio-tutorial.md, asyncio.TaskGroup()
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
