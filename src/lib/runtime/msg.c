/* msg.c - the control protocol of a starting container (see runtime_int.h):
 * fixed-size messages on a SOCK_SEQPACKET socketpair, with at most one file
 * descriptor (SCM_RIGHTS) each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "runtime_int.h"

int msg_send(int sk, const struct msg *m, int fd)
{
	return fd_sendmsg(sk, m, sizeof *m, fd, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int msg_send_fd(int sk, int fd)
{
	return fd_sendmsg(sk, "i", 1, fd, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

ssize_t msg_recv(int sk, struct msg *m, int *fd)
{
	return fd_recvmsg(sk, m, sizeof *m, fd);
}

void msg_send_error(int sk, const struct err *e, int status)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_ERROR;
	m.a = e->errnum;
	m.b = status;
	snprintf(m.text, sizeof m.text, "%s", e->msg ? e->msg : "unknown error");
	msg_send(sk, &m, -1);
}

int msg_error(struct msg *m, struct err *e)
{
	m->text[sizeof m->text - 1] = '\0';
	err_make_status(e, m->b ? m->b : 125, 0, "%s", m->text);
	e->errnum = m->a;
	return -1;
}
