/* container.c - container specs, names and records. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "container.h"
#include "util.h"

void container_spec_free(struct container_spec *s)
{
	free(s->name);
	free(s->image_id);
	free(s->image_ref);
	strv_free(s->argv);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	free(s->hostname);
	for (size_t i = 0; i < s->nvolumes; i++)
		volume_spec_free(&s->volumes[i]);
	free(s->volumes);
	for (size_t i = 0; i < s->ntmpfs; i++)
		tmpfs_spec_free(&s->tmpfs[i]);
	free(s->tmpfs);
	strv_free(s->lowerdirs);
	free(s->ctrdir);
	free(s->rundir);
	free(s->init_path);
	memset(s, 0, sizeof *s);
}

char *container_random_name(void)
{
	static const char *const adj[] = {
		"amazing", "bold", "brave", "busy", "calm", "clever", "cool", "eager", "focused",
		"gentle", "happy", "hopeful", "keen", "kind", "lucid", "modest", "nifty", "quirky",
		"serene", "sharp", "sleepy", "stoic", "tender", "upbeat", "vibrant", "wizardly",
	};
	static const char *const noun[] = {
		"badger", "beaver", "cricket", "ferret", "gopher", "hamster", "hedgehog", "marmot",
		"meerkat", "mole", "otter", "prairiedog", "rabbit", "shrew", "vole", "wombat",
		"armadillo", "chipmunk", "lemming", "mongoose", "muskrat", "pangolin", "platypus",
	};
	unsigned int r[2] = { 0, 0 };

	if (getrandom(r, sizeof r, 0) < 0)
		r[0] = r[1] = 0;
	return xasprintf("%s_%s", adj[r[0] % ARRAY_SIZE(adj)], noun[r[1] % ARRAY_SIZE(noun)]);
}

bool container_name_valid(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 128)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (i == 0 ? !alnum : !(alnum || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}
