# aiodemo: name gather-exceptions
# aiodemo: title gather(return_exceptions=True): fetch 2 fails, fetch 3 still ends at 3 s, the error is among the results
# aiodemo: source 04-asyncio-tutorial.md, asyncio.gather() (the behaviour the prose describes)
# aiodemo: source.zh 04-asyncio-tutorial.md，高级并发控制：asyncio.gather()（正文所描述的行为）
# aiodemo: expect total 3s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Done with 3" at 3s
# aiodemo: expect "Coroutine Results: ['Result of 1', ValueError('Failed with 2'), 'Result of 3']" at 3s
# aiodemo: expect before "Done with 3" "Coroutine Results: ['Result of 1', ValueError('Failed with 2'), 'Result of 3']"
# aiodemo: expect blocked 0s
# aiodemo: notice This program is aiodemo's, not the document's. The document says this
# aiodemo: notice in words only: use gather when an error in one task must not affect
# aiodemo: notice the others, and a TaskGroup when every task must succeed and one error
# aiodemo: notice should cancel the rest. It shows no program for it. The program here
# aiodemo: notice is the section's main with Example 3's fetch_data made to fail for
# aiodemo: notice param 2, and three fetches.
# aiodemo: notice fetch 2 raises ValueError at 2 s. With return_exceptions=True, gather
# aiodemo: notice does not fail: fetch 3 goes on and ends at 3 s, and the exception
# aiodemo: notice takes fetch 2's place in the list of results, which prints at 3 s.
# aiodemo: notice Without return_exceptions, "await asyncio.gather(...)" would raise the
# aiodemo: notice ValueError at 2 s, while fetch 3 went on regardless. Compare: aiodemo
# aiodemo: notice run taskgroup-cancel.
# aiodemo: title.zh gather(return_exceptions=True)：fetch 2 失败，fetch 3 仍在 3 秒结束，错误在结果之中
# aiodemo: notice.zh 这个程序是 aiodemo 的，不是文档里的。文档只用文字说了这一点：一个任务出错不应
# aiodemo: notice.zh 影响其他任务时用 gather，每个任务都必须成功、一个出错就该取消其余任务时用
# aiodemo: notice.zh TaskGroup。它没有给出相应的程序。这里的程序是那一节的 main，配上示例 3 的
# aiodemo: notice.zh fetch_data（改成参数为 2 时失败），共三次获取。
# aiodemo: notice.zh fetch 2 在 2 秒抛出 ValueError。有 return_exceptions=True，gather 不会失败：
# aiodemo: notice.zh fetch 3 继续运行并在 3 秒结束，异常占据结果列表里 fetch 2 的位置，列表在 3 秒
# aiodemo: notice.zh 打印。没有 return_exceptions 的话，“await asyncio.gather(...)”会在 2 秒抛出
# aiodemo: notice.zh ValueError，而 fetch 3 照样继续运行。对比：aiodemo run taskgroup-cancel。
# aiodemo: end

# Not in the document: its gather section says in words that an error in one
# task does not stop the others. This is that section's program with
# fetch_data (Example 3) made to fail for param 2, and three of them.
import asyncio

async def fetch_data(param):
    print(f"Do something with {param}...")
    await asyncio.sleep(param)
    if param == 2:
        raise ValueError(f"Failed with {param}")
    print(f"Done with {param}")
    return f"Result of {param}"

async def main():
    coroutines = [fetch_data(i) for i in range(1, 4)]
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    print(f"Coroutine Results: {results}")

asyncio.run(main())
