/* error.h - the error type every library call returns through.
 *
 * A failing call fills a struct err and returns a negative value; callers
 * add context with err_wrap() and pass the negative value up.  Only main()
 * (or a container child before exec) prints an error.
 */
#ifndef BURROW_ERROR_H
#define BURROW_ERROR_H

#include <stdbool.h>

struct err {
	int errnum; /* errno of the root cause, 0 if none */
	int status; /* suggested exit status (125 tool error, 126, 127); 0 = 125 */
	bool usage; /* a command-line usage error: main adds "See 'burrow VERB --help'." */
	char *msg;  /* full message, owned */
};

#define ERR_INIT \
	{ \
		0, 0, false, NULL \
	}

/* Set e (replacing any earlier error) and return -1.  If errnum is non-zero
 * ": strerror(errnum)" is appended. */
int err_make(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix the message with "context: " and return -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same as err_make() with a given exit status. */
int err_make_status(struct err *e, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A usage error (bad flag or operand): like err_make(e, 0, ...) with the
 * usage mark set.  Its exit status is 125. */
int err_usage(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Mark the error already in e (e.g. from the option parser) as a usage
 * error and return -1. */
int err_mark_usage(struct err *e);
void err_clear(struct err *e);
/* Exit status for this error: e->status or 125. */
int err_exit_status(const struct err *e);

/* The static analyzer checks one file at a time and cannot see that these
 * always return -1, so it follows "success" paths after a failed call and
 * reports values that were never set.  Spell the -1 out for it. */
#if defined(__clang_analyzer__) && !defined(BURROW_ERROR_IMPL)
#define err_make(...) \
	({ \
		err_make(__VA_ARGS__); \
		-1; \
	})
#define err_wrap(...) \
	({ \
		err_wrap(__VA_ARGS__); \
		-1; \
	})
#define err_make_status(...) \
	({ \
		err_make_status(__VA_ARGS__); \
		-1; \
	})
#define err_usage(...) \
	({ \
		err_usage(__VA_ARGS__); \
		-1; \
	})
#define err_mark_usage(e) \
	({ \
		err_mark_usage(e); \
		-1; \
	})
#endif

#endif
