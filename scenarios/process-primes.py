# aiodemo: name process-primes
# aiodemo: title ProcessPoolExecutor counts primes in two ranges at once, in two worker processes
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2
# aiodemo: source.zh 02-threads-and-processes.md，Level 2：核心特性，特性2：异步调用进程任务（CPU密集型）
# aiodemo: param upto = 200000 at "100000, 200000)"
# aiodemo: expect says "1-100000的质数: 9593, 100000-200000的质数: 8392"
# aiodemo: expect says "总质数: 17985"
# aiodemo: expect blocked 5ms cpu
# aiodemo: notice Both count_primes calls go to the pool's worker processes at once (see
# aiodemo: notice them with ps while a large run goes): the two ranges are counted in
# aiodemo: notice parallel while the loop stays free. Compare the time with: aiodemo run
# aiodemo: notice serial-primes, and aiodemo run thread-cpu-primes for the same work in
# aiodemo: notice a thread pool.
# aiodemo: notice The document's expected output is wrong. Its count_primes counts 1 as
# aiodemo: notice a prime (range(2, 2) is empty, so all() is True), and there are 8392
# aiodemo: notice primes between 100000 and 200000, not 8363. The program really prints
# aiodemo: notice 9593, 8392 and 17985.
# aiodemo: notice Python counts both ranges in about 0.2 s on two cores. To watch the
# aiodemo: notice workers longer, raise the end of the second range: --param
# aiodemo: notice upto=1000000 (the first range stays 1-100000, and the printed labels
# aiodemo: notice stay as the program writes them). The two ranges are not equal work:
# aiodemo: notice testing a number costs about its square root, so the upper range costs
# aiodemo: notice some 1.6 times the lower one, and two workers can only be about 1.6x
# aiodemo: notice faster than one.
# aiodemo: notice Only starting the pool blocks the loop: Python forks the workers and
# aiodemo: notice starts the pool's thread on the loop thread, some 5-10 ms whatever
# aiodemo: notice the --scale, which shows as blocking at a small --scale.
# aiodemo: title.zh ProcessPoolExecutor 在两个工作进程里同时统计两个区间的质数
# aiodemo: notice.zh 两次 count_primes 调用同时交给进程池的工作进程（运行得久时可以用 ps
# aiodemo: notice.zh 看到它们）：两个区间并行统计，事件循环保持空闲。对比耗时：aiodemo run
# aiodemo: notice.zh serial-primes，以及 aiodemo run thread-cpu-primes（同样的工作交给线程池）。
# aiodemo: notice.zh 文档给出的预期输出是错的。它的 count_primes 把 1 也算作质数（range(2, 2)
# aiodemo: notice.zh 为空，所以 all() 为 True），而 100000 到 200000 之间有 8392 个质数，
# aiodemo: notice.zh 不是 8363 个。程序实际打印的是 9593、8392 和 17985。
# aiodemo: notice.zh 在两个核上，Python 统计这两个区间约需 0.2 秒。想多看一会儿工作进程，
# aiodemo: notice.zh 可以调大第二个区间的终点：--param upto=1000000（第一个区间仍是
# aiodemo: notice.zh 1-100000，打印的标签也照程序原样不变）。两个区间的工作量并不相等：
# aiodemo: notice.zh 检验一个数的代价约为它的平方根，所以上面的区间约是下面的 1.6 倍，
# aiodemo: notice.zh 两个工作进程最多只比一个快约 1.6 倍。
# aiodemo: notice.zh 只有启动进程池会阻塞事件循环：Python 在事件循环线程上创建工作进程、启动
# aiodemo: notice.zh 进程池的线程，约 5-10 毫秒，与 --scale 无关，所以 --scale 小时会显示为阻塞。
# aiodemo: say.en "1-{}的质数: {}, {}-{}的质数: {}" = "primes in 1-{}: {}, in {}-{}: {}"
# aiodemo: say.en "总质数: {}" = "primes in all: {}"
# aiodemo: end

import asyncio
import math
from concurrent.futures import ProcessPoolExecutor

# 同步CPU密集型函数：计算区间内的质数个数
def count_primes(start: int, end: int) -> int:
    count = 0
    for num in range(start, end):
        if all(num % i != 0 for i in range(2, int(math.sqrt(num)) + 1)):
            count += 1
    return count

async def main():
    # 创建进程池（自动匹配CPU核心数）
    with ProcessPoolExecutor() as executor:
        loop = asyncio.get_running_loop()
        
        # 提交2个计算任务到进程池（并行计算）
        task1 = loop.run_in_executor(executor, count_primes, 1, 100000)
        task2 = loop.run_in_executor(executor, count_primes, 100000, 200000)
        
        count1, count2 = await asyncio.gather(task1, task2)
        print(f"1-100000的质数: {count1}, 100000-200000的质数: {count2}")
        print(f"总质数: {count1 + count2}")  # 结果约17955

asyncio.run(main())
# 预期输出（耗时~1秒，比单线程快2倍以上）：
# 1-100000的质数: 9592, 100000-200000的质数: 8363
# 总质数: 17955
