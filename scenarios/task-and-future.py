# aiodemo: name task-and-future
# aiodemo: title Q4, loop.create_task and run_until_complete: the task gives "Done" after 1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q4
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 4 题：Task 和 Future 的区别
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
# aiodemo: title.zh Q4，loop.create_task 和 run_until_complete：任务 1 秒后给出“Done”
# aiodemo: notice.zh 回答里的程序照原样无法运行：它的“方式2”，asyncio.create_task(my_coroutine())，
# aiodemo: notice.zh 是在模块级调用的，那里没有正在运行的事件循环，会抛出“RuntimeError: no running
# aiodemo: notice.zh event loop”（asyncio.create_task 只能在事件循环正在运行的协程或回调里调用）。
# aiodemo: notice.zh 唯一的修改：那一行被注释掉，task 仍是 loop.create_task 创建的那个。
# aiodemo: notice.zh loop.create_task 把协程包装成 Task（Future 的子类），安排在事件循环上，但尚未
# aiodemo: notice.zh 开始：在 loop.run_until_complete(task) 运行事件循环之前，什么都不会运行。任务
# aiodemo: notice.zh 睡 1 秒后返回“Done”，任务完成后 task.result() 就给出它。事件循环从未关闭；
# aiodemo: notice.zh 程序随即结束。
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
