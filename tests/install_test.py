#!/usr/bin/env python3
"""What `meson install` installs, into a scratch DESTDIR.

usage: install_test.py BUILD_DIR PREFIX MANDIR DATADIR zh_CN|no-translations

Installs the build into a temporary directory with `meson install
--destdir`, then checks that the binary runs, that the completions, the
English and Chinese man pages, the JSON Schemas and the message catalogues
are where Debian looks for them, and that man(1) and mandoc(1) render the
Chinese pages as Chinese (no-translations: a build without them, whose
Chinese checks are skipped). Output is TAP.
"""
import os
import shutil
import subprocess
import sys
import tempfile

BUILD, PREFIX, MANDIR, DATADIR, TRANSLATED = sys.argv[1:6]
DEST = tempfile.mkdtemp(prefix='aiodemo-install-')
ROOT = DEST + os.path.join(PREFIX, '')


def under(*parts):
    return os.path.join(ROOT, *parts)


def man(*parts):
    return under(MANDIR, *parts)


def data(*parts):
    return under(DATADIR, *parts)


class Failure(Exception):
    pass


def exists(path):
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise Failure(f'not installed: {path[len(DEST):]}')


def check_binary():
    exists(under('bin', 'aiodemo'))
    out = subprocess.run([under('bin', 'aiodemo'), '--version'], capture_output=True, text=True,
                         check=True).stdout
    if not out.startswith('aiodemo '):
        raise Failure(f'--version: {out!r}')


def check_completions():
    exists(data('bash-completion', 'completions', 'aiodemo'))
    exists(data('zsh', 'vendor-completions', '_aiodemo'))
    with open(data('zsh', 'vendor-completions', '_aiodemo')) as f:
        if f.readline().strip() != '#compdef aiodemo':
            raise Failure('_aiodemo does not begin with #compdef aiodemo')


def check_man_pages():
    for page in (('man1', 'aiodemo.1'), ('man5', 'aiodemo-program.5')):
        exists(man(*page))
        if TRANSLATED == 'zh_CN':
            exists(man('zh_CN', *page))


def check_schemas():
    for name in ('stream', 'record', 'trace', 'bench', 'compare', 'sweep'):
        exists(data('aiodemo', 'schemas', f'{name}.schema.json'))


def check_catalogues():
    for lang in ('zh_CN', 'zh', 'C.UTF-8'):
        exists(data('aiodemo', 'locale', lang, 'LC_MESSAGES', 'aiodemo.mo'))


# What the Chinese pages say, rendered: their headings and their words.
CHINESE = {
    ('man1', 'aiodemo.1'): ['名称', '概要', '事件循环', '协程', '线程池', '退出状态'],
    ('man5', 'aiodemo-program.5'): ['名称', '参数'],
}


def check_render(command):
    if TRANSLATED != 'zh_CN':
        raise Skip('built without the translated man pages')
    for page, words in CHINESE.items():
        path = man('zh_CN', *page)
        env = dict(os.environ, LANG='C.UTF-8', LC_ALL='C.UTF-8', MANWIDTH='80', MAN_KEEP_FORMATTING='')
        env.pop('LANGUAGE', None)
        p = subprocess.run(command + [path], capture_output=True, text=True, env=env, timeout=60)
        if p.returncode != 0:
            raise Failure(f'{" ".join(command)} {page[1]}: status {p.returncode}: {p.stderr[-1000:]}')
        text = p.stdout
        missing = [w for w in words if w not in text]
        if missing:
            raise Failure(f'{" ".join(command)} {page[1]}: no {missing} in {text[:300]!r}')
        if 'aiodemo' not in text or '\ufffd' in text:
            raise Failure(f'{" ".join(command)} {page[1]}: not a page: {text[:300]!r}')


def check_man_render():
    if not shutil.which('man'):
        raise Skip('man is not installed')
    check_render(['man', '-l'])


def check_mandoc_render():
    if not shutil.which('mandoc'):
        raise Skip('mandoc is not installed')
    check_render(['mandoc', '-Tutf8'])


class Skip(Exception):
    pass


CHECKS = [check_binary, check_completions, check_man_pages, check_schemas, check_catalogues,
          check_man_render, check_mandoc_render]


def main():
    p = subprocess.run(['meson', 'install', '-C', BUILD, '--destdir', DEST, '--no-rebuild', '--quiet'],
                       capture_output=True, text=True)
    print(f'1..{len(CHECKS) + 1}')
    failed = 0
    if p.returncode != 0:
        failed += 1
        print('not ok 1 - meson install --destdir')
        for line in (p.stdout + p.stderr).splitlines()[-20:]:
            print(f'# {line}')
    else:
        print('ok 1 - meson install --destdir')
    try:
        for i, check in enumerate(CHECKS, 2):
            name = check.__name__[6:].replace('_', ' ')
            try:
                check()
                print(f'ok {i} - {name}')
            except Skip as e:
                print(f'ok {i} - {name} # SKIP {e}')
            except (Failure, subprocess.SubprocessError, OSError) as e:
                failed += 1
                print(f'not ok {i} - {name}')
                for line in str(e).splitlines():
                    print(f'# {line}')
    finally:
        shutil.rmtree(DEST, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
