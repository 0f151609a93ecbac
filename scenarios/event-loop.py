# aiodemo: name event-loop
# aiodemo: title Q3, the event loop by hand: get_event_loop, new_event_loop, run_until_complete of a 1 s coroutine, close
# aiodemo: source 03-asyncio-interview-questions.md, Q3
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 3 题：事件循环的作用
# aiodemo: expect total 1s
# aiodemo: expect "协程开始" at 0s
# aiodemo: expect "协程结束" at 1s
# aiodemo: expect before "协程开始" "协程结束"
# aiodemo: expect blocked 0s
# aiodemo: notice The answer's program calls coroutine() without defining it, and as
# aiodemo: notice printed stops with "NameError: name 'coroutine' is not defined". The
# aiodemo: notice only change: after the import, this file defines coroutine(), a
# aiodemo: notice coroutine of aiodemo's that prints "协程开始", sleeps 1 s with
# aiodemo: notice asyncio.sleep and prints "协程结束". Everything else is the document's.
# aiodemo: notice asyncio.get_event_loop() outside a coroutine gives the thread's loop,
# aiodemo: notice making one if there is none; the next line replaces it with a new loop
# aiodemo: notice from asyncio.new_event_loop(), which is never set as the thread's
# aiodemo: notice loop. run_until_complete runs that loop until the coroutine is done (1
# aiodemo: notice s, the loop free meanwhile) and returns its result, which the program
# aiodemo: notice keeps in result without printing it; loop.close() then closes it.
# aiodemo: notice asyncio.run(), which the other scenarios use, does all of this in one
# aiodemo: notice call.
# aiodemo: title.zh Q3，手动使用事件循环：get_event_loop、new_event_loop、run_until_complete 一个 1 秒的协程、close
# aiodemo: notice.zh 回答里的程序调用了 coroutine() 却没有定义它，照原样运行会以
# aiodemo: notice.zh “NameError: name 'coroutine' is not defined”停止。唯一的修改：在 import 之后，
# aiodemo: notice.zh 这个文件定义了 coroutine()，一个 aiodemo 写的协程，打印“协程开始”，用
# aiodemo: notice.zh asyncio.sleep 睡 1 秒，再打印“协程结束”。其余都是文档的。
# aiodemo: notice.zh 在协程之外，asyncio.get_event_loop() 给出当前线程的事件循环，没有就新建一个；
# aiodemo: notice.zh 下一行用 asyncio.new_event_loop() 的新循环替换了它，而这个新循环从未被设为
# aiodemo: notice.zh 线程的事件循环。run_until_complete 运行这个循环直到协程完成（1 秒，期间事件
# aiodemo: notice.zh 循环是空闲的），并返回协程的结果，程序把它存进 result 但不打印；之后
# aiodemo: notice.zh loop.close() 关闭循环。其他场景用的 asyncio.run() 一次调用就做完了这一切。
# aiodemo: say.en "协程开始" = "the coroutine starts"
# aiodemo: say.en "协程结束" = "the coroutine ends"
# aiodemo: end

# Python 3.7+推荐方式
import asyncio

# (added by aiodemo: the answer calls coroutine() but never defines it)
async def coroutine():
    print("协程开始")
    await asyncio.sleep(1)
    print("协程结束")
    return "协程结果"

# 获取当前线程的事件循环
loop = asyncio.get_event_loop()

# 创建新的事件循环（不推荐在生产环境直接使用）
loop = asyncio.new_event_loop()

# 运行事件循环直到协程完成
result = loop.run_until_complete(coroutine())

# 关闭事件循环（程序结束前调用）
loop.close()
