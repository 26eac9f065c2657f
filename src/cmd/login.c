/* login.c - burrow login [-u USER] [-p PASS | --password-stdin] [--tls-verify] [--authfile F] REGISTRY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/store/auth.h"
#include "lib/store/registry.h"
#include "lib/base/util.h"

enum { O_USER = 1, O_PASS, O_STDIN, O_TLS, O_AUTHFILE, O_HELP };
static const struct opt opts[] = {
	{ "authfile", 0, OPT_VALUE, O_AUTHFILE, "FILE", "Write the credentials to FILE" },
	{ "password", 'p', OPT_VALUE, O_PASS, "PASSWORD",
	  "Password (visible to other users: prefer --password-stdin)" },
	{ "password-stdin", 0, OPT_FLAG, O_STDIN, NULL, "Read the password from standard input" },
	{ "tls-verify", 0, OPT_FLAG, O_TLS, NULL, "Require HTTPS and verified certificates (default true)" },
	{ "username", 'u', OPT_VALUE, O_USER, "USER", "User name" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] REGISTRY";
static const char summary[] = "Log in to a registry and store the credentials (podman's auth.json).";

static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *prompt(const char *what, bool echo)
{
	_cleanup_fclose_ FILE *tty = fopen("/dev/tty", "r+e");
	struct termios old, t;
	char *s;

	if (!tty)
		return NULL;
	fprintf(tty, "%s: ", what);
	fflush(tty);
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &t);
	}
	s = read_line(tty);
	if (!echo) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fprintf(tty, "\n");
	}
	return s;
}

CMD_DECL(login)
{
	_cleanup_free_ char *user = NULL, *pass = NULL, *file = NULL;
	struct reg_opts ro = { true, NULL, NULL, NULL, NULL, NULL };
	struct optparser p;
	struct registry *r = NULL;
	bool from_stdin = false;
	const char *reg;
	int id;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_USER:
			free(user);
			user = xstrdup(p.value);
			break;
		case O_PASS:
			free(pass);
			pass = xstrdup(p.value);
			break;
		case O_STDIN:
			from_stdin = opt_flag_value(&p);
			break;
		case O_TLS:
			ro.tls_verify = opt_flag_value(&p);
			break;
		case O_AUTHFILE:
			ro.authfile = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "login", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 1 || (from_stdin && pass))
		return err_usage(e, argc - p.idx != 1
					    ? "login takes exactly one registry"
					    : "--password and --password-stdin are mutually exclusive");
	reg = argv[p.idx];
	if (strncmp(reg, "https://", 8) == 0)
		reg += 8;
	if (!user && !(user = prompt("Username", true))) {
		err_make(e, 0, "no username: use -u USER (no terminal to ask on)");
		goto fail;
	}
	if (from_stdin) {
		if (!(pass = read_line(stdin))) {
			err_make(e, 0, "--password-stdin: nothing on standard input");
			goto fail;
		}
	} else if (!pass && !(pass = prompt("Password", false))) {
		err_make(e, 0, "no password: use --password-stdin (no terminal to ask on)");
		goto fail;
	}
	ro.runroot = g->cfg.runroot;
	ro.user = user;
	ro.pass = pass;
	if (registry_open(reg, &ro, &r, e) < 0 || registry_login_check(r, e) < 0)
		goto fail;
	/* the default file may be in the runroot: make it, private, first */
	file = auth_file_default(ro.authfile, g->cfg.runroot);
	if (config_check_runroot(&g->cfg, true, e) < 0 || auth_store(file, reg, user, pass, e) < 0)
		goto fail;
	registry_close(r);
	printf("Login Succeeded!\n");
	return 0;
fail:
	registry_close(r);
	return -1;
}
