#!/usr/bin/env python3
"""Writes the translated man pages: po4a, then line breaks for Chinese.

usage: man_translate.py PO4A CONFIG LANG OUTDIR PAGE...

Runs `po4a --no-update` on CONFIG (paths relative to its directory) into a
scratch directory, then writes each translated PAGE (LANG/PAGE there) into
OUTDIR, made ready for groff, which breaks lines only at spaces: a
zero-width break point (\\:) between two Chinese characters, where Chinese
breaks a line (not before a closing mark such as ，or after an opening one
such as （), and the text set flush left (.ad l), since a line without
spaces cannot be justified, and not hyphenated (the English words among
the Chinese are names: commands, options, code). Fails when po4a writes
no page, as when too little of it is translated (po4a's -k threshold).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

CJK = re.compile('[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff'
                 '\uf900-\ufaff\uff00-\uffef]')
NO_BREAK_BEFORE = set('，。、；：！？）》」』】〉…,.;:!?)')
NO_BREAK_AFTER = set('（《「『【〈(')
# A roff escape, or one character.
TOKEN = re.compile(r'\\(?:\[[^\]]*\]|\(..|[fF](?:\[[^\]]*\]|.)|\*(?:\[[^\]]*\]|\(..|.)|.)|.')


def kind(token):
    """What a token is, for line breaking: 'font' (a font change, which
    breaks nothing), 'glue' (a space, or what must not break), 'cjk', or
    'text'."""
    if re.fullmatch(r'\\[fF].*', token):
        return 'font'
    if token in (' ', '\t', '\\~', '\\ ', '\\0', '\\:', '\\&', '\\%', '\\c') or token.startswith('\\*'):
        return 'glue'
    return 'cjk' if CJK.match(token) else 'text'


def break_points(text):
    """@text with \\: wherever a line may break next to a Chinese character."""
    out = []
    last = None  # the last visible token, and where in out it ends
    for token in TOKEN.findall(text):
        k = kind(token)
        # \% begins a word that must not be hyphenated; inside a word, which
        # it is after Chinese without a space, it would break with a hyphen.
        if token == '\\%' and last is not None:
            token = '\\:'
        if k in ('cjk', 'text') and last is not None:
            (prev, prev_kind), at = last
            if 'cjk' in (prev_kind, k) and prev not in NO_BREAK_AFTER \
                    and token not in NO_BREAK_BEFORE:
                out.insert(at, '\\:')
        out.append(token)
        if k == 'glue':
            last = None
        elif k != 'font':
            last = ((token, k), len(out))
    return ''.join(out)


def breakable(page):
    out = []
    literal = False
    for line in page.split('\n'):
        request = re.match(r"^([.'][ \t]*(\w+))(.*)$", line)
        name = request.group(2) if request else None
        if name in ('EX', 'nf'):
            literal = True
        elif name in ('EE', 'fi'):
            literal = False
        if name == 'ad':
            line = '.ad l'
        elif name in ('TH', 'SH', 'SS', 'ds', 'de', 'if', 'ie', 'el') or literal:
            pass
        elif request:
            line = request.group(1) + break_points(request.group(3))
        elif not line.startswith('.\\"'):
            line = break_points(line)
        out.append(line)
        if name == 'TH':
            out += ['.ad l', '.nr HY 0', '.nh']
    return '\n'.join(out)


def main():
    po4a, config, lang, outdir, *pages = sys.argv[1:]
    outdir = os.path.abspath(outdir)
    srcdir = os.path.dirname(os.path.abspath(config))
    scratch = tempfile.mkdtemp(prefix='aiodemo-po4a-')
    try:
        p = subprocess.run([po4a, '--no-update', '--srcdir', srcdir, '--destdir', scratch,
                            os.path.abspath(config)], capture_output=True, text=True,
                           cwd=scratch)  # po4a looks in the current directory first
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        if p.returncode != 0:
            return p.returncode
        for page in map(os.path.basename, pages):
            made = os.path.join(scratch, lang, page)
            if not os.path.exists(made):
                print(f'man_translate.py: po4a wrote no {lang}/{page}: too little is translated',
                      file=sys.stderr)
                return 1
            with open(made, encoding='utf-8') as f:
                text = f.read()
            with open(os.path.join(outdir, page), 'w', encoding='utf-8') as f:
                f.write(breakable(text))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
