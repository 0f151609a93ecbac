/* --scale for a Python program: the clocks it can read run 1/scale times
 * as fast, and time.sleep and sockets' timeouts last scale times as long,
 * from the start of the run; the same in threads and in forked worker
 * processes. */
#ifndef AIODEMO_HOST_PYCLOCK_H
#define AIODEMO_HOST_PYCLOCK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/** Sets the scale and takes the start of the run as the moment both
 *  clocks agree; call before Python starts. */
void pyclock_init(double scale);

/** Adds scaled_monotonic, scaled_sleep, ... to @module. */
int pyclock_add_functions(PyObject *module);

#endif
