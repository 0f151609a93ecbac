# aiodemo: name sleep-vs-time-sleep
# aiodemo: title two asyncio.sleep(1) overlap (1 s), then time.sleep(1) runs in a thread of the default pool: 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q8
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
