/* unshare.c - `burrow unshare [CMD [ARG...]]`, like `podman unshare`.
 *
 * Runs CMD (default $SHELL, else /bin/sh) as root in a new user namespace
 * with the user's ID map and a new mount namespace, so files owned by
 * subordinate IDs (image layers, container upper directories) can be read
 * and removed.  The exit status is the command's: 127 if it is not found,
 * 126 if it cannot be executed, 128+N if signal N killed it.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"

enum { O_HELP = 1 };
static const struct opt unshare_opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* True inside a namespace made by `burrow unshare` (or any non-initial one
 * while BURROW_UNSHARE is set): nesting would look up root's ranges. */
static bool nested_unshare(void)
{
	const char *v = getenv("BURROW_UNSHARE");
	unsigned long a = 0, b = 0, n = 0;
	FILE *f;
	int got;

	if (!v || !*v)
		return false;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return false;
	got = fscanf(f, "%lu %lu %lu", &a, &b, &n);
	fclose(f);
	return got == 3 && !(a == 0 && b == 0 && n == 4294967295UL);
}

/* execv, and run a file without a #! line with /bin/sh as execvp does. */
static void exec_file(const char *path, char **argv)
{
	size_t n = strv_len(argv);
	char **v;

	execv(path, argv);
	if (errno != ENOEXEC)
		return;
	v = xcalloc(n + 2, sizeof(char *));
	v[0] = (char *)"/bin/sh";
	v[1] = (char *)path;
	for (size_t i = 1; i < n; i++)
		v[i + 1] = argv[i];
	execv("/bin/sh", v);
	free(v);
	errno = ENOEXEC;
}

/* Search $PATH like a shell: a directory we cannot search does not make the
 * command "not executable"; only a file that exists and fails to run does
 * (126), and no file at all is 127. */
static int exec_command(char **argv, struct err *e)
{
	const char *name = argv[0], *path = getenv("PATH");
	_cleanup_free_ char *dirs = NULL, *found = NULL;
	int found_err = 0;

	if (strchr(name, '/')) {
		exec_file(name, argv);
		found_err = errno;
		return err_make_status(e, (found_err == ENOENT || found_err == ENOTDIR) ? 127 : 126,
				       found_err, "executing %s", name);
	}
	if (!*name)
		return err_make_status(e, 127, 0, "empty command name");
	dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	/* strtok_r would skip empty entries, which mean the current directory */
	for (char *d = dirs, *next; d; d = next) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		next = strchr(d, ':');
		if (next)
			*next++ = '\0';
		p = xasprintf("%s/%s", *d ? d : ".", name);
		if (stat(p, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		exec_file(p, argv);
		if (!found) {
			found_err = errno;
			found = steal_ptr(p);
		}
	}
	if (found)
		return err_make_status(e, 126, found_err, "executing %s", found);
	return err_make_status(e, 127, 0, "%s: executable file not found in $PATH", name);
}

/* In the child, root in the new namespaces: exec the command. */
static int exec_child(void *arg, int outfd, struct err *e)
{
	(void)outfd; /* close-on-exec */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (setenv("BURROW_UNSHARE", "1", 1) < 0)
		return err_make(e, errno, "setting BURROW_UNSHARE");
	return exec_command(arg, e);
}

CMD_DECL(unshare)
{
	struct optparser p;
	struct idmap m;
	struct sigaction ign, old_int, old_quit;
	char *shell_argv[2] = { NULL, NULL };
	char **cmdv;
	const char *sh;
	int id, rc, wst = 0;

	opt_init(&p, unshare_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_HELP:
			opt_print_help(stdout, "unshare", "[OPTIONS] [COMMAND [ARG...]]",
				       "Run a command as root in a new user namespace with your subordinate "
				       "ID map\nand a new mount namespace (default: $SHELL).  Use it to "
				       "inspect or remove files\nowned by mapped IDs, e.g. `burrow unshare "
				       "rm -rf ~/.local/share/burrow`.",
				       unshare_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (nested_unshare()) {
		err_make(e, 0, "already inside a `burrow unshare` namespace; run the command directly");
		return -1;
	}
	if (p.idx < argc) {
		cmdv = argv + p.idx;
	} else {
		sh = getenv("SHELL");
		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		cmdv = shell_argv;
	}

	if (userns_lookup(&m, g->cfg.idmap, e) < 0)
		return -1;
	/* like system(): the terminal's ^C and ^\ are for the command, not for us */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	rc = userns_run(&m, CLONE_NEWNS, exec_child, cmdv, NULL, NULL, &wst, e);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	idmap_free(&m);
	if (rc < 0)
		return -1;
	if (WIFEXITED(wst))
		return WEXITSTATUS(wst);
	if (WIFSIGNALED(wst))
		return 128 + WTERMSIG(wst);
	return 125;
}
