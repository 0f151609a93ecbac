/* Benchmarks of what users run: Python programs under `aiodemo run`, each
 * figure beside a peer measured in the same invocation. The programs are
 * small Python files (the files of bench/, embedded at build time) and a few of the
 * built-in ones, written to a temporary directory and run in children:
 * aiodemo as `aiodemo run FILE --format json > /dev/null`, the peer as
 * `python3.11 FILE`, one after the other, each repetition in turn (ABAB),
 * so that a noisy machine slows both alike. A program reports its own
 * figures as one JSON line written to $AIODEMO_BENCH_REPORT; the process's
 * wall time and peak RSS come from wait4(). */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "host/catalog.h"
#include "util/clock.h"
#include "util/diag.h"
#include "host/program.h"
#include "report/table.h"
#include "util/text.h"
#include "util/tmpfile.h"
#include "util/i18n.h"

#include "bench_programs.inc"

#define REPEAT       5 /* runs of each benchmark; figures are their medians */
#define QUICK_REPEAT 2 /* enough for a range */

/* The reference CPython: the one aiodemo embeds (Debian's python3.11). */
#define DEFAULT_PYTHON "/usr/bin/python3.11"

static const char *const set_names[] = { "overhead", "loop", "timers", "start", "all" };
static const int set_bits[] = { BENCH_OVERHEAD, BENCH_LOOP, BENCH_TIMERS, BENCH_START, BENCH_ALL };

const char *const *bench_set_names(size_t *n)
{
	*n = sizeof(set_names) / sizeof(set_names[0]);
	return set_names;
}

int bench_set_bits(const char *name)
{
	for (size_t i = 0; i < sizeof(set_names) / sizeof(set_names[0]); i++)
		if (!strcmp(set_names[i], name))
			return set_bits[i];
	return 0;
}

/* --- sizes ------------------------------------------------------------------------ */

/* The built-in programs whose overhead is measured: threads, a semaphore
 * among tasks, a process pool, and CPU work on the loop thread. */
static const char *const overhead_programs[] = { "offload-sleep", "semaphore", "process-primes",
	                                         "serial-primes" };

struct sizes {
	const char *sleep_scale; /* of the overhead programs' sleeps */
	int tasks, jobs;         /* sleeping tasks; to_thread jobs */
	int callbacks, switches; /* call_soon callbacks; sleep(0) task switches */
	const char *chains[3];   /* timers: DELAY:COUNT */
};

static const struct sizes full_sizes = { "1",    100000, 100000,
	                                 200000, 100000, { "0.001:200", "0.01:100", "0.1:20" } };
static const struct sizes quick_sizes = { "0.1", 10000, 10000,
	                                  20000, 10000, { "0.001:40", "0.01:20", "0.1:3" } };

/* --- figures ------------------------------------------------------------------------ */

/* The columns of a table: aiodemo, its peers, and the ratio of the two. */
enum column { COL_AIODEMO, COL_PYTHON, COL_UVLOOP, COL_RATIO, NCOLUMNS };

/* One figure, measured once per repetition. */
struct figure {
	int set;   /* BENCH_*, the table it goes in */
	char *row; /* for people: the row's label */
	enum column col;
	char *key;        /* for JSON */
	const char *unit; /* "s", "/s", "B", "x" */
	double *values;   /* NaN: not measured */
	size_t n;
	char *missing; /* the package that would let it be measured */
};

static struct figure *figures;
static size_t nfigures;

static struct figure *figure(int set, const char *row, enum column col, const char *key,
                             const char *unit)
{
	for (size_t i = 0; i < nfigures; i++)
		if (!strcmp(figures[i].key, key))
			return &figures[i];
	figures = xrealloc(figures, (nfigures + 1) * sizeof(*figures));
	struct figure *f = &figures[nfigures++];
	*f = (struct figure){ set, xstrdup(row), col, xstrdup(key), unit, NULL, 0, NULL };
	return f;
}

static void add_value(struct figure *f, double v)
{
	f->values = xrealloc(f->values, (f->n + 1) * sizeof(*f->values));
	f->values[f->n++] = v;
}

static const char *unit_suffix(const char *unit)
{
	return !strcmp(unit, "s")    ? "_s"
	       : !strcmp(unit, "/s") ? "_per_s"
	       : !strcmp(unit, "B")  ? "_bytes"
	                             : "";
}

