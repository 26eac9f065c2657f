/* volume.c - tests for the volumes in the store (src/lib/store/volume.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/store/volume.h"
#include "tap.h"

/* entries of dir whose name starts with '.', but .lock */
static int hidden_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, ".lock") != 0)
			n++;
	closedir(d);
	return n;
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-volume-test.XXXXXX";
	char *root = mkdtemp(tmpl);
	struct err e = ERR_INIT;
	struct volume v, w;
	char *labels[] = { "a=b", "flag", NULL }, *bad_label[] = { "=x", NULL };
	char **names = NULL, **users = NULL;
	bool made = false;
	int lfd;

	if (!root)
		return skip_all("mkdtemp failed");
	lfd = volume_lock(root, &e);
	ok(lfd >= 0, "volume_lock makes volumes/ and takes the lock");

	ok(volume_create(root, "v1", labels, false, false, &v, &made, &e) == 0 && made, "create v1");
	_cleanup_free_ char *mp = xasprintf("%s/volumes/v1/_data", root);
	is_str(v.mountpoint, mp, "  its mountpoint");
	is_str(v.driver, "local", "  driver local");
	ok(v.created && strlen(v.created) > 20, "  a creation time");
	volume_free(&v);
	ok(volume_get(root, "v1", &w, &e) == 0, "read v1 back");
	ok(w.labels && strv_len(w.labels) == 2, "  two labels");
	ok(!w.anonymous, "  not anonymous");
	ok(volume_is_empty(&w), "  empty");
	volume_free(&w);

	is_int(volume_create(root, "v1", NULL, false, false, &v, NULL, &e), -1, "v1 again is refused");
	is_int(e.errnum, EEXIST, "  EEXIST");
	ok(e.msg && strcmp(e.msg, "volume with name v1 already exists: volume already exists") == 0,
	   "  podman's message, without strerror");
	err_clear(&e);
	ok(volume_create(root, "v1", NULL, false, true, &v, &made, &e) == 0 && !made,
	   "exist_ok gives the existing one");
	volume_free(&v);

	const char *badnames[] = { "a/b", "..", "a..b", "_x", "", ".x", "x y" };
	for (size_t i = 0; i < ARRAY_SIZE(badnames); i++) {
		is_int(volume_create(root, badnames[i], NULL, false, false, &v, NULL, &e), -1,
		       "invalid name \"%s\" is refused", badnames[i]);
		err_clear(&e);
		is_int(volume_get(root, badnames[i], &v, &e), -1, "  and never read");
		is_int(e.errnum, ENOENT, "  no such volume");
		err_clear(&e);
	}
	is_int(volume_create(root, "v2", bad_label, false, false, &v, NULL, &e), -1,
	       "a label with an empty key");
	err_clear(&e);

	ok(volume_create(root, NULL, NULL, true, false, &v, &made, &e) == 0, "an anonymous volume");
	ok(strlen(v.name) == 64 && is_hex(v.name, 64), "  with a 64-hex name");
	ok(volume_get(root, v.name, &w, &e) == 0 && w.anonymous, "  recorded as anonymous");
	volume_free(&w);

	ok(volume_list(root, &names, &e) == 0 && strv_len(names) == 2, "list: two volumes");
	ok(names && strcmp(names[1], "v1") == 0, "  sorted");
	strv_free(names);
	names = NULL;

	ok(volume_users(root, "v1", &users, &e) == 0 && users && !users[0], "no container uses v1");
	strv_free(users);

	ok(volume_remove(root, NULL, v.name, &e) == 0, "remove the anonymous one");
	ok(volume_get(root, v.name, &w, &e) < 0 && e.errnum == ENOENT, "  gone");
	err_clear(&e);
	volume_free(&v);
	is_int(volume_remove(root, NULL, "nope", &e), -1, "remove a missing volume");
	is_int(e.errnum, ENOENT, "  ENOENT");
	err_clear(&e);

	/* a malformed record is an error, not a crash */
	{
		_cleanup_free_ char *p = xasprintf("%s/volumes/v1/volume.json", root);
		FILE *f = fopen(p, "w");
		if (f) {
			fputs("{\"Name\":\"other\"}", f);
			fclose(f);
		}
		ok(volume_get(root, "v1", &w, &e) < 0 && e.errnum != ENOENT,
		   "a record naming another volume is refused");
		err_clear(&e);
		f = fopen(p, "w");
		if (f) {
			fputs("{\"Name\":\"v1\",\"Labels\":{\"a\":1}}", f);
			fclose(f);
		}
		ok(volume_get(root, "v1", &w, &e) < 0, "a label that is no string is refused");
		err_clear(&e);
	}
	ok(volume_remove(root, NULL, "v1", &e) == 0, "remove v1");
	{
		_cleanup_free_ char *d = xasprintf("%s/volumes", root);
		is_int(hidden_entries(d), 0, "no temporary directory left");
	}
	close(lfd);
	{
		struct err ign = ERR_INIT;
		rm_rf_at(AT_FDCWD, root, &ign);
		err_clear(&ign);
	}
	return done_testing();
}
