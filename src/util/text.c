/* Display widths of UTF-8 text, for columns that line up; the nearest of
 * a list of names, for suggestions. */
#define _XOPEN_SOURCE 700
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

/* The character at @s as a wide character (0 if it is not one in this
 * locale), its width and its length in bytes. */
static wchar_t char_at(const char *s, int *width, size_t *len)
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
		*width = 1;
		return 0;
	}
	*len = n;
	int w = wcwidth(wc);
	*width = w < 0 ? 1 : w;
	return wc;
}

/* The next character of @s: its width and its length in bytes. */
static int next_char(const char *s, size_t *len)
{
	int w;
	char_at(s, &w, len);
	return w;
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

/* The columns of the terminal on @fd, or 0. */
static int terminal_columns(int fd)
{
	struct winsize ws;
	return fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

void text_pad_left(struct buf *b, const char *s, int width)
{
	for (int w = text_width(s); w < width; w++)
		buf_putc(b, ' ');
	buf_puts(b, s);
}

int text_terminal_width(int fallback)
{
	const char *c = getenv("COLUMNS");
	if (c && *c) {
		int n = atoi(c);
		if (n > 0)
			return n;
	}
	int n = terminal_columns(STDOUT_FILENO);
	if (n > 0)
		return n;
	/* Output read through a pager, or cut by grep, is read on the
	 * terminal that runs the pipeline. */
	struct stat st;
	if (fstat(STDOUT_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode))
		return fallback;
	n = terminal_columns(STDERR_FILENO);
	if (n > 0)
		return n;
	int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		n = terminal_columns(fd);
		close(fd);
	}
	return n > 0 ? n : fallback;
}

/* Narrower than this, no view can keep its columns. */
#define MIN_COLUMNS 40

static int columns_set;

void text_set_columns(int columns)
{
	columns_set = columns;
}

int text_columns(void)
{
	if (!columns_set)
		columns_set = text_terminal_width(80);
	return columns_set < MIN_COLUMNS ? MIN_COLUMNS : columns_set;
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

/* Punctuation that a line must not begin with (Chinese closes a clause
 * with it), and punctuation that must not end one. */
static bool closes(wchar_t c)
{
	return c && wcschr(L"，。、；：！？）》」』”’…", c);
}

static bool opens(wchar_t c)
{
	return c && wcschr(L"（《「『“‘", c);
}

/* The columns of the word at @s (its spaces skipped): up to a space, a
 * newline or a wide character, after which a line may end anyway. */
static int word_width(const char *s)
{
	int used = 0;
	while (*s == ' ')
		s++;
	for (size_t len; *s && *s != ' ' && *s != '\n'; s += len) {
		int w = next_char(s, &len);
		if (w == 2 && used > 0)
			break;
		used += w;
	}
	return used;
}

size_t text_break(const char *s, int width, const char **next)
{
	size_t end = strcspn(s, "\n"), fit = 0, space = 0;
	int used = 0, space_used = 0;
	wchar_t prev = 0;
	int prev_w = 0;
	while (fit < end) {
		size_t len;
		int w;
		wchar_t c = char_at(s + fit, &w, &len);
		if (fit > 0 && used + w > width)
			break;
		/* A line may end before a space, and between two characters
		 * of which one is wide (CJK text has no spaces), but not
		 * before punctuation that closes or after one that opens. */
		if (fit > 0 && (s[fit] == ' ' || ((w == 2 || prev_w == 2) && s[fit - 1] != ' ' &&
		                                  !closes(c) && !opens(prev)))) {
			space = fit;
			space_used = used;
		}
		used += w;
		fit += len;
		prev = c;
		prev_w = w;
	}
	if (fit >= end) {
		*next = s + end + (s[end] == '\n');
		return end;
	}
	/* The rest does not fit: cut where a line may end (here, if the next
	 * character may begin one), unless that leaves the line less than a
	 * third full; the spaces of the cut go. */
	size_t len;
	int w;
	wchar_t c = char_at(s + fit, &w, &len);
	if (fit > 0 && s[fit - 1] != ' ' && (w == 2 || prev_w == 2) && !closes(c) && !opens(prev)) {
		space = fit;
		space_used = used;
	}
	size_t cut = s[fit] == ' ' ? fit
	             : space > 0 && (space_used * 3 >= width || word_width(s + space) <= width)
	                     ? space
	                     : fit;
	const char *rest = s + cut;
	while (*rest == ' ')
		rest++;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	*next = rest;
	return cut ? cut : (size_t)(rest - s);
}

void text_wrap(struct buf *b, const char *s, int width, const char *indent, const char *more)
{
	const char *prefix = indent, *next;
	while (*s == ' ')
		s++;
	for (bool first = true; first || *s; first = false, s = next) {
		int room = width - text_width(prefix);
		size_t k = text_break(s, room > 0 ? room : 1, &next);
		buf_puts(b, prefix);
		buf_add(b, s, k);
		buf_putc(b, '\n');
		prefix = more;
	}
}

/* The column that the rest of a line too long goes under (see text_fit). */
static int hang_of(const char *line, int width)
{
	int lead = (int)strspn(line, " ");
	const char *p = line + lead, *gap = strstr(p, "  ");
	int hang = lead + 2;
	if (gap && gap > p && memchr(p, '`', (size_t)(gap - p)) == NULL &&
	    memchr(p, '(', (size_t)(gap - p)) == NULL) {
		struct buf head = { 0 };
		buf_add(&head, line, (size_t)(gap - line));
		int col = text_width(head.data) + (int)strspn(gap, " ");
		buf_free(&head);
		if (col <= 24)
			hang = col;
	}
	return hang * 2 > width ? (lead + 2) * 2 > width ? 0 : lead + 2 : hang;
}

void text_fit(struct buf *b, const char *text, int width)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		struct buf line = { 0 };
		buf_add(&line, text, len);
		text += len + (text[len] == '\n');
		const char *s = line.data, *next;
		int hang = hang_of(s, width), room = width;
		for (bool first = true; first || *s; first = false) {
			size_t k = text_break(s, room, &next);
			if (!first)
				buf_printf(b, "%*s", hang, "");
			buf_add(b, s, k);
			buf_putc(b, '\n');
			s = next;
			room = width - hang;
			/* Under the value, a space the cut left is no indent. */
			while (*s == ' ' && s[1] == ' ')
				s++;
		}
		buf_free(&line);
	}
}

/* Whether the character that ends at @end (after @start) is wide. */
static bool wide_before(const char *start, const char *end)
{
	const char *p = end;
	while (p > start && ((unsigned char)p[-1] & 0xC0) == 0x80)
		p--;
	if (p == start || p[-1] == ' ')
		return false;
	p--;
	size_t len;
	return next_char(p, &len) == 2;
}

void text_reflow(struct buf *b, const char *text, int width, const char *indent)
{
	struct buf para = { 0 };
	for (;;) {
		size_t len = strcspn(text, "\n");
		const char *line = text;
		bool blank = strspn(line, " ") >= len;
		if (!blank) {
			while (*line == ' ')
				line++, len--;
			if (para.len) {
				size_t k;
				bool wide = wide_before(para.data, para.data + para.len) &&
				            next_char(line, &k) == 2;
				if (!wide)
					buf_putc(&para, ' ');
			}
			buf_add(&para, line, len);
		}
		if ((blank || !line[len]) && para.len) {
			text_wrap(b, para.data, width, indent, indent);
			buf_clear(&para);
		}
		if (!line[len])
			break;
		if (blank && b->len)
			buf_putc(b, '\n');
		text = line + len + 1;
	}
	buf_free(&para);
}
