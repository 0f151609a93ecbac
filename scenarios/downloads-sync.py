# aiodemo: name downloads-sync
# aiodemo: title the image downloader, synchronous: requests.Session gets 10 images of 1 s one after the other, 10 s
# aiodemo: source 04-asyncio-tutorial.md, real-world case, the synchronous version
# aiodemo: source.zh 04-asyncio-tutorial.md，实际应用案例：同步版本的问题
# aiodemo: url base = https://httpbin.org latency 1s
# aiodemo: expect total 10s + 100ms cpu
# aiodemo: notice download_images gets each image after the last: ten requests of 1 s each
# aiodemo: notice (the local server's latency, standing for a far server), 10 s in all, and
# aiodemo: notice no event loop at all. The document gives only download_images: this file
# aiodemo: notice adds download_single_image as version 2 writes it, with requests instead of
# aiodemo: notice httpx, and the URLs, which it leaves out: ten blocks of 20,000 bytes from
# aiodemo: notice the local server, standing for the images. The document's process_images
# aiodemo: notice half is left out (its process_single_image is not given). Compare the four
# aiodemo: notice versions: aiodemo compare downloads-sync downloads-threads downloads-httpx
# aiodemo: notice downloads-semaphore.
# aiodemo: title.zh 图片下载器，同步版本：requests.Session 一个接一个地获取 10 张各 1 秒的图片，共 10 秒
# aiodemo: notice.zh download_images 一张接一张地获取图片：十个各 1 秒的请求（本地服务器的时延，代表一台远方的服务器），
# aiodemo: notice.zh 共 10 秒，而且根本没有事件循环。文档只给出了 download_images：这个文件按版本 2 的写法补上
# aiodemo: notice.zh download_single_image（用 requests 代替 httpx），以及文档省略的 URL：本地服务器的十块各
# aiodemo: notice.zh 20,000 字节的数据，代表图片。文档中 process_images 那一半没有包括（它没有给出
# aiodemo: notice.zh process_single_image）。比较这四个版本：aiodemo compare downloads-sync downloads-threads
# aiodemo: notice.zh downloads-httpx downloads-semaphore。
# aiodemo: end
import time
from pathlib import Path

import requests

URLS = [f"https://httpbin.org/bytes/20000?seed={n}" for n in range(1, 11)]
ORIGINAL_DIR = Path("original")
ORIGINAL_DIR.mkdir(exist_ok=True)


def download_single_image(session, url, img_num):
    print(f"Downloading {url}...")
    response = session.get(url, timeout=10)
    response.raise_for_status()

    filename = f"image_{img_num}.jpg"
    download_path = ORIGINAL_DIR / filename
    with open(download_path, "wb") as f:
        for chunk in response.iter_content(chunk_size=8192):
            f.write(chunk)

    print(f"Downloaded and saved to: {download_path}")
    return download_path


def download_images(urls):
    with requests.Session() as session:
        img_paths = [
            download_single_image(session, url, img_num)
            for img_num, url in enumerate(urls, start=1)
        ]
    return img_paths


start = time.perf_counter()
paths = download_images(URLS)
print(f"{len(paths)} images in {time.perf_counter() - start:.1f} s")
