/* Embedding CPython: start it as python3 would, set up aiodemo's side
 * (host/bootstrap.py), run the program in __main__, and finalise. */
#include "host.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/signals.h"
#include "util/tmpfile.h"
#include "util/i18n.h"
#include "observe/observe.h"
#include "missing.h"
#include "pyclock.h"
#include "stopping.h"

#include "bootstrap.inc"

/* The Python that aiodemo embeds: worker processes started with "spawn"
 * run it as sys.executable. */
#define PYTHON_EXECUTABLE "/usr/bin/python3.11"

static PyObject *module_init(void)
{
	PyObject *m = observe_module_init();
	if (m && pyclock_add_functions(m) < 0)
		Py_CLEAR(m);
	return m;
}

static int start_python(const struct program *p, const struct host_options *o)
{
	PyConfig config;
	PyConfig_InitPythonConfig(&config);
	config.parse_argv = 0;
	char **argv = xcalloc((size_t)o->argc + 2, sizeof(char *));
	argv[0] = p->path ? p->path : p->file;
	for (int i = 0; i < o->argc; i++)
		argv[i + 1] = o->argv[i];
	PyStatus st = PyConfig_SetBytesArgv(&config, o->argc + 1, argv);
	free(argv);
	if (!PyStatus_Exception(st) && access(PYTHON_EXECUTABLE, X_OK) == 0)
		st = PyConfig_SetBytesString(&config, &config.executable, PYTHON_EXECUTABLE);
	if (!PyStatus_Exception(st))
		st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st)) {
		diag_error(_("cannot start Python: %s"), st.err_msg ? st.err_msg : "unknown error");
		return -1;
	}
	return 0;
}

/* A program that does not compile: file:line:column, the line and a caret. */
static void report_syntax_error(const struct program *p)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *msg = value ? PyObject_GetAttrString(value, "msg") : NULL;
	PyObject *lineno = value ? PyObject_GetAttrString(value, "lineno") : NULL;
	PyObject *offset = value ? PyObject_GetAttrString(value, "offset") : NULL;
	PyErr_Clear();
	const char *m = msg && PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : NULL;
	long line = lineno && PyLong_Check(lineno) ? PyLong_AsLong(lineno) : 0;
	long col = offset && PyLong_Check(offset) ? PyLong_AsLong(offset) : 0;
	const char *tname = type ? ((PyTypeObject *)type)->tp_name : "SyntaxError";
	if (m && line > 0)
		diag_at(p->file, p->text, p->len, (int)line, col > 0 ? (int)col : 1, "%s: %s",
		        tname, m);
	else {
		PyObject *s = value ? PyObject_Str(value) : NULL;
		const char *t = s ? PyUnicode_AsUTF8(s) : NULL;
		diag_error(_("%s: %s: %s"), p->file, tname, t ? t : "cannot compile");
		Py_XDECREF(s);
	}
	PyErr_Clear();
	Py_XDECREF(msg);
	Py_XDECREF(lineno);
	Py_XDECREF(offset);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

int host_check_compiles(struct program *const *ps, int n)
{
	PyConfig config;
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	PyStatus st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st)) {
		diag_error(_("cannot start Python: %s"), st.err_msg ? st.err_msg : "unknown error");
		return -1;
	}
	int bad = 0;
	for (int i = 0; i < n; i++) {
		PyObject *code = Py_CompileStringExFlags(ps[i]->text, ps[i]->filename,
		                                         Py_file_input, NULL, -1);
		if (!code) {
			report_syntax_error(ps[i]);
			bad++;
		}
		Py_XDECREF(code);
	}
	Py_FinalizeEx();
	return bad ? -1 : 0;
}

static PyObject *run_bootstrap(void)
{
	PyObject *code = Py_CompileString((const char *)bootstrap_py, "<aiodemo>", Py_file_input);
	PyObject *mod = code ? PyImport_ExecCodeModule("_aiodemo_bootstrap", code) : NULL;
	Py_XDECREF(code);
	return mod;
}

