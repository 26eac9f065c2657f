/* pull.c - store_pull(): a registry image into the store (see pull.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "digest.h"
#include "layers.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "manifest.h"
#include "pull.h"
#include "ref.h"
#include "registry.h"

/* --- the per-image pull lock: two pulls of one image download it once */

static int pull_lock(struct store *s, const char *digest, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("locks/pull-%.64s.lock", digest_hex(digest));

	if (mkdirat(s->rootfd, "locks", 0700) < 0 && errno != EEXIST)
		return err_make(e, errno, "creating %s/locks", s->root);
	for (;;) {
		struct stat a, b;
		int fd = openat(s->rootfd, path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_make(e, errno, "creating %s/%s", s->root, path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				close(fd);
				return err_make(e, errno, "locking %s/%s", s->root, path);
			}
		}
		/* the holder before us may have unlinked it: retry on a new file */
		if (fstat(fd, &a) == 0 && fstatat(s->rootfd, path, &b, 0) == 0 && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
}

static void pull_unlock(struct store *s, const char *digest, int fd)
{
	_cleanup_free_ char *path = xasprintf("locks/pull-%.64s.lock", digest_hex(digest));

	if (fd < 0)
		return;
	unlinkat(s->rootfd, path, 0);
	close(fd);
}

static void progress(const struct pull_opts *o, enum store_progress_event ev, size_t i, size_t n,
		     const char *digest, uint64_t total)
{
	struct store_progress p = { ev, i, n, digest, 0, total };
	if (o->progress)
		o->progress(o->progress_ctx, &p);
}

/* GET a manifest (by tag or digest); verify a digest reference */
static int get_manifest(struct registry *r, const char *repo, const char *ref, char **body, size_t *len,
			char **ctype, char digest[72], struct err *e)
{
	static const char *const hdrs[] = { "Accept: " MANIFEST_ACCEPT, NULL };
	_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", repo, ref);
	struct http_resp resp;
	char hex[65];

	if (registry_request(r, "GET", path, hdrs, NULL, 0, -1, 0, MANIFEST_MAX, &resp, e) < 0) {
		if (e->errnum == EFBIG)
			return err_make(e, EFBIG, "manifest %s is too large (over %u bytes)", ref,
					MANIFEST_MAX);
		return -1;
	}
	if (resp.code != 200) {
		_cleanup_free_ char *what = xasprintf("reading manifest %s in %s/%s", ref, r->name, repo);
		registry_http_error(&resp, what, e);
		http_resp_free(&resp);
		return -1;
	}
	sha256_hex(resp.body ? resp.body : "", resp.len, hex);
	snprintf(digest, 72, "sha256:%s", hex);
	if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, digest) != 0) {
		http_resp_free(&resp);
		return err_make(e, 0, "manifest digest mismatch: asked for %s, got %s", ref, digest);
	}
	*body = resp.body ? steal_ptr(resp.body) : xstrdup("");
	*len = resp.len;
	*ctype = steal_ptr(resp.ctype);
	http_resp_free(&resp);
	return 0;
}

static int get_config(struct registry *r, const char *repo, const struct descriptor *d, char **body,
		      size_t *len, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", repo, d->digest);
	struct http_resp resp;
	char hex[65];

	if (registry_request(r, "GET", path, NULL, NULL, 0, -1, 0, MANIFEST_MAX, &resp, e) < 0)
		return err_wrap(e, "reading the image config");
	if (resp.code != 200) {
		registry_http_error(&resp, "reading the image config", e);
		http_resp_free(&resp);
		return -1;
	}
	sha256_hex(resp.body ? resp.body : "", resp.len, hex);
	if (strcmp(hex, digest_hex(d->digest)) != 0 || resp.len != d->size) {
		http_resp_free(&resp);
		return err_make(e, 0, "image config %s: digest or size mismatch (got sha256:%s, %zu bytes)",
				d->digest, hex, resp.len);
	}
	*body = resp.body ? steal_ptr(resp.body) : xstrdup("");
	*len = resp.len;
	http_resp_free(&resp);
	return 0;
}

