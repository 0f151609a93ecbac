/* Text tables: see table.h. */
#include "table.h"

#include <stdlib.h>

#include "util/text.h"

void table_init(struct table *t, int rows, int cols)
{
	t->rows = rows;
	t->cols = cols;
	t->cells = xcalloc((size_t)rows * (size_t)cols, sizeof(char *));
}

void table_set(struct table *t, int row, int col, struct buf *b)
{
	free(t->cells[row * t->cols + col]);
	t->cells[row * t->cols + col] = buf_steal(b);
}

const char *table_get(const struct table *t, int row, int col)
{
	const char *c = t->cells[row * t->cols + col];
	return c ? c : "";
}

void table_print(const struct table *t, struct buf *out, int width)
{
	int *w = xcalloc((size_t)t->cols, sizeof(int));
	int widest = 0;
	for (int c = 0; c < t->cols; c++)
		for (int r = 0; r < t->rows; r++) {
			int cw = text_width(table_get(t, r, c));
			if (cw > w[c])
				w[c] = cw;
			if (c > 0 && cw > widest)
				widest = cw;
		}
	/* Names too long to leave room for a column beside them go on in
	 * lines of their own under their start. */
	if (2 + w[0] + 2 + widest > width && width - 4 - widest >= 10)
		w[0] = width - 4 - widest;
	for (int first = 1; first < t->cols;) {
		int used = 2 + w[0], last = first;
		while (last < t->cols && (last == first || used + 2 + w[last] <= width))
			used += 2 + w[last++];
		for (int r = 0; r < t->rows; r++) {
			struct buf line = { 0 };
			const char *name = table_get(t, r, 0), *rest;
			size_t n = text_break(name, w[0], &rest);
			buf_puts(&line, "  ");
			buf_add(&line, name, n);
			for (int k = text_width(line.data) - 2; k < w[0]; k++)
				buf_putc(&line, ' ');
			for (int c = first; c < last; c++) {
				const char *v = table_get(t, r, c);
				for (int k = text_width(v); k < w[c] + 2; k++)
					buf_putc(&line, ' ');
				buf_puts(&line, v);
			}
			while (line.len && line.data[line.len - 1] == ' ')
				line.data[--line.len] = '\0';
			buf_printf(out, "%s\n", line.data);
			while (*rest) {
				const char *piece = rest;
				n = text_break(piece, w[0] - 2, &rest);
				buf_printf(out, "    %.*s\n", (int)n, piece);
			}
			buf_free(&line);
		}
		first = last;
		if (first < t->cols)
			buf_putc(out, '\n');
	}
	free(w);
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->rows * t->cols; i++)
		free(t->cells[i]);
	free(t->cells);
}
