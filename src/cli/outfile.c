/* The files a run writes: see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/signals.h"

/* The directory part of @path (malloc'ed). */
static char *dir_of(const char *path)
{
	char *copy = xstrdup(path);
	char *d = xstrdup(dirname(copy));
	free(copy);
	return d;
}

/* Whether @a and @b name the same file: the same device and inode when both
 * exist, else the same path once their directories are resolved. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char ra[PATH_MAX], rb[PATH_MAX];
	char *da = dir_of(a), *db = dir_of(b);
	bool same = realpath(da, ra) && realpath(db, rb) && !strcmp(ra, rb);
	free(da);
	free(db);
	if (!same)
		return false;
	char *ca = xstrdup(a), *cb = xstrdup(b);
	same = !strcmp(basename(ca), basename(cb));
	free(ca);
	free(cb);
	return same;
}

int outfile_check(const struct outfile *files, int n, const char *const *inputs, int ninputs)
{
	for (int i = 0; i < n; i++) {
		const struct outfile *o = &files[i];
		if (!o->path)
			continue;
		struct stat st;
		if (stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			diag_error(_("cannot write the %s to '%s': it is a directory"), o->what,
			           o->path);
			return -1;
		}
		char *dir = dir_of(o->path);
		int err = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		bool ok = err == 0;
		if (ok && access(dir, W_OK) != 0) {
			ok = false;
			err = errno;
		}
		if (!ok) {
			diag_error(_("cannot write the %s to '%s': %s: %s"), o->what, o->path, dir,
			           strerror(err));
			free(dir);
			return -1;
		}
		free(dir);
		for (int k = 0; k < ninputs; k++)
			if (inputs[k] && same_file(o->path, inputs[k])) {
				diag_error(
				        _("the %s would overwrite '%s', which this command reads"),
				        o->what, inputs[k]);
				return -1;
			}
		for (int k = 0; k < i; k++)
			if (files[k].path && same_file(o->path, files[k].path)) {
				diag_error(_("the %s and the %s would both be written to '%s'"),
				           files[k].what, o->what, o->path);
				return -1;
			}
	}
	return 0;
}

int outfile_open(struct outfile *o)
{
	o->f = NULL;
	o->tmp = NULL;
	struct stat st;
	if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(o->path, "w"); /* a device or a pipe: no file to replace */
		return o->f ? 0 : -1;
	}
	char *dir = dir_of(o->path), *copy = xstrdup(o->path);
	struct buf tmp = { 0 };
	buf_printf(&tmp, "%s/.%s.XXXXXX", dir, basename(copy));
	free(dir);
	free(copy);
	int fd = mkstemp(tmp.data);
	if (fd < 0) {
		buf_free(&tmp);
		return -1;
	}
	/* The mode a new file would get: 0666 less the umask. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = errno;
		close(fd);
		unlink(tmp.data);
		buf_free(&tmp);
		errno = e;
		return -1;
	}
	o->tmp = buf_steal(&tmp);
	return 0;
}

int outfile_close(struct outfile *o, bool ok)
{
	int rc = 0;
	if (o->f && fclose(o->f) != 0)
		rc = -1;
	o->f = NULL;
	if (o->tmp) {
		int e = errno;
		if (ok && rc == 0 && rename(o->tmp, o->path) != 0)
			rc = -1;
		e = rc ? errno : e;
		if (!ok || rc)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		errno = e;
	}
	return rc;
}

int outfiles_write(struct outfile *files, int n, int (*write)(FILE *f, int k, void *ctx), void *ctx)
{
	sigset_t block, old;
	signals_stopping(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	int status = 0;
	for (int k = 0; k < n; k++) {
		if (!files[k].path)
			continue;
		int rc = outfile_open(&files[k]);
		if (rc == 0) {
			rc = write(files[k].f, k, ctx);
			int e = errno;
			if (outfile_close(&files[k], rc == 0) != 0)
				rc = -1;
			else
				errno = e;
		}
		if (rc != 0) {
			diag_error(_("cannot write the %s to '%s': %s"), files[k].what,
			           files[k].path, strerror(errno));
			status = 1;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
