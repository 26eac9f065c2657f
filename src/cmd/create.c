/* create.c - burrow create: write the record; start runs it. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/record/container.h"

int run_create_record(struct globals *g, const char *verb, int argc, char **argv,
		      struct container_spec *s, struct idmap *m, struct err *e);

CMD_DECL(create)
{
	struct container_spec s;
	struct idmap m;
	struct err e = ERR_INIT;
	int rc;

	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	rc = run_create_record(g, "create", argc, argv, &s, &m, &e);
	if (rc == 1)
		rc = 0;
	else if (rc < 0)
		rc = e.status == -2 ? cmd_usage_error("create", &e) : (e.status = 0, cmd_fail(&e));
	else
		printf("%s\n", s.id);
	err_clear(&e);
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}
