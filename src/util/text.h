/* Text as it appears on a terminal: display widths (CJK characters take two
 * columns, combining marks none) and padding to a width. */
#ifndef AIODEMO_TEXT_H
#define AIODEMO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/** Whether the @n bytes at @s are UTF-8 as RFC 3629 has it: no stray or
 *  missing continuation bytes, no overlong forms, no surrogates, nothing
 *  past U+10FFFF. Returns true, or false and the offset of the first byte
 *  that is not in *@bad (when not NULL). */
bool text_is_utf8(const char *s, size_t n, size_t *bad);

/** The number of terminal columns @s takes (UTF-8; invalid bytes count 1). */
int text_width(const char *s);

/** Appends @s cut to @width columns ("…" or "~" marks a cut, as @utf8
 *  says), then spaces up to @width. */
void text_pad(struct buf *b, const char *s, int width, bool utf8);

/** Appends @n bytes of @s as valid UTF-8: each byte of a sequence that is
 *  not UTF-8 becomes U+FFFD. */
void text_add_utf8(struct buf *b, const char *s, size_t n);

/** Appends the NUL-terminated @s as a terminal can show it without taking
 *  it as a command: C0 controls and DEL (ESC of a colour sequence, BEL,
 *  CR...) become their pictures, U+241B and co (^[ and co when !@utf8);
 *  tab stays. */
void text_add_visible(struct buf *b, const char *s, bool utf8);

/** The closest of @n @names to @word within a small edit distance (a swap
 *  of neighbours counts one), or NULL: for "did you mean ...?". */
const char *suggest_name(const char *word, const char *const *names, size_t n);

/** Appends @s wrapped at its spaces to lines of at most @width columns
 *  (a word longer than that has a line of its own), the first line after
 *  @indent, the others after @more; each line ends with a newline. */
void text_wrap(struct buf *b, const char *s, int width, const char *indent, const char *more);

/** The width of the terminal on stdout: $COLUMNS, the tty's size, or @fallback. */
int text_terminal_width(int fallback);

#endif
