/* aiodemo's temporary files and directories in $TMPDIR, named after the
 * process that made them ("aiodemo-run-PID-XXXXXX"), so that the next run
 * can remove those that a killed aiodemo (SIGKILL) could not. */
#ifndef AIODEMO_UTIL_TMPFILE_H
#define AIODEMO_UTIL_TMPFILE_H

#include <stdbool.h>

/** $TMPDIR, or /tmp when it is unset or empty. */
const char *tmp_dir(void);

/** Makes a temporary directory (@dir) or an empty file "aiodemo-@what-PID-
 *  XXXXXX" in tmp_dir(), after removing the ones of processes that are
 *  gone. Returns the path (malloc'ed), or NULL with errno. */
char *tmp_make(const char *what, bool dir);

/** Removes what processes that are gone left in tmp_dir(). */
void tmp_sweep(void);

/** Removes @path and, for a directory, all it holds. */
void tmp_remove(const char *path);

#endif
