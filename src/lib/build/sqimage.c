/* sqimage.c - see sqimage.h
 *
 * libsquashfs writes a SquashFS in passes that follow the on-disk order:
 * first the file data (the block processor compresses it, packs tails into
 * fragments and fills in each file's inode), then the inode table and the
 * directory table (a directory's inode needs its listing, which needs its
 * children's inode references, so the tree is written bottom up), then the
 * fragment, ID and xattr tables, and last the superblock at offset 0.  So
 * the merged tree is read into memory first (names, metadata, symlink
 * targets; file data goes straight to the processor), then serialised.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr_writer.h>

#include "lib/base/safeopen.h"
#include "lib/base/util.h"
#include "lib/store/sqfile.h"
#include "mergefs.h"
#include "sqimage.h"

#define BLOCK_SIZE (128 * 1024)
#define NO_XATTR 0xFFFFFFFFu

struct node {
	char *name;
	struct stat st;
	struct node **kids; /* directories, sorted by name */
	size_t nkids;
	struct node *link;           /* a hard link: the node holding the inode */
	uint32_t nlink;              /* a file's count of hard links */
	char *target;                /* symlinks */
	sqfs_inode_generic_t *inode; /* regular files: filled in by the block processor */
	uint32_t xattr;
	uint32_t ino;
	uint64_t ref;
	bool written;
};

struct hlink {
	size_t layer;
	dev_t dev;
	ino_t ino;
	struct node *n;
};

struct fdfile {
	sqfs_file_t base;
	int fd;
};

struct sqw {
	struct mfs fs;
	struct fdfile file;
	sqfs_compressor_t *cmp;
	sqfs_block_writer_t *bw;
	sqfs_block_processor_t *proc;
	sqfs_frag_table_t *frag;
	sqfs_id_table_t *ids;
	sqfs_xattr_writer_t *xw;
	sqfs_meta_writer_t *im, *dm;
	sqfs_dir_writer_t *dw;
	struct hlink *hl;
	size_t nhl;
	uint32_t nino;
	char *buf;
};

/* ---- the output file ---------------------------------------------------- */

static void fd_destroy(sqfs_object_t *o)
{
	(void)o;
}

static int fd_read(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pread(((struct fdfile *)f)->fd, (char *)buf + done, size - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? SQFS_ERROR_OUT_OF_BOUNDS : SQFS_ERROR_IO;
		done += (size_t)n;
	}
	return 0;
}

static int fd_write(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pwrite(((struct fdfile *)f)->fd, (const char *)buf + done, size - done,
				   (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SQFS_ERROR_IO;
		done += (size_t)n;
	}
	return 0;
}

static sqfs_u64 fd_size(const sqfs_file_t *f)
{
	struct stat st;

	return fstat(((const struct fdfile *)f)->fd, &st) < 0 ? 0 : (sqfs_u64)st.st_size;
}

static int fd_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	return ftruncate(((struct fdfile *)f)->fd, (off_t)size) < 0 ? SQFS_ERROR_IO : 0;
}

static int sqerr(struct err *e, int rc, const char *what)
{
	if (rc == SQFS_ERROR_IO)
		return err_make(e, errno ? errno : EIO, "writing the SquashFS (%s)", what);
	if (rc == SQFS_ERROR_ALLOC)
		return err_make(e, ENOMEM, "writing the SquashFS (%s)", what);
	return err_make(e, 0, "writing the SquashFS (%s): libsquashfs error %d", what, rc);
}

/* ---- pass 1: the merged tree into memory, file data to the processor ---- */

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->target);
	if (n->inode)
		sqfs_free(n->inode);
	free(n);
}

