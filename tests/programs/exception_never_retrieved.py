"""A task that fails while nobody awaits it: CPython reports "Task exception
was never retrieved" when the task is destroyed (to stderr by default, or
to the loop's exception handler). A retrieved exception is not reported."""
import asyncio
import gc


async def fail(name, delay):
    await asyncio.sleep(delay)
    print(f"{name}: raising")
    raise ZeroDivisionError(f"{name} failed")


async def main():
    loop = asyncio.get_running_loop()

    t = asyncio.create_task(fail("orphan", 0.05))
    await asyncio.sleep(0.1)
    print("main: orphan done =", t.done(), "- dropping it unretrieved (logged to stderr)")
    del t
    gc.collect()
    print("main: carried on after the default report")

    reports = []

    def handler(lp, context):
        reports.append(context["message"])
        print("handler:", context["message"], "-", repr(context.get("exception")))

    loop.set_exception_handler(handler)

    t = asyncio.create_task(fail("second orphan", 0.05))
    await asyncio.sleep(0.1)
    del t
    gc.collect()
    print("main: reports so far:", len(reports))

    t = asyncio.create_task(fail("retrieved", 0.05))
    await asyncio.sleep(0.1)
    print("main: retrieved exception:", repr(t.exception()))
    del t
    gc.collect()
    print("main: reports after a retrieved one:", len(reports))

    fut = loop.create_future()
    fut.set_exception(RuntimeError("future never retrieved"))
    del fut
    gc.collect()
    print("main: reports after a plain future:", len(reports))

    t = asyncio.create_task(fail("awaited", 0.05))
    try:
        await t
    except ZeroDivisionError as e:
        print("main: awaited it, caught", repr(e))
    del t
    gc.collect()
    print("main: reports at the end:", len(reports))
    loop.set_exception_handler(None)


if __name__ == "__main__":
    asyncio.run(main())
