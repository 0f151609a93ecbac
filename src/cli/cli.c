/* What the commands share: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/signals.h"
#include "util/i18n.h"
#include "util/text.h"

volatile sig_atomic_t caught_signal;
int end_signal;

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error("%s", msg);
	fprintf(stderr, "%s\n", _("Try 'aiodemo --help' for more information."));
	return EXIT_USAGE;
}

int parse_amount(const char *s, double max, double *out)
{
	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

bool no_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	return (nc && *nc) || (term && !strcmp(term, "dumb"));
}

bool use_color(const struct options *o)
{
	return o->format == TL_TEXT &&
	       (o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !no_color()));
}

int output_failed(int err)
{
	if (err == EPIPE)
		return RUN_BROKEN_PIPE;
	diag_error(_("writing the timeline failed: %s"), strerror(err));
	return 1;
}

void end_by(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	kill(getpid(), sig);
}

/* A second signal between child runs: the command, which stops after the
 * run it is reporting, has this long to say so before it ends at once. */
#define STOP_GRACE 2

static volatile sig_atomic_t insisted; /* signals that came between runs */

/* Ends now by the signal that stopped the command, its record removed. */
static void stop_now(int sig)
{
	child_discard_record();
	end_by(sig);
	_exit(128 + sig);
}

static void on_alarm(int sig)
{
	(void)sig;
	stop_now(caught_signal ? caught_signal : SIGINT);
}

/* The child runs stop on their own (Ctrl-C reaches them from the
 * terminal; SIGTERM is passed on) and leave their records. */
static void on_signal(int sig)
{
	if (caught_signal && !child_active()) {
		/* Between runs: the first signal already stops the command
		 * after this run; a third, or STOP_GRACE s on, stops it now. */
		if (insisted++)
			stop_now(sig);
		alarm(STOP_GRACE);
		return;
	}
	caught_signal = sig;
	if (sig != SIGINT)
		child_forward_signal(sig);
}

int install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART; /* a write to a slow reader goes on */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

struct child_options child_options_of(const struct options *o)
{
	return (struct child_options){ .scale = o->scale,
		                       .slow = o->slow,
		                       .max_events = o->max_events,
		                       .params = o->params,
		                       .nparams = o->nparams };
}

/* Whether every line of @text fits @width columns. */
static bool all_fit(const char *text, int width)
{
	struct buf line = { 0 };
	bool fit = true;
	for (const char *p = text; *p && fit;) {
		size_t n = strcspn(p, "\n");
		buf_clear(&line);
		buf_add(&line, p, n);
		fit = text_width(line.data) <= width;
		p += n + (p[n] == '\n');
	}
	buf_free(&line);
	return fit;
}

/* The synopsis lines start after this many columns ("usage: "), their
 * continuations after CONTINUED. */
enum { SYNOPSIS = 7, CONTINUED = 19 };

void cli_usage_fit(struct buf *b, const char *text, int width)
{
	if (all_fit(text, width)) {
		buf_puts(b, text);
		return;
	}
	struct buf cmd = { 0 }, wrapped = { 0 };
	char more[CONTINUED + 1];
	memset(more, ' ', CONTINUED);
	more[CONTINUED] = '\0';
	const char *p = text;
	while (*p) {
		/* One command: its line and the lines that go on under it. */
		buf_clear(&cmd);
		char first[SYNOPSIS + 1];
		snprintf(first, sizeof(first), "%.*s", SYNOPSIS, p);
		p += strlen(first);
		do {
			size_t n = strcspn(p, "\n");
			if (cmd.len)
				buf_putc(&cmd, ' ');
			buf_add(&cmd, p + strspn(p, " "), n - strspn(p, " "));
			p += n + (p[n] == '\n');
		} while (!strncmp(p, more, CONTINUED) && p[CONTINUED] == '[');
		/* An option in brackets is not cut: its spaces wait as \x01. */
		int depth = 0;
		for (size_t i = 0; i < cmd.len; i++) {
			depth += cmd.data[i] == '[' ? 1 : cmd.data[i] == ']' ? -1 : 0;
			if (depth > 0 && cmd.data[i] == ' ')
				cmd.data[i] = '\x01';
		}
		buf_clear(&wrapped);
		text_wrap(&wrapped, cmd.data, width, first, width / 3 < CONTINUED ? "  " : more);
		for (size_t i = 0; i < wrapped.len; i++)
			if (wrapped.data[i] == '\x01')
				wrapped.data[i] = ' ';
		buf_puts(b, wrapped.data);
	}
	buf_free(&cmd);
	buf_free(&wrapped);
}

