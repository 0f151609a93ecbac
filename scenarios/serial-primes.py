# aiodemo: name serial-primes
# aiodemo: title the same two prime counts on the loop thread: one after the other, the loop blocked throughout
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 2 (for comparison, without the pool)
# aiodemo: source.zh 02-threads-and-processes.md，Level 2，特性2（用于对比，不用进程池）
# aiodemo: param upto = 200000 at "count_primes(100000, 200000)"
# aiodemo: expect says "1-100000的质数: 9593, 100000-200000的质数: 8392"
# aiodemo: expect says "总质数: 17985"
# aiodemo: notice This program is aiodemo's, not the document's: the document's
# aiodemo: notice count_primes and ranges (Level 2, feature 2), called one after the
# aiodemo: notice other in main() without the pool.
# aiodemo: notice Both counts run on the loop thread, in one step of main() that never
# aiodemo: notice gives the loop back: one "loop blocked" window as long as both counts,
# aiodemo: notice the line it names inside count_primes, and nothing else could run
# aiodemo: notice meanwhile. The counts are the same as in process-primes (9593 and
# aiodemo: notice 8392: the document's function counts 1 as a prime); the total time
# aiodemo: notice is the sum of both, where process-primes takes about the longer of
# aiodemo: notice the two.
# aiodemo: title.zh 同样的两次质数统计放在事件循环线程上：一个接一个，事件循环始终被阻塞
# aiodemo: notice.zh 这个程序是 aiodemo 的，不是文档里的：它用文档的 count_primes 和区间
# aiodemo: notice.zh （第 2 级，特性 2），在 main() 里不经进程池、一个接一个地调用。
# aiodemo: notice.zh 两次统计都在事件循环线程上，在 main() 一直不交还事件循环的一步里运行：
# aiodemo: notice.zh 一段与两次统计一样长的“循环阻塞”，指出的是 count_primes 里的
# aiodemo: notice.zh 那一行，期间别的什么都不能运行。结果与 process-primes 相同（9593 和
# aiodemo: notice.zh 8392：文档的函数把 1 算作质数）；总耗时是两者之和，而 process-primes
# aiodemo: notice.zh 大约只需其中较长的那一次。
# aiodemo: say.en "1-{}的质数: {}, {}-{}的质数: {}" = "primes in 1-{}: {}, in {}-{}: {}"
# aiodemo: say.en "总质数: {}" = "primes in all: {}"
# aiodemo: end

# Not in the document: its Level 2 count_primes and ranges, counted directly in
# main() on the loop thread, to compare with the process pool.
import asyncio
import math

def count_primes(start: int, end: int) -> int:
    count = 0
    for num in range(start, end):
        if all(num % i != 0 for i in range(2, int(math.sqrt(num)) + 1)):
            count += 1
    return count

async def main():
    # 不用进程池：直接在事件循环里计算
    count1 = count_primes(1, 100000)
    count2 = count_primes(100000, 200000)
    print(f"1-100000的质数: {count1}, 100000-200000的质数: {count2}")
    print(f"总质数: {count1 + count2}")

asyncio.run(main())
