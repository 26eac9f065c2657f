/* create.c - burrow create: write the record; start runs it. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctropts.h"
#include "lib/record/container.h"

CMD_DECL(create)
{
	struct container_spec s;
	struct idmap m;
	int rc;

	memset(&s, 0, sizeof s);
	memset(&m, 0, sizeof m);
	rc = ctr_create_record(g, "create", argc, argv, &s, &m, e);
	if (rc == 1)
		rc = 0;
	else if (rc < 0)
		e->status = 0; /* a tool error (or a usage error) */
	else
		printf("%s\n", s.id);
	container_spec_free(&s);
	idmap_free(&m);
	return rc;
}
