# aiodemo: name await-order
# aiodemo: title Example 4, awaiting task2 first: task1 still ends at 1 s, both lines print at 2 s
# aiodemo: source 04-asyncio-tutorial.md, Example 4
# aiodemo: source.zh 04-asyncio-tutorial.md，改变等待顺序（Example 4）
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
# aiodemo: title.zh 示例 4，先 await task2：task1 仍在 1 秒结束，两行都在 2 秒打印
# aiodemo: notice.zh 这段代码只有 main()：这个文件在它前面补上示例 3 的 import 和 fetch_data，后面
# aiodemo: notice.zh 补上 asyncio.run(main())。不管 main 在 await 什么，两个任务一旦 main 让出就开
# aiodemo: notice.zh 始运行：fetch 1 仍在 1 秒完成，而这时 main 正在等 task2。task2 在 2 秒结束时，
# aiodemo: notice.zh main 打印“Task 2 fully completed”，而“await task1”不用等待就立即给出结果，因为
# aiodemo: notice.zh task1 早已完成。总共仍是 2 秒。
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
