/* attach.c - burrow attach: reattach to a -d -t container's terminal
 * through its supervisor's socket (<rundir>/attach).  Ctrl-P Ctrl-Q detaches
 * and leaves the container running; when it exits, attach returns its exit
 * code. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "cli/relay.h"

enum { O_HELP = 1, O_NOSTDIN, O_DETACHKEYS };
static const struct opt attach_opts[] = {
	{ "detach-keys", 0, OPT_VALUE, O_DETACHKEYS, "KEYS",
	  "Keys that detach from the terminal (default ctrl-p,ctrl-q; \"\" disables)" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "no-stdin", 0, OPT_FLAG, O_NOSTDIN, NULL, "Do not attach stdin" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int connect_attach(const char *rundir, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return err_make(e, errno, "opening %s", rundir);
	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/attach", dfd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		close(dfd);
		return err_make(e, saved, "connecting to the container's terminal");
	}
	close(dfd);
	return fd;
}

CMD_DECL(attach)
{
	struct optparser p;
	bool nostdin = false, detached = false, in_open;
	struct ctr c;
	int id, rc = 0, sk;
	const char *keyspec = NULL;
	struct detach_keys keys;

	opt_init(&p, attach_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_NOSTDIN:
			nostdin = opt_flag_value(&p);
			break;
		case O_DETACHKEYS:
			keyspec = p.value;
			break;
		case O_HELP:
			opt_print_help(
				stdout, "attach", "[OPTIONS] CONTAINER",
				"Attach to a running container's terminal (detach with Ctrl-P Ctrl-Q).",
				attach_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 1)
		return err_usage(e, "\"burrow attach\" requires exactly 1 argument: a container");
	if (detach_keys_parse(keyspec, &keys, e) < 0)
		return -1;
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		goto fail;
	if (!ctr_running(&c)) {
		err_make(e, 0, "you can only attach to running containers");
		goto fail_ctr;
	}
	if (!c.spec.tty) {
		err_make(e, 0, "container %s has no terminal: use 'burrow logs -f %s' to follow its output",
			 c.spec.name, c.spec.name);
		goto fail_ctr;
	}
	sk = connect_attach(c.spec.rundir, e);
	if (sk < 0)
		goto fail_ctr;
	signal(SIGPIPE, SIG_IGN);
	relay_raw_terminal();
	in_open = !nostdin;
	for (;;) {
		struct pollfd fds[2] = { { .fd = sk, .events = POLLIN },
					 { .fd = in_open ? 0 : -1, .events = POLLIN } };
		char buf[4096];
		ssize_t n;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sk, buf, sizeof buf);
			if (n <= 0)
				break;
			write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			char out[sizeof buf + DETACH_KEYS_MAX];
			size_t o;
			n = read(STDIN_FILENO, buf, sizeof buf);
			if (n <= 0) {
				in_open = false;
				continue;
			}
			/* the detach keys, possibly split across reads */
			o = detach_keys_filter(&keys, buf, (size_t)n, out, &detached);
			if (o)
				write_all(sk, out, o);
			if (detached)
				break;
		}
	}
	relay_restore_terminal();
	close(sk);
	if (detached) {
		fprintf(stderr, "\r\n");
		ctr_free(&c);
		return 0;
	}
	{
		char cid[65];
		memcpy(cid, c.id, sizeof cid);
		ctr_wait_supervisor(&c, 10000);
		ctr_free(&c);
		if (ctr_load_id(g, cid, &c, e) < 0)
			goto fail;
		rc = ctr_running(&c) ? 0 : c.st.exit_code;
		ctr_free(&c);
	}
	return rc;
fail_ctr:
	ctr_free(&c);
fail:
	return -1;
}