/* __main__ as python3 sets it up for a script, and sys.path[0]. */
static int prepare_main(const struct program *p, const char *dir)
{
	PyObject *main = PyImport_AddModule("__main__");
	PyObject *d = main ? PyModule_GetDict(main) : NULL;
	if (!d)
		return -1;
	PyObject *file = PyUnicode_DecodeFSDefault(p->filename);
	int rc = file ? PyDict_SetItemString(d, "__file__", file) : -1;
	if (rc == 0)
		rc = PyDict_SetItemString(d, "__cached__", Py_None);
	PyObject *machinery = rc == 0 ? PyImport_ImportModule("importlib.machinery") : NULL;
	PyObject *loader = machinery ? PyObject_CallMethod(machinery, "SourceFileLoader", "sO",
	                                                   "__main__", file)
	                             : NULL;
	if (!loader || PyDict_SetItemString(d, "__loader__", loader) < 0)
		rc = -1;
	Py_XDECREF(loader);
	Py_XDECREF(machinery);
	PyObject *sys_path = PySys_GetObject("path");
	PyObject *first = PyUnicode_DecodeFSDefault(dir);
	if (rc == 0 && (!sys_path || !first || PyList_Insert(sys_path, 0, first) < 0))
		rc = -1;
	Py_XDECREF(first);
	/* A built-in program has no file, and one run with --param is not the
	 * file's text: tracebacks and the timeline take their lines from here. */
	if (rc == 0 && (p->builtin || p->edited)) {
		PyObject *linecache = PyImport_ImportModule("linecache");
		PyObject *cache = linecache ? PyObject_GetAttrString(linecache, "cache") : NULL;
		PyObject *text = PyUnicode_DecodeUTF8(p->text, (Py_ssize_t)p->len, "replace");
		PyObject *lines =
		        text ? PyObject_CallMethod(text, "splitlines", "O", Py_True) : NULL;
		PyObject *entry =
		        lines ? Py_BuildValue("(nOOO)", (Py_ssize_t)p->len, Py_None, lines, file)
		              : NULL;
		if (!cache || !entry || PyObject_SetItem(cache, file, entry) < 0)
			rc = -1;
		Py_XDECREF(entry);
		Py_XDECREF(lines);
		Py_XDECREF(text);
		Py_XDECREF(cache);
		Py_XDECREF(linecache);
	}
	Py_XDECREF(file);
	return rc;
}

/* The exit status python3 gives a SystemExit (Python/pythonrun.c's rules). */
static int system_exit_status(PyObject *value)
{
	PyObject *code = value ? PyObject_GetAttrString(value, "code") : NULL;
	int status = 0;
	if (!code || code == Py_None) {
		status = 0;
	} else if (PyLong_Check(code)) {
		status = (int)PyLong_AsLong(code);
	} else {
		PyObject *err = PySys_GetObject("stderr");
		if (err && err != Py_None) {
			PyFile_WriteObject(code, err, Py_PRINT_RAW);
			PyFile_WriteString("\n", err);
		}
		status = 1;
	}
	PyErr_Clear();
	Py_XDECREF(code);
	return status;
}

static char *exception_text(PyObject *type, PyObject *value)
{
	struct buf b = { 0 };
	buf_puts(&b, ((PyTypeObject *)type)->tp_name);
	PyObject *s = value ? PyObject_Str(value) : NULL;
	const char *t = s ? PyUnicode_AsUTF8(s) : NULL;
	if (t && *t)
		buf_printf(&b, ": %s", t);
	PyErr_Clear();
	Py_XDECREF(s);
	return buf_steal(&b);
}

static void finish_exception(const struct program *p, struct host_result *r)
{
	if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
		PyObject *type, *value, *tb;
		PyErr_Fetch(&type, &value, &tb);
		PyErr_NormalizeException(&type, &value, &tb);
		r->exit_status = system_exit_status(value);
		Py_XDECREF(type);
		Py_XDECREF(value);
		Py_XDECREF(tb);
		return;
	}
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	r->interrupted = PyErr_GivenExceptionMatches(type, PyExc_KeyboardInterrupt);
	r->failed = !r->interrupted;
	r->error = exception_text(type, value);
	r->exit_status = r->interrupted ? 128 + SIGINT : 1;
	r->stop_signal = r->interrupted ? SIGINT : 0;
	Py_XINCREF(value);
	PyErr_Restore(type, value, tb);
	PyErr_Print(); /* the traceback, through sys.excepthook and sys.stderr */
	missing_module_report(p, value);
	Py_XDECREF(value);
}

