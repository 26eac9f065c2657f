/* dockerfile.h - the Dockerfile parser (burrow build).
 *
 * dockerfile_parse() turns the text of a Dockerfile into stages of
 * instructions without running or expanding anything: variable expansion
 * depends on ARG/ENV state that only the builder knows, so each
 * instruction keeps its raw argument text and the builder calls
 * df_words()/df_expand() with its own variable lookup.
 *
 * Handled here: the parser directives at the top (# escape=` and
 * # syntax=, the latter ignored), comments, blank lines, line
 * continuations with the escape character (comment lines inside a
 * continuation are dropped, as docker does), case-insensitive instruction
 * names, --flags before the arguments (--from=x, --chown=u:g, --chmod=0755,
 * --platform=..., --mount=..., --link, --interval=... for HEALTHCHECK),
 * the JSON (exec) form of RUN/CMD/ENTRYPOINT/SHELL/VOLUME/COPY/ADD,
 * heredocs (<<EOF, <<-EOF, <<"EOF") on RUN/COPY/ADD, ONBUILD (the inner
 * instruction is parsed and checked), and the stage structure: ARGs
 * before the first FROM are the global ("meta") args, every FROM opens a
 * stage.
 *
 * Every error names the file, the line and the problem:
 *   "Dockerfile:7: unknown instruction: RUNN"
 * and is reported before anything runs.  Hostile input (NUL bytes, huge
 * lines, unterminated JSON or heredocs, thousands of continuations) must
 * fail cleanly; the whole text is limited to DF_MAX_SIZE.
 */
#ifndef BURROW_BUILD_DOCKERFILE_H
#define BURROW_BUILD_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/error.h"

#define DF_MAX_SIZE (4u << 20)

enum df_kind {
	DF_FROM,
	DF_RUN,
	DF_COPY,
	DF_ADD,
	DF_ENV,
	DF_ARG,
	DF_WORKDIR,
	DF_EXPOSE,
	DF_CMD,
	DF_ENTRYPOINT,
	DF_LABEL,
	DF_USER,
	DF_VOLUME,
	DF_SHELL,
	DF_STOPSIGNAL,
	DF_HEALTHCHECK,
	DF_ONBUILD,
	DF_MAINTAINER,
};

struct df_flag {
	char *name;  /* without the dashes: "from", "chown", "mount" */
	char *value; /* raw, unexpanded; NULL for a flag without "=" (--link) */
};

struct df_heredoc {
	char *name;  /* the delimiter word ("EOF") */
	char *body;  /* the lines between, each ending in "\n"; <<- strips leading tabs */
	bool expand; /* the delimiter was unquoted: $VAR in the body is expanded */
};

struct df_instr {
	enum df_kind kind;
	int line;              /* line of the instruction keyword, 1-based */
	char *keyword;         /* upper case: "RUN" */
	char *original;        /* "RUN apt-get update && ..." continuations joined with
				 * the escape+newline removed, flags included, whitespace
				 * kept as written; heredoc bodies not included.  This is
				 * the history's created_by and part of the cache key. */
	struct df_flag *flags; /* in order */
	size_t nflags;
	bool json;   /* exec form: argv holds the JSON array */
	char **argv; /* exec form only: the JSON array (NULL-terminated) */
	char *rest;  /* shell form: the text after the flags, trimmed; for
				 * exec form the raw JSON text */
	struct df_heredoc *heredocs;
	size_t nheredocs;
	struct df_instr *inner; /* ONBUILD: the instruction it holds (parsed, never FROM,
				 * ONBUILD or MAINTAINER) */
	char *hc_cmd;           /* HEALTHCHECK CMD: the text after "CMD" (json/argv tell
				 * whether it is the exec form); NULL for NONE and for
				 * other instructions.  rest is "CMD ..." or "NONE". */
};

struct df_stage {
	struct df_instr *from;   /* the FROM instruction; rest is "IMAGE [AS name]" */
	char *base;              /* the raw (unexpanded) image word, e.g. "${BASE}:1", "scratch" */
	char *name;              /* "AS name", lower-cased, or NULL */
	char *platform;          /* --platform value, raw, or NULL */
	struct df_instr *instrs; /* the instructions after FROM */
	size_t ninstrs;
};

struct dockerfile {
	char escape;                /* '\\' or '`' */
	struct df_instr *meta_args; /* the ARG instructions before the first FROM */
	size_t nmeta_args;
	struct df_stage *stages;
	size_t nstages;
};

/* Parse text (len bytes; need not be NUL-terminated).  name is used in
 * error messages ("Dockerfile", "build/Dockerfile").  No FROM at all, an
 * instruction other than ARG before the first FROM, an unknown instruction,
 * a missing argument, bad JSON in an exec form, an unterminated heredoc,
 * a duplicate stage name, or a flag the instruction does not take, fail
 * with "NAME:LINE: problem". */
int dockerfile_parse(const char *text, size_t len, const char *name, struct dockerfile **out, struct err *e);
void dockerfile_free(struct dockerfile *df);

/* Look up a stage by name (case-insensitive) or decimal index. -1 if none. */
int dockerfile_stage_index(const struct dockerfile *df, const char *name_or_index);

/* The value of flag name (the last one if it was given several times, as
 * --mount may be: walk in->flags for all), "" for a flag given without "="
 * (--link), NULL if absent. */
const char *df_flag_get(const struct df_instr *in, const char *name);

/* --- expansion ----------------------------------------------------------
 * Variables come from a lookup callback; it returns NULL for an unset
 * variable.  The builder's callback also records which build args were
 * used (for the cache key). */
struct df_vars {
	const char *(*get)(void *ctx, const char *name);
	void *ctx;
};

/* Expand $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt},
 * ${VAR+alt} in s, honouring quotes ('...' is literal, "..." expands) and
 * the escape character, and remove the quotes and escapes: the result is
 * one word even if it holds spaces.  vars == NULL expands nothing (quotes
 * are still removed).  An unterminated quote or ${ is an error. */
int df_expand(const char *s, char escape, const struct df_vars *vars, char **out, struct err *e);

/* Split s into words as docker's shell lexer does (whitespace outside
 * quotes separates), expanding each word as df_expand does.  Used for
 * COPY/ADD sources and destination, EXPOSE, VOLUME, USER, WORKDIR,
 * STOPSIGNAL, FROM.  *words is NULL-terminated. */
int df_words(const char *s, char escape, const struct df_vars *vars, char ***words, struct err *e);

/* ENV, LABEL and ARG arguments: "K=V K2="v 2"" (each V expanded like a
 * word), or the legacy "K V with spaces" form (ENV and LABEL only: one pair,
 * the value is the rest of the line).  ARG also takes a bare "K" (value
 * NULL).  Keys are never expanded; an empty key is an error.
 * *keys and *vals are parallel NULL-terminated arrays (a NULL value in
 * *vals is stored as the pointer NULL: use *n). */
int df_pairs(const struct df_instr *in, char escape, const struct df_vars *vars, char ***keys, char ***vals,
	     size_t *n, struct err *e);

#endif
