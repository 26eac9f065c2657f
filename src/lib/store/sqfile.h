/* sqfile.h - single-file images: a SquashFS file with the image config.
 *
 * `burrow save --format squashfs` writes the flattened rootfs as a SquashFS
 * file (src/lib/build/sqimage.c) and appends the image's OCI config after
 * the filesystem, as a trailer:
 *
 *     [SquashFS, bytes_used long, padded to 4 KiB][config JSON][image id]
 *     [u64 LE length of the JSON]["BURROWC1"]
 *
 * The image id (64 hex digits, the sha256 of the config as the store has
 * it) is there so that starting a container from the file needs no
 * hashing (and no libcrypto).
 *
 * Readers of SquashFS (the kernel, squashfuse, unsquashfs) stop at
 * bytes_used, so the file stays an ordinary SquashFS; the rootfs holds no
 * file of ours.  A SquashFS without the trailer (made by mksquashfs or
 * tar2sqfs, say) is a valid image too, with an empty config, as an image
 * imported from a tarball: no entrypoint and no command (the user gives
 * one), PATH as podman sets it, working directory /, user root.
 *
 * Everything here reads untrusted bytes: the superblock is checked with
 * libsquashfs and against the file's size, and the trailer's length against
 * the room there is, before anything else looks at the file.
 */
#ifndef BURROW_STORE_SQFILE_H
#define BURROW_STORE_SQFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "store.h"

#define SQFILE_MAGIC "BURROWC1"
#define SQFILE_TRAILER 80 /* image id + u64 length + magic */
#define SQFILE_MAX_CONFIG (16u << 20)

/* An image argument that names a file rather than an image: it starts
 * with "/", "./" or "../".  Image references never do (their first
 * component is a domain or a lowercase name), so there is no ambiguity. */
bool sqfile_is_path(const char *ref);

/* The config in the last tail_len bytes of a file of size fsize whose
 * SquashFS ends at bytes_used: 1 with *off, *len and id when the trailer
 * is there, 0 when it isn't, -1 when it is but its length or id is
 * impossible. */
int sqfile_trailer_parse(const unsigned char *tail, size_t tail_len, uint64_t fsize, uint64_t bytes_used,
			 uint64_t *off, uint64_t *len, char id[65], struct err *e);

/* Check the SquashFS in fd (superblock, size) and read its config: *config
 * is NULL (and id empty) when the file has none.  bytes_used and id may
 * be NULL. */
int sqfile_read(int fd, const char *path, char **config, uint64_t *bytes_used, char id[65], struct err *e);

/* The image a SquashFS file holds, as the store would describe it: no
 * layers, the id the sha256 of the config (or of the superblock when there
 * is none), the name the file's absolute path.  *config (may be NULL)
 * receives the config JSON for labels and healthchecks. */
int sqfile_image(const char *path, struct image **out, char **config, struct err *e);

/* Write the trailer for config (of image id) at the end of fd (the
 * SquashFS already written and padded). */
int sqfile_append_config(int fd, const char *config, size_t len, const char *id, struct err *e);

#endif
