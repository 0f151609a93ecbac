# aiodemo: name exception-try-except
# aiodemo: title Q5, try/except inside the coroutine: the ValueError raised after 1 s is caught and printed
# aiodemo: source 03-asyncio-interview-questions.md, Q5 (1: try/except in the coroutine)
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 5 题（1：在协程里 try/except）
# aiodemo: expect total 1s
# aiodemo: expect "捕获异常: 异常示例" at 1s
# aiodemo: expect blocked 0s
# aiodemo: expect ok
# aiodemo: notice The answer's first snippet, completed with import asyncio and
# aiodemo: notice asyncio.run(task_with_exception()), which it leaves out. The coroutine
# aiodemo: notice sleeps 1 s, raises ValueError("异常示例") and catches it itself: it prints
# aiodemo: notice "捕获异常: 异常示例" at 1 s and returns normally, so the run ends ok. The
# aiodemo: notice exception never leaves the coroutine: see exception-done-callback and
# aiodemo: notice exception-gather for what that means to the answer's other two ways.
# aiodemo: title.zh Q5，协程里的 try/except：1 秒后抛出的 ValueError 被捕获并打印
# aiodemo: notice.zh 回答的第一段代码，补上了它省略的 import asyncio 和
# aiodemo: notice.zh asyncio.run(task_with_exception())。协程睡 1 秒，抛出 ValueError("异常示例")
# aiodemo: notice.zh 并自己捕获：它在 1 秒打印“捕获异常: 异常示例”并正常返回，所以运行以 ok 结束。
# aiodemo: notice.zh 异常从未离开协程：这对回答的另外两种方式意味着什么，见
# aiodemo: notice.zh exception-done-callback 和 exception-gather。
# aiodemo: say.en "捕获异常: {}" = "exception caught: {}"
# aiodemo: say.en "异常示例" = "an example exception"
# aiodemo: end

# (added by aiodemo: the document's snippet leaves out the import)
import asyncio

async def task_with_exception():
    try:
        await asyncio.sleep(1)
        raise ValueError("异常示例")
    except Exception as e:
        print(f"捕获异常: {e}")

# (added by aiodemo: the snippet defines the coroutine and never runs it)
asyncio.run(task_with_exception())
