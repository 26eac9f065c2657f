/* forkjob.c - tests for jobs forked by the single-threaded runner
 * (src/lib/base/forkjob.c): the argument's bytes there and the result back,
 * the passed descriptor, errors, and many jobs while other threads allocate
 * all the time (a child forked by this threaded process itself could find
 * the allocator's lock taken for ever and hang; the file's time limit
 * catches that). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/forkjob.h"
#include "lib/base/util.h"
#include "tap.h"

struct res {
	pid_t pid;
	int n;
	char text[256];
};

/* joins the strings it was given; writes "fd" to the fd */
static void join_job(const void *arg, size_t len, const int *fds, size_t nfds, void *out, size_t out_len)
{
	struct forkjob_buf in = { (char *)(uintptr_t)arg, len, 0, false };
	struct res *r = out;
	char **v;
	char *s;
	int n;

	(void)out_len;
	forkjob_get(&in, &n, sizeof n);
	s = forkjob_get_str(&in);
	v = forkjob_get_strv(&in);
	r->pid = getpid();
	r->n = in.bad ? -1 : n;
	snprintf(r->text, sizeof r->text, "%s", s ? s : "(null)");
	for (size_t i = 0; v && v[i]; i++) {
		size_t l = strlen(r->text);
		snprintf(r->text + l, sizeof r->text - l, "+%s", v[i]);
	}
	/* allocations of all sizes, as a verb's would be */
	for (int i = 0; i < 64; i++)
		free(xmalloc((size_t)16 << (i % 12)));
	for (size_t i = 0; i < nfds; i++)
		if (write(fds[i], i ? "2nd" : "fd", i ? 3 : 2) != (i ? 3 : 2))
			r->n = -2;
	free(s);
	strv_free(v);
}

static void exit_job(const void *arg, size_t len, const int *fds, size_t nfds, void *out, size_t out_len)
{
	(void)arg;
	(void)len;
	(void)fds;
	(void)nfds;
	(void)out;
	(void)out_len;
	_exit(3);
}

static volatile int stop_churn;

static void *churn(void *p)
{
	(void)p;
	while (!__atomic_load_n(&stop_churn, __ATOMIC_RELAXED)) {
		void *v[32];
		for (size_t i = 0; i < 32; i++)
			v[i] = xmalloc(8 + i * 24);
		for (size_t i = 0; i < 32; i++)
			free(v[i]);
	}
	return NULL;
}

static void *jobs(void *p)
{
	long bad = 0;

	(void)p;
	for (int i = 0; i < 100; i++) {
		struct forkjob_buf b = { NULL, 0, 0, false };
		struct err e = ERR_INIT;
		struct res r;
		char *v[] = { "x", NULL };
		_cleanup_free_ char *s = xasprintf("job%d", i);
		forkjob_put(&b, &i, sizeof i);
		forkjob_put_str(&b, s);
		forkjob_put_strv(&b, v);
		if (forkjob_run(join_job, b.p, b.len, NULL, 0, &r, sizeof r, &e) < 0 || r.n != i)
			bad++;
		err_clear(&e);
		free(b.p);
	}
	return (void *)bad;
}

int main(void)
{
	struct err e = ERR_INIT;
	struct forkjob_buf b = { NULL, 0, 0, false };
	struct forkjob j;
	struct res r;
	char *v[] = { "b", "", "c", NULL };
	int n = 42, p[2], q[2], fds[2];
	char buf[4] = "";
	pthread_t ch[3], jt[2];
	long bad = 0;

	ok(forkjob_start(&e) == 0, "the runner starts");
	ok(forkjob_start(&e) == 0, "  and a second start is no second runner");

	forkjob_put(&b, &n, sizeof n);
	forkjob_put_str(&b, "a");
	forkjob_put_strv(&b, v);
	if (pipe(p) < 0 || pipe(q) < 0)
		return skip_all("pipe failed");
	fds[0] = p[1];
	fds[1] = q[1];
	ok(forkjob_spawn(join_job, b.p, b.len, fds, 2, sizeof r, &j, &e) == 0, "a job starts");
	ok(j.pid > 0 && j.pid != getpid(), "  in a process of its own, whose pid is known at once");
	ok(forkjob_wait(&j, &r, sizeof r, &e) == 0, "  its result comes back");
	is_int(r.n, 42, "  the argument's bytes reach it");
	is_str(r.text, "a+b++c", "  a string and a list of strings, empty ones too");
	is_int(r.pid, j.pid, "  the pid is the job's");
	close(p[1]);
	close(q[1]);
	ok(read(p[0], buf, 3) == 2 && memcmp(buf, "fd", 2) == 0, "  the descriptors passed are open in it");
	ok(read(q[0], buf, 4) == 3 && memcmp(buf, "2nd", 3) == 0, "  in their order");
	close(p[0]);
	close(q[0]);
	free(b.p);

	b = (struct forkjob_buf){ NULL, 0, 0, false };
	forkjob_put(&b, &n, sizeof n);
	forkjob_put_str(&b, NULL);
	forkjob_put_strv(&b, NULL);
	ok(forkjob_run(join_job, b.p, b.len - 4, NULL, 0, &r, sizeof r, &e) == 0 && r.n == -1,
	   "an argument cut short reads as bad, not past its end");
	ok(forkjob_run(join_job, b.p, b.len, NULL, 0, &r, sizeof r, &e) == 0 && strcmp(r.text, "(null)") == 0,
	   "NULL strings stay NULL");
	free(b.p);

	ok(forkjob_run(exit_job, NULL, 0, NULL, 0, &r, sizeof r, &e) < 0 && e.msg && strstr(e.msg, "without"),
	   "a job that ends without its result is an error");
	err_clear(&e);

	for (size_t i = 0; i < 3; i++)
		pthread_create(&ch[i], NULL, churn, NULL);
	for (size_t i = 0; i < 2; i++)
		pthread_create(&jt[i], NULL, jobs, NULL);
	for (size_t i = 0; i < 2; i++) {
		void *rv;
		pthread_join(jt[i], &rv);
		bad += (long)rv;
	}
	__atomic_store_n(&stop_churn, 1, __ATOMIC_RELAXED);
	for (size_t i = 0; i < 3; i++)
		pthread_join(ch[i], NULL);
	is_int((int)bad, 0,
	       "200 jobs from two threads while three others allocate: each ends with its result");

	forkjob_stop();
	ok(forkjob_run(join_job, NULL, 0, NULL, 0, &r, sizeof r, &e) < 0, "after the stop, jobs fail");
	err_clear(&e);
	return done_testing();
}
