/* Diagnostics on stderr and the checked allocators. */
#include "diag.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

const char *diag_progname = "aiodemo";
bool diag_color = false;

static void vreport(const char *color, const char *level, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (diag_color)
		fprintf(stderr, "%s: \033[1;%sm%s:\033[0m ", diag_progname, color, level);
	else
		fprintf(stderr, "%s: %s: ", diag_progname, level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("31", _("error"), fmt, ap);
	va_end(ap);
}

void diag_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("35", _("warning"), fmt, ap);
	va_end(ap);
}

void diag_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("36", _("note"), fmt, ap);
	va_end(ap);
}

/* Finds line @line (1-based) of @text; returns its start and sets *@n. */
static const char *find_line(const char *text, size_t len, int line, size_t *n)
{
	const char *p = text, *end = text + len;
	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			p = end;
			break;
		}
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*n = (size_t)((nl ? nl : end) - p);
	return p;
}

void diag_format_at(char *buf, size_t size, const char *file, const char *text, size_t len,
                    int line, int col, const char *fmt, va_list ap)
{
	int off = snprintf(buf, size, "%s:%d:%d: %s: ", file, line, col, _("error"));
	if (off < 0 || (size_t)off >= size)
		return;
	int m = vsnprintf(buf + off, size - (size_t)off, fmt, ap);
	if (m < 0 || (size_t)(off + m) >= size || !text)
		return;
	off += m;
	size_t n;
	const char *src = find_line(text, len, line, &n);
	if (n > 200)
		n = 200;
	/* The caret line copies tabs so it lines up under the shown text. */
	m = snprintf(buf + off, size - (size_t)off, "\n %5d | %.*s\n       | ", line, (int)n, src);
	if (m < 0 || (size_t)(off + m) >= size)
		return;
	off += m;
	/* The caret stays under the part of the line shown. */
	for (int i = 1; i < col && (size_t)(i - 1) < n && (size_t)off + 3 < size; i++) {
		char c = (size_t)(i - 1) < n && src[i - 1] == '\t' ? '\t' : ' ';
		/* A UTF-8 continuation byte takes no column of its own; a wide
		 * (CJK) character takes two. */
		if ((size_t)(i - 1) < n && ((unsigned char)src[i - 1] & 0xC0) == 0x80)
			continue;
		char one[5] = { src[i - 1] };
		for (int k = 1; k < 4 && (size_t)(i - 1 + k) < n &&
		                ((unsigned char)src[i - 1 + k] & 0xC0) == 0x80;
		     k++)
			one[k] = src[i - 1 + k];
		if (c == ' ' && text_width(one) == 2)
			buf[off++] = ' ';
		buf[off++] = c;
	}
	if ((size_t)off + 2 < size) {
		buf[off++] = '^';
		buf[off] = '\0';
	}
}

void diag_at(const char *file, const char *text, size_t len, int line, int col, const char *fmt,
             ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	diag_format_at(buf, sizeof(buf), file, text, len, line, col, fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s\n", buf);
}

/* In English: gettext may need memory to translate. */
static void out_of_memory(void)
{
	fprintf(stderr, "%s: error: out of memory\n", diag_progname);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		out_of_memory();
	return p;
}
