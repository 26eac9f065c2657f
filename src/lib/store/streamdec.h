/* streamdec.h - push-style decompression of a layer blob while it arrives.
 *
 * layers_fetch() hands the bytes of one blob to a decoder as curl delivers
 * them; the decoder writes the decompressed tar to the extractor's pipe, so
 * downloading and decompressing run in the fetching process while the
 * extractor, in another process, writes the files.  The format comes from
 * the first bytes, not from the media type: gzip (one member or several)
 * and zstd are decoded here; anything else (a plain tar, bzip2, xz) passes
 * through untouched and the extractor's libarchive reads it as before.
 * Nothing is trusted on the decoder's word: the extractor hashes what it
 * receives, and that diff id must match the config.
 */
#ifndef BURROW_STORE_STREAMDEC_H
#define BURROW_STORE_STREAMDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* out(ctx, buf, len) takes one piece of output; < 0 stops the decoder
 * (the callback keeps its own reason) */
typedef int (*streamdec_out_fn)(void *ctx, const void *buf, size_t len);

struct streamdec;

/* What inflates gzip: Intel's ISA-L (isal_inflate, 2-3x zlib's speed: the
 * default) or zlib.  Both take the same streams the same way: members one
 * after another; bytes after the last member are dropped unless they
 * begin with a whole gzip header (magic, method and flags judged as zlib
 * judges them), and then that member must be sound, as libarchive's
 * reader has it; a stream cut short, corrupt data and a wrong CRC-32 or
 * length in a member's trailer are errors. */
enum streamdec_inflater { STREAMDEC_ISAL, STREAMDEC_ZLIB };

/* A decoder that sends its output to out.  Never fails. */
struct streamdec *streamdec_new(streamdec_out_fn out, void *ctx);
void streamdec_free(struct streamdec *d);
/* Before the first streamdec_feed(): which inflater decodes gzip */
void streamdec_set_inflater(struct streamdec *d, enum streamdec_inflater which);
/* Whether ISA-L can be used: libisal is opened (dlopen) on first use, and
 * when it is missing gzip falls back to zlib; *why (static) says why not */
bool streamdec_have_isal(char **why);
/* what decodes: "isa-l" or "zlib" for gzip, "libzstd", "none"; for the
 * log and tests */
const char *streamdec_library(const struct streamdec *d);

/* The next len bytes of the blob.  -1 when out() failed (*msg NULL) or the
 * data is corrupt (*msg says why, allocated). */
int streamdec_feed(struct streamdec *d, const void *buf, size_t len, char **msg);
/* The blob is complete: pass on bytes still held back and check that a
 * compressed stream ended where it should.  -1 as streamdec_feed. */
int streamdec_finish(struct streamdec *d, char **msg);

/* "gzip", "zstd" or "none" (passed through), once known; for the log and tests */
const char *streamdec_kind(const struct streamdec *d);
/* bytes handed to out() so far */
uint64_t streamdec_out_bytes(const struct streamdec *d);

#endif
