/* streamdec.c - fuzz the pull's decoder (lib/store/streamdec.h) with the
 * input as a layer blob, inflated by ISA-L and by zlib.
 *
 * The first byte picks the size of the pieces the rest is fed in (as curl
 * hands a download over in pieces).  Where both inflaters accept the
 * stream they must give the same bytes, and each must count what it gave.
 * (Where only one accepts a malformed stream, nothing is asserted: a layer
 * is checked against its digest and diff id either way.) */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/store/streamdec.h"

struct sink {
	unsigned char *p;
	size_t len, cap;
};

static int collect(void *ctx, const void *p, size_t len)
{
	struct sink *s = ctx;

	/* 64 MiB at most: a small input can inflate to a lot */
	if (s->len + len > (64u << 20))
		return -1;
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = xrealloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, p, len);
	s->len += len;
	return 0;
}

static int decode(const uint8_t *data, size_t size, size_t piece, enum streamdec_inflater which,
		  struct sink *out)
{
	struct streamdec *d = streamdec_new(collect, out);
	char *msg = NULL;
	int rc = 0;

	streamdec_set_inflater(d, which);
	for (size_t off = 0; off < size && rc == 0;) {
		size_t n = size - off < piece ? size - off : piece;
		rc = streamdec_feed(d, data + off, n, &msg);
		off += n;
	}
	if (rc == 0)
		rc = streamdec_finish(d, &msg);
	free(msg);
	FUZZ_ASSERT(rc != 0 || streamdec_out_bytes(d) == out->len);
	streamdec_free(d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t pieces[] = { 1, 3, 64, 1000, 4096, 65536, 1 << 20, (size_t)-1 };
	struct sink a = { 0 }, b = { 0 };
	size_t piece;
	int ra, rb;

	if (size < 1)
		return 0;
	piece = pieces[data[0] % (sizeof pieces / sizeof pieces[0])];
	data++;
	size--;
	ra = decode(data, size, piece, STREAMDEC_ISAL, &a);
	rb = decode(data, size, piece, STREAMDEC_ZLIB, &b);
	if (ra == 0 && rb == 0)
		FUZZ_ASSERT(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
	free(a.p);
	free(b.p);
	return 0;
}
