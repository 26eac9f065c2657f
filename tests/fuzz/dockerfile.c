/* dockerfile.c - fuzz the Dockerfile parser and the word, pair and
 * expansion functions the builder runs over what it returns
 * (lib/build/dockerfile.h). */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/build/dockerfile.h"

static const char *get(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] && name[0] < 'M' ? "x y" : NULL;
}

static void instr(const struct df_instr *in, char escape)
{
	struct df_vars vars = { get, NULL };
	struct err e = ERR_INIT;
	char **w = NULL, **keys = NULL, **vals = NULL, *x = NULL;
	size_t n = 0;

	if (in->rest) {
		if (df_words(in->rest, escape, &vars, &w, &e) == 0)
			strv_free(w);
		err_clear(&e);
		if (df_expand(in->rest, escape, &vars, &x, &e) == 0)
			free(x);
		err_clear(&e);
	}
	if (in->kind == DF_ENV || in->kind == DF_LABEL || in->kind == DF_ARG) {
		if (df_pairs(in, escape, &vars, &keys, &vals, &n, &e) == 0) {
			for (size_t i = 0; i < n; i++) {
				free(keys[i]);
				free(vals[i]);
			}
			free(keys);
			free(vals);
		}
		err_clear(&e);
	}
	for (size_t i = 0; i < in->nflags; i++)
		(void)df_flag_get(in, in->flags[i].name);
	if (in->inner)
		instr(in->inner, escape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct dockerfile *df = NULL;

	if (dockerfile_parse((const char *)data, size, "Dockerfile", &df, &e) == 0) {
		for (size_t i = 0; i < df->nmeta_args; i++)
			instr(&df->meta_args[i], df->escape);
		for (size_t s = 0; s < df->nstages; s++) {
			instr(df->stages[s].from, df->escape);
			for (size_t i = 0; i < df->stages[s].ninstrs; i++)
				instr(&df->stages[s].instrs[i], df->escape);
			if (df->stages[s].name)
				FUZZ_ASSERT(dockerfile_stage_index(df, df->stages[s].name) >= 0);
		}
		dockerfile_free(df);
	}
	err_clear(&e);
	return 0;
}
