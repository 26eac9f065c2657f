/* start.c - burrow start: run created or exited containers again. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "cli/relay.h"
#include "lib/base/util.h"

enum { O_ATTACH = 1, O_INTERACTIVE, O_HELP, O_DETACHKEYS };
static const struct opt start_opts[] = {
	{ "attach", 'a', OPT_FLAG, O_ATTACH, NULL, "Attach to the container's output and wait for it" },
	{ "detach-keys", 0, OPT_VALUE, O_DETACHKEYS, "KEYS",
	  "Keys that detach from the terminal (default ctrl-p,ctrl-q; \"\" disables)" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open (with --attach)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(start)
{
	struct optparser p;
	bool attach = false, interactive = false;
	const char *keys = NULL;
	struct detach_keys dk;
	int id, rc = 0;

	opt_init(&p, start_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ATTACH:
			attach = opt_flag_value(&p);
			break;
		case O_INTERACTIVE:
			interactive = opt_flag_value(&p);
			break;
		case O_DETACHKEYS:
			keys = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "start", "[OPTIONS] CONTAINER [CONTAINER...]",
				       "Start one or more containers.", start_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx >= argc)
		return err_usage(e, "\"burrow start\" requires at least 1 argument");
	if (attach && argc - p.idx > 1)
		return err_usage(e, "you cannot start and attach multiple containers at once");
	if (detach_keys_parse(keys, &dk, e) < 0)
		return -1;
	for (int i = p.idx; i < argc; i++) {
		struct ctr c;
		int code = 0;
		if (ctr_load(g, argv[i], &c, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		if (ctr_running(&c)) {
			/* podman: starting a running container is not an error */
			if (!attach)
				printf("%s\n", argv[i]);
			ctr_free(&c);
			continue;
		}
		if (c.st.status == ST_REMOVING) {
			err_make(e, 0, "container %.12s is being removed: container state improper", c.id);
			rc = cli_report(e);
			err_clear(e);
			ctr_free(&c);
			continue;
		}
		c.spec.detach = !attach;
		if (attach)
			c.spec.interactive = interactive;
		c.spec.detach_keys = keys;
		if (ctr_relaunch(g, &c, &code, e) < 0)
			rc = cli_report(e);
		else if (attach)
			rc = code;
		else
			printf("%s\n", argv[i]);
		fflush(stdout);
		err_clear(e);
		ctr_free(&c);
	}
	return rc;
}
