# aiodemo: name downloads-semaphore
# aiodemo: title the image downloader, version 3: version 2 with a Semaphore(4), 10 images of 1 s four at a time, 3 s
# aiodemo: source 04-asyncio-tutorial.md, real-world case, optimised version 3
# aiodemo: source.zh 04-asyncio-tutorial.md，实际应用案例：异步优化版本 3：并发控制
# aiodemo: url base = https://httpbin.org latency 1s
# aiodemo: param limit = 4 at "DOWNLOAD_LIMIT = 4"
# aiodemo: expect total 3s + 550ms cpu
# aiodemo: notice The Semaphore lets four downloads in at a time: three rounds of 1 s (4,
# aiodemo: notice 4 and 2 images), 3 s, slower than version 2. The document presents it as
# aiodemo: notice an optimisation: it is a limit, which spares the server and the machine,
# aiodemo: notice not a speed-up. --param limit=10 lets all ten in at once: 1 s again.
# aiodemo: title.zh 图片下载器，版本 3：版本 2 加上 Semaphore(4)，10 张各 1 秒的图片每次四张，共 3 秒
# aiodemo: notice.zh Semaphore 每次只放四个下载进去：三轮各 1 秒（4、4、2 张图片），共 3 秒，比版本 2 慢。文档把它
# aiodemo: notice.zh 当作一种优化：它其实是一个限制，保护服务器和机器，而不是提速。--param limit=10 让十个一起进去：
# aiodemo: notice.zh 又是 1 秒。
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


async def download_single_image(
    client: httpx.AsyncClient,
    url: str,
    img_num: int,
    semaphore: asyncio.Semaphore  # 信号量控制并发数
):
    async with semaphore:  # 限制同时下载的数量
        # ... 下载逻辑 (added by aiodemo: version 2's)
        print(f"Downloading {url}...")
        response = await client.get(url, timeout=10, follow_redirects=True)
        response.raise_for_status()

        filename = f"image_{img_num}.jpg"
        download_path = ORIGINAL_DIR / filename

        async with aiofiles.open(download_path, "wb") as f:
            async for chunk in response.aiter_bytes(chunk_size=8192):
                await f.write(chunk)

        print(f"Downloaded and saved to: {download_path}")
        return download_path

async def download_images(urls):
    DOWNLOAD_LIMIT = 4  # 最多同时下载4个文件
    dl_semaphore = asyncio.Semaphore(DOWNLOAD_LIMIT)

    async with httpx.AsyncClient() as client:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(
                    download_single_image(client, url, img_num, dl_semaphore)
                )
                for img_num, url in enumerate(urls, start=1)
            ]
        img_paths = [task.result() for task in tasks]
    return img_paths


start = time.perf_counter()
paths = asyncio.run(download_images(URLS))
print(f"{len(paths)} images in {time.perf_counter() - start:.1f} s")
