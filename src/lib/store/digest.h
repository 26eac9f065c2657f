/* digest.h - sha256 over OpenSSL's EVP interface, and OCI chain ids. */
#ifndef BURROW_STORE_DIGEST_H
#define BURROW_STORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct sha256; /* opaque streaming context */

struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Finish into 64 hex characters plus NUL; the context is freed. */
void sha256_final_hex(struct sha256 *h, char out[65]);
void sha256_free(struct sha256 *h);
void sha256_hex(const void *data, size_t len, char out[65]);
/* "sha256:<hex>" and length of the whole of the regular file fd, read from
 * offset 0 with pread (the file offset is left alone). */
int sha256_fd(int fd, char out[72], uint64_t *size, struct err *e);

/* OCI chain id: for the bottom layer the diff id itself, then
 * sha256(parent_chain + " " + diff_id).  parent may be NULL.  Both inputs
 * and the output are "sha256:<hex>" (72 bytes with NUL is enough). */
void chain_id_next(const char *parent, const char *diff_id, char out[72]);

#endif
