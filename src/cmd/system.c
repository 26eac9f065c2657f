/* system.c - burrow system prune: remove every container that is not
 * running (and, through its supervisor, everything it held). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"

enum { O_HELP = 1, O_FORCE };
static const struct opt system_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(system)
{
	struct optparser p;
	bool force = false;
	char **ids = NULL;
	int id, rc = 0;
	bool header = false;

	opt_init(&p, system_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "system", "prune [-f]", "Remove all stopped containers.",
				       system_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc || strcmp(argv[p.idx], "prune") != 0) {
		err_make(e, 0, "usage: burrow system prune [-f]");
		goto usage;
	}
	/* flags may also follow the subcommand */
	for (int i = p.idx + 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
			force = true;
		} else {
			err_make(e, 0, "unknown argument \"%s\" for system prune", argv[i]);
			goto usage;
		}
	}
	if (!force) {
		char ans[16] = "";
		fprintf(stderr,
			"WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
		if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y'))
			return 0;
	}
	if (container_list(g->cfg.root, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++) {
		struct ctr c;
		bool stopped;
		if (ctr_load_id(g, ids[i], &c, e) < 0) {
			err_clear(e);
			continue;
		}
		stopped = !ctr_running(&c) && !proc_alive(c.st.supervisor, c.st.supervisor_start);
		ctr_free(&c);
		if (!stopped)
			continue;
		if (ctr_remove_id(g, ids[i], false, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		if (!header)
			printf("Deleted Containers\n");
		header = true;
		printf("%s\n", ids[i]);
	}
	strv_free(ids);
	return rc;
usage:
	return err_mark_usage(e);
}
