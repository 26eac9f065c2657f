/* logfile.h - the container log in podman's k8s-file format.
 *
 * One line per line of output:
 *   2024-05-01T10:00:00.123456789Z stdout F hello
 * F marks a full line, P a partial one (output without a newline, or a line
 * longer than the buffer): the reader joins P pieces.  The supervisor writes
 * <ctrdir>/log and, with max-size, rotates log -> log.1 -> ... keeping at
 * most max-file files in all.
 */
#ifndef BURROW_LOGFILE_H
#define BURROW_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/base/error.h"

enum { LOG_STDOUT = 0, LOG_STDERR = 1 };

struct logfile {
	int fd;    /* -1: discard (--log-driver=none or failed) */
	char *dir; /* the container directory */
	uint64_t size, max_size;
	int max_file;
	char buf[2][8192]; /* pending partial line per stream */
	size_t len[2];
};

int logfile_open(struct logfile *l, const char *ctrdir, bool none, uint64_t max_size, int max_file,
		 struct err *e);
/* Append output of stream (LOG_STDOUT/LOG_STDERR). */
void logfile_write(struct logfile *l, int stream, const char *data, size_t n);
/* Write out pending partial lines (the stream ended). */
void logfile_flush(struct logfile *l);
void logfile_close(struct logfile *l);

/* Reading.  One entry per reassembled line. */
struct logline {
	struct timespec ts;
	int stream;
	char *text; /* with its newline, unless the output had none */
	size_t len;
};
/* Parse the k8s-file lines in buf[0..n): appends complete entries to *v,
 * returns the number of bytes consumed (a torn last line is left). */
size_t logfile_parse(const char *buf, size_t n, struct logline **v, size_t *nv, struct logline *partial);
void logline_free(struct logline *v, size_t n);
/* Every line of log.N ... log.1, log (oldest first). */
int logfile_read_all(const char *ctrdir, struct logline **v, size_t *n, struct err *e);
/* RFC 3339 timestamp with nanoseconds */
int logfile_parse_time(const char *s, size_t n, struct timespec *ts);

#endif
