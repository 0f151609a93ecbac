# aiodemo: name blocking-sleep
# aiodemo: title time.sleep(2) in a coroutine freezes the loop: the 1 s task waits, 3 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 3 (the wrong way)
# aiodemo: source.zh 01-offload-blocking-code.md，Level 3：对比学习（错误做法）
# aiodemo: expect total 3s
# aiodemo: expect "❌ 错误任务结束" at 2s
# aiodemo: expect "✅ 正常协程开始" at 2s
# aiodemo: expect "✅ 正常协程结束" at 3s
# aiodemo: expect before "❌ 错误任务结束" "✅ 正常协程开始"
# aiodemo: expect blocked 2s
# aiodemo: notice gather starts bad_task first. Its time.sleep(2) runs on the loop
# aiodemo: notice thread, so for 2 s nothing else can run: good_task has not even
# aiodemo: notice started (the "loop blocked" window in the summary). Only then does
# aiodemo: notice good_task print its first line and sleep 1 s: 3 s in all, and the
# aiodemo: notice heartbeat shows a loop lag of about 2 s. The fix is one line: aiodemo
# aiodemo: notice run offload-fix (the same idea in Level 1: aiodemo run offload-sleep).
# aiodemo: title.zh 协程里的 time.sleep(2) 冻住了事件循环：1 秒的任务只能等着，共 3 秒
# aiodemo: notice.zh gather 先启动 bad_task。它的 time.sleep(2) 在事件循环线程上运行，所以这
# aiodemo: notice.zh 2 秒里别的什么都不能运行：good_task 甚至还没有开始（摘要里“事件循环被
# aiodemo: notice.zh 阻塞”的那一段）。之后 good_task 才打印第一行，再睡 1 秒：共 3 秒，心跳
# aiodemo: notice.zh 显示事件循环延迟了约 2 秒。修复只需改一行：aiodemo run offload-fix
# aiodemo: notice.zh （第 1 级里的同一个思路：aiodemo run offload-sleep）。
# aiodemo: say.en "❌ 错误：直接调用阻塞函数" = "❌ wrong: calling a blocking function directly"
# aiodemo: say.en "❌ 错误任务结束" = "❌ the wrong task ends"
# aiodemo: say.en "✅ 正常协程开始" = "✅ the normal coroutine starts"
# aiodemo: say.en "✅ 正常协程结束" = "✅ the normal coroutine ends"
# aiodemo: end

import asyncio
import time

async def bad_task():
    print("❌ 错误：直接调用阻塞函数")
    time.sleep(2)  # 阻塞事件循环！
    print("❌ 错误任务结束")

async def good_task():
    print("✅ 正常协程开始")
    await asyncio.sleep(1)
    print("✅ 正常协程结束")

async def main():
    await asyncio.gather(bad_task(), good_task())

asyncio.run(main())
