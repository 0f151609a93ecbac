/* A Python program to run: a built-in one (scenarios/NAME.py, embedded)
 * or a file, with aiodemo's header read from its leading comments:
 *
 *   # aiodemo: name offload-sleep
 *   # aiodemo: title to_thread moves time.sleep(2) into a worker thread
 *   # aiodemo: source 01-offload-blocking-code.md, Level 1
 *   # aiodemo: param workers = 3 at "max_workers=3"
 *   # aiodemo: url base = https://httpbin.org latency 1s
 *   # aiodemo: expect total 2s
 *   # aiodemo: notice Both tasks start at 0 s. ...
 *   # aiodemo: title.zh to_thread 把 time.sleep(2) 移到工作线程……
 *   # aiodemo: notice.zh 两个任务都在 0 秒开始。……
 *   # aiodemo: say.en "✅ 阻塞任务结束" = "✅ blocking task ends"
 *   # aiodemo: end
 *
 * The header is comments, so `python3 NAME.py` runs the same program. */
#ifndef AIODEMO_HOST_PROGRAM_H
#define AIODEMO_HOST_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "record/expect.h"
#include "record/rendering.h"

/** A parameter: --param NAME=VALUE replaces VALUE inside CONTEXT; a url
 *  parameter's VALUE is a URL's beginning, replaced wherever it occurs. */
struct program_param {
	char *name, *value, *context; /* context: NULL for a url */
	char *declared;               /* the value the header declares */
	bool set;                     /* --param gave it its value */
	bool url;                     /* url NAME = ORIGIN [latency DURATION] */
	double latency;               /* a url's: the local server's, seconds */
	int line;
};

/* The most requests a server's clients send at once. */
#define CLIENTS_MAX 1000

/** What the header says of the program. */
struct program_info {
	char *name, *title, *source;
	char *notice; /* what to notice, one line per header line */
	struct expectations expects;

	/* title.zh, source.zh and notice.zh (or NULL), and the English of the lines
	 * that the program prints (say.en; NULL when it has none). */
	char *title_zh, *source_zh, *notice_zh;
	struct renderings *say_en;

	/* A server's clients (clients N ask PATH): how many requests `serve
	 * --clients` and check send at once by default, and the path they ask
	 * on the port parameter (NULL: the program declares none). */
	int clients;
	char *client_path;
};

/** The title in the language of aiodemo's words: title.zh in Chinese when
 *  there is one, else the title (or NULL). */
const char *program_title(const struct program_info *info);

struct program {
	char *file;     /* the name in messages and tracebacks */
	char *path;     /* the file to run, as given, or NULL for a built-in */
	char *filename; /* __file__ and the code's file name: the path made
	                 * absolute as python3 makes it (joined to the working
	                 * directory), or the built-in's NAME.py */
	bool builtin;
	bool edited; /* --param changed the text: it is not the file's */
	char *text;  /* the program, with the values of the run */
	size_t len;
	size_t body; /* where the code begins, after the header */
	struct program_info info;
	struct program_param *params;
	int nparams;
};

/** Loads @arg, a built-in name or a file; on failure prints an error
 *  (with a suggestion for a mistyped name) and returns NULL. */
struct program *program_load(const char *arg);

/** Sets parameter NAME to VALUE from "NAME=VALUE"; returns 0, or -1 after
 *  printing an error. */
int program_set_param(struct program *p, const char *assignment);

/** Points url parameter @i at @url, wherever its value occurs in the code. */
void program_set_url(struct program *p, int i, const char *url);

/** Frees @p; NULL is a no-op. */
void program_free(struct program *p);

#endif
