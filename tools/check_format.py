#!/usr/bin/env python3
"""Checks that the C sources keep the style of .clang-format.

usage: check_format.py CLANG_FORMAT SOURCE_ROOT

Runs clang-format on every .c and .h file under src/ and tests/ and prints,
for each file it would change, the file and the first lines that differ.
Exits 1 if any would change. To fix them: clang-format -i FILE..."""
import difflib
import os
import subprocess
import sys


def main():
    clang_format, root = sys.argv[1], sys.argv[2]
    bad = 0
    for top in ('src', 'tests'):
        for folder, _, names in sorted(os.walk(os.path.join(root, top))):
            for name in sorted(names):
                if not name.endswith(('.c', '.h')):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                formatted = subprocess.run([clang_format, '--style=file', '--assume-filename=' + path],
                                           input=text, capture_output=True, text=True, cwd=root,
                                           check=True).stdout
                if formatted != text:
                    bad += 1
                    diff = difflib.unified_diff(text.splitlines(), formatted.splitlines(), path, path + ' (formatted)',
                                                lineterm='', n=0)
                    print('\n'.join(list(diff)[:12]))
    if bad:
        print(f'{bad} file(s) not in the style of .clang-format: clang-format -i FILE...')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
