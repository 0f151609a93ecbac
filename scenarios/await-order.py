# aiodemo: name await-order
# aiodemo: title Example 4, awaiting task2 first: task1 still ends at 1 s, both lines print at 2 s
# aiodemo: source 04-asyncio-tutorial.md, Example 4
# aiodemo: expect total 2s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Task 2 fully completed" at 2s
# aiodemo: expect "Task 1 fully completed" at 2s
# aiodemo: expect before "Done with 1" "Done with 2"
# aiodemo: expect before "Task 2 fully completed" "Task 1 fully completed"
# aiodemo: expect blocked 0s
# aiodemo: notice The snippet is only main(): this file adds Example 3's imports and
# aiodemo: notice fetch_data before it and asyncio.run(main()) after it. Both tasks run
# aiodemo: notice as soon as main yields, whatever it awaits: fetch 1 still finishes at
# aiodemo: notice 1 s, while main is waiting for task2. When task2 ends at 2 s, main
# aiodemo: notice prints "Task 2 fully completed", and "await task1" gives its result at
# aiodemo: notice once, without waiting, since task1 is done. Still 2 s in all.
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
    task1 = asyncio.create_task(fetch_data(1))  # 1秒任务
    task2 = asyncio.create_task(fetch_data(2))  # 2秒任务

    # 先等待较长的任务
    result2 = await task2  # 等待2秒任务完成
    print("Task 2 fully completed")
    result1 = await task1  # task1 已经完成了
    print("Task 1 fully completed")
    return [result1, result2]

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