/* The column of the description of an entry line ("  list    lists"), or
 * 0 when @line has none. */
static int description_column(const char *line)
{
	size_t lead = strspn(line, " ");
	const char *gap = strstr(line + lead, "  ");
	if (!lead || !gap || !gap[strspn(gap, " ")] || gap - line > 24)
		return 0;
	return (int)(gap - line + strspn(gap, " "));
}

void cli_help_fit(struct buf *b, const char *text, int width)
{
	if (all_fit(text, width)) {
		buf_puts(b, text);
		return;
	}
	struct buf head = { 0 }, desc = { 0 }, indent = { 0 }, line = { 0 };
	int column = 0; /* the description's, of the entry in hand (-1: not yet) */
	int last = 0;   /* the description column of the entry before */
	bool prose = false;
	for (const char *p = text;; p += line.len + (p[line.len] == '\n')) {
		buf_clear(&line);
		buf_add(&line, p, strcspn(p, "\n"));
		size_t lead = strspn(line.data, " ");
		bool blank = lead == line.len, entry = lead > 0 && !blank;
		if (entry && column < 0 && (int)lead > 2 * (int)strspn(head.data, " "))
			column = (int)lead; /* the description under a head of its own */
		bool continued = entry && column > 0 && (int)lead == column;
		/* What is in hand ends with a blank line, a heading, a new entry. */
		if (desc.len && (blank || !*p || (entry && !continued) || (!entry && !prose))) {
			buf_clear(&indent);
			buf_printf(&indent, "%*s", column, "");
			if (head.len && text_width(head.data) > column) {
				buf_printf(b, "%s\n", head.data);
				buf_clear(&head);
			}
			if (head.len)
				text_pad(&head, "", column - text_width(head.data), true);
			text_wrap(b, desc.data, width, head.len ? head.data : indent.data,
			          indent.data);
			buf_clear(&head);
			buf_clear(&desc);
		} else if (head.len && !desc.len && (blank || !*p || (entry && !continued))) {
			buf_printf(b, "%s\n", head.data);
			buf_clear(&head);
		}
		if (!*p)
			break;
		if (blank) {
			buf_putc(b, '\n');
			prose = false;
			column = 0;
			continue;
		}
		if (!entry && line.data[line.len - 1] == ':' && !prose) {
			buf_printf(b, "%s\n", line.data); /* a heading: "commands:" */
			continue;
		}
		if (!entry || continued) {
			prose = !entry;
			if (desc.len)
				buf_putc(&desc, ' ');
			buf_puts(&desc, line.data + lead);
			continue;
		}
		int c = description_column(line.data);
		/* "  -p, --param NAME=VALUE set ...": one space before it. */
		if ((!c || c > last) && last > 0 && line.len > (size_t)last &&
		    line.data[last - 1] == ' ' && line.data[last] != ' ')
			c = last;
		if (c) {
			column = last = c;
			buf_add(&head, line.data, (size_t)c);
			while (head.len && head.data[head.len - 1] == ' ')
				head.data[--head.len] = '\0';
			buf_puts(&desc, line.data + c);
		} else {
			buf_puts(&head, line.data); /* its description follows under it */
			column = -1;
		}
	}
	buf_free(&head);
	buf_free(&desc);
	buf_free(&indent);
	buf_free(&line);
}

void cli_title_line(struct buf *b, const char *name, const char *title, bool color)
{
	struct buf line = { 0 }, wrapped = { 0 };
	buf_printf(&line, "%s%s%s", name, title ? ": " : "", title ? title : "");
	text_wrap(&wrapped, line.data, text_columns(), "", "  ");
	size_t n = strlen(name);
	if (color && !strncmp(wrapped.data, name, n))
		buf_printf(b, "\033[1m%s\033[0m%s", name, wrapped.data + n);
	else
		buf_puts(b, wrapped.data);
	buf_free(&line);
	buf_free(&wrapped);
}
