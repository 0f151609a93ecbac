"""asyncio.timeout() and timeout_at(): expiry turns the CancelledError into
TimeoutError at the block's edge; nested timeouts, whichever is first;
reschedule(); None disables; a swallowed cancel means no TimeoutError; a
cancel from outside stays a CancelledError."""
import asyncio


async def basic():
    try:
        async with asyncio.timeout(0.1) as cm:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("basic: inside the block the timeout is a CancelledError")
                raise
    except TimeoutError as e:
        print("basic: outside it is", repr(e), "- expired() =", cm.expired())
    print("basic: cancelling() back to", asyncio.current_task().cancelling())


async def nested():
    try:
        async with asyncio.timeout(0.3):
            try:
                async with asyncio.timeout(0.1):
                    await asyncio.sleep(1)
            except TimeoutError:
                print("nested: the inner timeout fired first")
            await asyncio.sleep(1)
    except TimeoutError:
        print("nested: then the outer one")

    try:
        async with asyncio.timeout(0.1) as outer:
            async with asyncio.timeout(0.3) as inner:
                await asyncio.sleep(1)
    except TimeoutError:
        print("nested: outer first; inner expired =", inner.expired(), "outer expired =", outer.expired())


async def reschedule_and_disable():
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(None) as cm:
        print("disabled: when() =", cm.when())
        await asyncio.sleep(0.05)
        cm.reschedule(loop.time() + 0.1)
        print("disabled: rescheduled, when() is set =", cm.when() is not None)
        try:
            await asyncio.sleep(0.05)
            print("disabled: short sleep finished inside the new deadline")
        except asyncio.CancelledError:
            print("disabled: not expected")
            raise
        cm.reschedule(None)
        await asyncio.sleep(0.1)
        print("disabled: deadline removed again, no timeout; expired =", cm.expired())

    try:
        async with asyncio.timeout_at(loop.time() + 0.1):
            await asyncio.sleep(1)
    except TimeoutError:
        print("timeout_at: TimeoutError")

    try:
        async with asyncio.timeout(-1):
            print("past: the block starts")
            await asyncio.sleep(0)
            print("past: not reached")
    except TimeoutError:
        print("past: a deadline in the past fires at the first await")


async def swallowed():
    async with asyncio.timeout(0.05) as cm:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("swallowed: body catches the cancel and carries on")
    print("swallowed: no TimeoutError; expired() =", cm.expired())


async def outside_cancel():
    async def body():
        try:
            async with asyncio.timeout(1):
                await asyncio.sleep(1)
        except TimeoutError:
            print("outside: TimeoutError (not expected)")

    t = asyncio.create_task(body())
    await asyncio.sleep(0.05)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("outside: a cancel from outside stays CancelledError")


async def main():
    await basic()
    await nested()
    await reschedule_and_disable()
    await swallowed()
    await outside_cancel()


if __name__ == "__main__":
    asyncio.run(main())
