# aiodemo: name sync-fetch
# aiodemo: title Example 1, synchronous: fetch_data(1) then fetch_data(2) with time.sleep, 3 s, all of it blocking
# aiodemo: source 04-asyncio-tutorial.md, Example 1
# aiodemo: source.zh 04-asyncio-tutorial.md，同步版本（Example 1）
# aiodemo: expect total 3s
# aiodemo: expect "Fetch 1 fully completed" at 1s
# aiodemo: expect "Do something with 2..." at 1s
# aiodemo: expect "Fetch 2 fully completed" at 3s
# aiodemo: expect before "Fetch 1 fully completed" "Do something with 2..."
# aiodemo: notice The document's snippet defines main() but never calls it; as written
# aiodemo: notice it prints nothing. This file calls main() at the end: a plain call,
# aiodemo: notice since main is a plain def, and asyncio.run() takes only a coroutine.
# aiodemo: notice fetch_data is a plain function: time.sleep blocks the thread that
# aiodemo: notice calls it. The second fetch starts only when the first is over: 1 + 2 =
# aiodemo: notice 3 s. This program has no event loop at all, just one thread that
# aiodemo: notice waits, so there is no loop to block; the same calls made in a
# aiodemo: notice coroutine would block the loop for all 3 s (aiodemo run
# aiodemo: notice blocking-in-task). Next step: aiodemo run immediate-await.
# aiodemo: title.zh 示例 1，同步：用 time.sleep 先 fetch_data(1) 再 fetch_data(2)，共 3 秒，全程阻塞
# aiodemo: notice.zh 文档的代码定义了 main() 却从未调用它；照原样什么也不打印。这个文件在末尾调用
# aiodemo: notice.zh main()：普通的调用，因为 main 是普通的 def，而 asyncio.run() 只接受协程。
# aiodemo: notice.zh fetch_data 是普通函数：time.sleep 阻塞调用它的线程。第二次获取要等第一次结束才
# aiodemo: notice.zh 开始：1 + 2 = 3 秒。这个程序根本没有事件循环，只有一个在等待的线程，所以也没有
# aiodemo: notice.zh 事件循环可以阻塞；同样的调用放在协程里，会把事件循环阻塞整整 3 秒（aiodemo run
# aiodemo: notice.zh blocking-in-task）。下一步：aiodemo run immediate-await。
# aiodemo: end

import time

def fetch_data(param):
    print(f"Do something with {param}...")
    time.sleep(param)  # 阻塞等待
    print(f"Done with {param}")
    return f"Result of {param}"

def main():
    result1 = fetch_data(1)    # 必须等待1秒
    print("Fetch 1 fully completed")
    result2 = fetch_data(2)    # 必须等待2秒
    print("Fetch 2 fully completed")
    return [result1, result2]

# 总执行时间：3秒（1+2）

# (added by aiodemo: the document defines main() but never calls it)
main()
