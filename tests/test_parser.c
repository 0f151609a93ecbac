/* Unit tests of the scenario parser: the structure it builds (through its
 * dump), and the errors it gives, with their positions. */
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "tap.h"

static char errbuf[2048];

static struct scenario *parse(const char *text)
{
	return scenario_parse("t.scn", text, strlen(text), errbuf, sizeof(errbuf));
}

/* The dump of the one function named @fn, or NULL. */
static char *dump_of(const char *text)
{
	struct scenario *sc = parse(text);
	if (!sc)
		return NULL;
	struct buf b = {0};
	scenario_dump(sc, &b);
	scenario_free(sc);
	return buf_steal(&b);
}

#define HEAD "name t\n"

static void check_dump(const char *text, const char *want)
{
	char *got = dump_of(text);
	if (!got)
		tap_diag("parse failed: %s", errbuf);
	CHECK_STR_CONTAINS(got, want);
	free(got);
}

static void check_error(const char *text, const char *want)
{
	struct scenario *sc = parse(text);
	CHECK(sc == NULL);
	scenario_free(sc);
	CHECK_STR_CONTAINS(errbuf, want);
}

static void test_structure(void)
{
	tap_diag("structure");
	check_dump(HEAD "async def main():\n    say \"hi {1 + 2}\"\n    sleep 1s\n    block 100ms\n",
		   "async def main() slots=0\n"
		   "   0 L3 say (f 'hi ' {(+ 1 2)} '')\n"
		   "   1 L4 sleep 1.0\n"
		   "   2 L5 block 0.1\n"
		   "   3 L5 return\n");
	check_dump(HEAD "async def f(n):\n    sleep n\n    return \"r{n}\"\nasync def main():\n"
		   "    t = spawn f(1)\n    r = await t\n    x = await f(2)\n",
		   "   0 L6 assign $t (spawn (call f 1))\n"
		   "   1 L7 await $r $t\n"
		   "   2 L8 await $x (call f 2)\n");
	check_dump(HEAD "pool p processes 2\ndef work(a):\n    return primes(a, a + 10)\n"
		   "async def main():\n    f = offload work(5) to p\n    await offload block 2s\n",
		   "   0 L6 assign $f (offload p (call work! 5))\n"
		   "   1 L7 await (offload default (builtin block 2.0))\n");
	check_dump(HEAD "async def d(u):\n    pass\nasync def main():\n    urls = [\"a\", \"b\"]\n"
		   "    await gather(*[d(u) for u in urls])\n    await gather(d(u) for u in urls)\n",
		   "await (gather (list (* (comp $.comp1 $urls (call d $.comp1)))))");
	check_dump(HEAD "async def main():\n    for x in range(3):\n        say x\n    say \"end\"\n",
		   "   0 L3 for-init $.list0 (builtin range 3)\n"
		   "   1 L3 for-next $x from $.list0 -> 4\n"
		   "   2 L4 say $x\n"
		   "   3 L3 jump -> 1\n"
		   "   4 L5 say 'end'\n");
	check_dump(HEAD "async def main():\n    a, b = await gather(x(), x())\nasync def x():\n    return 1\n",
		   "   0 L3 await $.unpack0 (gather (list (call x) (call x)))\n"
		   "   1 L3 unpack $.unpack0 2\n"
		   "   2 L3 assign $a (index $.unpack0 0)\n");
	check_dump(HEAD "param workers = 3\nparam url = \"http://x\"\npool dl threads workers\n"
		   "async def main():\n    say \"{workers} {url}\"\n",
		   "param workers = 3\nparam url = 'http://x'\npool default threads default\npool dl threads %workers\n");
	check_dump(HEAD "async def main():\n    if 1 < 2:\n        say \"yes\"\n    else:\n        say \"no\"\n",
		   "   0 L3 jump-if-not (< 1 2) -> 3\n"
		   "   1 L4 say 'yes'\n"
		   "   2 L5 jump -> 4\n"
		   "   3 L6 say 'no'\n");
	check_dump(HEAD "async def main():\n    say \"{{literal}} {3.14159:.2f}\"\n",
		   "say (f '{literal} ' {3.14159:.2f} '')");
	check_dump(HEAD "title A title: with 'quotes' # and a hash\nsource doc.md, Example 1\n"
		   "async def main():\n    pass\n",
		   "title A title: with 'quotes' # and a hash\nsource doc.md, Example 1\n");
	check_dump(HEAD "python:\n    import asyncio\n\n    print('x')\nnotice:\n    look\n"
		   "async def main():\n    pass\n",
		   "python 27 bytes\nnotice 5 bytes\n");
}

