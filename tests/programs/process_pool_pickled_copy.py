"""A ProcessPoolExecutor job gets a pickled copy of its arguments: the
worker mutates its copy, the parent's objects stay as they were; only the
return value comes back. Module globals are per process too."""
import asyncio
import concurrent.futures
import os

COUNTER = 0


class Box:
    def __init__(self, items):
        self.items = items

    def __repr__(self):
        return f"Box({self.items!r})"


def mutate(data, box):
    global COUNTER
    seen = data[0]
    data.append("added in the worker")
    data[0] = "changed in the worker"
    box.items.append(99)
    COUNTER += 1
    return data, box, COUNTER, os.getpid() != PARENT_PID, seen


def fail(n):
    raise ArithmeticError(f"worker failed on {n}")


def square(n):
    return n * n


def slow_square(n):
    import time
    time.sleep(0.2)
    return n * n


PARENT_PID = os.getpid()


async def main():
    global COUNTER
    loop = asyncio.get_running_loop()
    data = ["original"]
    box = Box([1, 2])
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        new_data, new_box, worker_counter, other_process, seen = await loop.run_in_executor(pool, mutate, data, box)
        print("worker ran in another process:", other_process)
        print("worker's list:", new_data)
        print("parent's list:", data)
        print("worker's box:", new_box, "parent's box:", box)
        print("returned objects are new copies:", new_data is not data and new_box is not box)
        print("counter in the worker:", worker_counter, "in the parent:", COUNTER)

        again = await loop.run_in_executor(pool, mutate, data, box)
        print("second job: the worker saw", repr(again[4]), "again, not the first job's change")
        print("parent's list still:", data)

        try:
            await loop.run_in_executor(pool, fail, 7)
        except ArithmeticError as e:
            print("exception from the worker process:", repr(e))

        results = await asyncio.gather(*(loop.run_in_executor(pool, square, n) for n in range(5)))
        print("squares in argument order:", results)

        job = loop.run_in_executor(pool, slow_square, 12)
        await asyncio.sleep(0.1)
        print("the loop runs while the worker process sleeps; job done =", job.done())
        print("slow square:", await job)
    print("pool shut down")


if __name__ == "__main__":
    asyncio.run(main())
