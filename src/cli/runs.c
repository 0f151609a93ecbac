/* Programs run several times in children: see runs.h. */
#include "runs.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/catalog.h"
#include "host/host.h"
#include "host/program.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/i18n.h"

/* The words of @arg as a shell splits them (no expansions): spaces
 * separate, '...' keeps everything, "..." and \ escape. Returns the
 * number of words into *@out (malloc'd, each malloc'd), or -1 with the
 * reason in *@why. */
static int split_words(const char *arg, char ***out, const char **why)
{
	char **words = NULL;
	int n = 0;
	const char *s = arg;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		struct buf w = { 0 };
		buf_puts(&w, "");
		char quote = 0;
		for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
			if (quote == '\'') {
				if (*s == '\'')
					quote = 0;
				else
					buf_putc(&w, *s);
			} else if (*s == '\\' && s[1] && (!quote || strchr("\"\\$`", s[1]))) {
				buf_putc(&w, *++s);
			} else if (quote == '"' && *s == '"') {
				quote = 0;
			} else if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s;
			} else {
				buf_putc(&w, *s);
			}
		}
		words = xrealloc(words, (size_t)(n + 1) * sizeof(*words));
		words[n++] = buf_steal(&w);
		if (quote) {
			*why = quote == '\'' ? _("a ' that is not closed")
			                     : _("a \" that is not closed");
			for (int i = 0; i < n; i++)
				free(words[i]);
			free(words);
			return -1;
		}
	}
	*out = words;
	return n;
}

/* Whether @arg names a program as it is: a file that exists, or a name
 * without spaces (which program_load() resolves, or says is unknown). */
static bool whole_target(const char *arg)
{
	return !strpbrk(arg, " \t\n'\"\\") || access(arg, F_OK) == 0;
}

static int spec_error(const char *arg, const char *what)
{
	return usage_error(_("in the run '%s': %s (a run is a program, then NAME=VALUE, "
	                     "--scale F, --slow S)"),
	                   arg, what);
}

/* The value of option @w (--name=V, --name V, -x V) at words[*i]; NULL
 * when @w is not that option. */
static const char *option_value(char **words, int n, int *i, const char *name, char letter,
                                bool *missing)
{
	const char *w = words[*i];
	size_t len = strlen(name);
	*missing = false;
	if (!strncmp(w, "--", 2) && !strncmp(w + 2, name, len) && w[2 + len] == '=')
		return w + 3 + len;
	if ((!strncmp(w, "--", 2) && !strcmp(w + 2, name)) ||
	    (letter && w[0] == '-' && w[1] == letter && !w[2])) {
		if (*i + 1 >= n) {
			*missing = true;
			return NULL;
		}
		return words[++*i];
	}
	return NULL;
}

/* The spec's defaults: the command's options, no program yet. */
static void spec_init(const char *arg, const struct options *o, struct run_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->arg = arg;
	s->scale = o->scale;
	s->slow = o->slow;
	for (int i = 0; i < o->nparams; i++) {
		s->params = xrealloc(s->params, (size_t)(s->nparams + 1) * sizeof(char *));
		s->params[s->nparams++] = xstrdup(o->params[i]);
	}
}

void run_spec_whole(const char *target, const struct options *o, struct run_spec *s)
{
	spec_init(target, o, s);
	s->target = xstrdup(target);
	s->label = xstrdup(target);
}

int run_spec_parse(const char *arg, const struct options *o, struct run_spec *s)
{
	if (whole_target(arg)) {
		run_spec_whole(arg, o, s);
		return 0;
	}
	spec_init(arg, o, s);
	char **words = NULL;
	const char *why = NULL;
	int n = split_words(arg, &words, &why);
	if (n < 0)
		return spec_error(arg, why);
	int status = 0;
	struct buf label = { 0 };
	if (n == 0 || words[0][0] == '-') {
		status = spec_error(arg, _("it does not begin with a program"));
		goto out;
	}
	s->target = xstrdup(words[0]);
	buf_puts(&label, words[0]);
	for (int i = 1; i < n && !status; i++) {
		bool missing;
		const char *v, *w = words[i];
		if (w[0] != '-' && strchr(w, '=') && w[0] != '=') {
			v = w;
		} else if ((v = option_value(words, n, &i, "param", 'p', &missing)) || missing) {
			if (!v || !strchr(v, '=') || v[0] == '=') {
				char msg[300];
				snprintf(msg, sizeof(msg), _("--param takes NAME=VALUE, not '%s'"),
				         v ? v : "");
				status = spec_error(arg, msg);
				break;
			}
		} else if ((v = option_value(words, n, &i, "scale", 's', &missing)) || missing) {
			if (!v || parse_amount(v, 1000, &s->scale) != 0) {
				status = spec_error(arg,
				                    _("--scale takes a number greater than 0 and "
				                      "at most 1000"));
				break;
			}
			buf_printf(&label, " --scale %s", v);
			continue;
		} else if ((v = option_value(words, n, &i, "slow", 0, &missing)) || missing) {
			if (!v || parse_amount(v, 1000, &s->slow) != 0) {
				status = spec_error(arg,
				                    _("--slow takes seconds greater than 0 and at "
				                      "most 1000"));
				break;
			}
			buf_printf(&label, " --slow %s", v);
			continue;
		} else {
			char msg[300];
			snprintf(msg, sizeof(msg),
			         w[0] == '-' ? _("'%s' is not an option a run takes")
			                     : _("'%s' is not NAME=VALUE"),
			         w);
			status = spec_error(arg, msg);
			break;
		}
		s->params = xrealloc(s->params, (size_t)(s->nparams + 1) * sizeof(char *));
		s->params[s->nparams++] = xstrdup(v);
		buf_printf(&label, " %s", v);
	}
out:
	for (int i = 0; i < n; i++)
		free(words[i]);
	free(words);
	if (status) {
		buf_free(&label);
		run_spec_free(s);
		return status;
	}
	s->label = buf_steal(&label);
	return 0;
}

