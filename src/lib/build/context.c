/* context.c - the build context: a directory or an unpacked tar, and its
 * .dockerignore (see copy.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_int.h"
#include "copy.h"
#include "lib/store/unpack.h"
#include "lib/base/safeopen.h"
#include "lib/base/util.h"

static int context_init(struct build_context *c, const char *dir, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	struct err re = ERR_INIT;
	size_t len = 0;

	c->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return err_make(e, errno, "opening the build context %s", dir);
	c->dir = xstrdup(dir);
	if (build_context_read(c, ".dockerignore", 4 << 20, &text, &len, &re) < 0) {
		if (re.errnum == ENOENT) {
			err_clear(&re);
			return 0;
		}
		err_clear(e);
		*e = re;
		return -1;
	}
	if (dockerignore_parse(text, len, &c->ign, e) < 0)
		return err_wrap(e, "%s", dir);
	return 0;
}

int build_context_open(const char *dir, struct build_context **out, struct err *e)
{
	struct build_context *c = xcalloc(1, sizeof *c);

	c->dirfd = -1;
	if (context_init(c, dir, e) < 0) {
		build_context_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int build_context_from_tar(int fd, const char *tmpdir, struct build_context **out, struct err *e)
{
	return build_context_from_tar_limited(fd, tmpdir, 0, 0, out, e);
}

int build_context_from_tar_limited(int fd, const char *tmpdir, uint64_t max_bytes, uint64_t max_entries,
				   struct build_context **out, struct err *e)
{
	const struct unpack_opts o = { .no_chown = true, .max_bytes = max_bytes, .max_entries = max_entries };
	_cleanup_free_ char *dir = xasprintf("%s/burrow-context-XXXXXX", tmpdir);
	_cleanup_close_ int rootfd = -1;
	struct build_context *c;
	struct unpack_result res;

	if (!mkdtemp(dir))
		return err_make(e, errno, "creating a directory under %s for the build context", tmpdir);
	c = xcalloc(1, sizeof *c);
	c->dirfd = -1;
	c->tmpdir = xstrdup(dir);
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		err_make(e, errno, "opening %s", dir);
		goto fail;
	}
	if (unpack_fd(fd, rootfd, &o, &res, e) < 0) {
		err_wrap(e, "reading the build context from the tar stream");
		goto fail;
	}
	if (context_init(c, dir, e) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	build_context_free(c);
	return -1;
}

void build_context_free(struct build_context *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->tmpdir) {
		struct err e = ERR_INIT;
		/* unpack may have left 0555 directories: rm_rf_at copes */
		rm_rf_at(AT_FDCWD, c->tmpdir, &e);
		err_clear(&e);
	}
	dockerignore_free(c->ign);
	free(c->tmpdir);
	free(c->dir);
	free(c);
}

const char *build_context_dir(const struct build_context *c)
{
	return c->dir;
}

int build_context_read(const struct build_context *c, const char *relpath, size_t max, char **text,
		       size_t *len, struct err *e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	while (*relpath == '/')
		relpath++;
	/* a file of the context: relpath must stay below the root */
	fd = safe_open_in_root(c->dirfd, relpath, O_RDONLY | O_NOCTTY, 0, RESOLVE_BENEATH);
	if (fd < 0) {
		if (errno == EXDEV)
			return err_make(e, 0, "%s: the path leads outside the build context", relpath);
		return err_make(e, errno, "opening %s in the build context", relpath);
	}
	if (fstat(fd, &st) < 0)
		return err_make(e, errno, "checking %s", relpath);
	if (!S_ISREG(st.st_mode))
		return err_make(e, EINVAL, "%s in the build context is not a regular file", relpath);
	return read_fd_all(fd, max, text, len, relpath, e);
}

bool build_context_hidden(const struct build_context *c, const char *relpath, bool is_dir, bool *walk_only)
{
	if (walk_only)
		*walk_only = false;
	if (!c->ign || !*relpath || !dockerignore_excluded(c->ign, relpath))
		return false;
	if (is_dir && dockerignore_may_include_below(c->ign, relpath)) {
		if (walk_only)
			*walk_only = true;
		return false;
	}
	return true;
}
