# aiodemo: name sync-fetch
# aiodemo: title Example 1, synchronous: fetch_data(1) then fetch_data(2) with time.sleep, 3 s, all of it blocking
# aiodemo: source 04-asyncio-tutorial.md, Example 1
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
