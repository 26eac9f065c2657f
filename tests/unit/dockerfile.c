/* dockerfile.c - tests for the Dockerfile parser and the word lexer
 * (src/lib/build/dockerfile.c, dfexpand.c): every instruction form, flags,
 * JSON forms, continuations, directives, heredocs, stages, expansion and
 * hostile input. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/build/dockerfile.h"
#include "lib/base/util.h"
#include "tap.h"

static struct dockerfile *parse_ok(const char *text, const char *what)
{
	struct dockerfile *df = NULL;
	struct err e = ERR_INIT;
	int rc = dockerfile_parse(text, strlen(text), "Dockerfile", &df, &e);
	if (!ok(rc == 0 && df, "parses: %s", what))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	err_clear(&e);
	return rc == 0 ? df : NULL;
}

static void parse_bad_n(const char *text, size_t len, const char *want, const char *what)
{
	struct dockerfile *df = NULL;
	struct err e = ERR_INIT;
	int rc = dockerfile_parse(text, len, "Dockerfile", &df, &e);
	ok(rc < 0 && !df, "rejected: %s", what);
	if (!ok(rc < 0 && e.msg && strstr(e.msg, want), "%s: message has \"%s\"", what, want))
		printf("# got: '%s'\n", e.msg ? e.msg : "(null)");
	err_clear(&e);
	dockerfile_free(df);
}

static void parse_bad(const char *text, const char *want, const char *what)
{
	parse_bad_n(text, strlen(text), want, what);
}

/* vars: "K=V" strings, NULL-terminated; "K" alone is unset */
static const char *var_get(void *ctx, const char *name)
{
	const char *const *v = ctx;
	size_t n = strlen(name);
	for (; v && *v; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static const char *const VARS[] = { "A=a", "B=bee", "EMPTY=", "SP=x  y", "Q='q'", NULL };

static void expand_is(const char *s, char esc, const char *want)
{
	struct df_vars vars = { var_get, (void *)VARS };
	struct err e = ERR_INIT;
	char *out = NULL;
	int rc = df_expand(s, esc, &vars, &out, &e);
	if (!ok(rc == 0, "expand %s", s))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	else
		is_str(out, want, "expand %s", s);
	free(out);
	err_clear(&e);
}

static void expand_bad(const char *s, const char *want)
{
	struct df_vars vars = { var_get, (void *)VARS };
	struct err e = ERR_INIT;
	char *out = NULL;
	int rc = df_expand(s, '\\', &vars, &out, &e);
	ok(rc < 0 && !out, "expand rejects %.60s", s);
	if (!ok(rc < 0 && e.msg && strstr(e.msg, want), "expand %.40s: message has \"%s\"", s, want))
		printf("# got: '%s'\n", e.msg ? e.msg : "(null)");
	free(out);
	err_clear(&e);
}

/* words joined with "|" */
static void words_is(const char *s, char esc, const char *want)
{
	struct df_vars vars = { var_get, (void *)VARS };
	struct err e = ERR_INIT;
	char **w = NULL;
	int rc = df_words(s, esc, &vars, &w, &e);
	if (!ok(rc == 0, "words %s", s)) {
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
		err_clear(&e);
		return;
	}
	struct {
		char *p;
		size_t n;
	} j = { xstrdup(""), 0 };
	for (size_t i = 0; w[i]; i++) {
		char *t = xasprintf("%s%s%s", j.p, i ? "|" : "", w[i]);
		free(j.p);
		j.p = t;
	}
	is_str(j.p, want, "words %s", s);
	free(j.p);
	strv_free(w);
}

static const struct df_instr *instr(const struct dockerfile *df, size_t stage, size_t i)
{
	if (!df || stage >= df->nstages || i >= df->stages[stage].ninstrs)
		return NULL;
	return &df->stages[stage].instrs[i];
}

static void basics(void)
{
	struct dockerfile *df = parse_ok("# a comment\n"
					 "FROM debian:12\n"
					 "run echo hi   there\n"
					 "RUN [\"/bin/sh\", \"-c\", \"echo hi\"]\n"
					 "CMD [\"sh\"]\n"
					 "ENTRYPOINT /bin/entry --flag\n"
					 "WORKDIR /app\n"
					 "USER 1000:1000\n"
					 "EXPOSE 80 443/udp\n"
					 "VOLUME /data /cache\n"
					 "VOLUME [\"/v1\", \"/v2\"]\n"
					 "STOPSIGNAL SIGTERM\n"
					 "SHELL [\"/bin/bash\", \"-c\"]\n"
					 "MAINTAINER someone <a@b>\n",
					 "basic instructions");
	if (!df)
		return;
	is_int(df->nstages, 1, "one stage");
	is_int(df->escape, '\\', "default escape");
	is_str(df->stages[0].base, "debian:12", "base");
	ok(df->stages[0].name == NULL, "no stage name");
	ok(df->stages[0].platform == NULL, "no platform");
	is_int(df->stages[0].from->line, 2, "FROM line");
	is_int(df->stages[0].ninstrs, 12, "12 instructions");
	const struct df_instr *in = instr(df, 0, 0);
	is_int(in->kind, DF_RUN, "run -> DF_RUN");
	is_str(in->keyword, "RUN", "keyword upper-cased");
	is_str(in->original, "run echo hi   there", "original as written");
	is_str(in->rest, "echo hi   there", "shell form rest");
	ok(!in->json && !in->argv, "shell form: no argv");
	is_int(in->line, 3, "line 3");
	in = instr(df, 0, 1);
	ok(in->json && in->argv && strv_len(in->argv) == 3, "RUN exec form");
	is_str(in->argv && strv_len(in->argv) == 3 ? in->argv[2] : NULL, "echo hi", "exec argv[2]");
	is_str(in->rest, "[\"/bin/sh\", \"-c\", \"echo hi\"]", "exec form rest is the JSON");
	in = instr(df, 0, 2);
	ok(in->kind == DF_CMD && in->json && strv_len(in->argv) == 1, "CMD exec");
	in = instr(df, 0, 3);
	ok(in->kind == DF_ENTRYPOINT && !in->json, "ENTRYPOINT shell form");
	is_str(in->rest, "/bin/entry --flag", "flags after the argument start stay in rest");
	is_int(in->nflags, 0, "no instruction flags");
	is_int(instr(df, 0, 4)->kind, DF_WORKDIR, "WORKDIR");
	is_int(instr(df, 0, 5)->kind, DF_USER, "USER");
	is_int(instr(df, 0, 6)->kind, DF_EXPOSE, "EXPOSE");
	in = instr(df, 0, 7);
	ok(in->kind == DF_VOLUME && !in->json, "VOLUME shell form");
	in = instr(df, 0, 8);
	ok(in->kind == DF_VOLUME && in->json && strv_len(in->argv) == 2, "VOLUME JSON");
	is_int(instr(df, 0, 9)->kind, DF_STOPSIGNAL, "STOPSIGNAL");
	in = instr(df, 0, 10);
	ok(in->kind == DF_SHELL && in->json && strcmp(in->argv[0], "/bin/bash") == 0, "SHELL");
	in = instr(df, 0, 11);
	ok(in->kind == DF_MAINTAINER, "MAINTAINER accepted");
	is_str(in->rest, "someone <a@b>", "MAINTAINER text");
	dockerfile_free(df);

	/* "[ -f x ]" is a shell command, not broken JSON */
	df = parse_ok("FROM x\nRUN [ -f /etc/passwd ] && echo yes\nCMD [1, 2\n",
		      "shell form starting with [");
	if (df) {
		ok(!instr(df, 0, 0)->json, "RUN [ ... ] is shell form");
		ok(!instr(df, 0, 1)->json, "CMD [1, 2 is shell form (as docker)");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\nCMD []\nENTRYPOINT []\n", "empty exec forms");
	if (df) {
		ok(instr(df, 0, 0)->json && instr(df, 0, 0)->argv[0] == NULL, "CMD [] is an empty exec form");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\r\nRUN a \\\r\n  b\r\n", "CRLF line ends");
	if (df) {
		is_str(instr(df, 0, 0)->rest, "a   b", "CRLF continuation");
		dockerfile_free(df);
	}
	df = parse_ok("\xef\xbb\xbf"
		      "FROM x\n",
		      "UTF-8 BOM");
	dockerfile_free(df);
	df = parse_ok("FROM x\nRUN echo \xff\xfe\xc3\x28\n", "invalid UTF-8 passes through");
	if (df) {
		is_str(instr(df, 0, 0)->rest, "echo \xff\xfe\xc3\x28", "bytes kept");
		dockerfile_free(df);
	}
}

static void from_and_stages(void)
{
	struct dockerfile *df = parse_ok("ARG BASE=debian\n"
					 "ARG TAG\n"
					 "FROM --platform=linux/amd64 ${BASE}:${TAG:-12} AS Build\n"
					 "RUN make\n"
					 "from scratch as final\n"
					 "COPY --from=build /out /out\n"
					 "FROM final\n",
					 "multi-stage");
	if (!df)
		return;
	is_int(df->nmeta_args, 2, "two meta args");
	is_str(df->meta_args[0].rest, "BASE=debian", "meta arg 0");
	is_int(df->meta_args[1].line, 2, "meta arg line");
	is_int(df->nstages, 3, "three stages");
	is_str(df->stages[0].base, "${BASE}:${TAG:-12}", "base kept raw");
	is_str(df->stages[0].name, "build", "stage name lower-cased");
	is_str(df->stages[0].platform, "linux/amd64", "platform");
	is_str(df->stages[0].from->rest, "${BASE}:${TAG:-12} AS Build", "FROM rest");
	is_str(df->stages[1].base, "scratch", "scratch");
	is_str(df->stages[1].name, "final", "lower-case as");
	is_int(df->stages[1].ninstrs, 1, "stage 1 instrs");
	is_str(df_flag_get(instr(df, 1, 0), "from"), "build", "COPY --from");
	is_int(dockerfile_stage_index(df, "build"), 0, "index by name");
	is_int(dockerfile_stage_index(df, "BUILD"), 0, "index by name, any case");
	is_int(dockerfile_stage_index(df, "final"), 1, "index by name 2");
	is_int(dockerfile_stage_index(df, "2"), 2, "index by number");
	is_int(dockerfile_stage_index(df, "0"), 0, "index 0");
	is_int(dockerfile_stage_index(df, "3"), -1, "index out of range");
	is_int(dockerfile_stage_index(df, "nope"), -1, "unknown name");
	is_int(dockerfile_stage_index(df, ""), -1, "empty name");
	is_int(dockerfile_stage_index(df, "-1"), -1, "negative index");
	dockerfile_free(df);

	parse_bad("", "Dockerfile:1: no FROM instruction", "empty file");
	parse_bad("# only a comment\n\n", "no FROM instruction", "comments only");
	parse_bad("ARG X\n", "no FROM instruction", "only ARG");
	parse_bad("RUN x\nFROM y\n", "Dockerfile:1: RUN before the first FROM", "RUN before FROM");
	parse_bad("FROM\n", "Dockerfile:1: FROM requires either one or three arguments", "bare FROM");
	parse_bad("FROM a b\n", "FROM requires either one or three arguments", "FROM two words");
	parse_bad("FROM a TO b\n", "expected \"AS name\"", "FROM a TO b");
	parse_bad("FROM a AS 1x\n", "invalid name for build stage", "stage name starting with digit");
	parse_bad("FROM a AS b$c\n", "invalid name for build stage", "stage name with symbol");
	parse_bad("FROM a AS x\nFROM b AS X\n", "Dockerfile:2: duplicate stage name \"x\"",
		  "duplicate stage");
	parse_bad("FROM --platform linux a\n", "missing a value on flag: platform", "flag without value");
	parse_bad("FROM --from=x a\n", "FROM: unknown flag: from", "unknown FROM flag");
	parse_bad("FROM ${A:-x\n", "Dockerfile:1: FROM: syntax error: missing '}'", "FROM bad ${");
}

static void flags(void)
{
	struct dockerfile *df = parse_ok(
		"FROM x\n"
		"RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=x --network=none make\n"
		"COPY --from=0 --chown=1:2 --chmod=0755 --link src/ /dst/\n"
		"ADD --chown=u:g --chmod=644 a.tar /\n"
		"COPY --link=false \"--not-a-flag\" /d\n"
		"COPY -- --x /d\n"
		"COPY --chown=\"a b\" x /d\n",
		"flags");
	if (!df)
		return;
	const struct df_instr *in = instr(df, 0, 0);
	is_int(in->nflags, 3, "RUN: three flags");
	is_str(in->flags[0].name, "mount", "mount flag");
	is_str(in->flags[0].value, "type=cache,target=/root/.cache", "mount value");
	is_str(in->flags[1].value, "type=secret,id=x", "second mount kept");
	is_str(df_flag_get(in, "network"), "none", "network");
	is_str(in->rest, "make", "rest after flags");
	is_str(in->original,
	       "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=x --network=none make",
	       "original has the flags");
	in = instr(df, 0, 1);
	is_int(in->nflags, 4, "COPY: four flags");
	is_str(df_flag_get(in, "from"), "0", "from");
	is_str(df_flag_get(in, "chown"), "1:2", "chown");
	is_str(df_flag_get(in, "chmod"), "0755", "chmod");
	is_str(df_flag_get(in, "link"), "", "--link present, no value");
	ok(in->flags[3].value == NULL, "--link value is NULL");
	ok(df_flag_get(in, "mount") == NULL, "absent flag is NULL");
	is_str(in->rest, "src/ /dst/", "COPY rest");
	in = instr(df, 0, 2);
	is_str(df_flag_get(in, "chown"), "u:g", "ADD chown");
	is_str(df_flag_get(in, "chmod"), "644", "ADD chmod");
	in = instr(df, 0, 3);
	is_str(df_flag_get(in, "link"), "false", "--link=false");
	is_str(in->rest, "\"--not-a-flag\" /d", "quoted word ends flags");
	in = instr(df, 0, 4);
	is_int(in->nflags, 0, "-- ends flags");
	is_str(in->rest, "--x /d", "rest after --");
	in = instr(df, 0, 5);
	is_str(df_flag_get(in, "chown"), "a b", "quoted flag value");
	dockerfile_free(df);

	parse_bad("FROM x\nRUN --foo=bar make\n", "Dockerfile:2: RUN: unknown flag: foo", "unknown RUN flag");
	parse_bad("FROM x\nCOPY --from=a --from=b x y\n", "duplicate flag specified: from",
		  "duplicate --from");
	parse_bad("FROM x\nCOPY --link=maybe x y\n", "expecting boolean value for flag link", "bad bool");
	parse_bad("FROM x\nADD --from=a x y\n", "ADD: unknown flag: from", "ADD --from");
	parse_bad("FROM x\nCOPY --chown x y\n", "missing a value on flag: chown", "--chown without value");
	parse_bad("FROM x\nENV --x=1 A=b\n", "ENV: unknown flag: x", "ENV takes no flags");
	parse_bad("FROM x\nRUN --network\n", "missing a value on flag: network", "--network w/o value");
}

static void continuations(void)
{
	struct dockerfile *df = parse_ok("FROM x\n"
					 "RUN apt-get update && \\\n"
					 "    # a comment in the middle\n"
					 "\n"
					 "    apt-get install -y \\   \n"
					 "    curl\n"
					 "  # indented comment\n"
					 "ENV A=1 \\\n"
					 "    B=2\n"
					 "LABEL x=y\n",
					 "continuations");
	if (!df)
		return;
	const struct df_instr *in = instr(df, 0, 0);
	is_str(in->original, "RUN apt-get update &&     apt-get install -y     curl",
	       "joined, comments and blank lines dropped");
	is_int(in->line, 2, "line of the keyword");
	in = instr(df, 0, 1);
	is_int(in->line, 8, "line count after continuation");
	is_str(in->rest, "A=1     B=2", "ENV joined");
	is_int(instr(df, 0, 2)->line, 10, "LABEL line");
	dockerfile_free(df);

	df = parse_ok("# escape=`\n"
		      "FROM mcr/windows\n"
		      "RUN dir c:\\ `\n"
		      "    && echo `\"hi`\"\n"
		      "COPY a\\b c:\\dest\\\n",
		      "escape=` continuations");
	if (df) {
		is_int(df->escape, '`', "escape is backtick");
		is_str(instr(df, 0, 0)->original, "RUN dir c:\\     && echo `\"hi`\"",
		       "backslash is literal, backtick continues");
		is_str(instr(df, 0, 1)->rest, "a\\b c:\\dest\\", "trailing backslash is no continuation");
		dockerfile_free(df);
	}
	df = parse_ok("#syntax=docker/dockerfile:1\n"
		      "# escape = \\\n"
		      "FROM x\n",
		      "syntax directive ignored, escape with spaces");
	dockerfile_free(df);
	df = parse_ok("# some comment\n# escape=`\nFROM x\nRUN a \\\n",
		      "escape after a comment is a comment");
	if (df) {
		is_int(df->escape, '\\', "escape unchanged");
		dockerfile_free(df);
	}
	df = parse_ok("\n# escape=`\nFROM x\n", "escape after a blank line is a comment");
	if (df) {
		is_int(df->escape, '\\', "escape unchanged after blank line");
		dockerfile_free(df);
	}
	parse_bad("# escape=x\nFROM x\n", "Dockerfile:1: invalid escape token 'x'", "bad escape");
	parse_bad("# escape=`\n# escape=\\\nFROM x\n", "Dockerfile:2: only one escape parser directive",
		  "two escape directives");
	df = parse_ok("FROM x\nRUN echo a\\\\\nUSER b\nRUN x \\\n\\\n y\n",
		      "double escape at end is no continuation");
	if (df) {
		is_str(instr(df, 0, 0)->rest, "echo a\\\\", "two backslashes kept");
		is_int(instr(df, 0, 1)->kind, DF_USER, "next line is its own instruction");
		is_str(instr(df, 0, 2)->rest, "x  y", "a lone escape line continues");
		dockerfile_free(df);
	}
	df = parse_ok("# escape=`\nFROM x\nCOPY --chown=a`:b x y\n", "flags honour the escape character");
	if (df) {
		is_str(df_flag_get(instr(df, 0, 0), "chown"), "a:b", "escaped flag value");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\nRUN a \\", "continuation at end of file");
	if (df) {
		is_str(instr(df, 0, 0)->rest, "a", "dangling continuation");
		dockerfile_free(df);
	}
}

static void instructions(void)
{
	struct dockerfile *df = parse_ok(
		"FROM x\n"
		"HEALTHCHECK --interval=30s --timeout=1m30s --start-period=5s --start-interval=1s --retries=3 CMD curl -f http://localhost/\n"
		"HEALTHCHECK NONE\n"
		"HEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n"
		"ONBUILD RUN echo triggered\n"
		"ONBUILD COPY --from=x a b\n"
		"ENV A=1 B=\"two words\" C=\n"
		"ENV LEGACY value with spaces\n"
		"LABEL a=b \"c\"=d\n"
		"ARG V1 V2=x\n",
		"healthcheck, onbuild, env, label, arg");
	if (!df)
		return;
	const struct df_instr *in = instr(df, 0, 0);
	is_int(in->kind, DF_HEALTHCHECK, "HEALTHCHECK");
	is_int(in->nflags, 5, "five HEALTHCHECK flags");
	is_str(df_flag_get(in, "timeout"), "1m30s", "timeout");
	is_str(df_flag_get(in, "retries"), "3", "retries");
	is_str(in->rest, "CMD curl -f http://localhost/", "rest");
	is_str(in->hc_cmd, "curl -f http://localhost/", "hc_cmd");
	ok(!in->json, "shell form check");
	in = instr(df, 0, 1);
	is_str(in->rest, "NONE", "NONE");
	ok(in->hc_cmd == NULL, "NONE has no command");
	in = instr(df, 0, 2);
	ok(in->json && strv_len(in->argv) == 2, "HEALTHCHECK CMD exec form");
	in = instr(df, 0, 3);
	ok(in->kind == DF_ONBUILD && in->inner && in->inner->kind == DF_RUN, "ONBUILD RUN");
	is_str(in->inner ? in->inner->rest : NULL, "echo triggered", "inner rest");
	is_str(in->inner ? in->inner->original : NULL, "RUN echo triggered", "inner original");
	in = instr(df, 0, 4);
	is_str(df_flag_get(in->inner, "from"), "x", "inner flags parsed");

	struct df_vars vars = { var_get, (void *)VARS };
	struct err e = ERR_INIT;
	char **k = NULL, **v = NULL;
	size_t n = 0;
	in = instr(df, 0, 5);
	ok(df_pairs(in, df->escape, &vars, &k, &v, &n, &e) == 0, "ENV pairs");
	is_int(n, 3, "three pairs");
	if (n == 3) {
		is_str(k[1], "B", "key");
		is_str(v[1], "two words", "quoted value");
		is_str(v[2], "", "empty value");
		ok(k[3] == NULL, "keys NULL-terminated");
	}
	for (size_t i = 0; i < n; i++)
		free(k[i]), free(v[i]);
	free(k), free(v);
	in = instr(df, 0, 6);
	ok(df_pairs(in, df->escape, &vars, &k, &v, &n, &e) == 0 && n == 1, "legacy ENV");
	if (n == 1) {
		is_str(k[0], "LEGACY", "legacy key");
		is_str(v[0], "value with spaces", "legacy value is the rest");
	}
	for (size_t i = 0; i < n; i++)
		free(k[i]), free(v[i]);
	free(k), free(v);
	in = instr(df, 0, 7);
	ok(df_pairs(in, df->escape, &vars, &k, &v, &n, &e) == 0 && n == 2, "LABEL pairs");
	if (n == 2)
		is_str(k[1], "\"c\"", "keys are not expanded");
	for (size_t i = 0; i < n; i++)
		free(k[i]), free(v[i]);
	free(k), free(v);
	in = instr(df, 0, 8);
	ok(df_pairs(in, df->escape, &vars, &k, &v, &n, &e) == 0 && n == 2, "ARG pairs");
	if (n == 2) {
		is_str(k[0], "V1", "bare ARG key");
		ok(v[0] == NULL, "bare ARG has NULL value");
		is_str(v[1], "x", "ARG default");
	}
	for (size_t i = 0; i < n; i++)
		free(k[i]), free(v[i]);
	free(k), free(v);
	ok(df_pairs(instr(df, 0, 3), '\\', &vars, &k, &v, &n, &e) < 0, "df_pairs refuses ONBUILD");
	err_clear(&e);
	dockerfile_free(df);

	/* expansion of pair values */
	df = parse_ok("FROM x\nENV P=${A}-$B-'$A' Q=\"$SP\"\nARG D=${NOPE:-dflt}\n", "pairs with vars");
	if (df) {
		ok(df_pairs(instr(df, 0, 0), '\\', &vars, &k, &v, &n, &e) == 0 && n == 2, "ENV with vars");
		if (n == 2) {
			is_str(v[0], "a-bee-$A", "expanded, single quotes literal");
			is_str(v[1], "x  y", "double quotes keep spaces");
		}
		for (size_t i = 0; i < n; i++)
			free(k[i]), free(v[i]);
		free(k), free(v);
		ok(df_pairs(instr(df, 0, 1), '\\', &vars, &k, &v, &n, &e) == 0 && n == 1, "ARG with default");
		if (n == 1)
			is_str(v[0], "dflt", "ARG default expanded");
		for (size_t i = 0; i < n; i++)
			free(k[i]), free(v[i]);
		free(k), free(v);
		dockerfile_free(df);
	}

	parse_bad("FROM x\nRUNN echo\n", "Dockerfile:2: unknown instruction: RUNN", "typo");
	parse_bad("FROM x\nfoo\n", "Dockerfile:2: unknown instruction: FOO", "lower-case unknown");
	parse_bad("FROM x\nRUN\n", "Dockerfile:2: RUN requires at least one argument", "bare RUN");
	parse_bad("FROM x\nRUN []\n", "RUN requires at least one argument", "RUN []");
	parse_bad("FROM x\nCMD\n", "CMD requires at least one argument", "bare CMD");
	parse_bad("FROM x\nCOPY onlyone\n", "COPY requires at least two arguments", "COPY one arg");
	parse_bad("FROM x\nADD [\"a\"]\n", "ADD requires at least two arguments", "ADD JSON one arg");
	parse_bad("FROM x\nSHELL /bin/sh -c\n", "SHELL requires the arguments to be in JSON form",
		  "SHELL shell form");
	parse_bad("FROM x\nSHELL []\n", "SHELL requires at least one argument", "SHELL []");
	parse_bad("FROM x\nCMD [\"a\", 1]\n", "arrays must be comprised of strings only", "non-string JSON");
	parse_bad("FROM x\nCMD [\"a\", \"b\"\n", "Dockerfile:2: CMD: invalid JSON", "unterminated JSON");
	parse_bad("FROM x\nENTRYPOINT [\"a\\u0000b\"]\n", "strings only", "JSON string with NUL");
	parse_bad("FROM x\nVOLUME [\"\"]\n", "VOLUME specified can not be an empty string", "empty VOLUME");
	parse_bad("FROM x\nENV\n", "ENV requires at least one argument", "bare ENV");
	parse_bad("FROM x\nENV A\n", "ENV must have two arguments", "ENV one word");
	parse_bad("FROM x\nENV A=1 B\n", "can't find = in \"B\"", "ENV mixed forms");
	parse_bad("FROM x\nENV =1\n", "Dockerfile:2: ENV names can not be blank", "ENV blank name");
	parse_bad("FROM x\nARG =1\n", "ARG names can not be blank", "ARG blank name");
	parse_bad("FROM x\nLABEL a=\"b\n",
		  "Dockerfile:2: unexpected end of statement while looking for matching double-quote",
		  "LABEL unterminated quote");
	parse_bad("FROM x\nWORKDIR\n", "WORKDIR requires exactly one argument", "bare WORKDIR");
	parse_bad("FROM x\nUSER\n", "USER requires exactly one argument", "bare USER");
	parse_bad("FROM x\nEXPOSE\n", "EXPOSE requires at least one argument", "bare EXPOSE");
	parse_bad("FROM x\nSTOPSIGNAL\n", "STOPSIGNAL requires exactly one argument", "bare STOPSIGNAL");
	parse_bad("FROM x\nWORKDIR ${A\n", "Dockerfile:2: WORKDIR: syntax error: missing '}'",
		  "WORKDIR bad ${");
	parse_bad("FROM x\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments", "NONE with args");
	parse_bad("FROM x\nHEALTHCHECK RUN x\n", "unknown type \"RUN\" in HEALTHCHECK",
		  "bad HEALTHCHECK type");
	parse_bad("FROM x\nHEALTHCHECK CMD\n", "HEALTHCHECK CMD requires a command", "CMD without command");
	parse_bad("FROM x\nHEALTHCHECK --interval=5 CMD x\n", "invalid duration for --interval",
		  "duration without unit");
	parse_bad("FROM x\nHEALTHCHECK --timeout=-1s CMD x\n", "--timeout cannot be negative",
		  "negative duration");
	parse_bad("FROM x\nHEALTHCHECK --interval=10us CMD x\n", "cannot be less than 1ms", "too short");
	parse_bad("FROM x\nHEALTHCHECK --retries=-2 CMD x\n", "--retries cannot be negative",
		  "negative retries");
	parse_bad("FROM x\nHEALTHCHECK --retries=x CMD x\n", "invalid --retries", "bad retries");
	parse_bad("FROM x\nHEALTHCHECK --foo=1 CMD x\n", "unknown flag: foo", "bad HEALTHCHECK flag");
	parse_bad("FROM x\nONBUILD ONBUILD RUN x\n", "ONBUILD ONBUILD is not allowed", "nested ONBUILD");
	parse_bad("FROM x\nONBUILD FROM y\n", "FROM isn't allowed as an ONBUILD trigger", "ONBUILD FROM");
	parse_bad("FROM x\nONBUILD MAINTAINER y\n", "MAINTAINER isn't allowed", "ONBUILD MAINTAINER");
	parse_bad("FROM x\nONBUILD RUNX y\n", "Dockerfile:2: unknown instruction: RUNX", "ONBUILD unknown");
	parse_bad("FROM x\nONBUILD\n", "ONBUILD requires at least one argument", "bare ONBUILD");
	parse_bad("FROM x\n\n\n\nRUN --mount\n", "Dockerfile:5: RUN: missing a value on flag: mount",
		  "line numbers count blank lines");
	df = parse_ok("FROM x\nHEALTHCHECK --interval=0 --timeout= --retries=0 CMD true\n", "zero durations");
	dockerfile_free(df);
}

static void heredocs(void)
{
	struct dockerfile *df = parse_ok("FROM x\n"
					 "RUN <<EOF\n"
					 "echo $HOME\n"
					 "  indented\n"
					 "EOF\n"
					 "COPY <<-\"END\" <<'two' /dest/\n"
					 "\t\tfirst $X\n"
					 "\tEND\n"
					 "second\n"
					 "two\n"
					 "RUN cat <<A > /a && cat <<B > /b\n"
					 "a body\n"
					 "A\n"
					 "B\n"
					 "RUN echo \"<<NOT\" a<<NOT2\n"
					 "ADD <<EOF /x\n"
					 "\n"
					 "EOF\n"
					 "RUN [\"cat\", \"<<EOF\"]\n"
					 "USER me\n",
					 "heredocs");
	if (!df)
		return;
	const struct df_instr *in = instr(df, 0, 0);
	is_int(in->nheredocs, 1, "one heredoc");
	if (in->nheredocs == 1) {
		is_str(in->heredocs[0].name, "EOF", "name");
		is_str(in->heredocs[0].body, "echo $HOME\n  indented\n", "body");
		ok(in->heredocs[0].expand, "unquoted delimiter expands");
	}
	is_str(in->original, "RUN <<EOF", "original has no body");
	is_str(in->rest, "<<EOF", "rest");
	in = instr(df, 0, 1);
	is_int(in->nheredocs, 2, "two heredocs on one line");
	if (in->nheredocs == 2) {
		is_str(in->heredocs[0].name, "END", "quoted name");
		is_str(in->heredocs[0].body, "first $X\n", "<<- strips leading tabs");
		ok(!in->heredocs[0].expand, "\"END\" does not expand");
		is_str(in->heredocs[1].name, "two", "second name");
		is_str(in->heredocs[1].body, "second\n", "second body");
		ok(!in->heredocs[1].expand, "'two' does not expand");
	}
	is_int(in->line, 6, "COPY line");
	in = instr(df, 0, 2);
	is_int(in->nheredocs, 2, "two heredocs with redirections");
	if (in->nheredocs == 2) {
		is_str(in->heredocs[0].body, "a body\n", "first");
		is_str(in->heredocs[1].body, "", "empty body");
	}
	in = instr(df, 0, 3);
	is_int(in->nheredocs, 0, "quoted and glued << are not heredocs");
	in = instr(df, 0, 4);
	ok(in->nheredocs == 1 && strcmp(in->heredocs[0].body, "\n") == 0, "ADD heredoc with a blank line");
	in = instr(df, 0, 5);
	ok(in->json && in->nheredocs == 0, "no heredocs in exec form");
	in = instr(df, 0, 6);
	ok(in && in->kind == DF_USER && in->line == 20, "line numbers continue after heredocs");
	dockerfile_free(df);

	df = parse_ok("FROM x\nRUN <<EOF\r\nbody\r\nEOF\r\n", "CRLF heredoc");
	if (df) {
		is_int(instr(df, 0, 0)->nheredocs, 1, "CRLF terminator found");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\nONBUILD RUN <<EOF\nhello\nEOF\nUSER u\n", "heredoc under ONBUILD");
	if (df) {
		const struct df_instr *ob = instr(df, 0, 0);
		ok(ob->inner && ob->inner->nheredocs == 1 &&
			   strcmp(ob->inner->heredocs[0].body, "hello\n") == 0,
		   "ONBUILD RUN heredoc body on the inner instruction");
		is_int(instr(df, 0, 1)->line, 5, "line after the ONBUILD heredoc");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\nRUN 2<<EOF cat <<-\"X Y\"\none\nEOF\n\tX Y\n",
		      "fd heredoc and quoted name with space");
	if (df) {
		const struct df_instr *h = instr(df, 0, 0);
		ok(h->nheredocs == 2 && strcmp(h->heredocs[1].name, "X Y") == 0, "names EOF and \"X Y\"");
		dockerfile_free(df);
	}
	df = parse_ok("FROM x\nENV A <<EOF\n", "no heredocs on ENV");
	dockerfile_free(df);
	parse_bad("FROM x\nRUN <<EOF\nbody\n", "Dockerfile:2: unterminated heredoc <<EOF",
		  "unterminated heredoc");
	parse_bad("FROM x\nRUN <<A <<B\nA\nbody\n", "Dockerfile:2: unterminated heredoc <<B",
		  "second one unterminated");
}

static void expansion(void)
{
	expand_is("plain", '\\', "plain");
	expand_is("$A", '\\', "a");
	expand_is("${A}", '\\', "a");
	expand_is("${A}x$B.y", '\\', "axbee.y");
	expand_is("$NOPE|${NOPE}", '\\', "|");
	expand_is("${NOPE:-def}", '\\', "def");
	expand_is("${EMPTY:-def}", '\\', "def");
	expand_is("${EMPTY-def}", '\\', "");
	expand_is("${NOPE-def}", '\\', "def");
	expand_is("${A:-def}", '\\', "a");
	expand_is("${A:+alt}", '\\', "alt");
	expand_is("${EMPTY:+alt}", '\\', "");
	expand_is("${EMPTY+alt}", '\\', "alt");
	expand_is("${NOPE+alt}", '\\', "");
	expand_is("${NOPE:-${B}}", '\\', "bee");
	expand_is("${NOPE:-${NADA:-deep}}", '\\', "deep");
	expand_is("${NOPE:-a b}", '\\', "a b");
	expand_is("${NOPE:-\"q}\"}", '\\', "q}");
	expand_is("${NOPE:-x\\}y}", '\\', "x}y");
	expand_is("'$A'", '\\', "$A");
	expand_is("\"$A\"", '\\', "a");
	expand_is("\"'$A'\"", '\\', "'a'");
	expand_is("'\"$A\"'", '\\', "\"$A\"");
	expand_is("\\$A", '\\', "$A");
	expand_is("\\\\$A", '\\', "\\a");
	expand_is("a\\ b", '\\', "a b");
	expand_is("\"a\\\"b\\$c\\\\d\\e\"", '\\', "a\"b$c\\d\\e");
	expand_is("`$A", '`', "$A");
	expand_is("c:\\dir\\$A", '`', "c:\\dir\\a");
	expand_is("\"`\"x`\"\"", '`', "\"x\"");
	expand_is("$", '\\', "$");
	expand_is("a$", '\\', "a$");
	expand_is("$-x", '\\', "x");
	expand_is("$1x", '\\', "x");
	expand_is("$A$B", '\\', "abee");
	expand_is("${A}_${B}", '\\', "a_bee");
	expand_is("$A_B", '\\', "");
	expand_is("$Q", '\\', "'q'");
	expand_is("trailing\\", '\\', "trailing");
	expand_is("", '\\', "");

	expand_bad("'open", "matching single-quote");
	expand_bad("\"open", "matching double-quote");
	expand_bad("${A", "missing '}'");
	expand_bad("${A:-x", "missing '}'");
	expand_bad("${", "missing '}'");
	expand_bad("${}", "bad substitution");
	expand_bad("${:-x}", "bad substitution");
	expand_bad("${A%x}", "unsupported modifier");
	expand_bad("${A:=x}", "unsupported modifier");
	expand_bad("${NOPE?must be set}", "NOPE: must be set");
	expand_bad("${EMPTY:?}", "EMPTY: is not allowed to be empty");
	expand_bad("${NOPE?}", "NOPE: is not allowed to be unset");
	expand_is("${EMPTY?}", '\\', "");
	expand_is("${A:?x}", '\\', "a");

	/* vars == NULL: nothing expands, quotes still go */
	char *out = NULL;
	struct err e = ERR_INIT;
	ok(df_expand("'$A' \"${B:-x}\" $C", '\\', NULL, &out, &e) == 0, "expand without vars");
	is_str(out, "$A ${B:-x} $C", "variables kept as written");
	free(out);
	ok(df_expand("x", 'q', NULL, &out, &e) < 0, "bad escape character");
	err_clear(&e);

	words_is("a b  c", '\\', "a|b|c");
	words_is("  lead and trail  ", '\\', "lead|and|trail");
	words_is("\"a b\" 'c d' e\\ f", '\\', "a b|c d|e f");
	words_is("$SP", '\\', "x|y");
	words_is("\"$SP\"", '\\', "x  y");
	words_is("pre$SP", '\\', "prex|y");
	words_is("src/ \"/dest dir/\"", '\\', "src/|/dest dir/");
	words_is("\"\" x", '\\', "x");
	words_is("${NOPE:-a b} c", '\\', "a|b|c");
	words_is("", '\\', "");
	words_is("80/tcp 443/udp", '\\', "80/tcp|443/udp");
	words_is("c:\\a `\"q r`\"", '`', "c:\\a|\"q|r\"");
	char **w = NULL;
	ok(df_words("a 'b", '\\', NULL, &w, &e) < 0 && !w, "words: unterminated quote fails");
	err_clear(&e);
}

static void hostile(void)
{
	/* NUL byte */
	static const char nul[] = "FROM x\nRUN a\0b\n";
	parse_bad_n(nul, sizeof nul - 1, "Dockerfile:2: NUL byte", "NUL byte");

	/* bigger than DF_MAX_SIZE */
	size_t big = 10u << 20;
	char *t = xmalloc(big);
	memset(t, '#', big);
	t[0] = 'F', t[1] = 'R', t[2] = 'O', t[3] = 'M', t[4] = ' ', t[5] = 'x', t[6] = '\n';
	parse_bad_n(t, big, "more than the limit", "10 MB input");

	/* a line of 1 MB */
	size_t ml = 1u << 20;
	memcpy(t, "FROM x\nRUN ", 11);
	memset(t + 11, 'a', ml);
	t[11 + ml] = '\n';
	t[12 + ml] = '\0';
	struct dockerfile *df = parse_ok(t, "1 MB line");
	if (df)
		is_int(strlen(instr(df, 0, 0)->rest), ml, "1 MB rest");
	dockerfile_free(df);
	/* a 1 MB word expanded */
	char *out = NULL;
	struct err e = ERR_INIT;
	ok(df_expand(t + 11, '\\', NULL, &out, &e) == 0 && strlen(out) == ml + 1, "1 MB expansion");
	free(out);

	/* 100k continuation lines, timed to catch quadratic behaviour */
	size_t pos = 0;
	pos += (size_t)sprintf(t, "FROM x\nRUN true");
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, " \\\n a%d", i % 10);
	t[pos++] = '\n';
	t[pos] = '\0';
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	df = parse_ok(t, "100k continuation lines");
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	ok(ms < 2000, "100k continuations parse in %.0f ms", ms);
	if (df)
		ok(strlen(instr(df, 0, 0)->rest) > 300000, "all lines joined");
	dockerfile_free(df);

	/* 100k comment lines inside one continuation */
	pos = (size_t)sprintf(t, "FROM x\nRUN a \\\n");
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, "# c\n");
	sprintf(t + pos, "b\n");
	df = parse_ok(t, "100k comments in a continuation");
	if (df)
		is_str(instr(df, 0, 0)->rest, "a b", "comments dropped");
	dockerfile_free(df);

	/* many instructions */
	pos = (size_t)sprintf(t, "FROM x\n");
	for (int i = 0; i < 50000; i++)
		pos += (size_t)sprintf(t + pos, "ENV A%d=%d\n", i, i);
	df = parse_ok(t, "50k instructions");
	if (df)
		is_int(df->stages[0].ninstrs, 50000, "all 50k kept");
	dockerfile_free(df);
	pos = (size_t)sprintf(t, "FROM x\n");
	for (int i = 0; i < 200000; i++)
		pos += (size_t)sprintf(t + pos, "USER a\n");
	parse_bad(t, "more than 100000 instructions", "too many instructions");

	/* a big heredoc body */
	pos = (size_t)sprintf(t, "FROM x\nRUN <<EOF\n");
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, "line %d\n", i);
	pos += (size_t)sprintf(t + pos, "EOF\n");
	df = parse_ok(t, "100k-line heredoc");
	dockerfile_free(df);
	/* an unterminated heredoc at the end of a big file */
	t[pos - 4] = '\0';
	parse_bad(t, "Dockerfile:2: unterminated heredoc", "big unterminated heredoc");

	/* 100k heredocs on one line, each with its terminator */
	pos = (size_t)sprintf(t, "FROM x\nRUN cat");
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, " <<E");
	t[pos++] = '\n';
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, "b\nE\n");
	t[pos] = '\0';
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	df = parse_ok(t, "100k heredocs on one line");
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	ok(ms < 3000, "100k heredocs parse in %.0f ms", ms);
	if (df)
		is_int(instr(df, 0, 0)->nheredocs, 100000, "all heredocs read");
	dockerfile_free(df);
	t[pos - 2] = '\0';
	parse_bad(t, "unterminated heredoc <<E", "last of 100k heredocs unterminated");

	/* deeply nested ${...} */
	pos = 0;
	for (int i = 0; i < 100; i++)
		pos += (size_t)sprintf(t + pos, "${v%d:-", i);
	pos += (size_t)sprintf(t + pos, "x");
	for (int i = 0; i < 100; i++)
		t[pos++] = '}';
	t[pos] = '\0';
	ok(df_expand(t, '\\', NULL, &out, &e) < 0 && e.msg && strstr(e.msg, "nested"),
	   "100-deep nesting fails cleanly");
	err_clear(&e);
	pos = 0;
	for (int i = 0; i < 60; i++)
		pos += (size_t)sprintf(t + pos, "${v%d:-", i);
	pos += (size_t)sprintf(t + pos, "x");
	for (int i = 0; i < 60; i++)
		t[pos++] = '}';
	t[pos] = '\0';
	struct df_vars vars = { var_get, (void *)VARS };
	ok(df_expand(t, '\\', &vars, &out, &e) == 0 && strcmp(out, "x") == 0, "60-deep nesting works");
	free(out);
	err_clear(&e);
	/* the same inside a Dockerfile */
	pos = (size_t)sprintf(t, "FROM x\nWORKDIR /");
	for (int i = 0; i < 60; i++)
		pos += (size_t)sprintf(t + pos, "${v%d:-", i);
	for (int i = 0; i < 60; i++)
		t[pos++] = '}';
	t[pos] = '\0';
	df = parse_ok(t, "60-deep nesting in WORKDIR");
	dockerfile_free(df);
	pos = (size_t)sprintf(t, "FROM x\nWORKDIR /");
	for (int i = 0; i < 70; i++)
		pos += (size_t)sprintf(t + pos, "${v%d:-", i);
	for (int i = 0; i < 70; i++)
		t[pos++] = '}';
	t[pos] = '\0';
	parse_bad(t, "Dockerfile:2: WORKDIR: substitution nested more than 64 deep",
		  "70-deep nesting in WORKDIR");
	/* 100k unterminated ${ */
	pos = (size_t)sprintf(t, "FROM x\nUSER ");
	for (int i = 0; i < 100000; i++)
		pos += (size_t)sprintf(t + pos, "${");
	parse_bad(t, "Dockerfile:2: USER:", "100k ${");

	/* deep JSON */
	pos = (size_t)sprintf(t, "FROM x\nCMD ");
	for (int i = 0; i < 100000; i++)
		t[pos++] = '[';
	t[pos] = '\0';
	df = parse_ok(t, "deep [[[ is a shell form");
	dockerfile_free(df);
	pos = (size_t)sprintf(t, "FROM x\nCMD [\"");
	for (int i = 0; i < 100000; i++)
		t[pos++] = 'a';
	t[pos] = '\0';
	parse_bad(t, "invalid JSON", "long unterminated JSON string");

	/* long unknown keyword is cut in the message */
	memset(t, 'Z', 100000);
	t[100000] = '\0';
	parse_bad(t, "unknown instruction: ZZZZ", "100k keyword");
	struct dockerfile *d2 = NULL;
	dockerfile_parse(t, strlen(t), "Dockerfile", &d2, &e);
	ok(e.msg && strlen(e.msg) < 200, "message stays short");
	err_clear(&e);
	parse_bad("\x01\x02\xff\n", "unknown instruction: \\x01\\x02\\xff", "control bytes shown escaped");
	df = parse_ok("FROM x\nRUN \"unterminated <<EOF\n", "RUN with an unterminated quote: no heredoc");
	if (df)
		is_int(instr(df, 0, 0)->nheredocs, 0, "no heredoc read");
	dockerfile_free(df);
	free(t);
}

int main(void)
{
	basics();
	from_and_stages();
	flags();
	continuations();
	instructions();
	heredocs();
	expansion();
	hostile();
	return done_testing();
}
