# aiodemo: name semaphore
# aiodemo: title Semaphore(3) and five 1 s tasks: three run at once, the other two wait their turn, 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q6
# aiodemo: source.zh 03-asyncio-interview-questions.md，第 6 题：并发控制
# aiodemo: expect total 2s
# aiodemo: expect "任务 2 开始执行" at 0s
# aiodemo: expect "任务 0 执行完成" at 1s
# aiodemo: expect "任务 3 开始执行" at 1s
# aiodemo: expect "任务 4 执行完成" at 2s
# aiodemo: expect before "任务 0 执行完成" "任务 3 开始执行"
# aiodemo: notice gather makes five tasks; all start at 0 s, but only three get past
# aiodemo: notice "async with semaphore". Tasks 3 and 4 wait on the semaphore, not on
# aiodemo: notice the loop: the loop is free. When tasks 0-2 leave the block at 1 s,
# aiodemo: notice tasks 3 and 4 go in, in the order they came, and end at 2 s. Without
# aiodemo: notice the semaphore all five would end at 1 s.
# aiodemo: title.zh Semaphore(3) 与五个各 1 秒的任务：三个同时运行，另外两个排队等候，共 2 秒
# aiodemo: notice.zh gather 创建了五个任务，都在 0 秒开始，但只有三个能进入
# aiodemo: notice.zh “async with semaphore”。任务 3 和 4 在信号量上等待，而不是在事件循环上：
# aiodemo: notice.zh 事件循环是空闲的。1 秒时任务 0-2 离开代码块，任务 3 和 4 按到达的顺序
# aiodemo: notice.zh 进入，在 2 秒结束。没有信号量的话，五个任务都会在 1 秒结束。
# aiodemo: say.en "任务 {} 开始执行" = "task {} starts"
# aiodemo: say.en "任务 {} 执行完成" = "task {} is done"
# aiodemo: end

import asyncio

async def task_with_semaphore(semaphore, id):
    async with semaphore:
        print(f"任务 {id} 开始执行")
        await asyncio.sleep(1)
        print(f"任务 {id} 执行完成")

async def main():
    # 限制最多3个任务并发
    semaphore = asyncio.Semaphore(3)
    tasks = [task_with_semaphore(semaphore, i) for i in range(5)]
    await asyncio.gather(*tasks)

asyncio.run(main())
