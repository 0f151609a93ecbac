# aiodemo: name thread-file-read
# aiodemo: title ThreadPoolExecutor(max_workers=2) reads two files in worker threads: lengths 6 and 6
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 1
# aiodemo: expect total 0s
# aiodemo: expect "文件1长度: 6, 文件2长度: 6" at 0s
# aiodemo: expect blocked 0s
# aiodemo: notice The document's program reads file1.txt and file2.txt, which its
# aiodemo: notice comment says to create first in the shell (echo "hello" > file1.txt;
# aiodemo: notice echo "world" > file2.txt). The only change: four lines after that
# aiodemo: notice comment write the two files in the current directory, where the reads
# aiodemo: notice then find them (and they are left there). echo adds a newline, so each
# aiodemo: notice file holds 6 characters, as the document expects.
# aiodemo: notice Both reads go to ThreadPoolExecutor(max_workers=2) at once (a read is
# aiodemo: notice so quick that one thread may do both), and main waits for both with
# aiodemo: notice gather, without blocking the loop. Reading 6 bytes takes microseconds,
# aiodemo: notice so the whole run is over almost at once; the point is where the reads
# aiodemo: notice run, not how long they take.
# aiodemo: end

import asyncio
from concurrent.futures import ThreadPoolExecutor

# 同步IO函数：读取大文件（模拟耗时IO）
def read_large_file(file_path: str) -> str:
    with open(file_path, 'r', encoding='utf-8') as f:
        return f.read()  # 同步读取，会阻塞调用线程

async def main():
    # 创建线程池（最多2个线程）
    executor = ThreadPoolExecutor(max_workers=2)
    loop = asyncio.get_running_loop()
    
    # 提交2个文件读取任务到线程池，异步等待结果
    task1 = loop.run_in_executor(executor, read_large_file, 'file1.txt')
    task2 = loop.run_in_executor(executor, read_large_file, 'file2.txt')
    
    content1, content2 = await asyncio.gather(task1, task2)
    print(f"文件1长度: {len(content1)}, 文件2长度: {len(content2)}")

# 先创建测试文件：echo "hello" > file1.txt; echo "world" > file2.txt
# (added by aiodemo: the program creates the two files the comment above asks for)
with open('file1.txt', 'w', encoding='utf-8') as f:
    f.write('hello\n')
with open('file2.txt', 'w', encoding='utf-8') as f:
    f.write('world\n')
asyncio.run(main())
# 预期输出：文件1长度: 6, 文件2长度: 6
