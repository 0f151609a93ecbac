"""Coroutine objects: one created and dropped is never run (CPython warns on
stderr); one awaited twice raises RuntimeError; close() and send() by hand;
async with and async for order, as in PEP 492."""
import asyncio
import gc
import types


async def greet(name):
    print(f"greet({name}) body runs")
    await asyncio.sleep(0.05)
    return f"hello {name}"


class Resource:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        print(f"{self.name}: __aenter__")
        await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        print(f"{self.name}: __aexit__ with", exc_type.__name__ if exc_type else None)
        await asyncio.sleep(0.05)
        return exc_type is KeyError  # swallow KeyError only


class Ticker:
    def __init__(self, n):
        self.i, self.n = 0, n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        await asyncio.sleep(0.05)
        self.i += 1
        return self.i


@types.coroutine
def old_style():
    print("old_style: yielding to the loop")
    yield
    return "old style done"


async def main():
    c = greet("dropped")
    print("main: created a coroutine; is it one?", asyncio.iscoroutine(c))
    del c
    gc.collect()
    print("main: dropped it; its body never ran")

    c = greet("twice")
    print("main:", await c)
    try:
        await c
    except RuntimeError as e:
        print("main: second await:", repr(e))

    c = greet("closed")
    c.close()
    print("main: closed without running; no warning for this one")

    c = greet("by hand")
    try:
        c.send(None)
    except StopIteration:
        pass
    print("main: send(None) ran it up to its first await")
    c.close()

    async with Resource("r1") as r:
        print(f"main: inside {r.name}")
    async with Resource("r2"):
        raise KeyError("swallowed by __aexit__")
    print("main: after r2, the KeyError was swallowed")
    try:
        async with Resource("r3"):
            raise ValueError("not swallowed")
    except ValueError as e:
        print("main: r3 let through", repr(e))

    print("main: ticks", [i async for i in Ticker(3)])
    print("main:", await old_style())


if __name__ == "__main__":
    asyncio.run(main())
