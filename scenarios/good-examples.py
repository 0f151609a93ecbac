# aiodemo: name good-examples
# aiodemo: title two good_example tasks, each with to_thread(time.sleep, 1): both end at 1 s, not 2 s
# aiodemo: source 02-threads-and-processes.md, Level 3 (the right way)
# aiodemo: source.zh 02-threads-and-processes.md，Level 3：对比学习（正确用法）
# aiodemo: expect total 1s
# aiodemo: expect "开始执行正确示例" at 0s
# aiodemo: expect "正确示例结束" at 1s
# aiodemo: expect blocked 0s
# aiodemo: notice create_task schedules both good_example tasks; both start at 0 s, and
# aiodemo: notice each hands its time.sleep(1) to a thread of the default pool with
# aiodemo: notice asyncio.to_thread. The two sleeps overlap: both tasks end at 1 s, and
# aiodemo: notice the loop is never blocked. This matches the document's comment for the
# aiodemo: notice right way. The same main with bad_example instead: aiodemo run
# aiodemo: notice bad-examples.
# aiodemo: title.zh 两个 good_example 任务，各用 to_thread(time.sleep, 1)：都在 1 秒结束，而不是 2 秒
# aiodemo: notice.zh create_task 安排了两个 good_example 任务；两者都在 0 秒开始，各自用
# aiodemo: notice.zh asyncio.to_thread 把 time.sleep(1) 交给默认线程池的一个线程。两次睡眠重叠：
# aiodemo: notice.zh 两个任务都在 1 秒结束，事件循环从未被阻塞。这与文档对正确用法的注释一致。
# aiodemo: notice.zh 同样的 main 换成 bad_example：aiodemo run bad-examples。
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
    task1 = asyncio.create_task(good_example())
    task2 = asyncio.create_task(good_example())
    await asyncio.gather(task1, task2)

asyncio.run(main())
# 错误示例输出（若运行bad_example）：
# 开始执行错误示例 → 等待1秒 → 错误示例结束 → 开始执行正确示例
# 正确示例输出：
# 开始执行正确示例 → 开始执行正确示例 → （1秒后）两个示例同时结束
