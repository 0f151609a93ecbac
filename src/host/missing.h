/* A program that imports a module that is not installed: one line that
 * says where, and which Debian package has it. */
#ifndef AIODEMO_HOST_MISSING_H
#define AIODEMO_HOST_MISSING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "program.h"

/** If @value, an exception the program did not handle, is a
 *  ModuleNotFoundError, prints file:line:column of the import in @p and
 *  the Debian package that has the module. */
void missing_module_report(const struct program *p, PyObject *value);

#endif
