# aiodemo: name task-and-future
# aiodemo: title Q4, loop.create_task and run_until_complete: the task gives "Done" after 1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q4
# aiodemo: expect total 1s
# aiodemo: expect "Done" at 1s
# aiodemo: expect blocked 0s
# aiodemo: notice The answer's program cannot run as printed: its "方式2",
# aiodemo: notice asyncio.create_task(my_coroutine()), is called at module level, where
# aiodemo: notice no loop is running, and raises "RuntimeError: no running event loop"
# aiodemo: notice (asyncio.create_task may only be called from a coroutine or callback
# aiodemo: notice that the loop is running). The only change: that line is commented
# aiodemo: notice out, so task stays the one loop.create_task made.
# aiodemo: notice loop.create_task wraps the coroutine in a Task, a subclass of Future,
# aiodemo: notice scheduled on the loop but not started: nothing runs until
# aiodemo: notice loop.run_until_complete(task) runs the loop. The task sleeps 1 s and
# aiodemo: notice returns "Done", which task.result() gives once the task is done. The
# aiodemo: notice loop is never closed; the program ends right after.
# aiodemo: end

import asyncio

async def my_coroutine():
    await asyncio.sleep(1)
    return "Done"

# 方式1：使用loop.create_task()
loop = asyncio.get_event_loop()
task = loop.create_task(my_coroutine())

# 方式2：使用asyncio.create_task()（Python 3.7+）
# (changed by aiodemo: commented out; outside a coroutine it raises
# "RuntimeError: no running event loop")
# task = asyncio.create_task(my_coroutine())

# 等待Task完成
loop.run_until_complete(task)
print(task.result())  # 输出 "Done"