static void test_new_constructs(void)
{
	tap_diag("try, raise, async with, methods, keyword arguments, expect");
	check_dump(HEAD "async def main():\n    try:\n        say \"a\"\n    except ValueError as e:\n"
		   "        raise\n    finally:\n        say \"b\"\n",
		   "   0 L3 try $.finally0 -> 11\n"
		   "   1 L3 try $.exc1 -> 5\n"
		   "   2 L4 say 'a'\n"
		   "   3 L4 try-end\n"
		   "   4 L5 jump -> 9\n"
		   "   5 L5 except $.exc1 as $e 'ValueError' -> 8\n"
		   "   6 L6 raise $.exc1\n"
		   "   7 L6 jump -> 9\n"
		   "   8 L6 raise $.exc1\n"
		   "   9 L7 try-end\n"
		   "  10 L7 assign $.finally0 None\n"
		   "  11 L8 say 'b'\n"
		   "  12 L8 end-finally $.finally0\n");
	check_dump(HEAD "async def main():\n    async with semaphore(2) as s:\n        t = spawn main()\n"
		   "        x = t.result()\n",
		   "   0 L3 aenter $.ctx1 as $s (builtin semaphore 2)\n"
		   "   1 L3 try $.exc2 -> 7\n"
		   "   2 L4 assign $t (spawn (call main))\n"
		   "   3 L5 assign $x (method result $t)\n"
		   "   4 L5 try-end\n"
		   "   5 L5 aexit $.ctx1\n"
		   "   6 L5 jump -> 8\n"
		   "   7 L5 aexit-exc $.ctx1 with $.exc2\n");
	check_dump(HEAD "async def f():\n    pass\nasync def main():\n    r = await wait_for(f(), timeout=1)\n"
		   "    d, p = await wait([spawn f()], return_when=FIRST_COMPLETED)\n"
		   "    rs = await gather(f(), f(), return_exceptions=True)\n    raise TimeoutError\n",
		   "   0 L5 await $r (builtin wait_for (call f) 1)\n"
		   "   1 L6 await $.unpack1 (builtin wait (list (spawn (call f))) 'FIRST_COMPLETED' _)\n");
	check_dump(HEAD "async def f():\n    pass\nasync def main():\n"
		   "    rs = await gather(f(), f(), return_exceptions=True)\n    raise ValueError(\"no {1}\")\n",
		   "   0 L5 await $rs (gather (list (call f) (call f)) return_exceptions=True)\n"
		   "   1 L6 raise (exception ValueError (f 'no ' {1} ''))\n");
	check_dump(HEAD "expect total 2s\nexpect \"a {{b}}\" at 1s\nexpect before \"a\" \"b\"\n"
		   "expect blocked 0.5s\nexpect says \"b\"\nexpect error\nasync def main():\n    pass\n",
		   "expect total 2s\nexpect \"a {b}\" at 1s\nexpect before \"a\" \"b\"\nexpect blocked 0.5s\n"
		   "expect says \"b\"\nexpect error\n");

	check_error(HEAD "async def main():\n    raise\n", "a bare 'raise' re-raises inside an except clause only");
	check_error(HEAD "async def main():\n    try:\n        return 1\n    finally:\n        pass\n",
		    "'return' inside a try with 'finally'");
	check_error(HEAD "async def main():\n    except ValueError:\n        pass\n", "'except' without a matching 'try'");
	check_error(HEAD "async def main():\n    try:\n        pass\n    say 1\n", "'try' needs an 'except' or a 'finally'");
	check_error(HEAD "async def main():\n    t = spawn main()\n    t.reslt()\n", "unknown method 'reslt'; did you mean 'result'?");
	check_error(HEAD "def f():\n    s = semaphore(2)\nasync def main():\n    pass\n", "'semaphore' needs an 'async def'");
	check_error(HEAD "async def main():\n    await wait_for(main(), timeout=1, timeout=2)\n", "wait_for() got 'timeout' twice");
	check_error(HEAD "async def main():\n    await wait_for(main(), delay=1)\n", "wait_for() has no parameter 'delay'");
	check_error(HEAD "async def main():\n    await wait_for(main())\n", "'timeout' is missing");
	check_error(HEAD "async def main():\n    try:\n        pass\n    except value:\n        pass\n",
		    "expected an exception type such as ValueError");
	check_error(HEAD "expect total 1s\nexpect total 2s\nasync def main():\n    pass\n", "'expect total' is given twice (line 2)");
	check_error(HEAD "expect \"x\" 1s\nasync def main():\n    pass\n", "expected 'at' and a time");
	check_error(HEAD "pool p threads 0\nasync def main():\n    pass\n", "t.scn:2:16: error: a pool has from 1 to 256 workers");
	check_error(HEAD "def len(x):\n    return 1\nasync def main():\n    pass\n", "'len' is a built-in function");
	tap_diag("limits");
	struct buf deep = {0};
	buf_puts(&deep, HEAD "async def main():\n    say ");
	for (int i = 0; i < 150; i++)
		buf_putc(&deep, '(');
	buf_putc(&deep, '1');
	for (int i = 0; i < 150; i++)
		buf_putc(&deep, ')');
	buf_putc(&deep, '\n');
	check_error(deep.data, "expression nested too deeply (the limit is 100 levels)");
	buf_clear(&deep);
	buf_puts(&deep, HEAD "async def main():\n    say ");
	for (int i = 0; i < 900; i++)
		buf_puts(&deep, "not ");
	buf_puts(&deep, "1\n");
	check_error(deep.data, "expression nested too deeply");
	buf_clear(&deep);
	buf_puts(&deep, HEAD "async def main():\n    say \"");
	for (int i = 0; i < 5000; i++)
		buf_putc(&deep, 'x');
	buf_puts(&deep, "\"\n");
	check_error(deep.data, "t.scn:3:4097: error: line longer than 4096 bytes");
	buf_free(&deep);
	/* An error inside {...} of a string frees what the outer line held. */
	check_error(HEAD "async def main():\n    say \"{async}\"\n", "unexpected keyword 'async'");
}

