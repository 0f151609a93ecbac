/* Unit tests of the runtime's ordering: each scenario here mirrors a small
 * asyncio program whose output order under CPython is noted beside it. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "runtime.h"
#include "scenario.h"
#include "tap.h"
#include "timeline.h"

#define SCALE 0.05

struct result {
	int status;
	char says[1024];     /* say lines joined by '|' */
	double times[32];    /* when each say happened, seconds */
	int nsays;
	size_t nblocked;
	double total;
};

static struct result run_text(const char *text)
{
	struct result r = {0};
	char err[1024];
	struct scenario *sc = scenario_parse("t.scn", text, strlen(text), err, sizeof(err));
	if (!sc) {
		tap_diag("parse failed: %s", err);
		r.status = -1;
		return r;
	}
	double t0 = clock_now();
	struct timeline *tl = timeline_new(NULL, TL_JSON, false, t0);
	struct runtime *rt = runtime_new(sc, tl, SCALE);
	r.status = runtime_run(rt);
	r.total = clock_now() - t0;
	size_t n;
	const struct tl_event *ev = timeline_events(tl, &n);
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind != K_SAY)
			continue;
		if (r.nsays)
			strncat(r.says, "|", sizeof(r.says) - strlen(r.says) - 1);
		strncat(r.says, ev[i].text, sizeof(r.says) - strlen(r.says) - 1);
		if (r.nsays < 32)
			r.times[r.nsays] = ev[i].t;
		r.nsays++;
	}
	timeline_blocked_windows(tl, &r.nblocked);
	runtime_free(rt);
	timeline_free(tl);
	scenario_free(sc);
	return r;
}

