/* exec.c - burrow exec: run a command in a running container.
 *
 * The CLI joins the container's namespaces itself (exec_join: user first,
 * which the user owns), opens a pty in the container's devpts for -t, and
 * forks: the child is inside the PID namespace and execs the command as the
 * container's user with its capabilities and no_new_privs.  No supervisor is
 * involved, which is what keeps exec to a few milliseconds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/runtime/exec.h"
#include "lib/runtime/spawn.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"
#include "cli/relay.h"

enum { O_INTERACTIVE = 1, O_TTY, O_DETACH, O_ENV, O_WORKDIR, O_USER, O_PRIV, O_HELP, O_ENVFILE };
static const struct opt exec_opts[] = {
	{ "detach", 'd', OPT_FLAG, O_DETACH, NULL, "Run the command in the background" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY[=VAL]", "Set an environment variable" },
	{ "env-file", 0, OPT_VALUE, O_ENVFILE, "FILE", "Read environment variables from FILE" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "privileged", 0, OPT_FLAG, O_PRIV, NULL, "Give the command every capability (default false)" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a terminal" },
	{ "user", 'u', OPT_VALUE, O_USER, "USER[:GROUP]", "Run as this user (name or id)" },
	{ "workdir", 'w', OPT_VALUE, O_WORKDIR, "DIR", "Working directory inside the container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* errors gather in the local e and go to the caller's at the end */
int cmd_exec(struct globals *g, int argc, char **argv, struct err *err)
{
	struct optparser p;
	struct err e = ERR_INIT;
	bool interactive = false, tty = false, detach = false, priv = false;
	const char *workdir = NULL, *user = NULL;
	_cleanup_strv_ char **envs = NULL, **envfiles = NULL, **env = NULL, **cmd = NULL;
	struct exec_opts o;
	struct ctr c;
	int id, rc = 125, ptmx = -1, pts = -1, errp[2] = { -1, -1 };
	pid_t pid;
	bool loaded = false;

	opt_init(&p, exec_opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_INTERACTIVE: interactive = opt_flag_value(&p); break;
		case O_TTY: tty = opt_flag_value(&p); break;
		case O_DETACH: detach = opt_flag_value(&p); break;
		case O_PRIV: priv = opt_flag_value(&p); break;
		case O_ENV: strv_push(&envs, p.value); break;
		case O_ENVFILE: strv_push(&envfiles, p.value); break;
		case O_WORKDIR: workdir = p.value; break;
		case O_USER: user = p.value; break;
		case O_HELP:
			opt_print_help(stdout, "exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Run a command in a running container.", exec_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (argc - p.idx < 2) {
		err_make(&e, 0, "\"burrow exec\" requires at least 2 arguments: a container and a command");
		goto usage;
	}
	if (workdir && workdir[0] != '/') {
		err_make(&e, 0, "the working directory \"%s\" is not an absolute path", workdir);
		goto usage;
	}
	for (int i = p.idx + 1; i < argc; i++)
		strv_push(&cmd, argv[i]);
	if (ctr_load(g, argv[p.idx], &c, &e) < 0)
		goto fail;
	loaded = true;
	if (!ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
		err_make(&e, 0, "can only create exec sessions on running containers: container state improper");
		goto fail;
	}
	env = strv_dup(c.spec.env);
	for (size_t i = 0; envfiles && envfiles[i]; i++)
		if (env_add_file(&env, envfiles[i], &e) < 0)
			goto fail;
	for (size_t i = 0; envs && envs[i]; i++)
		if (env_add(&env, envs[i], &e) < 0)
			goto fail;
	if (exec_join(c.st.pid, &e) < 0)
		goto fail;
	if (tty) {
		/* the container's own devpts: the terminal lives in the container */
		ptmx = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (ptmx < 0 || unlockpt(ptmx) < 0 || (pts = ioctl(ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
			err_make(&e, errno, "opening a terminal in the container");
			goto fail;
		}
		{
			struct winsize ws;
			if (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(ptmx, TIOCSWINSZ, &ws);
		}
	}
	memset(&o, 0, sizeof o);
	o.argv = cmd;
	o.env = env;
	o.workdir = workdir ? workdir : c.spec.workdir;
	o.user = user ? user : c.spec.user;
	o.hostname = c.spec.hostname;
	o.caps = priv ? ~0ULL : c.spec.caps;
	o.tty = tty;
	o.pts = pts;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err_make(&e, errno, "pipe");
		goto fail;
	}
	if (!detach)
		relay_block_signals();
	pid = fork();
	if (pid < 0) {
		err_make(&e, errno, "fork");
		goto fail;
	}
	if (pid == 0) {
		close(errp[0]);
		if (detach) {
			int dn = open("/dev/null", O_RDWR);
			setsid();
			if (dn >= 0) {
				dup2(dn, 0);
				dup2(dn, 1);
				dup2(dn, 2);
			}
			/* the command is reparented to the container's init */
			if (fork() != 0)
				_exit(0);
		} else if (!interactive && !tty) {
			int dn = open("/dev/null", O_RDONLY);
			if (dn >= 0)
				dup2(dn, 0);
		}
		exec_child(&o, errp[1]);
	}
	close(errp[1]);
	errp[1] = -1;
	if (pts >= 0)
		close(pts);
	pts = -1;
	if (err_recv(errp[0], &e) > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!detach)
			relay_unblock_signals();
		goto fail;
	}
	if (detach) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		rc = 0;
		goto out;
	}
	if (tty && interactive)
		relay_raw_terminal();
	rc = relay_child(pid, ptmx, interactive, &e);
	relay_restore_terminal();
	relay_unblock_signals();
	if (rc < 0)
		goto fail;
	goto out;
fail:
	rc = -1;
	goto out;
usage:
	rc = err_mark_usage(&e);
out:
	if (rc < 0)
		*err = e; /* main prints it */
	else
		err_clear(&e);
	if (ptmx >= 0)
		close(ptmx);
	if (pts >= 0)
		close(pts);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (loaded)
		ctr_free(&c);
	return rc;
}
