# aiodemo: name thread-cpu-primes
# aiodemo: title the same prime counting in one thread, two threads and two processes: threads share the GIL, processes run in parallel
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2 (aiodemo's program, built from the document's count_primes)
# aiodemo: expect ok
# aiodemo: notice This program is aiodemo's, not the document's: it takes count_primes
# aiodemo: notice from 02-threads-and-processes.md (Level 2, feature 2) and counts the
# aiodemo: notice primes below 200000 three times, in the same eight ranges: in
# aiodemo: notice ThreadPoolExecutor(max_workers=1), in ThreadPoolExecutor(max_workers=2)
# aiodemo: notice and in ProcessPoolExecutor(max_workers=2), printing each time and how
# aiodemo: notice much faster than one thread the other two were.
# aiodemo: notice count_primes is pure Python, and CPython's threads share one GIL: only
# aiodemo: notice the thread that holds it runs Python code. Two threads take turns (the
# aiodemo: notice GIL lane shows 1 2 1 2: CPython hands the GIL over every 5 ms), each
# aiodemo: notice waits for it about half of its job (╳ on its lane), and the pool is no
# aiodemo: notice faster than one thread: about 1x, a little slower when the machine is
# aiodemo: notice busy, as the turns cost something. Each worker process has an
# aiodemo: notice interpreter and a GIL of its own, so two processes count on two cores
# aiodemo: notice at once: close to 2x on an idle 2-core machine, minus the time Python
# aiodemo: notice takes to start them. The loop never waits for a count, but while the
# aiodemo: notice threads count, each of its own steps waits for the GIL too (╳ on the
# aiodemo: notice loop's lane), up to 5 ms: at a small --scale that is long enough for
# aiodemo: notice the diagnostics to call it blocking.
# aiodemo: end

# Not in the document: aiodemo's program. It takes count_primes from 02's
# Level 2 and counts the primes below 200000 three times, in eight ranges
# handed to a pool: one thread, two threads, two processes.
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

# 1-200000 分成 8 段，交给同一个池
RANGES = [(start, start + 25000) for start in range(1, 200001, 25000)]

async def count_in(executor, name):
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    counts = await asyncio.gather(*(loop.run_in_executor(executor, count_primes, a, b) for a, b in RANGES))
    elapsed = time.perf_counter() - start
    print(f"{name}: 1-200000的质数: {sum(counts)}, 耗时: {elapsed:.2f}秒")
    return elapsed

async def main():
    with ThreadPoolExecutor(max_workers=1) as executor:
        one = await count_in(executor, "1个线程")
    with ThreadPoolExecutor(max_workers=2) as executor:
        two = await count_in(executor, "2个线程")
    with ProcessPoolExecutor(max_workers=2) as executor:
        procs = await count_in(executor, "2个进程")
    print(f"比1个线程快: 2个线程 {one / two:.1f}倍, 2个进程 {one / procs:.1f}倍")

asyncio.run(main())
