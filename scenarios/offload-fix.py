# aiodemo: name offload-fix
# aiodemo: title the fixed bad_task: to_thread(time.sleep, 2) keeps the loop free, good_task ends first, 2 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 3 (the right way)
# aiodemo: source.zh 01-offload-blocking-code.md，Level 3：对比学习（正确做法）
# aiodemo: expect total 2s
# aiodemo: expect "✅ 正常协程开始" at 0s
# aiodemo: expect "✅ 正常协程结束" at 1s
# aiodemo: expect "❌ 错误任务结束" at 2s
# aiodemo: expect before "❌ 错误：直接调用阻塞函数" "✅ 正常协程开始"
# aiodemo: expect before "✅ 正常协程结束" "❌ 错误任务结束"
# aiodemo: expect blocked 0s
# aiodemo: notice This is the Level 3 program with the one change the document gives for
# aiodemo: notice it: time.sleep(2) in bad_task becomes await
# aiodemo: notice asyncio.to_thread(time.sleep, 2), with the document's comment above
# aiodemo: notice it. The sleep runs in a thread of the default pool and the loop stays
# aiodemo: notice free: good_task starts at 0 s instead of 2 s, ends at 1 s, and
# aiodemo: notice bad_task ends at 2 s, so 2 s in all, not 3 s. Compare: aiodemo run
# aiodemo: notice blocking-sleep (the program before the change).
# aiodemo: notice The document's "correct output" is not what this program prints. Its
# aiodemo: notice first line, "❌ 错误：直接调用阻塞函数 → 改为to_thread后：" ("... → after the change
# aiodemo: notice to to_thread:"), reads as a heading for the lines below it, but the
# aiodemo: notice fixed bad_task still prints "❌ 错误：直接调用阻塞函数" as its first line, at 0 s.
# aiodemo: notice Its last line is "✅ 错误任务结束", but only the sleep changed, not the print
# aiodemo: notice calls: the program prints "❌ 错误任务结束", at 2 s.
# aiodemo: title.zh 修好的 bad_task：to_thread(time.sleep, 2) 让事件循环保持空闲，good_task 先结束，共 2 秒
# aiodemo: notice.zh 这是第 3 级的程序，只做了文档给出的那一处修改：bad_task 里的
# aiodemo: notice.zh time.sleep(2) 改成 await asyncio.to_thread(time.sleep, 2)，上面是文档的注释。
# aiodemo: notice.zh 睡眠在默认线程池的一个线程里运行，事件循环保持空闲：good_task 在 0 秒
# aiodemo: notice.zh 而不是 2 秒开始，1 秒结束，bad_task 在 2 秒结束，共 2 秒而不是 3 秒。
# aiodemo: notice.zh 对比：aiodemo run blocking-sleep（修改之前的程序）。
# aiodemo: notice.zh 文档里的“正确输出”并不是这个程序打印的内容。它的第一行
# aiodemo: notice.zh “❌ 错误：直接调用阻塞函数 → 改为to_thread后：”读起来像下面几行的标题，
# aiodemo: notice.zh 但修好的 bad_task 在 0 秒打印的第一行仍是“❌ 错误：直接调用阻塞函数”。
# aiodemo: notice.zh 它的最后一行是“✅ 错误任务结束”，可改的只是睡眠，不是 print 调用：
# aiodemo: notice.zh 程序在 2 秒打印的是“❌ 错误任务结束”。
# aiodemo: say.en "❌ 错误：直接调用阻塞函数" = "❌ wrong: calling a blocking function directly"
# aiodemo: say.en "❌ 错误任务结束" = "❌ the wrong task ends"
# aiodemo: say.en "✅ 正常协程开始" = "✅ the normal coroutine starts"
# aiodemo: say.en "✅ 正常协程结束" = "✅ the normal coroutine ends"
# aiodemo: end

import asyncio
import time

async def bad_task():
    print("❌ 错误：直接调用阻塞函数")
    # 将bad_task中的time.sleep改为：
    await asyncio.to_thread(time.sleep, 2)
    print("❌ 错误任务结束")

async def good_task():
    print("✅ 正常协程开始")
    await asyncio.sleep(1)
    print("✅ 正常协程结束")

async def main():
    await asyncio.gather(bad_task(), good_task())

asyncio.run(main())
