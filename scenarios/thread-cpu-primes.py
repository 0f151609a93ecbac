# aiodemo: name thread-cpu-primes
# aiodemo: title the same prime counting in ThreadPoolExecutor(max_workers=2), then ProcessPoolExecutor(max_workers=2): threads share the GIL, processes run in parallel
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2 (aiodemo's program, built from the document's count_primes and ranges)
# aiodemo: expect before "线程池: 1-100000的质数: 9593, 100000-200000的质数: 8392" "进程池: 1-100000的质数: 9593, 100000-200000的质数: 8392"
# aiodemo: expect says "进程池: 1-100000的质数: 9593, 100000-200000的质数: 8392"
# aiodemo: notice This program is aiodemo's, not the document's: it takes count_primes
# aiodemo: notice and its two ranges from 02-threads-and-processes.md (Level 2, feature
# aiodemo: notice 2) and counts them twice, first in ThreadPoolExecutor(max_workers=2),
# aiodemo: notice then in ProcessPoolExecutor(max_workers=2), printing the counts and
# aiodemo: notice the time of each.
# aiodemo: notice Both pools get both ranges at once. But count_primes is pure Python,
# aiodemo: notice and CPython's threads share one GIL: only one of the two threads runs
# aiodemo: notice Python code at a time, so the thread pool takes as long as counting
# aiodemo: notice both ranges one after the other (aiodemo run serial-primes), with no
# aiodemo: notice speedup. Each worker process has an interpreter and a GIL of its own,
# aiodemo: notice so the two ranges are counted in parallel on two cores: the process
# aiodemo: notice pool takes about as long as the upper range alone, which costs some
# aiodemo: notice 1.6 times the lower one. The times (about 0.27 s and 0.17 s, and the
# aiodemo: notice total) were measured on a 2-core machine and depend on its speed. The
# aiodemo: notice loop never waits for a count either way; its own steps only wait a few
# aiodemo: notice milliseconds for the GIL while the threads count, and while Python
# aiodemo: notice forks the two processes.
# aiodemo: end

# Not in the document: aiodemo's program, built from its Level 2 count_primes and
# ranges, counted first in a pool of two threads, then in a pool of two processes.
import asyncio
import math
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

# 同步CPU密集型函数：计算区间内的质数个数
def count_primes(start: int, end: int) -> int:
    count = 0
    for num in range(start, end):
        if all(num % i != 0 for i in range(2, int(math.sqrt(num)) + 1)):
            count += 1
    return count

async def count_in(executor, name):
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    task1 = loop.run_in_executor(executor, count_primes, 1, 100000)
    task2 = loop.run_in_executor(executor, count_primes, 100000, 200000)
    count1, count2 = await asyncio.gather(task1, task2)
    print(f"{name}: 1-100000的质数: {count1}, 100000-200000的质数: {count2}")
    print(f"{name}耗时: {time.perf_counter() - start:.2f}秒")

async def main():
    with ThreadPoolExecutor(max_workers=2) as executor:
        await count_in(executor, "线程池")
    with ProcessPoolExecutor(max_workers=2) as executor:
        await count_in(executor, "进程池")

asyncio.run(main())
