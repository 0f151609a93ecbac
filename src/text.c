/* Display widths of UTF-8 text, for columns that line up. */
#define _XOPEN_SOURCE 700
#include "text.h"

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
