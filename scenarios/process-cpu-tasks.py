# aiodemo: name process-cpu-tasks
# aiodemo: title cpu_intensive_task(10000) and (15000) in a ProcessPoolExecutor: 1229 and 1754 primes
# aiodemo: source 04-asyncio-tutorial.md, thread and process pools (processes)
# aiodemo: source.zh 04-asyncio-tutorial.md，线程和进程池：何时使用多进程
# aiodemo: expect total 20ms cpu
# aiodemo: expect "Process 1 completed: 1229 primes" at 20ms cpu
# aiodemo: expect "Process 2 completed: 1754 primes" at 20ms cpu
# aiodemo: expect before "Process 1 completed: 1229 primes" "Process 2 completed: 1754 primes"
# aiodemo: expect blocked 5ms cpu
# aiodemo: notice Both jobs go to the ProcessPoolExecutor's worker processes at once,
# aiodemo: notice and the loop stays free while they count. cpu_intensive_task counts
# aiodemo: notice the primes below n correctly (it starts at 2): 1229 below 10000 and
# aiodemo: notice 1754 below 15000. Unlike count_primes in process-primes, it does not
# aiodemo: notice count 1. The work takes milliseconds, so the run is over almost at
# aiodemo: notice once: Python needs about 20 ms to start the processes and count,
# aiodemo: notice measured on a 2-core machine. The snippet leaves out
# aiodemo: notice asyncio.run(main()); this file adds it.
# aiodemo: notice Only starting the pool blocks the loop: Python forks the workers and
# aiodemo: notice starts the pool's thread on the loop thread, some 5-10 ms whatever
# aiodemo: notice the --scale, which shows as blocking at a small --scale.
# aiodemo: title.zh ProcessPoolExecutor 里的 cpu_intensive_task(10000) 和 (15000)：1229 和 1754 个质数
# aiodemo: notice.zh 两个任务同时交给 ProcessPoolExecutor 的工作进程，它们统计时事件循环保持空闲。
# aiodemo: notice.zh cpu_intensive_task 正确地统计 n 以下的质数（它从 2 开始）：10000 以下 1229 个，
# aiodemo: notice.zh 15000 以下 1754 个。与 process-primes 里的 count_primes 不同，它不把 1 算进去。
# aiodemo: notice.zh 这点工作只需几毫秒，所以运行几乎立刻结束：在双核机器上测得，Python 启动进程并
# aiodemo: notice.zh 完成统计约需 20 毫秒。这段代码省略了 asyncio.run(main())，这个文件补上了。
# aiodemo: notice.zh 只有启动进程池会阻塞事件循环：Python 在事件循环线程上创建工作进程、启动
# aiodemo: notice.zh 进程池的线程，约 5-10 毫秒，与 --scale 无关，所以 --scale 小时会显示为阻塞。
# aiodemo: end

import asyncio
from concurrent.futures import ProcessPoolExecutor

def cpu_intensive_task(n):
    """CPU 密集型任务示例：计算素数"""
    count = 0
    for i in range(2, n):
        for j in range(2, int(i**0.5) + 1):
            if i % j == 0:
                break
        else:
            count += 1
    return count

async def main():
    # CPU 密集型任务必须使用进程池
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor() as executor:
        task1 = loop.run_in_executor(executor, cpu_intensive_task, 10000)
        task2 = loop.run_in_executor(executor, cpu_intensive_task, 15000)

        result1 = await task1
        print(f"Process 1 completed: {result1} primes")
        result2 = await task2
        print(f"Process 2 completed: {result2} primes")

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
