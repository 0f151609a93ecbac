"""Printing a lone surrogate raises UnicodeEncodeError under aiodemo.

python3 (LC_ALL=C.UTF-8, or C, or POSIX) has sys.stdout.errors
"surrogateescape" and sys.stderr.errors "backslashreplace": the first print
writes the byte 0xff, the second writes "\\udcff" as text, and the program
ends with status 0. Under aiodemo, sys.stdout.errors and sys.stderr.errors
say the same, but both prints raise UnicodeEncodeError ("surrogates not
allowed"): the program prints "stdout: UnicodeEncodeError ..." and ends
with a traceback and status 1.

    aiodemo run surrogate_print.py --format json
"""
import sys

print(f"errors: {sys.stdout.errors} {sys.stderr.errors}")
try:
    print("stdout: \udcff")
    print("stdout: printed")
except UnicodeEncodeError as e:
    print("stdout: UnicodeEncodeError", e.reason)
print("stderr: \udcff", file=sys.stderr)
print("done")
