#!/usr/bin/env python3
"""Checks that po/POTFILES lists every source file with translated texts.

usage: check_potfiles.py SOURCE_ROOT

A .c or .h file under src/ that uses _(), N_(), T_(), P_() or ngettext()
must be in po/POTFILES (else xgettext never sees its messages), and every
file POTFILES lists must exist. Prints each file that is wrong; exits 1 if
any is."""
import os
import re
import sys

MARK = re.compile(r'(?<![A-Za-z0-9_])(_|N_|T_|P_|ngettext)\((?!\))')


def uses_gettext(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            # The macros' own definitions and comments are no use of them.
            if line.lstrip().startswith(('#define', '/*', '*', '//')):
                continue
            if MARK.search(line):
                return True
    return False


def main():
    root = sys.argv[1]
    with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith('#')}
    bad = 0
    for folder, _, names in sorted(os.walk(os.path.join(root, 'src'))):
        for name in sorted(names):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if uses_gettext(path) and rel not in listed:
                print(f'{rel}: uses gettext but is not in po/POTFILES')
                bad = 1
    for rel in sorted(listed):
        if not os.path.exists(os.path.join(root, rel)):
            print(f'po/POTFILES: {rel} does not exist')
            bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main())
