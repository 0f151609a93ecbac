#!/bin/sh
# Runs a few scenarios under valgrind's memcheck: no error, no leak; the
# scenario language's from their .scn files. (The Python programs are not
# here yet: memcheck reports reads of uninitialised bytes inside CPython,
# in _PyLong_FromByteArray, that need suppressions of their own first.)
# usage: valgrind.sh AIODEMO
set -eu
aiodemo=$1
here=$(cd "$(dirname "$0")" && pwd)
scn=$here/../scenarios
export PYTHONMALLOC=malloc
for args in "run $scn/offload-sleep.scn" "run $scn/bounded-pool.scn" "run $scn/process-primes.scn" \
            "run $scn/taskgroup-cancel.scn" "run $scn/wait-for-timeout.scn" \
            "run $scn/thread-file-read.scn --record /dev/null --trace /dev/null --svg /dev/null" \
            "run $scn/semaphore.scn" "run $scn/gather-exceptions.scn --ideal" "run captcha-server" "run captcha-on-loop"; do
    # shellcheck disable=SC2086
    if ! valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --child-silent-after-fork=yes --fair-sched=yes --suppressions="$here/sanitizers/valgrind-python.supp" \
            "$aiodemo" $args --scale 0.05 > /dev/null 2> valgrind.log; then
        echo "valgrind: aiodemo $args:" >&2
        cat valgrind.log >&2
        exit 1
    fi
    echo "valgrind: aiodemo $args: clean"
done
rm -f valgrind.log
