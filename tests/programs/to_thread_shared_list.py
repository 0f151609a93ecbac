"""asyncio.to_thread() workers share a list with the loop: no copy is made,
so what a thread appends is at once visible to the coroutines, and the loop
keeps running while the threads sleep. Context variables go along."""
import asyncio
import contextvars
import threading
import time

request = contextvars.ContextVar("request", default="none")


def worker(shared, name, delay):
    time.sleep(delay)
    shared.append(f"{name} (request {request.get()})")
    print(f"{name}: appended from a worker thread; off the main thread = "
          f"{threading.current_thread() is not threading.main_thread()}")
    return len(shared)


def grow_in_place(shared):
    time.sleep(0.05)
    shared.extend(["x", "y"])
    shared[0] = "replaced by a thread"
    return id(shared)


async def observer(shared):
    await asyncio.sleep(0.15)
    for step in range(3):
        if step:
            await asyncio.sleep(0.2)
        print(f"observer at step {step}: the loop sees {len(shared) - 1} thread entries")


async def main():
    shared = ["loop start"]
    request.set("r-42")
    obs = asyncio.create_task(observer(shared))
    lengths = await asyncio.gather(
        asyncio.to_thread(worker, shared, "w-late", 0.45),
        asyncio.to_thread(worker, shared, "w-early", 0.05),
        asyncio.to_thread(worker, shared, "w-middle", 0.25),
    )
    print("gather results, in argument order:", lengths)
    await obs
    for entry in shared:
        print("entry:", entry)

    same = await asyncio.to_thread(grow_in_place, shared)
    print("the thread had the same list object:", same == id(shared))
    print("after grow_in_place:", shared[0], "| last two:", shared[-2:])


if __name__ == "__main__":
    asyncio.run(main())
