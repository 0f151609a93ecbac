# aiodemo: name threaded-downloads
# aiodemo: title requests.get in asyncio.to_thread: three downloads of 1 s each take 1 s in all, not 3 s
# aiodemo: source 01-offload-blocking-code.md, Level 4
# aiodemo: source.zh 01-offload-blocking-code.md，Level 4：实战应用（真实场景）
# aiodemo: url base = https://httpbin.org latency 1s
# aiodemo: expect total 1s + 70ms cpu
# aiodemo: expect "📊 下载结果：" at 1s + 70ms cpu
# aiodemo: expect blocked 0s
# aiodemo: notice Each requests.get blocks the thread that calls it until the answer
# aiodemo: notice comes; asyncio.to_thread runs each in a worker of the loop's default
# aiodemo: notice thread pool, so the three wait at the same time and the loop stays
# aiodemo: notice free. The URLs point at aiodemo's local server, which answers each
# aiodemo: notice request after 1 s (standing for a far server, as httpbin.org is);
# aiodemo: notice --param base=https://httpbin.org asks the real one.
# aiodemo: notice The lengths differ from the document's: they are those of the JSON
# aiodemo: notice the server sends back, which echoes the request's URL and headers.
# aiodemo: title.zh 在 asyncio.to_thread 里调用 requests.get：三次各 1 秒的下载共用 1 秒，而不是 3 秒
# aiodemo: notice.zh 每次 requests.get 都会阻塞调用它的线程，直到响应到来；asyncio.to_thread 让每次
# aiodemo: notice.zh 调用在事件循环默认线程池的一个工作线程里运行，所以三次同时等待，事件循环保持空闲。
# aiodemo: notice.zh 这些 URL 指向 aiodemo 的本地服务器，它在 1 秒后才回答每个请求（代表一台远方的
# aiodemo: notice.zh 服务器，就像 httpbin.org）；--param base=https://httpbin.org 则请求真正的那台。
# aiodemo: notice.zh 内容长度与文档的不同：它们是服务器返回的 JSON 的长度，其中回显了请求的 URL 和请求头。
# aiodemo: say.en "📊 下载结果：" = "📊 Download results:"
# aiodemo: say.en "[{}] 状态码: {}, 内容长度: {}" = "[{}] status: {}, length: {}"
# aiodemo: say.en "⏱️ 总耗时: {}秒" = "⏱️ total time: {} s"
# aiodemo: end
import asyncio
import requests
from typing import List

# 阻塞的HTTP请求函数（模拟真实下载）
def fetch_url(url: str) -> str:
    response = requests.get(url, timeout=3)
    return f"[{url}] 状态码: {response.status_code}, 内容长度: {len(response.text)}"

# 异步下载函数（offload阻塞逻辑）
async def async_download(url: str) -> str:
    return await asyncio.to_thread(fetch_url, url)

async def main():
    urls = [
        "https://httpbin.org/get?name=alice",
        "https://httpbin.org/get?name=bob",
        "https://httpbin.org/get?name=charlie"
    ]
    # 同时下载3个网页（总耗时≈1秒，而非3秒）
    results = await asyncio.gather(*[async_download(url) for url in urls])
    
    # 打印结果
    print("\n📊 下载结果：")
    for res in results:
        print(res)

if __name__ == "__main__":
    import time
    start = time.time()
    asyncio.run(main())
    print(f"\n⏱️ 总耗时: {time.time() - start:.2f}秒")
