/* A growable byte buffer for building strings and messages. */
#ifndef AIODEMO_BUF_H
#define AIODEMO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/** Bytes with a length; data is always NUL-terminated when non-NULL. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/** Appends @n bytes of @p. */
void buf_add(struct buf *b, const void *p, size_t n);
/** Appends a NUL-terminated string. */
void buf_puts(struct buf *b, const char *s);
/** Appends one byte. */
void buf_putc(struct buf *b, char c);
/** Appends formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/** Appends formatted text from a va_list. */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
/** Appends @s as a JSON string literal, quotes included. */
void buf_json_string(struct buf *b, const char *s, size_t n);
/** Appends the NUL-terminated @s as a JSON string, null for NULL; bytes
 *  that are not UTF-8 (a file's name) become U+FFFD. */
void buf_json_text(struct buf *b, const char *s);
/** Appends @v as a JSON number with 6 decimals, null when not finite
 *  (JSON has no NaN or Infinity). */
void buf_json_number(struct buf *b, double v);
/** Appends a duration for people: "0.250 ms", "12.3 ms", "1.234 s". */
void buf_seconds(struct buf *b, double s);
/** Empties the buffer, keeping its memory. */
void buf_clear(struct buf *b);
/** Frees the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);
/** Takes the string out of the buffer (never NULL); the buffer is left empty. */
char *buf_steal(struct buf *b);

#endif
