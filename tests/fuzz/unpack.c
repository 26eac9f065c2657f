/* unpack.c - fuzz the layer unpacker (lib/store/unpack.h) with the input as
 * a (possibly compressed) tar archive, and check its security property:
 * nothing an archive holds may create, change or link anything outside the
 * root it is unpacked into.
 *
 * Once per process a directory T is made with
 *   T/root      where each input is unpacked (emptied after each one)
 *   T/sentinel  an empty directory next to it: it must stay empty
 *   T/secret    a file next to it: no new link to it, same content and mode
 * and after every input T must hold exactly those three.  And the tree
 * digest the unpacker computes on the way, when it gives one, must be the
 * walk's of the tree it made (lib/store/treesum.h).  Any difference
 * aborts, so libFuzzer keeps the archive. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/store/treesum.h"
#include "lib/store/unpack.h"

static int tfd = -1;
static struct stat st_t, st_sentinel, st_secret;

#define SECRET "do not touch\n"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* a header that claims a huge file must not fill the disk */
	struct rlimit fsz = { 16 << 20, 16 << 20 };
	int fd;
	char *t;

	(void)argc;
	(void)argv;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &fsz) < 0)
		abort();
	t = fuzz_tmpdir("unpack");
	tfd = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(t);
	if (tfd < 0 || mkdirat(tfd, "root", 0755) < 0 || mkdirat(tfd, "sentinel", 0755) < 0)
		abort();
	fd = openat(tfd, "secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, SECRET, strlen(SECRET)) != (ssize_t)strlen(SECRET) || close(fd) < 0)
		abort();
	if (fstat(tfd, &st_t) < 0 || fstatat(tfd, "sentinel", &st_sentinel, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(tfd, "secret", &st_secret, AT_SYMLINK_NOFOLLOW) < 0)
		abort();
	return 0;
}

static void check_outside(void)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, n = 0;
	char buf[64];
	ssize_t len;

	FUZZ_ASSERT(fstat(tfd, &st) == 0 && st.st_mode == st_t.st_mode);
	/* T: root, sentinel and secret, nothing else */
	fd = openat(tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(fd >= 0 && (d = fdopendir(fd)));
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		FUZZ_ASSERT(strcmp(de->d_name, "root") == 0 || strcmp(de->d_name, "sentinel") == 0 ||
			    strcmp(de->d_name, "secret") == 0);
		n++;
	}
	closedir(d);
	FUZZ_ASSERT(n == 3);
	/* sentinel: still an empty directory with its mode and owner */
	FUZZ_ASSERT(fstatat(tfd, "sentinel", &st, AT_SYMLINK_NOFOLLOW) == 0);
	FUZZ_ASSERT(S_ISDIR(st.st_mode) && st.st_mode == st_sentinel.st_mode &&
		    st.st_ino == st_sentinel.st_ino && st.st_uid == st_sentinel.st_uid && st.st_nlink == 2);
	fd = openat(tfd, "sentinel", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	FUZZ_ASSERT(fd >= 0 && (d = fdopendir(fd)));
	while ((de = readdir(d)))
		FUZZ_ASSERT(strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0);
	closedir(d);
	/* secret: not linked from the root, same mode, same content */
	FUZZ_ASSERT(fstatat(tfd, "secret", &st, AT_SYMLINK_NOFOLLOW) == 0);
	FUZZ_ASSERT(S_ISREG(st.st_mode) && st.st_ino == st_secret.st_ino && st.st_nlink == 1 &&
		    st.st_mode == st_secret.st_mode && st.st_size == (off_t)strlen(SECRET));
	fd = openat(tfd, "secret", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	len = read(fd, buf, sizeof(buf));
	close(fd);
	FUZZ_ASSERT(len == (ssize_t)strlen(SECRET) && memcmp(buf, SECRET, strlen(SECRET)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_opts o = { .no_chown = true, .tree_digest = true };
	struct unpack_result r;
	struct err e = ERR_INIT;
	int in, rootfd;

	if (tfd < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	in = memfd_create("layer", MFD_CLOEXEC);
	if (in < 0 || write_all(in, data, size) < 0 || lseek(in, 0, SEEK_SET) < 0)
		abort();
	rootfd = openat(tfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	memset(&r, 0, sizeof(r));
	if (unpack_fd(in, rootfd, &o, &r, &e) == 0) {
		char walked[72];
		FUZZ_ASSERT(r.size <= (uint64_t)64 << 30 && strncmp(r.diff_id, "sha256:", 7) == 0);
		if (r.tree_digest[0] && tree_digest_at(rootfd, walked, &e) == 0)
			FUZZ_ASSERT(strcmp(r.tree_digest, walked) == 0);
	}
	err_clear(&e);
	close(rootfd);
	close(in);
	check_outside();
	/* the next input starts from an empty root, as a layer does */
	if (rm_rf_at(tfd, "root", &e) < 0) {
		fprintf(stderr, "emptying the root: %s\n", e.msg);
		abort();
	}
	if (mkdirat(tfd, "root", 0755) < 0)
		abort();
	return 0;
}
