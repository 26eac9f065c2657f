/* push.c - store_push(): an image from the store to a registry (see pull.h).
 *
 * The layers are re-tarred from the store (export.c) and pushed
 * uncompressed; a blob the repository already has (HEAD) is skipped, and
 * one another repository of the same registry holds is mounted instead of
 * uploaded.  The manifest goes last. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "export.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "manifest.h"
#include "pull.h"
#include "ref.h"
#include "registry.h"
#include "store_int.h"

static void report(struct push_opts *o, enum store_progress_event ev, size_t i, size_t n, const char *digest,
		   uint64_t size)
{
	struct store_progress p = { ev, i, n, digest, ev == PROGRESS_DONE ? size : 0, size };
	if (o->progress)
		o->progress(o->progress_ctx, &p);
}

static int blob_exists(struct registry *r, const char *repo, const char *digest, bool *yes, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", repo, digest);
	struct http_resp resp;

	if (registry_request(r, "HEAD", path, NULL, NULL, 0, -1, 0, 0, &resp, e) < 0)
		return -1;
	*yes = resp.code == 200;
	http_resp_free(&resp);
	return 0;
}

/* POST ...?mount=&from=: 201 means mounted; else the upload URL */
static int start_upload(struct registry *r, const char *repo, const char *digest, const char *from,
			char **location, bool *mounted, struct err *e)
{
	_cleanup_free_ char *path = from ? xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, digest,
						     from)
					 : xasprintf("/v2/%s/blobs/uploads/", repo);
	struct http_resp resp;

	*mounted = false;
	*location = NULL;
	if (registry_request(r, "POST", path, NULL, NULL, 0, -1, 0, 1 << 16, &resp, e) < 0)
		return -1;
	if (resp.code == 201 && from) {
		*mounted = true;
		http_resp_free(&resp);
		return 0;
	}
	if (resp.code != 202 || !resp.location) {
		registry_http_error(&resp, "starting a blob upload", e);
		http_resp_free(&resp);
		return -1;
	}
	{
		/* relative to the request; any host may be named, but the
		 * credentials stay with the registry (registry_setup_easy) */
		_cleanup_free_ char *req = xasprintf("%s%s", r->base, path);
		*location = registry_resolve(req, resp.location);
	}
	http_resp_free(&resp);
	if (!*location)
		return err_make(e, EPROTO, "%s: unusable upload location", r->name);
	if (registry_check_url(r, "upload location", *location, e) < 0) {
		free(steal_ptr(*location));
		return -1;
	}
	return 0;
}

static int put_blob(struct registry *r, const char *repo, const char *digest, int fd, const void *mem,
		    uint64_t size, char **mount_from, struct err *e)
{
	_cleanup_free_ char *loc = NULL, *url = NULL;
	static const char *const hdrs[] = { "Content-Type: application/octet-stream", NULL };
	struct http_resp resp;
	bool mounted, yes;

	if (blob_exists(r, repo, digest, &yes, e) < 0)
		return -1;
	if (yes)
		return 1;
	for (size_t i = 0; mount_from && mount_from[i]; i++) {
		if (strcmp(mount_from[i], repo) == 0)
			continue;
		if (start_upload(r, repo, digest, mount_from[i], &loc, &mounted, e) < 0)
			return -1;
		if (mounted)
			return 2;
		break; /* not mountable: use the upload the registry opened */
	}
	if (!loc && start_upload(r, repo, digest, NULL, &loc, &mounted, e) < 0)
		return -1;
	url = xasprintf("%s%sdigest=%s", loc, strchr(loc, '?') ? "&" : "?", digest);
	if (registry_request(r, "PUT", url, hdrs, mem, mem ? size : 0, fd, size, 1 << 16, &resp, e) < 0)
		return err_wrap(e, "uploading blob %s", digest);
	if (resp.code != 201) {
		_cleanup_free_ char *what = xasprintf("uploading blob %s", digest);
		registry_http_error(&resp, what, e);
		http_resp_free(&resp);
		return -1;
	}
	http_resp_free(&resp);
	return 0;
}

int store_push(struct store *s, const struct idmap *m, const char *src, const char *dest, struct push_opts *o,
	       struct err *e)
{
	struct reg_opts ro = { o->tls_verify, o->authfile, o->runroot, o->user, o->pass, o->cancel };
	_cleanup_free_ char *man = NULL, *ref = NULL, *repo_full = NULL;
	_cleanup_strv_ char **from = NULL;
	struct exported x;
	struct registry *r = NULL;
	struct ref rf;
	char hex[65];
	bool docker = o->format && strcmp(o->format, "v2s2") == 0;
	int rc = -1;

