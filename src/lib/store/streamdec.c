/* streamdec.c - see streamdec.h */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include <isa-l/igzip_lib.h>

#include "lib/base/dl.h"
#include "lib/base/log.h"
#include "lib/base/util.h"
#include "streamdec.h"

#define OUT_BUF (256 * 1024)

enum kind { K_UNKNOWN, K_NONE, K_GZIP, K_ZSTD };

/* Where the header of a gzip member (RFC 1952) is being read: ISA-L only
 * inflates the deflate data and checks the trailer; the header is read
 * here, as zlib reads it (isal_inflate's own reader loses the flags when
 * a header arrives in pieces). */
enum hstate { H_FIXED, H_XLEN, H_EXTRA, H_NAME, H_COMMENT, H_HCRC, H_DONE };
struct gzhead {
	enum hstate st;
	unsigned char b[12]; /* the fixed part, then XLEN */
	size_t n;
	unsigned char hcrc[2];
	size_t nhcrc;
	size_t left; /* of the extra field */
	uLong crc;   /* of the header so far, for FHCRC */
};

struct streamdec {
	enum kind kind;
	streamdec_out_fn out;
	void *ctx;
	unsigned char head[4]; /* the first bytes, until the format is known */
	size_t nhead;
	unsigned char *obuf;
	size_t opos;
	uint64_t out_bytes;
	/* gzip: ISA-L's inflate, or zlib's (STREAMDEC_ZLIB) */
	enum streamdec_inflater inflater;
	struct inflate_state *isal;
	z_stream z;
	gz_header zh; /* zlib: zh.done is 1 once the member's header is read */
	bool z_ready;
	struct gzhead hd; /* ISA-L: the header of the member being read */
	bool in_body;     /* ISA-L: past that header */
	bool member_end;  /* the last member ended at the last byte seen */
	bool trailing;    /* bytes after the last member, not a member: dropped */
	unsigned long members;
	/* zstd */
	ZSTD_DStream *zs;
	size_t zret; /* the last ZSTD_decompressStream() result: 0 = a frame ended */
};

/* libisal is opened on first use (see lib/base/dl.h): only a pull that
 * decompresses gzip needs it, and without it zlib does the work */
static const char *const isal_names[] = { "libisal.so.2", "libisal.so", NULL };
static struct dl_lib isal_lib = { isal_names, "libisal2", NULL };
static struct {
	__typeof__(isal_inflate_init) *init;
	__typeof__(isal_inflate_reset) *reset;
	__typeof__(isal_inflate) *inflate;
} I;

bool streamdec_have_isal(char **why)
{
	static int loaded; /* 1 yes, -1 no */
	static char *fail;
	struct err e = ERR_INIT;

	if (!loaded) {
		if (DL_SYM(&isal_lib, I.init, "isal_inflate_init", &e) &&
		    DL_SYM(&isal_lib, I.reset, "isal_inflate_reset", &e) &&
		    DL_SYM(&isal_lib, I.inflate, "isal_inflate", &e)) {
			loaded = 1;
		} else {
			loaded = -1;
			fail = xstrdup(e.msg);
		}
		err_clear(&e);
	}
	if (why)
		*why = loaded < 0 ? fail : NULL;
	return loaded > 0;
}

struct streamdec *streamdec_new(streamdec_out_fn out, void *ctx)
{
	struct streamdec *d = xcalloc(1, sizeof *d);

	d->out = out;
	d->ctx = ctx;
	d->inflater = STREAMDEC_ISAL;
	return d;
}

void streamdec_set_inflater(struct streamdec *d, enum streamdec_inflater which)
{
	if (d->kind == K_UNKNOWN)
		d->inflater = which;
}

const char *streamdec_library(const struct streamdec *d)
{
	if (d->kind == K_ZSTD)
		return "libzstd";
	if (d->kind != K_GZIP)
		return "none";
	return d->isal ? "isa-l" : "zlib";
}

void streamdec_free(struct streamdec *d)
{
	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	free(d->isal);
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
			if (inflateReset(&d->z) != Z_OK || inflateGetHeader(&d->z, &d->zh) != Z_OK)
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
			if (d->members > 0 && d->zh.done != 1) {
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

static const char *isal_why(int r)
{
	switch (r) {
	case ISAL_INVALID_BLOCK:
		return "invalid block";
	case ISAL_INVALID_SYMBOL:
		return "invalid code";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data check";
	default:
		return "corrupt data";
	}
}

/* the state after the fixed part or a field: the next field the flags
 * announce */
static enum hstate hd_next(const struct gzhead *h, enum hstate done)
{
	static const struct {
		enum hstate st;
		unsigned flag;
	} order[] = { { H_XLEN, 4 }, { H_NAME, 8 }, { H_COMMENT, 16 }, { H_HCRC, 2 } };
	unsigned flags = h->b[3];

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i].st > done && (flags & order[i].flag))
			return order[i].st;
	return H_DONE;
}

