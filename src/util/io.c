/* Writing that survives signals: see io.h. */
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int io_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
		} else {
			if (w == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}
