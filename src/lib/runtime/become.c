/* become.c - the last steps of a container process before exec, shared by
 * the container's init (init.c) and exec (exec.c): become the container's
 * user with its capabilities, complete the environment, exec along PATH. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime_int.h"
#include "lib/base/util.h"

static int drop_bounding(uint64_t keep, struct err *e)
{
	int last = (int)cap_max_bits() - 1;

	for (int c = 0; c <= last && c < 64; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return err_make(e, errno, "dropping capability %d from the bounding set", c);
	}
	return 0;
}

static int set_caps(uint64_t keep, bool root, struct err *e)
{
	cap_t caps = cap_init();
	int last = (int)cap_max_bits() - 1, rc = 0;

	if (!caps)
		return err_make(e, errno, "cap_init");
	if (root) {
		for (int c = 0; c <= last && c < 64; c++) {
			cap_value_t v = c;
			if (!(keep & (1ULL << c)))
				continue;
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
		}
	}
	if (cap_set_proc(caps) < 0)
		rc = err_make(e, errno, "setting capabilities");
	cap_free(caps);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return rc;
}

/* The IDs change with the system calls themselves, for the calling thread
 * only: the init may still have a thread that unmounts the old root (it
 * is joined before the exec), and libc's wrappers would wait for it to
 * change its IDs too.  In a process of one thread the two are the same. */
int become_user(uint64_t caps, bool single, const struct user_spec *u, struct err *e)
{
	if (drop_bounding(caps, e) < 0)
		return -1;
	if (!single && !u->keep_groups && syscall(SYS_setgroups, u->ngroups, u->groups) < 0)
		return err_make(e, errno, "setgroups");
	if (syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno, "gid %u is not mapped in this container%s",
				(unsigned)u->gid,
				single ? " (no subordinate gid range: only 0 is mapped)" : "");
	if (syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0)
		return err_make(e, errno == EINVAL ? 0 : errno, "uid %u is not mapped in this container%s",
				(unsigned)u->uid,
				single ? " (no subordinate uid range: only 0 is mapped)" : "");
	return set_caps(caps, u->uid == 0, e);
}

void become_finalize_env(char ***env, const char *hostname, bool tty, const struct user_spec *u)
{
	if (!env_get(*env, "PATH"))
		env_set(env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!env_get(*env, "HOSTNAME"))
		env_set(env, "HOSTNAME", hostname);
	if (!env_get(*env, "HOME"))
		env_set(env, "HOME", u->home ? u->home : "/");
	if (tty && !env_get(*env, "TERM"))
		env_set(env, "TERM", "xterm");
	if (!env_get(*env, "container"))
		env_set(env, "container", "burrow");
}

/* execvpe that searches the container's PATH; returns the errno that decides
 * the exit code */
int become_exec_in_path(char **argv, char **env)
{
	const char *path = env_get(env, "PATH");
	int best = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		return errno;
	}
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char full[4096];
		if (n + strlen(argv[0]) + 2 < sizeof full) {
			snprintf(full, sizeof full, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", argv[0]);
			execve(full, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				best = errno;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	return best;
}
