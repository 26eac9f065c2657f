/* streamdec.c - see streamdec.h */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "lib/base/util.h"
#include "streamdec.h"

#define OUT_BUF (256 * 1024)

enum kind { K_UNKNOWN, K_NONE, K_GZIP, K_ZSTD };

struct streamdec {
	enum kind kind;
	streamdec_out_fn out;
	void *ctx;
	unsigned char head[4]; /* the first bytes, until the format is known */
	size_t nhead;
	unsigned char *obuf;
	size_t opos;
	uint64_t out_bytes;
	/* gzip */
	z_stream z;
	bool z_ready;
	bool member_end; /* the last member ended at the last byte seen */
	bool trailing;   /* bytes after the last member: dropped, as libarchive does */
	unsigned long members;
	/* zstd */
	ZSTD_DStream *zs;
	size_t zret; /* the last ZSTD_decompressStream() result: 0 = a frame ended */
};

struct streamdec *streamdec_new(streamdec_out_fn out, void *ctx)
{
	struct streamdec *d = xcalloc(1, sizeof *d);

	d->out = out;
	d->ctx = ctx;
	return d;
}

void streamdec_free(struct streamdec *d)
{
	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	if (d->zs)
		ZSTD_freeDStream(d->zs);
	free(d->obuf);
	free(d);
}

const char *streamdec_kind(const struct streamdec *d)
{
	switch (d->kind) {
	case K_GZIP:
		return "gzip";
	case K_ZSTD:
		return "zstd";
	case K_NONE:
		return "none";
	case K_UNKNOWN:
	default:
		return "unknown";
	}
}

uint64_t streamdec_out_bytes(const struct streamdec *d)
{
	return d->out_bytes;
}

static int emit(struct streamdec *d, const void *p, size_t len)
{
	if (!len)
		return 0;
	d->out_bytes += len;
	return d->out(d->ctx, p, len);
}

static int flush(struct streamdec *d)
{
	size_t n = d->opos;

	d->opos = 0;
	return emit(d, d->obuf, n);
}

static int fail(char **msg, const char *what, const char *why)
{
	*msg = xasprintf("%s: %s", what, why ? why : "corrupt data");
	return -1;
}

static int gzip_feed(struct streamdec *d, const unsigned char *p, size_t len, char **msg)
{
	if (d->trailing)
		return 0;
	d->z.next_in = (unsigned char *)p;
	d->z.avail_in = (uInt)len;
	while (d->z.avail_in > 0) {
		int r;
		if (d->member_end) {
			/* another member follows, or bytes that are no gzip at all */
			if (inflateReset(&d->z) != Z_OK)
				return fail(msg, "gzip", d->z.msg);
			d->member_end = false;
		}
		d->z.next_out = d->obuf + d->opos;
		d->z.avail_out = (uInt)(OUT_BUF - d->opos);
		r = inflate(&d->z, Z_NO_FLUSH);
		d->opos = OUT_BUF - d->z.avail_out;
		if (d->opos == OUT_BUF && flush(d) < 0)
			return -1;
		switch (r) {
		case Z_STREAM_END:
			d->member_end = true;
			d->members++;
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR: /* no progress possible: wants more room or more input */
			if (d->z.avail_in > 0 && d->opos != 0 && flush(d) < 0)
				return -1;
			break;
		case Z_DATA_ERROR:
			if (d->members > 0 && d->z.total_out == 0) {
				/* not a gzip member after the last one: the end */
				d->trailing = true;
				return flush(d);
			}
			return fail(msg, "gzip", d->z.msg);
		default:
			return fail(msg, "gzip", d->z.msg);
		}
	}
	return flush(d);
}

static int zstd_feed(struct streamdec *d, const unsigned char *p, size_t len, char **msg)
{
	ZSTD_inBuffer in = { p, len, 0 };

	for (;;) {
		ZSTD_outBuffer o = { d->obuf, OUT_BUF, d->opos };
		size_t r = ZSTD_decompressStream(d->zs, &o, &in);
		if (ZSTD_isError(r))
			return fail(msg, "zstd", ZSTD_getErrorName(r));
		d->zret = r;
		d->opos = o.pos;
		if (d->opos == OUT_BUF) {
			/* full: the decoder may hold more */
			if (flush(d) < 0)
				return -1;
			continue;
		}
		if (in.pos == in.size)
			break;
	}
	return flush(d);
}

static int process(struct streamdec *d, const unsigned char *p, size_t len, char **msg)
{
	switch (d->kind) {
	case K_GZIP:
		return gzip_feed(d, p, len, msg);
	case K_ZSTD:
		return zstd_feed(d, p, len, msg);
	case K_NONE:
	case K_UNKNOWN:
	default:
		return emit(d, p, len);
	}
}

static int decide(struct streamdec *d, char **msg)
{
	static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	const unsigned char *h = d->head;

	if (d->nhead >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
		d->kind = K_GZIP;
		if (inflateInit2(&d->z, 15 + 16) != Z_OK)
			return fail(msg, "gzip", "cannot initialise zlib");
		d->z_ready = true;
	} else if (d->nhead == 4 && memcmp(h, zstd_magic, 4) == 0) {
		d->kind = K_ZSTD;
		d->zs = ZSTD_createDStream();
		if (!d->zs || ZSTD_isError(ZSTD_initDStream(d->zs)))
			return fail(msg, "zstd", "cannot initialise libzstd");
		d->zret = 1;
	} else {
		d->kind = K_NONE;
	}
	if (d->kind != K_NONE)
		d->obuf = xmalloc(OUT_BUF);
	return process(d, d->head, d->nhead, msg);
}

int streamdec_feed(struct streamdec *d, const void *buf, size_t len, char **msg)
{
	const unsigned char *p = buf;

	*msg = NULL;
	if (d->kind == K_UNKNOWN) {
		while (len > 0 && d->nhead < sizeof d->head) {
			d->head[d->nhead++] = *p++;
			len--;
		}
		if (d->nhead < sizeof d->head)
			return 0;
		if (decide(d, msg) < 0)
			return -1;
	}
	return process(d, p, len, msg);
}

int streamdec_finish(struct streamdec *d, char **msg)
{
	*msg = NULL;
	if (d->kind == K_UNKNOWN && decide(d, msg) < 0)
		return -1;
	if (d->kind == K_GZIP && !d->member_end && !d->trailing)
		return fail(msg, "gzip", "the data ends in the middle of the stream");
	if (d->kind == K_ZSTD && d->zret != 0)
		return fail(msg, "zstd", "the data ends in the middle of a frame");
	return 0;
}
