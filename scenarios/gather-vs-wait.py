# aiodemo: name gather-vs-wait
# aiodemo: title gather and wait, each on three 0.1 s tasks, run side by side: both give [0, 1, 2] at 0.1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q10
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 10 题：gather() 与 wait() 的用法和区别
# aiodemo: expect total 100ms
# aiodemo: expect "Gather结果: [0, 1, 2]" at 100ms
# aiodemo: notice The document's program fails on Python 3.11, twice over, and this file
# aiodemo: notice changes it in two places, each marked in the code:
# aiodemo: notice - asyncio.run() takes a coroutine, and asyncio.gather(...) gives a
# aiodemo: notice future: "ValueError: a coroutine was expected, got <_GatheringFuture
# aiodemo: notice pending>". Here a main() coroutine awaits the same gather, and
# aiodemo: notice asyncio.run(main()) runs it.
# aiodemo: notice - asyncio.wait() refuses coroutine objects since 3.11: "TypeError:
# aiodemo: notice Passing coroutines is forbidden, use tasks explicitly." Here use_wait
# aiodemo: notice makes tasks first, with asyncio.create_task, as the message says.
# aiodemo: notice With those two changes the program prints what the document says, but
# aiodemo: notice for the order of one list. gather gives the results in the order of
# aiodemo: notice its arguments. wait gives two sets, done and pending; a set of tasks
# aiodemo: notice has no order, so the "Wait结果" list can come out as [0, 2, 1] from one
# aiodemo: notice run to the next, as the document's comment warns: no expectation names
# aiodemo: notice that line. Both coroutines wait at the same time: 0.1 s in all, not
# aiodemo: notice 0.2 s.
# aiodemo: title.zh gather 和 wait 各等三个 0.1 秒的任务，并排运行：都在 0.1 秒给出 [0, 1, 2]
# aiodemo: notice.zh 文档的程序在 Python 3.11 上有两处失败，这个文件改了两个地方，都在代码里标出：
# aiodemo: notice.zh - asyncio.run() 接受的是协程，而 asyncio.gather(...) 给出的是 future：
# aiodemo: notice.zh “ValueError: a coroutine was expected, got <_GatheringFuture pending>”。这里由
# aiodemo: notice.zh 一个 main() 协程 await 同一个 gather，再用 asyncio.run(main()) 运行它。
# aiodemo: notice.zh - 从 3.11 起 asyncio.wait() 拒绝协程对象：“TypeError: Passing coroutines is
# aiodemo: notice.zh forbidden, use tasks explicitly.”这里 use_wait 照消息说的，先用
# aiodemo: notice.zh asyncio.create_task 创建任务。
# aiodemo: notice.zh 有了这两处修改，程序打印的就是文档说的内容，只有一个列表的顺序除外。gather
# aiodemo: notice.zh 按参数的顺序给出结果。wait 给出两个集合，done 和 pending；任务的集合没有顺序，
# aiodemo: notice.zh 所以“Wait结果”的列表每次运行都可能是 [0, 2, 1]，正如文档的注释所提醒的：没有
# aiodemo: notice.zh 哪条预期写到那一行。两个协程同时等待：共 0.1 秒，而不是 0.2 秒。
# aiodemo: say.en "Gather结果: {}" = "Gather result: {}"
# aiodemo: say.en "Wait结果: {}" = "Wait result: {}"
# aiodemo: end

import asyncio

async def task(i):
    await asyncio.sleep(0.1)
    return i

# 使用gather
async def use_gather():
    tasks = [task(i) for i in range(3)]
    results = await asyncio.gather(*tasks)
    print("Gather结果:", results)  # 输出 [0, 1, 2]

# 使用wait
async def use_wait():
    tasks = [asyncio.create_task(task(i)) for i in range(3)]  # (changed by aiodemo: see the notice)
    done, pending = await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)
    results = [task.result() for task in done]
    print("Wait结果:", results)  # 输出 [0, 1, 2]（顺序可能不同）

# (changed by aiodemo: asyncio.run() needs a coroutine; the document has
# asyncio.run(asyncio.gather(use_gather(), use_wait())))
async def main():
    await asyncio.gather(use_gather(), use_wait())

asyncio.run(main())
