# aiodemo: name executor-kinds
# aiodemo: title run_in_executor(None, ...) then a ProcessPoolExecutor: 1 s in a thread, 1 s in a process, 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q13
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 13 题：如何集成同步代码
# aiodemo: expect total 2s
# aiodemo: expect "同步结果 同步结果" at 2s
# aiodemo: expect blocked 15ms cpu
# aiodemo: notice main awaits the first call before it makes the second, so they run one
# aiodemo: notice after the other: 1 s in a thread of the default pool
# aiodemo: notice (run_in_executor(None, ...)), then 1 s in one of the worker processes
# aiodemo: notice of the ProcessPoolExecutor. The loop is free both times.
# aiodemo: notice print(result1, result2) prints both results separated by a space.
# aiodemo: notice Python starts the pool's processes (one per CPU) when the first job is
# aiodemo: notice submitted inside the "with" block, and leaving the block waits for
# aiodemo: notice them to exit. Both happen on the loop thread: forking the processes
# aiodemo: notice blocks the loop for some 10-30 ms on a 2-core machine (more with more
# aiodemo: notice CPUs), the only time it is blocked. A process is worth its cost for
# aiodemo: notice CPU-bound work (aiodemo run process-primes), not for a sleep.
# aiodemo: title.zh run_in_executor(None, ...) 然后 ProcessPoolExecutor：线程里 1 秒，进程里 1 秒，共 2 秒
# aiodemo: notice.zh main 等第一次调用完成后才发起第二次，所以两者一个接一个运行：先在默认线程池
# aiodemo: notice.zh 的一个线程里 1 秒（run_in_executor(None, ...)），再在 ProcessPoolExecutor 的
# aiodemo: notice.zh 一个工作进程里 1 秒。两次事件循环都是空闲的。
# aiodemo: notice.zh print(result1, result2) 打印两个结果，中间隔一个空格。
# aiodemo: notice.zh Python 在“with”块里提交第一个任务时启动进程池的进程（每个 CPU 一个），离开
# aiodemo: notice.zh 代码块时等它们退出。这两件事都发生在事件循环线程上：在双核机器上，创建进程
# aiodemo: notice.zh 会阻塞事件循环约 10-30 毫秒（CPU 越多越久），这是它唯一被阻塞的时候。进程
# aiodemo: notice.zh 适合 CPU 密集的工作（aiodemo run process-primes），不值得用来睡眠。
# aiodemo: say.en "同步结果 同步结果" = "sync result sync result"
# aiodemo: end

import asyncio
import time

def sync_function():
    time.sleep(1)  # 同步阻塞函数
    return "同步结果"

async def main():
    loop = asyncio.get_event_loop()
    
    # 提交到默认线程池（ThreadPoolExecutor）
    result1 = await loop.run_in_executor(None, sync_function)
    
    # 提交到自定义进程池（适合CPU密集型任务）
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor() as executor:
        result2 = await loop.run_in_executor(executor, sync_function)
    
    print(result1, result2)

asyncio.run(main())
