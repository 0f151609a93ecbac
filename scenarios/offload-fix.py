# aiodemo: name offload-fix
# aiodemo: title the fixed bad_task: to_thread(time.sleep, 2) keeps the loop free, good_task ends first, 2 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 3 (the right way)
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
