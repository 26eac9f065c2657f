/* report.c - see cli.h */
#include <stdio.h>

#include "cli.h"
#include "lib/record/events.h"
#include "lib/store/store.h"

int cli_report(const struct err *e)
{
	fprintf(stderr, "burrow: error: %s\n", e && e->msg ? e->msg : "unknown error");
	return err_exit_status(e);
}

int cli_store(struct globals *g, struct store **s, struct err *e)
{
	if (!g->may_open_store)
		return err_make(e, 0, "internal error: burrow %s opens the store without CMD_NEEDS_STORE",
				g->verb ? g->verb : "?");
	if (!g->store) {
		if (config_ensure_dirs(&g->cfg, e) < 0 || store_open(g->cfg.root, &g->store, e) < 0)
			return -1;
		store_set_limits(g->store, g->cfg.max_layer_size, g->cfg.max_layer_entries);
	}
	*s = g->store;
	return 0;
}

void cli_image_event(const struct globals *g, const char *status, const char *id, const char *name)
{
	struct event ev = { .type = "image", .status = status, .id = id, .name = name, .exit_code = -1 };
	events_write(g->cfg.runroot, &ev);
}

void cli_store_close(struct globals *g)
{
	store_close(g->store);
	g->store = NULL;
}