int host_run(const struct program *p, const struct host_options *o, struct timeline *tl,
             struct run_summary *s, struct host_result *r)
{
	memset(r, 0, sizeof(*r));
	struct observe_options oo = { o->scale, o->slow, 0.1 };
	pyclock_init(o->scale);
	if (observe_start(tl, &oo) != 0) {
		diag_error(_("cannot start observing: %s"), strerror(errno));
		return 1;
	}
	stopping_hold(true);
	tmp_sweep(); /* what a killed run left, whether this one makes any or not */
	if (PyImport_AppendInittab("_aiodemo", module_init) != 0 || start_python(p, o) != 0)
		return 1;
	int status = 0;
	char cwd[PATH_MAX] = "", dir[PATH_MAX] = "";
	bool have_tmp = false;
	PyObject *code = NULL;
	if (observe_python_ready() != 0) {
		diag_error(_("cannot start observing: %s"), strerror(errno));
		status = 1;
		goto out;
	}
	code = Py_CompileStringExFlags(p->text, p->filename, Py_file_input, NULL, -1);
	if (!code) {
		report_syntax_error(p);
		status = 2;
		goto out;
	}
	/* A built-in runs in a directory of its own, removed afterwards; a
	 * file runs where it is called, as python3 runs it. */
	if (p->builtin) {
		char *made = tmp_make("run", true);
		if (!made || !getcwd(cwd, sizeof(cwd)) || chdir(made) != 0) {
			diag_error(_("cannot make a directory for the run: %s"), strerror(errno));
			if (made)
				tmp_remove(made);
			free(made);
			status = 1;
			goto out;
		}
		snprintf(dir, sizeof(dir), "%s", made);
		have_tmp = true;
		free(made);
	} else {
		char real[PATH_MAX];
		if (!realpath(p->path, real))
			snprintf(real, sizeof(real), "%s", p->path);
		char *slash = strrchr(real, '/');
		if (slash)
			*slash = '\0';
		snprintf(dir, sizeof(dir), "%s", slash ? real : "");
	}
	if (o->starting)
		o->starting(o->arg);
	PyObject *boot = run_bootstrap();
	if (!boot || prepare_main(p, dir) != 0) {
		diag_error(_("cannot set up aiodemo's event loop:"));
		PyErr_Print();
		Py_XDECREF(boot);
		status = 1;
		goto out;
	}
	Py_DECREF(boot);
	PyObject *main = PyImport_AddModule("__main__");
	PyObject *d = PyModule_GetDict(main);
	observe_program_starts();
	if (stopping_begin() != 0) {
		diag_error(_("cannot start: %s"), strerror(errno));
		status = 1;
		goto out;
	}
	stopping_hold(false); /* one that came while CPython started stops the program now */
	PyObject *res = PyEval_EvalCode(code, d, d);
	r->code_end = observe_elapsed(clock_real_now());
	if (res)
		Py_DECREF(res);
	else
		finish_exception(p, r);
	int term_signal = stopping_signal();
	r->handled_signal = observe_signal_seen(SIGINT)    ? SIGINT
	                    : observe_signal_seen(SIGTERM) ? SIGTERM
	                                                   : 0;
	if (r->interrupted && term_signal) {
		r->exit_status = 128 + term_signal;
		r->stop_signal = term_signal;
		/* Not Ctrl-C's KeyboardInterrupt: say which signal it was. */
		free(r->error);
		struct buf why = { 0 };
		buf_printf(&why, "%s, which stops a run as Ctrl-C does", signals_name(term_signal));
		r->error = buf_steal(&why);
	}
out:
	/* The end: a signal now is kept for the exit status, never delivered
	 * into a CPython that is ending (PyErr_SetInterruptEx() in
	 * Py_FinalizeEx() crashes), nor allowed to kill the report. */
	stopping_end();
	Py_XDECREF(code);
	observe_stop_python();
	if (Py_FinalizeEx() < 0 && r->exit_status == 0)
		r->exit_status = 120;
	stopping_ignore(); /* CPython put back SIGINT's default action */
	if (status == 0)
		observe_note_end(r->exit_status);
	observe_finish(s, clock_real_now());
	if (have_tmp) {
		if (cwd[0] && chdir(cwd) != 0)
			diag_warning(_("cannot go back to '%s': %s"), cwd, strerror(errno));
		tmp_remove(dir);
	}
	return status;
}

void host_free(struct host_result *r)
{
	free(r->error);
	r->error = NULL;
	observe_free();
}

const char *host_python_version(void)
{
	/* Py_GetVersion() is "3.11.2 (main, ...) [GCC ...]", and may be
	 * called before the interpreter starts. */
	static char version[32];
	if (!version[0]) {
		const char *v = Py_GetVersion();
		size_t n = strcspn(v, " ");
		snprintf(version, sizeof(version), "%.*s", (int)n, v);
	}
	return version;
}