/* Adds @v as the figure KEY_WHO_UNIT (KEY_ratio for the ratio column). */
static void add(int set, const char *row, enum column col, const char *key, const char *unit,
                double v, const char *missing)
{
	static const char *const who[] = { "aiodemo", "python", "uvloop", "ratio" };
	struct buf k = { 0 };
	if (col == COL_RATIO)
		buf_printf(&k, "%s_ratio", key);
	else
		buf_printf(&k, "%s_%s%s", key, who[col], unit_suffix(unit));
	struct figure *f = figure(set, row, col, k.data, col == COL_RATIO ? "x" : unit);
	buf_free(&k);
	if (missing && !f->missing)
		f->missing = xstrdup(missing);
	add_value(f, missing ? NAN : v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts @v with the NaNs (failed measurements) at the end, and returns
 * the median of the others, or NaN if there are none; *@valid tells how
 * many there are. */
static double median_of(double *v, size_t n, size_t *valid)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i])) {
			double t = v[k];
			v[k++] = v[i];
			v[i] = t;
		}
	*valid = k;
	if (!k)
		return NAN;
	qsort(v, k, sizeof(*v), cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void free_figures(void)
{
	for (size_t i = 0; i < nfigures; i++) {
		free(figures[i].row);
		free(figures[i].key);
		free(figures[i].values);
		free(figures[i].missing);
	}
	free(figures);
	figures = NULL;
	nfigures = 0;
}

/* --- children ------------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;
static volatile pid_t running_child;

static void on_signal(int sig)
{
	stop_signal = sig;
	pid_t pid = running_child;
	if (pid > 0)
		kill(pid, SIGTERM);
}

struct bench {
	char *dir;          /* the temporary directory of the programs */
	char self[4096];    /* this binary */
	const char *python; /* NULL when it cannot run */
	char *report;       /* $AIODEMO_BENCH_REPORT */
	char *errors;       /* the children's stderr */
	const struct sizes *sz;
	bool failed;
};

/* What a child reported: one flat JSON object of numbers and strings. */
#define MAX_VALUES 32
struct outcome {
	bool ok;
	double wall; /* from fork to reaped */
	double rss;  /* peak resident set, bytes */
	int n;
	struct {
		char key[48];
		char str[64]; /* a string value, or "" */
		double num;
	} v[MAX_VALUES];
};

static double num(const struct outcome *o, const char *key)
{
	for (int i = 0; o->ok && i < o->n; i++)
		if (!strcmp(o->v[i].key, key) && !o->v[i].str[0])
			return o->v[i].num;
	return NAN;
}

static const char *str(const struct outcome *o, const char *key)
{
	for (int i = 0; o->ok && i < o->n; i++)
		if (!strcmp(o->v[i].key, key) && o->v[i].str[0])
			return o->v[i].str;
	return NULL;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Reads a JSON string at @s (no escapes: the programs' keys and values
 * have none) into @out; returns what follows, or NULL. */
static const char *read_string(const char *s, char *out, size_t size)
{
	if (*s != '"')
		return NULL;
	const char *end = strchr(s + 1, '"');
	if (!end || (size_t)(end - s - 1) >= size)
		return NULL;
	memcpy(out, s + 1, (size_t)(end - s - 1));
	out[end - s - 1] = '\0';
	return end + 1;
}

/* Parses the line a program reported: {"key": number|"string", ...}. */
static bool parse_report(const char *s, struct outcome *o)
{
	s = skip_space(s);
	if (*s++ != '{')
		return false;
	s = skip_space(s);
	while (*s != '}') {
		if (o->n == MAX_VALUES)
			return false;
		s = read_string(s, o->v[o->n].key, sizeof(o->v[o->n].key));
		if (!s || *(s = skip_space(s)) != ':')
			return false;
		s = skip_space(s + 1);
		o->v[o->n].str[0] = '\0';
		if (*s == '"') {
			s = read_string(s, o->v[o->n].str, sizeof(o->v[o->n].str));
			if (!s || !o->v[o->n].str[0])
				return false;
		} else {
			char *end;
			o->v[o->n].num = strtod(s, &end);
			if (end == s)
				return false;
			s = end;
		}
		o->n++;
		s = skip_space(s);
		if (*s == ',')
			s = skip_space(s + 1);
		else if (*s != '}')
			return false;
	}
	return true;
}

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1 << 20))
		buf_add(&b, chunk, n);
	fclose(f);
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* Shows the end of what a child wrote to stderr under an error. */
static void show_errors(const struct bench *b)
{
	char *text = read_small_file(b->errors);
	if (!text)
		return;
	size_t n = strlen(text);
	const char *tail = n > 2000 ? text + n - 2000 : text;
	if (*tail)
		fprintf(stderr, "%s%s", tail, tail[strlen(tail) - 1] == '\n' ? "" : "\n");
	free(text);
}

