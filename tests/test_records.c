/* The fuzzer's seed records (the *.json files of the directory given,
 * tests/fuzz/records) still load, through the fuzzer's own fuzz_record():
 * each is read as a record, shown in every view, written back as a record,
 * a trace and an SVG, and the record written back read again, with the
 * fuzzer's checks of all of it (which abort). Prints TAP. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "tap.h"

int fuzz_record(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole of @path into @b; false if it cannot be read. */
static bool read_all(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	bool ok = !ferror(f);
	fclose(f);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", argv[0], argv[1], strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	tap_ok(n >= 5, __FILE__, __LINE__, "%s holds the seed records (%zu)", argv[1], n);
	for (size_t i = 0; i < n; i++) {
		struct buf path = { 0 }, data = { 0 };
		buf_printf(&path, "%s/%s", argv[1], names[i]);
		bool read = read_all(path.data, &data);
		tap_ok(read && fuzz_record((const uint8_t *)(data.data ? data.data : ""),
		                           data.len) == 1,
		       __FILE__, __LINE__, "%s loads and replays", names[i]);
		buf_free(&path);
		buf_free(&data);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
