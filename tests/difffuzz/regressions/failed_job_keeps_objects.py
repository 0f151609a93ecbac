"""A thread job that raised kept the program's objects alive.

The exception of a job that raises leads, through its traceback's frames,
back to the frame of the work item's run(); aiodemo's work item (which
reports the job's start and end) kept itself in that frame, and so the
future and the exception: a cycle that only the collector frees. python3
frees the main task's frame and its objects as soon as asyncio.run()
returns; under aiodemo they stayed: the weak reference below was still
alive, and an async generator closed in such a main() was closed again by
the next asyncio.run()'s shutdown, in a task of its own, so that every
later default task name was one number higher (found by difffuzz, seed
4000835: "epilogue: runs in Task-5" where python3 says Task-4).

    aiodemo run failed_job_keeps_objects.py --format json
"""
import asyncio
import weakref


class Thing:
    pass


def fails():
    raise ValueError("the job failed")


async def main():
    global ref
    thing = Thing()
    ref = weakref.ref(thing)
    try:
        await asyncio.get_running_loop().run_in_executor(None, fails)
    except ValueError as e:
        print("main: caught", e)


async def after():
    print("after: runs in", asyncio.current_task().get_name())


asyncio.run(main())
print("the thing is", "gone" if ref() is None else "still alive")
asyncio.run(after())
