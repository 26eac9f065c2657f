/* cli.h - what main() hands every verb, and the one place where a verb that
 * goes on after a failed item (stop a b c, rm, kill, ...) reports it.
 *
 * A verb returns its exit status (>= 0), or -1 with its error in e: main
 * prints that one, as "burrow: error: MSG" (plus "See 'burrow VERB --help'."
 * for a usage error, err_usage()) and exits with err_exit_status(). */
#ifndef BURROW_CLI_H
#define BURROW_CLI_H

#include <stdbool.h>

#include "lib/base/config.h"
#include "lib/base/error.h"

struct store;

struct globals {
	struct config cfg;
	const char *root_opt;    /* --root, or NULL */
	const char *runroot_opt; /* --runroot, or NULL */
	const char *verb;        /* named in the usage hint; "image ls" sets "images" */
	bool may_open_store;     /* the verb's table entry has CMD_NEEDS_STORE */
	struct store *store;     /* opened by cli_store(), closed by main */
};

/* Print "burrow: error: MSG" for an item a verb failed on while it goes on
 * with the others; returns e's exit status. */
int cli_report(const struct err *e);

/* The image store, opened (and the directories made) on the first call
 * only: a verb calls it after parsing its options, so --help and usage
 * errors never touch the disk.  main() closes it.  Only for verbs marked
 * CMD_NEEDS_STORE in the command table. */
int cli_store(struct globals *g, struct store **s, struct err *e);
/* Record an image event (lib/record/events.h): status pull, push, tag,
 * untag, remove, load, import, build; id or name may be NULL. */
void cli_image_event(const struct globals *g, const char *status, const char *id, const char *name);
/* Close it early (run: before the container starts, whose supervisor must
 * not inherit the store's descriptors). */
void cli_store_close(struct globals *g);

#endif
