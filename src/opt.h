/* opt.h - table-driven option parser shared by every verb.
 *
 * Podman-style: long options (--name v, --name=v), short options (-e v, -ev,
 * clustered -it), boolean flags that also take --flag=true|false, "--" ends
 * options, and parsing stops at the first positional argument so that
 * `run IMAGE cmd -x` leaves "-x" to the command.  The same tables print
 * --help, so help text cannot drift from what is parsed.
 */
#ifndef BURROW_OPT_H
#define BURROW_OPT_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/base/error.h"

enum opt_kind { OPT_FLAG, OPT_VALUE };

struct opt {
	const char *name; /* long name without dashes */
	char short_name;  /* 0 if none */
	enum opt_kind kind;
	int id;              /* returned by opt_next; must be > 0 */
	const char *argname; /* for --help, OPT_VALUE only */
	const char *help;
};

struct optparser {
	const struct opt *opts; /* terminated by an entry with name == NULL */
	int argc;
	char **argv;
	int idx;           /* next argv index to look at */
	int sub;           /* position inside a cluster of short options, 0 if none */
	const char *value; /* the value of the last option (flags: "true"/"false") */
};

/* Start parsing argv[1..] (argv[0] is the verb). */
void opt_init(struct optparser *p, const struct opt *opts, int argc, char **argv);
/* Next option id; 0 when options end (p->idx is then the first positional);
 * -1 on error (unknown option, missing value, bad boolean) with e set. */
int opt_next(struct optparser *p, struct err *e);
/* For OPT_FLAG: the boolean value ("--rm=false" gives false). */
bool opt_flag_value(const struct optparser *p);
/* Print "Usage: burrow VERB USAGE\n\nSUMMARY\n\nOptions:\n..." */
void opt_print_help(FILE *f, const char *verb, const char *usage, const char *summary,
		    const struct opt *opts);

#endif
