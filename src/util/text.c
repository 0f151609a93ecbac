/* Display widths of UTF-8 text, for columns that line up; the nearest of
 * a list of names, for suggestions. */
#define _XOPEN_SOURCE 700
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

/* The next character of @s: its width and its length in bytes. */
static int next_char(const char *s, size_t *len)
{
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* Not valid in this locale: count UTF-8 sequences as one column. */
		size_t k = 1;
		while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		*len = k;
		return 1;
	}
	*len = n;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int text_width(const char *s)
{
	int w = 0;
	while (*s) {
		size_t len;
		w += next_char(s, &len);
		s += len;
	}
	return w;
}

void text_pad(struct buf *b, const char *s, int width, bool utf8)
{
	int used = 0;
	if (text_width(s) <= width) {
		buf_puts(b, s);
		used = text_width(s);
	} else {
		while (*s) {
			size_t len;
			int w = next_char(s, &len);
			if (used + w > width - 1)
				break;
			buf_add(b, s, len);
			used += w;
			s += len;
		}
		buf_puts(b, utf8 ? "…" : "~");
		used++;
	}
	while (used++ < width)
		buf_putc(b, ' ');
}

int text_terminal_width(int fallback)
{
	const char *c = getenv("COLUMNS");
	if (c && *c) {
		int n = atoi(c);
		if (n > 0)
			return n;
	}
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return fallback;
}

bool text_is_utf8(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		const unsigned char *start = p;
		unsigned c = *p++;
		if (c < 0x80)
			continue;
		int more = c >= 0xc2 && c <= 0xdf   ? 1
		           : c >= 0xe0 && c <= 0xef ? 2
		           : c >= 0xf0 && c <= 0xf4 ? 3
		                                    : -1;
		/* The second byte's range rules out overlong forms, surrogates
		 * (ED A0..BF) and code points past U+10FFFF (F4 90..). */
		unsigned lo = c == 0xe0   ? 0xa0
		              : c == 0xf0 ? 0x90
		                          : 0x80,
		         hi = c == 0xed   ? 0x9f
		              : c == 0xf4 ? 0x8f
		                          : 0xbf;
		bool ok = more > 0 && end - p >= more && p[0] >= lo && p[0] <= hi;
		for (int i = 1; ok && i < more; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (!ok) {
			if (bad)
				*bad = (size_t)(start - (const unsigned char *)s);
			return false;
		}
		p += more;
	}
	return true;
}

void text_add_utf8(struct buf *b, const char *s, size_t n)
{
	size_t bad;
	while (n > 0 && !text_is_utf8(s, n, &bad)) {
		buf_add(b, s, bad);
		buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
		s += bad + 1;
		n -= bad + 1;
	}
	buf_add(b, s, n);
}

void text_add_visible(struct buf *b, const char *s, bool utf8)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			buf_putc(b, (char)c);
		else if (!utf8)
			buf_printf(b, "^%c", c == 0x7f ? '?' : c + 0x40);
		else if (c == 0x7f)
			buf_puts(b, "\xe2\x90\xa1"); /* U+2421 SYMBOL FOR DELETE */
		else                                 /* U+2400 + c: the control pictures */
			buf_printf(b, "\xe2\x90%c", (char)(0x80 + c));
	}
}

/* Optimal string alignment distance: a swap of two neighbours costs 1, so
 * "rnu" is one edit from "run". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = (char)tolower((unsigned char)a[i - 1]),
			     cb = (char)tolower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *suggest_name(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	size_t limit = strlen(word) <= 3 ? 1 : strlen(word) <= 6 ? 2 : 3;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || names[i][0] == '.')
			continue;
		size_t d = edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

void text_wrap(struct buf *b, const char *s, int width, const char *indent, const char *more)
{
	const char *prefix = indent;
	struct buf line = { 0 }, word = { 0 };
	buf_puts(&line, prefix);
	int used = text_width(prefix), start = used;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		size_t n = strcspn(s, " ");
		buf_clear(&word);
		buf_add(&word, s, n);
		s += n;
		int w = text_width(word.data);
		if (used > start && used + 1 + w > width) {
			buf_printf(b, "%s\n", line.data);
			buf_clear(&line);
			prefix = more;
			buf_puts(&line, prefix);
			used = start = text_width(prefix);
		}
		if (used > start) {
			buf_putc(&line, ' ');
			used++;
		}
		buf_puts(&line, word.data);
		used += w;
	}
	buf_printf(b, "%s\n", line.data);
	buf_free(&line);
	buf_free(&word);
}
