/* English renderings of the lines a program prints: a program's header
 * pairs a pattern of a printed line with its English,
 *
 *   # aiodemo: say.en "任务 {} 开始执行" = "task {} starts"
 *
 * where each {} of the pattern stands for a variable part of the line (a
 * number, a name) and the English says where it goes, so that the line
 * "任务 3 开始执行" renders as "task 3 starts". A record keeps the rendering
 * of each line; read back, its lines are added as they are. */
#ifndef AIODEMO_RENDERING_H
#define AIODEMO_RENDERING_H

#include <stdbool.h>

#include "util/buf.h"

struct renderings;

/** A new, empty set of renderings. */
struct renderings *renderings_new(void);

/** Adds the rendering @en of the lines that match @pattern. {} in @pattern
 *  matches one or more characters; {} in @en is the next one's text, {N}
 *  the Nth's (1-based); {{ and }} are braces. Returns 0, or -1 with a
 *  message in *@why (static) and the offset in @pattern or @en of what is
 *  wrong in *@at, *@in_en saying which. */
int renderings_add(struct renderings *r, const char *pattern, const char *en, const char **why,
                   int *at, bool *in_en);

/** Adds the rendering @en of exactly the line @line (a record's). */
void renderings_add_line(struct renderings *r, const char *line, const char *en);

/** Appends the English of @line to @out: the rendering of the first
 *  pattern that matches it (exact lines first), each placeholder's text
 *  rendered in turn when it has a rendering of its own. Returns whether
 *  one matched; safe from any thread once every rendering is added. */
bool renderings_render(const struct renderings *r, const char *line, struct buf *out);

/** Frees @r; NULL is a no-op. */
void renderings_free(struct renderings *r);

#endif
