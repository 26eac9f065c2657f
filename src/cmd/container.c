/* container.c - burrow container SUBCOMMAND: every container verb under
 * one group, as podman's; exists and prune live here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/record/container.h"

enum { O_HELP = 1, O_FORCE };
static const struct opt exists_opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt prune_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* burrow container exists NAME: 0 if it exists, 1 if not, 125 on error */
static int container_exists(struct globals *g, int argc, char **argv, struct err *e)
{
	char id[65];
	int idx, rc;

	rc = cmd_parse_help_only("container exists", "CONTAINER", "Exit 0 if the container exists, 1 if not.",
				 exists_opts, argc, argv, 1,
				 "\"burrow container exists\" requires exactly 1 argument", &idx, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - idx != 1)
		return err_usage(e, "\"burrow container exists\" requires exactly 1 argument");
	if (container_lookup(g->cfg.root, argv[idx], id, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 1;
	}
	return 0;
}

int cmd_prune_containers(struct globals *g, char ***removed, struct err *e)
{
	_cleanup_strv_ char **ids = NULL;
	int rc = 0;

	*removed = NULL;
	if (container_list(g->cfg.root, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++) {
		struct ctr c;
		bool stopped;
		if (ctr_load_id(g, ids[i], &c, e) < 0) {
			err_clear(e);
			continue;
		}
		stopped = !ctr_running(&c) && !proc_alive(c.st.supervisor, c.st.supervisor_start);
		ctr_free(&c);
		if (!stopped)
			continue;
		if (ctr_remove_id(g, ids[i], false, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		strv_push(removed, ids[i]);
	}
	return rc;
}

/* podman's confirmation: true to go on */
bool cmd_confirm(const char *warning)
{
	char ans[16] = "";

	fprintf(stderr, "%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stderr);
	if (!fgets(ans, sizeof ans, stdin))
		return false;
	return ans[0] == 'y' || ans[0] == 'Y';
}

static int container_prune(struct globals *g, int argc, char **argv, struct err *e)
{
	_cleanup_strv_ char **removed = NULL;
	struct optparser p;
	bool force = false;
	int id, rc;

	opt_init(&p, prune_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "container prune", "[OPTIONS]",
				       "Remove every container that is not running.", prune_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow container prune\" takes no arguments");
	if (!force && !cmd_confirm("WARNING! This will remove all non running containers."))
		return 0;
	rc = cmd_prune_containers(g, &removed, e);
	for (size_t i = 0; removed && removed[i]; i++)
		printf("%s\n", removed[i]);
	return rc;
}

CMD_DECL(container)
{
	static const struct subcmd subs[] = {
		{ "attach", "attach", cmd_attach, NULL },
		{ "commit", "commit", cmd_commit, NULL },
		{ "cp", "cp", cmd_cp, NULL },
		{ "create", "create", cmd_create, NULL },
		{ "diff", "diff", cmd_diff, NULL },
		{ "exec", "exec", cmd_exec, NULL },
		{ "exists", "container exists", container_exists, "Exit 0 if a container exists, 1 if not" },
		{ "export", "export", cmd_export, NULL },
		{ "healthcheck", "healthcheck", cmd_healthcheck, NULL },
		/* its own verb: podman's "no such container" (inspect.c) */
		{ "inspect", "container inspect", cmd_inspect, "Show the details of containers" },
		{ "kill", "kill", cmd_kill, NULL },
		{ "list", "ps", cmd_ps, "List containers" },
		{ "logs", "logs", cmd_logs, NULL },
		{ "ls", "ps", cmd_ps, "List containers" },
		{ "pause", "pause", cmd_pause, NULL },
		{ "port", "port", cmd_port, NULL },
		{ "prune", "container prune", container_prune, "Remove every container that is not running" },
		{ "ps", "ps", cmd_ps, NULL },
		{ "rename", "rename", cmd_rename, NULL },
		{ "restart", "restart", cmd_restart, NULL },
		{ "rm", "rm", cmd_rm, NULL },
		{ "run", "run", cmd_run, NULL },
		{ "start", "start", cmd_start, NULL },
		{ "stats", "stats", cmd_stats, NULL },
		{ "stop", "stop", cmd_stop, NULL },
		{ "top", "top", cmd_top, NULL },
		{ "unpause", "unpause", cmd_unpause, NULL },
		{ "update", "update", cmd_update, NULL },
		{ "wait", "wait", cmd_wait, NULL },
	};

	return cmd_group(g, "container", "Manage containers: every container verb, and exists and prune.",
			 subs, ARRAY_SIZE(subs), argc, argv, e);
}