static void describe(struct buf *b, char *const argv[])
{
	for (int i = 0; argv[i]; i++)
		buf_printf(b, "%s%s", i ? " " : "", argv[i]);
}

/* Runs @argv with its output to /dev/null and its stderr kept, waits for
 * it, and reads what it reported (if it @reports). Returns false (after
 * saying why) when it could not run, failed, or reported nothing. */
static bool run_child(struct bench *b, char *const argv[], bool reports, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->wall = o->rss = NAN;
	unlink(b->report);
	fflush(NULL);
	double start = clock_real_now();
	pid_t pid = fork();
	if (pid < 0) {
		diag_error(_("cannot start %s: %s"), argv[0], strerror(errno));
		return false;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY),
		    err = open(b->errors, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	running_child = pid;
	int status;
	struct rusage ru;
	pid_t got;
	while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	running_child = 0;
	o->wall = clock_real_now() - start;
	if (got != pid) {
		diag_error(_("cannot wait for %s: %s"), argv[0], strerror(errno));
		return false;
	}
	if (stop_signal)
		return false;
	o->rss = (double)ru.ru_maxrss * 1024;
	struct buf cmd = { 0 };
	describe(&cmd, argv);
	char *text = NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			diag_error(_("%s: killed by signal %d"), cmd.data, WTERMSIG(status));
		else
			diag_error(_("%s: exit status %d"), cmd.data, WEXITSTATUS(status));
	} else if (!reports) {
		o->ok = true;
	} else if (!(text = read_small_file(b->report))) {
		diag_error(_("%s: reported nothing"), cmd.data);
	} else if (!parse_report(text, o)) {
		diag_error(_("%s: reported something else than a JSON object of figures: %.200s"),
		           cmd.data, text);
	} else {
		o->ok = true;
	}
	if (!o->ok)
		show_errors(b);
	free(text);
	buf_free(&cmd);
	return o->ok;
}

enum side { AIODEMO, PYTHON };

/* Runs bench program or built-in @file of the temporary directory on
 * @side with up to four arguments (NULL-terminated). A failure is noted. */
