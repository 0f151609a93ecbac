# aiodemo: name exception-gather
# aiodemo: title Q5, gather(return_exceptions=True): the other task's error comes back among the results, at 1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q5 (3: gather with return_exceptions)
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 5 题（3：gather 加 return_exceptions）
# aiodemo: expect total 1s
# aiodemo: expect "捕获异常: 异常示例" at 1s
# aiodemo: expect "处理结果中的异常: 另一个任务失败" at 1s
# aiodemo: expect before "捕获异常: 异常示例" "处理结果中的异常: 另一个任务失败"
# aiodemo: expect blocked 0s
# aiodemo: expect ok
# aiodemo: notice The answer's third snippet, after the first one it uses
# aiodemo: notice (task_with_exception). Its main() also calls another_task(), which the
# aiodemo: notice document never defines (a NameError as printed). The changes: import
# aiodemo: notice asyncio and asyncio.run(main()) are added, and another_task is
# aiodemo: notice aiodemo's: it sleeps 0.5 s and raises RuntimeError("另一个任务失败"), so that
# aiodemo: notice one result is an exception.
# aiodemo: notice another_task fails at 0.5 s; with return_exceptions=True gather does
# aiodemo: notice not raise, and waits for task_with_exception, which catches its own
# aiodemo: notice ValueError and prints "捕获异常: 异常示例" at 1 s, returning None. gather then
# aiodemo: notice gives [None, RuntimeError(...)], and main prints the one exception
# aiodemo: notice among the results, at 1 s.
# aiodemo: title.zh Q5，gather(return_exceptions=True)：另一个任务的错误在 1 秒时作为结果之一返回
# aiodemo: notice.zh 回答的第三段代码，接在它所用的第一段（task_with_exception）之后。它的 main()
# aiodemo: notice.zh 还调用了 another_task()，而文档从未定义它（照原样会 NameError）。修改之处：
# aiodemo: notice.zh 加上 import asyncio 和 asyncio.run(main())，another_task 由 aiodemo 提供：
# aiodemo: notice.zh 它睡 0.5 秒后抛出 RuntimeError("另一个任务失败")，让一个结果成为异常。
# aiodemo: notice.zh another_task 在 0.5 秒失败；有 return_exceptions=True，gather 不会抛出异常，
# aiodemo: notice.zh 而是继续等待 task_with_exception，后者自己捕获 ValueError，在 1 秒打印
# aiodemo: notice.zh “捕获异常: 异常示例”并返回 None。于是 gather 给出 [None, RuntimeError(...)]，
# aiodemo: notice.zh main 在 1 秒打印结果中的那一个异常。
# aiodemo: say.en "捕获异常: {}" = "exception caught: {}"
# aiodemo: say.en "异常示例" = "an example exception"
# aiodemo: say.en "处理结果中的异常: {}" = "an exception among the results: {}"
# aiodemo: say.en "另一个任务失败" = "another task failed"
# aiodemo: end

# (added by aiodemo: the document's snippet leaves out the import)
import asyncio

async def task_with_exception():
    try:
        await asyncio.sleep(1)
        raise ValueError("异常示例")
    except Exception as e:
        print(f"捕获异常: {e}")

# (added by aiodemo: the answer's main() calls another_task() but never defines it)
async def another_task():
    await asyncio.sleep(0.5)
    raise RuntimeError("另一个任务失败")

async def main():
    tasks = [task_with_exception(), another_task()]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            print(f"处理结果中的异常: {result}")

# (added by aiodemo: the snippet leaves out this call)
asyncio.run(main())
