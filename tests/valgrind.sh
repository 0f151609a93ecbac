#!/bin/sh
# Runs a few scenarios under valgrind's memcheck: no error, no leak.
# usage: valgrind.sh AIODEMO
set -eu
aiodemo=$1
for args in "run offload-sleep" "run bounded-pool" "run process-primes" "run taskgroup-cancel" \
            "run wait-for-timeout" "run thread-file-read --record /dev/null --trace /dev/null --svg /dev/null" \
            "run semaphore" "run gather-exceptions --ideal" "run captcha-server" "run captcha-on-loop"; do
    # shellcheck disable=SC2086
    if ! valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --child-silent-after-fork=yes --fair-sched=yes \
            "$aiodemo" $args --scale 0.05 > /dev/null 2> valgrind.log; then
        echo "valgrind: aiodemo $args:" >&2
        cat valgrind.log >&2
        exit 1
    fi
    echo "valgrind: aiodemo $args: clean"
done
rm -f valgrind.log
