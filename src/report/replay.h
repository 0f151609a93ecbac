/* Reading a record back (`aiodemo replay`): the run's lanes, events and
 * summary, shown again in any view. */
#ifndef AIODEMO_REPLAY_H
#define AIODEMO_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "export.h"
#include "record/timeline.h"

/** A record read back; free with replay_free(). */
struct replay {
	struct record_info info;
	struct run_summary summary;
	struct timeline *tl; /* the recorded lanes and events */
	void *priv;          /* the parsed document the strings point into */
	struct slow_pass *slow;
	struct summary_check *checks;
	struct record_param *params; /* info's */
	const char **args;           /* info's */
	struct renderings *say_en;   /* the English of the lines printed */
};

/** Whether this build can read records (it needs json-c). */
bool replay_available(void);

/** Reads the record in @path into a new timeline that prints to @out in
 *  @fmt (events as they are added, when @print_events), like a live run.
 *  The record is read as a stream: no more of its JSON is held than one
 *  event, and the members besides the events. Returns 0, or -1 after
 *  printing an error that names the file. */
int replay_load(const char *path, FILE *out, enum tl_format fmt, bool color, bool print_events,
                struct replay *r);

/** Like replay_load(), but reads the record from the @len bytes at @data
 *  (which need not end in a NUL); @path names it in messages. The record
 *  is read from a file by replay_load() the same way. */
int replay_load_buffer(const char *path, const char *data, size_t len, FILE *out,
                       enum tl_format fmt, bool color, bool print_events, struct replay *r);

/** Like replay_load(), from @f, read @chunk bytes at a time (0: 64 KiB). */
int replay_load_file(FILE *f, const char *path, size_t chunk, FILE *out, enum tl_format fmt,
                     bool color, bool print_events, struct replay *r);

/** Frees what replay_load() or replay_load_buffer() allocated, after a
 *  failure too. */
void replay_free(struct replay *r);

#endif
