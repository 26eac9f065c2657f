/* tmpl.c - fuzz the Go template engine (lib/base/tmpl.h) with a template
 * over a fixed record shaped like ps and inspect output: any template
 * either renders or fails with a message, never crashes or loops. */
#include <json-c/json.h>

#include "fuzz.h"
#include "lib/base/error.h"
#include "lib/base/tmpl.h"

static json_object *data;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	data = json_tokener_parse(
		"{\"ID\":\"0123456789ab\",\"Names\":\"web\",\"Ports\":[\"0.0.0.0:80->80/tcp\"],"
		"\"Labels\":{\"a\":\"1\",\"b\":\"\"},\"State\":{\"Status\":\"running\","
		"\"Pid\":42,\"Running\":true},\"Size\":1.5,\"List\":[1,2,3],\"Empty\":null}");
	if (!data)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct err e = ERR_INIT;
	char *s, *out = NULL;

	if (!data)
		LLVMFuzzerInitialize(NULL, NULL);
	s = fuzz_str(d, size);
	if (tmpl_check(s, &e) == 0) {
		if (tmpl_render(s, data, &out, &e) == 0)
			FUZZ_ASSERT(out != NULL);
		else
			FUZZ_ASSERT(e.msg != NULL);
	} else {
		FUZZ_ASSERT(e.msg != NULL);
	}
	free(out);
	err_clear(&e);
	free(s);
	return 0;
}
