/* aiodemo's temporary files: see tmpfile.h. */
#define _XOPEN_SOURCE 700
#include "tmpfile.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void tmp_remove(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes "aiodemo-WHAT-PID-XXXXXX" entries whose process is gone, and
 * mine: a process of mine of that pid is gone too, or it is this one,
 * which has made none yet. Only entries this user owns. */
static void sweep(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "aiodemo-", 8) != 0)
			continue;
		const char *dash = strchr(e->d_name + 8, '-');
		char *end;
		long pid = dash ? strtol(dash + 1, &end, 10) : 0;
		if (pid <= 1 || *end != '-' || strlen(end) != 7)
			continue;
		if ((pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		struct buf path = { 0 };
		buf_printf(&path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path.data, &st) == 0 && st.st_uid == getuid())
			tmp_remove(path.data);
		buf_free(&path);
	}
	closedir(d);
}

void tmp_sweep(void)
{
	sweep(tmp_dir());
}

char *tmp_make(const char *what, bool dir)
{
	sweep(tmp_dir());
	struct buf path = { 0 };
	buf_printf(&path, "%s/aiodemo-%s-%ld-XXXXXX", tmp_dir(), what, (long)getpid());
	if (dir) {
		if (!mkdtemp(path.data)) {
			buf_free(&path);
			return NULL;
		}
	} else {
		int fd = mkstemp(path.data);
		if (fd < 0) {
			buf_free(&path);
			return NULL;
		}
		close(fd);
	}
	return buf_steal(&path);
}
