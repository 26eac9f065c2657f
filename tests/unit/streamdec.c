/* streamdec.c - the pull's decoder (src/lib/store/streamdec.c): gzip through
 * ISA-L and through zlib must take the same streams the same way.
 *
 * Every input is built here with zlib's deflate and fed to both inflaters
 * whole and in pieces of several sizes (1 byte for the small ones): members
 * one after another, empty members, stored blocks, headers with a name,
 * extra field, comment and header CRC, bytes after the last member
 * (dropped), streams cut short anywhere (an error), a wrong CRC-32 or
 * length in a trailer (an error), corrupt deflate data (an error).  Both
 * must agree on success and on every output byte, and match what is
 * expected. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/base/util.h"
#include "lib/store/streamdec.h"
#include "tap.h"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t len)
{
	if (!len)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static int collect(void *ctx, const void *p, size_t len)
{
	put(ctx, p, len);
	return 0;
}

static int refuse(void *ctx, const void *p, size_t len)
{
	(void)ctx, (void)p, (void)len;
	return -1;
}

/* one gzip member of data at level (0: stored blocks); named: a header
 * with every optional field */
static void member(struct buf *out, const void *data, size_t len, int level, bool named)
{
	z_stream z = { 0 };
	gz_header h = { 0 };
	unsigned char chunk[16384];
	int r;

	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	if (named) {
		h.name = (Bytef *)"layer.tar";
		h.comment = (Bytef *)"a comment";
		h.extra = (Bytef *)"AB\004\000xyzw";
		h.extra_len = 8;
		h.hcrc = 1;
		h.os = 3;
		deflateSetHeader(&z, &h);
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		r = deflate(&z, Z_FINISH);
		put(out, chunk, sizeof chunk - z.avail_out);
	} while (r == Z_OK);
	if (r != Z_STREAM_END)
		abort();
	deflateEnd(&z);
}

/* len bytes that compress a little, like a tar of text and binaries */
static unsigned char *payload(size_t len, unsigned seed)
{
	unsigned char *p = xmalloc(len ? len : 1);
	unsigned x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 4 == 0)
			p[i] = (unsigned char)(x >> 24);
		else
			p[i] = (unsigned char)("the quick brown fox jumps over a lazy dog\n"[i % 42]);
	}
	return p;
}

struct run {
	int rc;
	bool msg;
	struct buf out;
	const char *lib;
};

static struct run decode(const struct buf *in, size_t piece, enum streamdec_inflater which)
{
	struct run r = { 0 };
	struct streamdec *d = streamdec_new(collect, &r.out);
	char *msg = NULL;

	streamdec_set_inflater(d, which);
	for (size_t off = 0; off < in->len && r.rc == 0;) {
		size_t n = in->len - off < piece ? in->len - off : piece;
		r.rc = streamdec_feed(d, in->p + off, n, &msg);
		off += n;
	}
	if (r.rc == 0)
		r.rc = streamdec_finish(d, &msg);
	r.msg = msg != NULL;
	free(msg);
	if (r.rc == 0 && streamdec_out_bytes(d) != r.out.len)
		r.rc = 99;
	r.lib = streamdec_library(d);
	streamdec_free(d);
	return r;
}

/* both inflaters, every piece size: rc 0 with output want, or rc -1 with
 * a message */
static void check(const char *name, const struct buf *in, const struct buf *want)
{
	static const size_t pieces[] = { (size_t)-1, 1, 7, 4093, 65536 };
	bool all = true, gz = in->len >= 2 && in->p[0] == 0x1f && in->p[1] == 0x8b;

	for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		struct run a, b;
		if (pieces[i] == 1 && in->len > 100000)
			continue;
		if (pieces[i] == 7 && in->len > 1000000)
			continue;
		a = decode(in, pieces[i], STREAMDEC_ISAL);
		b = decode(in, pieces[i], STREAMDEC_ZLIB);
		if (gz && (strcmp(a.lib, "isa-l") != 0 || strcmp(b.lib, "zlib") != 0)) {
			ok(0, "%s: decoded by isa-l and zlib (got %s and %s)", name, a.lib, b.lib);
			all = false;
		}
		for (int k = 0; k < 2; k++) {
			struct run *r = k ? &b : &a;
			const char *who = k ? "zlib" : "isa-l";
			bool good = want ? r->rc == 0 && r->out.len == want->len &&
						    (want->len == 0 ||
						     memcmp(r->out.p, want->p, want->len) == 0)
					 : r->rc == -1 && r->msg;
			if (!good) {
				size_t shown = pieces[i] == (size_t)-1 ? 0 : pieces[i];
				ok(0, "%s: %s in pieces of %zu: rc %d, %zu bytes out", name, who, shown,
				   r->rc, r->out.len);
				all = false;
			}
		}
		free(a.out.p);
		free(b.out.p);
	}
	if (all)
		ok(1, "%s: %s by both inflaters, in every piece size", name, want ? "decoded" : "refused");
}

