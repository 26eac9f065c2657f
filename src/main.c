/* main.c - global options, the command table and dispatch.
 *
 * The command table is the one list of verbs: `burrow help`, the man page
 * index and the shell completions are checked against it by
 * tests/integration/cli.t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/runtime/netns.h"
#include "lib/store/registry.h"

/* What main sets up for a verb: NEEDS_CONFIG loads the configuration
 * (root, runroot, idmap, ...); NEEDS_STORE lets the verb open the image
 * store with cli_store() once its options are parsed, and main closes it. */
enum { CMD_NEEDS_CONFIG = 1, CMD_NEEDS_STORE = 2, CMD_REPORTS_RUNROOT = 4 };
#define CMD_STORE (CMD_NEEDS_CONFIG | CMD_NEEDS_STORE)

struct command {
	const char *name;
	int (*fn)(struct globals *g, int argc, char **argv, struct err *e);
	unsigned flags;
	const char *summary;
};

static const struct command commands[] = {
	{ "attach", cmd_attach, CMD_NEEDS_CONFIG, "Attach to a running container's terminal" },
	{ "build", cmd_build, CMD_STORE, "Build an image from a Dockerfile" },
	{ "commit", cmd_commit, CMD_STORE, "Create an image from a container's changes" },
	{ "container", cmd_container, CMD_STORE, "Manage containers (ls, rm, prune, exists, ...)" },
	{ "cp", cmd_cp, CMD_NEEDS_CONFIG, "Copy files between a container and the host" },
	{ "create", cmd_create, CMD_STORE, "Create a container without starting it" },
	{ "diff", cmd_diff, CMD_NEEDS_CONFIG, "Show the files a container changed" },
	{ "events", cmd_events, CMD_NEEDS_CONFIG, "Show events, and follow new ones" },
	{ "exec", cmd_exec, CMD_NEEDS_CONFIG, "Run a command in a running container" },
	{ "healthcheck", cmd_healthcheck, CMD_NEEDS_CONFIG, "Run a container's healthcheck" },
	{ "help", cmd_help, 0, "Show help for burrow or one command" },
	{ "export", cmd_export, CMD_NEEDS_CONFIG, "Export a container's filesystem as a tar archive" },
	{ "history", cmd_history, CMD_STORE, "Show the history of an image" },
	{ "image", cmd_image, CMD_STORE, "Manage images (inspect, prune, ls, rm, ...)" },
	{ "images", cmd_images, CMD_STORE, "List images in the local store" },
	{ "import", cmd_import, CMD_STORE, "Create an image from a rootfs tarball" },
	{ "info", cmd_info, CMD_NEEDS_CONFIG | CMD_REPORTS_RUNROOT, "Check the host and show what works" },
	{ "inspect", cmd_inspect, CMD_NEEDS_CONFIG, "Show the details of containers" },
	{ "kill", cmd_kill, CMD_NEEDS_CONFIG, "Send a signal to running containers" },
	{ "load", cmd_load, CMD_STORE, "Load images from an archive or OCI layout" },
	{ "login", cmd_login, CMD_NEEDS_CONFIG, "Log in to a registry" },
	{ "logout", cmd_logout, CMD_NEEDS_CONFIG, "Log out of a registry" },
	{ "logs", cmd_logs, CMD_NEEDS_CONFIG, "Show the output of a container" },
	{ "network", cmd_network, CMD_NEEDS_CONFIG,
	  "Manage networks (create, ls, inspect, rm, prune, connect, ...)" },
	{ "pause", cmd_pause, CMD_NEEDS_CONFIG, "Pause the processes of containers" },
	{ "port", cmd_port, CMD_NEEDS_CONFIG, "List a container's published ports" },
	{ "ps", cmd_ps, CMD_NEEDS_CONFIG, "List containers" },
	{ "pull", cmd_pull, CMD_STORE, "Pull images from a registry" },
	{ "push", cmd_push, CMD_STORE, "Push an image to a registry" },
	{ "rename", cmd_rename, CMD_NEEDS_CONFIG, "Rename a container" },
	{ "restart", cmd_restart, CMD_NEEDS_CONFIG, "Restart containers" },
	{ "rm", cmd_rm, CMD_NEEDS_CONFIG, "Remove containers" },
	{ "rmi", cmd_rmi, CMD_STORE, "Remove one or more images" },
	{ "run", cmd_run, CMD_STORE, "Run a command in a new container" },
	{ "save", cmd_save, CMD_STORE, "Save images to an archive" },
	{ "start", cmd_start, CMD_NEEDS_CONFIG, "Start containers" },
	{ "stats", cmd_stats, CMD_NEEDS_CONFIG, "Show resource usage of containers" },
	{ "stop", cmd_stop, CMD_NEEDS_CONFIG, "Stop running containers" },
	{ "system", cmd_system, CMD_STORE, "Manage burrow (check, df, info, prune, reset, service)" },
	{ "tag", cmd_tag, CMD_STORE, "Add names to an image" },
	{ "top", cmd_top, CMD_NEEDS_CONFIG, "Show the processes of a container" },
	{ "unshare", cmd_unshare, CMD_NEEDS_CONFIG, "Run a command inside the user namespace" },
	{ "unpause", cmd_unpause, CMD_NEEDS_CONFIG, "Unpause the processes of containers" },
	{ "untag", cmd_untag, CMD_STORE, "Remove names from an image" },
	{ "update", cmd_update, CMD_NEEDS_CONFIG, "Change the resource limits of a container" },
	{ "version", cmd_version, 0, "Show the burrow version" },
	{ "volume", cmd_volume, CMD_NEEDS_CONFIG, "Manage volumes (create, ls, inspect, rm, prune, exists)" },
	{ "wait", cmd_wait, CMD_NEEDS_CONFIG, "Wait for containers to exit and print their exit codes" },
	{ NULL, NULL, 0, NULL },
};

