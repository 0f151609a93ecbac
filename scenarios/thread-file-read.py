# aiodemo: name thread-file-read
# aiodemo: title ThreadPoolExecutor(max_workers=2) reads two files in worker threads: lengths 6 and 6
# aiodemo: source 02-threads-and-processes.md, Level 2, feature 1
# aiodemo: source.zh 02-threads-and-processes.md，Level 2：核心特性，特性1：异步调用线程任务（IO密集型）
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
# aiodemo: title.zh ThreadPoolExecutor(max_workers=2) 在工作线程里读两个文件：长度 6 和 6
# aiodemo: notice.zh 文档的程序读取 file1.txt 和 file2.txt，注释说要先在 shell 里创建它们
# aiodemo: notice.zh （echo "hello" > file1.txt; echo "world" > file2.txt）。唯一的修改：那行
# aiodemo: notice.zh 注释之后的四行在当前目录写下这两个文件，读取时就能找到（文件会留在那里）。
# aiodemo: notice.zh echo 会加一个换行，所以每个文件有 6 个字符，与文档预期的一样。
# aiodemo: notice.zh 两次读取同时交给 ThreadPoolExecutor(max_workers=2)（读取快到一个线程
# aiodemo: notice.zh 可能就做完了两次），main 用 gather 等待两者，不阻塞事件循环。读 6 个字节
# aiodemo: notice.zh 只需几微秒，整个运行几乎立刻结束；要看的是读取在哪里运行，而不是要多久。
# aiodemo: say.en "文件1长度: {}, 文件2长度: {}" = "length of file 1: {}, length of file 2: {}"
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