int main(void)
{
	struct buf one = { 0 }, want1 = { 0 }, multi = { 0 }, wantm = { 0 }, t = { 0 };
	unsigned char *big = payload(3u << 20, 1), *small = payload(5000, 2);
	char *why = NULL;

	if (!streamdec_have_isal(&why)) {
		ok(0, "ISA-L can be loaded: %s (tests/lib/deps.sh installs libisal-dev)", why);
		return done_testing();
	}
	ok(1, "ISA-L can be loaded");

	/* one member, larger than the decoder's output buffer many times over */
	member(&one, big, 3u << 20, 6, false);
	put(&want1, big, 3u << 20);
	check("one member of 3 MiB", &one, &want1);

	/* members one after another: an empty one, stored blocks, a full header */
	member(&multi, small, 5000, 9, false);
	member(&multi, "", 0, 6, false);
	member(&multi, small, 5000, 0, true);
	member(&multi, small + 100, 1234, 1, true);
	put(&wantm, small, 5000);
	put(&wantm, small, 5000);
	put(&wantm, small + 100, 1234);
	check("four members, one empty, one stored, two with full headers", &multi, &wantm);

	{
		struct buf e = { 0 }, none = { 0 };
		member(&e, "", 0, 6, false);
		check("one empty member", &e, &none);
		free(e.p);
	}

	/* bytes after the last member that do not start another are dropped */
	{
		static const unsigned char zeros[1024];
		struct {
			const char *name;
			const void *p;
			size_t len;
		} tails[] = {
			{ "1024 zero bytes after the members", zeros, sizeof zeros },
			{ "2 zero bytes after the members", zeros, 2 },
			{ "text after the members", "this is not gzip at all", 23 },
		};
		for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
			t.len = 0;
			put(&t, multi.p, multi.len);
			put(&t, tails[i].p, tails[i].len);
			check(tails[i].name, &t, &wantm);
		}
	}

	/* a whole gzip header after the members starts a member: its data must
	 * be sound (libarchive's reader, which the extractor uses, does the
	 * same); most of one is a stream cut short */
	{
		static const unsigned char fake[] = { 0x1f, 0x8b, 8, 0,    0,    0,    0,
						      0,    0,    3, 0xff, 0xff, 0xff, 0xff };
		t.len = 0;
		put(&t, multi.p, multi.len);
		put(&t, fake, sizeof fake);
		check("a gzip header and bad data after the members", &t, NULL);
		t.len = 0;
		put(&t, multi.p, multi.len);
		put(&t, fake, 9);
		check("most of a gzip header after the members", &t, NULL);
	}

	/* cut short anywhere: inside a header, the data, a trailer, between
	 * members (the next one begun).  (One byte alone is not known to be
	 * gzip and passes through: the extractor finds no tar in it.) */
	{
		bool all = true;
		size_t cuts[] = { 2, 3, 5, 9, 10, 30, one.len / 2, one.len - 8, one.len - 5, one.len - 1 };
		for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
			struct buf c = { one.p, cuts[i], 0 };
			for (int k = 0; k < 2; k++) {
				struct run r = decode(&c, 65536, k ? STREAMDEC_ZLIB : STREAMDEC_ISAL);
				if (r.rc != -1 || !r.msg) {
					ok(0, "%s: the stream cut at byte %zu of %zu is an error",
					   k ? "zlib" : "isa-l", cuts[i], one.len);
					all = false;
				}
				free(r.out.p);
			}
		}
		if (all)
			ok(1, "a stream cut short is an error for both inflaters");
		for (size_t cut = multi.len - 20; cut < multi.len; cut++) {
			struct buf c = { multi.p, cut, 0 };
			char name[64];
			snprintf(name, sizeof name, "four members cut at byte %zu of %zu", cut, multi.len);
			check(name, &c, NULL);
		}
		t.len = 0;
		put(&t, multi.p, multi.len);
		put(&t, one.p, 40);
		check("a member begun after the last and cut short", &t, NULL);
	}

	/* trailers that do not match the data */
	{
		struct {
			const char *name;
			size_t from_end;
		} flips[] = {
			{ "a wrong CRC-32 in the trailer", 8 },
			{ "a wrong CRC-32 (last byte) in the trailer", 5 },
			{ "a wrong length in the trailer", 4 },
			{ "a wrong length (high byte) in the trailer", 1 },
		};
		for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
			t.len = 0;
			put(&t, one.p, one.len);
			t.p[t.len - flips[i].from_end] ^= 0x01;
			check(flips[i].name, &t, NULL);
		}
		/* in a member after the first: the second member has data */
		t.len = 0;
		put(&t, multi.p, multi.len);
		{
			struct buf first = { 0 };
			member(&first, small, 5000, 9, false);
			t.p[first.len - 8] ^= 0x80; /* the first member's CRC */
			check("a wrong CRC-32 in the first of four members", &t, NULL);
			t.p[first.len - 8] ^= 0x80;
			t.p[t.len - 2] ^= 0x10; /* the last member's length */
			check("a wrong length in the last of four members", &t, NULL);
			free(first.p);
		}
	}

	/* headers zlib refuses */
	{
		struct buf named = { 0 };
		size_t at;
		member(&named, small, 5000, 6, true);
		at = 10 + 2 + 8 + sizeof "layer.tar" + sizeof "a comment"; /* the header CRC */
		t.len = 0;
		put(&t, named.p, named.len);
		t.p[at] ^= 0x01;
		check("a wrong header CRC", &t, NULL);
		t.len = 0;
		put(&t, named.p, named.len);
		t.p[3] |= 0x20;
		check("a reserved header flag", &t, NULL);
		t.len = 0;
		put(&t, multi.p, multi.len);
		put(&t, named.p, named.len);
		t.p[multi.len + at] ^= 0x01;
		check("a member with a wrong header CRC after the others is dropped", &t, &wantm);
		t.p[multi.len + at] ^= 0x01;
		t.p[multi.len + 3] |= 0x80;
		check("a member with a reserved flag after the others is dropped", &t, &wantm);
		t.len = 0;
		put(&t, multi.p, multi.len);
		put(&t, "\0", 1);
		check("one byte after the members is a stream cut short", &t, NULL);
		free(named.p);
	}

	/* corrupt deflate data */
	{
		t.len = 0;
		put(&t, one.p, one.len);
		for (size_t i = 0; i < 64; i++)
			t.p[t.len / 2 + i] ^= 0x5a;
		check("corrupt data in the middle of a member", &t, NULL);
		t.len = 0;
		put(&t, one.p, one.len);
		t.p[10] = 0xff; /* the first block header: type 3, which does not exist */
		check("a block of the reserved type", &t, NULL);
		t.len = 0;
		put(&t, one.p, one.len);
		t.p[2] = 7; /* compression method 7 */
		check("a header with an unknown method", &t, NULL);
	}

	/* not gzip: passed through as it is, by either */
	{
		struct buf plain = { 0 };
		put(&plain, small, 5000);
		plain.p[0] = 'x';
		check("a plain tar passes through", &plain, &plain);
		free(plain.p);
	}

	/* out() failing stops the decoder without a message */
	for (int k = 0; k < 2; k++) {
		struct streamdec *d = streamdec_new(refuse, NULL);
		char *msg = NULL;
		int rc;
		streamdec_set_inflater(d, k ? STREAMDEC_ZLIB : STREAMDEC_ISAL);
		rc = streamdec_feed(d, one.p, one.len, &msg);
		ok(rc == -1 && !msg, "%s: a failing output stops the decoder, with no message of its own",
		   k ? "zlib" : "isa-l");
		free(msg);
		streamdec_free(d);
	}

	free(one.p);
	free(want1.p);
	free(multi.p);
	free(wantm.p);
	free(t.p);
	free(big);
	free(small);
	return done_testing();
}
