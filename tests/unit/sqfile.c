/* sqfile.c - single-file images: telling paths from references, the
 * config trailer after the SquashFS, and hostile superblocks */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqfs/io.h>
#include <sqfs/super.h>

#include "lib/base/util.h"
#include "lib/store/sqfile.h"
#include "tap.h"

/* bytes without their terminating NUL */
static void put_raw(void *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((char *)dst)[i] = src[i];
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void trailer(void)
{
	unsigned char t[SQFILE_TRAILER];
	struct err e = ERR_INIT;
	uint64_t off = 0, len = 0;
	char id[65] = "";

	put_raw(t, ID, 64);
	put_raw(t + 72, SQFILE_MAGIC, 8);
	put_le64(t + 64, 100);
	is_int(sqfile_trailer_parse(t, sizeof t, 4096 + 100 + SQFILE_TRAILER, 4096, &off, &len, id, &e), 1,
	       "a trailer is found");
	is_int((int)off, 4096, "  the config starts after the SquashFS");
	is_int((int)len, 100, "  and has the length given");
	is_str(id, ID, "  and the image id");
	t[3] = 'X';
	is_int(sqfile_trailer_parse(t, sizeof t, 4096 + 100 + SQFILE_TRAILER, 4096, &off, &len, id, &e), -1,
	       "an image id that is not hex is refused");
	err_clear(&e);
	t[3] = '3';
	put_le64(t + 64, 101);
	is_int(sqfile_trailer_parse(t, sizeof t, 4096 + 100 + SQFILE_TRAILER, 4096, &off, &len, id, &e), -1,
	       "a length reaching into the SquashFS is refused");
	ok(e.msg && strstr(e.msg, "cut short"), "  with a one-line error: %s", e.msg ? e.msg : "");
	err_clear(&e);
	put_le64(t + 64, UINT64_MAX);
	is_int(sqfile_trailer_parse(t, sizeof t, UINT64_MAX, 4096, &off, &len, id, &e), -1,
	       "a huge length is refused (no overflow)");
	err_clear(&e);
	put_le64(t + 64, 0);
	is_int(sqfile_trailer_parse(t, sizeof t, 8192, 4096, &off, &len, id, &e), -1,
	       "a zero length is refused");
	err_clear(&e);
	put_raw(t + 72, "BURROWC2", 8);
	is_int(sqfile_trailer_parse(t, sizeof t, 8192, 4096, &off, &len, id, &e), 0,
	       "another magic: no config");
	is_int(sqfile_trailer_parse(t, sizeof t, 4096 + 40, 4096, &off, &len, id, &e), 0,
	       "no room for a trailer: no config");
	is_int(sqfile_trailer_parse(t, sizeof t, 100, 4096, &off, &len, id, &e), 0,
	       "a file shorter than bytes_used: no config");
}

static void paths(void)
{
	ok(sqfile_is_path("/shared/app.sqfs"), "an absolute path is a file");
	ok(sqfile_is_path("./app.sqfs") && sqfile_is_path("../x/app.sqfs"), "./ and ../ are files");
	ok(!sqfile_is_path("app.sqfs") && !sqfile_is_path("localhost/app:1") &&
		   !sqfile_is_path("docker.io/library/busybox"),
	   "names and references are not");
}

/* a file holding only a superblock with bytes_used and the tables at the
 * offsets given, then extra bytes */
static char *make_file(const char *dir, uint64_t bytes_used, uint64_t table, size_t size, const char *tail)
{
	char *p = xasprintf("%s/img", dir);
	sqfs_file_t *f = sqfs_open_file(p, SQFS_FILE_OPEN_OVERWRITE);
	sqfs_super_t s;
	int fd;

	sqfs_super_init(&s, 131072, 0, SQFS_COMP_GZIP);
	s.bytes_used = bytes_used;
	s.inode_table_start = s.directory_table_start = s.id_table_start = table;
	s.root_inode_ref = 0;
	s.id_count = 1;
	sqfs_super_write(&s, f);
	sqfs_destroy(f);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (ftruncate(fd, (off_t)size) < 0)
		abort();
	if (tail && pwrite(fd, tail, strlen(tail), (off_t)(size - strlen(tail))) < 0)
		abort();
	close(fd);
	return p;
}

static int read_it(const char *p, char **cfg, struct err *e)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	int rc = sqfile_read(fd, p, cfg, NULL, NULL, e);
	close(fd);
	return rc;
}

static void files(void)
{
	char tmpl[] = "/tmp/sqfile-test.XXXXXX";
	char *dir = mkdtemp(tmpl), *p, *cfg = NULL;
	struct err e = ERR_INIT;
	int fd;

	if (!dir) {
		ok(0, "mkdtemp");
		return;
	}
	p = make_file(dir, 4096, 200, 4096, NULL);
	is_int(read_it(p, &cfg, &e), 0, "a well-formed superblock is read");
	ok(cfg == NULL, "  a SquashFS with no trailer has no config");
	free(p);

	{
		char tail[128];
		unsigned char t[SQFILE_TRAILER];
		put_raw(t, ID, 64);
		put_raw(t + 72, SQFILE_MAGIC, 8);
		put_le64(t + 64, 7);
		put_raw(tail, "{\"a\":1}", 7);
		memcpy(tail + 7, t, sizeof t);
		/* the trailer has NULs: write it by hand */
		p = make_file(dir, 4096, 200, 4096 + 7 + sizeof t, NULL);
		fd = open(p, O_RDWR | O_CLOEXEC);
		ok(pwrite(fd, tail, 7 + sizeof t, 4096) == (ssize_t)(7 + sizeof t), "  (trailer written)");
		close(fd);
		is_int(read_it(p, &cfg, &e), 0, "a SquashFS with a trailer is read");
		is_str(cfg, "{\"a\":1}", "  and its config found");
		free(cfg);
		cfg = NULL;
		free(p);
	}

	p = make_file(dir, 1 << 20, 200, 8192, NULL);
	is_int(read_it(p, &cfg, &e), -1, "a truncated file is refused");
	ok(e.msg && strstr(e.msg, "truncated") && !strchr(e.msg, '\n'), "  one line: %s", e.msg ? e.msg : "");
	err_clear(&e);
	free(p);

	p = make_file(dir, 4096, 1 << 20, 4096, NULL);
	is_int(read_it(p, &cfg, &e), -1, "tables beyond bytes_used are refused");
	err_clear(&e);
	free(p);

	p = xasprintf("%s/img", dir);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ok(write(fd, "hsqs", 4) == 4, "  (a 4-byte file)");
	close(fd);
	is_int(read_it(p, &cfg, &e), -1, "a file shorter than a superblock is refused");
	ok(e.msg && strstr(e.msg, "not a SquashFS"), "  %s", e.msg ? e.msg : "");
	err_clear(&e);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	{
		char text[200];
		memset(text, 'x', sizeof text);
		ok(write(fd, text, sizeof text) == (ssize_t)sizeof text, "  (a text file)");
	}
	close(fd);
	is_int(read_it(p, &cfg, &e), -1, "a text file is refused");
	ok(e.msg && strstr(e.msg, "bad magic"), "  %s", e.msg ? e.msg : "");
	err_clear(&e);
	unlink(p);
	free(p);
	rmdir(dir);
}

int main(void)
{
	paths();
	trailer();
	files();
	return done_testing();
}
