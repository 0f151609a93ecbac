#!/usr/bin/env python3
"""Checks that each layer of src/ includes only the layers below it.

usage: check_layers.py SRC_DIR

A layer is a folder of src/; its rank is in LAYERS. A file may include
files of its own folder and of folders of a lower rank: never of the same
rank or a higher one. Prints each violation as file:line and exits 1."""
import os
import re
import sys

LAYERS = {
    'util': 0,     # buf, clock, diag, text
    'record': 1,   # the timeline, expectations
    'loop': 1,     # the libev loop, timerfd timers
    'net': 1,      # the local HTTP server
    'report': 2,   # pictures, records, traces, replay
    'observe': 2,  # hooks that record a run
    'host': 3,     # embedded CPython, programs, the catalog
    'play': 3,     # aiodemo play, the terminal player of a record
    'bench': 4,    # aiodemo bench, which runs built-in programs
    'cli': 5,      # the command line
}


def main():
    src = sys.argv[1]
    bad = 0
    include = re.compile(r'#include "([a-z]+)/[^"]+"')
    for layer in LAYERS:
        folder = os.path.join(src, layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8') as f:
                for n, line in enumerate(f, 1):
                    m = include.match(line)
                    if not m or m.group(1) == 'internal':  # CPython's own headers
                        continue
                    other = m.group(1)
                    if other not in LAYERS:
                        print(f'{path}:{n}: includes {other}/, which is no layer')
                        bad += 1
                    elif other != layer and LAYERS[other] >= LAYERS[layer]:
                        print(f'{path}:{n}: {layer}/ includes {other}/, a layer not below it')
                        bad += 1
    extra = [n for n in os.listdir(src) if n.endswith(('.c', '.h'))]
    for n in extra:
        print(f'{os.path.join(src, n)}: a source file outside the layers')
        bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
