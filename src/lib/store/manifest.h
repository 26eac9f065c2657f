/* manifest.h - image manifests, indexes and configs as registries serve them.
 *
 * Known: OCI image manifest and index, Docker schema2 manifest and manifest
 * list.  Parsing is strict: an unknown media type, a document over
 * MANIFEST_MAX bytes, a missing or malformed field is an error that names
 * the problem.  Pure functions (no I/O): unit-tested in tests/unit/manifest.c.
 */
#ifndef BURROW_STORE_MANIFEST_H
#define BURROW_STORE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define MANIFEST_MAX (4u << 20)

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* the Accept header for manifest requests */
#define MANIFEST_ACCEPT MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

enum manifest_kind { MANIFEST_IMAGE, MANIFEST_INDEX };

struct descriptor {
	char *media_type;
	char digest[72]; /* "sha256:<hex>" */
	uint64_t size;
	/* index entries only */
	char *os, *arch, *variant;
};

struct manifest {
	enum manifest_kind kind;
	char *media_type;
	struct descriptor config;  /* image manifests */
	struct descriptor *layers; /* image manifests: bottom first */
	size_t nlayers;
	struct descriptor *entries; /* indexes */
	size_t nentries;
};

/* Parse a manifest or index.  ctype is the Content-Type the registry sent
 * (may be NULL); the document's own mediaType wins when present. */
int manifest_parse(const char *body, size_t len, const char *ctype, struct manifest *m, struct err *e);
void manifest_free(struct manifest *m);

struct platform {
	char os[32], arch[32], variant[32]; /* variant "" = any */
};
/* "os/arch[/variant]" or "arch"; -1 if malformed */
int platform_parse(const char *s, struct platform *p, struct err *e);
/* This host: linux/<GOARCH>[/variant] */
void platform_host(struct platform *p);
/* Pick the index entry for p.  No match: an error listing what the index
 * offers, e.g. "no image for linux/s390x in the index (it has linux/amd64,
 * linux/arm64/v8)". */
int manifest_select(const struct manifest *idx, const struct platform *p, const struct descriptor **out,
		    struct err *e);

/* A config blob: the diff ids, checked against the manifest's layer count. */
struct image_cfg_info {
	char **diff_ids; /* "sha256:<hex>", NULL-terminated */
	char *os, *arch;
};
int config_parse_info(const char *body, size_t len, struct image_cfg_info *c, struct err *e);
void config_info_free(struct image_cfg_info *c);

/* Is this a layer media type we can unpack? */
bool layer_media_type_ok(const char *mt);

#endif
