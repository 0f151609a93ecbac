"""Task names and lines in Chinese, of double width in a terminal: the
timeline's columns stay aligned."""
import asyncio


async def 下载任务(名字, 秒):
    print(f"📥 开始下载: {名字}")
    await asyncio.sleep(秒)
    print(f"✅ 完成下载: {名字}")


async def main():
    await asyncio.gather(下载任务("第一个文件", 0.5), 下载任务("2", 1))


asyncio.run(main())
