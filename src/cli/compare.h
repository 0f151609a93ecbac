/* aiodemo compare: programs, each with its own options, run in children
 * (each --repeat times), shown on one time axis, with a table of their
 * figures and their ratios to the first. */
#ifndef AIODEMO_CLI_COMPARE_H
#define AIODEMO_CLI_COMPARE_H

#include "cli.h"

/** Runs the comparison of o->targets; returns the exit status. */
int cmd_compare(const struct options *o);

#endif
