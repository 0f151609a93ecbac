"""A line with a NUL character in it is whole, the NUL shown as its picture.

python3 writes the whole line, b"a nul\\x00and after\\n"; aiodemo's say event
was {"text": "a nul"} and its stderr event {"text": "err nul"}: what
followed the NUL was lost. The events now carry the whole line with the NUL
as U+2400 (run.py compares a NUL and its picture as the same), as
aiodemo(1) says. Found by difffuzz in seeds 0..199.

    aiodemo run nul_in_line.py --format json
"""
import sys

print("a nul\x00and after")
print("err nul\x00and after", file=sys.stderr)
print("next line")
