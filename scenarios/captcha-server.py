# aiodemo: name captcha-server
# aiodemo: title An aiohttp server hands each captcha (0.1 s of work) to a ProcessPoolExecutor: ten at once take ceil(10 / CPUs) x 0.1 s
# aiodemo: source 02-threads-and-processes.md, Level 4
# aiodemo: source.zh 02-threads-and-processes.md，Level 4：实战应用（真实场景）
# aiodemo: param port = 8080 at "port=8080"
# aiodemo: clients 10 ask /captcha?length=8
# aiodemo: expect blocked 30ms cpu
# aiodemo: notice A server: aiodemo serve captcha-server runs it until Ctrl-C, and
# aiodemo: notice aiodemo serve captcha-server --clients 10 sends it the document's ten
# aiodemo: notice requests at once (GET /captcha?length=8), then stops it and tells each
# aiodemo: notice answer. Each request is a task of aiohttp's on the loop; each hands
# aiodemo: notice generate_captcha to the process pool and waits, so the loop stays free
# aiodemo: notice to take the other requests. ProcessPoolExecutor() has one worker process
# aiodemo: notice per CPU, and each captcha sleeps 0.1 s in one: ten captchas take
# aiodemo: notice ceil(10 / CPUs) x 0.1 s (0.5 s on two CPUs), the later ones waiting in
# aiodemo: notice the pool's queue. "In parallel" holds only as far as there are CPUs.
# aiodemo: notice The last line, web.run_app(init_app(), port=8080), names the port that
# aiodemo: notice aiohttp takes by default, so that --port can change it.
# aiodemo: title.zh aiohttp 服务器把每个验证码（0.1 秒的工作）交给 ProcessPoolExecutor：同时十个需要 ceil(10 / CPU 数) x 0.1 秒
# aiodemo: notice.zh 这是一个服务器：aiodemo serve captcha-server 运行它直到 Ctrl-C；aiodemo serve
# aiodemo: notice.zh captcha-server --clients 10 同时发出文档里的十个请求（GET /captcha?length=8），
# aiodemo: notice.zh 然后停止它并列出每个回答。每个请求都是 aiohttp 在事件循环上的一个任务；它把
# aiodemo: notice.zh generate_captcha 交给进程池然后等待，所以事件循环保持空闲，可以接收其他请求。
# aiodemo: notice.zh ProcessPoolExecutor() 每个 CPU 一个工作进程，每个验证码在其中睡 0.1 秒：十个验证码
# aiodemo: notice.zh 需要 ceil(10 / CPU 数) x 0.1 秒（两个 CPU 上 0.5 秒），后面的在进程池的队列里等待，
# aiodemo: notice.zh 所以“并行处理”只在 CPU 数以内成立。
# aiodemo: notice.zh 最后一行 web.run_app(init_app(), port=8080) 写出了 aiohttp 默认的端口，好让 --port 能改它。
# aiodemo: end
import asyncio
import random
from aiohttp import web
from concurrent.futures import ProcessPoolExecutor

# 同步CPU密集型函数：生成随机验证码（模拟图像生成）
def generate_captcha(length: int = 6) -> str:
    import time
    time.sleep(0.1)  # 模拟复杂计算（如绘制图片）
    return ''.join(random.choices('abcdef123456', k=length))

# 异步请求处理器
async def handle_captcha(request):
    length = int(request.query.get('length', 6))
    executor = request.app['executor']  # 从app获取进程池
    
    # 提交验证码生成任务到进程池
    captcha = await asyncio.get_running_loop().run_in_executor(
        executor, generate_captcha, length
    )
    return web.json_response({'captcha': captcha})

# 初始化应用
async def init_app():
    app = web.Application()
    app['executor'] = ProcessPoolExecutor()  # 绑定进程池到app
    app.add_routes([web.get('/captcha', handle_captcha)])
    return app

if __name__ == '__main__':
    web.run_app(init_app(), port=8080)