static int read_xattrs(struct sqw *w, const struct mentry *m, struct node *n, struct err *e)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *list = NULL;
	char p[64];
	ssize_t len;
	bool begun = false;
	int rc;

	n->xattr = NO_XATTR;
	if (m->layer >= w->fs.n)
		return 0;
	if (*m->path) {
		fd = safe_open_in_root(w->fs.fds[m->layer], m->path, O_PATH | O_NOFOLLOW, 0,
				       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (fd < 0)
			return err_make(e, errno, "opening /%s", m->path);
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	} else {
		snprintf(p, sizeof p, "/proc/self/fd/%d", w->fs.fds[m->layer]);
	}
	len = listxattr(p, NULL, 0);
	if (len <= 0)
		return 0; /* none, or a filesystem without them */
	list = xmalloc((size_t)len + 1);
	len = listxattr(p, list, (size_t)len);
	if (len < 0)
		return err_make(e, errno, "listing the xattrs of /%s", m->path);
	list[len] = '\0';
	for (char *k = list; k < list + len; k += strlen(k) + 1) {
		char val[65536];
		ssize_t vl;

		if (strncmp(k, "user.overlay.", 13) == 0 || strncmp(k, "trusted.overlay.", 16) == 0)
			continue;
		if (strncmp(k, "user.", 5) && strncmp(k, "security.", 9) && strncmp(k, "trusted.", 8))
			continue; /* SquashFS has no other namespaces */
		vl = getxattr(p, k, val, sizeof val);
		if (vl < 0)
			continue; /* gone meanwhile, or not ours to read */
		if (!begun) {
			if ((rc = sqfs_xattr_writer_begin(w->xw, 0)) != 0)
				return sqerr(e, rc, "xattrs");
			begun = true;
		}
		if ((rc = sqfs_xattr_writer_add(w->xw, k, val, (size_t)vl)) != 0)
			return sqerr(e, rc, "xattrs");
	}
	if (begun && (rc = sqfs_xattr_writer_end(w->xw, &n->xattr)) != 0)
		return sqerr(e, rc, "xattrs");
	return 0;
}

