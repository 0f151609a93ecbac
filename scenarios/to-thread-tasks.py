# aiodemo: name to-thread-tasks
# aiodemo: title create_task(to_thread(fetch_data, n)): the blocking fetches run in two threads at once, 2 s
# aiodemo: source 04-asyncio-tutorial.md, thread and process pools (threads)
# aiodemo: source.zh 04-asyncio-tutorial.md，线程和进程池：何时使用多线程处理 I/O 任务
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
# aiodemo: title.zh create_task(to_thread(fetch_data, n))：阻塞的获取在两个线程里同时运行，2 秒
# aiodemo: notice.zh fetch_data 是一个普通的阻塞函数，就像一个没有异步版本的库。asyncio.to_thread 把
# aiodemo: notice.zh 每次调用放到默认线程池各自的线程里运行，所以“Do something”和“Done”这些行是从
# aiodemo: notice.zh 工作线程打印的，两次 time.sleep 重叠：共 2 秒，事件循环保持空闲。
# aiodemo: notice.zh asyncio.to_thread(...) 是一个协程，create_task 把它包装成任务，任务第一次运行时
# aiodemo: notice.zh （main 一让出就开始）把调用交给一个线程。两个线程几乎同时开始，所以哪一行
# aiodemo: notice.zh “Do something”先出现，每次运行可能不同。这段代码省略了 asyncio.run(main())，
# aiodemo: notice.zh 这个文件补上了。它导入了 ProcessPoolExecutor 却没有使用。
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
