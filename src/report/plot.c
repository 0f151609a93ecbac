/* A plot of a figure against a parameter: see plot.h.
 *
 * The terminal's plot is a grid of character cells, drawn in three layers:
 * the lines that join a series' points (braille dots, 2 x 4 to a cell, or
 * '.' in ASCII), the ranges (a vertical bar through the cells from min to
 * max) and the points' marks on top. The y axis starts at 0, so that the
 * heights compare as the figures do; the x axis has the parameter's values
 * evenly spaced, in the order given:
 *
 *     4 s ┤●
 *     3 s ┤ ⠑⠢⡀
 *     2 s ┤    ⠈●⠒⠒⠒●
 *     1 s ┤          ⠑⠤●
 *     0 s ┤
 *         └──┬────┬────┬──
 *            1    2    3
 *              workers
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "svg.h"
#include "util/text.h"

enum { ROWS = 12, MAX_TICKS = 12 };

static const char *const marks_utf8[] = { "●", "■", "▲", "◆", "○", "□", "△", "◇" };
static const char *const marks_ascii[] = { "o", "x", "+", "*", "#", "@", "%", "&" };
static const char *const colors_ansi[] = { "\033[32m", "\033[36m", "\033[33m",
	                                   "\033[35m", "\033[34m", "\033[31m" };
static const char *const colors_svg[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
	                                  "#9467bd", "#8c564b", "#e377c2", "#17becf" };
#define NMARKS  (int)(sizeof(marks_utf8) / sizeof(marks_utf8[0]))
#define NCOLORS (int)(sizeof(colors_ansi) / sizeof(colors_ansi[0]))
#define NSVG    (int)(sizeof(colors_svg) / sizeof(colors_svg[0]))

/* The y axis: 0 to top, ticks every step, labelled in a unit. */
struct axis {
	double top, step;
	int nticks;
	double unit;      /* a label's number is the value / unit */
	const char *name; /* "s", "ms", "µs" or "%" */
	int decimals;
};

/* The largest value to show: of the ranges too. */
static double largest(const struct plot *p)
{
	double max = 0;
	for (int s = 0; s < p->nseries; s++)
		for (int i = 0; i < p->nx; i++) {
			const struct plot_series *ps = &p->series[s];
			double v[3] = { ps->mid[i], ps->lo ? ps->lo[i] : NAN,
				        ps->hi ? ps->hi[i] : NAN };
			for (int k = 0; k < 3; k++)
				if (isfinite(v[k]) && v[k] > max)
					max = v[k];
		}
	return max;
}

