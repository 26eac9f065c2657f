/* ref.h - image references (distribution grammar) and podman-style names.
 *
 *   [DOMAIN/]PATH[:TAG][@sha256:HEX]
 *
 * DOMAIN is the first component when it contains '.' or ':', is
 * "localhost", or has an uppercase letter.  PATH components are lowercase
 * [a-z0-9]+ joined by '.', '_', '__' or runs of '-'.  TAG is
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.  Only sha256 digests are known.
 * Pure string functions: unit-tested in tests/unit/ref.c.
 */
#ifndef BURROW_STORE_REF_H
#define BURROW_STORE_REF_H

#include <stdbool.h>

#include "lib/base/error.h"

struct ref {
	char *domain; /* NULL when the reference names none */
	char *path;   /* "library/busybox" */
	char *tag;    /* NULL when none */
	char *digest; /* "sha256:<hex>" or NULL */
};

/* Parse and validate s as written (no defaults applied).  A bad reference
 * gives a one-line error naming the problem. */
int ref_parse(const char *s, struct ref *r, struct err *e);
void ref_free(struct ref *r);
/* "domain/path:tag@digest" with the parts that are set. */
char *ref_string(const struct ref *r);

/* The name a new image gets (import, tag): no domain -> "localhost",
 * docker.io single component -> docker.io/library/, no tag -> "latest".
 * Digest references are refused.  NULL with e set on error. */
char *ref_normalize_new(const char *s, struct err *e);

/* Fully qualified names to try, in order, when looking s up:
 * qualified -> itself (normalized); short -> localhost/NAME then
 * docker.io/library/NAME (one component) or docker.io/NAME.  A missing tag
 * becomes "latest" unless a digest is given. */
int ref_candidates(const char *s, char ***out, struct err *e);

/* Split a normalized name "repo:tag" or "repo@digest" for display; tag
 * receives "<none>" for a digest-only name.  Caller frees both. */
void ref_split_repo_tag(const char *name, char **repo, char **tag);

/* "sha256:" followed by 64 lowercase hex characters */
bool digest_valid(const char *d);
bool tag_valid(const char *t);

#endif
