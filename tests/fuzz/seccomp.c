/* seccomp.c - fuzz the OCI/docker seccomp profile parser and compiler
 * (lib/runtime/seccomp.h): a profile parses and compiles, or fails with a
 * one-line message. */
#include "fuzz.h"
#include "lib/base/error.h"
#include "lib/runtime/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct err e = ERR_INIT;
	struct seccomp_profile p;
	uint64_t caps = size ? (uint64_t)d[0] * 0x0101010101ULL : 0;

	memset(&p, 0, sizeof p);
	if (seccomp_profile_parse((const char *)d, size, caps, &p, &e) == 0) {
		struct seccomp_prog prog;
		memset(&prog, 0, sizeof prog);
		if (seccomp_compile(&p, &prog, &e) == 0)
			seccomp_prog_free(&prog);
		else
			FUZZ_ASSERT(e.msg && !strchr(e.msg, '\n'));
		seccomp_profile_free(&p);
	} else {
		FUZZ_ASSERT(e.msg && !strchr(e.msg, '\n'));
	}
	err_clear(&e);
	return 0;
}