/* Take header bytes from *p: 1 when the header is complete (*p, *len past
 * it), 0 when all of them were taken and more are needed, -1 when it is
 * not a gzip header (*why).  Judged where zlib judges: the magic once two
 * bytes are in, method and flags once four are, the header CRC at its end. */
static int hd_feed(struct gzhead *h, const unsigned char **p, size_t *len, const char **why)
{
	while (*len > 0 && h->st != H_DONE) {
		unsigned char c = **p;
		if (h->st != H_HCRC)
			h->crc = crc32(h->crc, *p, 1);
		(*p)++;
		(*len)--;
		switch (h->st) {
		case H_FIXED:
			h->b[h->n++] = c;
			if (h->n == 2 && (h->b[0] != 0x1f || h->b[1] != 0x8b)) {
				*why = "incorrect header check";
				return -1;
			}
			if (h->n == 4 && h->b[2] != Z_DEFLATED) {
				*why = "unknown compression method";
				return -1;
			}
			if (h->n == 4 && (h->b[3] & 0xe0)) {
				*why = "unknown header flags set";
				return -1;
			}
			if (h->n == 10)
				h->st = hd_next(h, H_FIXED);
			break;
		case H_XLEN:
			h->b[h->n++] = c;
			if (h->n == 12) {
				h->left = h->b[10] | (size_t)h->b[11] << 8;
				h->st = h->left ? H_EXTRA : hd_next(h, H_EXTRA);
			}
			break;
		case H_EXTRA:
			if (--h->left == 0)
				h->st = hd_next(h, H_EXTRA);
			break;
		case H_NAME:
		case H_COMMENT:
			if (c == 0)
				h->st = hd_next(h, h->st);
			break;
		case H_HCRC:
			h->hcrc[h->nhcrc++] = c;
			if (h->nhcrc == 2) {
				if ((h->hcrc[0] | (unsigned)h->hcrc[1] << 8) != (h->crc & 0xffff)) {
					*why = "header crc mismatch";
					return -1;
				}
				h->st = H_DONE;
			}
			break;
		case H_DONE:
		default:
			break;
		}
	}
	return h->st == H_DONE ? 1 : 0;
}

/* The same as gzip_feed with ISA-L: each member's header is read by
 * hd_feed, its deflate data inflated and its trailer (CRC-32 and length)
 * checked by isal_inflate() (ISAL_GZIP_NO_HDR_VER); a member ends in
 * ISAL_BLOCK_FINISH with the bytes after it left unread. */
static int isal_feed(struct streamdec *d, const unsigned char *p, size_t len, char **msg)
{
	struct inflate_state *s = d->isal;

	if (d->trailing)
		return 0;
	while (len > 0) {
		size_t out_before = d->opos;
		int r;
		if (d->member_end) {
			I.reset(s); /* keeps crc_flag */
			memset(&d->hd, 0, sizeof d->hd);
			d->hd.crc = crc32(0, NULL, 0);
			d->in_body = false;
			d->member_end = false;
		}
		if (!d->in_body) {
			const char *why = NULL;
			r = hd_feed(&d->hd, &p, &len, &why);
			if (r < 0 && d->members > 0) {
				/* not a gzip member after the last one: the end */
				d->trailing = true;
				return flush(d);
			}
			if (r < 0)
				return fail(msg, "gzip", why);
			if (r == 0)
				break;
			d->in_body = true;
			continue;
		}
		s->next_in = (uint8_t *)p;
		s->avail_in = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
		s->next_out = d->obuf + d->opos;
		s->avail_out = (uint32_t)(OUT_BUF - d->opos);
		r = I.inflate(s);
		d->opos = OUT_BUF - s->avail_out;
		if (r < 0) {
			return fail(msg, "gzip", isal_why(r));
		}
		if (s->block_state == ISAL_BLOCK_FINISH) {
			d->member_end = true;
			d->members++;
		}
		if (d->opos == OUT_BUF) {
			if (flush(d) < 0)
				return -1;
		} else if (!d->member_end && (const unsigned char *)s->next_in == p &&
			   d->opos == out_before) {
			/* neither input taken nor output made: cannot happen */
			return fail(msg, "gzip", "the decoder is stuck");
		}
		len -= (size_t)((const unsigned char *)s->next_in - p);
		p = s->next_in;
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
		if (d->isal)
			return isal_feed(d, p, len, msg);
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
		char *why;
		if (d->inflater == STREAMDEC_ISAL && !streamdec_have_isal(&why)) {
			log_debug("gzip: inflating with zlib: %s", why);
			d->inflater = STREAMDEC_ZLIB;
		}
		if (d->inflater == STREAMDEC_ISAL) {
			d->isal = xmalloc(sizeof *d->isal);
			I.init(d->isal);
			d->isal->crc_flag = ISAL_GZIP_NO_HDR_VER;
			d->hd.crc = crc32(0, NULL, 0);
		} else {
			if (inflateInit2(&d->z, 15 + 16) != Z_OK || inflateGetHeader(&d->z, &d->zh) != Z_OK)
				return fail(msg, "gzip", "cannot initialise zlib");
			d->z_ready = true;
		}
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
