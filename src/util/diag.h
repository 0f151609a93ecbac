/* Diagnostics: every message aiodemo prints to stderr goes through here. */
#ifndef AIODEMO_DIAG_H
#define AIODEMO_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/** Program name used as the prefix of every message ("aiodemo"). */
extern const char *diag_progname;

/** Whether stderr messages may use colour; set once by main(). */
extern bool diag_color;

/** "aiodemo: error: ..." on stderr. */
void diag_error(const char *fmt, ...) ATTR_PRINTF(1, 2);

/** "aiodemo: warning: ..." on stderr. */
void diag_warning(const char *fmt, ...) ATTR_PRINTF(1, 2);

/** "aiodemo: note: ..." on stderr. */
void diag_note(const char *fmt, ...) ATTR_PRINTF(1, 2);

/** A located error in a scenario file: "file:line:col: error: msg", then the
 *  line itself from @text and a caret under @col (1-based). */
void diag_at(const char *file, const char *text, size_t len, int line, int col, const char *fmt,
             ...) ATTR_PRINTF(6, 7);

/** Like diag_at() but formats into @buf instead of writing to stderr. */
void diag_format_at(char *buf, size_t size, const char *file, const char *text, size_t len,
                    int line, int col, const char *fmt, va_list ap) ATTR_PRINTF(8, 0);

/** Aborts with a message when memory runs out; never returns NULL. */
void *xmalloc(size_t size);
/** calloc() that aborts on failure. */
void *xcalloc(size_t n, size_t size);
/** realloc() that aborts on failure. */
void *xrealloc(void *p, size_t size);
/** strdup() that aborts on failure. */
char *xstrdup(const char *s);
/** strndup() that aborts on failure. */
char *xstrndup(const char *s, size_t n);

#endif
