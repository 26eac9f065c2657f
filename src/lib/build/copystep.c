/* copystep.c - COPY and ADD: sources, --from, --chown, --chmod, the cache
 * key from copy_digest() and the layer from copy_write_tar(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "builder_int.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "mergefs.h"

/* the text of path (e.g. "etc/passwd") in a stack of layers, or NULL */
static char *layer_file(char **lowerdirs, const char *path)
{
	struct mfs fs;
	struct mentry m;
	struct err e = ERR_INIT;
	char *text = NULL;
	int fd;

	memset(&fs, 0, sizeof fs);
	memset(&m, 0, sizeof m);
	if (!lowerdirs || !lowerdirs[0])
		return NULL;
	if (mfs_open_dirs(&fs, lowerdirs, false, true, &e) < 0) {
		err_clear(&e);
		return NULL;
	}
	if (mfs_resolve(&fs, path, true, &m, NULL, &e) == 0 && S_ISREG(m.st.st_mode)) {
		fd = mfs_open(&fs, &m, O_RDONLY, &e);
		if (fd >= 0) {
			if (read_file_at(fd, "", 4 << 20, &text, NULL, &e) < 0) {
				/* read_file_at needs a path: read by hand */
				size_t cap = 1 << 16, len = 0;
				ssize_t n;
				err_clear(&e);
				text = xmalloc(cap + 1);
				while ((n = read(fd, text + len, cap - len)) > 0) {
					len += (size_t)n;
					if (len == cap) {
						if (cap >= (4u << 20))
							break;
						cap *= 2;
						text = xrealloc(text, cap + 1);
					}
				}
				text[len] = '\0';
			}
			close(fd);
		}
	}
	err_clear(&e);
	mentry_clear(&m);
	mfs_close(&fs);
	return text;
}

/* BuildKit expands $V, ${V}, ${V:-x} and ${V:+x} in the body of an
 * unquoted COPY heredoc (quotes stay as they are; \$ is a literal $) */
static char *expand_body(struct builder *b, const char *in)
{
	struct df_vars v = b_vars(b);
	size_t cap = strlen(in) + 64, len = 0;
	char *out = xmalloc(cap);

#define PUT(str, n) \
	do { \
		size_t n_ = (n); \
		if (len + n_ + 1 > cap) { \
			cap = (len + n_ + 1) * 2; \
			out = xrealloc(out, cap); \
		} \
		memcpy(out + len, (str), n_); \
		len += n_; \
	} while (0)
	for (const char *p = in; *p;) {
		if (p[0] == '\\' && p[1] == '$') {
			PUT("$", 1);
			p += 2;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p, '}'), *val;
			_cleanup_free_ char *inner = NULL, *name = NULL;
			char *op;
			if (!end) {
				PUT(p, strlen(p));
				break;
			}
			inner = b_strndup(p + 2, (size_t)(end - p - 2));
			op = strchr(inner, ':');
			name = op ? b_strndup(inner, (size_t)(op - inner)) : xstrdup(inner);
			val = v.get(v.ctx, name);
			if (op && op[1] == '-' && (!val || !*val))
				val = op + 2;
			else if (op && op[1] == '+')
				val = val && *val ? op + 2 : "";
			if (val)
				PUT(val, strlen(val));
			p = end + 1;
		} else if (p[0] == '$' &&
			   (p[1] == '_' || (p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= 'a' && p[1] <= 'z'))) {
			const char *q = p + 1, *val;
			_cleanup_free_ char *name = NULL;
			while (*q == '_' || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
			       (*q >= '0' && *q <= '9'))
				q++;
			name = b_strndup(p + 1, (size_t)(q - p - 1));
			val = v.get(v.ctx, name);
			if (val)
				PUT(val, strlen(val));
			p = q;
		} else {
			PUT(p, 1);
			p++;
		}
	}
#undef PUT
	out[len] = '\0';
	return out;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int resolve_chown(struct builder *b, struct bstage *s, const char *spec, uid_t *uid, gid_t *gid,
			 struct err *e)
{
	_cleanup_free_ char *user = NULL, *passwd = NULL, *group = NULL;
	_cleanup_strv_ char **lower = NULL;
	const char *colon = strchr(spec, ':');
	struct user_spec u;

	user = colon ? b_strndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	if (all_digits(user) && (!colon || all_digits(colon + 1))) {
		*uid = (uid_t)strtoul(user, NULL, 10);
		*gid = colon ? (gid_t)strtoul(colon + 1, NULL, 10) : (gid_t)*uid;
		return 0;
	}
	lower = b_lowerdirs(b, s);
	passwd = layer_file(lower, "etc/passwd");
	group = layer_file(lower, "etc/group");
	memset(&u, 0, sizeof u);
	if (resolve_user_text(passwd, group, spec, &u, e) < 0)
		return err_wrap(e, "--chown=%s", spec);
	*uid = u.uid;
	*gid = u.gid;
	if (!colon && all_digits(user))
		*gid = (gid_t)u.uid;
	user_spec_free(&u);
	return 0;
}

