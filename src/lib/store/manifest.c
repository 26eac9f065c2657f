/* manifest.c - see manifest.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include "lib/base/json.h"
#include "lib/base/util.h"
#include "manifest.h"
#include "ref.h"
#include "store_int.h"

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void desc_free(struct descriptor *d)
{
	free(d->media_type);
	free(d->os);
	free(d->arch);
	free(d->variant);
	memset(d, 0, sizeof *d);
}

static int desc_parse(json_object *o, const char *what, struct descriptor *d, struct err *e)
{
	json_object *v;
	const char *mt = jstr(o, "mediaType"), *dg = jstr(o, "digest");
	int64_t size;

	memset(d, 0, sizeof *d);
	if (!o || !json_object_is_type(o, json_type_object))
		return err_make(e, 0, "malformed manifest: %s is not an object", what);
	if (!mt)
		return err_make(e, 0, "malformed manifest: %s has no mediaType", what);
	if (!dg || !digest_valid(dg))
		return err_make(e, 0, "malformed manifest: %s has no valid sha256 digest", what);
	if (!json_object_object_get_ex(o, "size", &v) || !json_object_is_type(v, json_type_int) ||
	    (size = json_object_get_int64(v)) < 0)
		return err_make(e, 0, "malformed manifest: %s has no valid size", what);
	d->media_type = xstrdup(mt);
	snprintf(d->digest, sizeof d->digest, "%s", dg);
	d->size = (uint64_t)size;
	if (json_object_object_get_ex(o, "platform", &v)) {
		const char *os = jstr(v, "os"), *arch = jstr(v, "architecture"), *var = jstr(v, "variant");
		d->os = xstrdup(os ? os : "");
		d->arch = xstrdup(arch ? arch : "");
		d->variant = xstrdup(var ? var : "");
	}
	return 0;
}

bool layer_media_type_ok(const char *mt)
{
	static const char *const ok[] = { MT_OCI_LAYER,
					  MT_OCI_LAYER_GZ,
					  MT_OCI_LAYER_ZSTD,
					  MT_DOCKER_LAYER,
					  "application/vnd.docker.image.rootfs.diff.tar.zstd",
					  "application/vnd.docker.image.rootfs.diff.tar" };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcmp(mt, ok[i]) == 0)
			return true;
	return false;
}

static int descs_parse(json_object *arr, const char *what, struct descriptor **out, size_t *n, struct err *e)
{
	size_t len;
	struct descriptor *d;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return err_make(e, 0, "malformed manifest: %s is missing or not an array", what);
	len = json_object_array_length(arr);
	d = xcalloc(len + 1, sizeof *d);
	for (size_t i = 0; i < len; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s[%zu]", what, i);
		if (desc_parse(json_object_array_get_idx(arr, i), name, &d[i], e) < 0) {
			for (size_t k = 0; k <= i; k++)
				desc_free(&d[k]);
			free(d);
			return -1;
		}
	}
	*out = d;
	*n = len;
	return 0;
}

int manifest_parse(const char *body, size_t len, const char *ctype, struct manifest *m, struct err *e)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *v;
	const char *mt;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (len > MANIFEST_MAX)
		return err_make(e, 0, "manifest is too large (%zu bytes, at most %u)", len, MANIFEST_MAX);
	if (json_parse_strict(body, len, "manifest", &o, e) < 0)
		return -1;
	if (!json_object_is_type(o, json_type_object))
		return err_make(e, 0, "malformed manifest: not a JSON object");
	if (json_object_object_get_ex(o, "schemaVersion", &v) && json_object_get_int(v) != 2)
		return err_make(e, 0, "unsupported manifest schema version %d (only 2 is known)",
				json_object_get_int(v));
	mt = jstr(o, "mediaType");
	if (!mt && ctype && *ctype) {
		/* "type; charset=..." */
		static char buf[128];
		snprintf(buf, sizeof buf, "%.*s", (int)strcspn(ctype, "; "), ctype);
		mt = buf;
	}
	if (!mt || strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0)
		/* OCI allows no mediaType: tell by the shape */
		mt = json_object_object_get_ex(o, "manifests", &v) ? MT_OCI_INDEX : MT_OCI_MANIFEST;
	m->media_type = xstrdup(mt);
	if (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0) {
		m->kind = MANIFEST_INDEX;
		json_object_object_get_ex(o, "manifests", &v);
		rc = descs_parse(v, "manifests", &m->entries, &m->nentries, e);
	} else if (strcmp(mt, MT_OCI_MANIFEST) == 0 || strcmp(mt, MT_DOCKER_MANIFEST) == 0) {
		m->kind = MANIFEST_IMAGE;
		if (!json_object_object_get_ex(o, "config", &v)) {
			rc = err_make(e, 0, "malformed manifest: no config");
		} else if (desc_parse(v, "config", &m->config, e) == 0) {
			json_object_object_get_ex(o, "layers", &v);
			rc = descs_parse(v, "layers", &m->layers, &m->nlayers, e);
		}
		if (rc == 0 && strcmp(m->config.media_type, MT_OCI_CONFIG) != 0 &&
		    strcmp(m->config.media_type, MT_DOCKER_CONFIG) != 0)
			rc = err_make(e, 0, "unsupported config media type %s (not a container image?)",
				      m->config.media_type);
		if (rc == 0 && m->config.size > MANIFEST_MAX)
			rc = err_make(e, 0, "image config is too large (%llu bytes, at most %u)",
				      (unsigned long long)m->config.size, MANIFEST_MAX);
		/* an image config is a JSON object and a layer a (compressed)
		 * tar: neither can be empty */
		if (rc == 0 && m->config.size == 0)
			rc = err_make(e, 0, "malformed manifest: the config has size 0");
		for (size_t i = 0; rc == 0 && i < m->nlayers; i++)
			if (!layer_media_type_ok(m->layers[i].media_type))
				rc = err_make(e, 0, "unsupported layer media type %s (layer %zu)",
					      m->layers[i].media_type, i);
			else if (m->layers[i].size == 0)
				rc = err_make(e, 0, "malformed manifest: layer %zu has size 0", i);
	} else if (strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 47) == 0) {
		rc = err_make(e, 0, "unsupported manifest media type %s (Docker schema 1 is obsolete)", mt);
	} else {
		rc = err_make(e, 0, "unsupported manifest media type %s", mt);
	}
	if (rc < 0)
		manifest_free(m);
	return rc;
}

