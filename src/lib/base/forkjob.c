/* forkjob.c - jobs in processes of their own, forked by a single-threaded
 * runner (forkjob.h).
 *
 * The caller and the runner share a SOCK_SEQPACKET pair: a request is one
 * message (the function, the argument's and the result's sizes) with its
 * descriptors attached: the result pipe's write end, a memfd holding the
 * argument and the caller's fds.  The job's process writes its pid to the
 * pipe first, then the result.  The runner ignores SIGCHLD, so the kernel
 * reaps its children, and ends when the caller's end closes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forkjob.h"
#include "util.h"

struct request {
	forkjob_fn *fn;
	size_t len, res_len, nfds;
};

#define NFDS (2 + FORKJOB_MAX_FDS)

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctl = -1;
static pid_t runner = -1;

/* ---- the job's process ---- */

static void job_main(const struct request *rq, int res_w, int mfd, const int *fds)
{
	pid_t me = getpid();
	sigset_t none;
	char *arg = NULL, *res;
	size_t got = 0;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* the caller's (and the runner's) dispositions are not the job's */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (write_all(res_w, &me, sizeof me) < 0)
		_exit(1);
	if (rq->len > 0) {
		arg = malloc(rq->len);
		while (arg && got < rq->len) {
			ssize_t n = pread(mfd, arg + got, rq->len - got, (off_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				_exit(1);
			got += (size_t)n;
		}
		if (!arg)
			_exit(1);
	}
	close(mfd);
	res = calloc(1, rq->res_len ? rq->res_len : 1);
	if (!res)
		_exit(1);
	rq->fn(arg, rq->len, fds, rq->nfds, res, rq->res_len);
	if (write_all(res_w, res, rq->res_len) < 0)
		_exit(1);
	_exit(0);
}

/* ---- the runner ---- */

__attribute__((noreturn)) static void runner_main(int sock)
{
	close_fds_except(3, &sock, 1);
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* a terminal's ^C is for the caller: the runner ends with it */
	signal(SIGINT, SIG_IGN);
	for (;;) {
		struct request rq;
		union {
			char buf[CMSG_SPACE(NFDS * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { &rq, sizeof rq };
		struct msghdr m = { .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.buf,
				    .msg_controllen = sizeof u.buf };
		int fds[NFDS];
		size_t nfds = 0;
		ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t i = 0; i < k && nfds < NFDS; i++)
					memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			}
		/* a short request or one without its descriptors: dropped, and
		 * the caller sees its pipe end */
		if (n == (ssize_t)sizeof rq && rq.nfds <= FORKJOB_MAX_FDS && nfds == 2 + rq.nfds &&
		    fork() == 0) {
			close(sock);
			job_main(&rq, fds[0], fds[1], fds + 2);
		}
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
	}
}

int forkjob_start(struct err *e)
{
	int sv[2];
	pid_t pid;

	pthread_mutex_lock(&start_lock);
	if (ctl >= 0) {
		pthread_mutex_unlock(&start_lock);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		pthread_mutex_unlock(&start_lock);
		return err_make(e, errno, "socketpair");
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(sv[0]);
		close(sv[1]);
		pthread_mutex_unlock(&start_lock);
		return err_make(e, err, "fork");
	}
	if (pid == 0)
		runner_main(sv[1]);
	close(sv[1]);
	ctl = sv[0];
	runner = pid;
	pthread_mutex_unlock(&start_lock);
	return 0;
}

void forkjob_stop(void)
{
	pthread_mutex_lock(&start_lock);
	if (ctl >= 0) {
		close(ctl);
		ctl = -1;
		while (waitpid(runner, NULL, 0) < 0 && errno == EINTR)
			;
		runner = -1;
	}
	pthread_mutex_unlock(&start_lock);
}

/* ---- the caller ---- */

int forkjob_spawn(forkjob_fn *fn, const void *arg, size_t len, const int *xfds, size_t nx, size_t res_len,
		  struct forkjob *j, struct err *e)
{
	struct request rq = { fn, len, res_len, nx };
	int p[2], mfd, fds[NFDS];
	union {
		char buf[CMSG_SPACE(NFDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &rq, sizeof rq };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf };
	struct cmsghdr *c;
	ssize_t n;

	j->fd = -1;
	j->pid = -1;
	if (ctl < 0)
		return err_make(e, 0, "no process to fork jobs (forkjob_start)");
	if (nx > FORKJOB_MAX_FDS)
		return err_make(e, EINVAL, "too many descriptors for a job");
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	mfd = memfd_create("job", MFD_CLOEXEC);
	if (mfd < 0 || write_all(mfd, arg, len) < 0) {
		int err = errno;
		if (mfd >= 0)
			close(mfd);
		close(p[0]);
		close(p[1]);
		return err_make(e, err, "a job's argument");
	}
	fds[0] = p[1];
	fds[1] = mfd;
	if (nx > 0)
		memcpy(fds + 2, xfds, nx * sizeof(int));
	memset(u.buf, 0, sizeof u.buf);
	m.msg_controllen = CMSG_SPACE((2 + nx) * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((2 + nx) * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (2 + nx) * sizeof(int));
	do
		n = sendmsg(ctl, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	close(p[1]);
	close(mfd);
	if (n != (ssize_t)sizeof rq) {
		int err = errno;
		close(p[0]);
		return err_make(e, err, "handing a job to its runner");
	}
	if (read_all(p[0], &j->pid, sizeof j->pid) != (ssize_t)sizeof j->pid) {
		close(p[0]);
		return err_make(e, 0, "the job's process did not start");
	}
	j->fd = p[0];
	return 0;
}

int forkjob_wait(struct forkjob *j, void *res, size_t res_len, struct err *e)
{
	ssize_t n = read_all(j->fd, res, res_len);

	close(j->fd);
	j->fd = -1;
	if (n != (ssize_t)res_len)
		return err_make(e, 0, "the job's process ended without an answer");
	return 0;
}

int forkjob_run(forkjob_fn *fn, const void *arg, size_t len, const int *fds, size_t nfds, void *res,
		size_t res_len, struct err *e)
{
	struct forkjob j;

	if (forkjob_spawn(fn, arg, len, fds, nfds, res_len, &j, e) < 0)
		return -1;
	return forkjob_wait(&j, res, res_len, e);
}

/* ---- the argument as bytes ---- */

void forkjob_put(struct forkjob_buf *b, const void *v, size_t n)
{
	b->p = xrealloc(b->p, b->len + n + 1);
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

void forkjob_put_str(struct forkjob_buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	forkjob_put(b, &n, sizeof n);
	if (s)
		forkjob_put(b, s, n);
}

void forkjob_put_strv(struct forkjob_buf *b, char *const *v)
{
	uint32_t n = 0;

	if (!v) {
		n = UINT32_MAX;
		forkjob_put(b, &n, sizeof n);
		return;
	}
	while (v[n])
		n++;
	forkjob_put(b, &n, sizeof n);
	for (uint32_t i = 0; i < n; i++)
		forkjob_put_str(b, v[i]);
}

void forkjob_get(struct forkjob_buf *b, void *v, size_t n)
{
	if (b->bad || b->len - b->off < n) {
		b->bad = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, b->p + b->off, n);
	b->off += n;
}

char *forkjob_get_str(struct forkjob_buf *b)
{
	uint32_t n;
	char *s;

	forkjob_get(b, &n, sizeof n);
	if (b->bad || n == UINT32_MAX)
		return NULL;
	if (b->len - b->off < n) {
		b->bad = true;
		return NULL;
	}
	s = xstrndup(b->p + b->off, n);
	b->off += n;
	return s;
}

char **forkjob_get_strv(struct forkjob_buf *b)
{
	uint32_t n;
	char **v;

	forkjob_get(b, &n, sizeof n);
	if (b->bad || n == UINT32_MAX || n > b->len)
		return NULL;
	v = xmalloc((n + 1) * sizeof *v);
	for (uint32_t i = 0; i < n; i++) {
		v[i] = forkjob_get_str(b);
		if (!v[i])
			v[i] = xstrdup("");
	}
	v[n] = NULL;
	return v;
}