/* create_task does not run the task until the creator yields. */
static void test_spawn_waits_for_yield(void)
{
	struct result r = run_text("name t\n"
				   "async def child():\n    say \"child\"\n"
				   "async def main():\n    t = spawn child()\n    say \"after spawn\"\n"
				   "    sleep 0\n    say \"after yield\"\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_STR_EQ(r.says, "after spawn|child|after yield");
}

/* await coro() runs it at once, without yielding: f, main, then g. */
static void test_inline_await_does_not_yield(void)
{
	struct result r = run_text("name t\n"
				   "async def g():\n    say \"g\"\n"
				   "async def f():\n    say \"f\"\n    return 1\n"
				   "async def main():\n    t = spawn g()\n    x = await f()\n    say \"main {x}\"\n"
				   "    await t\n");
	CHECK_STR_EQ(r.says, "f|main 1|g");
}

/* gather wraps its arguments into tasks in order, and returns results in
 * argument order even when they finish in reverse. */
static void test_gather_order(void)
{
	struct result r = run_text("name t\n"
				   "async def w(n):\n    say \"start {n}\"\n    sleep 3 - n\n    say \"end {n}\"\n    return n * 10\n"
				   "async def main():\n    rs = await gather(w(1), w(2))\n    say rs\n");
	CHECK_STR_EQ(r.says, "start 1|start 2|end 2|end 1|[10, 20]");
	CHECK_DBL_NEAR(r.times[2], 1 * SCALE, 0.03);
	CHECK_DBL_NEAR(r.times[3], 2 * SCALE, 0.03);
}

/* A blocking step holds back a timer that is already due. */
static void test_block_freezes_due_timers(void)
{
	struct result r = run_text("name t\n"
				   "async def a():\n    sleep 0.2s\n    say \"a\"\n"
				   "async def main():\n    t = spawn a()\n    sleep 0\n    block 1s\n    say \"main\"\n"
				   "    await t\n");
	CHECK_STR_EQ(r.says, "main|a");
	CHECK_DBL_GE(r.times[1], 1 * SCALE);
	CHECK_INT_EQ(r.nblocked, 1);
}

/* Timers with the same deadline fire in the order they were set. */
static void test_equal_timers_fifo(void)
{
	struct result r = run_text("name t\n"
				   "async def s(n):\n    sleep 1s\n    say n\n"
				   "async def main():\n    await gather(s(1), s(2), s(3), s(4), s(5))\n");
	CHECK_STR_EQ(r.says, "1|2|3|4|5");
}

/* Example 4 of the tutorial: awaiting the longer task first. */
static void test_await_order(void)
{
	struct result r = run_text("name t\n"
				   "async def fetch(p):\n    say \"Do {p}\"\n    sleep p\n    say \"Done {p}\"\n    return p\n"
				   "async def main():\n    t1 = spawn fetch(1)\n    t2 = spawn fetch(2)\n"
				   "    r2 = await t2\n    say \"Task 2 fully completed\"\n"
				   "    r1 = await t1\n    say \"Task 1 fully completed\"\n");
	CHECK_STR_EQ(r.says, "Do 1|Do 2|Done 1|Done 2|Task 2 fully completed|Task 1 fully completed");
	CHECK_DBL_NEAR(r.times[2], 1 * SCALE, 0.03);
	CHECK_DBL_NEAR(r.times[5], 2 * SCALE, 0.03);
}

/* Example 5 of the tutorial: time.sleep inside tasks makes them serial. */
static void test_blocking_in_tasks(void)
{
	struct result r = run_text("name t\n"
				   "async def fetch(p):\n    say \"Do {p}\"\n    block p\n    say \"Done {p}\"\n"
				   "async def main():\n    t1 = spawn fetch(1)\n    t2 = spawn fetch(2)\n"
				   "    await t1\n    await t2\n");
	CHECK_STR_EQ(r.says, "Do 1|Done 1|Do 2|Done 2");
	CHECK_DBL_NEAR(r.times[3], 3 * SCALE, 0.03);
	CHECK_INT_EQ(r.nblocked, 2);
}

/* Offloaded work in threads runs at the same time. */
static void test_offload_overlaps(void)
{
	struct result r = run_text("name t\npool p threads 2\n"
				   "def job(n):\n    say \"job {n}\"\n    block 1s\n    return n\n"
				   "async def main():\n    a = offload job(1) to p\n    b = offload job(2) to p\n"
				   "    rs = await gather(a, b)\n    say rs\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_INT_EQ(r.nsays, 3);
	CHECK_STR_CONTAINS(r.says, "[1, 2]");
	CHECK_DBL_NEAR(r.times[2], 1 * SCALE, 0.03);
	CHECK_INT_EQ(r.nblocked, 0);
}

/* Jobs in a process pool return values and say lines from the child. */
static void test_process_jobs(void)
{
	struct result r = run_text("name t\npool p processes 2\n"
				   "def job(n):\n    say \"in child {n}\"\n    return [n, primes(2, 100)]\n"
				   "async def main():\n    rs = await gather(offload job(1) to p, offload job(2) to p)\n"
				   "    say rs\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_STR_CONTAINS(r.says, "in child 1");
	CHECK_STR_CONTAINS(r.says, "in child 2");
	CHECK_STR_CONTAINS(r.says, "[[1, 25], [2, 25]]");
}

/* An exception nobody handles fails the run; awaiting a failed task raises. */
static void test_errors(void)
{
	struct result r = run_text("name t\n"
				   "async def bad():\n    sleep 0.1s\n    x = [1][5]\n"
				   "async def main():\n    t = spawn bad()\n    await t\n    say \"not reached\"\n");
	CHECK_INT_EQ(r.status, RUN_FAILED);
	CHECK_INT_EQ(r.nsays, 0);
	r = run_text("name t\nasync def c():\n    pass\n"
		     "async def main():\n    x = c()\n    await x\n    await x\n");
	CHECK_INT_EQ(r.status, RUN_FAILED);
	r = run_text("name t\npool p processes 1\ndef job():\n    return 1 // 0\n"
		     "async def main():\n    await offload job() to p\n");
	CHECK_INT_EQ(r.status, RUN_FAILED);
}

/* The default pool and main() returning while work is still running. */
static void test_main_returns_first(void)
{
	struct result r = run_text("name t\n"
				   "async def slow():\n    sleep 5s\n    say \"never\"\n"
				   "async def main():\n    t = spawn slow()\n    sleep 0.1s\n    say \"bye\"\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_STR_EQ(r.says, "bye");
	CHECK_DBL_LT(r.total, 1 * SCALE);
}

/* Semaphore(3) and five tasks: the fourth and fifth start as the first
 * ones leave, in the order they queued (CPython prints the same). */
static void test_semaphore(void)
{
	struct result r = run_text("name t\n"
				   "async def job(sem, i):\n    async with sem:\n        say \"start {i}\"\n"
				   "        sleep 1s\n        say \"done {i}\"\n"
				   "async def main():\n    sem = semaphore(3)\n    await gather(*[job(sem, i) for i in range(5)])\n");
	CHECK_STR_EQ(r.says, "start 0|start 1|start 2|done 0|done 1|done 2|start 3|start 4|done 3|done 4");
	CHECK_DBL_NEAR(r.times[6], 1 * SCALE, 0.03);
	CHECK_DBL_NEAR(r.total, 2 * SCALE, 0.04);
}

/* try/except/else/finally, as CPython runs them. */
static void test_try(void)
{
	struct result r = run_text("name t\n"
				   "async def f(n):\n    try:\n        say \"try {n}\"\n        if n:\n"
				   "            raise ValueError(\"x\")\n    except ValueError as e:\n        say \"caught {e}\"\n"
				   "    else:\n        say \"else\"\n    finally:\n        say \"finally {n}\"\n"
				   "async def main():\n    await f(0)\n    await f(1)\n"
				   "    try:\n        try:\n            x = 1 // 0\n        finally:\n            say \"inner finally\"\n"
				   "    except ArithmeticError as e:\n        say \"outer {e}\"\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_STR_EQ(r.says, "try 0|else|finally 0|try 1|caught x|finally 1|inner finally|"
			     "outer integer division or modulo by zero");
	r = run_text("name t\nasync def main():\n    try:\n        raise KeyError(\"k\")\n"
		     "    except ValueError:\n        say \"wrong\"\n");
	CHECK_INT_EQ(r.status, RUN_FAILED);
	CHECK_INT_EQ(r.nsays, 0);
}

/* wait_for cancels the awaited task at the deadline; the waiter sees
 * TimeoutError. An offloaded job cannot be stopped and runs on. */
static void test_wait_for(void)
{
	struct result r = run_text("name t\n"
				   "async def slow():\n    try:\n        sleep 2s\n    except CancelledError:\n"
				   "        say \"slow cancelled\"\n        raise\n"
				   "async def main():\n    try:\n        await wait_for(slow(), 1)\n"
				   "    except TimeoutError:\n        say \"timed out\"\n");
	CHECK_STR_EQ(r.says, "slow cancelled|timed out");
	CHECK_DBL_NEAR(r.times[1], 1 * SCALE, 0.03);
	r = run_text("name t\npool p threads 1\n"
		     "def work():\n    block 2s\n    say \"work done\"\n"
		     "async def main():\n    try:\n        await wait_for(offload work() to p, timeout=1)\n"
		     "    except TimeoutError:\n        say \"timed out\"\n    sleep 2s\n");
	CHECK_STR_EQ(r.says, "timed out|work done");
	CHECK_DBL_NEAR(r.times[0], 1 * SCALE, 0.03);
	CHECK_DBL_NEAR(r.times[1], 2 * SCALE, 0.03);
}

/* A TaskGroup cancels the others when one fails and raises an
 * ExceptionGroup; gather(return_exceptions=True) keeps the others. */
static void test_taskgroup_and_gather_errors(void)
{
	struct result r = run_text("name t\n"
				   "async def f(n):\n    try:\n        sleep n\n        if n == 2:\n"
				   "            raise ValueError(\"bad\")\n        say \"end {n}\"\n        return n\n"
				   "    except CancelledError:\n        say \"cancelled {n}\"\n        raise\n"
				   "async def main():\n    try:\n        async with taskgroup() as tg:\n"
				   "            for i in [1, 2, 3]:\n                tg.create_task(f(i))\n"
				   "    except ExceptionGroup as eg:\n        say \"{eg}\"\n"
				   "    rs = await gather(f(1), f(2), return_exceptions=True)\n    say rs\n");
	CHECK_STR_EQ(r.says, "end 1|cancelled 3|unhandled errors in a TaskGroup (1 sub-exception)|"
			     "end 1|[1, ValueError('bad')]");
	CHECK_DBL_NEAR(r.times[1], 2 * SCALE, 0.03);
}

/* Task.cancel() raises CancelledError at the task's await; wait() with
 * FIRST_COMPLETED returns as soon as one task is done. */
static void test_cancel_and_wait(void)
{
	struct result r = run_text("name t\n"
				   "async def f(n):\n    sleep n\n    return n\n"
				   "async def main():\n    a = spawn f(1)\n    b = spawn f(3)\n"
				   "    done, pending = await wait([a, b], return_when=FIRST_COMPLETED)\n"
				   "    say \"{len(done)} {len(pending)} {done[0].result()}\"\n"
				   "    b.cancel()\n    try:\n        await b\n    except CancelledError:\n"
				   "        say \"cancelled {b.cancelled()} {b.done()}\"\n");
	CHECK_STR_EQ(r.says, "1 1 1|cancelled True True");
	CHECK_DBL_LT(r.total, 1.5 * SCALE);
	r = run_text("name t\nasync def f():\n    pass\n"
		     "async def main():\n    await wait([f()])\n");
	CHECK_INT_EQ(r.status, RUN_FAILED);
}

/* The smaller fixes: wait() of the same task twice, a list inside itself,
 * a negative timeout, "async with semaphore() as s". */
static void test_python_details(void)
{
	struct result r = run_text("name t\nasync def f():\n    sleep 0.1s\n"
		     "async def main():\n    t = spawn f()\n    done, pending = await wait([t, t])\n"
		     "    say len(done)\n    l = [1]\n    try:\n        l.append([l])\n    except ValueError as e:\n"
		     "        say e\n"
		     "    try:\n        await wait_for(f(), -1)\n    except TimeoutError:\n        say \"timeout\"\n"
		     "    async with semaphore(1) as s:\n        say s\n");
	CHECK_INT_EQ(r.status, RUN_OK);
	CHECK_STR_EQ(r.says, "1|a list cannot hold itself here|timeout|None");
}

int main(void)
{
	test_spawn_waits_for_yield();
	test_inline_await_does_not_yield();
	test_gather_order();
	test_block_freezes_due_timers();
	test_equal_timers_fifo();
	test_await_order();
	test_blocking_in_tasks();
	test_offload_overlaps();
	test_process_jobs();
	test_errors();
	test_main_returns_first();
	test_semaphore();
	test_try();
	test_wait_for();
	test_taskgroup_and_gather_errors();
	test_cancel_and_wait();
	test_python_details();
	return tap_done();
}
