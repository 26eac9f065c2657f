/* auth.c - fuzz auth.json / config.json (lib/store/auth.h): the input is
 * the file that auth_lookup() reads, then the one auth_remove() rewrites.
 * The registry looked up comes from the input's first line when it has
 * one. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/store/auth.h"

static char *dir, *file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{

	(void)argc;
	(void)argv;
	dir = fuzz_tmpdir("auth");
	file = xasprintf("%s/auth.json", dir);
	return 0;
}

static void put(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "we");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regs[] = { "docker.io", "localhost:5000", "quay.io", "" };
	struct err e = ERR_INIT;
	char *user = NULL, *pass = NULL, *s;
	int found = 0;

	if (!file)
		LLVMFuzzerInitialize(NULL, NULL);
	put(data, size);
	for (size_t i = 0; i < 4; i++) {
		if (auth_lookup(file, dir, regs[i], &user, &pass, &e) == 0 && user)
			FUZZ_ASSERT(pass != NULL);
		err_clear(&e);
		free(user);
		free(pass);
		user = pass = NULL;
	}
	if (auth_remove(file, "docker.io", &found, &e) == 0 && found) {
		/* what remove wrote is a JSON object again */
		json_object *j = json_object_from_file(file);

		FUZZ_ASSERT(j && json_object_is_type(j, json_type_object));
		json_object_put(j);
	}
	err_clear(&e);
	s = fuzz_str(data, size);
	free(base64_decode(s, NULL));
	free(s);
	return 0;
}
