/* error.c - see error.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURROW_ERROR_IMPL /* the definitions below: no analyzer macros */
#include "error.h"

static int err_vmake(struct err *e, int status, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int err_vmake(struct err *e, int status, int errnum, const char *fmt, va_list ap)
{
	char *m = NULL, *full = NULL;

	if (!e)
		return -1;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	if (m && errnum) {
		if (asprintf(&full, "%s: %s", m, strerror(errnum)) < 0)
			full = NULL;
		free(m);
		m = full;
	}
	free(e->msg);
	e->msg = m ? m : strdup("out of memory");
	e->errnum = errnum;
	e->status = status;
	e->usage = false;
	return -1;
}

int err_make(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vmake(e, 0, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int err_make_status(struct err *e, int status, int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vmake(e, status, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int err_usage(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vmake(e, 0, 0, fmt, ap);
	va_end(ap);
	return err_mark_usage(e);
}

int err_mark_usage(struct err *e)
{
	if (!e)
		return -1;
	if (!e->msg)
		e->msg = strdup("bad usage");
	e->usage = true;
	e->status = 0;
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	char *ctx = NULL, *full = NULL;
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (!ctx)
		return -1;
	if (asprintf(&full, "%s: %s", ctx, e->msg ? e->msg : "unknown error") < 0)
		full = NULL;
	free(ctx);
	if (full) {
		free(e->msg);
		e->msg = full;
	}
	return -1;
}

void err_clear(struct err *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->errnum = 0;
	e->status = 0;
	e->usage = false;
}

int err_exit_status(const struct err *e)
{
	return (e && e->status && !e->usage) ? e->status : 125;
}
