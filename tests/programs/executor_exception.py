"""Exceptions raised in worker threads come back to the awaiting coroutine:
their type, args, cause and the worker frame in the traceback; the loop and
the other tasks carry on; a shut-down executor refuses new jobs."""
import asyncio
import concurrent.futures
import time
import traceback


class QuotaError(Exception):
    def __init__(self, user, limit):
        super().__init__(user, limit)
        self.user, self.limit = user, limit


def parse(text):
    time.sleep(0.05)
    return int(text)


def over_quota(user):
    time.sleep(0.1)
    raise QuotaError(user, 3)


def chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def ok(x):
    time.sleep(0.15)
    return x * 2


async def main():
    loop = asyncio.get_running_loop()
    try:
        await asyncio.to_thread(parse, "not a number")
    except ValueError as e:
        print("to_thread raised:", repr(e))
        names = [f.name for f in traceback.extract_tb(e.__traceback__)]
        print("worker frame in the traceback:", "parse" in names)

    good = asyncio.create_task(asyncio.to_thread(ok, 21))
    try:
        await asyncio.to_thread(over_quota, "ann")
    except QuotaError as e:
        print("custom exception:", repr(e), "- user", e.user, "limit", e.limit)
    print("the other job is still running:", not good.done())
    print("other job result:", await good)

    try:
        await asyncio.to_thread(chained)
    except RuntimeError as e:
        print("chained:", repr(e), "caused by", repr(e.__cause__))

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        results = await asyncio.gather(
            loop.run_in_executor(pool, parse, "7"),
            loop.run_in_executor(pool, parse, "x7"),
            loop.run_in_executor(pool, parse, "8"),
            return_exceptions=True)
        print("gather over one worker:", [repr(r) for r in results])

        cf = pool.submit(parse, "oops")
        try:
            await asyncio.wrap_future(cf)
        except ValueError as e:
            print("wrap_future raised:", repr(e))
    try:
        await loop.run_in_executor(pool, parse, "1")
    except RuntimeError as e:
        print("after shutdown:", repr(e))


if __name__ == "__main__":
    asyncio.run(main())
