/* cdi.c - fuzz the CDI spec parser (lib/cdi/cdi.h): the first byte picks
 * JSON (even) or YAML (odd), the rest is the document.  Beyond no crash:
 * an accepted spec has a valid kind, at least one device, and every path
 * in it is absolute and clean. */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/cdi/cdi.h"

static void check_edits(const struct cdi_edits *ed)
{
	for (size_t i = 0; i < ed->nnodes; i++)
		FUZZ_ASSERT(ed->nodes[i].path[0] == '/' && ed->nodes[i].host[0] == '/' &&
			    !strstr(ed->nodes[i].path, "/../") && !strstr(ed->nodes[i].host, "/../"));
	for (size_t i = 0; i < ed->nmounts; i++)
		FUZZ_ASSERT(ed->mounts[i].host[0] == '/' && ed->mounts[i].ctr[0] == '/' &&
			    !strstr(ed->mounts[i].ctr, "/../"));
	for (size_t i = 0; ed->env && ed->env[i]; i++)
		FUZZ_ASSERT(strchr(ed->env[i], '=') && ed->env[i][0] != '=');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct cdi_spec *s = NULL;

	if (size < 1)
		return 0;
	if (cdi_spec_parse((const char *)data + 1, size - 1, data[0] & 1, "fuzz", &s, &e) == 0) {
		FUZZ_ASSERT(s && s->kind && strchr(s->kind, '/') && s->ndevices > 0);
		check_edits(&s->edits);
		for (size_t i = 0; i < s->ndevices; i++)
			check_edits(&s->devices[i].edits);
		cdi_spec_free(s);
	} else {
		FUZZ_ASSERT(s == NULL && e.msg && !strchr(e.msg, '\n'));
	}
	err_clear(&e);
	return 0;
}
