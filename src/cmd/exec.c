/* exec.c - burrow exec: run a command in a running container.
 *
 * The CLI process itself joins the container (exec_in_container,
 * lib/runtime/exec.h: its namespaces, a pty in its devpts for -t, a fork
 * whose child execs the command as the container's user) and relays the
 * terminal and signals until the command exits.  No supervisor is involved,
 * which is what keeps exec to a few milliseconds. */
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
#include "lib/runtime/seccomp.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "cli/relay.h"
#include "cli/ctrns.h"

enum {
	O_INTERACTIVE = 1,
	O_TTY,
	O_DETACH,
	O_ENV,
	O_WORKDIR,
	O_USER,
	O_PRIV,
	O_HELP,
	O_ENVFILE,
	O_DKEYS,
	O_PFDS
};
static const struct opt exec_opts[] = {
	{ "detach", 'd', OPT_FLAG, O_DETACH, NULL, "Run the command in the background" },
	{ "detach-keys", 0, OPT_VALUE, O_DKEYS, "KEYS",
	  "Keys that detach from the terminal (default ctrl-p,ctrl-q; \"\" disables)" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY[=VAL]", "Set an environment variable" },
	{ "env-file", 0, OPT_VALUE, O_ENVFILE, "FILE", "Read environment variables from FILE" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "preserve-fds", 0, OPT_VALUE, O_PFDS, "N", "Pass the caller's fds 3 to 3+N-1 to the command" },
	{ "privileged", 0, OPT_FLAG, O_PRIV, NULL, "Give the command every capability (default false)" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a terminal" },
	{ "user", 'u', OPT_VALUE, O_USER, "USER[:GROUP]", "Run as this user (name or id)" },
	{ "workdir", 'w', OPT_VALUE, O_WORKDIR, "DIR", "Working directory inside the container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct exec_relay {
	const struct exec_request *r;
	struct relay_stdio io;    /* without -t: pipes in place of our terminal */
	struct detach_keys *keys; /* -it: the detach keys */
};

/* exec_request.wait: the terminal and signals, until the command exits */
static int relay_exec(pid_t pid, int ptmx, void *arg, struct err *e)
{
	struct exec_relay *x = arg;
	int rc;

	relay_stdio_started(&x->io);
	if (x->r->tty && x->r->interactive)
		relay_raw_terminal();
	rc = relay_child(pid, ptmx, x->r->interactive, x->r->tty && x->r->interactive ? x->keys : NULL,
			 &x->io, e);
	relay_restore_terminal();
	return rc;
}

/* errors gather in the local e and go to the caller's at the end */
int cmd_exec(struct globals *g, int argc, char **argv, struct err *err)
{
	struct optparser p;
	struct err e = ERR_INIT;
	bool interactive = false, tty = false, detach = false, priv = false;
	const char *workdir = NULL, *user = NULL;
	_cleanup_strv_ char **envs = NULL, **envfiles = NULL, **env = NULL, **cmd = NULL;
	_cleanup_free_ char *scdir = NULL;
	struct seccomp_prog sc = { 0, NULL };
	struct exec_request r;
	struct detach_keys keys;
	struct ns_args nsa;
	struct exec_relay x = { &r, { { 0, 0, 0 }, -1, { -1, -1 }, "", 0, false }, &keys };
	struct exec_result res;
	struct winsize ws;
	struct ctr c;
	int id, rc = 125;
	bool loaded = false;

	log_debug("exec: start");
	memset(&nsa, 0, sizeof nsa);
	opt_init(&p, exec_opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case O_DKEYS:
			nsa.detach_keys = p.value;
			break;
		case O_PFDS:
			if (ctr_ns_option(&p, O_NS_PRESERVE_FDS, &nsa, &e) < 0)
				goto usage;
			break;
		case O_INTERACTIVE:
			interactive = opt_flag_value(&p);
			break;
		case O_TTY:
			tty = opt_flag_value(&p);
			break;
		case O_DETACH:
			detach = opt_flag_value(&p);
			break;
		case O_PRIV:
			priv = opt_flag_value(&p);
			break;
		case O_ENV:
			strv_push(&envs, p.value);
			break;
		case O_ENVFILE:
			strv_push(&envfiles, p.value);
			break;
		case O_WORKDIR:
			workdir = p.value;
			break;
		case O_USER:
			user = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "exec", "[OPTIONS] CONTAINER COMMAND [ARG...]",
				       "Run a command in a running container.", exec_opts);
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
	/* the fds first: they are the caller's only before burrow opens any */
	if (ctr_check_ns_args(&nsa, &e) < 0 || detach_keys_parse(nsa.detach_keys, &keys, &e) < 0)
		goto fail;
	for (int i = p.idx + 1; i < argc; i++)
		strv_push(&cmd, argv[i]);
	if (ctr_load(g, argv[p.idx], &c, &e) < 0)
		goto fail;
	loaded = true;
	log_debug("exec: record loaded");
	if (!ctr_running(&c) || !proc_alive(c.st.pid, c.st.pid_start)) {
		err_make(&e, 0,
			 "can only create exec sessions on running containers: container state improper");
		goto fail;
	}
	env = strv_dup(c.spec.env);
	for (size_t i = 0; envfiles && envfiles[i]; i++)
		if (env_add_file(&env, envfiles[i], &e) < 0)
			goto fail;
	for (size_t i = 0; envs && envs[i]; i++)
		if (env_add(&env, envs[i], &e) < 0)
			goto fail;
	memset(&r, 0, sizeof r);
	r.init = c.st.pid;
	r.argv = cmd;
	r.env = env;
	r.workdir = workdir ? workdir : c.spec.workdir;
	r.user = user ? user : c.spec.user;
	r.group_add = c.spec.group_add;
	r.hostname = c.spec.hostname;
	r.caps = priv ? ~0ULL : c.spec.caps;
	r.tty = tty;
	r.interactive = interactive;
	r.detach = detach;
	r.preserve_fds = nsa.preserve_fds;
	if (tty && isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		r.ws = &ws;
	if (!detach) {
		if (!tty) {
			if (relay_stdio_open(&x.io, interactive, &e) < 0)
				goto fail;
			memcpy(r.stdio, x.io.child, sizeof r.stdio);
		}
		r.wait = relay_exec;
		r.wait_arg = &x;
		relay_block_signals();
	}
	/* the container's filter, built for its own capabilities (a cached
	 * program, see seccomp.h), also with --privileged */
	scdir = seccomp_cachedir(&c.spec);
	if (seccomp_prog_for(c.spec.seccomp, c.spec.caps, scdir, &sc, &e) < 0)
		goto fail;
	r.seccomp = &sc;
	log_debug("exec: filter read");
	rc = exec_in_container(&r, &res, &e);
	log_debug("exec: command exited");
	if (!detach)
		relay_unblock_signals();
	if (rc < 0)
		goto fail;
	rc = res.exit_code;
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
	relay_stdio_close(&x.io);
	if (loaded)
		ctr_free(&c);
	seccomp_prog_free(&sc);
	return rc;
}
