/* builder.c - see builder.h: stages, steps, the cache and the result. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "builder_int.h"
#include "lib/base/log.h"
#include "lib/store/digest.h"
#include "lib/store/pull.h"
#include "lib/store/ref.h"
#include "lib/base/util.h"

void b_say(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	if (b->o->out_fd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(b->o->out_fd, fmt, ap);
	va_end(ap);
}

const char *build_host_platform(void)
{
	static char buf[96];
	struct utsname u;
	const char *arch;

	if (buf[0])
		return buf;
	uname(&u);
	arch = strcmp(u.machine, "x86_64") == 0    ? "amd64"
	       : strcmp(u.machine, "aarch64") == 0 ? "arm64"
	       : strncmp(u.machine, "arm", 3) == 0 ? "arm"
	       : strcmp(u.machine, "i686") == 0    ? "386"
						   : u.machine;
	snprintf(buf, sizeof buf, "linux/%s", arch);
	return buf;
}

static const char *strv_lookup(char **v, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; v && v[i]; i++)
		if (strncmp(v[i], name, n) == 0 && v[i][n] == '=')
			return v[i] + n + 1;
	return NULL;
}

static void strv_setkv(char ***v, const char *k, const char *val)
{
	size_t n = strlen(k);
	char *kv = xasprintf("%s=%s", k, val);

	for (size_t i = 0; *v && (*v)[i]; i++)
		if (strncmp((*v)[i], k, n) == 0 && (*v)[i][n] == '=') {
			free((*v)[i]);
			(*v)[i] = kv;
			return;
		}
	strv_push(v, kv);
	free(kv);
}

const char *b_build_arg(struct builder *b, const char *name)
{
	for (size_t i = 0; b->o->build_args && b->o->build_args[i]; i++) {
		const char *a = b->o->build_args[i];
		size_t n = strlen(name);
		if (strncmp(a, name, n) == 0 && a[n] == '=') {
			b->arg_used[i] = true;
			return a + n + 1;
		}
	}
	return NULL;
}

/* ENV wins over ARG, as in docker; before the first FROM only the global
 * ARGs exist.  The value points into the config or the strv, which outlive
 * the expansion. */
static const char *vars_get(void *ctx, const char *name)
{
	struct builder *b = ctx;
	json_object *arr;
	size_t n = strlen(name);

	if (!b->cur)
		return strv_lookup(b->meta, name);
	if (json_object_object_get_ex(cfg_obj(b->cur->config), "Env", &arr) &&
	    json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
			if (s && strncmp(s, name, n) == 0 && s[n] == '=')
				return s + n + 1;
		}
	return strv_lookup(b->cur->args, name);
}

struct df_vars b_vars(struct builder *b)
{
	struct df_vars v = { vars_get, b };
	return v;
}

char *b_lowerdir(struct builder *b, const struct bstage *s, size_t i)
{
	for (size_t k = 0; k < b->npending; k++)
		if (b->pending[k] && strcmp(new_layer_chain(b->pending[k]), s->layers[i].chain_id) == 0)
			return new_layer_path(b->o->store, b->pending[k]);
	return store_layer_path(b->o->store, s->layers[i].chain_id);
}

char **b_lowerdirs(struct builder *b, const struct bstage *s)
{
	char **v = xcalloc(s->nlayers + 1, sizeof *v);

	for (size_t i = 0; i < s->nlayers; i++)
		v[i] = b_lowerdir(b, s, s->nlayers - 1 - i);
	return v;
}

/* ---- the cache and the step's image */

