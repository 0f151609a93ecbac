/* The machine a run runs on: see machine.h. */
#include "machine.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void machine_describe(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	long n = sysconf(_SC_NPROCESSORS_ONLN); /* what os.cpu_count() returns */
	m->cpus = n > 0 && n < 1 << 20 ? (int)n : 0;
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
	if (gethostname(m->hostname, sizeof(m->hostname) - 1) != 0)
		m->hostname[0] = '\0';
}

void machine_utc_now(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!size)
		return;
	if (!gmtime_r(&now, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		out[0] = '\0';
}
