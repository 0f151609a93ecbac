# aiodemo: name offload-sleep
# aiodemo: title to_thread moves time.sleep(2) into a worker thread: the other task finishes first, 2 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 1
# aiodemo: expect total 2s
# aiodemo: expect "🔄 正常协程结束" at 1s
# aiodemo: expect "✅ 阻塞任务结束" at 2s
# aiodemo: expect before "🔄 正常协程结束" "✅ 阻塞任务结束"
# aiodemo: expect blocked 0s
# aiodemo: notice Both tasks start at 0 s. asyncio.to_thread runs time.sleep(2) in a
# aiodemo: notice thread of the default pool, so the loop stays free: the normal task
# aiodemo: notice wakes at 1 s and finishes first, the blocked task at 2 s. The summary
# aiodemo: notice shows the loop was never blocked and its lag stayed near zero.
# aiodemo: notice Compare: aiodemo run blocking-sleep (the same time.sleep called on the
# aiodemo: notice loop).
# aiodemo: end

import asyncio
import time

async def blocked_task():
    print("✅ 阻塞任务开始（调用time.sleep）")
    # 用to_thread卸载阻塞函数
    await asyncio.to_thread(time.sleep, 2)  
    print("✅ 阻塞任务结束")

async def normal_task():
    print("🔄 正常协程开始（用asyncio.sleep）")
    await asyncio.sleep(1)  # 非阻塞睡眠
    print("🔄 正常协程结束")

async def main():
    # 同时运行两个任务
    await asyncio.gather(blocked_task(), normal_task())

if __name__ == "__main__":
    asyncio.run(main())
