/* libFuzzer harness for the scenario parser: any bytes must give either a
 * parsed scenario (which must then dump and free cleanly) or an error
 * message that names a line and a column. Built with -Dfuzz=true by clang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048];
	err[0] = '\0';
	struct scenario *sc = scenario_parse("fuzz.scn", (const char *)data, size, err, sizeof(err));
	if (sc) {
		struct buf b = {0};
		scenario_dump(sc, &b);
		buf_free(&b);
		scenario_free(sc);
	} else if (strncmp(err, "fuzz.scn:", 9) != 0) {
		/* Every failure must say where it is. */
		abort();
	}
	return 0;
}
