/* log.c - see log.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum log_level log_threshold = LOG_WARN;
const char *log_progname = "burrow";

int log_parse_level(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

void log_at(enum log_level lvl, const char *file, int line, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };
	char buf[2048];
	int n, saved = errno;
	va_list ap;

	if (lvl > log_threshold)
		return;
	if (log_threshold >= LOG_DEBUG) {
		/* monotonic timestamps line up across the CLI and its children */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n = snprintf(buf, sizeof buf, "%s: %s: [%ld.%06ld] [%d] %s:%d: ", log_progname, tags[lvl],
			     (long)(ts.tv_sec % 1000), ts.tv_nsec / 1000, (int)getpid(), file, line);
	} else
		n = snprintf(buf, sizeof buf, "%s: %s: ", log_progname, tags[lvl]);
	if (n < 0 || (size_t)n >= sizeof buf)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	n = (int)strlen(buf);
	if (n < (int)sizeof buf - 1)
		buf[n++] = '\n';
	/* one write so lines from several processes do not interleave */
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nothing useful to do */
	}
	errno = saved;
}
