/* The built-in clients of a server program: see clients.h. */
#include "clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/i18n.h"

#include "clients.inc" /* clients_py: clients.py */

/* The python3 that runs clients.py: Debian's, else the first on PATH. */
#define PYTHON "/usr/bin/python3.11"

struct clients {
	struct clients_options o;
	char *path, *url;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_int pid; /* the clients' process while it runs, else 0 */
	struct client_answer *answers;
	int nanswers;
	char *error;
};

static void set_error(struct clients *c, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void set_error(struct clients *c, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(c->error);
	c->error = buf_steal(&b);
}

static void nap(double seconds)
{
	struct timespec ts = { 0, (long)(seconds * 1e9) };
	nanosleep(&ts, NULL);
}

/* Whether something accepts connections on 127.0.0.1:@port. */
static bool listening(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* One line of clients.py: ID SENT ANSWERED STATUS BODY, tab-separated. */
static void take_line(struct clients *c, char *line)
{
	char *f[5];
	int k = 0;
	for (char *s = line; k < 5; k++) {
		f[k] = s;
		char *tab = k < 4 ? strchr(s, '\t') : NULL;
		if (k < 4 && !tab)
			return;
		if (tab) {
			*tab = '\0';
			s = tab + 1;
		}
	}
	if (c->nanswers >= c->o.n)
		return;
	struct client_answer *a = &c->answers[c->nanswers++];
	a->id = atoi(f[0]);
	a->sent = strtod(f[1], NULL);
	a->answered = strtod(f[2], NULL);
	a->status = atoi(f[3]);
	a->body = xstrdup(f[4]);
}

/* Runs clients.py to its end (or until stopped), reading its lines. */
static void run_clients(struct clients *c)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) != 0) {
		set_error(c, _("cannot start the clients: %s"), strerror(errno));
		return;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		set_error(c, _("cannot start the clients: %s"), strerror(errno));
		close(out[0]);
		close(out[1]);
		return;
	}
	char n[16], timeout[32];
	snprintf(n, sizeof(n), "%d", c->o.n);
	snprintf(timeout, sizeof(timeout), "%g", c->o.timeout);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* Its own process group (a Ctrl-C at the terminal is the
		 * server's, not the clients'), and gone with aiodemo. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigset_t none;
		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		char *argv[] = { PYTHON, "-I", "-c", (char *)clients_py, c->url, n, timeout, NULL };
		execv(PYTHON, argv);
		argv[0] = "python3";
		execvp("python3", argv);
		dprintf(2, "cannot run %s or python3: %s\n", PYTHON, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		set_error(c, _("cannot start the clients: %s"), strerror(errno));
		close(out[0]);
		close(err[0]);
		return;
	}
	atomic_store(&c->pid, pid);
	if (atomic_load(&c->stop))
		kill(-pid, SIGKILL);
	struct buf line = { 0 }, errors = { 0 };
	struct pollfd fds[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char chunk[4096];
			ssize_t got = read(fds[i].fd, chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 1) {
				if (errors.len < 4096)
					buf_add(&errors, chunk, (size_t)got);
				continue;
			}
			for (ssize_t k = 0; k < got; k++) {
				if (chunk[k] != '\n') {
					buf_add(&line, &chunk[k], 1);
					continue;
				}
				take_line(c, line.data ? line.data : (char[]){ 0 });
				line.len = 0;
				if (line.data)
					line.data[0] = '\0';
			}
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	atomic_store(&c->pid, 0);
	if (!atomic_load(&c->stop) && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		/* The last line of what it said (a traceback's). */
		char *said = errors.data ? errors.data : "";
		size_t len = strlen(said);
		while (len && (said[len - 1] == '\n' || said[len - 1] == ' '))
			said[--len] = '\0';
		char *last = strrchr(said, '\n');
		if (WIFEXITED(status))
			set_error(c, _("the clients failed (exit status %d): %s"),
			          WEXITSTATUS(status), last ? last + 1 : said);
		else
			set_error(c, _("the clients failed (signal %d): %s"), WTERMSIG(status),
			          last ? last + 1 : said);
	}
	buf_free(&line);
	buf_free(&errors);
}

static void *clients_main(void *arg)
{
	struct clients *c = arg;
	double deadline = clock_real_now() + c->o.wait;
	while (!atomic_load(&c->stop) && !listening(c->o.port)) {
		if (clock_real_now() > deadline) {
			set_error(
			        c,
			        _("nothing listened on 127.0.0.1:%d within %g s: no request sent"),
			        c->o.port, c->o.wait);
			break;
		}
		nap(0.01);
	}
	if (!atomic_load(&c->stop) && !c->error)
		run_clients(c);
	if (!atomic_load(&c->stop) && c->o.done)
		c->o.done(c->o.arg);
	return NULL;
}

struct clients *clients_start(const struct clients_options *o)
{
	struct clients *c = xcalloc(1, sizeof(*c));
	c->o = *o;
	c->path = xstrdup(o->path && o->path[0] == '/' ? o->path : "/");
	c->o.path = c->path;
	struct buf url = { 0 };
	buf_printf(&url, "http://127.0.0.1:%d%s", o->port, c->path);
	c->url = buf_steal(&url);
	c->answers = xcalloc((size_t)(o->n > 0 ? o->n : 1), sizeof(*c->answers));
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&c->thread, NULL, clients_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		clients_free(c);
		errno = rc;
		return NULL;
	}
	c->started = true;
	return c;
}

void clients_stop(struct clients *c)
{
	if (!c || !c->started)
		return;
	atomic_store(&c->stop, true);
	int pid = atomic_load(&c->pid);
	if (pid > 0)
		kill(-pid, SIGKILL);
	pthread_join(c->thread, NULL);
	c->started = false;
}

const struct client_answer *clients_answers(const struct clients *c, int *n)
{
	*n = c->nanswers;
	return c->answers;
}

const char *clients_error(const struct clients *c)
{
	return c->error;
}

const char *clients_url(const struct clients *c)
{
	return c->url;
}

void clients_free(struct clients *c)
{
	if (!c)
		return;
	clients_stop(c);
	for (int i = 0; i < c->nanswers; i++)
		free(c->answers[i].body);
	free(c->answers);
	free(c->path);
	free(c->url);
	free(c->error);
	free(c);
}

int clients_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int port = 8080;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