static bool image_present(struct store *s, const char *id)
{
	char path[96];
	snprintf(path, sizeof path, "images/%s.json", id);
	return faccessat(s->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* the store is about to get its first image: say so if it sits on a
 * network filesystem */
static void warn_network_fs(struct store *s)
{
	struct statfs sf;
	bool net = false;
	const char *name;
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(s->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			return;
	if (fstatfs(s->rootfd, &sf) < 0)
		return;
	name = fs_magic_name((unsigned long)sf.f_type, &net);
	if (net)
		log_warn("the store %s is on %s, a network filesystem: files owned by subordinate IDs "
			 "and extended attributes often fail there; move it with --root, BURROW_ROOT "
			 "or \"root = ...\" in burrow.conf",
			 s->root, name ? name : "a network filesystem");
}

struct pull_ctx {
	struct store *s;
	const struct idmap *m;
	const struct pull_opts *o;
	struct registry *r;
	char *domain, *repo, *name; /* name: what the image gets called */
	char *tagref;               /* tag or digest to ask for */
};

static int pull_image(struct pull_ctx *c, char id[65], struct err *e)
{
	const struct pull_opts *o = c->o;
	_cleanup_free_ char *body = NULL, *ctype = NULL, *cfg = NULL;
	struct manifest man, sub;
	struct image_cfg_info ci;
	struct layer_job *jobs = NULL;
	char digest[72], parent[72];
	size_t len = 0, cfglen = 0, n = 0;
	int lockfd = -1, rc = -1;
	bool have_man = false, have_sub = false, have_ci = false;

	memset(&ci, 0, sizeof ci);
	if (get_manifest(c->r, c->repo, c->tagref, &body, &len, &ctype, digest, e) < 0)
		return -1;
	if (manifest_parse(body, len, ctype, &man, e) < 0)
		return err_wrap(e, "%s", c->name);
	have_man = true;
	if (man.kind == MANIFEST_INDEX) {
		struct platform p;
		const struct descriptor *d;
		if (o->platform) {
			if (platform_parse(o->platform, &p, e) < 0)
				goto out;
		} else {
			platform_host(&p);
		}
		if (o->arch) {
			snprintf(p.arch, sizeof p.arch, "%s", o->arch);
			p.variant[0] = '\0';
		}
		if (manifest_select(&man, &p, &d, e) < 0) {
			err_wrap(e, "%s", c->name);
			goto out;
		}
		{
			_cleanup_free_ char *want = xstrdup(d->digest);
			free(body);
			free(ctype);
			body = ctype = NULL;
			if (get_manifest(c->r, c->repo, want, &body, &len, &ctype, digest, e) < 0)
				goto out;
		}
		if (manifest_parse(body, len, ctype, &sub, e) < 0) {
			err_wrap(e, "%s", c->name);
			goto out;
		}
		have_sub = true;
		if (sub.kind != MANIFEST_IMAGE) {
			err_make(e, 0, "%s: an index entry is itself an index", c->name);
			goto out;
		}
	}
	{
		struct manifest *im = have_sub ? &sub : &man;
		lockfd = pull_lock(c->s, digest, e);
		if (lockfd < 0)
			goto out;
		progress(o, PROGRESS_CONFIG, 0, im->nlayers, im->config.digest, im->config.size);
		if (get_config(c->r, c->repo, &im->config, &cfg, &cfglen, e) < 0 ||
		    config_parse_info(cfg, cfglen, &ci, e) < 0)
			goto out;
		have_ci = true;
		n = im->nlayers;
		if (strv_len(ci.diff_ids) != n) {
			err_make(e, 0, "%s: the config lists %zu layers, the manifest %zu", c->name,
				 strv_len(ci.diff_ids), n);
			goto out;
		}
		jobs = xcalloc(n ? n : 1, sizeof *jobs);
		parent[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			struct layer_job *j = &jobs[i];
			j->fd = -1;
			j->t.lockfd = -1;
			snprintf(j->blob_digest, sizeof j->blob_digest, "%s", im->layers[i].digest);
			j->blob_size = im->layers[i].size;
			j->url = xasprintf("%s/v2/%s/blobs/%s", c->r->base, c->repo, j->blob_digest);
			j->media_type = xstrdup(im->layers[i].media_type);
			snprintf(j->diff_id, sizeof j->diff_id, "%s", ci.diff_ids[i]);
			chain_id_next(i ? parent : NULL, j->diff_id, j->chain_id);
			snprintf(parent, sizeof parent, "%s", j->chain_id);
		}
		layers_mark_present(c->s, jobs, n);
		progress(o, PROGRESS_RESOLVED, 0, n, digest, 0);
		{
			char cid[65];
			bool all = true;
			image_id_of(cfg, cfglen, cid);
			for (size_t i = 0; i < n; i++)
				all = all && jobs[i].present;
			if (!(all && image_present(c->s, cid)))
				warn_network_fs(c->s);
		}
		if (layers_fetch(c->s, c->m, c->r, jobs, n, o->progress, o->progress_ctx, o->cancel, e) < 0) {
			err_wrap(e, "pulling %s", c->name);
			goto out;
		}
		progress(o, PROGRESS_WRITING, 0, n, digest, 0);
		{
			char *names[2] = { c->name, NULL };
			_cleanup_free_ char *repo = xasprintf("%s/%s", c->domain, c->repo);
			struct commit_info info = { cfg, cfglen, body, len, digest, repo, names };
			if (image_commit(c->s, c->m, jobs, n, &info, id, e) < 0)
				goto out;
		}
		rc = 0;
	}
out:
	if (jobs) {
		layers_discard(c->s, c->m, jobs, n);
		free(jobs);
	}
	pull_unlock(c->s, digest, lockfd);
	if (have_ci)
		config_info_free(&ci);
	if (have_sub)
		manifest_free(&sub);
	if (have_man)
		manifest_free(&man);
	return rc;
}

static int pull_from(struct store *s, const struct idmap *m, const struct ref *r, const char *domain,
		     const struct pull_opts *o, char id[65], struct err *e)
{
	struct reg_opts ro = { o->tls_verify, o->authfile, o->runroot, o->user, o->pass, o->cancel };
	struct pull_ctx c = { s, m, o, NULL, NULL, NULL, NULL, NULL };
	struct ref full = *r;
	_cleanup_free_ char *path = NULL;
	static char resolved[512];
	int rc;

	if (strcmp(domain, "docker.io") == 0 && !strchr(r->path, '/'))
		path = xasprintf("library/%s", r->path);
	else
		path = xstrdup(r->path);
	full.domain = (char *)domain;
	full.path = path;
	full.tag = r->tag || r->digest ? r->tag : (char *)"latest";
	c.domain = (char *)domain;
	c.repo = path;
	c.tagref = (char *)(r->digest ? r->digest : full.tag);
	if (r->digest)
		full.tag = NULL;
	c.name = ref_string(&full);
	if (registry_open(domain, &ro, &c.r, e) < 0) {
		free(c.name);
		return -1;
	}
	rc = registry_auth(c.r, path, "pull", e);
	if (rc == 0)
		rc = pull_image(&c, id, e);
	if (rc == 0) {
		snprintf(resolved, sizeof resolved, "%s", c.name);
		if (o->resolved)
			*o->resolved = resolved;
	}
	registry_close(c.r);
	free(c.name);
	return rc;
}

int store_pull(struct store *s, const struct idmap *m, const char *ref, const struct pull_opts *o,
	       char id[65], struct err *e)
{
	static char *const dflt[] = { (char *)"docker.io", NULL };
	char *const *regs;
	struct ref r;
	struct err se = ERR_INIT;
	size_t tried = 0;
	int rc = -1;

	if (ref_parse(ref, &r, e) < 0)
		return -1;
	if (store_sweep(s, m, &se) < 0) {
		log_debug("sweeping %s/layers: %s", s->root, se.msg);
		err_clear(&se);
	}
	if (r.domain) {
		if (strcmp(r.domain, "index.docker.io") == 0 ||
		    strcmp(r.domain, "registry-1.docker.io") == 0) {
			free(r.domain);
			r.domain = xstrdup("docker.io");
		}
		rc = pull_from(s, m, &r, r.domain, o, id, e);
		ref_free(&r);
		return rc;
	}
	regs = o->search_registries && o->search_registries[0] ? o->search_registries : dflt;
	for (size_t i = 0; regs[i]; i++) {
		struct err one = ERR_INIT;
		if (strcmp(regs[i], "localhost") == 0 || strncmp(regs[i], "localhost:", 10) == 0)
			continue; /* never searched: a local name must be written out */
		tried++;
		rc = pull_from(s, m, &r, regs[i], o, id, &one);
		if (rc == 0) {
			err_clear(e);
			break;
		}
		if (e->msg) {
			err_wrap(&one, "%s", e->msg);
			err_clear(e);
		}
		*e = one;
		if (one.errnum == EINTR)
			break;
	}
	if (tried == 0)
		rc = err_make(e, 0,
			      "short name %s: no search registries are configured "
			      "(unqualified-search-registries in burrow.conf)",
			      ref);
	ref_free(&r);
	return rc;
}
