# aiodemo: name executor-sleep
# aiodemo: title loop.run_in_executor(None, time.sleep, 2): the default thread pool, as to_thread uses
# aiodemo: source 01-offload-blocking-code.md, Level 2, feature 1
# aiodemo: source.zh 01-offload-blocking-code.md，Level 2：核心特性，特性1：兼容旧版本的 run_in_executor
# aiodemo: expect total 2s
# aiodemo: expect "✅ 阻塞任务结束" at 2s
# aiodemo: expect blocked 0s
# aiodemo: notice main awaits blocked_task() directly: no new task is created, the
# aiodemo: notice coroutine runs inside main. loop.run_in_executor(None, time.sleep, 2)
# aiodemo: notice runs the sleep in a thread of the default pool, the same pool
# aiodemo: notice asyncio.to_thread uses; its size is min(32, CPUs + 4). While the
# aiodemo: notice thread sleeps, the loop is idle but free: its lag stays near zero.
# aiodemo: title.zh loop.run_in_executor(None, time.sleep, 2)：默认线程池，也就是 to_thread 用的那个
# aiodemo: notice.zh main 直接 await blocked_task()：没有创建新任务，协程就在 main 里面运行。
# aiodemo: notice.zh loop.run_in_executor(None, time.sleep, 2) 在默认线程池的一个线程里运行
# aiodemo: notice.zh 睡眠，asyncio.to_thread 用的也是这个线程池，大小为 min(32, CPU 数 + 4)。
# aiodemo: notice.zh 线程睡眠时，事件循环闲着，但没有被占住：它的延迟一直接近于零。
# aiodemo: say.en "✅ 阻塞任务开始" = "✅ the blocking task starts"
# aiodemo: say.en "✅ 阻塞任务结束" = "✅ the blocking task ends"
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
