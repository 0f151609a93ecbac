# aiodemo: name process-cpu-tasks
# aiodemo: title cpu_intensive_task(10000) and (15000) in a ProcessPoolExecutor: 1229 and 1754 primes
# aiodemo: source 04-asyncio-tutorial.md, thread and process pools (processes)
# aiodemo: expect total 20ms cpu
# aiodemo: expect "Process 1 completed: 1229 primes" at 20ms cpu
# aiodemo: expect "Process 2 completed: 1754 primes" at 20ms cpu
# aiodemo: expect before "Process 1 completed: 1229 primes" "Process 2 completed: 1754 primes"
# aiodemo: expect blocked 0s
# aiodemo: notice Both jobs go to the ProcessPoolExecutor's worker processes at once,
# aiodemo: notice and the loop stays free while they count. cpu_intensive_task counts
# aiodemo: notice the primes below n correctly (it starts at 2): 1229 below 10000 and
# aiodemo: notice 1754 below 15000. Unlike count_primes in process-primes, it does not
# aiodemo: notice count 1. The work takes milliseconds, so the run is over almost at
# aiodemo: notice once: Python needs about 20 ms to start the processes and count,
# aiodemo: notice measured on a 2-core machine. The snippet leaves out
# aiodemo: notice asyncio.run(main()); this file adds it.
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
