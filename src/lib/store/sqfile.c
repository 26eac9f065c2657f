/* sqfile.c - see sqfile.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/error.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include "digest.h"
#include "lib/base/util.h"
#include "sqfile.h"
#include "store_int.h"

bool sqfile_is_path(const char *ref)
{
	return ref[0] == '/' || strncmp(ref, "./", 2) == 0 || strncmp(ref, "../", 3) == 0;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int sqfile_trailer_parse(const unsigned char *tail, size_t tail_len, uint64_t fsize, uint64_t bytes_used,
			 uint64_t *off, uint64_t *len, char id[65], struct err *e)
{
	uint64_t n;

	if (tail_len < SQFILE_TRAILER || fsize < bytes_used || fsize - bytes_used < SQFILE_TRAILER)
		return 0;
	tail += tail_len - SQFILE_TRAILER;
	if (memcmp(tail + 72, SQFILE_MAGIC, 8) != 0)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", tail[i]) || !tail[i])
			return err_make(e, 0, "the image id after the SquashFS is not a sha256");
	memcpy(id, tail, 64);
	id[64] = '\0';
	n = get_le64(tail + 64);
	if (n == 0 || n > SQFILE_MAX_CONFIG || n > fsize - bytes_used - SQFILE_TRAILER)
		return err_make(e, 0, "the image config after the SquashFS is %s",
				n > SQFILE_MAX_CONFIG ? "too large" : "cut short");
	*off = fsize - SQFILE_TRAILER - n;
	*len = n;
	return 1;
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* a read-only sqfs_file_t over an fd, for sqfs_super_read */
struct fdfile {
	sqfs_file_t base;
	int fd;
	uint64_t size;
};

static void fdfile_destroy(sqfs_object_t *o)
{
	(void)o;
}

static int fdfile_read(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	struct fdfile *ff = (struct fdfile *)f;

	if (off > ff->size || size > ff->size - off)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	return pread_full(ff->fd, buf, size, off) < 0 ? SQFS_ERROR_IO : 0;
}

static int fdfile_write(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	(void)f;
	(void)off;
	(void)buf;
	(void)size;
	return SQFS_ERROR_IO;
}

static sqfs_u64 fdfile_size(const sqfs_file_t *f)
{
	return ((const struct fdfile *)f)->size;
}

static int fdfile_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f;
	(void)size;
	return SQFS_ERROR_IO;
}

static const char *super_error(int rc)
{
	switch (rc) {
	case -9: /* SQFS_ERROR_SUPER_MAGIC (misspelt SFQS_ in 1.2) */
		return "not a SquashFS file (bad magic)";
	case -10: /* SQFS_ERROR_SUPER_VERSION */
		return "unsupported SquashFS version";
	case SQFS_ERROR_SUPER_BLOCK_SIZE:
		return "corrupt SquashFS superblock (block size)";
	case SQFS_ERROR_OUT_OF_BOUNDS:
		return "not a SquashFS file (too short)";
	case SQFS_ERROR_IO:
		return "reading the SquashFS superblock failed";
	default:
		return "corrupt SquashFS superblock";
	}
}

