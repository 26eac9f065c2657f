/* inspect.c - burrow inspect: docker-compatible JSON, or --format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrjson.h"
#include "cli/format.h"
#include "cli/imginspect.h"
#include "lib/store/sqfile.h"

enum { O_FORMAT = 1, O_HELP, O_TYPE };
static const struct opt inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "TEMPLATE",
	  "Format the output with a Go-style template, e.g. '{{.State.Status}}'" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "type", 't', OPT_VALUE, O_TYPE, "TYPE", "container (the only type burrow inspects)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

CMD_DECL(inspect)
{
	struct optparser p;
	const char *format = NULL;
	json_object *all;
	int id, rc = 0;

	opt_init(&p, inspect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_TYPE:
			if (strcmp(p.value, "container") != 0) {
				err_make(e, 0, "--type %s: burrow inspect shows containers only", p.value);
				goto usage;
			}
			break;
		case O_HELP:
			opt_print_help(stdout, "inspect", "[OPTIONS] CONTAINER|FILE [CONTAINER|FILE...]",
				       "Show the details of containers, or of single-file images (a path).",
				       inspect_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx >= argc) {
		err_make(e, 0, "\"burrow inspect\" requires at least 1 argument");
		goto usage;
	}
	if (cli_format_check(format, e) < 0)
		return -1;
	all = json_object_new_array();
	for (int i = p.idx; i < argc; i++) {
		struct ctr c;
		json_object *j;
		if (sqfile_is_path(argv[i])) {
			/* a single-file image: its image inspect */
			struct image *img = NULL;
			if (img_inspect_get(NULL, argv[i], &img, &j, e) < 0) {
				rc = cli_report(e);
				err_clear(e);
			} else {
				json_object_array_add(all, j);
			}
			image_free(img);
			continue;
		}
		if (ctr_load(g, argv[i], &c, e) < 0) {
			/* podman's words, which differ between the two verbs */
			if (e->errnum == ENOENT && g->verb && strcmp(g->verb, "container inspect") == 0)
				err_make(e, 0, "no such container %s", argv[i]);
			else if (e->errnum == ENOENT)
				err_make(e, 0, "no such object: \"%s\"", argv[i]);
			err_wrap(e, "inspecting object");
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		j = ctr_inspect_json(&c);
		ctr_free(&c);
		json_object_array_add(all, j);
	}
	if (cli_format_is_template(format)) {
		if (cli_format_print(format, all, NULL, false, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		}
	} else if (json_object_array_length(all) == 0) {
		printf("[]\n"); /* as podman's, not json-c's "[\n]" */
	} else {
		printf("%s\n",
		       json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(all);
	return rc;
usage:
	return err_mark_usage(e);
}
