/* system.c - burrow system prune: remove every container that is not
 * running (and, through its supervisor, everything it held); burrow system
 * check: verify the store and the container records (lib/store/check.h),
 * and with --repair fix what can be fixed. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/store/check.h"

enum { O_HELP = 1, O_FORCE, O_QUICK, O_REPAIR, O_MAX };
static const struct opt system_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL,
	  "prune: do not ask for confirmation; check --repair: also remove the containers of damaged images" },
	{ "max", 'm', OPT_VALUE, O_MAX, "DURATION",
	  "check: leave unused layers younger than this alone (default 0: report them all)" },
	{ "quick", 'q', OPT_FLAG, O_QUICK, NULL, "check: skip reading every layer's files" },
	{ "repair", 'r', OPT_FLAG, O_REPAIR, NULL, "check: fix what can be fixed, saying what was done" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

struct sys_flags {
	bool force, quick, repair;
	int64_t max_ms;
};

static int parse_flag(struct optparser *p, int id, struct sys_flags *f, struct err *e)
{
	switch (id) {
	case O_FORCE:
		f->force = opt_flag_value(p);
		return 0;
	case O_QUICK:
		f->quick = opt_flag_value(p);
		return 0;
	case O_REPAIR:
		f->repair = opt_flag_value(p);
		return 0;
	case O_MAX:
		if (parse_duration_ms(p->value, &f->max_ms, e) < 0)
			return err_wrap(e, "--max");
		return 0;
	default:
		return -1;
	}
}

static int prune(struct globals *g, bool force, struct err *e)
{
	char **ids = NULL;
	bool header = false;
	int rc = 0;

	if (!force) {
		char ans[16] = "";
		fprintf(stderr,
			"WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
		if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y'))
			return 0;
	}
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
		if (!header)
			printf("Deleted Containers\n");
		header = true;
		printf("%s\n", ids[i]);
	}
	strv_free(ids);
	return rc;
}

static int remove_container(void *arg, const char *id, struct err *e)
{
	return ctr_remove_id(arg, id, true, e);
}

/* One line per problem, with what --repair did; 0 when nothing is left
 * wrong, 1 when something is. */
static int check(struct globals *g, const struct sys_flags *f, struct err *e)
{
	struct store_check_opts o = {
		.quick = f->quick,
		.repair = f->repair,
		.force = f->force,
		.max_age_s = f->max_ms / 1000,
		.root = g->cfg.root,
		.runroot = g->cfg.runroot,
		.remove_container = remove_container,
		.arg = g,
	};
	struct store_finding *found = NULL;
	struct store *s = NULL;
	struct idmap m;
	size_t n = 0, left = 0;

	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup(&m, g->cfg.idmap, e);
	err_clear(e);
	if (store_check(s, &m, &o, &found, &n, e) < 0) {
		idmap_free(&m);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s: %s", found[i].what, found[i].problem);
		if (found[i].action)
			printf("; %s", found[i].action);
		printf("\n");
		if (!found[i].fixed)
			left++;
	}
	store_findings_free(found, n);
	idmap_free(&m);
	return left ? 1 : 0;
}

CMD_DECL(system)
{
	static const char usage[] = "prune [-f] | check [-q] [-r [-f]] [-m DURATION]";
	struct sys_flags f = { 0 };
	struct optparser p;
	const char *sub;
	int id;

	opt_init(&p, system_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		if (id == O_HELP) {
			opt_print_help(stdout, "system", usage,
				       "Remove all stopped containers (prune), or check the store and the "
				       "container records and repair them (check).",
				       system_opts);
			return 0;
		}
		if (id < 0 || parse_flag(&p, id, &f, e) < 0)
			return err_mark_usage(e);
	}
	if (p.idx >= argc || (strcmp(argv[p.idx], "prune") != 0 && strcmp(argv[p.idx], "check") != 0))
		return err_usage(e, "usage: burrow system prune [-f] | check [-q] [-r [-f]] [-m DURATION]");
	sub = argv[p.idx];
	/* flags may also follow the subcommand */
	argc -= p.idx;
	argv += p.idx;
	opt_init(&p, system_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0)
		if (id < 0 || id == O_HELP || parse_flag(&p, id, &f, e) < 0)
			return err_mark_usage(e);
	if (p.idx < argc)
		return err_usage(e, "unknown argument \"%s\" for system %s", argv[p.idx], sub);
	if (strcmp(sub, "prune") == 0) {
		if (f.quick || f.repair || f.max_ms)
			return err_usage(e, "--quick, --repair and --max are options of system check");
		return prune(g, f.force, e);
	}
	if (f.force && !f.repair)
		return err_usage(e, "system check: --force goes with --repair");
	return check(g, &f, e);
}