void manifest_free(struct manifest *m)
{
	desc_free(&m->config);
	for (size_t i = 0; i < m->nlayers; i++)
		desc_free(&m->layers[i]);
	for (size_t i = 0; i < m->nentries; i++)
		desc_free(&m->entries[i]);
	free(m->layers);
	free(m->entries);
	free(m->media_type);
	memset(m, 0, sizeof *m);
}

static bool word_ok(const char *s, size_t n)
{
	if (n == 0 || n >= 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

int platform_parse(const char *s, struct platform *p, struct err *e)
{
	const char *parts[3] = { NULL, NULL, NULL };
	size_t lens[3] = { 0, 0, 0 }, n = 0;
	const char *c = s;

	memset(p, 0, sizeof *p);
	for (;;) {
		size_t l = strcspn(c, "/");
		if (n == 3 || !word_ok(c, l))
			return err_make(e, 0, "invalid platform \"%s\": want OS/ARCH[/VARIANT] or ARCH", s);
		parts[n] = c;
		lens[n++] = l;
		if (!c[l])
			break;
		c += l + 1;
	}
	if (n == 1) {
		snprintf(p->os, sizeof p->os, "linux");
		snprintf(p->arch, sizeof p->arch, "%.*s", (int)lens[0], parts[0]);
	} else {
		snprintf(p->os, sizeof p->os, "%.*s", (int)lens[0], parts[0]);
		snprintf(p->arch, sizeof p->arch, "%.*s", (int)lens[1], parts[1]);
		if (n == 3)
			snprintf(p->variant, sizeof p->variant, "%.*s", (int)lens[2], parts[2]);
	}
	return 0;
}

void platform_host(struct platform *p)
{
	static const struct {
		const char *uname, *arch, *variant;
	} map[] = {
		{ "x86_64", "amd64", "" },    { "aarch64", "arm64", "" }, { "i686", "386", "" },
		{ "i386", "386", "" },        { "armv7l", "arm", "v7" },  { "armv6l", "arm", "v6" },
		{ "ppc64le", "ppc64le", "" }, { "s390x", "s390x", "" },   { "riscv64", "riscv64", "" },
	};
	struct utsname u;

	memset(p, 0, sizeof *p);
	snprintf(p->os, sizeof p->os, "linux");
	snprintf(p->arch, sizeof p->arch, "amd64");
	if (uname(&u) < 0)
		return;
	snprintf(p->arch, sizeof p->arch, "%.31s", u.machine);
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].uname) == 0) {
			snprintf(p->arch, sizeof p->arch, "%s", map[i].arch);
			snprintf(p->variant, sizeof p->variant, "%s", map[i].variant);
		}
}

