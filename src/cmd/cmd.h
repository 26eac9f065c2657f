/* cmd.h - the verbs main() dispatches to. */
#ifndef BURROW_CMD_H
#define BURROW_CMD_H

#include <stdbool.h>

#include "cli/cli.h"
#include "lib/base/error.h"
#include "opt.h"

/* Parse a verb whose only option is --help (named "help" in opts): prints
 * the help and returns 1; a bad option, or fewer than min_args operands
 * (too_few), is a usage error (-1, e set); otherwise 0 with *idx at the
 * first operand. */
int cmd_parse_help_only(const char *verb, const char *usage, const char *summary, const struct opt *opts,
			int argc, char **argv, int min_args, const char *too_few, int *idx, struct err *e);

/* Every verb: the exit status (>= 0), or -1 with the error in e (main
 * prints it; see cli/cli.h). */
#define CMD_DECL(name) int cmd_##name(struct globals *g, int argc, char **argv, struct err *e)
CMD_DECL(run);
CMD_DECL(wait);
CMD_DECL(commit);
CMD_DECL(cp);
CMD_DECL(export);
CMD_DECL(events);
CMD_DECL(top);
CMD_DECL(system);
CMD_DECL(stop);
CMD_DECL(stats);
CMD_DECL(update);
CMD_DECL(start);
CMD_DECL(rm);
CMD_DECL(restart);
CMD_DECL(rename);
CMD_DECL(ps);
CMD_DECL(port);
CMD_DECL(logs);
CMD_DECL(kill);
CMD_DECL(pause);
CMD_DECL(unpause);
CMD_DECL(inspect);
CMD_DECL(healthcheck);
CMD_DECL(exec);
CMD_DECL(diff);
CMD_DECL(create);
CMD_DECL(attach);
CMD_DECL(import);
CMD_DECL(build);
CMD_DECL(images);
CMD_DECL(rmi);
CMD_DECL(pull);
CMD_DECL(push);
CMD_DECL(tag);
CMD_DECL(untag);
CMD_DECL(history);
CMD_DECL(image);
CMD_DECL(save);
CMD_DECL(load);
CMD_DECL(login);
CMD_DECL(logout);
CMD_DECL(info);
CMD_DECL(unshare);
CMD_DECL(version);
CMD_DECL(volume);
CMD_DECL(network);
CMD_DECL(help);
CMD_DECL(container);
/* burrow system info (sysinfo.c) */
int cmd_system_info(struct globals *g, int argc, char **argv, struct err *e);

/* Remove every container that is not running; *removed lists their IDs.
 * A container that fails is reported (cli_report) and the rest go on; the
 * status of the last failure is returned, or 0. */
int cmd_system_service(struct globals *g, int argc, char **argv, struct err *e);
int cmd_prune_containers(struct globals *g, char ***removed, struct err *e);
/* Print podman's "WARNING! ...\nAre you sure you want to continue? [y/N] "
 * on stderr and read the answer: true for yes. */
bool cmd_confirm(const char *warning);

/* The summary line of a top-level verb in the command table (main.c). */
const char *cmd_summary(const char *verb);

/* A verb group's sub-verb: name under the group, the verb a usage error
 * names (and whose summary --help shows unless summary is set), and its
 * function. */
struct subcmd {
	const char *name, *verb;
	int (*fn)(struct globals *g, int argc, char **argv, struct err *e);
	const char *summary;
};
/* Dispatch argv[1] to a sub-verb of group (argv[0]); --help lists them.  A
 * missing or unknown sub-verb is an error (125), as podman's. */
int cmd_group(struct globals *g, const char *group, const char *summary, const struct subcmd *subs, size_t n,
	      int argc, char **argv, struct err *e);

#endif
