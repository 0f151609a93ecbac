# aiodemo: name gather-vs-wait
# aiodemo: title gather and wait, each on three 0.1 s tasks, run side by side: both give [0, 1, 2] at 0.1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q10
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
