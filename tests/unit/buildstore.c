/* buildstore.c - the store side of burrow build (no user namespace: idmap
 * NULL): a layer from a tar stays in a scratch dir until an image commits
 * it, an uncommitted one leaves nothing, intermediate images are marked,
 * and the step cache misses (and drops the entry) once its image is gone. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/store/buildstore.h"
#include "lib/store/digest.h"
#include "lib/base/util.h"
#include "tap.h"

static char tmpdir[64];

/* an uncompressed tar with one file, in an unlinked temp file */
static int make_tar(const char *content)
{
	char *path = xasprintf("%s/t.XXXXXX", tmpdir);
	int fd = mkstemp(path);
	struct archive *a = archive_write_new();
	struct archive_entry *en = archive_entry_new();

	unlink(path);
	free(path);
	archive_write_set_format_pax_restricted(a);
	archive_write_open_fd(a, fd);
	archive_entry_set_pathname(en, "etc/hello");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, (la_int64_t)strlen(content));
	archive_write_header(a, en);
	archive_write_data(a, content, strlen(content));
	archive_entry_free(en);
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* names in root/layers (hidden ones too) */
static size_t nlayers_dir(void)
{
	char *p = xasprintf("%s/root/layers", tmpdir);
	DIR *d = opendir(p);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	free(p);
	return n;
}

static const char config_fmt[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},\"history\":[{\"created_by\":\"%s\"}]}";

int main(void)
{
	struct store *s = NULL;
	struct err e = ERR_INIT;
	struct image_layer l, l2;
	struct new_layer *nl = NULL, *nl2 = NULL;
	struct image *img = NULL;
	char id[65], got[65], hex[65], *root, *cfg, *path;
	int fd, rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/burrow-buildstore.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		return skip_all("cannot create a temporary directory");
	}
	root = xasprintf("%s/root", tmpdir);
	ok(store_open(root, &s, &e) == 0, "store_open");

	/* a layer from a tar: hashed, unpacked into a scratch dir */
	fd = make_tar("one");
	rc = store_layer_from_tar(s, NULL, fd, NULL, &l, &nl, &e);
	ok(rc == 0 && nl, "store_layer_from_tar (%s)", rc ? e.msg : "ok");
	err_clear(&e);
	{
		static char buf[1 << 16];
		ssize_t n = pread(fd, buf, sizeof buf, 0);
		struct sha256 *h = sha256_new();
		char want[72];
		sha256_update(h, buf, (size_t)(n > 0 ? n : 0));
		sha256_final_hex(h, hex);
		snprintf(want, sizeof want, "sha256:%s", hex);
		is_str(l.diff_id, want, "  the diff id is the sha256 of the tar");
		is_str(l.chain_id, want, "  the bottom layer's chain id is its diff id");
	}
	close(fd);
	path = nl ? new_layer_path(s, nl) : xstrdup("");
	{
		char *f = xasprintf("%s/etc/hello", path);
		ok(access(f, F_OK) == 0, "  unpacked into %s", path);
		free(f);
	}
	ok(strstr(path, "/layers/.tmp-") != NULL, "  a scratch dir, not yet in layers/<chain>");
	free(path);

	/* commit it with an intermediate image */
	cfg = xasprintf(config_fmt, l.diff_id, "step one");
	{
		struct built_image bi = { cfg, strlen(cfg), &l, 1, &nl, 1, NULL, true };
		rc = store_image_commit_built(s, NULL, &bi, id, &e);
	}
	ok(rc == 0, "store_image_commit_built (%s)", rc ? e.msg : "ok");
	err_clear(&e);
	path = nl ? new_layer_path(s, nl) : xstrdup("");
	ok(strstr(path, "/layers/.tmp-") == NULL && strstr(path, l.chain_id + 7),
	   "  the layer moved to layers/<chain>");
	free(path);
	rc = store_image_get(s, id, &img, &e);
	ok(rc == 0 && img->intermediate && img->nlayers == 1, "  an intermediate image with the layer");
	err_clear(&e);
	image_free(img);
	img = NULL;
	new_layer_free(s, NULL, nl);
	nl = NULL;

	/* the same chain again: no pending layer */
	fd = make_tar("one");
	rc = store_layer_from_tar(s, NULL, fd, NULL, &l2, &nl2, &e);
	ok(rc == 0 && !nl2 && !strcmp(l2.chain_id, l.chain_id),
	   "a layer the store has is not unpacked again");
	close(fd);

	/* a second layer on top, never committed: nothing is left */
	fd = make_tar("two");
	rc = store_layer_from_tar(s, NULL, fd, l.chain_id, &l2, &nl2, &e);
	ok(rc == 0 && nl2, "a layer on top");
	{
		char want[72];
		chain_id_next(l.chain_id, l2.diff_id, want);
		is_str(l2.chain_id, want, "  its chain id follows the parent's");
	}
	close(fd);
	is_int(nlayers_dir(), 3, "  layers/: the committed layer, the scratch dir and its lock");
	new_layer_free(s, NULL, nl2);
	nl2 = NULL;
	is_int(nlayers_dir(), 1, "  dropped uncommitted: its scratch dir and lock are gone");

	/* the step cache */
	ok(store_build_cache_get(s, "00ff", got) < 0, "cache: a miss");
	ok(store_build_cache_put(s, "00ff", id, &e) == 0, "cache: put");
	ok(store_build_cache_get(s, "00ff", got) == 0 && !strcmp(got, id), "cache: a hit gives the id");
	store_image_unmark_intermediate(s, id);
	rc = store_image_get(s, id, &img, &e);
	ok(rc == 0 && !img->intermediate, "unmark_intermediate clears the mark");
	image_free(img);
	img = NULL;
	ok(store_image_remove(s, NULL, id, true, NULL, NULL, &e) == 0, "remove the image");
	err_clear(&e);
	ok(store_build_cache_get(s, "00ff", got) < 0, "cache: a miss once the image is gone");
	{
		char *p = xasprintf("%s/build-cache/00ff", root);
		ok(access(p, F_OK) < 0, "  and the stale entry is dropped");
		free(p);
	}

	free(cfg);
	store_close(s);
	{
		char *cmd = xasprintf("rm -rf %s", tmpdir);
		if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed test command */
			diag("cleanup failed");
		free(cmd);
	}
	free(root);
	return done_testing();
}
