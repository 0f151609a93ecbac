# aiodemo: name bad-examples
# aiodemo: title two bad_example tasks with time.sleep(1) on the loop: one after the other, 2 s, the loop blocked 2 s
# aiodemo: source 02-threads-and-processes.md, Level 3 (the wrong way)
# aiodemo: expect total 2s
# aiodemo: expect "开始执行错误示例" at 0s
# aiodemo: expect "错误示例结束" at 1s
# aiodemo: expect blocked 2s
# aiodemo: notice The document's program only runs good_example; for bad_example it
# aiodemo: notice gives the output in a comment, "if you run bad_example". This file
# aiodemo: notice runs what the prose describes: the document's program with
# aiodemo: notice bad_example() in both create_task calls (the only change; main's
# aiodemo: notice comment still speaks of the right examples).
# aiodemo: notice The first task's time.sleep(1) holds the loop thread, so the second
# aiodemo: notice task cannot even start until the first has finished: it starts at 1 s
# aiodemo: notice and ends at 2 s. Two "loop blocked" windows of 1 s each, 2 s in all,
# aiodemo: notice where good-examples takes 1 s.
# aiodemo: notice The document's comment (开始执行错误示例 → 等待1秒 → 错误示例结束 → 开始执行正确示例) ends with
# aiodemo: notice the start of a right example, which no run of bad_example prints; it
# aiodemo: notice describes a bad example followed by a good one. Two bad examples print
# aiodemo: notice "start, end, start, end", each end coming 1 s after its start.
# aiodemo: end

import asyncio
import time

# ❌ 错误用法：直接调用阻塞函数，阻塞整个事件循环
async def bad_example():
    print("开始执行错误示例")
    time.sleep(1)  # 阻塞事件循环，所有任务都得等它
    print("错误示例结束")

# ✅ 正确用法：用to_thread包装，不阻塞事件循环
async def good_example():
    print("开始执行正确示例")
    await asyncio.to_thread(time.sleep, 1)  # 线程执行，事件循环继续
    print("正确示例结束")

async def main():
    # 同时运行2个正确示例，看并行效果
    task1 = asyncio.create_task(bad_example())  # (changed by aiodemo: good_example in the document)
    task2 = asyncio.create_task(bad_example())  # (changed by aiodemo: good_example in the document)
    await asyncio.gather(task1, task2)

asyncio.run(main())
# 错误示例输出（若运行bad_example）：
# 开始执行错误示例 → 等待1秒 → 错误示例结束 → 开始执行正确示例
# 正确示例输出：
# 开始执行正确示例 → 开始执行正确示例 → （1秒后）两个示例同时结束