/* A round step near @raw: 1, 2 or 5 times a power of ten. */
static double round_step(double raw)
{
	double p = pow(10, floor(log10(raw)));
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static struct axis axis_of(const struct plot *p, bool utf8)
{
	struct axis a;
	double max = largest(p);
	if (!(max > 0)) /* nothing but zeros: an axis of 1 ms, 1%, or a count of 1 */
		max = p->unit == UNIT_SECONDS ? 1e-3 : p->unit == UNIT_SHARE ? 0.01 : 1;
	a.step = round_step(max / 5);
	if (p->unit == UNIT_COUNT && a.step < 1)
		a.step = 1; /* no thread and a half */
	a.nticks = (int)ceil(max / a.step - 1e-9) + 1;
	if (a.nticks > MAX_TICKS) /* cannot be, but the arrays are fixed */
		a.nticks = MAX_TICKS;
	a.top = a.step * (a.nticks - 1);
	if (p->unit == UNIT_SHARE) {
		a.unit = 0.01;
		a.name = "%";
	} else if (p->unit == UNIT_COUNT) {
		a.unit = 1;
		a.name = "";
	} else if (a.top >= 1) {
		a.unit = 1;
		a.name = "s";
	} else if (a.top >= 1e-3) {
		a.unit = 1e-3;
		a.name = "ms";
	} else {
		a.unit = 1e-6;
		a.name = utf8 ? "µs" : "us";
	}
	double digits = -floor(log10(a.step / a.unit) + 1e-9);
	a.decimals = digits < 0 ? 0 : digits > 6 ? 6 : (int)digits;
	return a;
}

/* A tick's label: "2 s", "0.5 s", "250 ms", "25%". */
static void tick_label(struct buf *b, const struct axis *a, double v)
{
	if (!strcmp(a->name, "%"))
		buf_printf(b, "%.*f%%", a->decimals, v / a->unit);
	else if (!*a->name)
		buf_printf(b, "%.*f", a->decimals, v);
	else
		buf_printf(b, "%.*f %s", a->decimals, v / a->unit, a->name);
}

/* A value for people, with three more digits than the ticks. */
static void value_text(struct buf *b, const struct axis *a, double v)
{
	int d = a->decimals + 2 > 6 ? 6 : a->decimals + 2;
	if (!strcmp(a->name, "%"))
		buf_printf(b, "%.*f%%", d, v / a->unit);
	else if (!*a->name)
		figure_format(b, v, UNIT_COUNT); /* "4", or a median "3.5" */
	else
		buf_printf(b, "%.*f %s", d, v / a->unit, a->name);
}

/* --- the terminal's plot ----------------------------------------------------------- */

/* One character cell of the plot: what each layer puts there, and whose
 * (a series' number, -1 for none). */
struct cell {
	unsigned char dots; /* braille dots, or any dot for ASCII */
	signed char dots_of, range_of, mark_of;
};

struct canvas {
	struct cell *cells;
	int cols, rows;
	int sx, sy; /* dots in a cell: 2 x 4 (braille) or 1 x 1 */
};

static void set_dot(struct canvas *c, int x, int y, int series)
{
	static const unsigned char left[4] = { 0x01, 0x02, 0x04, 0x40 },
	                           right[4] = { 0x08, 0x10, 0x20, 0x80 };
	if (x < 0 || y < 0 || x >= c->cols * c->sx || y >= c->rows * c->sy)
		return;
	struct cell *cell = &c->cells[(y / c->sy) * c->cols + x / c->sx];
	cell->dots |= c->sx == 1 ? 1 : x % 2 ? right[y % 4] : left[y % 4];
	cell->dots_of = (signed char)series;
}

/* The dots from (x0, y0) to (x1, y1), one at each step of the longer side. */
static void line(struct canvas *c, int x0, int y0, int x1, int y1, int series)
{
	int dx = x1 - x0, dy = y1 - y0;
	int n = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
	for (int t = 0; t <= n; t++) {
		double f = n ? (double)t / n : 0;
		set_dot(c, x0 + (int)lround(dx * f), y0 + (int)lround(dy * f), series);
	}
}

/* The dot row of value @v on an axis of @rows dot rows from 0 to @top. */
static int dot_row(double v, double top, int rows)
{
	double f = v / top;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return (int)lround((1 - f) * (rows - 1));
}

/* Appends @s, in series @k's colour when @color. */
static void colored(struct buf *out, const char *s, int k, bool color)
{
	if (color && k >= 0)
		buf_printf(out, "%s%s\033[0m", colors_ansi[k % NCOLORS], s);
	else
		buf_puts(out, s);
}

/* What cell @c shows, and whose it is (for its colour): a mark, a range's
 * bar, the lines' dots (in @dots, U+2800 + the dots) or nothing. */
static const char *cell_glyph(const struct cell *c, bool utf8, const char *const *marks,
                              char dots[4], int *who)
{
	*who = c->mark_of >= 0 ? c->mark_of : c->range_of >= 0 ? c->range_of : c->dots_of;
	if (c->mark_of >= 0)
		return marks[c->mark_of % NMARKS];
	if (c->range_of >= 0)
		return utf8 ? "│" : "|";
	if (!c->dots) {
		*who = -1;
		return " ";
	}
	if (!utf8)
		return ".";
	dots[0] = (char)0xe2;
	dots[1] = (char)(0xa0 + (c->dots >> 6));
	dots[2] = (char)(0x80 + (c->dots & 0x3f));
	dots[3] = '\0';
	return dots;
}

void plot_text(const struct plot *p, struct buf *out, int width, bool utf8, bool color)
{
	const char *const *marks = utf8 ? marks_utf8 : marks_ascii;
	struct axis a = axis_of(p, utf8);
	int label_w = 0;
	char *labels[MAX_TICKS];
	for (int k = 0; k < a.nticks; k++) {
		struct buf l = { 0 };
		tick_label(&l, &a, k * a.step);
		labels[k] = buf_steal(&l);
		int w = text_width(labels[k]);
		label_w = w > label_w ? w : label_w;
	}
	/* As wide as the terminal, but not wider than the values need; many
	 * values share a column. */
	int cols = width - label_w - 3;
	int most = 8 + 14 * p->nx;
	cols = cols > most ? most : cols;
	cols = cols < 20 ? 20 : cols;
	double slot = (double)cols / p->nx;
	/* Series side by side at one value, when there is room for them. */
	int dodge = p->nseries > 1 && slot >= 2 * p->nseries ? 1 : 0;

	struct canvas c = { xcalloc((size_t)cols * ROWS, sizeof(struct cell)), cols, ROWS,
		            utf8 ? 2 : 1, utf8 ? 4 : 1 };
	for (int i = 0; i < cols * ROWS; i++)
		c.cells[i].dots_of = c.cells[i].range_of = c.cells[i].mark_of = -1;
	int dot_rows = ROWS * c.sy;
	for (int s = 0; s < p->nseries; s++) {
		const struct plot_series *ps = &p->series[s];
		int shift = dodge * (s - p->nseries / 2);
		int px = -1, py = -1;
		for (int i = 0; i < p->nx; i++) {
			int col = (int)(slot * (i + 0.5)) + shift;
			col = col < 0 ? 0 : col >= cols ? cols - 1 : col;
			if (!isfinite(ps->mid[i])) {
				px = -1; /* no line across a point that is not there */
				continue;
			}
			int x = col * c.sx + c.sx / 2, y = dot_row(ps->mid[i], a.top, dot_rows);
			if (px >= 0)
				line(&c, px, py, x, y, s);
			px = x;
			py = y;
		}
	}
	for (int s = 0; s < p->nseries; s++) {
		const struct plot_series *ps = &p->series[s];
		int shift = dodge * (s - p->nseries / 2);
		for (int i = 0; i < p->nx; i++) {
			if (!isfinite(ps->mid[i]))
				continue;
			int col = (int)(slot * (i + 0.5)) + shift;
			col = col < 0 ? 0 : col >= cols ? cols - 1 : col;
			/* A range's bar goes through the cells whose middle it
			 * reaches: one that does not leave the mark's cell has none. */
			if (ps->lo && ps->hi && isfinite(ps->lo[i]) && isfinite(ps->hi[i])) {
				int y0 = dot_row(ps->hi[i], a.top, dot_rows),
				    y1 = dot_row(ps->lo[i], a.top, dot_rows);
				for (int r = 0; r < ROWS; r++) {
					double middle = r * c.sy + (c.sy - 1) / 2.0;
					if (y0 <= middle && middle <= y1)
						c.cells[r * cols + col].range_of = (signed char)s;
				}
			}
			int r = dot_row(ps->mid[i], a.top, dot_rows) / c.sy;
			c.cells[r * cols + col].mark_of = (signed char)s;
		}
	}

	if (p->title)
		buf_printf(out, "%s%s%s\n", color ? "\033[1m" : "", p->title,
		           color ? "\033[0m" : "");
	int tick_row[MAX_TICKS];
	for (int k = 0; k < a.nticks; k++)
		tick_row[k] = dot_row(k * a.step, a.top, dot_rows) / c.sy;
	for (int r = 0; r < ROWS; r++) {
		int tick = -1;
		for (int k = 0; k < a.nticks; k++)
			if (tick_row[k] == r)
				tick = k;
		if (tick >= 0)
			buf_printf(out, "%*s%s %s", label_w - text_width(labels[tick]), "",
			           labels[tick], utf8 ? "┤" : "+");
		else
			buf_printf(out, "%*s %s", label_w, "", utf8 ? "│" : "|");
		int last = cols - 1;
		while (last >= 0 && !c.cells[r * cols + last].dots &&
		       c.cells[r * cols + last].range_of < 0 &&
		       c.cells[r * cols + last].mark_of < 0)
			last--;
		int now = -1; /* the series whose colour is on */
		for (int i = 0; i <= last; i++) {
			char dots[4];
			int who;
			const char *g = cell_glyph(&c.cells[r * cols + i], utf8, marks, dots, &who);
			if (color && who != now) {
				buf_puts(out, now >= 0 ? "\033[0m" : "");
				buf_puts(out, who >= 0 ? colors_ansi[who % NCOLORS] : "");
				now = who;
			}
			buf_puts(out, g);
		}
		buf_printf(out, "%s\n", color && now >= 0 ? "\033[0m" : "");
	}
	/* The x axis, a tick at each value, and the values that fit. */
	buf_printf(out, "%*s %s", label_w, "", utf8 ? "└" : "+");
	for (int i = 0, next = 0; i < cols; i++) {
		bool tick = false;
		for (; next < p->nx && (int)(slot * (next + 0.5)) <= i; next++)
			tick = true;
		buf_puts(out, tick ? (utf8 ? "┬" : "+") : (utf8 ? "─" : "-"));
	}
	buf_putc(out, '\n');
	int widest = 1;
	for (int i = 0; i < p->nx; i++) {
		int w = text_width(p->x_labels[i]);
		widest = w > widest ? w : widest;
	}
	int every = 1;
	while (slot * every < widest + 1)
		every++;
	struct buf row = { 0 };
	int at = 0; /* the column of the row's end, from the axis */
	for (int i = 0; i < p->nx; i += every) {
		int w = text_width(p->x_labels[i]);
		int start = (int)(slot * (i + 0.5)) + 1 - w / 2;
		if (start < at + (i > 0)) /* a space between two */
			start = at + (i > 0);
		buf_printf(&row, "%*s%s", start - at, "", p->x_labels[i]);
		at = start + w;
	}
	buf_printf(out, "%*s %s\n", label_w, "", row.data ? row.data : "");
	buf_free(&row);
	int name_w = text_width(p->x_name);
	int indent = label_w + 1 + (cols - name_w) / 2;
	buf_printf(out, "%*s%s\n", indent > 0 ? indent : 0, "", p->x_name);
	/* The legend: each series' mark, and what a range is. */
	struct buf legend = { 0 };
	int legend_w = 0;
	for (int s = 0; s <= p->nseries; s++) {
		struct buf item = { 0 };
		if (s < p->nseries && p->series[s].label) {
			colored(&item, marks[s % NMARKS], s, color);
			buf_printf(&item, " %s", p->series[s].label);
		} else if (s == p->nseries && p->range_note) {
			buf_printf(&item, "%s %s", utf8 ? "│" : "|", p->range_note);
		}
		if (item.len) {
			int w = 2 + (s < p->nseries ? 1 + 1 + text_width(p->series[s].label)
			                            : 2 + text_width(p->range_note));
			if (legend_w && legend_w + w > width) {
				buf_putc(&legend, '\n');
				legend_w = 0;
			}
			buf_printf(&legend, "%*s%s", legend_w ? 3 : label_w + 2, "", item.data);
			legend_w += w + (legend_w ? 3 : label_w + 2);
		}
		buf_free(&item);
	}
	if (legend.len)
		buf_printf(out, "%s\n", legend.data);
	buf_free(&legend);
	for (int k = 0; k < a.nticks; k++)
		free(labels[k]);
	free(c.cells);
}

/* --- SVG ------------------------------------------------------------------------------- */

static int flush_buf(FILE *f, struct buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	buf_clear(b);
	return 0;
}

/* Series @s's mark at (@x, @y): a circle, square, triangle or diamond,
 * filled, then the same hollow. */
static void svg_mark(struct buf *b, int s, double x, double y)
{
	const char *fill = s / 4 % 2 ? " fill=\"#ffffff\"" : "";
	switch (s % 4) {
	case 0:
		buf_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"%s>", x, y,
		           fill);
		break;
	case 1:
		buf_printf(
		        b,
		        "<rect class=\"point\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"%s>",
		        x - 4, y - 4, fill);
		break;
	case 2:
		buf_printf(b,
		           "<polygon class=\"point\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"%s>",
		           x, y - 5.5, x + 5, y + 4, x - 5, y + 4, fill);
		break;
	default:
		buf_printf(b,
		           "<polygon class=\"point\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
		           "%.1f,%.1f\"%s>",
		           x, y - 5.5, x + 5.5, y, x, y + 5.5, x - 5.5, y, fill);
	}
}

