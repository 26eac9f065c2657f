/* conf.c - fuzz burrow.conf (lib/base/config.h): the input is written to
 * $XDG_CONFIG_HOME/burrow/burrow.conf in a directory made once per process,
 * and config_load() reads it. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/base/config.h"
#include "lib/base/util.h"

static char *conf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *dir = fuzz_tmpdir("conf");

	(void)argc;
	(void)argv;
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_DATA_HOME", dir, 1);
	unsetenv("BURROW_ROOT");
	unsetenv("BURROW_RUNROOT");
	unsetenv("BURROW_OVERLAY");
	unsetenv("BURROW_IDMAP");
	conf = xasprintf("%s/burrow", dir);
	if (mkdir(conf, 0700) < 0)
		abort();
	free(conf);
	conf = xasprintf("%s/burrow/burrow.conf", dir);
	free(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct config c;
	FILE *f;

	if (!conf)
		LLVMFuzzerInitialize(NULL, NULL);
	f = fopen(conf, "we");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (config_load(&c, NULL, NULL, &e) == 0)
		FUZZ_ASSERT(c.root && c.root[0] == '/' && c.runroot && c.runroot[0] == '/');
	config_free(&c);
	err_clear(&e);
	return 0;
}
