# aiodemo: name wait-for-timeout
# aiodemo: title wait_for(slow_operation(), timeout=1): TimeoutError at 1 s, the 2 s operation is cancelled
# aiodemo: source 03-asyncio-interview-questions.md, Q11
# aiodemo: expect total 1s
# aiodemo: expect "操作超时" at 1s
# aiodemo: notice wait_for runs slow_operation() as a task and waits at most 1 s. At 1 s
# aiodemo: notice the task is still sleeping: wait_for cancels it, waits until it is
# aiodemo: notice really cancelled, and raises TimeoutError, which the except clause
# aiodemo: notice catches. "完成" is never printed, and the run takes 1 s, not 2 s. Since
# aiodemo: notice Python 3.11, asyncio.TimeoutError is the built-in TimeoutError, so the
# aiodemo: notice document's except clause catches it.
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