int sqfile_read(int fd, const char *path, char **config, uint64_t *bytes_used, char id[65], struct err *e)
{
	char idbuf[65];
	struct fdfile ff;
	sqfs_super_t super;
	struct stat st;
	unsigned char tail[SQFILE_TRAILER];
	uint64_t off, len;
	char *buf;
	int rc;

	*config = NULL;
	if (id)
		id[0] = '\0';
	if (fstat(fd, &st) < 0)
		return err_make(e, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return err_make(e, 0, "%s: not a regular file", path);
	memset(&ff, 0, sizeof ff);
	ff.base.base.destroy = fdfile_destroy;
	ff.base.read_at = fdfile_read;
	ff.base.write_at = fdfile_write;
	ff.base.get_size = fdfile_size;
	ff.base.truncate = fdfile_truncate;
	ff.fd = fd;
	ff.size = (uint64_t)st.st_size;
	rc = sqfs_super_read(&super, &ff.base);
	if (rc != 0)
		return err_make(e, 0, "%s: %s", path, super_error(rc));
	/* the tables sit between the superblock and bytes_used: a file cut
	 * short loses them (and the trailer with them) */
	if (super.bytes_used > ff.size)
		return err_make(e, 0, "%s: truncated SquashFS (%llu of %llu bytes)", path,
				(unsigned long long)ff.size, (unsigned long long)super.bytes_used);
	if (super.inode_table_start >= super.bytes_used || super.directory_table_start >= super.bytes_used ||
	    super.id_table_start >= super.bytes_used || (super.root_inode_ref >> 16) >= super.bytes_used)
		return err_make(e, 0, "%s: corrupt SquashFS superblock (tables out of range)", path);
	if (bytes_used)
		*bytes_used = super.bytes_used;
	if (ff.size - super.bytes_used < SQFILE_TRAILER)
		return 0;
	if (pread_full(fd, tail, sizeof tail, ff.size - SQFILE_TRAILER) < 0)
		return err_make(e, errno, "%s: reading the image config", path);
	rc = sqfile_trailer_parse(tail, sizeof tail, ff.size, super.bytes_used, &off, &len, idbuf, e);
	if (rc <= 0)
		return rc < 0 ? err_wrap(e, "%s", path) : 0;
	buf = xmalloc((size_t)len + 1);
	if (pread_full(fd, buf, (size_t)len, off) < 0) {
		free(buf);
		return err_make(e, errno, "%s: reading the image config", path);
	}
	buf[len] = '\0';
	*config = buf;
	if (id)
		memcpy(id, idbuf, 65);
	return 0;
}

int sqfile_image(const char *path, struct image **out, char **config, struct err *e)
{
	/* O_NONBLOCK: a fifo named as the image must not hang us */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	_cleanup_free_ char *cfg = NULL, *abs = NULL;
	_cleanup_json_ json_object *j = NULL;
	json_object *v;
	struct image *img;
	uint64_t used;
	char id[65];

	if (config)
		*config = NULL;
	if (fd < 0)
		return err_make(e, errno, "%s", path);
	if (sqfile_read(fd, path, &cfg, &used, id, e) < 0)
		return -1;
	if (cfg) {
		j = json_tokener_parse(cfg);
		if (!j || !json_object_is_type(j, json_type_object))
			return err_make(e, 0, "%s: the image config after the SquashFS is not JSON", path);
	}
	img = xcalloc(1, sizeof *img);
	if (cfg) {
		memcpy(img->id, id, sizeof img->id);
		if (json_object_object_get_ex(j, "config", &v))
			image_config_parse(v, &img->cfg);
		if (json_object_object_get_ex(j, "created", &v) && json_object_is_type(v, json_type_string))
			img->created = xstrdup(json_object_get_string(v));
	} else {
		char sb[96];
		ssize_t n = pread(fd, sb, sizeof sb, 0);
		sha256_hex(sb, n > 0 ? (size_t)n : 0, img->id);
	}
	img->size = used;
	img->layers = xcalloc(1, sizeof *img->layers);
	abs = realpath(path, NULL);
	strv_push(&img->names, abs ? abs : path);
	*out = img;
	if (config)
		*config = steal_ptr(cfg);
	return 0;
}

int sqfile_append_config(int fd, const char *config, size_t len, const char *id, struct err *e)
{
	unsigned char tail[SQFILE_TRAILER];
	off_t end = lseek(fd, 0, SEEK_END);
	uint64_t n = len;

	if (end < 0)
		return err_make(e, errno, "writing the image config");
	if (strlen(id) != 64)
		return err_make(e, EINVAL, "writing the image config: bad image id");
	memcpy(tail, id, 64);
	for (int i = 0; i < 8; i++)
		tail[64 + i] = (unsigned char)(n >> (8 * i));
	memcpy(tail + 72, SQFILE_MAGIC, 8);
	if (write_all(fd, config, len) < 0 || write_all(fd, tail, sizeof tail) < 0)
		return err_make(e, errno, "writing the image config");
	return 0;
}
