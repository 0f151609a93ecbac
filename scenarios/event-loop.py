# aiodemo: name event-loop
# aiodemo: title Q3, the event loop by hand: get_event_loop, new_event_loop, run_until_complete of a 1 s coroutine, close
# aiodemo: source 03-asyncio-interview-questions.md, Q3
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
