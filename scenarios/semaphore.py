# aiodemo: name semaphore
# aiodemo: title Semaphore(3) and five 1 s tasks: three run at once, the other two wait their turn, 2 s in all
# aiodemo: source 03-asyncio-interview-questions.md, Q6
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
