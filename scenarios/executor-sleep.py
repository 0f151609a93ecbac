# aiodemo: name executor-sleep
# aiodemo: title loop.run_in_executor(None, time.sleep, 2): the default thread pool, as to_thread uses
# aiodemo: source 01-offload-blocking-code.md, Level 2, feature 1
# aiodemo: expect total 2s
# aiodemo: expect "✅ 阻塞任务结束" at 2s
# aiodemo: expect blocked 0s
# aiodemo: notice main awaits blocked_task() directly: no new task is created, the
# aiodemo: notice coroutine runs inside main. loop.run_in_executor(None, time.sleep, 2)
# aiodemo: notice runs the sleep in a thread of the default pool, the same pool
# aiodemo: notice asyncio.to_thread uses; its size is min(32, CPUs + 4). While the
# aiodemo: notice thread sleeps, the loop is idle but free: its lag stays near zero.
# aiodemo: end

import asyncio
import time

async def blocked_task():
    print("✅ 阻塞任务开始")
    # 获取当前事件循环
    loop = asyncio.get_running_loop()
    # 第一个参数为None → 使用默认线程池
    await loop.run_in_executor(None, time.sleep, 2)  
    print("✅ 阻塞任务结束")

async def main():
    await blocked_task()

asyncio.run(main())