static void test_errors(void)
{
	tap_diag("errors");
	check_error(HEAD "async def main():\n    say \"one\"\n        say \"two\"\n",
		    "t.scn:4:9: error: unexpected indentation");
	check_error(HEAD "async def main():\n    sleeep 1s\n", "t.scn:3:5: error: unknown statement 'sleeep'; did you mean 'sleep'?");
	check_error(HEAD "async def fetch():\n    pass\nasync def main():\n    await fetc()\n",
		    "t.scn:5:11: error: unknown function 'fetc'; did you mean 'fetch'?");
	check_error(HEAD "async def main():\n    x = 1\n    say y\n", "unknown name 'y'");
	check_error(HEAD "async def main():\n    count = 1\n    say cont\n", "did you mean 'count'?");
	check_error(HEAD "def f():\n    sleep 1s\nasync def main():\n    pass\n",
		    "t.scn:3:5: error: 'sleep' needs an 'async def'");
	check_error(HEAD "async def f():\n    pass\nasync def main():\n    f()\n",
		    "only creates a coroutine object");
	check_error(HEAD "async def f():\n    pass\nasync def main():\n    await offload f()\n",
		    "offload runs a plain 'def' in a worker");
	check_error(HEAD "async def main():\n    await offload block 1s to dl\n", "unknown pool 'dl'");
	check_error(HEAD "pool downloads threads 3\nasync def main():\n    await offload block 1s to download\n",
		    "did you mean 'downloads'?");
	check_error(HEAD "async def main():\n    say \"unterminated\n", "t.scn:3:9: error: unterminated string");
	check_error(HEAD "async def main():\n    say \"{x\"\n", "'{' without a closing '}'");
	check_error(HEAD "async def main():\n    say 1 +\n", "expected an expression, found the end of the line");
	check_error(HEAD "async def main():\n    say await x()\nasync def x():\n    pass\n", "'await' must begin a statement");
	check_error(HEAD "async def main():\n", "expected an indented block after 'async def' on line 2");
	check_error(HEAD "def main():\n    pass\n", "main must be 'async def main():'");
	check_error(HEAD "async def other():\n    pass\n", "no 'async def main():'");
	check_error("async def main():\n    pass\n", "needs a 'name' line");
	check_error(HEAD "sleep 1s\n", "expected name, title, source");
	check_error(HEAD "pol x threads 2\n", "unknown keyword 'pol'; did you mean 'pool'?");
	check_error(HEAD "async def f(a):\n    pass\nasync def main():\n    await f(1, 2)\n",
		    "f() takes 1 argument, but 2 were given");
	check_error(HEAD "async def main():\n    x = 3x\n", "unexpected 'x' after a number");
	check_error(HEAD "async def main():\n    say 1 $ 2\n", "unexpected character '$'");
	check_error(HEAD "param n = 1\nasync def main():\n    n = 2\n", "'n' is a scenario parameter");
	check_error(HEAD "async def main():\n    if 1:\n        pass\n    else\n", "expected ':'");
	check_error(HEAD "async def main():\n  say 1\n say 2\n", "matches no enclosing block");
	check_error(HEAD "async def main():\n    say \"{1:x}\"\n", "unsupported format 'x'");
	const char nul[] = "name t\nasync def main():\n    say 1\0\n";
	struct scenario *sc = scenario_parse("t.scn", nul, sizeof(nul) - 1, errbuf, sizeof(errbuf));
	CHECK(sc == NULL);
	CHECK_STR_CONTAINS(errbuf, "NUL byte");
	/* The error shows the line and a caret under the column. */
	check_error(HEAD "async def main():\n    sleep 1s +\n",
		    "     3 |     sleep 1s +\n       |               ^");
}

