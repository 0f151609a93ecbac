"""A failed task kept in a module global: CPython reports "Task exception was
never retrieved" only when the interpreter clears the globals at exit, after
the last line of the program, as python3 prints it."""
import asyncio

tasks = []


async def fail():
    await asyncio.sleep(0.1)
    raise ValueError("kept but never looked at")


async def main():
    tasks.append(asyncio.create_task(fail()))
    await asyncio.sleep(0.2)
    print("main ends")


asyncio.run(main())
print("the program's last line")
