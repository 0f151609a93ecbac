#!/usr/bin/env python3
"""Checks that a translation is complete and current.

usage: check_po.py SOURCE_ROOT PO_FILE [XGETTEXT_ARG]...

Runs msgfmt --check --statistics on PO_FILE and fails on any untranslated
or fuzzy message; then makes the template afresh from the files that
po/POTFILES lists, with xgettext and the XGETTEXT_ARGs that po/meson.build
gives it, and fails on any message of the template that PO_FILE lacks
(msgcmp). To bring the catalogue up to date:
ninja -C build aiodemo-pot aiodemo-update-po, then translate."""
import os
import re
import subprocess
import sys
import tempfile


def main():
    root, po, xgettext_args = sys.argv[1], sys.argv[2], sys.argv[3:]
    bad = 0
    check = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                           capture_output=True, text=True)
    stats = check.stderr.strip()
    print(stats)
    if check.returncode != 0:
        print(f'{po}: msgfmt --check fails', file=sys.stderr)
        bad = 1
    if re.search(r'\b(untranslated|fuzzy)\b', stats):
        print(f'{po}: every message must be translated, none fuzzy', file=sys.stderr)
        bad = 1
    with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as f:
        files = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'aiodemo.pot')
        subprocess.run(['xgettext', '-o', pot, '--directory', root] + xgettext_args + files,
                       check=True)
        cmp = subprocess.run(['msgcmp', po, pot], capture_output=True, text=True)
        if cmp.returncode != 0:
            print(cmp.stderr, end='', file=sys.stderr)
            print(f'{po}: lacks messages of the sources (regenerated template above)',
                  file=sys.stderr)
            bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main())
