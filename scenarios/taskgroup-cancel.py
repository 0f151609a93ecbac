# aiodemo: name taskgroup-cancel
# aiodemo: title TaskGroup: fetch 2 fails at 2 s, the group cancels fetch 3 and raises an ExceptionGroup, 2 s in all
# aiodemo: source 04-asyncio-tutorial.md, asyncio.TaskGroup() (the behaviour the prose describes)
# aiodemo: expect total 2s
# aiodemo: expect "Done with 1" at 1s
# aiodemo: expect "Cancelled 3" at 2s
# aiodemo: expect "Task group failed: unhandled errors in a TaskGroup (1 sub-exception)" at 2s
# aiodemo: expect before "Cancelled 3" "Task group failed: unhandled errors in a TaskGroup (1 sub-exception)"
# aiodemo: expect says "Task 1: Result of 1, task 3 cancelled: True"
# aiodemo: expect blocked 0s
# aiodemo: notice This program is aiodemo's, not the document's. The document says this
# aiodemo: notice in words only: use gather when an error in one task must not affect
# aiodemo: notice the others, and a TaskGroup when every task must succeed and one error
# aiodemo: notice should cancel the rest. It shows no program for it. The program here
# aiodemo: notice is the section's main with Example 3's fetch_data made to fail for
# aiodemo: notice param 2, three fetches, and handlers that show the cancellation and
# aiodemo: notice catch the ExceptionGroup.
# aiodemo: notice fetch 1 ends at 1 s. fetch 2 raises ValueError at 2 s, and the group
# aiodemo: notice cancels the tasks still running: fetch 3 gets CancelledError in its
# aiodemo: notice sleep, prints "Cancelled 3" and raises it again, as a cancelled task
# aiodemo: notice should. When every task is over, the "async with" raises an
# aiodemo: notice ExceptionGroup holding the ValueError, which main catches: the results
# aiodemo: notice line is never printed. The run takes 2 s, not 3 s: fetch 3 never
# aiodemo: notice finishes. fetch 1's result is still there. Compare: aiodemo run
# aiodemo: notice gather-exceptions.
# aiodemo: end

# Not in the document: its TaskGroup section says in words that one failing
# task cancels all the others. This is that section's program with fetch_data
# (Example 3) made to fail for param 2, three of them, and handlers that show
# the cancellation and catch the ExceptionGroup.
import asyncio

async def fetch_data(param):
    try:
        print(f"Do something with {param}...")
        await asyncio.sleep(param)
        if param == 2:
            raise ValueError(f"Failed with {param}")
        print(f"Done with {param}")
        return f"Result of {param}"
    except asyncio.CancelledError:
        print(f"Cancelled {param}")
        raise

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            results = [tg.create_task(fetch_data(i)) for i in range(1, 4)]
        print(f"Task Group Results: {[result.result() for result in results]}")
    except ExceptionGroup as eg:
        print(f"Task group failed: {eg}")
        print(f"Task 1: {results[0].result()}, task 3 cancelled: {results[2].cancelled()}")

asyncio.run(main())
