/* digest.c - see digest.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "lib/base/dl.h"
#include "lib/base/util.h"

struct sha256 {
	EVP_MD_CTX *ctx;
};

/* libcrypto is opened on first use (see dl.h): run never hashes */
static const char *const crypto_names[] = { "libcrypto.so.3", "libcrypto.so", NULL };
static struct dl_lib crypto_lib = { crypto_names, "libssl3", NULL };
static struct {
	__typeof__(EVP_MD_CTX_new) *ctx_new;
	__typeof__(EVP_MD_CTX_free) *ctx_free;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
} C;

static void crypto_fail(const char *why)
{
	char m[512];
	int n = snprintf(m, sizeof m, "burrow: error: sha256: %s\n", why);
	if (write(2, m, (size_t)n) < 0) {
		/* nothing to do */
	}
	abort();
}

static void crypto_load(void)
{
	struct err e = ERR_INIT;

	if (C.final)
		return;
	if (!DL_SYM(&crypto_lib, C.ctx_new, "EVP_MD_CTX_new", &e) ||
	    !DL_SYM(&crypto_lib, C.ctx_free, "EVP_MD_CTX_free", &e) ||
	    !DL_SYM(&crypto_lib, C.sha256, "EVP_sha256", &e) ||
	    !DL_SYM(&crypto_lib, C.init, "EVP_DigestInit_ex", &e) ||
	    !DL_SYM(&crypto_lib, C.update, "EVP_DigestUpdate", &e) ||
	    !DL_SYM(&crypto_lib, C.final, "EVP_DigestFinal_ex", &e))
		crypto_fail(e.msg);
}

struct sha256 *sha256_new(void)
{
	struct sha256 *h = xcalloc(1, sizeof *h);

	crypto_load();
	h->ctx = C.ctx_new();
	if (!h->ctx || C.init(h->ctx, C.sha256(), NULL) != 1)
		crypto_fail("OpenSSL failed");
	return h;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len && C.update(h->ctx, data, len) != 1)
		crypto_fail("OpenSSL failed");
}

void sha256_final_hex(struct sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (C.final(h->ctx, md, &n) != 1 || n != 32)
		crypto_fail("OpenSSL failed");
	hex_encode(md, 32, out);
	sha256_free(h);
}

void sha256_free(struct sha256 *h)
{
	if (!h)
		return;
	C.ctx_free(h->ctx);
	free(h);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256 *h = sha256_new();
	sha256_update(h, data, len);
	sha256_final_hex(h, out);
}

void chain_id_next(const char *parent, const char *diff_id, char out[72])
{
	char hex[65];

	if (!parent || !*parent) {
		snprintf(out, 72, "%s", diff_id);
		return;
	}
	_cleanup_free_ char *s = xasprintf("%s %s", parent, diff_id);
	sha256_hex(s, strlen(s), hex);
	snprintf(out, 72, "sha256:%s", hex);
}

int sha256_fd(int fd, char out[72], uint64_t *size, struct err *e)
{
	struct sha256 *h = sha256_new();
	_cleanup_free_ char *buf = xmalloc(256 * 1024);
	char hex[65];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, buf, 256 * 1024, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sha256_free(h);
			return err_make(e, errno, "reading a layer tar");
		}
		if (n == 0)
			break;
		sha256_update(h, buf, (size_t)n);
		off += n;
	}
	sha256_final_hex(h, hex);
	snprintf(out, 72, "sha256:%s", hex);
	*size = (uint64_t)off;
	return 0;
}
