/* The machine a run runs on, and the wall-clock moment it starts: what
 * the JSON stream's header and the record say of a run, so that runs made
 * on other machines or days can be told apart. */
#ifndef AIODEMO_UTIL_MACHINE_H
#define AIODEMO_UTIL_MACHINE_H

#include <stddef.h>

/** What the machine is. */
struct machine {
	int cpus;           /* online CPUs, as os.cpu_count() counts them; 0 if unknown */
	char kernel[256];   /* "Linux 6.1.0-18-amd64 x86_64" (uname), "" if unknown */
	char hostname[256]; /* "" if unknown */
};

/** Describes this machine. */
void machine_describe(struct machine *m);

/** Writes the time now, in UTC, as ISO 8601 to the second
 *  ("2026-12-02T05:50:01Z"), into @out (@size bytes, 21 at least). */
void machine_utc_now(char *out, size_t size);

#endif