/* arm64 "v8" is the default variant: "" and "v8" are the same */
static bool variant_match(const char *arch, const char *want, const char *have)
{
	if (!*want)
		return true;
	if (strcmp(arch, "arm64") == 0 && strcmp(want, "v8") == 0 &&
	    (!have || !*have || strcmp(have, "v8") == 0))
		return true;
	return have && strcmp(want, have) == 0;
}

int manifest_select(const struct manifest *idx, const struct platform *p, const struct descriptor **out,
		    struct err *e)
{
	_cleanup_free_ char *list = xstrdup("");
	const struct descriptor *best = NULL;

	for (size_t i = 0; i < idx->nentries; i++) {
		const struct descriptor *d = &idx->entries[i];
		if (!d->os || strcmp(d->os, p->os) != 0 || strcmp(d->arch, p->arch) != 0)
			continue;
		if (!variant_match(p->arch, p->variant, d->variant)) {
			/* the host's variant is a preference; a user-given one is not */
			continue;
		}
		best = d;
		break;
	}
	if (!best && p->variant[0]) {
		/* host arm/v7 may run an entry without a variant */
		for (size_t i = 0; i < idx->nentries && !best; i++) {
			const struct descriptor *d = &idx->entries[i];
			if (d->os && strcmp(d->os, p->os) == 0 && strcmp(d->arch, p->arch) == 0 &&
			    (!d->variant || !*d->variant))
				best = d;
		}
	}
	if (best) {
		if (strcmp(best->media_type, MT_OCI_MANIFEST) != 0 &&
		    strcmp(best->media_type, MT_DOCKER_MANIFEST) != 0)
			return err_make(e, 0, "index entry for %s/%s has unsupported media type %s", p->os,
					p->arch, best->media_type);
		*out = best;
		return 0;
	}
	for (size_t i = 0; i < idx->nentries; i++) {
		const struct descriptor *d = &idx->entries[i];
		char *t;
		if (!d->os || !*d->os || strcmp(d->os, "unknown") == 0)
			continue; /* attestations and the like */
		t = xasprintf("%s%s%s/%s%s%s", list, *list ? ", " : "", d->os, d->arch,
			      d->variant && *d->variant ? "/" : "", d->variant ? d->variant : "");
		free(list);
		list = t;
	}
	return err_make(e, 0, "no image for %s/%s%s%s in the manifest list (it has %s)", p->os, p->arch,
			p->variant[0] ? "/" : "", p->variant, *list ? list : "no platforms");
}

int config_parse_info(const char *body, size_t len, struct image_cfg_info *c, struct err *e)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *rootfs, *ids;
	const char *t;

	memset(c, 0, sizeof *c);
	if (len > MANIFEST_MAX)
		return err_make(e, 0, "image config is too large (%zu bytes)", len);
	/* body need not be NUL-terminated: parse len bytes, one document */
	if (json_parse_strict(body, len, "image config", &o, e) < 0)
		return -1;
	if (!json_object_is_type(o, json_type_object))
		return err_make(e, 0, "malformed image config: not a JSON object");
	if (!json_object_object_get_ex(o, "rootfs", &rootfs) ||
	    !json_object_is_type(rootfs, json_type_object) || !(t = jstr(rootfs, "type")) ||
	    strcmp(t, "layers") != 0 || !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array))
		return err_make(e, 0, "malformed image config: no rootfs.diff_ids");
	c->diff_ids = xcalloc(json_object_array_length(ids) + 1, sizeof *c->diff_ids);
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
		if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
		    !digest_valid(d)) {
			config_info_free(c);
			return err_make(e, 0, "malformed image config: diff_ids[%zu] is not a sha256 digest",
					i);
		}
		c->diff_ids[i] = xstrdup(d);
	}
	t = jstr(o, "os");
	c->os = xstrdup(t ? t : "");
	t = jstr(o, "architecture");
	c->arch = xstrdup(t ? t : "");
	return 0;
}

void config_info_free(struct image_cfg_info *c)
{
	strv_free(c->diff_ids);
	free(c->os);
	free(c->arch);
	memset(c, 0, sizeof *c);
}
