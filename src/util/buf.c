/* Growable byte buffers. */
#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	/* Into the room there is; once more only when it was too little. */
	reserve(b, 63);
	size_t room = b->cap - b->len;
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(b->data + b->len, room, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_json_string(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		/* Copy a run of characters that need no escape in one go. */
		size_t run = i;
		while (run < n && (unsigned char)s[run] >= 0x20 && s[run] != '"' &&
		       s[run] != '\\' && s[run] != 0x7f)
			run++;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run - 1;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_steal(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void buf_json_text(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	size_t n = strlen(s);
	if (text_is_utf8(s, n, NULL)) {
		buf_json_string(b, s, n);
		return;
	}
	struct buf valid = { 0 };
	text_add_utf8(&valid, s, n);
	buf_json_string(b, valid.data, valid.len);
	buf_free(&valid);
}

void buf_json_number(struct buf *b, double v)
{
	if (isfinite(v))
		buf_printf(b, "%.6f", v);
	else
		buf_puts(b, "null");
}

void buf_seconds(struct buf *b, double s)
{
	if (s < 0.001)
		buf_printf(b, "%.3f ms", s * 1000);
	else if (s < 1)
		buf_printf(b, "%.1f ms", s * 1000);
	else
		buf_printf(b, "%.3f s", s);
}
