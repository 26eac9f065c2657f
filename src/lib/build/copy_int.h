/* copy_int.h - what copy.c (sources, digest) and copytar.c (the tar)
 * share. */
#ifndef BURROW_BUILD_COPY_INT_H
#define BURROW_BUILD_COPY_INT_H

#include "copy.h"
#include "mergefs.h"

struct src_item {
	char *name;        /* base name, for a file destination */
	char *shown;       /* the path as written or matched, for messages */
	struct mentry ent; /* resolved (a symlink named as source is followed) */
	int fd;            /* ADD of a URL: the downloaded file (not owned), else -1 */
};

struct plan {
	const struct copy_req *r;
	const struct copy_src *src;
	const struct build_context *ctx; /* COPY_FROM_CONTEXT */
	struct mfs fs;                   /* the source view */
	struct src_item *items;
	size_t nitems;
	size_t nwords;
	bool globbed;
	bool heredoc;
	const struct idmap *outside; /* layers read from outside the user
					    * namespace: owners mapped back to it */
	char *dest;                  /* clean, relative to /, "" = / */
	bool dest_slash;             /* the destination is a directory */
};

/* Expand the sources (errors for missing ones, URLs in ADD, escapes). */
int plan_make(struct plan *p, const struct copy_req *r, const struct copy_src *src, struct err *e);
void plan_clear(struct plan *p);

/* Visit everything below the directory dir that is visible (the
 * .dockerignore applied), sorted, directories before their contents; rel
 * is relative to dir. */
typedef int (*plan_visit_fn)(void *arg, const char *rel, const struct mentry *ent, struct err *e);
int plan_walk(struct plan *p, const struct mentry *dir, plan_visit_fn visit, void *arg, struct err *e);

/* ADD of URLs (copyurl.c) */
bool copy_is_url(const char *s);
/* the file name a URL gives ("" if none); caller frees */
char *copy_url_name(const char *url);
/* Download url once per process: *fd (not the caller's to close) holds
 * the content, *st says S_IFREG 0600, its size and Last-Modified. */
int copy_url_fetch(const char *url, int *fd, struct stat *st, struct err *e);

int plan_digest(struct plan *p, char out[72], struct err *e);
/* dest_lowerdirs: NULL or the target stage's layers, top first */
int plan_write_tar(struct plan *p, int outfd, struct err *e);

#endif