static void run_program(struct bench *b, enum side side, const char *file, const char *const *args,
                        struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	if (stop_signal || (side == PYTHON && !b->python))
		return;
	struct buf path = { 0 };
	buf_printf(&path, "%s/%s", b->dir, file);
	char *argv[16];
	int argc = 0;
	if (side == AIODEMO) {
		argv[argc++] = b->self;
		argv[argc++] = "run";
		argv[argc++] = "--format=json";
		argv[argc++] = "--color=never";
	} else {
		argv[argc++] = (char *)b->python;
	}
	argv[argc++] = path.data;
	for (int i = 0; args && args[i] && argc < 15; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	if (!run_child(b, argv, strcmp(file, "start.py") != 0, o) && !stop_signal)
		b->failed = true;
	buf_free(&path);
}

/* A figure measured on both sides, with the ratio aiodemo over python
 * (@inverse: python over aiodemo, for rates, so that a ratio above 1
 * always means that aiodemo takes longer). */
static void add_pair(const struct bench *b, int set, const char *row, const char *key,
                     const char *unit, double a, double p, bool inverse)
{
	const char *missing = b->python ? NULL : "python3.11";
	if (!isfinite(a) || a <= 0)
		a = NAN;
	if (!isfinite(p) || p <= 0)
		p = NAN;
	add(set, row, COL_AIODEMO, key, unit, a, NULL);
	add(set, row, COL_PYTHON, key, unit, p, missing);
	add(set, row, COL_RATIO, key, unit, inverse ? p / a : a / p, missing);
}

/* --- the sets --------------------------------------------------------------------------- */

static char *key_of(const char *name)
{
	char *k = xstrdup(name);
	for (char *c = k; *c; c++)
		if (*c == '-')
			*c = '_';
	return k;
}

static void bench_overhead(struct bench *b)
{
	for (size_t i = 0; i < sizeof(overhead_programs) / sizeof(overhead_programs[0]); i++) {
		const char *name = overhead_programs[i];
		struct buf file = { 0 }, row = { 0 }, key = { 0 };
		buf_printf(&file, "%s/%s.py", b->dir, name);
		const char *args[] = { file.data, b->sz->sleep_scale, NULL };
		struct outcome a, p;
		run_program(b, AIODEMO, "timed.py", args, &a);
		run_program(b, PYTHON, "timed.py", args, &p);
		char *k = key_of(name);
		buf_printf(&row, _("%s: first line to end"), name);
		buf_printf(&key, "overhead_%s", k);
		add_pair(b, BENCH_OVERHEAD, row.data, key.data, "s", num(&a, "program_s"),
		         num(&p, "program_s"), false);
		buf_clear(&row);
		buf_clear(&key);
		buf_printf(&row, _("%s: process start to exit"), name);
		buf_printf(&key, "overhead_%s_process", k);
		add_pair(b, BENCH_OVERHEAD, row.data, key.data, "s", a.wall, p.wall, false);
		free(k);
		buf_free(&file);
		buf_free(&row);
		buf_free(&key);
	}
	static const struct {
		const char *file, *key;
	} many[] = { { "tasks.py", "tasks" }, { "to_thread.py", "to_thread" } };
	for (size_t i = 0; i < 2; i++) {
		char count[32];
		snprintf(count, sizeof(count), "%d", i == 0 ? b->sz->tasks : b->sz->jobs);
		/* The tasks sleep 1 s, less with --quick. */
		const char *args[] = { count, i == 0 ? b->sz->sleep_scale : NULL, NULL };
		struct outcome a, p;
		run_program(b, AIODEMO, many[i].file, args, &a);
		run_program(b, PYTHON, many[i].file, args, &p);
		struct buf row = { 0 }, key = { 0 };
		struct buf what = { 0 };
		if (i == 0)
			buf_printf(&what, _("%s tasks sleeping %s s"), count, b->sz->sleep_scale);
		else
			buf_printf(&what, _("%s to_thread jobs"), count);
		buf_printf(&row, _("%s: asyncio.run"), what.data);
		buf_printf(&key, "overhead_%s", many[i].key);
		add_pair(b, BENCH_OVERHEAD, row.data, key.data, "s", num(&a, "run_s"),
		         num(&p, "run_s"), false);
		buf_clear(&row);
		buf_clear(&key);
		buf_printf(&row, _("%s: process start to exit"), what.data);
		buf_printf(&key, "overhead_%s_process", many[i].key);
		add_pair(b, BENCH_OVERHEAD, row.data, key.data, "s", a.wall, p.wall, false);
		buf_clear(&row);
		buf_clear(&key);
		buf_printf(&row, _("%s: peak RSS"), what.data);
		buf_printf(&key, "overhead_%s_rss", many[i].key);
		add_pair(b, BENCH_OVERHEAD, row.data, key.data, "B", a.ok ? a.rss : NAN,
		         p.ok ? p.rss : NAN, false);
		buf_free(&what);
		buf_free(&row);
		buf_free(&key);
	}
}

static void bench_loop(struct bench *b)
{
	char callbacks[32], switches[32];
	snprintf(callbacks, sizeof(callbacks), "%d", b->sz->callbacks);
	snprintf(switches, sizeof(switches), "%d", b->sz->switches);
	const char *asyncio_args[] = { "asyncio", callbacks, switches, NULL };
	const char *uvloop_args[] = { "uvloop", callbacks, switches, NULL };
	struct outcome a, p, u;
	run_program(b, AIODEMO, "loop.py", asyncio_args, &a);
	run_program(b, PYTHON, "loop.py", asyncio_args, &p);
	run_program(b, PYTHON, "loop.py", uvloop_args, &u);
	const char *missing = !b->python ? "python3.11" : str(&u, "missing");
	static const struct {
		const char *key, *row, *field;
	} rows[] = { { "loop_call_soon", N_("call_soon() callbacks"), "call_soon_per_s" },
		     { "loop_switches", N_("sleep(0) ping-pong: task switches"),
		       "switches_per_s" } };
	for (size_t i = 0; i < 2; i++) {
		add_pair(b, BENCH_LOOP, _(rows[i].row), rows[i].key, "/s", num(&a, rows[i].field),
		         num(&p, rows[i].field), true);
		add(BENCH_LOOP, _(rows[i].row), COL_UVLOOP, rows[i].key, "/s",
		    num(&u, rows[i].field), missing);
	}
}

static void bench_timers(struct bench *b)
{
	const char *args[] = { b->sz->chains[0], b->sz->chains[1], b->sz->chains[2], NULL };
	struct outcome a, p;
	run_program(b, AIODEMO, "timers.py", args, &a);
	run_program(b, PYTHON, "timers.py", args, &p);
	static const struct {
		const char *ms, *delay;
	} delays[] = { { "1ms", "0.001" }, { "10ms", "0.01" }, { "100ms", "0.1" } };
	static const struct {
		const char *field, *what;
	} stats[] = { { "p50", "p50" }, { "p99", "p99" }, { "min", N_("earliest") } };
	for (size_t d = 0; d < 3; d++)
		for (size_t s = 0; s < 3; s++) {
			struct buf row = { 0 }, key = { 0 }, field = { 0 };
			buf_printf(&row, _("sleep(%s): lateness, %s"), delays[d].delay,
			           _(stats[s].what));
			buf_printf(&key, "timers_%s_%s", delays[d].ms,
			           !strcmp(stats[s].field, "min") ? "earliest" : stats[s].field);
			buf_printf(&field, "%s_%s", delays[d].ms, stats[s].field);
			/* Lateness can be 0 or, for a sleep that ends early, below. */
			add(BENCH_TIMERS, row.data, COL_AIODEMO, key.data, "s", num(&a, field.data),
			    NULL);
			add(BENCH_TIMERS, row.data, COL_PYTHON, key.data, "s", num(&p, field.data),
			    b->python ? NULL : "python3.11");
			buf_free(&row);
			buf_free(&key);
			buf_free(&field);
		}
}

static void bench_start(struct bench *b)
{
	struct outcome a, p;
	run_program(b, AIODEMO, "start.py", NULL, &a);
	run_program(b, PYTHON, "start.py", NULL, &p);
	add_pair(b, BENCH_START, _("a trivial asyncio program: start to exit"), "start", "s",
	         a.ok ? a.wall : NAN, p.ok ? p.wall : NAN, false);
}

/* --- the temporary directory --------------------------------------------------------------- */

static bool write_file(const char *dir, const char *name, const char *text, size_t len)
{
	struct buf path = { 0 };
	buf_printf(&path, "%s/%s", dir, name);
	FILE *f = fopen(path.data, "w");
	bool ok = f && fwrite(text, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		diag_error(_("cannot write %s: %s"), path.data, strerror(errno));
	buf_free(&path);
	return ok;
}

/* Makes the directory and writes the programs into it. */
static bool set_up(struct bench *b)
{
	b->dir = tmp_make("bench", true);
	if (!b->dir) {
		diag_error(_("cannot create a temporary directory in %s: %s"), tmp_dir(),
		           strerror(errno));
		return false;
	}
	struct buf path = { 0 };
	buf_printf(&path, "%s/report.json", b->dir);
	b->report = buf_steal(&path);
	buf_printf(&path, "%s/stderr", b->dir);
	b->errors = buf_steal(&path);
	for (size_t i = 0; i < sizeof(bench_programs) / sizeof(bench_programs[0]); i++) {
		buf_printf(&path, "%s.py", bench_programs[i].name);
		bool ok = write_file(b->dir, path.data, bench_programs[i].text,
		                     bench_programs[i].len);
		buf_clear(&path);
		if (!ok)
			return false;
	}
	for (size_t i = 0; i < sizeof(overhead_programs) / sizeof(overhead_programs[0]); i++) {
		struct program *p = program_load(overhead_programs[i]);
		if (!p)
			return false;
		buf_printf(&path, "%s.py", overhead_programs[i]);
		bool ok = write_file(b->dir, path.data, p->text, p->len);
		buf_clear(&path);
		program_free(p);
		if (!ok)
			return false;
	}
	buf_free(&path);
	ssize_t n = readlink("/proc/self/exe", b->self, sizeof(b->self) - 1);
	if (n <= 0) {
		diag_error(_("cannot find aiodemo's own executable: %s"), strerror(errno));
		return false;
	}
	b->self[n] = '\0';
	const char *python = getenv("AIODEMO_PYTHON");
	b->python = python && *python ? python : DEFAULT_PYTHON;
	if (access(b->python, X_OK) != 0) {
		diag_warning(_("%s cannot run (%s): the figures of python3.11 are missing"),
		             b->python, strerror(errno));
		b->python = NULL;
	}
	return true;
}

static void tear_down(struct bench *b)
{
	if (b->dir)
		tmp_remove(b->dir);
	free(b->dir);
	free(b->report);
	free(b->errors);
}

/* --- output ------------------------------------------------------------------------------- */

/* The scale of @v in @unit: the divisor and the unit people read. */
static double scale_of(double v, const char *unit, const char **shown, int *decimals)
{
	v = fabs(v);
	*decimals = 2;
	if (!strcmp(unit, "s")) {
		if (v < 1e-3) {
			*shown = "µs";
			*decimals = 1;
			return 1e-6;
		}
		if (v < 1) {
			*shown = "ms";
			*decimals = v < 10e-3 ? 2 : 1;
			return 1e-3;
		}
		*shown = "s";
		*decimals = 3;
		return 1;
	}
	if (!strcmp(unit, "/s")) {
		double div = v >= 1e6 ? 1e6 : 1e3;
		*shown = v >= 1e6 ? "M/s" : "k/s";
		*decimals = v / div >= 100 ? 0 : v / div >= 10 ? 1 : 2;
		return div;
	}
	if (!strcmp(unit, "B")) {
		*shown = "MiB";
		*decimals = 1;
		return 1024 * 1024;
	}
	*shown = "x";
	*decimals = 3;
	return 1;
}

/* The median of @f with its range, for people. */
static char *cell_text(struct figure *f)
{
	struct buf b = { 0 };
	size_t valid;
	double med = median_of(f->values, f->n, &valid); /* sorts the values */
	if (f->missing) {
		buf_printf(&b, _("missing: %s"), f->missing);
	} else if (isnan(med)) {
		buf_puts(&b, "-");
	} else {
		const char *shown;
		int dec;
		double div = scale_of(med, f->unit, &shown, &dec);
		buf_printf(&b, "%.*f%s%s", dec, med / div, strcmp(shown, "x") ? " " : "", shown);
		if (valid > 1)
			buf_printf(&b, " (%.*f..%.*f)", dec, f->values[0] / div, dec,
			           f->values[valid - 1] / div);
	}
	return buf_steal(&b);
}

static const char *set_title(int set)
{
	switch (set) {
	case BENCH_OVERHEAD:
		return _("overhead: what observing costs: `aiodemo run PROG --format json > "
		         "/dev/null` beside `python3.11 PROG`,\n  timed by the program itself (its "
		         "first line to its end, or asyncio.run) and as a process");
	case BENCH_LOOP:
		return _("loop: operations per second on aiodemo's loop (`aiodemo run`), asyncio's "
		         "default loop and uvloop\n  (python3.11); ratio: asyncio's rate over "
		         "aiodemo's");
	case BENCH_TIMERS:
		return _(
		        "timers: how late a chain of asyncio.sleep() calls ends, on aiodemo's loop "
		        "and on asyncio's default loop;\n  the earliest must not be below 0 (a "
		        "sleep that ended early)");
	default:
		return _("start: starting and finishing a trivial asyncio program, `aiodemo run` "
		         "beside `python3.11`");
	}
}

/* A set's table where its columns do not fit @width: in blocks of
 * columns that do (table_print), the title wrapped. */
static void print_narrow(int set, const char *const *head, const char **rows, size_t nrows,
                         char **cells, const bool used[NCOLUMNS], int width)
{
	struct table t;
	int ncols = 1;
	for (int c = 0; c < NCOLUMNS; c++)
		ncols += used[c];
	table_init(&t, (int)nrows + 1, ncols);
	struct buf cell = { 0 }, out = { 0 };
	for (size_t r = 0; r < nrows; r++) {
		buf_puts(&cell, rows[r]);
		table_set(&t, (int)r + 1, 0, &cell);
	}
	for (int c = 0, k = 1; c < NCOLUMNS; c++) {
		if (!used[c])
			continue;
		buf_puts(&cell, head[c]);
		table_set(&t, 0, k, &cell);
		for (size_t r = 0; r < nrows; r++) {
			const char *v = cells[r * NCOLUMNS + c];
			buf_puts(&cell, v ? v : "");
			table_set(&t, (int)r + 1, k, &cell);
		}
		k++;
	}
	buf_putc(&out, '\n');
	text_wrap(&out, set_title(set), width, "", "  ");
	table_print(&t, &out, width);
	fwrite(out.data, 1, out.len, stdout);
	table_free(&t);
	buf_free(&cell);
	buf_free(&out);
}

static void print_text(int runs, bool quick, const struct bench *b)
{
	int width = text_columns();
	struct buf line = { 0 }, wrapped = { 0 };
	if (runs > 1) {
		buf_printf(
		        &line,
		        quick ? _("medians of %d runs (lowest..highest), aiodemo and its peers in "
		                  "turn; --quick: small sizes")
		              : _("medians of %d runs (lowest..highest), aiodemo and its peers in "
		                  "turn"),
		        runs);
		text_wrap(&wrapped, line.data, width, "", "  ");
		buf_clear(&line);
	}
	buf_printf(&line, _("peer: %s; a ratio above 1 means that aiodemo takes longer"),
	           b->python ? b->python : _("(missing)"));
	text_wrap(&wrapped, line.data, width, "", "  ");
	fputs(wrapped.data, stdout);
	buf_free(&line);
	buf_free(&wrapped);
	static const char *const headings[][NCOLUMNS] = {
		{ "aiodemo run", "python3.11", "", "aiodemo/python" },
		{ N_("aiodemo's loop"), N_("asyncio's loop"), "uvloop", N_("ratio") },
	};
	for (int set = 1; set < BENCH_ALL; set <<= 1) {
		/* The rows, in the order they came, and the cells' texts. */
		size_t nrows = 0;
		const char **rows = xcalloc(nfigures + 1, sizeof(*rows));
		char **cells = xcalloc((nfigures + 1) * NCOLUMNS, sizeof(*cells));
		bool used[NCOLUMNS] = { false };
		for (size_t i = 0; i < nfigures; i++) {
			struct figure *f = &figures[i];
			if (f->set != set)
				continue;
			size_t r = 0;
			while (r < nrows && strcmp(rows[r], f->row) != 0)
				r++;
			if (r == nrows)
				rows[nrows++] = f->row;
			cells[r * NCOLUMNS + f->col] = cell_text(f);
			used[f->col] = true;
		}
		if (nrows) {
			const char *const *head =
			        headings[set == BENCH_OVERHEAD || set == BENCH_START ? 0 : 1];
			int widths[NCOLUMNS + 1] = { 0 };
			for (size_t r = 0; r < nrows; r++) {
				int w = text_width(rows[r]);
				widths[0] = w > widths[0] ? w : widths[0];
				for (int c = 0; c < NCOLUMNS; c++) {
					const char *t = cells[r * NCOLUMNS + c];
					w = t ? text_width(t) : 1;
					widths[c + 1] = w > widths[c + 1] ? w : widths[c + 1];
				}
			}
			for (int c = 0; c < NCOLUMNS; c++) {
				int w = text_width(head[c][0] ? _(head[c]) : "");
				widths[c + 1] = w > widths[c + 1] ? w : widths[c + 1];
			}
			struct buf out = { 0 };
			int full = 2 + widths[0];
			for (int c = 0; c < NCOLUMNS; c++)
				full += used[c] ? 3 + widths[c + 1] : 0;
			if (full > width) {
				print_narrow(set, head, rows, nrows, cells, used, width);
				goto next;
			}
			buf_putc(&out, '\n');
			text_wrap(&out, set_title(set), width, "", "  ");
			buf_puts(&out, "  ");
			text_pad(&out, "", widths[0], true);
			for (int c = 0; c < NCOLUMNS; c++)
				if (used[c]) {
					buf_puts(&out, "   ");
					text_pad(&out, head[c][0] ? _(head[c]) : "", widths[c + 1],
					         true);
				}
			while (out.len && out.data[out.len - 1] == ' ')
				out.data[--out.len] = '\0';
			buf_putc(&out, '\n');
			for (size_t r = 0; r < nrows; r++) {
				buf_puts(&out, "  ");
				text_pad(&out, rows[r], widths[0], true);
				for (int c = 0; c < NCOLUMNS; c++)
					if (used[c]) {
						const char *t = cells[r * NCOLUMNS + c];
						buf_puts(&out, "   ");
						text_pad(&out, t ? t : "", widths[c + 1], true);
					}
				while (out.len && out.data[out.len - 1] == ' ')
					out.data[--out.len] = '\0';
				buf_putc(&out, '\n');
			}
			fwrite(out.data, 1, out.len, stdout);
			buf_free(&out);
		}
	next:
		for (size_t i = 0; i < (nfigures + 1) * NCOLUMNS; i++)
			free(cells[i]);
		free(cells);
		free(rows);
	}
}

static void print_json(int set, int runs, bool quick, const struct bench *b)
{
	struct buf out = { 0 };
	buf_printf(&out, "{\"kind\":\"bench\",\"quick\":%s,\"runs\":%d,\"python\":",
	           quick ? "true" : "false", runs);
	if (b->python)
		buf_json_string(&out, b->python, strlen(b->python));
	else
		buf_puts(&out, "null");
	buf_puts(&out, ",\"sets\":[");
	for (size_t i = 0, k = 0; i + 1 < sizeof(set_names) / sizeof(set_names[0]); i++)
		if (set & set_bits[i])
			buf_printf(&out, "%s\"%s\"", k++ ? "," : "", set_names[i]);
	buf_printf(&out,
	           "],\"sizes\":{\"tasks\":%d,\"to_thread\":%d,\"call_soon\":%d,\"switches\":%d,"
	           "\"sleep_scale\":%s}",
	           b->sz->tasks, b->sz->jobs, b->sz->callbacks, b->sz->switches,
	           b->sz->sleep_scale);
	for (size_t i = 0; i < nfigures; i++) {
		struct figure *f = &figures[i];
		size_t valid;
		double med = median_of(f->values, f->n, &valid);
		if (isnan(med)) {
			buf_printf(&out, ",\"%s\":null", f->key);
			continue;
		}
		buf_printf(&out, ",\"%s\":%.9g", f->key, med);
		if (valid > 1)
			buf_printf(&out, ",\"%s_min\":%.9g,\"%s_max\":%.9g", f->key, f->values[0],
			           f->key, f->values[valid - 1]);
	}
	buf_puts(&out, ",\"missing\":{");
	for (size_t i = 0, k = 0; i < nfigures; i++)
		if (figures[i].missing)
			buf_printf(&out, "%s\"%s\":\"%s\"", k++ ? "," : "", figures[i].key,
			           figures[i].missing);
	buf_puts(&out, "}}\n");
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
}

int bench_run(int set, bool quick, bool json)
{
	struct bench b = { .sz = quick ? &quick_sizes : &full_sizes };
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	const char *old_report = getenv("AIODEMO_BENCH_REPORT");
	char *saved_report = old_report ? xstrdup(old_report) : NULL;
	int runs = 0, rc = 0;
	if (!set_up(&b)) {
		rc = 1;
		goto out;
	}
	setenv("AIODEMO_BENCH_REPORT", b.report, 1);
	/* A first run of each side, not measured: the files come into the cache. */
	struct outcome warm;
	run_program(&b, AIODEMO, "start.py", NULL, &warm);
	run_program(&b, PYTHON, "start.py", NULL, &warm);
	int repeat = quick ? QUICK_REPEAT : REPEAT;
	for (int r = 0; r < repeat && !stop_signal; r++, runs++) {
		if (set & BENCH_OVERHEAD)
			bench_overhead(&b);
		if (set & BENCH_LOOP)
			bench_loop(&b);
		if (set & BENCH_TIMERS)
			bench_timers(&b);
		if (set & BENCH_START)
			bench_start(&b);
	}
	if (stop_signal) {
		rc = 128 + stop_signal;
	} else {
		if (json)
			print_json(set, runs, quick, &b);
		else
			print_text(runs, quick, &b);
		if (b.failed) {
			diag_error(_("a benchmark could not run: its figures are missing"));
			rc = 1;
		}
	}
out:
	tear_down(&b);
	if (saved_report)
		setenv("AIODEMO_BENCH_REPORT", saved_report, 1);
	else
		unsetenv("AIODEMO_BENCH_REPORT");
	free(saved_report);
	free_figures();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}
