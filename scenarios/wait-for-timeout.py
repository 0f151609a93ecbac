# aiodemo: name wait-for-timeout
# aiodemo: title wait_for(slow_operation(), timeout=1): TimeoutError at 1 s, the 2 s operation is cancelled
# aiodemo: source 03-asyncio-interview-questions.md, Q11
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 11 题：如何处理超时
# aiodemo: expect total 1s
# aiodemo: expect "操作超时" at 1s
# aiodemo: notice wait_for runs slow_operation() as a task and waits at most 1 s. At 1 s
# aiodemo: notice the task is still sleeping: wait_for cancels it, waits until it is
# aiodemo: notice really cancelled, and raises TimeoutError, which the except clause
# aiodemo: notice catches. "完成" is never printed, and the run takes 1 s, not 2 s. Since
# aiodemo: notice Python 3.11, asyncio.TimeoutError is the built-in TimeoutError, so the
# aiodemo: notice document's except clause catches it.
# aiodemo: title.zh wait_for(slow_operation(), timeout=1)：1 秒时 TimeoutError，2 秒的操作被取消
# aiodemo: notice.zh wait_for 把 slow_operation() 作为任务运行，最多等 1 秒。到 1 秒时任务还在睡眠：
# aiodemo: notice.zh wait_for 取消它，等它真正取消后抛出 TimeoutError，由 except 子句捕获。“完成”
# aiodemo: notice.zh 从未打印，运行只用 1 秒而不是 2 秒。从 Python 3.11 起，asyncio.TimeoutError
# aiodemo: notice.zh 就是内置的 TimeoutError，所以文档的 except 子句能捕获它。
# aiodemo: say.en "操作超时" = "the operation timed out"
# aiodemo: say.en "完成" = "done"
# aiodemo: end

import asyncio

async def slow_operation():
    await asyncio.sleep(2)  # 模拟耗时操作
    return "完成"

async def main():
    try:
        # 设置1秒超时
        result = await asyncio.wait_for(slow_operation(), timeout=1)
        print(result)
    except asyncio.TimeoutError:
        print("操作超时")

asyncio.run(main())  # 输出 "操作超时"
