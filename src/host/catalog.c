/* The built-in programs and program files. */
#include "catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/text.h"
#include "util/i18n.h"

/* The texts of scenarios/NAME.py, as programs[]: generated at build time. */
#include "programs.inc"

#define NPROGRAMS (sizeof(programs) / sizeof(programs[0]))

const struct builtin_program *catalog_all(size_t *n)
{
	*n = NPROGRAMS;
	return programs;
}

const struct builtin_program *catalog_find(const char *name)
{
	for (size_t i = 0; i < NPROGRAMS; i++)
		if (!strcmp(programs[i].name, name))
			return &programs[i];
	return NULL;
}

char *catalog_read_file(const char *path, const char *what, size_t max, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		diag_error(_("cannot open %s '%s': %s"), what, path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_error(_("'%s' is a directory, not a %s"), path, what);
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error(_("cannot open %s '%s': %s"), what, path, strerror(errno));
		return NULL;
	}
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > max) {
			diag_error(_("%s '%s' is larger than %zu MiB"), what, path, max >> 20);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		diag_error(_("cannot read %s '%s': %s"), what, path, strerror(errno));
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

const struct builtin_program *catalog_resolve(const char *arg, int *is_file)
{
	*is_file = 0;
	size_t n = strlen(arg);
	bool looks_like_path = strchr(arg, '/') || (n > 3 && !strcmp(arg + n - 3, ".py"));
	const struct builtin_program *b = looks_like_path ? NULL : catalog_find(arg);
	if (b)
		return b;
	struct stat st;
	if (looks_like_path || stat(arg, &st) == 0) {
		*is_file = 1;
		return NULL;
	}
	const char *names[NPROGRAMS];
	for (size_t i = 0; i < NPROGRAMS; i++)
		names[i] = programs[i].name;
	const char *s = suggest_name(arg, names, NPROGRAMS);
	struct buf starting = { 0 }; /* the names that begin with what was typed */
	size_t nstarting = 0;
	for (size_t i = 0; n && !s && i < NPROGRAMS; i++)
		if (!strncmp(programs[i].name, arg, n))
			buf_printf(&starting, "%s'%s'", nstarting++ ? _(", ") : "",
			           programs[i].name);
	if (s)
		diag_error(_("unknown program '%s'; did you mean '%s'?"), arg, s);
	else if (nstarting)
		diag_error(nstarting > 1 ? _("unknown program '%s'; did you mean one of %s?")
		                         : _("unknown program '%s'; did you mean %s?"),
		           arg, starting.data);
	else
		diag_error(_("unknown program '%s' (see 'aiodemo list', or give a path to a .py "
		             "file)"),
		           arg);
	buf_free(&starting);
	return NULL;
}
