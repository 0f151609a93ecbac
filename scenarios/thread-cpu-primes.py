# aiodemo: name thread-cpu-primes
# aiodemo: title the same prime counting in one thread, two threads and two processes: threads share the GIL, processes run in parallel
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2 (aiodemo's program, built from the document's count_primes)
# aiodemo: source.zh 02-threads-and-processes.md，Level 2，特性2（aiodemo 用文档里的 count_primes 写成的程序）
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
# aiodemo: title.zh 同样的质数统计放在一个线程、两个线程和两个进程里：线程共用 GIL，进程并行运行
# aiodemo: notice.zh 这个程序是 aiodemo 的，不是文档里的：它取 02-threads-and-processes.md
# aiodemo: notice.zh （第 2 级，特性 2）的 count_primes，把 200000 以下的质数统计三遍，每遍
# aiodemo: notice.zh 都分成同样的八段：放在 ThreadPoolExecutor(max_workers=1)、
# aiodemo: notice.zh ThreadPoolExecutor(max_workers=2) 和 ProcessPoolExecutor(max_workers=2)
# aiodemo: notice.zh 里，每遍都打印结果，最后打印后两种比一个线程快多少。
# aiodemo: notice.zh count_primes 是纯 Python，而 CPython 的线程共用一个 GIL：只有持有它的
# aiodemo: notice.zh 线程才能运行 Python 代码。两个线程轮流运行（GIL 那一行显示 1 2 1 2：
# aiodemo: notice.zh CPython 每 5 毫秒交出一次 GIL），每个线程大约一半的时间在等 GIL（它那
# aiodemo: notice.zh 一行上的 ╳），线程池并不比一个线程快：约 1 倍，机器忙时还稍慢一些，
# aiodemo: notice.zh 因为轮换本身也有代价。每个工作进程都有自己的解释器和 GIL，所以两个
# aiodemo: notice.zh 进程在两个核上同时统计：在空闲的双核机器上接近 2 倍，再减去 Python
# aiodemo: notice.zh 启动它们的时间。事件循环从不等待统计，但线程统计时，它自己的每一步
# aiodemo: notice.zh 也要等 GIL（事件循环那一行上的 ╳），最多 5 毫秒：--scale 较小时，这已
# aiodemo: notice.zh 长到诊断会把它算作阻塞。
# aiodemo: say.en "1个线程" = "1 thread"
# aiodemo: say.en "{}个线程" = "{} threads"
# aiodemo: say.en "{}个进程" = "{} processes"
# aiodemo: say.en "{}: 1-{}的质数: {}, 耗时: {}秒" = "{}: primes in 1-{}: {}, took {} s"
# aiodemo: say.en "比1个线程快: {}, {}" = "faster than 1 thread: {}, {}"
# aiodemo: say.en "{} {}倍" = "{} {}x"
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