void b_key(struct builder *b, struct bstage *s, const struct df_instr *in, const char *extra, char keyhex[65])
{
	struct sha256 *h = sha256_new();
	_cleanup_strv_ char **args = strv_dup(s->args);

	(void)b;
	sha256_update(h, "burrow-build-1\n", 15);
	sha256_update(h, s->image_id[0] ? s->image_id : "scratch",
		      strlen(s->image_id[0] ? s->image_id : "scratch"));
	sha256_update(h, "\n", 1);
	sha256_update(h, in->original, strlen(in->original));
	for (size_t i = 0; i < in->nheredocs; i++) {
		sha256_update(h, "\n<<", 3);
		sha256_update(h, in->heredocs[i].body, strlen(in->heredocs[i].body));
	}
	/* the values of the ARGs in scope (RUN sees them all in its env) */
	for (size_t i = 0; args && args[i]; i++) {
		sha256_update(h, "\nARG ", 5);
		sha256_update(h, args[i], strlen(args[i]) + 1);
	}
	if (extra) {
		sha256_update(h, "\nEXTRA ", 7);
		sha256_update(h, extra, strlen(extra));
	}
	sha256_final_hex(h, keyhex);
}

static int load_image_state(struct builder *b, struct bstage *s, const char *id, struct err *e)
{
	_cleanup_free_ char *txt = NULL;
	struct image *img = NULL;
	json_object *cfg;

	if (store_image_get(b->o->store, id, &img, e) < 0)
		return -1;
	if (store_image_config(b->o->store, img->id, &txt, e) < 0) {
		image_free(img);
		return -1;
	}
	cfg = json_tokener_parse(txt);
	if (!cfg || !json_object_is_type(cfg, json_type_object)) {
		json_object_put(cfg);
		image_free(img);
		return err_make(e, 0, "image %.12s: bad config", id);
	}
	json_object_put(s->config);
	s->config = cfg;
	free(s->layers);
	s->nlayers = img->nlayers;
	s->layers = xcalloc(img->nlayers + 1, sizeof *s->layers);
	memcpy(s->layers, img->layers, img->nlayers * sizeof *s->layers);
	memcpy(s->image_id, img->id, 65);
	s->committed = true;
	image_free(img);
	return 0;
}

int b_cache_try(struct builder *b, struct bstage *s, const char *keyhex, struct err *e)
{
	char id[65];

	if (!b->o->layers || b->o->no_cache)
		return 0;
	if (store_build_cache_get(b->o->store, keyhex, id) < 0)
		return 0;
	if (load_image_state(b, s, id, e) < 0) {
		err_clear(e);
		return 0;
	}
	b_say(b, "--> Using cache %s\n", id);
	if (b->step != b->nsteps)
		b_say(b, "--> %.12s\n", id);
	return 1;
}

