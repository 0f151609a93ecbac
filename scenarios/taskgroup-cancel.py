# aiodemo: name taskgroup-cancel
# aiodemo: title TaskGroup: fetch 2 fails at 2 s, the group cancels fetch 3 and raises an ExceptionGroup, 2 s in all
# aiodemo: source 04-asyncio-tutorial.md, asyncio.TaskGroup() (the behaviour the prose describes)
# aiodemo: source.zh 04-asyncio-tutorial.md，高级并发控制：asyncio.TaskGroup()（正文所描述的行为）
# aiodemo: expect total 2s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Cancelled 3" at 2s
# aiodemo: expect "Task group failed: unhandled errors in a TaskGroup (1 sub-exception)" at 2s
# aiodemo: expect before "Cancelled 3" "Task group failed: unhandled errors in a TaskGroup (1 sub-exception)"
# aiodemo: expect says "Task 1: Result of 1, task 3 cancelled: True"
# aiodemo: expect blocked 0s
# aiodemo: notice This program is aiodemo's, not the document's. The document says this
# aiodemo: notice in words only: use gather when an error in one task must not affect
# aiodemo: notice the others, and a TaskGroup when every task must succeed and one error
# aiodemo: notice should cancel the rest. It shows no program for it. The program here
# aiodemo: notice is the section's main with Example 3's fetch_data made to fail for
# aiodemo: notice param 2, three fetches, and handlers that show the cancellation and
# aiodemo: notice catch the ExceptionGroup.
# aiodemo: notice fetch 1 ends at 1 s. fetch 2 raises ValueError at 2 s, and the group
# aiodemo: notice cancels the tasks still running: fetch 3 gets CancelledError in its
# aiodemo: notice sleep, prints "Cancelled 3" and raises it again, as a cancelled task
# aiodemo: notice should. When every task is over, the "async with" raises an
# aiodemo: notice ExceptionGroup holding the ValueError, which main catches: the results
# aiodemo: notice line is never printed. The run takes 2 s, not 3 s: fetch 3 never
# aiodemo: notice finishes. fetch 1's result is still there. Compare: aiodemo run
# aiodemo: notice gather-exceptions.
# aiodemo: title.zh TaskGroup：fetch 2 在 2 秒失败，任务组取消 fetch 3 并抛出 ExceptionGroup，共 2 秒
# aiodemo: notice.zh 这个程序是 aiodemo 的，不是文档里的。文档只用文字说了这一点：一个任务出错不应
# aiodemo: notice.zh 影响其他任务时用 gather，每个任务都必须成功、一个出错就该取消其余任务时用
# aiodemo: notice.zh TaskGroup。它没有给出相应的程序。这里的程序是那一节的 main，配上示例 3 的
# aiodemo: notice.zh fetch_data（改成参数为 2 时失败），共三次获取，并加上显示取消和捕获
# aiodemo: notice.zh ExceptionGroup 的处理。
# aiodemo: notice.zh fetch 1 在 1 秒结束。fetch 2 在 2 秒抛出 ValueError，任务组取消仍在运行的任务：
# aiodemo: notice.zh fetch 3 在睡眠中收到 CancelledError，打印“Cancelled 3”并重新抛出，被取消的任务
# aiodemo: notice.zh 就该这样做。所有任务都结束后，“async with”抛出包含这个 ValueError 的
# aiodemo: notice.zh ExceptionGroup，由 main 捕获：结果那一行从未打印。运行用了 2 秒而不是 3 秒：
# aiodemo: notice.zh fetch 3 从未完成。fetch 1 的结果仍然在。对比：aiodemo run gather-exceptions。
# aiodemo: end

# Not in the document: its TaskGroup section says in words that one failing
# task cancels all the others. This is that section's program with fetch_data
# (Example 3) made to fail for param 2, three of them, and handlers that show
# the cancellation and catch the ExceptionGroup.
import asyncio

async def fetch_data(param):
    try:
        print(f"Do something with {param}...")
        await asyncio.sleep(param)
        if param == 2:
            raise ValueError(f"Failed with {param}")
        print(f"Done with {param}")
        return f"Result of {param}"
    except asyncio.CancelledError:
        print(f"Cancelled {param}")
        raise

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            results = [tg.create_task(fetch_data(i)) for i in range(1, 4)]
        print(f"Task Group Results: {[result.result() for result in results]}")
    except ExceptionGroup as eg:
        print(f"Task group failed: {eg}")
        print(f"Task 1: {results[0].result()}, task 3 cancelled: {results[2].cancelled()}")

asyncio.run(main())
