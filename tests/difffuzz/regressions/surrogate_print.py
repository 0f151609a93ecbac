"""Printing a lone surrogate raised UnicodeEncodeError under aiodemo; now as under python3.

python3 (LC_ALL=C.UTF-8, or C, or POSIX) has sys.stdout.errors
"surrogateescape" and sys.stderr.errors "backslashreplace": the first print
writes the byte 0xff, the second writes "\\udcff" as text, and the program
ends with status 0. Under aiodemo, sys.stdout.errors and sys.stderr.errors
said the same, but both prints raised UnicodeEncodeError ("surrogates not
allowed"): the program printed "stdout: UnicodeEncodeError ..." and ended
with a traceback and status 1. Each line is now encoded as the stream's
encoding and errors say, as python3 writes it.

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
