# aiodemo: name process-primes
# aiodemo: title ProcessPoolExecutor counts primes in two ranges at once, in two worker processes
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2
# aiodemo: param upto = 200000 at "100000, 200000)"
# aiodemo: expect says "1-100000的质数: 9593, 100000-200000的质数: 8392"
# aiodemo: expect says "总质数: 17985"
# aiodemo: expect blocked 0s
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
