# aiodemo: name bounded-pool
# aiodemo: title ThreadPoolExecutor(max_workers=3), four 1 s downloads: the 4th waits in the queue, 2 s in all
# aiodemo: source 01-offload-blocking-code.md, Level 2, feature 2
# aiodemo: source.zh 01-offload-blocking-code.md，Level 2：核心特性，特性2：自定义线程池（控制并发数）
# aiodemo: param workers = 3 at "max_workers=3"
# aiodemo: expect total 2s
# aiodemo: expect "📥 开始下载: url4" at 0s
# aiodemo: expect "✅ 完成下载: url3" at 1s
# aiodemo: expect "✅ 完成下载: url4" at 2s
# aiodemo: expect before "✅ 完成下载: url3" "✅ 完成下载: url4"
# aiodemo: expect blocked 0s
# aiodemo: notice All four downloads start at 0 s and submit their time.sleep(1) to the
# aiodemo: notice pool at once, but ThreadPoolExecutor(max_workers=3) has three threads.
# aiodemo: notice The fourth call waits in the pool's queue until a thread is free at 1
# aiodemo: notice s, and url4 finishes at 2 s. Try --param workers=4: every download
# aiodemo: notice ends at 1 s. With --param workers=1 they run one after another: 4 s.
# aiodemo: title.zh ThreadPoolExecutor(max_workers=3) 与四个各 1 秒的下载：第 4 个在队列里等候，共 2 秒
# aiodemo: notice.zh 四个下载都在 0 秒开始，同时把各自的 time.sleep(1) 提交给线程池，但
# aiodemo: notice.zh ThreadPoolExecutor(max_workers=3) 只有三个线程。第四个调用在线程池的队列
# aiodemo: notice.zh 里一直等到 1 秒有线程空出来，url4 在 2 秒完成。试试 --param workers=4：
# aiodemo: notice.zh 每个下载都在 1 秒结束。用 --param workers=1，它们一个接一个运行：4 秒。
# aiodemo: say.en "📥 开始下载: {}" = "📥 download starts: {}"
# aiodemo: say.en "✅ 完成下载: {}" = "✅ download done: {}"
# aiodemo: end

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

# 自定义线程池（最多3个线程）
custom_executor = ThreadPoolExecutor(max_workers=3)

async def download_task(url: str):
    print(f"📥 开始下载: {url}")
    loop = asyncio.get_running_loop()
    # 使用自定义线程池执行阻塞的sleep（模拟下载）
    await loop.run_in_executor(custom_executor, time.sleep, 1)  
    print(f"✅ 完成下载: {url}")

async def main():
    urls = ["url1", "url2", "url3", "url4"]
    # 同时下载4个文件（线程池限制为3，总耗时≈2秒）
    await asyncio.gather(*[download_task(url) for url in urls])
    custom_executor.shutdown()  # 关闭线程池

asyncio.run(main())
