/* Text tables: cells in rows and columns, printed right-aligned in
 * blocks of columns that fit the terminal's width. */
#ifndef AIODEMO_REPORT_TABLE_H
#define AIODEMO_REPORT_TABLE_H

#include "util/buf.h"

/** A table's cells, row by row; the first column names the rows. */
struct table {
	char **cells; /* rows * cols, each malloc'd or NULL */
	int rows, cols;
};

/** Makes an empty table of @rows by @cols. */
void table_init(struct table *t, int rows, int cols);

/** Sets the cell at @row, @col to what @b holds, which it takes (@b is left empty). */
void table_set(struct table *t, int row, int col, struct buf *b);

/** The text of a cell ("" when unset). */
const char *table_get(const struct table *t, int row, int col);

/** Appends the table, @width columns wide at most: the first column
 *  left-aligned, the others right-aligned, in blocks of columns that fit
 *  (each block starts with the first column again); a name too long to
 *  leave room for the widest column beside it goes on under its start. */
void table_print(const struct table *t, struct buf *out, int width);

/** Frees the cells. */
void table_free(struct table *t);

#endif
