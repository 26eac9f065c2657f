/* group.c - the verb groups (container, image, system): one sub-verb table
 * each, their --help, and podman's errors for a missing or unknown
 * sub-verb. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/base/util.h"

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
	return err_make(e, 0, "unrecognized command `burrow %s %s`; try 'burrow %s --help'", group, argv[1],
			group);
}
