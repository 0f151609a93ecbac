/* ModuleNotFoundError, told as a Debian machine fixes it. */
#include "missing.h"

#include <stdbool.h>
#include <string.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/i18n.h"
#include "util/text.h"

/* Modules whose Debian package is not python3-MODULE, or which the
 * documents' programs use. */
static const struct {
	const char *module, *package;
} packages[] = {
	{ "aiofiles", "python3-aiofiles" },
	{ "aiohttp", "python3-aiohttp" },
	{ "anyio", "python3-anyio" },
	{ "bs4", "python3-bs4" },
	{ "httpx", "python3-httpx" },
	{ "numpy", "python3-numpy" },
	{ "PIL", "python3-pil" },
	{ "requests", "python3-requests" },
	{ "trio", "python3-trio" },
	{ "uvloop", "python3-uvloop" },
	{ "websockets", "python3-websockets" },
	{ "yaml", "python3-yaml" },
};
enum { NPACKAGES = sizeof(packages) / sizeof(packages[0]) };

/* The line and column (1-based) of the innermost frame of @tb that runs
 * @filename; 0 if none does. */
static void where_in(PyObject *tb, const char *filename, int *line, int *col)
{
	*line = *col = 0;
	Py_XINCREF(tb);
	while (tb && tb != Py_None) {
		PyObject *frame = PyObject_GetAttrString(tb, "tb_frame");
		PyObject *code = frame ? PyObject_GetAttrString(frame, "f_code") : NULL;
		PyObject *file = code ? PyObject_GetAttrString(code, "co_filename") : NULL;
		const char *f = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : NULL;
		if (f && !strcmp(f, filename)) {
			PyObject *lasti = PyObject_GetAttrString(tb, "tb_lasti");
			int l, c, el, ec;
			if (lasti && PyLong_Check(lasti) &&
			    PyCode_Addr2Location((PyCodeObject *)code, (int)PyLong_AsLong(lasti),
			                         &l, &c, &el, &ec)) {
				*line = l;
				*col = c >= 0 ? c + 1 : 1;
			}
			Py_XDECREF(lasti);
		}
		Py_XDECREF(file);
		Py_XDECREF(code);
		Py_XDECREF(frame);
		PyObject *next = PyObject_GetAttrString(tb, "tb_next");
		Py_DECREF(tb);
		tb = next;
	}
	Py_XDECREF(tb);
	PyErr_Clear();
}

void missing_module_report(const struct program *p, PyObject *value)
{
	if (!value || !PyErr_GivenExceptionMatches(value, PyExc_ModuleNotFoundError))
		return;
	PyObject *name = PyObject_GetAttrString(value, "name");
	const char *n = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	if (!n) {
		Py_XDECREF(name);
		PyErr_Clear();
		return;
	}
	size_t top = strcspn(n, ".");
	/* A package that is there without the module asked for: the program's
	 * mistake, which CPython's message tells. */
	PyObject *modules = PyImport_GetModuleDict();
	PyObject *head = PyUnicode_FromStringAndSize(n, (Py_ssize_t)top);
	bool there = head && modules && PyDict_Contains(modules, head) == 1;
	Py_XDECREF(head);
	PyErr_Clear();
	if (there) {
		Py_DECREF(name);
		return;
	}
	const char *package = NULL, *names[NPACKAGES];
	for (size_t i = 0; i < NPACKAGES; i++) {
		names[i] = packages[i].module;
		if (strlen(packages[i].module) == top && !strncmp(packages[i].module, n, top))
			package = packages[i].package;
	}
	PyObject *tb = PyException_GetTraceback(value);
	int line, col;
	where_in(tb, p->filename, &line, &col);
	Py_XDECREF(tb);
	const char *near = package ? NULL : suggest_name(n, names, NPACKAGES);
	struct buf why = { 0 };
	if (near)
		buf_printf(&why, _("no module named '%s'; did you mean '%s'?"), n, near);
	else if (package)
		buf_printf(&why, _("no module named '%s': Debian's %s has it (apt-get install %s)"),
		           n, package, package);
	else
		buf_printf(&why,
		           _("no module named '%s' for Debian's python3.11, whose modules "
		             "aiodemo's Python has: install it for python3.11 (Debian names its "
		             "packages python3-NAME)"),
		           n);
	if (line > 0)
		diag_error("%s:%d:%d: %s", p->file, line, col, why.data);
	else
		diag_error("%s: %s", p->file, why.data);
	buf_free(&why);
	Py_DECREF(name);
}
