/* diff.c - burrow diff: what the container changed, from its upper
 * directory alone (A added, C changed, D deleted). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "lib/base/util.h"
#include "lib/store/ctrdiff.h"

enum { O_HELP = 1, O_FORMAT };
static const struct opt diff_opts[] = {
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or the default A/C/D lines" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(diff)
{
	struct optparser p;
	struct ctr c;
	struct ctr_change *v;
	size_t n;
	const char *format = NULL;
	int id;

	opt_init(&p, diff_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			if (strcmp(format, "json") != 0) {
				err_make(e, 0, "unsupported --format \"%s\" (json)", format);
				goto usage;
			}
			break;
		case O_HELP:
			opt_print_help(stdout, "diff", "[OPTIONS] CONTAINER",
				       "Show the files a container added (A), changed (C) or deleted (D).",
				       diff_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (argc - p.idx != 1) {
		err_make(e, 0, "\"burrow diff\" requires exactly 1 argument: a container");
		goto usage;
	}
	if (ctr_load(g, argv[p.idx], &c, e) < 0)
		return -1;
	if (ctr_changes(&c.spec, &v, &n, e) < 0) {
		ctr_free(&c);
		return -1;
	}
	if (format) {
		json_object *j = json_object_new_object();
		const char *keys[] = { "added", "changed", "deleted" };
		const char kinds[] = { 'A', 'C', 'D' };
		for (int k = 0; k < 3; k++) {
			json_object *a = json_object_new_array();
			for (size_t i = 0; i < n; i++)
				if (v[i].kind == kinds[k])
					json_object_array_add(a, json_object_new_string(v[i].path));
			json_object_object_add(j, keys[k], a);
		}
		printf("%s\n",
		       json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
	for (size_t i = 0; i < n && !format; i++)
		printf("%c %s\n", v[i].kind, v[i].path);
	ctr_changes_free(v, n);
	ctr_free(&c);
	return 0;
usage:
	return err_mark_usage(e);
}
