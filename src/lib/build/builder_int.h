/* builder_int.h - what the builder's files share (not API). */
#ifndef BURROW_BUILD_BUILDER_INT_H
#define BURROW_BUILD_BUILDER_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "builder.h"
#include "dockerfile.h"
#include "lib/store/buildstore.h"

/* one stage's state: the image config and layers it has reached */
struct bstage {
	struct df_stage *df;
	size_t index;
	bool needed, built;
	json_object *config;        /* the whole OCI image config */
	struct image_layer *layers; /* bottom first */
	size_t nlayers;
	char image_id[65]; /* the image the state is ("" = none yet: scratch) */
	bool committed;    /* image_id matches config/layers */
	char **args;       /* ARGs declared in the stage: "K=V" (V may be empty) */
	bool cmd_set;      /* CMD given in this stage (ENTRYPOINT keeps it) */
	/* layers == false: one working container dir for the whole stage */
	char *workdir_path; /* <root>/layers/.tmp-x (upper/, work/) */
	struct store_tmp *work;
	bool work_dirty;
};

struct builder {
	const struct build_opts *o;
	struct dockerfile *df;
	struct bstage *st;
	size_t nst;
	char **meta;    /* global ARG values "K=V" after --build-arg */
	bool *arg_used; /* per o->build_args entry */
	char **used;    /* variables expanded in the current step */
	struct bstage *cur;
	int step, nsteps;
	char *step_text;            /* "RUN ..." of the current step, for errors */
	struct new_layer **pending; /* layers made by this build, not yet committed */
	size_t npending;
};

/* end a step: tarfd >= 0 adds that tar as a layer; the history entry;
 * with layers the intermediate image is committed and cached under key */
int b_commit_step(struct builder *b, struct bstage *s, int tarfd, const char *created_by, const char *keyhex,
		  struct err *e);
/* 1 on a cache hit (state moved to the cached image), 0 on a miss */
int b_cache_try(struct builder *b, struct bstage *s, const char *keyhex, struct err *e);
/* the step's cache key: parent, the instruction text, the ARGs in scope, extra */
void b_key(struct builder *b, struct bstage *s, const struct df_instr *in, const char *extra,
	   char keyhex[65]);

/* builder.c */
void b_say(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the variables of the current stage (ENV over ARG) for df_expand */
struct df_vars b_vars(struct builder *b);
/* a build arg given with --build-arg, or NULL; marks it used */
const char *b_build_arg(struct builder *b, const char *name);
char *b_lowerdir(struct builder *b, const struct bstage *s, size_t i);
char **b_lowerdirs(struct builder *b, const struct bstage *s);

/* stepcfg.c: the image config */
json_object *cfg_new_scratch(void);
json_object *cfg_obj(json_object *img); /* the "config" object (created if missing) */
const char *cfg_get_str(json_object *img, const char *key);
char **cfg_get_strv(json_object *img, const char *key);
char **cfg_env(json_object *img);
void cfg_env_set(json_object *img, const char *k, const char *v);
void cfg_add_history(json_object *img, const char *created_by, bool empty_layer);
void cfg_add_diff_id(json_object *img, const char *diff_id);
char **cfg_shell(json_object *img);
/* apply a metadata instruction (ENV LABEL EXPOSE CMD ENTRYPOINT WORKDIR USER
 * VOLUME SHELL STOPSIGNAL HEALTHCHECK ONBUILD MAINTAINER) */
int cfg_apply(struct builder *b, const struct df_instr *in, struct err *e);
/* "/bin/sh -c #(nop) ENV A=b" */
char *cfg_nop_text(const struct df_instr *in);

char *cfg_now(void);
char *b_strndup(const char *s, size_t n);
int b_image_stage(struct builder *b, const char *ref, struct bstage *s, struct err *e);

/* runstep.c */
int run_step(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e);
struct run_req {
	char **argv;
	char **env;
	const char *workdir;
	const char *user;
};
/* Run argv in a container over the stage's layers.  *code gets the exit
 * status.  With keep (layers == false), the stage's working dir is used and
 * kept; else a fresh one, turned into a tar in tarfd (-1: an empty upper,
 * *empty set). */
int run_in_stage(struct builder *b, struct bstage *s, const struct run_req *r, int *code, struct err *e);
/* The upper dir of the last run (layers) or the stage's working dir:
 * tar it into a new temp file; *fd -1 if empty. */
int upper_to_tar(struct builder *b, struct bstage *s, const char *ctrdir, int *fd, struct err *e);
/* unpack a tar into the stage's working upper dir (layers == false) */
int tar_into_work(struct builder *b, struct bstage *s, int tarfd, struct err *e);
int stage_work_ensure(struct builder *b, struct bstage *s, struct err *e);
int tmpfile_in(const char *dir, struct err *e);
/* remove the rundirs of killed builds (their scratch dir is gone) */
void rundirs_sweep(struct builder *b);

/* workdir.c: a tar of the directories of path missing from the stage
 * (*fd -1 when none is missing) */
int workdir_layer(struct builder *b, struct bstage *s, const char *path, int *fd, struct err *e);

/* copystep.c */
int copy_step(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e);

#endif