int copy_step(struct builder *b, struct bstage *s, const struct df_instr *in, struct err *e)
{
	_cleanup_strv_ char **words = NULL, **dest_lower = NULL, **src_lower = NULL;
	_cleanup_free_ char *from = NULL, *chown = NULL, *dest = NULL, *body = NULL;
	struct bstage img;
	struct df_vars vars = b_vars(b);
	struct copy_req r;
	struct copy_src src;
	const char *v, *kw = in->kind == DF_ADD ? "ADD" : "COPY";
	size_t n;
	char digest[72], key[65];
	int rc = -1, fd = -1;

	memset(&r, 0, sizeof r);
	memset(&src, 0, sizeof src);
	memset(&img, 0, sizeof img);
	r.instr = kw;
	r.add = in->kind == DF_ADD;
	r.chmod = -1;
	if (in->json) {
		words = strv_dup(in->argv);
	} else if (df_words(in->rest ? in->rest : "", b->df->escape, &vars, &words, e) < 0) {
		return -1;
	}
	n = strv_len(words);
	if (n < 2)
		return err_make(e, 0, "%s requires at least two arguments", kw);
	dest = xstrdup(words[n - 1]);
	free(words[n - 1]);
	words[n - 1] = NULL;
	r.dest = dest;
	if (in->nheredocs && words[0] && strncmp(words[0], "<<", 2) == 0) {
		if (in->nheredocs != 1 || n != 2)
			return err_make(e, 0, "%s with several here-documents is not supported", kw);
		if (in->heredocs[0].expand) {
			body = expand_body(b, in->heredocs[0].body);
			r.heredoc_body = body;
		} else {
			r.heredoc_body = in->heredocs[0].body;
		}
		free(words[0]);
		words[0] = xstrdup(in->heredocs[0].name);
	}
	r.srcs = words;
	{
		const char *wd = cfg_get_str(s->config, "WorkingDir");
		r.workdir = wd && *wd ? wd : "/";
	}
	if ((v = df_flag_get(in, "chmod"))) {
		char *end;
		long m = strtol(v, &end, 8);
		if (!*v || *end || m < 0 || m > 07777)
			return err_make(e, 0, "%s --chmod=%s: not an octal mode", kw, v);
		r.chmod = (int)m;
	}
	if ((v = df_flag_get(in, "chown"))) {
		if (df_expand(v, b->df->escape, &vars, &chown, e) < 0)
			return -1;
		r.chown = true;
		if (resolve_chown(b, s, chown, &r.uid, &r.gid, e) < 0)
			return -1;
	}
	dest_lower = b_lowerdirs(b, s);
	r.dest_lowerdirs = dest_lower;
	src.kind = COPY_FROM_CONTEXT;
	src.ctx = b->o->ctx;
	if ((v = df_flag_get(in, "from"))) {
		int k;
		struct bstage *fs = NULL;
		if (df_expand(v, b->df->escape, &vars, &from, e) < 0)
			return -1;
		k = dockerfile_stage_index(b->df, from);
		if (k >= 0 && (size_t)k < s->index && b->st[k].built) {
			fs = &b->st[k];
		} else {
			if (b_image_stage(b, from, &img, e) < 0)
				goto out;
			fs = &img;
		}
		src_lower = b_lowerdirs(b, fs);
		src.kind = COPY_FROM_LAYERS;
		src.lowerdirs = src_lower;
	} else if (!b->o->ctx) {
		return err_make(e, 0, "%s: no build context", kw);
	}
	if (copy_digest(&r, &src, b->o->idmap, digest, e) < 0)
		goto out;
	b_key(b, s, in, digest, key);
	if (b_cache_try(b, s, key, e)) {
		rc = 0;
		goto out;
	}
	{
		_cleanup_free_ char *dir = xasprintf("%s/layers", store_root(b->o->store));
		fd = tmpfile_in(dir, e);
	}
	if (fd < 0)
		goto out;
	if (copy_write_tar(&r, &src, b->o->idmap, fd, e) < 0)
		goto out;
	{
		_cleanup_free_ char *created = xasprintf("/bin/sh -c #(nop) %s %s in %s ", kw,
							 strncmp(digest, "sha256:", 7) == 0 ? digest + 7
											    : digest,
							 r.dest);
		if (b->o->layers) {
			rc = b_commit_step(b, s, fd, created, key, e);
		} else {
			rc = tar_into_work(b, s, fd, e);
			if (rc == 0)
				rc = b_commit_step(b, s, -1, created, NULL, e);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	json_object_put(img.config);
	free(img.layers);
	return rc;
}
