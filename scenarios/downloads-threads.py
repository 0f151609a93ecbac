# aiodemo: name downloads-threads
# aiodemo: title the image downloader, version 1: a TaskGroup of asyncio.to_thread, 10 images of 1 s in the default pool's threads
# aiodemo: source 04-asyncio-tutorial.md, real-world case, optimised version 1
# aiodemo: source.zh 04-asyncio-tutorial.md，实际应用案例：异步优化版本 1：基础异步
# aiodemo: url base = https://httpbin.org latency 1s
# aiodemo: expect blocked 0s
# aiodemo: notice Each download runs in a worker of the loop's default thread pool, which
# aiodemo: notice has min(32, CPUs + 4) workers: 6 on two CPUs, so the ten take 2 s,
# aiodemo: notice ceil(10 / workers) rounds of 1 s, and 1 s from 6 CPUs up; the loop stays
# aiodemo: notice free meanwhile. The workers take the GIL from the loop a few milliseconds at
# aiodemo: notice a time as they start and read their answers, which a small --scale can show
# aiodemo: notice as blocking. The document's version 1 calls download_single_image(url,
# aiodemo: notice img_num) without a session: this file adds the synchronous version's,
# aiodemo: notice without it.
# aiodemo: title.zh 图片下载器，版本 1：TaskGroup 加 asyncio.to_thread，10 张各 1 秒的图片在默认线程池的线程里下载
# aiodemo: notice.zh 每次下载都在事件循环默认线程池的一个工作线程里运行，线程池有 min(32, CPU 数 + 4) 个工作线程：
# aiodemo: notice.zh 双核机器上是 6 个，所以十次下载用 2 秒，即 ceil(10 / 工作线程数) 轮、每轮 1 秒，从 6 个 CPU
# aiodemo: notice.zh 起则是 1 秒；其间事件循环保持空闲。工作线程启动和读取响应时会从事件循环那里拿走 GIL，每次几毫秒，
# aiodemo: notice.zh --scale 小时可能显示为阻塞。文档的版本 1 调用 download_single_image(url, img_num) 时没有传
# aiodemo: notice.zh session：这个文件补上同步版本的函数，去掉了 session。
# aiodemo: end
import asyncio
import time
from pathlib import Path

import requests

# (added by aiodemo: the document's version 1 calls download_single_image(url,
# img_num) without a session; this is the synchronous version's, without it)
URLS = [f"https://httpbin.org/bytes/20000?seed={n}" for n in range(1, 11)]
ORIGINAL_DIR = Path("original")
ORIGINAL_DIR.mkdir(exist_ok=True)


def download_single_image(url, img_num):
    print(f"Downloading {url}...")
    response = requests.get(url, timeout=10)
    response.raise_for_status()

    filename = f"image_{img_num}.jpg"
    download_path = ORIGINAL_DIR / filename
    with open(download_path, "wb") as f:
        for chunk in response.iter_content(chunk_size=8192):
            f.write(chunk)

    print(f"Downloaded and saved to: {download_path}")
    return download_path


async def download_images(urls):
    async with asyncio.TaskGroup() as tg:
        tasks = [
            tg.create_task(asyncio.to_thread(download_single_image, url, img_num))
            for img_num, url in enumerate(urls, start=1)
        ]
    img_paths = [task.result() for task in tasks]
    return img_paths


start = time.perf_counter()
paths = asyncio.run(download_images(URLS))
print(f"{len(paths)} images in {time.perf_counter() - start:.1f} s")