static const char *svg_mark_end(int s)
{
	return s % 4 == 0 ? "</circle>\n" : s % 4 == 1 ? "</rect>\n" : "</polygon>\n";
}

int plot_svg(FILE *f, const struct plot *p)
{
	const int width = 760, left = 90, right = width - 30, top = 76, bottom = 356;
	struct axis a = axis_of(p, true);
	/* The legend's items, laid out in rows below the axis's name. */
	int legend_rows = 0, lx = left;
	for (int s = 0; s <= p->nseries; s++) {
		const char *text = s < p->nseries ? p->series[s].label : p->range_note;
		if (!text)
			continue;
		int w = 44 + 8 * text_width(text);
		if (!legend_rows || lx + w > right) {
			legend_rows++;
			lx = left;
		}
		lx += w;
	}
	int height = bottom + 60 + 24 * legend_rows + 10;
	struct buf b = { 0 };
	if (p->slides) {
		/* The page's drawing, scaled to fill a slide: its 13 pixels come
		 * out above 24, its title above 40. */
		const int sw = 1920, sh = 1080;
		double k = fmin((double)sw / width, (double)sh / height);
		buf_printf(&b,
		           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		           "viewBox=\"0 0 %d %d\" font-family=\"" SVG_FONTS "\">\n"
		           "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
		           "<g transform=\"translate(%.1f %.1f) scale(%.4f)\" font-size=\"13\">\n",
		           sw, sh, sw, sh, (sw - width * k) / 2, (sh - height * k) / 2, k);
	} else {
		buf_printf(&b,
		           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		           "viewBox=\"0 0 %d %d\" font-family=\"" SVG_FONTS
		           "\" font-size=\"13\">\n",
		           width, height, width, height);
		buf_puts(&b, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
	}
	buf_puts(&b, "<text x=\"20\" y=\"28\" font-size=\"17\" font-weight=\"bold\">");
	export_xml_text(&b, p->title ? p->title : "");
	buf_puts(&b, "</text>\n");
	if (p->subtitle) {
		buf_puts(&b, "<text x=\"20\" y=\"50\" fill=\"#555555\">");
		export_xml_text(&b, p->subtitle);
		buf_puts(&b, "</text>\n");
	}
	/* The y axis: a grid line and a label at each tick. */
	for (int k = 0; k < a.nticks; k++) {
		double y = bottom - (double)k / (a.nticks - 1) * (bottom - top);
		struct buf l = { 0 };
		tick_label(&l, &a, k * a.step);
		buf_printf(
		        &b,
		        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n"
		        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
		        "fill=\"#333333\">%s</text>\n",
		        left, y, right, y, left - 8, y + 4, l.data);
		buf_free(&l);
	}
	buf_printf(&b, "<text transform=\"rotate(-90)\" x=\"%d\" y=\"22\" text-anchor=\"middle\">",
	           -(top + bottom) / 2);
	export_xml_text(&b, p->y_name ? p->y_name : "");
	buf_puts(&b, "</text>\n");
	buf_printf(&b,
	           "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n"
	           "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n",
	           left, top, left, bottom, left, bottom, right, bottom);
	/* The x axis: the values evenly spaced, those labelled that fit. */
	double slot = (double)(right - left) / p->nx;
	int widest = 1;
	for (int i = 0; i < p->nx; i++) {
		int w = text_width(p->x_labels[i]);
		widest = w > widest ? w : widest;
	}
	int every = 1;
	while (slot * every < 8 * widest + 8)
		every++;
	for (int i = 0; i < p->nx; i++) {
		double x = left + slot * (i + 0.5);
		buf_printf(
		        &b,
		        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>\n",
		        x, bottom, x, bottom + 5);
		if (i % every)
			continue;
		buf_printf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, bottom + 20);
		export_xml_text(&b, p->x_labels[i]);
		buf_puts(&b, "</text>\n");
	}
	buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (left + right) / 2,
	           bottom + 42);
	export_xml_text(&b, p->x_name ? p->x_name : "");
	buf_puts(&b, "</text>\n");
	/* The series: lines, ranges, then the points, each with its value. */
	double gap = p->nseries > 1 ? fmin(8, slot / (p->nseries + 1)) : 0;
	for (int s = 0; s < p->nseries; s++) {
		const struct plot_series *ps = &p->series[s];
		const char *color = colors_svg[s % NSVG];
		double shift = gap * (s - (p->nseries - 1) / 2.0);
		buf_printf(&b, "<g class=\"series\" fill=\"%s\" stroke=\"%s\">\n", color, color);
		if (ps->label) {
			buf_puts(&b, "<title>");
			export_xml_text(&b, ps->label);
			buf_puts(&b, "</title>\n");
		}
		bool open = false;
		for (int i = 0; i < p->nx; i++) {
			if (!isfinite(ps->mid[i])) {
				if (open)
					buf_puts(&b, "\"/>\n");
				open = false;
				continue;
			}
			double x = left + slot * (i + 0.5) + shift;
			double y = bottom - fmin(ps->mid[i] / a.top, 1) * (bottom - top);
			if (!open)
				buf_puts(&b,
				         "<polyline fill=\"none\" stroke-width=\"2\" points=\"");
			buf_printf(&b, "%s%.1f,%.1f", open ? " " : "", x, y);
			open = true;
		}
		if (open)
			buf_puts(&b, "\"/>\n");
		for (int i = 0; i < p->nx; i++) {
			if (!isfinite(ps->mid[i]))
				continue;
			double x = left + slot * (i + 0.5) + shift;
			if (ps->lo && ps->hi && isfinite(ps->lo[i]) && isfinite(ps->hi[i])) {
				double y0 = bottom - fmin(ps->hi[i] / a.top, 1) * (bottom - top),
				       y1 = bottom - fmin(ps->lo[i] / a.top, 1) * (bottom - top);
				buf_printf(
				        &b,
				        "<path class=\"range\" fill=\"none\" stroke-width=\"1.5\" "
				        "d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fH%.1f\"/>\n",
				        x - 4, y0, x + 4, x, y0, y1, x - 4, y1, x + 4);
			}
			double y = bottom - fmin(ps->mid[i] / a.top, 1) * (bottom - top);
			svg_mark(&b, s, x, y);
			struct buf t = { 0 };
			buf_printf(&t, "%s=%s%s%s: ", p->x_name, p->x_labels[i],
			           ps->label ? ", " : "", ps->label ? ps->label : "");
			value_text(&t, &a, ps->mid[i]);
			if (ps->lo && ps->hi && isfinite(ps->lo[i]) && isfinite(ps->hi[i])) {
				buf_puts(&t, " (");
				value_text(&t, &a, ps->lo[i]);
				buf_puts(&t, " to ");
				value_text(&t, &a, ps->hi[i]);
				buf_puts(&t, ")");
			}
			buf_puts(&b, "<title>");
			export_xml_text(&b, t.data);
			buf_puts(&b, "</title>");
			buf_puts(&b, svg_mark_end(s));
			buf_free(&t);
		}
		buf_puts(&b, "</g>\n");
	}
	/* The legend. */
	int ly = bottom + 66, row = 0;
	lx = left;
	for (int s = 0; s <= p->nseries; s++) {
		const char *text = s < p->nseries ? p->series[s].label : p->range_note;
		if (!text)
			continue;
		int w = 44 + 8 * text_width(text);
		if (row && lx + w > right) {
			ly += 24;
			lx = left;
		}
		row = 1;
		if (s < p->nseries) {
			const char *color = colors_svg[s % NSVG];
			buf_printf(&b, "<g fill=\"%s\" stroke=\"%s\">", color, color);
			svg_mark(&b, s, lx + 6, ly - 4);
			buf_printf(&b, "%s</g>", svg_mark_end(s));
		} else {
			buf_printf(&b,
			           "<path fill=\"none\" stroke=\"#333333\" stroke-width=\"1.5\" "
			           "d=\"M%d %dH%dM%d %dV%dM%d %dH%d\"/>",
			           lx + 2, ly - 11, lx + 10, lx + 6, ly - 11, ly + 3, lx + 2,
			           ly + 3, lx + 10);
		}
		buf_printf(&b, "<text x=\"%d\" y=\"%d\">", lx + 18, ly);
		export_xml_text(&b, text);
		buf_puts(&b, "</text>\n");
		lx += w;
	}
	buf_puts(&b, p->slides ? "</g>\n</svg>\n" : "</svg>\n");
	int rc = flush_buf(f, &b);
	int e = errno;
	buf_free(&b);
	errno = e;
	return rc;
}
