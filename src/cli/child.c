/* Running a program in a child aiodemo process: see child.h. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/tmpfile.h"

extern char **environ;

static volatile pid_t running_child; /* 0 when none */

void child_forward_signal(int sig)
{
	pid_t pid = running_child;
	if (pid > 0)
		kill(pid, sig);
}

bool child_active(void)
{
	return running_child > 0;
}

/* A fresh, empty file in $TMPDIR for the record; its path is malloc'd. */
static char *temp_record(void)
{
	char *path = tmp_make("record", false);
	if (!path)
		diag_error("cannot create a temporary file in %s: %s", tmp_dir(), strerror(errno));
	return path;
}

int child_run(const char *target, const struct child_options *o, struct child_result *r)
{
	memset(r, 0, sizeof(*r));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		diag_error("cannot find aiodemo's own executable: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	char *record = temp_record();
	if (!record)
		return -1;
	char scale[32], slow[32];
	snprintf(scale, sizeof(scale), "%.17g", o->scale);
	snprintf(slow, sizeof(slow), "%.17g", o->slow);
	size_t argc = 0, cap = 16 + 2 * (size_t)o->nparams;
	char **argv = xcalloc(cap, sizeof(char *));
	argv[argc++] = self;
	argv[argc++] = "run";
	argv[argc++] = (char *)target;
	argv[argc++] = "--format=json";
	argv[argc++] = "--color=never";
	argv[argc++] = "--scale";
	argv[argc++] = scale;
	argv[argc++] = "--slow";
	argv[argc++] = slow;
	argv[argc++] = "--record";
	argv[argc++] = record;
	for (int i = 0; i < o->nparams; i++) {
		argv[argc++] = "--param";
		argv[argc++] = o->params[i];
	}
	argv[argc] = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	pid_t pid;
	int rc = posix_spawn(&pid, self, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	if (rc != 0) {
		diag_error("cannot start a run of %s: %s", target, strerror(rc));
		unlink(record);
		free(record);
		return -1;
	}
	running_child = pid;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	running_child = 0;
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* A child that failed before its run (a usage error) leaves the file empty. */
	FILE *f = fopen(record, "r");
	bool empty = !f || fgetc(f) == EOF;
	if (f)
		fclose(f);
	if (!empty && replay_load(record, NULL, TL_JSON, false, false, &r->record) == 0)
		r->have_record = true;
	else if (!empty)
		replay_free(&r->record);
	unlink(record);
	free(record);
	return 0;
}

void child_result_free(struct child_result *r)
{
	if (r->have_record)
		replay_free(&r->record);
	r->have_record = false;
}
