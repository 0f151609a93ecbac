"""Futures and their done callbacks: callbacks run in the order they were
added, never inside set_result() itself; a callback added to a done future
is scheduled at once; remove_done_callback(); invalid states; cancel with a
message; several tasks awaiting one future wake in order."""
import asyncio


async def main():
    loop = asyncio.get_running_loop()

    fut = loop.create_future()

    def cb(name):
        def inner(f):
            state = "cancelled" if f.cancelled() else repr(f.result()) if f.exception() is None else repr(f.exception())
            print(f"callback {name}: {state}")
        return inner

    first, second, removed = cb("first"), cb("second"), cb("removed")
    fut.add_done_callback(first)
    fut.add_done_callback(removed)
    fut.add_done_callback(second)
    fut.add_done_callback(removed)
    print("remove_done_callback removed", fut.remove_done_callback(removed))
    try:
        fut.result()
    except asyncio.InvalidStateError as e:
        print("result() of a pending future:", repr(e))
    fut.set_result(42)
    print("set_result returned; no callback has run yet")
    await asyncio.sleep(0)
    print("after one pass of the loop")
    fut.add_done_callback(cb("late"))
    print("added a callback to a done future")
    await asyncio.sleep(0)
    try:
        fut.set_result(43)
    except asyncio.InvalidStateError as e:
        print("set_result twice:", repr(e))

    efut = loop.create_future()
    efut.add_done_callback(cb("on error"))
    efut.set_exception(KeyError("k"))
    await asyncio.sleep(0)
    try:
        await efut
    except KeyError as e:
        print("awaiting the failed future:", repr(e))

    cfut = loop.create_future()
    cfut.add_done_callback(cb("on cancel"))
    print("cancel() returned", cfut.cancel("stop please"))
    await asyncio.sleep(0)
    try:
        cfut.exception()
    except asyncio.CancelledError as e:
        print("exception() of a cancelled future raises CancelledError", e.args)
    print("set_result on a cancelled future is refused:", end=" ")
    try:
        cfut.set_result(1)
    except asyncio.InvalidStateError:
        print("InvalidStateError")

    shared = loop.create_future()

    async def waiter(name):
        value = await shared
        print(f"{name}: woke with {value}")

    tasks = [asyncio.create_task(waiter(f"w{i}")) for i in range(3)]
    await asyncio.sleep(0.05)
    loop.call_later(0.1, shared.set_result, "shared value")
    await asyncio.gather(*tasks)

    async def quick():
        await asyncio.sleep(0.05)
        return "task result"

    t = asyncio.create_task(quick())
    t.add_done_callback(lambda task: print("task callback sees", task.result()))
    print("awaited:", await t)
    await asyncio.sleep(0)
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
