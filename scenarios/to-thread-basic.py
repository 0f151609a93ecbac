# aiodemo: name to-thread-basic
# aiodemo: title await asyncio.to_thread(time.sleep, 1): the loop waits 1 s without being blocked
# aiodemo: source 02-threads-and-processes.md, Level 1
# aiodemo: expect total 1s
# aiodemo: expect blocked 0s
# aiodemo: notice The two printed clock times are the wall clock, as time.strftime('%X')
# aiodemo: notice prints it; the timeline's own column is the exact offset.
# aiodemo: notice asyncio.to_thread runs time.sleep(1) in a thread of the default pool
# aiodemo: notice while main waits: the loop is free the whole time (no "loop blocked"
# aiodemo: notice window), though it has nothing else to do here.
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
