/* progress.c - see progress.h */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "progress.h"

volatile sig_atomic_t progress_cancel;

static void on_signal(int sig)
{
	(void)sig;
	progress_cancel = 1;
}

void progress_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void progress_init(struct progress *p, bool quiet)
{
	const char *term = getenv("TERM");

	memset(p, 0, sizeof *p);
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO) && term && strcmp(term, "dumb") != 0;
	p->verb = "Copying";
}

static void fmt_bytes(char *buf, size_t n, uint64_t v)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	size_t i = 0;

	while (d >= 1024.0 && i + 1 < ARRAY_SIZE(u)) {
		d /= 1024.0;
		i++;
	}
	snprintf(buf, n, i ? "%.1f%s" : "%.0f%s", d, u[i]);
}

static void draw(struct progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++) {
		struct progress_line *l = &p->lines[i];
		char done[32], total[32], rate[32], bar[26];
		size_t fill = 0;

		fmt_bytes(done, sizeof done, l->done);
		fmt_bytes(total, sizeof total, l->total);
		fmt_bytes(rate, sizeof rate, (uint64_t)l->rate);
		if (l->total)
			fill = (size_t)(l->done * 24 / l->total);
		if (fill > 24)
			fill = 24;
		memset(bar, '=', fill);
		memset(bar + fill, ' ', 24 - fill);
		if (fill < 24 && fill > 0)
			bar[fill] = '>';
		bar[24] = '\0';
		fprintf(stderr, "\r\033[K%s blob %.12s [%s] %s / %s (%s/s) %s\n", p->verb,
			l->digest[0] ? l->digest + 7 : "", bar, done, l->total ? total : "?", rate,
			l->state ? l->state : "");
	}
	p->drawn = p->n;
	fflush(stderr);
}

void progress_fn(void *ctx, const struct store_progress *ev)
{
	struct progress *p = ctx;
	struct progress_line *l;
	uint64_t now = now_usec();

	if (p->quiet)
		return;
	switch (ev->ev) {
	case PROGRESS_CONFIG:
		if (!p->tty)
			fprintf(stderr, "Copying config %.19s\n", ev->digest ? ev->digest : "");
		return;
	case PROGRESS_RESOLVED:
		if (p->n == 0 && ev->count) {
			p->n = ev->count;
			p->lines = xcalloc(p->n, sizeof *p->lines);
		}
		return;
	case PROGRESS_WRITING:
		if (p->tty)
			draw(p);
		fprintf(stderr, "Writing manifest to image destination\n");
		return;
	case PROGRESS_EXISTS:
	case PROGRESS_START:
	case PROGRESS_BYTES:
	case PROGRESS_DONE:
	default:
		break;
	}
	if (ev->index >= p->n) {
		/* no RESOLVED event (load): grow */
		p->lines = xrealloc(p->lines, (ev->index + 1) * sizeof *p->lines);
		memset(p->lines + p->n, 0, (ev->index + 1 - p->n) * sizeof *p->lines);
		p->n = ev->index + 1;
	}
	l = &p->lines[ev->index];
	if (ev->digest)
		snprintf(l->digest, sizeof l->digest, "%s", ev->digest);
	l->total = ev->total;
	switch (ev->ev) {
	case PROGRESS_EXISTS:
		l->state = "skipped: already exists";
		l->done = l->total;
		if (!p->tty)
			fprintf(stderr, "%s blob %.19s skipped: already exists\n", p->verb, l->digest);
		break;
	case PROGRESS_START:
		l->state = "";
		l->t0 = l->last_t = now;
		if (!p->tty)
			fprintf(stderr, "%s blob %.19s\n", p->verb, l->digest);
		break;
	case PROGRESS_BYTES:
		if (now > l->last_t) {
			double r = (double)(ev->done - l->last_done) * 1e6 / (double)(now - l->last_t);
			l->rate = l->rate ? 0.7 * l->rate + 0.3 * r : r;
		}
		l->done = ev->done;
		l->last_done = ev->done;
		l->last_t = now;
		break;
	case PROGRESS_DONE:
		l->done = ev->done ? ev->done : l->total;
		if (now > l->t0 && l->t0)
			l->rate = (double)l->done * 1e6 / (double)(now - l->t0);
		l->state = "done";
		if (!p->tty)
			fprintf(stderr, "%s blob %.19s done\n", p->verb, l->digest);
		break;
	case PROGRESS_RESOLVED:
	case PROGRESS_CONFIG:
	case PROGRESS_WRITING:
	default:
		break;
	}
	if (p->tty)
		draw(p);
}

void progress_finish(struct progress *p)
{
	free(p->lines);
	p->lines = NULL;
	p->n = 0;
}
