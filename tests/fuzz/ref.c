/* ref.c - fuzz image references (lib/store/ref.h) and platform strings. */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/store/manifest.h"
#include "lib/store/ref.h"

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct err e = ERR_INIT;
	struct ref r = { 0 };
	char **cands = NULL, *n, *repo = NULL, *tag = NULL;
	struct platform p;

	if (ref_parse(s, &r, &e) == 0) {
		char *back = ref_string(&r);
		struct ref r2 = { 0 };

		/* what ref_string gives back parses to the same parts */
		FUZZ_ASSERT(ref_parse(back, &r2, &e) == 0);
		FUZZ_ASSERT(same(r.domain, r2.domain) && same(r.path, r2.path) && same(r.tag, r2.tag) &&
			    same(r.digest, r2.digest));
		ref_free(&r2);
		free(back);
	}
	err_clear(&e);
	ref_free(&r);
	n = ref_normalize_new(s, &e);
	if (n) {
		FUZZ_ASSERT(ref_parse(n, &r, &e) == 0);
		ref_free(&r);
		ref_split_repo_tag(n, &repo, &tag);
		free(repo);
		free(tag);
	}
	free(n);
	err_clear(&e);
	if (ref_candidates(s, &cands, &e) == 0)
		strv_free(cands);
	err_clear(&e);
	ref_split_repo_tag(s, &repo, &tag);
	free(repo);
	free(tag);
	(void)digest_valid(s);
	(void)tag_valid(s);
	if (platform_parse(s, &p, &e) < 0)
		err_clear(&e);
	free(s);
	return 0;
}
