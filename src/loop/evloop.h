/* The libev side of aiodemo's asyncio event loop: a Python type, EvLoop,
 * that watches file descriptors and waits with a precise timeout. asyncio's
 * own selector event loop drives it through a selector (host/bootstrap.py),
 * so scheduling stays CPython's and libev does all the waiting. */
#ifndef AIODEMO_LOOP_EVLOOP_H
#define AIODEMO_LOOP_EVLOOP_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>

/** What an observer learns from a loop that waits, on the loop's thread:
 *  beat without the GIL, the others with it. */
struct evloop_hooks {
	void (*wait_begin)(double now, double timeout); /* a pass ends: the loop waits for
	                                                   up to @timeout real s (-1: none) */
	void (*wait_end)(double now);                   /* the wait is over: a pass begins */
	void (*beat)(double due, double now);           /* a heartbeat, due at @due, ran at @now */
	void (*watch)(int fd, int events);              /* the selector watches @fd for @events */
	void (*ready)(int fd, int events, double now);  /* the wait found @fd ready */
};

/** Adds the type EvLoop to @module. Returns 0, or -1 with an exception. */
int evloop_add_type(PyObject *module);

/** Observes every EvLoop created with observe=True from now on; @period is
 *  the heartbeat's, in real seconds (0: no heartbeat). */
void evloop_set_hooks(const struct evloop_hooks *hooks, double period);

/** Timeouts given to wait() are in program seconds; a real second is
 *  @scale of them (--scale). */
void evloop_set_scale(double scale);

#endif
