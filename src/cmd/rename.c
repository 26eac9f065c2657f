/* rename.c - burrow rename: give a container a new name. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/record/container.h"
#include "lib/record/events.h"

enum { O_HELP = 1 };
static const struct opt rename_opts[] = {
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(rename)
{
	struct optparser p;
	char id[65];
	int rc;

	opt_init(&p, rename_opts, argc, argv);
	while ((rc = opt_next(&p, e)) != 0) {
		if (rc == O_HELP) {
			opt_print_help(stdout, "rename", "CONTAINER NEW_NAME", "Rename a container.",
				       rename_opts);
			return 0;
		}
		goto usage;
	}
	if (argc - p.idx != 2) {
		err_make(e, 0, "\"burrow rename\" requires exactly 2 arguments: CONTAINER NEW_NAME");
		goto usage;
	}
	if (container_lookup(g->cfg.root, argv[p.idx], id, e) < 0 ||
	    container_rename(g->cfg.root, id, argv[p.idx + 1], e) < 0)
		return -1;
	{
		struct event ev = { .type = "container",
				    .status = "rename",
				    .id = id,
				    .name = argv[p.idx + 1] };
		events_write(g->cfg.runroot, &ev);
	}
	return 0;
usage:
	return err_mark_usage(e);
}
