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

/** Appends spaces, then @s, to fill @width columns at least (a column of
 *  numbers' heading, aligned right); @s is never cut. */
void text_pad_left(struct buf *b, const char *s, int width);

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

/** Appends @s cut by text_break() into lines of at most @width columns,
 *  the first line after @indent, the others after @more, which count in
 *  @width; each line ends with a newline. Newlines in @s end lines too. */
void text_wrap(struct buf *b, const char *s, int width, const char *indent, const char *more);

/** How much of @s (up to a newline or its end) fits in @width columns, at
 *  least one character: the bytes to show, cut at the last space that
 *  fits when the rest does not, unless that leaves the line less than a
 *  third full (a word is cut then); *@next is where the rest begins, past
 *  the spaces of the cut or the newline. Returns 0 with *@next at @s at
 *  the end. */
size_t text_break(const char *s, int width, const char **next);

/** Appends each line of @text cut by text_break() to fit @width columns;
 *  a line's rest goes on lines indented under its value: after its label
 *  and the gap of two spaces or more that ends it ("  total       3.0 s"),
 *  else two columns past the line's own indent. */
void text_fit(struct buf *b, const char *text, int width);

/** Appends the paragraphs of @text (lines, a blank line between two
 *  paragraphs) rewrapped to @width columns after @indent; two lines
 *  join with a space, unless both sides are wide (CJK) characters. */
void text_reflow(struct buf *b, const char *text, int width, const char *indent);

/** The width of the terminal: $COLUMNS, the size of the terminal on
 *  stdout or, when stdout is a pipe (aiodemo run X | less), on stderr or
 *  the controlling terminal (/dev/tty); else @fallback. */
int text_terminal_width(int fallback);

/** Sets the width that aiodemo's text views fit (--width), 0 to follow
 *  the terminal. */
void text_set_columns(int columns);

/** The width aiodemo's text views fit: --width, or text_terminal_width(80),
 *  found once. */
int text_columns(void);

#endif