static void test_params(void)
{
	tap_diag("parameters");
	char err[256];
	struct scenario *sc = parse(HEAD "param workers = 3\nparam label = \"x\"\nasync def main():\n    pass\n");
	CHECK(sc != NULL);
	if (!sc)
		return;
	CHECK_INT_EQ(scenario_set_param(sc, "workers", "4", err, sizeof(err)), 0);
	CHECK_INT_EQ(sc->params[0].value.i, 4);
	CHECK_INT_EQ(scenario_set_param(sc, "workers", "1.5", err, sizeof(err)), 0);
	CHECK(sc->params[0].value.kind == V_FLOAT);
	CHECK_INT_EQ(scenario_set_param(sc, "workers", "many", err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "takes a number");
	CHECK_INT_EQ(scenario_set_param(sc, "worker", "4", err, sizeof(err)), -1);
	CHECK_STR_CONTAINS(err, "did you mean 'workers'?");
	CHECK_INT_EQ(scenario_set_param(sc, "label", "42", err, sizeof(err)), 0);
	CHECK(sc->params[1].value.kind == V_STR);
	scenario_free(sc);
}

static void test_values(void)
{
	tap_diag("values print as Python prints them");
	struct { struct value v; const char *want; } cases[] = {
		{value_float(0.1), "0.1"}, {value_float(2.0), "2.0"}, {value_float(1e-5), "1e-05"},
		{value_int(-7), "-7"}, {value_none(), "None"}, {value_bool(true), "True"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = {0};
		value_repr(&b, cases[i].v);
		CHECK_STR_EQ(b.data, cases[i].want);
		buf_free(&b);
	}
	struct value l = value_list(2);
	value_list_push(l, value_cstr("Result of 1"));
	value_list_push(l, value_cstr("it's"));
	struct buf b = {0};
	value_format(&b, l);
	CHECK_STR_EQ(b.data, "['Result of 1', \"it's\"]");
	/* Values survive the trip to a worker process. */
	struct buf enc = {0};
	CHECK(value_encode(&enc, l));
	const char *p = enc.data;
	struct value back;
	CHECK(value_decode(&p, enc.data + enc.len, &back));
	buf_clear(&b);
	value_format(&b, back);
	CHECK_STR_EQ(b.data, "['Result of 1', \"it's\"]");
	CHECK(p == enc.data + enc.len);
	/* A truncated encoding is refused, not read past its end. */
	p = enc.data;
	struct value partial;
	CHECK(!value_decode(&p, enc.data + enc.len - 3, &partial));
	value_unref(back);
	value_unref(l);
	buf_free(&b);
	buf_free(&enc);
}

static void test_serve(void)
{
	tap_diag("serve(): a handler by name");
	check_dump(HEAD "async def handle(n):\n    return n\nasync def main():\n    url = serve(\"/c\", handle, \"n\")\n",
		   "(builtin serve '/c' (call handle _) 'n')");
	check_error(HEAD "def handle(n):\n    return n\nasync def main():\n    url = serve(\"/c\", handle, \"n\")\n",
		    "t.scn:5:23: error: serve() needs an 'async def' handler; 'handle' is a plain def");
	check_error(HEAD "async def handle(n):\n    return n\nasync def main():\n    url = serve(\"/c\", handel, \"n\")\n",
		    "t.scn:5:23: error: unknown function 'handel'; did you mean 'handle'?");
	check_error(HEAD "async def handle(a, b):\n    return a\nasync def main():\n    url = serve(\"/c\", handle, \"n\")\n",
		    "t.scn:5:23: error: a serve() handler takes one argument (the request's query argument), but "
		    "handle() takes 2");
	check_error(HEAD "async def handle(n):\n    return n\nasync def main():\n    url = serve(\"/c\", handle(1), \"n\")\n",
		    "t.scn:5:23: error: serve() takes the name of an async def as its handler");
	check_error(HEAD "async def handle(n):\n    return n\ndef f():\n    return serve(\"/c\", handle, \"n\")\n"
		    "async def main():\n    f()\n",
		    "t.scn:5:12: error: 'serve' needs an 'async def'");
	check_error(HEAD "async def handle(n):\n    return n\nasync def main():\n    url = serve(\"/c\", handle)\n",
		    "t.scn:5:29: error: expected ',', found ')'");
}

static void test_suggest(void)
{
	tap_diag("suggestions");
	const char *names[] = {"offload-sleep", "blocking-sleep", "bounded-pool"};
	CHECK_STR_EQ(suggest_name("offlod-sleep", names, 3), "offload-sleep");
	CHECK_STR_EQ(suggest_name("bounded-pol", names, 3), "bounded-pool");
	CHECK(suggest_name("zzz", names, 3) == NULL);
}

int main(void)
{
	test_structure();
	test_errors();
	test_new_constructs();
	test_params();
	test_values();
	test_serve();
	test_suggest();
	return tap_done();
}