static int add_file_data(struct sqw *w, const struct mentry *m, struct node *n, struct err *e)
{
	_cleanup_close_ int fd = mfs_open(&w->fs, m, O_RDONLY | O_CLOEXEC, e);
	off_t left = n->st.st_size;
	int rc;

	if (fd < 0)
		return -1;
	if ((rc = sqfs_block_processor_begin_file(w->proc, &n->inode, NULL, 0)) != 0)
		return sqerr(e, rc, m->path);
	while (left > 0) {
		ssize_t r = read(fd, w->buf, BLOCK_SIZE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return err_make(e, r < 0 ? errno : EIO, "reading /%s", m->path);
		if (r > left)
			r = (ssize_t)left; /* it grew meanwhile: keep the size we saw */
		if ((rc = sqfs_block_processor_append(w->proc, w->buf, (size_t)r)) != 0)
			return sqerr(e, rc, m->path);
		left -= r;
	}
	if ((rc = sqfs_block_processor_end_file(w->proc)) != 0)
		return sqerr(e, rc, m->path);
	return 0;
}

/* a regular file met before under another name becomes a link to it */
static bool find_hardlink(struct sqw *w, const struct mentry *m, struct node *n)
{
	if (n->st.st_nlink < 2)
		return false;
	for (size_t i = 0; i < w->nhl; i++) {
		struct hlink *h = &w->hl[i];
		if (h->layer == m->layer && h->dev == n->st.st_dev && h->ino == n->st.st_ino) {
			n->link = h->n;
			h->n->nlink++;
			return true;
		}
	}
	w->hl = xrealloc(w->hl, (w->nhl + 1) * sizeof *w->hl);
	w->hl[w->nhl++] = (struct hlink){ m->layer, n->st.st_dev, n->st.st_ino, n };
	return false;
}

static bool bad_name(const char *name)
{
	return !*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	       strlen(name) > 255;
}

static int read_tree(struct sqw *w, const struct mentry *m, struct node *n, struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	n->st = m->st;
	n->nlink = 1;
	if (read_xattrs(w, m, n, e) < 0)
		return -1;
	if (S_ISREG(n->st.st_mode) && find_hardlink(w, m, n))
		return 0;
	n->ino = ++w->nino;
	if (S_ISLNK(n->st.st_mode))
		return mfs_readlink(&w->fs, m, &n->target, e);
	if (S_ISREG(n->st.st_mode))
		return add_file_data(w, m, n, e);
	if (!S_ISDIR(n->st.st_mode))
		return 0;
	if (mfs_list(&w->fs, m, &names, e) < 0)
		return -1;
	for (size_t i = 0; names[i]; i++) {
		struct mentry c;
		struct node *k;
		int rc;

		if (bad_name(names[i]))
			return err_make(e, 0, "a file named \"%s\" in /%s", names[i], m->path);
		rc = mfs_child(&w->fs, m, names[i], &c, e);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue; /* whited out */
		k = xcalloc(1, sizeof *k);
		k->name = xstrdup(names[i]);
		n->kids = xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
		n->kids[n->nkids++] = k;
		rc = read_tree(w, &c, k, e);
		mentry_clear(&c);
		if (rc < 0)
			return err_wrap(e, "/%s", m->path);
	}
	return 0;
}

/* ---- pass 2: inodes and directories, bottom up ------------------------- */

static sqfs_inode_generic_t *new_inode(size_t payload)
{
	sqfs_inode_generic_t *in = calloc(1, sizeof *in + payload);

	if (!in)
		abort();
	in->payload_bytes_available = (sqfs_u32)payload;
	return in;
}

/* the inode of anything but a directory (ours to free unless it is the
 * processor's file inode) */
static sqfs_inode_generic_t *leaf_inode(struct node *n)
{
	sqfs_inode_generic_t *in;
	mode_t t = n->st.st_mode & S_IFMT;

	if (t == S_IFREG) {
		in = n->inode;
		if (n->nlink > 1) {
			sqfs_inode_make_extended(in);
			in->data.file_ext.nlink = n->nlink;
		}
		return in;
	}
	if (t == S_IFLNK) {
		size_t len = strlen(n->target);
		in = new_inode(len);
		in->base.type = SQFS_INODE_SLINK;
		in->data.slink.nlink = 1;
		in->data.slink.target_size = (sqfs_u32)len;
		memcpy(in->extra, n->target, len);
		in->payload_bytes_used = (sqfs_u32)len;
		return in;
	}
	in = new_inode(0);
	if (t == S_IFCHR || t == S_IFBLK) {
		unsigned ma = major(n->st.st_rdev), mi = minor(n->st.st_rdev);
		in->base.type = t == S_IFCHR ? SQFS_INODE_CDEV : SQFS_INODE_BDEV;
		in->data.dev.nlink = 1;
		in->data.dev.devno = (mi & 0xff) | ((ma & 0xfff) << 8) | ((mi & ~0xffu) << 12);
	} else {
		in->base.type = t == S_IFIFO ? SQFS_INODE_FIFO : SQFS_INODE_SOCKET;
		in->data.ipc.nlink = 1;
	}
	return in;
}

static int put_inode(struct sqw *w, struct node *n, sqfs_inode_generic_t *in, struct err *e)
{
	sqfs_u64 block;
	sqfs_u32 off;
	int rc;

	in->base.mode = (sqfs_u16)n->st.st_mode;
	in->base.mod_time = (sqfs_u32)n->st.st_mtime;
	in->base.inode_number = n->ino;
	if ((rc = sqfs_id_table_id_to_index(w->ids, n->st.st_uid, &in->base.uid_idx)) != 0 ||
	    (rc = sqfs_id_table_id_to_index(w->ids, n->st.st_gid, &in->base.gid_idx)) != 0)
		return sqerr(e, rc, "ID table");
	if (n->xattr != NO_XATTR && (rc = sqfs_inode_set_xattr_index(in, n->xattr)) != 0)
		return sqerr(e, rc, "xattrs");
	sqfs_meta_writer_get_position(w->im, &block, &off);
	if ((rc = sqfs_meta_writer_write_inode(w->im, in)) != 0)
		return sqerr(e, rc, "inode table");
	n->ref = (block << 16) | off;
	n->written = true;
	return 0;
}

static int write_tree(struct sqw *w, struct node *n, uint32_t parent, struct err *e)
{
	sqfs_inode_generic_t *in;
	size_t subdirs = 0;
	int rc;

	if (n->link) {
		if (!n->link->written && write_tree(w, n->link, 0, e) < 0)
			return -1;
		n->ino = n->link->ino;
		n->ref = n->link->ref;
		n->st.st_mode = n->link->st.st_mode;
		n->written = true;
		return 0;
	}
	if (n->written)
		return 0;
	if (!S_ISDIR(n->st.st_mode)) {
		in = leaf_inode(n);
		rc = put_inode(w, n, in, e);
		if (in != n->inode)
			free(in);
		return rc;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		if (write_tree(w, n->kids[i], n->ino, e) < 0)
			return -1;
		if (S_ISDIR(n->kids[i]->st.st_mode))
			subdirs++;
	}
	if ((rc = sqfs_dir_writer_begin(w->dw, 0)) != 0)
		return sqerr(e, rc, "directory table");
	for (size_t i = 0; i < n->nkids; i++) {
		struct node *k = n->kids[i];
		if ((rc = sqfs_dir_writer_add_entry(w->dw, k->name, k->ino, k->ref, k->st.st_mode)) != 0)
			return sqerr(e, rc, "directory table");
	}
	if ((rc = sqfs_dir_writer_end(w->dw)) != 0)
		return sqerr(e, rc, "directory table");
	in = sqfs_dir_writer_create_inode(w->dw, subdirs + 2, n->xattr, parent);
	if (!in)
		return sqerr(e, SQFS_ERROR_ALLOC, "directory table");
	n->xattr = NO_XATTR; /* create_inode has put it in */
	rc = put_inode(w, n, in, e);
	sqfs_free(in);
	return rc;
}

/* ---- the whole file ---------------------------------------------------- */

static int setup(struct sqw *w, int fd, sqfs_super_t *super, struct err *e)
{
	sqfs_compressor_config_t cfg;
	int rc;

	w->file.base.base.destroy = fd_destroy;
	w->file.base.read_at = fd_read;
	w->file.base.write_at = fd_write;
	w->file.base.get_size = fd_size;
	w->file.base.truncate = fd_truncate;
	w->file.fd = fd;
	if ((rc = sqfs_super_init(super, BLOCK_SIZE, 0, SQFS_COMP_ZSTD)) != 0 ||
	    (rc = sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, BLOCK_SIZE, 0)) != 0 ||
	    (rc = sqfs_compressor_create(&cfg, &w->cmp)) != 0)
		return sqerr(e, rc, "compressor");
	if ((rc = sqfs_super_write(super, &w->file.base)) != 0)
		return sqerr(e, rc, "superblock");
	rc = w->cmp->write_options(w->cmp, &w->file.base);
	if (rc < 0)
		return sqerr(e, rc, "compressor options");
	if (rc > 0)
		super->flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
	w->bw = sqfs_block_writer_create(&w->file.base, 4096, 0);
	w->frag = sqfs_frag_table_create(0);
	w->ids = sqfs_id_table_create(0);
	w->xw = sqfs_xattr_writer_create(0);
	if (!w->bw || !w->frag || !w->ids || !w->xw)
		return sqerr(e, SQFS_ERROR_ALLOC, "setup");
	w->proc = sqfs_block_processor_create(BLOCK_SIZE, w->cmp, 1, 16, w->bw, w->frag);
	if (!w->proc)
		return sqerr(e, SQFS_ERROR_ALLOC, "setup");
	w->buf = xmalloc(BLOCK_SIZE);
	return 0;
}

