#!/bin/sh
# Checks man pages (UTF-8, through preconv) with groff's warnings all on:
# any warning fails.
# usage: lint.sh GROFF PAGE...
set -u

if [ $# -lt 2 ]; then
    echo "usage: lint.sh GROFF PAGE..." >&2
    exit 2
fi
groff=$1
shift

status=0
for page in "$@"; do
    if ! warnings=$("$groff" -k -ww -man -Tutf8 "$page" 2>&1 >/dev/null); then
        echo "$page: groff failed" >&2
        status=1
    fi
    if [ -n "$warnings" ]; then
        printf '%s\n' "$warnings" >&2
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "no warnings in: $*"
fi
exit "$status"