enum { G_ROOT = 1, G_RUNROOT, G_LOGLEVEL, G_VERSION, G_HELP };
static const struct opt global_opts[] = {
	{ "root", 0, OPT_VALUE, G_ROOT, "DIR", "Store root (default $XDG_DATA_HOME/burrow)" },
	{ "runroot", 0, OPT_VALUE, G_RUNROOT, "DIR", "Runtime state (default $XDG_RUNTIME_DIR/burrow)" },
	{ "log-level", 0, OPT_VALUE, G_LOGLEVEL, "LEVEL", "error, warn, info or debug" },
	{ "version", 'v', OPT_FLAG, G_VERSION, NULL, "Show the version" },
	{ "help", 'h', OPT_FLAG, G_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

int cmd_parse_help_only(const char *verb, const char *usage, const char *summary, const struct opt *opts,
			int argc, char **argv, int min_args, const char *too_few, int *idx, struct err *e)
{
	struct optparser p;
	int id;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		const struct opt *o = opts;
		while (o->name && o->id != id)
			o++;
		if (id > 0 && o->name && strcmp(o->name, "help") == 0) {
			opt_print_help(stdout, verb, usage, summary, opts);
			return 1;
		}
		if (id > 0)
			return err_usage(e, "unexpected option --%s", o->name ? o->name : "?");
		return err_mark_usage(e);
	}
	if (argc - p.idx < min_args)
		return err_usage(e, "%s", too_few);
	*idx = p.idx;
	return 0;
}

static void print_main_help(FILE *f)
{
	fprintf(f, "Usage: burrow [OPTIONS] COMMAND [ARG...]\n\n"
		   "Rootless containers for unprivileged users, no daemon.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nGlobal options:\n");
	for (const struct opt *o = global_opts; o->name; o++) {
		char left[48];
		snprintf(left, sizeof left, "%s%c%s--%s %s", o->short_name ? "-" : "  ",
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
			 o->argname ? o->argname : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "\nRun 'burrow COMMAND --help' for more about a command.\n");
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* ---- the verb groups (container, image, system): one sub-verb table each,
 * their --help, and podman's errors for a missing or unknown sub-verb ---- */

static void group_help(FILE *f, const char *group, const char *summary, const struct subcmd *subs, size_t n)
{
	fprintf(f, "Usage: burrow %s COMMAND [ARG...]\n\n%s\n\nCommands:\n", group, summary);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-11s %s\n", subs[i].name,
			subs[i].summary ? subs[i].summary : cmd_summary(subs[i].verb));
	fprintf(f,
		"\nOptions:\n  -h, --help                    Show this help\n"
		"\nRun 'burrow %s COMMAND --help' for more about a command.\n",
		group);
}

int cmd_group(struct globals *g, const char *group, const char *summary, const struct subcmd *subs, size_t n,
	      int argc, char **argv, struct err *e)
{
	if (argc < 2) {
		group_help(stderr, group, summary, subs, n);
		return err_make(e, 0, "missing command 'burrow %s COMMAND'", group);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		group_help(stdout, group, summary, subs, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			g->verb = subs[i].verb;
			return subs[i].fn(g, argc - 1, argv + 1, e);
		}
	if (argv[1][0] == '-')
		return err_usage(e, "unknown flag: %s", argv[1]);
	return err_make(e, 0,
			"unrecognized command `burrow %s %s`\nTry 'burrow %s --help' for more information",
			group, argv[1], group);
}

const char *cmd_summary(const char *verb)
{
	const struct command *c = find_command(verb);
	return c ? c->summary : "";
}

CMD_DECL(help)
{
	const struct command *c;
	char *hargv[] = { NULL, (char *)"--help", NULL };

	if (argc < 2) {
		print_main_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--commands") == 0) {
		/* machine-readable verb list, used by the completion tests */
		for (c = commands; c->name; c++)
			printf("%s\n", c->name);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c)
		return err_make(e, 0, "unknown command \"%s\"", argv[1]);
	if (c->fn == cmd_help || c->fn == cmd_version) {
		printf("Usage: burrow %s\n\n%s\n", c->name, c->summary);
		return 0;
	}
	hargv[0] = argv[1];
	g->verb = c->name;
	return c->fn(g, 2, hargv, e);
}

/* The one place an error reaches the user: "burrow: error: MSG", and for a
 * usage error the help to read (verb NULL: burrow's own).  Returns the exit
 * status. */
static int print_error(const struct err *e, const char *verb)
{
	fprintf(stderr, "burrow: error: %s\n", e->msg ? e->msg : "unknown error");
	if (e->usage)
		fprintf(stderr, "See 'burrow %s%s--help'.\n", verb ? verb : "", verb ? " " : "");
	return err_exit_status(e);
}

int main(int argc, char **argv)
{
	struct globals g;
	struct err e = ERR_INIT;
	struct optparser p;
	const struct command *c;
	int id, rc;

	memset(&g, 0, sizeof g);
	opt_init(&p, global_opts, argc, argv);
	while ((id = opt_next(&p, &e)) != 0) {
		switch (id) {
		case G_ROOT:
			g.root_opt = p.value;
			break;
		case G_RUNROOT:
			g.runroot_opt = p.value;
			break;
		case G_LOGLEVEL: {
			int l = log_parse_level(p.value);
			if (l < 0) {
				err_make(&e, 0, "invalid log level \"%s\" (error, warn, info, debug)",
					 p.value);
				goto fail;
			}
			log_threshold = (enum log_level)l;
			break;
		}
		case G_VERSION:
			return cmd_version(&g, 0, NULL, &e);
		case G_HELP:
			print_main_help(stdout);
			return 0;
		case -1:
		default:
			err_mark_usage(&e);
			goto fail;
		}
	}
	if (p.idx >= argc) {
		print_main_help(stderr);
		return 125;
	}
	c = find_command(argv[p.idx]);
	if (!c) {
		err_usage(&e, "unknown command \"%s\" for \"burrow\"", argv[p.idx]);
		goto fail;
	}
	g.verb = c->name;
	g.may_open_store = c->flags & CMD_NEEDS_STORE;
	/* every command that uses the runroot first checks that no one else
	 * can have made or changed it (info reports it instead) */
	if (!(c->flags & CMD_NEEDS_CONFIG)) {
		rc = c->fn(&g, argc - p.idx, argv + p.idx, &e);
	} else if (config_load(&g.cfg, g.root_opt, g.runroot_opt, &e) < 0 ||
		   (config_use_runroot(&g.cfg, &e) < 0 && !(c->flags & CMD_REPORTS_RUNROOT))) {
		rc = -1;
	} else {
		err_clear(&e);
		registry_set_insecure(g.cfg.insecure_registries, false);
		netns_set_grace(g.cfg.network_grace_ms);
		rc = c->fn(&g, argc - p.idx, argv + p.idx, &e);
	}
	cli_store_close(&g);
	if (rc < 0)
		rc = print_error(&e, g.verb);
	err_clear(&e);
	config_free(&g.cfg);
	fflush(stdout);
	return rc;
fail:
	rc = print_error(&e, NULL);
	err_clear(&e);
	return rc;
}
