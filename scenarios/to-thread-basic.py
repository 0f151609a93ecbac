# aiodemo: name to-thread-basic
# aiodemo: title await asyncio.to_thread(time.sleep, 1): the loop waits 1 s without being blocked
# aiodemo: source 02-threads-and-processes.md, Level 1
# aiodemo: source.zh 02-threads-and-processes.md，Level 1：基础认知
# aiodemo: expect total 1s
# aiodemo: expect blocked 0s
# aiodemo: notice The two printed clock times are the wall clock, as time.strftime('%X')
# aiodemo: notice prints it; the timeline's own column is the exact offset.
# aiodemo: notice asyncio.to_thread runs time.sleep(1) in a thread of the default pool
# aiodemo: notice while main waits: the loop is free the whole time (no "loop blocked"
# aiodemo: notice window), though it has nothing else to do here.
# aiodemo: title.zh await asyncio.to_thread(time.sleep, 1)：事件循环等了 1 秒，却没有被阻塞
# aiodemo: notice.zh 打印的两个时刻是墙上时钟，即 time.strftime('%X') 打印的；时间线自己那一列
# aiodemo: notice.zh 才是精确的偏移。
# aiodemo: notice.zh asyncio.to_thread 在默认线程池的一个线程里运行 time.sleep(1)，main 在等待：
# aiodemo: notice.zh 事件循环始终是空闲的（没有“循环阻塞”的时段），尽管这里它也没有
# aiodemo: notice.zh 别的事可做。
# aiodemo: say.en "事件循环开始: {}" = "event loop starts: {}"
# aiodemo: say.en "事件循环结束: {}" = "event loop ends: {}"
# aiodemo: end

import asyncio
import time

async def main():
    print(f"事件循环开始: {time.strftime('%X')}")
    
    # 将同步的time.sleep(1)放到线程中执行，不阻塞事件循环
    await asyncio.to_thread(time.sleep, 1)
    
    print(f"事件循环结束: {time.strftime('%X')}")  # 比开始晚1秒

asyncio.run(main())
# 预期输出：
# 事件循环开始: 14:30:00
# 事件循环结束: 14:30:01
