# Text a shared program may print: a lone surrogate, bytes that are not
# UTF-8, and a terminal's escape sequences and controls, in a line and in a
# task's name.
import asyncio
import sys


async def shout():
    print("colour: \x1b[31mred\x1b[0m, bell\x07, carriage\rreturn")
    await asyncio.sleep(0.01)


async def main():
    print("surrogate: \udcff.")
    print(b"latin-1: \xff\xfe".decode("latin-1"))
    print("a nul\x00and after")
    sys.stderr.write("stderr surrogate: \udc80\n")
    await asyncio.create_task(shout(), name="evil\x1b]0;title\x07task")


asyncio.run(main())
