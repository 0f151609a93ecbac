# aiodemo: name coroutine-object
# aiodemo: title calling a coroutine function makes a coroutine object that runs nothing until awaited: 0.2 s, 0.1 s of it blocked
# aiodemo: source 04-asyncio-tutorial.md, coroutine functions and coroutine objects
# aiodemo: source.zh 04-asyncio-tutorial.md，协程函数与协程对象
# aiodemo: expect total 200ms
# aiodemo: expect "This is a synchronous function." at 0s
# aiodemo: expect "Sync Result: Test" at 100ms
# aiodemo: expect "This is an asynchronous coroutine function." at 100ms
# aiodemo: expect "Async Result: Test" at 200ms
# aiodemo: expect before "Sync Result: Test" "This is an asynchronous coroutine function."
# aiodemo: expect blocked 100ms
# aiodemo: notice sync_function is a plain function: main calls it, and its
# aiodemo: notice time.sleep(0.1) blocks the loop thread for 0.1 s before "Sync Result:
# aiodemo: notice Test" is printed. async_function("Test") only makes a coroutine
# aiodemo: notice object: print shows it as "<coroutine object async_function at 0x...>"
# aiodemo: notice (the address changes from run to run), and its body has not started.
# aiodemo: notice Only "await coroutine_obj" runs it: its first line comes after the
# aiodemo: notice coroutine object's, and its asyncio.sleep(0.1) gives the loop back.
# aiodemo: notice 0.2 s in all, of which the time.sleep blocked the loop for 0.1 s. The
# aiodemo: notice program is the document's, as it prints it.
# aiodemo: title.zh 调用协程函数只得到一个协程对象，await 之前什么都不运行：0.2 秒，其中 0.1 秒被阻塞
# aiodemo: notice.zh sync_function 是普通函数：main 调用它，它的 time.sleep(0.1) 先阻塞事件循环线程
# aiodemo: notice.zh 0.1 秒，然后才打印“Sync Result: Test”。async_function("Test") 只创建一个协程
# aiodemo: notice.zh 对象：print 把它显示为“<coroutine object async_function at 0x...>”（地址每次
# aiodemo: notice.zh 运行都不同），它的函数体还没有开始。只有“await coroutine_obj”才运行它：它的
# aiodemo: notice.zh 第一行在协程对象那一行之后出现，它的 asyncio.sleep(0.1) 把事件循环交了回去。
# aiodemo: notice.zh 共 0.2 秒，其中 time.sleep 阻塞事件循环 0.1 秒。程序就是文档里的，输出也照原样。
# aiodemo: end

import asyncio
import time

def sync_function(test_param: str) -> str:
    print("This is a synchronous function.")
    time.sleep(0.1)  # 阻塞操作
    return f"Sync Result: {test_param}"

# 这是一个协程函数
async def async_function(test_param: str) -> str:
    print("This is an asynchronous coroutine function.")
    await asyncio.sleep(0.1)  # 非阻塞操作
    return f"Async Result: {test_param}"

async def main():
    # 同步函数调用
    sync_result = sync_function("Test")
    print(sync_result)

    # 协程对象创建
    coroutine_obj = async_function("Test")
    print(coroutine_obj)  # 输出: <coroutine object async_function at 0x...>

    # 等待协程执行
    coroutine_result = await coroutine_obj
    print(coroutine_result)

if __name__ == "__main__":
    asyncio.run(main())
