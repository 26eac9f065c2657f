/* netfs.c - network filesystems (netfs.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "netfs.h"
#include "util.h"

#ifdef BURROW_TEST_HOOKS
static bool test_netfs(const char *path)
{
	const char *env = getenv("BURROW_TEST_NETFS");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!env || !*env)
		return false;
	copy = xstrdup(env);
	for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		size_t n = strlen(t);
		if (n && !strncmp(path, t, n) && (path[n] == '\0' || path[n] == '/' || t[n - 1] == '/'))
			return true;
	}
	return false;
}
#endif

const char *netfs_of(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	struct statfs sf;
	const char *name;
	bool net = false;

#ifdef BURROW_TEST_HOOKS
	if (test_netfs(path))
		return "nfs";
#endif
	while (statfs(p, &sf) < 0) {
		char *slash = strrchr(p, '/');
		if (!slash)
			return NULL;
		if (slash == p) {
			if (!p[1] || statfs("/", &sf) < 0)
				return NULL;
			break;
		}
		*slash = '\0';
	}
	name = fs_magic_name((unsigned long)sf.f_type, &net);
	return net ? name : NULL;
}

char *netfs_local_dir(void)
{
	const char *env = getenv("BURROW_LOCAL_DIR"), *tmp = getenv("TMPDIR");
	char *cand[3];
	char *pick = NULL;

	if (env && *env == '/')
		return xstrdup(env);
	cand[0] = xasprintf("/var/tmp/burrow-%u", (unsigned)getuid());
	cand[1] = xasprintf("%s/burrow-%u-local", tmp && *tmp == '/' ? tmp : "/tmp", (unsigned)getuid());
	cand[2] = xasprintf("/dev/shm/burrow-%u", (unsigned)getuid());
	for (size_t i = 0; i < ARRAY_SIZE(cand); i++) {
		if (!pick && !netfs_of(cand[i]))
			pick = steal_ptr(cand[i]);
		free(cand[i]);
	}
	return pick ? pick : xasprintf("/dev/shm/burrow-%u", (unsigned)getuid());
}
