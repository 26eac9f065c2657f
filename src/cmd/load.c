/* load.c - burrow load [-i FILE|DIR] [-q] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/store/pull.h"
#include "lib/runtime/userns.h"
#include "lib/base/util.h"
#include "cli/progress.h"

enum { O_INPUT = 1, O_QUIET, O_HELP };
static const struct opt opts[] = {
	{ "input", 'i', OPT_VALUE, O_INPUT, "FILE",
	  "Read a docker-archive, oci-archive or OCI layout directory (default: standard input)" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the loaded names" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const char usage[] = "[OPTIONS]";
static const char summary[] = "Load images from a docker-archive, an oci-archive or an OCI layout directory.";

CMD_DECL(load)
{
	_cleanup_strv_ char **ids = NULL, **names = NULL;
	const char *in = "-";
	struct optparser p;
	struct store *s = NULL;
	struct idmap m;
	bool quiet = false;
	int id, rc = 0;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_INPUT:
			in = p.value;
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "load", usage, summary, opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc || (strcmp(in, "-") == 0 && isatty(STDIN_FILENO)))
		return err_usage(
			e, p.idx < argc
				   ? "load takes no arguments (use -i FILE)"
				   : "refusing to read an archive from a terminal: use -i FILE or a pipe");
	if (cli_store(g, &s, e) < 0)
		return -1;
	userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e);
	err_clear(e);
	progress_catch_signals();
	if (store_load(s, &m, in, &ids, &names, &progress_cancel, e) < 0) {
		rc = -1;
	} else {
		for (size_t i = 0; ids && ids[i]; i++)
			cli_image_event(g, "load", ids[i], NULL);
		for (size_t i = 0; names && names[i]; i++)
			printf("Loaded image: %s\n", names[i]);
		if (!names || !names[0])
			for (size_t i = 0; ids && ids[i]; i++)
				printf("Loaded image: sha256:%s\n", ids[i]);
	}
	(void)quiet;
	idmap_free(&m);
	return rc;
}
