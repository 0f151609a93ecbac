# aiodemo: name offload-sleep
# aiodemo: title to_thread moves time.sleep(2) into a worker thread: the other task finishes first, 2 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 1
# aiodemo: source.zh 01-offload-blocking-code.md，Level 1：基础认知
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
# aiodemo: title.zh to_thread 把 time.sleep(2) 移到工作线程：另一个任务先完成，共 2 秒
# aiodemo: notice.zh 两个任务都在 0 秒开始。asyncio.to_thread 在默认线程池的一个线程里运行
# aiodemo: notice.zh time.sleep(2)，事件循环保持空闲：正常任务在 1 秒醒来并先完成，阻塞任务
# aiodemo: notice.zh 在 2 秒完成。摘要显示事件循环从未被阻塞，延迟一直接近于零。
# aiodemo: notice.zh 对比：aiodemo run blocking-sleep（同样的 time.sleep 直接在事件循环上调用）。
# aiodemo: say.en "✅ 阻塞任务开始（调用time.sleep）" = "✅ the blocking task starts (calls time.sleep)"
# aiodemo: say.en "✅ 阻塞任务结束" = "✅ the blocking task ends"
# aiodemo: say.en "🔄 正常协程开始（用asyncio.sleep）" = "🔄 the normal coroutine starts (uses asyncio.sleep)"
# aiodemo: say.en "🔄 正常协程结束" = "🔄 the normal coroutine ends"
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
