# aiodemo: name sleep-vs-time-sleep
# aiodemo: title two asyncio.sleep(1) overlap (1 s), then time.sleep(1) runs in a thread of the default pool: 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q8
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 8 题：asyncio.sleep() 与 time.sleep()
# aiodemo: expect total 2s
# aiodemo: expect blocked 0s
# aiodemo: notice The clock times are the wall clock, as time.strftime('%X') prints
# aiodemo: notice them; the timeline's own column is the exact offset. The two
# aiodemo: notice async_sleep coroutines wait together: both end 1 s after they started.
# aiodemo: notice sync_sleep then runs in a thread of the default pool
# aiodemo: notice (loop.run_in_executor(None, sync_sleep)), so its two lines are printed
# aiodemo: notice from that thread, and main waits 1 s more without blocking the loop.
# aiodemo: notice The comment above that call says a synchronous sleep blocks the loop:
# aiodemo: notice it would, called in a coroutine; this program hands sync_sleep to
# aiodemo: notice run_in_executor instead, and the loop is never blocked. To see the
# aiodemo: notice other case: aiodemo run blocking-sleep.
# aiodemo: title.zh 两个 asyncio.sleep(1) 重叠（1 秒），然后 time.sleep(1) 在默认线程池的线程里运行：共 2 秒
# aiodemo: notice.zh 打印的时刻是墙上时钟，即 time.strftime('%X') 打印的；时间线自己那一列才是
# aiodemo: notice.zh 精确的偏移。两个 async_sleep 协程一起等待：都在开始 1 秒后结束。
# aiodemo: notice.zh 接着 sync_sleep 在默认线程池的一个线程里运行
# aiodemo: notice.zh （loop.run_in_executor(None, sync_sleep)），所以它的两行是从那个线程打印的，
# aiodemo: notice.zh main 再等 1 秒，但不阻塞事件循环。那个调用上方的注释说同步睡眠会阻塞事件
# aiodemo: notice.zh 循环：在协程里直接调用的话确实会；这个程序却把 sync_sleep 交给了
# aiodemo: notice.zh run_in_executor，事件循环从未被阻塞。想看另一种情形：aiodemo run
# aiodemo: notice.zh blocking-sleep。
# aiodemo: say.en "开始异步睡眠: {}" = "async sleep starts: {}"
# aiodemo: say.en "结束异步睡眠: {}" = "async sleep ends: {}"
# aiodemo: say.en "开始同步睡眠: {}" = "sync sleep starts: {}"
# aiodemo: say.en "结束同步睡眠: {}" = "sync sleep ends: {}"
# aiodemo: end

import asyncio
import time

async def async_sleep():
    print(f"开始异步睡眠: {time.strftime('%X')}")
    await asyncio.sleep(1)  # 非阻塞
    print(f"结束异步睡眠: {time.strftime('%X')}")

def sync_sleep():
    print(f"开始同步睡眠: {time.strftime('%X')}")
    time.sleep(1)  # 阻塞线程
    print(f"结束同步睡眠: {time.strftime('%X')}")

async def main():
    # 异步睡眠不阻塞其他任务
    await asyncio.gather(async_sleep(), async_sleep())
    
    # 同步睡眠会阻塞事件循环
    loop = asyncio.get_event_loop()
    await loop.run_in_executor(None, sync_sleep)  # 需放入线程池执行

asyncio.run(main())
