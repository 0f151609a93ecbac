/* The built-in programs embedded at build time (scenarios/NAME.py), and
 * finding a program by name or as a file. */
#ifndef AIODEMO_CATALOG_H
#define AIODEMO_CATALOG_H

#include <stddef.h>

/** One embedded program. */
struct builtin_program {
	const char *name; /* the file's name without .py */
	const char *text;
	size_t len;
};

/** All built-in programs, sorted by name; sets *@n. */
const struct builtin_program *catalog_all(size_t *n);

/** The built-in program called @name, or NULL. */
const struct builtin_program *catalog_find(const char *name);

/** Reads the file at @path, at most @max bytes; on failure prints an error
 *  that calls it a @what ("Python program") and returns NULL. Returns the
 *  text (malloc'ed, NUL-terminated, *@len set). */
char *catalog_read_file(const char *path, const char *what, size_t max, size_t *len);

/** Finds @arg: a built-in name, or else a file (a path, or any name that
 *  exists). Returns the built-in, or NULL with *@is_file set when @arg is
 *  to be read as a file; NULL without it after printing "unknown program"
 *  with a suggestion of the nearest names. */
const struct builtin_program *catalog_resolve(const char *arg, int *is_file);

#endif
