# aiodemo: name to-thread-tasks
# aiodemo: title create_task(to_thread(fetch_data, n)): the blocking fetches run in two threads at once, 2 s
# aiodemo: source 04-asyncio-tutorial.md, thread and process pools (threads)
# aiodemo: expect total 2s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Thread 1 fully completed" at 1s
# aiodemo: expect "Thread 2 fully completed" at 2s
# aiodemo: expect before "Thread 1 fully completed" "Done with 2"
# aiodemo: expect blocked 0s
# aiodemo: notice fetch_data is a plain, blocking function, as with a library that has
# aiodemo: notice no async version. asyncio.to_thread runs each call in its own thread
# aiodemo: notice of the default pool, so its "Do something" and "Done" lines are
# aiodemo: notice printed from the worker threads, and both time.sleep calls overlap: 2
# aiodemo: notice s in all, with the loop free. asyncio.to_thread(...) is a coroutine,
# aiodemo: notice and create_task wraps it in a task that hands the call to a thread
# aiodemo: notice when it first runs, as soon as main yields. The two threads start at
# aiodemo: notice nearly the same moment, so which "Do something" line comes first can
# aiodemo: notice change between runs. The snippet leaves out asyncio.run(main()); this
# aiodemo: notice file adds it. It imports ProcessPoolExecutor without using it.
# aiodemo: end

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor

def fetch_data(param):  # 普通的阻塞函数（比如使用 requests 库）
    print(f"Do something with {param}...", flush=True)
    time.sleep(param)  # 模拟 I/O 等待
    print(f"Done with {param}", flush=True)
    return f"Result of {param}"

async def main():
    # 在线程中运行阻塞的 I/O 函数
    task1 = asyncio.create_task(asyncio.to_thread(fetch_data, 1))
    task2 = asyncio.create_task(asyncio.to_thread(fetch_data, 2))

    result1 = await task1
    print("Thread 1 fully completed")
    result2 = await task2
    print("Thread 2 fully completed")

# (added by aiodemo: the document leaves out this call)
asyncio.run(main())
