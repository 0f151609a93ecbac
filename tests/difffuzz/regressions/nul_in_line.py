"""A line with a NUL character in it is cut at the NUL.

python3 writes the whole line, b"a nul\\x00and after\\n"; aiodemo's say event
is {"text": "a nul"} and its stderr event {"text": "err nul"}: what follows
the NUL is lost (expected: "a nul\\u0000and after" in the JSON, the whole
line in the timeline). Found by difffuzz (seeds 0..199 before the generator
left NUL out unless DIFFFUZZ_KNOWN_BUGS=1).

    aiodemo run nul_in_line.py --format json
"""
import sys

print("a nul\x00and after")
print("err nul\x00and after", file=sys.stderr)
print("next line")
