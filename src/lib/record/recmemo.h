/* recmemo.h - each container record's name and creation time, kept in
 * memory while its config.json is unchanged.
 *
 * Finding a container by name or ID reads every record's name (record/
 * container.c's scan); the API service does that on nearly every request,
 * so it keeps what it read and only stats each config.json the next time.
 * A config.json is only ever written whole (an unnamed file linked in, or
 * one written aside and renamed over it), so a changed file has a new
 * inode or times; this memory is keyed by those. */
#ifndef BURROW_RECMEMO_H
#define BURROW_RECMEMO_H

#include "lib/base/error.h"

/* *name and *created (each newly allocated, either may be NULL) of record
 * id in root; fails with ENOENT when the record has no config.json */
int recmemo_get(const char *root, const char *id, char **name, char **created, struct err *e);

/* forget records that are not among ids[0..n) (after a full scan) */
void recmemo_keep(const char *const *ids, size_t n);

#endif
