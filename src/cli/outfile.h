/* The files a run writes (--record, --trace, --svg): checked before the
 * run, so that a bad path does not cost the run, and written whole or not
 * at all: into a temporary file beside the target, renamed over it. */
#ifndef AIODEMO_CLI_OUTFILE_H
#define AIODEMO_CLI_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/** One file to write: where, and what it is, for messages. */
struct outfile {
	const char *path; /* NULL: not asked for */
	const char *what; /* "record", "trace", "SVG" */
	FILE *f;
	char *tmp; /* the temporary file being written, or NULL (written in place) */
};

/** Checks the @n files before anything runs: each one's directory exists
 *  and can be written, none is a directory, no two are the same file, and
 *  none is one of the @ninputs files the command reads (the program, the
 *  record replayed). Returns 0, or -1 after printing the problem. */
int outfile_check(const struct outfile *files, int n, const char *const *inputs, int ninputs);

/** Opens @o for writing: a temporary file beside a regular file, the file
 *  itself for a device or a pipe (/dev/null, /dev/stdout). 0 or -1 (errno). */
int outfile_open(struct outfile *o);

/** Closes @o and, if @ok, puts it in place; else removes what was written.
 *  Returns 0, or -1 (errno) when closing or renaming failed. */
int outfile_close(struct outfile *o, bool ok);

/** Writes each of the @n @files asked for with @write(f, its index, @ctx)
 *  (0, or -1 with errno), whole or not at all, with the stopping signals
 *  held meanwhile. Returns 0, or 1 after saying which could not be
 *  written. */
int outfiles_write(struct outfile *files, int n, int (*write)(FILE *f, int k, void *ctx),
                   void *ctx);

#endif