static int finish(struct sqw *w, struct node *root, sqfs_super_t *super, struct err *e)
{
	sqfs_file_t *f = &w->file.base;
	sqfs_u64 size;
	int rc;

	if ((rc = sqfs_block_processor_finish(w->proc)) != 0)
		return sqerr(e, rc, "file data");
	w->im = sqfs_meta_writer_create(f, w->cmp, 0);
	w->dm = sqfs_meta_writer_create(f, w->cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	w->dw = w->dm ? sqfs_dir_writer_create(w->dm, 0) : NULL;
	if (!w->im || !w->dw)
		return sqerr(e, SQFS_ERROR_ALLOC, "setup");
	super->inode_table_start = f->get_size(f);
	if (write_tree(w, root, w->nino + 1, e) < 0)
		return -1;
	super->root_inode_ref = root->ref;
	super->inode_count = w->nino;
	if ((rc = sqfs_meta_writer_flush(w->im)) != 0 || (rc = sqfs_meta_writer_flush(w->dm)) != 0)
		return sqerr(e, rc, "inode table");
	super->directory_table_start = f->get_size(f);
	if ((rc = sqfs_meta_write_write_to_file(w->dm)) != 0)
		return sqerr(e, rc, "directory table");
	if ((rc = sqfs_frag_table_write(w->frag, f, super, w->cmp)) != 0)
		return sqerr(e, rc, "fragment table");
	if ((rc = sqfs_id_table_write(w->ids, f, super, w->cmp)) != 0)
		return sqerr(e, rc, "ID table");
	if ((rc = sqfs_xattr_writer_flush(w->xw, f, super, w->cmp)) != 0)
		return sqerr(e, rc, "xattr table");
	super->bytes_used = f->get_size(f);
	if ((rc = sqfs_super_write(super, f)) != 0)
		return sqerr(e, rc, "superblock");
	size = (super->bytes_used + 4095) & ~(sqfs_u64)4095;
	if ((rc = f->truncate(f, size)) != 0)
		return sqerr(e, rc, "padding");
	return 0;
}

static void sqw_free(struct sqw *w)
{
	sqfs_destroy(w->proc);
	sqfs_destroy(w->dw);
	sqfs_destroy(w->dm);
	sqfs_destroy(w->im);
	sqfs_destroy(w->bw);
	sqfs_destroy(w->frag);
	sqfs_destroy(w->ids);
	sqfs_destroy(w->xw);
	sqfs_destroy(w->cmp);
	free(w->hl);
	free(w->buf);
	mfs_close(&w->fs);
}

struct save_job {
	char **lowerdirs; /* top first */
	int fd;
};

/* in the user namespace: the files belong to the image's IDs there */
static int save_fn(void *arg, int outfd, struct err *e)
{
	struct save_job *j = arg;
	struct sqw w;
	sqfs_super_t super;
	struct node *root = xcalloc(1, sizeof *root);
	struct mentry m;
	int rc = -1;

	(void)outfd;
	memset(&w, 0, sizeof w);
	memset(&m, 0, sizeof m);
	root->name = xstrdup("");
	if (mfs_open_dirs(&w.fs, j->lowerdirs, false, true, e) == 0 && setup(&w, j->fd, &super, e) == 0 &&
	    mfs_root(&w.fs, &m, e) == 0 && read_tree(&w, &m, root, e) == 0 &&
	    finish(&w, root, &super, e) == 0)
		rc = 0;
	mentry_clear(&m);
	sqw_free(&w);
	node_free(root);
	return rc;
}

int sqimage_save(struct store *s, const struct idmap *m, const char *ref, const char *path, struct err *e)
{
	_cleanup_free_ char *txt = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	struct image *img = NULL;
	struct save_job j = { NULL, -1 };
	int rc = -1;

	if (store_image_get(s, ref, &img, e) < 0 || store_image_config(s, img->id, &txt, e) < 0)
		goto out;
	j.lowerdirs = xcalloc(img->nlayers + 1, sizeof *j.lowerdirs);
	for (size_t i = 0; i < img->nlayers; i++)
		j.lowerdirs[i] = store_layer_path(s, img->layers[img->nlayers - 1 - i].chain_id);
	tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		err_make(e, errno, "creating %s", tmp);
		goto out;
	}
	j.fd = fd;
	if (m ? userns_run(m, 0, save_fn, &j, NULL, NULL, NULL, e) < 0 : save_fn(&j, -1, e) < 0)
		goto out;
	if (sqfile_append_config(fd, txt, strlen(txt), img->id, e) < 0)
		goto out;
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		err_make(e, errno, "writing %s", path);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && tmp && fd >= 0)
		unlink(tmp);
	strv_free(j.lowerdirs);
	image_free(img);
	return rc;
}
