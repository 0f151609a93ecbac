#!/usr/bin/env python3
"""The Chinese man pages from a translation a little behind the English.

usage: man_translate_test.py PO4A MAN_DIR

Copies the man pages, po4a.cfg and po/ to a scratch directory, changes
the English page as an engineer would (a sentence changed, an option
added), and writes the translated pages with tools/man_translate.py as the
build does: they are still written, Chinese but for the new strings,
which stay English; groff reads them without a warning. With a
translation of nothing, no page is written and the build fails. Output is
TAP.
"""
import os
import shutil
import subprocess
import sys
import tempfile

PO4A, MAN = sys.argv[1], os.path.abspath(sys.argv[2])
TOOL = os.path.join(os.path.dirname(MAN), 'tools', 'man_translate.py')
LINT = os.path.join(MAN, 'lint.sh')


def scratch_copy():
    d = tempfile.mkdtemp(prefix='aiodemo-man-')
    for name in ('aiodemo.1', 'aiodemo-program.5', 'po4a.cfg'):
        shutil.copy(os.path.join(MAN, name), d)
    shutil.copytree(os.path.join(MAN, 'po'), os.path.join(d, 'po'))
    os.mkdir(os.path.join(d, 'out'))
    return d


def translate(d):
    return subprocess.run([sys.executable, TOOL, PO4A, os.path.join(d, 'po4a.cfg'), 'zh_CN',
                           os.path.join(d, 'out'), 'aiodemo.1', 'aiodemo-program.5'],
                          capture_output=True, text=True)


def stale():
    d = scratch_copy()
    try:
        page = os.path.join(d, 'aiodemo.1')
        with open(page) as f:
            text = f.read()
        old = 'Print the built-in programs, one a line: the name and the title.'
        if old not in text:
            return f'the page no longer says {old!r}'
        text = text.replace(old, 'Print the built-in programs, one a line: their name and title.')
        text = text.replace('.SH OPTIONS\n', '.SH OPTIONS\n.TP\n.B \\-\\-frobnicate\n'
                            'Frobnicate every untranslated lane.\n', 1)
        with open(page, 'w') as f:
            f.write(text)
        p = translate(d)
        if p.returncode != 0:
            return f'man_translate.py: status {p.returncode}: {p.stdout}{p.stderr}'
        with open(os.path.join(d, 'out', 'aiodemo.1'), encoding='utf-8') as f:
            made = f.read()
        for piece in ('Frobnicate every untranslated lane.', 'their name and title', '事\\:件\\:循\\:环'):
            if piece not in made:
                return f'the translated page lacks {piece!r}'
        lint = subprocess.run(['sh', LINT, 'groff', os.path.join(d, 'out', 'aiodemo.1'),
                               os.path.join(d, 'out', 'aiodemo-program.5')],
                              capture_output=True, text=True)
        if lint.returncode != 0:
            return f'lint: {lint.stderr}'
        return None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def untranslated():
    d = scratch_copy()
    try:
        po = os.path.join(d, 'po', 'zh_CN.po')
        subprocess.run(['msgfilter', '-i', po, '-o', po, '--keep-header', 'sed', '-e', 'd'],
                       check=True, capture_output=True)
        p = translate(d)
        if p.returncode == 0:
            return 'pages were written from a translation of nothing'
        if 'too little is translated' not in p.stderr:
            return f'stderr: {p.stderr!r}'
        return None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    checks = [('a translation behind the page still builds', stale),
              ('a translation of nothing fails the build', untranslated)]
    print(f'1..{len(checks)}')
    failed = 0
    for i, (name, check) in enumerate(checks, 1):
        problem = check()
        if problem:
            failed += 1
            print(f'not ok {i} - {name}')
            for line in problem.splitlines():
                print(f'# {line}')
        else:
            print(f'ok {i} - {name}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