	if (ref_parse(dest, &rf, e) < 0)
		return -1;
	if (!rf.domain) {
		ref_free(&rf);
		return err_make(e, 0,
				"push needs a fully qualified destination (REGISTRY/NAME[:TAG]), not %s",
				dest);
	}
	if (rf.digest) {
		ref_free(&rf);
		return err_make(e, 0, "cannot push to a digest reference %s", dest);
	}
	if (strcmp(rf.domain, "docker.io") == 0 && !strchr(rf.path, '/')) {
		char *p = xasprintf("library/%s", rf.path);
		free(rf.path);
		rf.path = p;
	}
	if (image_export(s, m, src, &x, e) < 0) {
		ref_free(&rf);
		return -1;
	}
	/* repositories of the same registry that hold this image: mount sources */
	for (size_t i = 0; x.repo_digests && x.repo_digests[i]; i++) {
		const char *rd = x.repo_digests[i];
		size_t dl = strlen(rf.domain);
		if (strncmp(rd, rf.domain, dl) == 0 && rd[dl] == '/') {
			char *repo = xasprintf("%.*s", (int)(strcspn(rd + dl + 1, "@")), rd + dl + 1);
			strv_push(&from, repo);
			free(repo);
		}
	}
	if (registry_open(rf.domain, &ro, &r, e) < 0 || registry_auth(r, rf.path, "pull,push", e) < 0)
		goto out;
	for (size_t i = 0; i < x.nlayers; i++) {
		int k;
		report(o, PROGRESS_START, i, x.nlayers, x.digests[i], x.sizes[i]);
		k = put_blob(r, rf.path, x.digests[i], x.fds[i], NULL, x.sizes[i], from, e);
		if (k < 0)
			goto out;
		report(o, k ? PROGRESS_EXISTS : PROGRESS_DONE, i, x.nlayers, x.digests[i], x.sizes[i]);
	}
	report(o, PROGRESS_CONFIG, 0, x.nlayers, x.config_digest, x.config_len);
	if (put_blob(r, rf.path, x.config_digest, -1, x.config, x.config_len, NULL, e) < 0)
		goto out;
	{
		json_object *mo = json_object_new_object(), *c = json_object_new_object(),
			    *ls = json_object_new_array();
		json_object_object_add(mo, "schemaVersion", json_object_new_int(2));
		json_object_object_add(mo, "mediaType",
				       json_object_new_string(docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST));
		json_object_object_add(c, "mediaType",
				       json_object_new_string(docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG));
		json_object_object_add(c, "digest", json_object_new_string(x.config_digest));
		json_object_object_add(c, "size", json_object_new_int64((int64_t)x.config_len));
		json_object_object_add(mo, "config", c);
		for (size_t i = 0; i < x.nlayers; i++) {
			json_object *l = json_object_new_object();
			json_object_object_add(l, "mediaType",
					       json_object_new_string(
						       docker ? "application/vnd.docker.image.rootfs.diff.tar"
							      : MT_OCI_LAYER));
			json_object_object_add(l, "digest", json_object_new_string(x.digests[i]));
			json_object_object_add(l, "size", json_object_new_int64((int64_t)x.sizes[i]));
			json_object_array_add(ls, l);
		}
		json_object_object_add(mo, "layers", ls);
		man = xstrdup(json_object_to_json_string_ext(mo, JSON_C_TO_STRING_PLAIN |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(mo);
	}
	report(o, PROGRESS_WRITING, 0, x.nlayers, NULL, 0);
	{
		_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", rf.path,
						      rf.tag ? rf.tag : "latest");
		_cleanup_free_ char *ct = xasprintf("Content-Type: %s",
						    docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST);
		const char *hdrs[] = { ct, NULL };
		struct http_resp resp;
		if (registry_request(r, "PUT", path, hdrs, man, strlen(man), -1, 0, 1 << 16, &resp, e) < 0)
			goto out;
		if (resp.code != 201 && resp.code != 200) {
			registry_http_error(&resp, "writing the manifest", e);
			http_resp_free(&resp);
			goto out;
		}
		http_resp_free(&resp);
	}
	sha256_hex(man, strlen(man), hex);
	snprintf(o->digest, sizeof o->digest, "sha256:%s", hex);
	rc = 0;
out:
	registry_close(r);
	exported_free(&x);
	ref_free(&rf);
	(void)ref;
	(void)repo_full;
	return rc;
}
