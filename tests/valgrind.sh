#!/bin/sh
# Runs a few programs under valgrind's memcheck: no error, no leak in
# aiodemo's own code. CPython is not built for valgrind: what it keeps at
# exit and the uninitialised reads inside it are suppressed
# (sanitizers/valgrind-python.supp, which names the shared libpython3.11:
# run it on a build made with -Dpython_static=disabled); PYTHONMALLOC=malloc
# lets memcheck see every Python allocation.
# usage: valgrind.sh AIODEMO
set -eu
aiodemo=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONMALLOC=malloc
"$aiodemo" run semaphore --scale 0.05 --record "$tmp/semaphore.json" > /dev/null
for args in "run offload-sleep" "run bounded-pool" "run process-primes" "run taskgroup-cancel" \
            "run wait-for-timeout --html $tmp/w.html" "run exception-gather" "run semaphore --max-events 5" \
            "run thread-file-read --record $tmp/r.json --trace $tmp/t.json --svg $tmp/s.svg" \
            "replay $tmp/semaphore.json --trace $tmp/t2.json --svg $tmp/s2.svg --svg-style slides --html $tmp/p.html" \
            "compare blocking-sleep offload-sleep --html $tmp/c.html --svg $tmp/c.svg" "check semaphore" \
            "sweep bounded-pool workers=2,4 --repeat 2 --svg $tmp/sweep.svg"; do
    # replay shows a run as it was: no --scale to give it.
    case "$args" in replay*) scale= ;; *) scale="--scale 0.05" ;; esac
    # shellcheck disable=SC2086
    rc=0
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-possibly-lost=no --child-silent-after-fork=yes --fair-sched=yes \
        --suppressions="$here/sanitizers/valgrind-python.supp" \
        "$aiodemo" $args $scale > /dev/null 2> "$tmp/valgrind.log" || rc=$?
    # check's verdict on moments is not memcheck's business: a slow machine
    # may miss one (1); an error of memcheck's is 99.
    case "$args" in check*) [ "$rc" -eq 1 ] && rc=0 ;; esac
    if [ "$rc" -ne 0 ]; then
        echo "valgrind: aiodemo $args: exit $rc" >&2
        cat "$tmp/valgrind.log" >&2
        exit 1
    fi
    echo "valgrind: aiodemo $args: clean"
done
