/* Writing that survives signals: a reader slow enough that a write blocks
 * must not lose the rest of a run when Ctrl-C or SIGTERM interrupts it. */
#ifndef AIODEMO_UTIL_IO_H
#define AIODEMO_UTIL_IO_H

#include <stddef.h>

/** Writes all @n bytes of @p to @fd, again after EINTR and after a short
 *  write, waiting when @fd is non-blocking and full. Returns 0, or -1 with
 *  errno (EPIPE: the reader went away). */
int io_write_all(int fd, const void *p, size_t n);

#endif
