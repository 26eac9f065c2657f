/* treestream.c - the tree digest computed while unpacking (tree_stream,
 * src/lib/store/treesum.c) against the walk of the unpacked tree
 * (tree_digest_at): equal whenever the unpacker says it is sure, and the
 * unpacker gives up (so the caller walks) where the tree could differ. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/store/treesum.h"
#include "lib/store/unpack.h"
#include "tap.h"

static char tmpdir[64];

/* one tar entry: type 'f' file, 'd' dir, 'l' symlink, 'h' hard link,
 * 'p' fifo, 'c' char device, 's' sparse file (data at 0 and at 200000,
 * size 300000) */
struct ent {
	char type;
	const char *name;
	unsigned mode;
	const char *data; /* content, link target or "major:minor" */
};

static char *make_tar(const char *name, const struct ent *v, size_t n)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const char *d = v[i].data ? v[i].data : "";
		unsigned maj = 0, min = 0;

		archive_entry_set_pathname(e, v[i].name);
		archive_entry_set_perm(e, v[i].mode);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_mtime(e, 1700000000, 0);
		switch (v[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, d);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, d);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			if (sscanf(d, "%u:%u", &maj, &min) == 2) {
				archive_entry_set_rdevmajor(e, maj);
				archive_entry_set_rdevminor(e, min);
			}
			break;
		case 's':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, 300000);
			archive_entry_sparse_add_entry(e, 0, 100);
			archive_entry_sparse_add_entry(e, 200000, 100);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(d));
			break;
		}
		archive_write_header(a, e);
		if (v[i].type == 'f')
			archive_write_data(a, d, strlen(d));
		if (v[i].type == 's') {
			char blk[200];
			memset(blk, 'x', sizeof blk);
			archive_write_data(a, blk, sizeof blk);
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

/* unpack v into a new directory; streamed: the unpacker's digest ("" when
 * it gave up), walked: tree_digest_at's */
static int unpack(const char *name, const struct ent *v, size_t n, bool prefill, char streamed[72],
		  char walked[72])
{
	_cleanup_free_ char *tar = make_tar(name, v, n);
	_cleanup_free_ char *root = xasprintf("%s/%s.d", tmpdir, name);
	_cleanup_close_ int in = open(tar, O_RDONLY | O_CLOEXEC), rootfd = -1;
	struct unpack_opts o = { .no_chown = true, .tree_digest = true };
	struct unpack_result r;
	struct err e = ERR_INIT;
	int rc;

	mkdir(root, 0755);
	if (prefill) {
		_cleanup_free_ char *f = xasprintf("%s/already", root);
		close(open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	rc = unpack_fd(in, rootfd, &o, &r, &e);
	if (rc == 0)
		rc = tree_digest_at(rootfd, walked, &e);
	if (rc < 0)
		diag(e.msg ? e.msg : "failed");
	snprintf(streamed, 72, "%s", rc == 0 ? r.tree_digest : "");
	err_clear(&e);
	return rc;
}

static void sure(const char *name, const struct ent *v, size_t n, const char *what)
{
	char s[72], w[72];

	if (unpack(name, v, n, false, s, w) < 0) {
		ok(0, "%s: unpacks", what);
		return;
	}
	ok(s[0] != '\0', "%s: computed while unpacking", what);
	is_str(s, w, "%s: equal to the walk's", what);
}

static void unsure(const char *name, const struct ent *v, size_t n, bool prefill, const char *what)
{
	char s[72], w[72];

	if (unpack(name, v, n, prefill, s, w) < 0) {
		ok(0, "%s: unpacks", what);
		return;
	}
	is_str(s, "", "%s: left to the walk", what);
}

#define N(v) (sizeof(v) / sizeof *(v))

int main(void)
{
	static const struct ent tree[] = {
		{ 'd', "./", 0755, NULL },
		{ 'd', "a", 0755, NULL },
		{ 'f', "a/b", 0644, "in a\n" },
		{ 'f', "a.b", 0600, "beside a\n" },
		{ 'f', "a-", 0640, "" },
		{ 'f', "a\xc3\xa9", 0644, "utf-8\n" },
		{ 'd', "a/sub", 0700, NULL },
		{ 'f', "a/sub/x", 04755, "setuid\n" },
		{ 'd', "ro", 0555, NULL },
		{ 'f', "ro/inside", 0444, "read only\n" },
		{ 'd', "sgid", 02775, NULL },
		{ 'f', "sgid/f", 0664, "group\n" },
		{ 'd', "sticky", 01777, NULL },
		{ 'l', "link", 0777, "a/b" },
		{ 'l', "dangling", 0777, "/nowhere/at/all" },
		{ 'h', "hard", 0644, "a/b" },
		{ 'h', "a/sub/hard2", 0644, "./hard" },
		{ 'p', "fifo", 0640, NULL },
		{ 'f', ".wh.gone", 0644, "" },
		{ 'c', "a/wh2", 0, "0:0" },
		{ 'd', "opq", 0755, NULL },
		{ 'f', "opq/.wh..wh..opq", 0644, "" },
		{ 'f', "opq/kept", 0644, "kept\n" },
		{ 'f', ".wh..wh.plnk", 0644, "" },
		{ 'c', "null", 0666, "1:3" },
		{ 's', "sparse", 0644, NULL },
		{ 'f', "z", 0644, "last\n" },
	};
	static const struct ent twice[] = {
		{ 'd', "d", 0755, NULL },
		{ 'f', "d/f", 0644, "one\n" },
		{ 'f', "d/f", 0600, "two\n" },
	};
	static const struct ent dir_twice[] = {
		{ 'd', "d", 0755, NULL },
		{ 'f', "d/f", 0644, "one\n" },
		{ 'd', "d", 0700, NULL },
	};
	static const struct ent no_parent[] = {
		{ 'f', "implicit/f", 0644, "one\n" },
	};
	static const struct ent opq_no_parent[] = {
		{ 'f', "implicit/.wh..wh..opq", 0644, "" },
	};
	static const struct ent via_symlink[] = {
		{ 'd', "d", 0755, NULL },
		{ 'l', "s", 0777, "d" },
		{ 'f', "s/f", 0644, "through\n" },
	};
	static const struct ent link_via_symlink[] = {
		{ 'd', "d", 0755, NULL },
		{ 'f', "d/f", 0644, "x\n" },
		{ 'l', "s", 0777, "d" },
		{ 'h', "h", 0644, "s/f" },
	};
	static const struct ent whiteout_twice[] = {
		{ 'f', "f", 0644, "x\n" },
		{ 'f', ".wh.f", 0644, "" },
	};
	static const struct ent hardlink_then_rewrite[] = {
		{ 'f', "f", 0644, "x\n" },
		{ 'h', "g", 0644, "f" },
		{ 'f', "f", 0600, "y\n" },
	};
	char s[72], w[72];

	snprintf(tmpdir, sizeof tmpdir, "/tmp/burrow-treestream.XXXXXX");
	if (!mkdtemp(tmpdir))
		return skip_all("mkdtemp failed");
	unsetenv("BURROW_TREESUM_STREAM");

	sure("tree", tree, N(tree), "files, directories' modes, links, whiteouts, a fifo, a sparse file");
	sure("one", tree + 13, 1, "a single symlink");
	sure("empty", tree, 1, "only the root");

	unsure("twice", twice, N(twice), false, "a path written twice");
	unsure("dirtwice", dir_twice, N(dir_twice), false, "a directory listed twice");
	unsure("noparent", no_parent, N(no_parent), false, "a parent the layer does not list");
	unsure("opqnoparent", opq_no_parent, N(opq_no_parent), false,
	       "an opaque marker in an unlisted directory");
	unsure("viasym", via_symlink, N(via_symlink), false, "a file through a symlinked directory");
	unsure("linkviasym", link_via_symlink, N(link_via_symlink), false, "a hard link through a symlink");
	unsure("whtwice", whiteout_twice, N(whiteout_twice), false, "a whiteout over a file of the layer");
	unsure("hlrewrite", hardlink_then_rewrite, N(hardlink_then_rewrite), false,
	       "a hard-linked file written again");
	unsure("prefilled", tree, N(tree), true, "a root that is not empty");

	setenv("BURROW_TREESUM_STREAM", "0", 1);
	if (unpack("off", tree, N(tree), false, s, w) == 0)
		is_str(s, "", "BURROW_TREESUM_STREAM=0: always the walk");
	else
		ok(0, "BURROW_TREESUM_STREAM=0: unpacks");
	unsetenv("BURROW_TREESUM_STREAM");

	{
		struct err e = ERR_INIT;
		rm_rf_at(AT_FDCWD, tmpdir, &e);
		err_clear(&e);
	}
	return done_testing();
}
