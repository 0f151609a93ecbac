# aiodemo: name executor-kinds
# aiodemo: title run_in_executor(None, ...) then a ProcessPoolExecutor: 1 s in a thread, 1 s in a process, 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q13
# aiodemo: expect total 2s
# aiodemo: expect "同步结果 同步结果" at 2s
# aiodemo: expect blocked 15ms
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
