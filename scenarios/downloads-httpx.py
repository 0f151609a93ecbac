# aiodemo: name downloads-httpx
# aiodemo: title the image downloader, version 2: httpx.AsyncClient and aiofiles, 10 images of 1 s at once on the loop, 1 s
# aiodemo: source 04-asyncio-tutorial.md, real-world case, optimised version 2
# aiodemo: source.zh 04-asyncio-tutorial.md，实际应用案例：异步优化版本 2：真正的异步 I/O
# aiodemo: url base = https://httpbin.org latency 1s
# aiodemo: expect total 1s + 450ms cpu
# aiodemo: notice All ten requests go out at once from the loop's one thread: 1 s in all,
# aiodemo: notice plus what no --scale shortens (importing httpx and aiofiles, some 0.3 s of
# aiodemo: notice CPU here, and httpx's work on each answer). Creating the httpx.AsyncClient
# aiodemo: notice blocks the loop for tens of milliseconds: it loads the certificate
# aiodemo: notice authorities for HTTPS. aiofiles does not make file I/O asynchronous: each
# aiodemo: notice write goes to the loop's default thread pool (the asyncio/N lanes).
# aiodemo: title.zh 图片下载器，版本 2：httpx.AsyncClient 和 aiofiles，10 张各 1 秒的图片在事件循环上同时下载，共 1 秒
# aiodemo: notice.zh 十个请求都从事件循环的一个线程同时发出：共 1 秒，另加任何 --scale 都无法缩短的部分（导入 httpx
# aiodemo: notice.zh 和 aiofiles，这里约 0.3 秒 CPU 时间，以及 httpx 处理每个响应的工作）。创建 httpx.AsyncClient
# aiodemo: notice.zh 会阻塞事件循环几十毫秒：它要为 HTTPS 加载证书颁发机构。aiofiles 并没有让文件 I/O 变成异步：
# aiodemo: notice.zh 每次写入都交给事件循环的默认线程池（asyncio/N 各泳道）。
# aiodemo: end
import asyncio
import time
from pathlib import Path

import aiofiles
import httpx

# (added by aiodemo: the images and where they go, which the document leaves out)
URLS = [f"https://httpbin.org/bytes/20000?seed={n}" for n in range(1, 11)]
ORIGINAL_DIR = Path("original")
ORIGINAL_DIR.mkdir(exist_ok=True)


async def download_single_image(client: httpx.AsyncClient, url: str, img_num: int):
    print(f"Downloading {url}...")
    response = await client.get(url, timeout=10, follow_redirects=True)
    response.raise_for_status()

    filename = f"image_{img_num}.jpg"
    download_path = ORIGINAL_DIR / filename

    # 异步文件操作
    async with aiofiles.open(download_path, "wb") as f:
        # async for: 异步迭代器，每次迭代会 await 数据准备
        async for chunk in response.aiter_bytes(chunk_size=8192):
            await f.write(chunk)

    print(f"Downloaded and saved to: {download_path}")
    return download_path

async def download_images(urls):
    async with httpx.AsyncClient() as client:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(download_single_image(client, url, img_num))
                for img_num, url in enumerate(urls, start=1)
            ]
        img_paths = [task.result() for task in tasks]
    return img_paths


start = time.perf_counter()
paths = asyncio.run(download_images(URLS))
print(f"{len(paths)} images in {time.perf_counter() - start:.1f} s")
