# aiodemo: name exception-gather
# aiodemo: title Q5, gather(return_exceptions=True): the other task's error comes back among the results, at 1 s
# aiodemo: source 03-asyncio-interview-questions.md, Q5 (3: gather with return_exceptions)
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