static char *config_text(json_object *cfg)
{
	return xstrdup(
		json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void pending_add(struct builder *b, struct new_layer *nl)
{
	b->pending = xrealloc(b->pending, (b->npending + 1) * sizeof *b->pending);
	b->pending[b->npending++] = nl;
}

static int commit_image(struct builder *b, struct bstage *s, char **names, bool intermediate, char id[65],
			struct err *e)
{
	_cleanup_free_ char *txt = config_text(s->config);
	struct built_image bi = { txt,        strlen(txt), s->layers, s->nlayers,
				  b->pending, b->npending, names,     intermediate };

	return store_image_commit_built(b->o->store, b->o->idmap, &bi, id, e);
}

int b_commit_step(struct builder *b, struct bstage *s, int tarfd, const char *created_by, const char *keyhex,
		  struct err *e)
{
	bool last;

	if (tarfd >= 0) {
		struct image_layer l;
		struct new_layer *nl = NULL;
		if (store_layer_from_tar(b->o->store, b->o->idmap, tarfd,
					 s->nlayers ? s->layers[s->nlayers - 1].chain_id : NULL, &l, &nl,
					 e) < 0)
			return -1;
		if (nl)
			pending_add(b, nl);
		s->layers = xrealloc(s->layers, (s->nlayers + 1) * sizeof *s->layers);
		s->layers[s->nlayers++] = l;
		cfg_add_diff_id(s->config, l.diff_id);
	}
	cfg_add_history(s->config, created_by, tarfd < 0);
	s->committed = false;
	if (!b->o->layers)
		return 0;
	{
		char parent[65];
		memcpy(parent, s->image_id, 65);
		if (commit_image(b, s, NULL, true, s->image_id, e) < 0)
			return -1;
		store_image_set_parent(b->o->store, s->image_id, parent);
	}
	s->committed = true;
	if (keyhex && store_build_cache_put(b->o->store, keyhex, s->image_id, e) < 0) {
		log_warn("writing the build cache: %s", e->msg);
		err_clear(e);
	}
	last = b->step == b->nsteps;
	if (!last)
		b_say(b, "--> %.12s\n", s->image_id);
	return 0;
}

/* ---- stages */

static int pull_base(struct builder *b, const char *ref, char id[65], struct err *e)
{
	struct image *img = NULL;
	struct pull_opts po;

	if (b->o->pull != BUILD_PULL_ALWAYS) {
		if (store_image_get(b->o->store, ref, &img, e) == 0) {
			memcpy(id, img->id, 65);
			image_free(img);
			return 0;
		}
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		if (b->o->pull == BUILD_PULL_NEVER)
			return err_make(e, ENOENT, "%s: image not known (and --pull=never)", ref);
	}
	memset(&po, 0, sizeof po);
	po.tls_verify = b->o->tls_verify;
	po.runroot = b->o->cfg->runroot;
	po.search_registries = b->o->cfg->search_registries;
	b_say(b, "Trying to pull %s...\n", ref);
	if (store_pull(b->o->store, b->o->idmap, ref, &po, id, e) < 0)
		return err_wrap(e, "pulling %s", ref);
	return 0;
}

/* an image for COPY --from=<image> or FROM: its layers, pulled if needed */
int b_image_stage(struct builder *b, const char *ref, struct bstage *s, struct err *e)
{
	char id[65];

	if (pull_base(b, ref, id, e) < 0)
		return -1;
	return load_image_state(b, s, id, e);
}

static int check_platform(struct builder *b, const char *raw, struct err *e)
{
	_cleanup_free_ char *p = NULL;
	struct df_vars v = b_vars(b);

	if (!raw)
		return 0;
	if (df_expand(raw, b->df->escape, &v, &p, e) < 0)
		return -1;
	if (*p && strcmp(p, build_host_platform()) != 0 &&
	    !(strncmp(p, build_host_platform(), strlen(build_host_platform())) == 0 &&
	      p[strlen(build_host_platform())] == '/'))
		return err_make(e, 0,
				"platform %s is not supported: burrow builds for the host's "
				"platform %s only",
				p, build_host_platform());
	return 0;
}

static int from_step(struct builder *b, struct bstage *s, struct err *e)
{
	_cleanup_free_ char *base = NULL;
	struct df_vars v;
	int other;

	b->cur = NULL;
	v = b_vars(b);
	if (check_platform(b, s->df->platform, e) < 0)
		return -1;
	if (df_expand(s->df->base, b->df->escape, &v, &base, e) < 0)
		return -1;
	if (!*base)
		return err_make(e, 0, "FROM: the base image name is empty (an unset ARG?)");
	other = dockerfile_stage_index(b->df, base);
	/* only a name (not a number) of an earlier stage refers to a stage */
	if (other >= 0 && (size_t)other < s->index && b->df->stages[other].name &&
	    strcasecmp(b->df->stages[other].name, base) == 0) {
		struct bstage *o = &b->st[other];
		s->config = json_tokener_parse(json_object_to_json_string(o->config));
		s->nlayers = o->nlayers;
		s->layers = xcalloc(o->nlayers + 1, sizeof *s->layers);
		memcpy(s->layers, o->layers, o->nlayers * sizeof *s->layers);
		memcpy(s->image_id, o->image_id, 65);
		s->committed = o->committed;
		return 0;
	}
	if (strcasecmp(base, "scratch") == 0) {
		s->config = cfg_new_scratch();
		s->image_id[0] = '\0';
		s->committed = false;
		return 0;
	}
	if (b_image_stage(b, base, s, e) < 0)
		return -1;
	return 0;
}

static int arg_step(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e)
{
	_cleanup_strv_ char **keys = NULL, **vals = NULL;
	struct df_vars v = b_vars(b);
	size_t n = 0;

	if (df_pairs(in, b->df->escape, &v, &keys, &vals, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *val = b_build_arg(b, keys[i]);
		if (!val)
			val = vals[i];
		if (!val)
			val = strv_lookup(b->meta, keys[i]);
		if (val)
			strv_setkv(&s->args, keys[i], val);
	}
	/* vals may hold NULLs inside: free by count */
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	vals = NULL;
	return 0;
}

static int meta_args(struct builder *b, struct err *e)
{
	const char *plat = build_host_platform();
	const char *slash = strchr(plat, '/');
	_cleanup_free_ char *os = b_strndup(plat, (size_t)(slash - plat));

	strv_setkv(&b->meta, "TARGETPLATFORM", plat);
	strv_setkv(&b->meta, "TARGETOS", os);
	strv_setkv(&b->meta, "TARGETARCH", slash + 1);
	strv_setkv(&b->meta, "TARGETVARIANT", "");
	strv_setkv(&b->meta, "BUILDPLATFORM", plat);
	strv_setkv(&b->meta, "BUILDOS", os);
	strv_setkv(&b->meta, "BUILDARCH", slash + 1);
	strv_setkv(&b->meta, "BUILDVARIANT", "");
	b->cur = NULL;
	for (size_t i = 0; i < b->df->nmeta_args; i++) {
		_cleanup_strv_ char **keys = NULL;
		char **vals = NULL;
		struct df_vars v = b_vars(b);
		size_t n = 0;
		if (df_pairs(&b->df->meta_args[i], b->df->escape, &v, &keys, &vals, &n, e) < 0)
			return -1;
		for (size_t k = 0; k < n; k++) {
			const char *val = b_build_arg(b, keys[k]);
			if (!val)
				val = vals[k];
			if (val)
				strv_setkv(&b->meta, keys[k], val);
			free(vals[k]);
		}
		free(vals);
	}
	return 0;
}

/* which stages the target needs */
static int mark_needed(struct builder *b, size_t target, struct err *e)
{
	b->st[target].needed = true;
	for (size_t i = target + 1; i-- > 0;) {
		struct bstage *s = &b->st[i];
		if (!s->needed)
			continue;
		for (size_t k = 0; k < i; k++)
			if (b->df->stages[k].name && strcasecmp(b->df->stages[k].name, s->df->base) == 0)
				b->st[k].needed = true;
		for (size_t j = 0; j < s->df->ninstrs; j++) {
			const struct df_instr *in = &s->df->instrs[j];
			const char *from;
			int k;
			if (in->kind != DF_COPY && in->kind != DF_ADD)
				continue;
			from = df_flag_get(in, "from");
			if (!from)
				continue;
			k = dockerfile_stage_index(b->df, from);
			if (k >= 0 && (size_t)k >= i)
				return err_make(e, 0,
						"%s:%d: COPY --from=%s refers to this stage or a later one",
						b->o->dockerfile_name, in->line, from);
			if (k >= 0)
				b->st[k].needed = true;
		}
	}
	return 0;
}

static int run_instr(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e);

static int build_stage(struct builder *b, struct bstage *s, struct err *e)
{
	b->step++;
	b_say(b, "STEP %d/%d: %s\n", b->step, b->nsteps, s->df->from->original);
	free(b->step_text);
	b->step_text = xstrdup(s->df->from->original);
	if (from_step(b, s, e) < 0)
		return err_wrap(e, "building at STEP \"%s\"", b->step_text);
	b->cur = s;
	for (size_t i = 0; i < s->df->ninstrs; i++) {
		const struct df_instr *in = &s->df->instrs[i];
		b->step++;
		free(b->step_text);
		b->step_text = xstrdup(in->original);
		b_say(b, "STEP %d/%d: %s\n", b->step, b->nsteps, b->step_text);
		if (run_instr(b, s, in, e) < 0)
			return err_wrap(e, "building at STEP \"%s\"", b->step_text);
	}
	if (!b->o->layers && s->work && s->work_dirty) {
		/* the stage's working container becomes its one new layer */
		_cleanup_close_ int fd = -1;
		if (upper_to_tar(b, s, s->workdir_path, &fd, e) < 0)
			return -1;
		if (fd >= 0) {
			json_object *h, *last;
			if (b_commit_step(b, s, fd, "", NULL, e) < 0)
				return -1;
			/* fold the extra history entry into the step before */
			if (json_object_object_get_ex(s->config, "history", &h) &&
			    json_object_array_length(h) >= 2) {
				size_t n = json_object_array_length(h);
				json_object_array_del_idx(h, n - 1, 1);
				last = json_object_array_get_idx(h, n - 2);
				json_object_object_del(last, "empty_layer");
			}
		}
	}
	s->built = true;
	return 0;
}

static int run_instr(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e)
{
	char key[65];

	switch (in->kind) {
	case DF_RUN:
		return run_step(b, s, in, e);
	case DF_COPY:
	case DF_ADD:
		return copy_step(b, s, in, e);
	case DF_ARG:
		if (arg_step(b, s, in, e) < 0)
			return -1;
		break;
	case DF_FROM:
		return err_make(e, 0, "FROM inside a stage");
	case DF_ENV:
	case DF_WORKDIR:
	case DF_EXPOSE:
	case DF_CMD:
	case DF_ENTRYPOINT:
	case DF_LABEL:
	case DF_USER:
	case DF_VOLUME:
	case DF_SHELL:
	case DF_STOPSIGNAL:
	case DF_HEALTHCHECK:
	case DF_ONBUILD:
	case DF_MAINTAINER:
	default:
		break;
	}
	b_key(b, s, in, NULL, key);
	if (b_cache_try(b, s, key, e))
		return 0;
	if (in->kind != DF_ARG && cfg_apply(b, in, e) < 0)
		return -1;
	{
		_cleanup_free_ char *by = cfg_nop_text(in);
		_cleanup_close_ int fd = -1;
		if (in->kind == DF_WORKDIR &&
		    workdir_layer(b, s, cfg_get_str(s->config, "WorkingDir"), &fd, e) < 0)
			return -1;
		if (fd >= 0 && !b->o->layers) {
			if (tar_into_work(b, s, fd, e) < 0)
				return -1;
			close(fd);
			fd = -1;
		}
		return b_commit_step(b, s, fd, by, key, e);
	}
}

static void stage_free(struct builder *b, struct bstage *s)
{
	json_object_put(s->config);
	free(s->layers);
	strv_free(s->args);
	if (s->work)
		store_tmp_discard(b->o->store, b->o->idmap, s->work);
	free(s->workdir_path);
}

static int add_labels(struct builder *b, struct bstage *s, struct err *e)
{
	json_object *c = cfg_obj(s->config), *l;

	if (!b->o->labels || !b->o->labels[0])
		return 0;
	if (!json_object_object_get_ex(c, "Labels", &l) || !json_object_is_type(l, json_type_object)) {
		l = json_object_new_object();
		json_object_object_add(c, "Labels", l);
	}
	for (size_t i = 0; b->o->labels[i]; i++) {
		const char *eq = strchr(b->o->labels[i], '=');
		_cleanup_free_ char *k = eq ? b_strndup(b->o->labels[i], (size_t)(eq - b->o->labels[i]))
					    : xstrdup(b->o->labels[i]);
		if (!*k)
			return err_make(e, 0, "--label %s: empty key", b->o->labels[i]);
		json_object_object_add(l, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	s->committed = false;
	return 0;
}

static int finish(struct builder *b, struct bstage *s, char **names, char id[65], struct err *e)
{
	const char *first = b->o->tags && b->o->tags[0] ? b->o->tags[0] : NULL;

	if (add_labels(b, s, e) < 0)
		return -1;
	b_say(b, "COMMIT%s%s\n", first ? " " : "", first ? first : "");
	if (s->committed && s->image_id[0]) {
		memcpy(id, s->image_id, 65);
		store_image_unmark_intermediate(b->o->store, id);
		for (size_t i = 0; names && names[i]; i++)
			if (store_image_tag(b->o->store, id, names[i], e) < 0)
				return -1;
	} else {
		_cleanup_free_ char *now = cfg_now();
		json_object_object_add(s->config, "created", json_object_new_string(now));
		if (commit_image(b, s, names, false, id, e) < 0)
			return -1;
		if (b->o->layers)
			store_image_set_parent(b->o->store, id, s->image_id);
	}
	b_say(b, "--> %.12s\n", id);
	for (size_t i = 0; names && names[i]; i++)
		b_say(b, "Successfully tagged %s\n", names[i]);
	return 0;
}

int build_run(const struct build_opts *o, char id[65], struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	struct builder b;
	int target, rc = -1;

	memset(&b, 0, sizeof b);
	b.o = o;
	/* bad names fail before anything runs */
	for (size_t i = 0; o->tags && o->tags[i]; i++) {
		_cleanup_free_ char *n = ref_normalize_new(o->tags[i], e);
		if (!n) {
			e->status = 125;
			return err_wrap(e, "-t %s", o->tags[i]);
		}
		strv_push(&names, n);
	}
	if (o->platform && *o->platform && strcmp(o->platform, build_host_platform()) != 0)
		return err_make(e, 0,
				"--platform %s is not supported: burrow builds for the host's "
				"platform %s only",
				o->platform, build_host_platform());
	if (dockerfile_parse(o->dockerfile, o->dockerfile_len, o->dockerfile_name, &b.df, e) < 0)
		return -1;
	b.arg_used = xcalloc(strv_len(o->build_args) + 1, sizeof *b.arg_used);
	b.nst = b.df->nstages;
	b.st = xcalloc(b.nst + 1, sizeof *b.st);
	for (size_t i = 0; i < b.nst; i++) {
		b.st[i].df = &b.df->stages[i];
		b.st[i].index = i;
	}
	if (o->target) {
		target = dockerfile_stage_index(b.df, o->target);
		if (target < 0) {
			err_make(e, 0, "the target stage \"%s\" is not in %s", o->target, o->dockerfile_name);
			goto out;
		}
	} else {
		target = (int)b.nst - 1;
	}
	if (mark_needed(&b, (size_t)target, e) < 0 || meta_args(&b, e) < 0)
		goto out;
	for (size_t i = 0; i <= (size_t)target; i++)
		if (b.st[i].needed)
			b.nsteps += 1 + (int)b.st[i].df->ninstrs;
	store_build_sweep(o->store, o->idmap);
	rundirs_sweep(&b);
	for (size_t i = 0; i <= (size_t)target; i++) {
		if (!b.st[i].needed)
			continue;
		if (build_stage(&b, &b.st[i], e) < 0)
			goto out;
	}
	if (finish(&b, &b.st[target], names, id, e) < 0)
		goto out;
	for (size_t i = 0; o->build_args && o->build_args[i]; i++)
		if (!b.arg_used[i]) {
			_cleanup_free_ char *k = b_strndup(o->build_args[i], strcspn(o->build_args[i], "="));
			log_warn("one or more build args were not consumed: [%s]", k);
		}
	rc = 0;
out:
	if (rc < 0)
		e->status = 125; /* every build failure, whatever the cause */
	for (size_t i = 0; i < b.nst; i++)
		stage_free(&b, &b.st[i]);
	for (size_t i = 0; i < b.npending; i++)
		new_layer_free(o->store, o->idmap, b.pending[i]);
	free(b.pending);
	free(b.st);
	free(b.arg_used);
	strv_free(b.meta);
	free(b.step_text);
	dockerfile_free(b.df);
	return rc;
}
