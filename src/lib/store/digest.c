/* digest.c - see digest.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "lib/util.h"

struct sha256 {
	EVP_MD_CTX *ctx;
};

static void crypto_fail(void)
{
	static const char m[] = "burrow: error: OpenSSL sha256 failed\n";
	if (write(2, m, sizeof m - 1) < 0) {
		/* nothing to do */
	}
	abort();
}

struct sha256 *sha256_new(void)
{
	struct sha256 *h = xcalloc(1, sizeof *h);

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		crypto_fail();
	return h;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		crypto_fail();
}

void sha256_final_hex(struct sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		crypto_fail();
	hex_encode(md, 32, out);
	sha256_free(h);
}

void sha256_free(struct sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
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
