/* The built-in scenarios and scenario files. */
#include "catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"
#include "scenario.h"

/* The texts of scenarios/, and builtins[]: generated at build time. */
#include "scenarios.inc"

#define MAX_FILE_SIZE (1024 * 1024)

const struct builtin_scenario *catalog_all(size_t *n)
{
	*n = sizeof(builtins) / sizeof(builtins[0]);
	return builtins;
}

const struct builtin_scenario *catalog_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

const char *catalog_suggest(const char *name)
{
	size_t n = sizeof(builtins) / sizeof(builtins[0]);
	const char *names[sizeof(builtins) / sizeof(builtins[0])];
	for (size_t i = 0; i < n; i++)
		names[i] = builtins[i].name;
	return suggest_name(name, names, n);
}

char *catalog_read_file(const char *path, const char *what, size_t max, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		diag_error("cannot open %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_error("'%s' is a directory, not a %s", path, what);
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error("cannot open %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > max) {
			diag_error("%s '%s' is larger than %zu MiB", what, path, max >> 20);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		diag_error("cannot read %s '%s': %s", what, path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	if (!b.data)
		buf_puts(&b, ""); /* an empty file is text too */
	return buf_steal(&b);
}

char *catalog_load(const char *arg, size_t *len, char **file)
{
	size_t n = strlen(arg);
	bool looks_like_path = strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".scn"));
	const struct builtin_scenario *b = looks_like_path ? NULL : catalog_find(arg);
	if (b) {
		*len = b->len;
		*file = xstrdup(b->name);
		char *text = xmalloc(b->len + 1);
		memcpy(text, b->text, b->len);
		text[b->len] = '\0';
		return text;
	}
	struct stat st;
	if (looks_like_path || stat(arg, &st) == 0) {
		char *text = catalog_read_file(arg, "scenario file", MAX_FILE_SIZE, len);
		if (text)
			*file = xstrdup(arg);
		return text;
	}
	const char *s = catalog_suggest(arg);
	struct buf starting = {0}; /* the names that begin with what was typed */
	size_t nstarting = 0, typed = strlen(arg);
	for (size_t i = 0; typed && !s && i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strncmp(builtins[i].name, arg, typed))
			buf_printf(&starting, "%s'%s'", nstarting++ ? ", " : "", builtins[i].name);
	if (s)
		diag_error("unknown scenario '%s'; did you mean '%s'?", arg, s);
	else if (nstarting)
		diag_error("unknown scenario '%s'; did you mean %s%s?", arg, nstarting > 1 ? "one of " : "",
			   starting.data);
	else
		diag_error("unknown scenario '%s' (see 'aiodemo list', or give a path to a .scn file)", arg);
	buf_free(&starting);
	return NULL;
}
