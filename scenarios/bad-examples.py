# aiodemo: name bad-examples
# aiodemo: title two bad_example tasks with time.sleep(1) on the loop: one after the other, 2 s, the loop blocked 2 s
# aiodemo: source 02-threads-and-processes.md, Level 3 (the wrong way)
# aiodemo: source.zh 02-threads-and-processes.md，Level 3：对比学习（错误用法）
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
# aiodemo: title.zh 两个 bad_example 任务在事件循环上 time.sleep(1)：一个接一个，共 2 秒，事件循环被阻塞 2 秒
# aiodemo: notice.zh 文档的程序只运行 good_example；对 bad_example，它在注释里给出“若运行
# aiodemo: notice.zh bad_example”时的输出。这个文件运行的是正文描述的情形：文档的程序，两个
# aiodemo: notice.zh create_task 里都换成 bad_example()（唯一的修改；main 的注释说的仍是正确示例）。
# aiodemo: notice.zh 第一个任务的 time.sleep(1) 占住了事件循环线程，所以第二个任务在第一个完成
# aiodemo: notice.zh 之前甚至无法开始：它在 1 秒开始、2 秒结束。两段各 1 秒的“循环阻塞”，
# aiodemo: notice.zh 共 2 秒，而 good-examples 只需 1 秒。
# aiodemo: notice.zh 文档的注释（开始执行错误示例 → 等待1秒 → 错误示例结束 → 开始执行正确示例）
# aiodemo: notice.zh 以一个正确示例的开始结尾，而 bad_example 的任何运行都不会打印它；它描述的
# aiodemo: notice.zh 是一个错误示例后面跟着一个正确示例。两个错误示例打印的是“开始、结束、
# aiodemo: notice.zh 开始、结束”，每个结束都在它的开始之后 1 秒。
# aiodemo: say.en "开始执行错误示例" = "the wrong example starts"
# aiodemo: say.en "错误示例结束" = "the wrong example ends"
# aiodemo: say.en "开始执行正确示例" = "the right example starts"
# aiodemo: say.en "正确示例结束" = "the right example ends"
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
