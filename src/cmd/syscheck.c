/* syscheck.c - burrow system check: verify the store and the container
 * records (lib/store/check.h), and with --repair fix what can be fixed. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/runtime/userns.h"
#include "lib/store/check.h"

enum { O_HELP = 1, O_FORCE, O_QUICK, O_REPAIR, O_MAX };
static const struct opt check_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL,
	  "With --repair: also remove the containers of damaged images" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "max", 'm', OPT_VALUE, O_MAX, "DURATION",
	  "Leave unused layers younger than this alone (default 0: report them all)" },
	{ "quick", 'q', OPT_FLAG, O_QUICK, NULL, "Skip reading every layer's files" },
	{ "repair", 'r', OPT_FLAG, O_REPAIR, NULL, "Fix what can be fixed, saying what was done" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int remove_container(void *arg, const char *id, struct err *e)
{
	return ctr_remove_id(arg, id, true, e);
}

/* One line per problem, with what --repair did; 0 when nothing is left
 * wrong, 1 when something is. */
int cmd_system_check(struct globals *g, int argc, char **argv, struct err *e)
{
	struct store_check_opts o = {
		.root = g->cfg.root,
		.runroot = g->cfg.runroot,
		.remove_container = remove_container,
		.arg = g,
	};
	struct store_finding *found = NULL;
	struct store *s = NULL;
	struct optparser p;
	struct idmap m;
	size_t n = 0, left = 0;
	int64_t max_ms = 0;
	int id;

	opt_init(&p, check_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			o.force = opt_flag_value(&p);
			break;
		case O_QUICK:
			o.quick = opt_flag_value(&p);
			break;
		case O_REPAIR:
			o.repair = opt_flag_value(&p);
			break;
		case O_MAX:
			if (parse_duration_ms(p.value, &max_ms, e) < 0) {
				err_wrap(e, "--max");
				return err_mark_usage(e);
			}
			break;
		case O_HELP:
			opt_print_help(stdout, "system check", "[OPTIONS]",
				       "Check the store and the container records, and repair them.",
				       check_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow system check\" takes no arguments");
	if (o.force && !o.repair)
		return err_usage(e, "system check: --force goes with --repair");
	o.max_age_s = max_ms / 1000;
	if (cli_store(g, &s, e) < 0)
		return -1;
	memset(&m, 0, sizeof m);
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
