# aiodemo: name exception-done-callback
# aiodemo: title Q5, add_done_callback: the callback finds no exception, since the coroutine caught its own
# aiodemo: source 03-asyncio-interview-questions.md, Q5 (2: add_done_callback)
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 5 题（2：add_done_callback）
# aiodemo: expect total 1s
# aiodemo: expect "捕获异常: 异常示例" at 1s
# aiodemo: expect blocked 0s
# aiodemo: expect ok
# aiodemo: notice The answer's second snippet, after the first one it uses
# aiodemo: notice (task_with_exception). As printed it calls asyncio.create_task at
# aiodemo: notice module level, where it raises "RuntimeError: no running event loop".
# aiodemo: notice The changes: import asyncio is added, and the snippet's two last lines
# aiodemo: notice are moved, unchanged but indented, into a main() that then awaits the
# aiodemo: notice task, run with asyncio.run(main()).
# aiodemo: notice handle_exception runs when the task is done, at 1 s, but prints
# aiodemo: notice nothing: task_with_exception catches its ValueError itself, so the
# aiodemo: notice task ends normally and task.exception() is None. Only "捕获异常: 异常示例" is
# aiodemo: notice printed. A done callback sees an exception only if the coroutine lets
# aiodemo: notice it escape.
# aiodemo: title.zh Q5，add_done_callback：回调没有发现异常，因为协程自己捕获了它
# aiodemo: notice.zh 回答的第二段代码，接在它所用的第一段（task_with_exception）之后。照原样，它在
# aiodemo: notice.zh 模块级调用 asyncio.create_task，在那里会抛出“RuntimeError: no running event
# aiodemo: notice.zh loop”。修改之处：加上 import asyncio，代码段的最后两行原样移入（只是缩进）
# aiodemo: notice.zh 一个 main()，由它 await 这个任务，再用 asyncio.run(main()) 运行。
# aiodemo: notice.zh handle_exception 在任务完成时（1 秒）运行，但什么也不打印：task_with_exception
# aiodemo: notice.zh 自己捕获了 ValueError，所以任务正常结束，task.exception() 为 None。只打印了
# aiodemo: notice.zh “捕获异常: 异常示例”。只有协程让异常逃出来，完成回调才能看到它。
# aiodemo: say.en "捕获异常: {}" = "exception caught: {}"
# aiodemo: say.en "异常示例" = "an example exception"
# aiodemo: say.en "Task异常: {}" = "task exception: {}"
# aiodemo: end

# (added by aiodemo: the document's snippet leaves out the import)
import asyncio

async def task_with_exception():
    try:
        await asyncio.sleep(1)
        raise ValueError("异常示例")
    except Exception as e:
        print(f"捕获异常: {e}")

def handle_exception(task):
    if task.exception():
        print(f"Task异常: {task.exception()}")
        
# (changed by aiodemo: asyncio.create_task() needs a running event loop, so the
# document's two lines below run in main(), which then awaits the task)
async def main():
    task = asyncio.create_task(task_with_exception())
    task.add_done_callback(handle_exception)
    await task

asyncio.run(main())