void run_spec_free(struct run_spec *s)
{
	for (int i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	free(s->target);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

bool run_specs_load(const struct run_spec *specs, int n)
{
	struct program **ps = xcalloc((size_t)n + 1, sizeof(*ps));
	bool ok = true;
	for (int i = 0; i < n && ok; i++) {
		ok = (ps[i] = program_load(specs[i].target)) != NULL;
		for (int k = 0; ok && k < specs[i].nparams; k++)
			ok = program_set_param(ps[i], specs[i].params[k]) == 0;
	}
	if (ok)
		ok = host_check_compiles(ps, n) == 0;
	for (int i = 0; i < n; i++)
		program_free(ps[i]);
	free(ps);
	return ok;
}

enum runs_end run_sets_execute(const struct run_spec *specs, int n, int repeat,
                               const struct child_options *base, struct run_set *sets,
                               void (*progress)(const struct run_set *set, void *arg), void *arg)
{
	for (int i = 0; i < n; i++) {
		sets[i] = (struct run_set){ .spec = &specs[i] };
		sets[i].r = xcalloc((size_t)repeat, sizeof(*sets[i].r));
		sets[i].figures = xcalloc((size_t)repeat, sizeof(*sets[i].figures));
	}
	for (int k = 0; k < repeat; k++)
		for (int i = 0; i < n; i++) {
			struct run_set *set = &sets[i];
			struct child_options co = *base;
			co.scale = specs[i].scale;
			co.slow = specs[i].slow;
			co.params = specs[i].params;
			co.nparams = specs[i].nparams;
			struct child_result *r = &set->r[set->n];
			if (child_run(specs[i].target, &co, r) != 0)
				return RUNS_FAILED;
			set->n++;
			int sig = r->exit_status - 128;
			bool stopped = caught_signal || sig == SIGINT || sig == SIGTERM ||
			               sig == SIGHUP ||
			               (r->have_record &&
			                !strcmp(r->record.summary.status, "interrupted"));
			if (stopped)
				return RUNS_INTERRUPTED;
			if (!r->have_record)
				return RUNS_NO_RECORD;
			figures_of(r->record.tl, &r->record.summary, set->figures[set->n - 1]);
			if (progress)
				progress(set, arg);
		}
	return RUNS_DONE;
}

int runs_report_missing(const struct run_set *sets, int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < sets[i].n; k++)
			if (!sets[i].r[k].have_record) {
				int st = sets[i].r[k].exit_status;
				diag_error(
				        _("the run of %s ended with status %d and left no record"),
				        sets[i].spec->label, st);
				return st == EXIT_USAGE ? EXIT_USAGE : 1;
			}
	return 1;
}

struct spread run_set_spread(const struct run_set *set, enum figure f)
{
	double *v = xcalloc((size_t)set->n + 1, sizeof(*v));
	int m = 0;
	for (int k = 0; k < set->n; k++)
		if (set->r[k].have_record)
			v[m++] = set->figures[k][f];
	struct spread s = spread_of(v, m);
	free(v);
	return s;
}

int run_set_shown(const struct run_set *set)
{
	/* The runs in order of their totals: the middle one. */
	int *order = xcalloc((size_t)set->n + 1, sizeof(*order));
	int m = 0;
	for (int k = 0; k < set->n; k++)
		if (set->r[k].have_record)
			order[m++] = k;
	for (int a = 1; a < m; a++)
		for (int b = a; b > 0 && set->figures[order[b]][FIG_TOTAL] <
		                                 set->figures[order[b - 1]][FIG_TOTAL];
		     b--) {
			int t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	int shown = m ? order[(m - 1) / 2] : 0;
	free(order);
	return shown;
}

int run_set_status(const struct run_set *set)
{
	for (int k = 0; k < set->n; k++)
		if (set->r[k].exit_status != 0)
			return set->r[k].exit_status;
	return 0;
}

void run_sets_free(struct run_set *sets, int n)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < sets[i].n; k++)
			child_result_free(&sets[i].r[k]);
		free(sets[i].r);
		free(sets[i].figures);
		sets[i].r = NULL;
		sets[i].figures = NULL;
		sets[i].n = 0;
	}
}
