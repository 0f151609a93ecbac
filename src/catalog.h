/* The built-in scenarios embedded at build time, and loading a scenario by
 * name or from a file. */
#ifndef AIODEMO_CATALOG_H
#define AIODEMO_CATALOG_H

#include <stddef.h>

/** One embedded scenario file. */
struct builtin_scenario {
	const char *name;
	const char *text;
	size_t len;
};

/** All built-in scenarios, sorted by name; sets *@n. */
const struct builtin_scenario *catalog_all(size_t *n);

/** The built-in scenario called @name, or NULL. */
const struct builtin_scenario *catalog_find(const char *name);

/** The name of the built-in scenario closest to @name, or NULL. */
const char *catalog_suggest(const char *name);

/** Reads the file at @path, at most @max bytes; on failure prints an error
 *  that calls it a @what ("scenario file") and returns NULL. Returns the
 *  text (malloc'ed, NUL-terminated, *@len set). */
char *catalog_read_file(const char *path, const char *what, size_t max, size_t *len);

/** Loads @arg: a built-in name, or a path to a file (anything containing '/'
 *  or ending in .scn, or an existing file). On success returns the text
 *  (malloc'ed, *@len set) and sets *@file to the name for messages
 *  (malloc'ed); on failure prints an error and returns NULL. */
char *catalog_load(const char *arg, size_t *len, char **file);

#endif
