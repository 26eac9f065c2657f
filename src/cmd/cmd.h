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
CMD_DECL(help);

#endif
