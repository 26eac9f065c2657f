/* logout.c - burrow logout [-a] [--authfile F] [REGISTRY] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/store/auth.h"
#include "lib/base/util.h"

enum { O_ALL = 1, O_AUTHFILE, O_HELP };
static const struct opt opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove the credentials of every registry" },
	{ "authfile", 0, OPT_VALUE, O_AUTHFILE, "FILE", "Remove them from FILE" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS] REGISTRY";
static const char summary[] = "Remove stored registry credentials.";

CMD_DECL(logout)
{
	_cleanup_free_ char *file = NULL;
	const char *authfile = NULL, *reg = NULL;
	struct optparser p;
	bool all = false;
	int id, found = 0;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_AUTHFILE:
			authfile = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "logout", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (all == (argc - p.idx == 1) || argc - p.idx > 1)
		return err_usage(e, all ? "--all takes no registry"
					: "logout takes exactly one registry (or --all)");
	if (!all) {
		reg = argv[p.idx];
		if (strncmp(reg, "https://", 8) == 0)
			reg += 8;
	}
	file = auth_file_default(authfile, g->cfg.runroot);
	if (auth_remove(file, reg, &found, e) < 0)
		return -1;
	if (!all && !found)
		return err_make(e, 0, "not logged into %s", reg);
	if (all)
		printf("Removed login credentials for all registries\n");
	else
		printf("Removed login credentials for %s\n", reg);
	return 0;
}
