/* state.c - see state.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "lib/base/util.h"

static const char *const status_names[] = { "created", "running", "exited", "removing", "paused" };

const char *ctr_status_name(enum ctr_status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

void ctr_state_init(struct ctr_state *st)
{
	memset(st, 0, sizeof *st);
	st->status = ST_CREATED;
}

void ctr_state_free(struct ctr_state *st)
{
	json_object_put(st->health);
	st->health = NULL;
}

int state_lock(const char *ctrdir, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/state.lock", ctrdir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return err_make(e, errno, "opening %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			return err_make(e, saved, "locking %s", path);
		}
	}
	return fd;
}

static const char *jstr(json_object *j, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(j, k, &v) ? json_object_get_string(v) : NULL;
}

static int64_t jint(json_object *j, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(j, k, &v) ? json_object_get_int64(v) : 0;
}

int state_load(const char *ctrdir, struct ctr_state *st, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/state.json", ctrdir);
	_cleanup_free_ char *txt = NULL;
	json_object *j, *h;
	const char *s;

	ctr_state_init(st);
	if (read_file_at(AT_FDCWD, path, 1 << 20, &txt, NULL, e) < 0) {
		if (e->errnum == ENOENT) {
			err_clear(e);
			return 0;
		}
		return -1;
	}
	j = json_tokener_parse(txt);
	if (!j)
		return 0; /* a torn state (cannot happen with rename) reads as created */
	s = jstr(j, "status");
	for (size_t i = 0; s && i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			st->status = (enum ctr_status)i;
	st->pid = (pid_t)jint(j, "pid");
	st->pid_start = (unsigned long long)jint(j, "pid_start");
	st->supervisor = (pid_t)(jint(j, "supervisor") ?: jint(j, "monitor")); /* "monitor": before 0.2 */
	st->supervisor_start = (unsigned long long)(jint(j, "supervisor_start") ?: jint(j, "monitor_start"));
	st->exit_code = (int)jint(j, "exit_code");
	st->restart_count = (int)jint(j, "restart_count");
	st->stop_requested = jint(j, "stop_requested") != 0;
	st->oom_killed = jint(j, "oom_killed") != 0;
	snprintf(st->cgroup, sizeof st->cgroup, "%s", jstr(j, "cgroup") ? jstr(j, "cgroup") : "");
	snprintf(st->cgroup_manager, sizeof st->cgroup_manager, "%s",
		 jstr(j, "cgroup_manager") ? jstr(j, "cgroup_manager") : "");
	snprintf(st->cgroup_unit, sizeof st->cgroup_unit, "%s",
		 jstr(j, "cgroup_unit") ? jstr(j, "cgroup_unit") : "");
	snprintf(st->started_at, sizeof st->started_at, "%s",
		 jstr(j, "started_at") ? jstr(j, "started_at") : "");
	snprintf(st->finished_at, sizeof st->finished_at, "%s",
		 jstr(j, "finished_at") ? jstr(j, "finished_at") : "");
	if (json_object_object_get_ex(j, "health", &h))
		st->health = json_object_get(h);
	json_object_put(j);
	return 0;
}

int state_save(const char *ctrdir, const struct ctr_state *st, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/state.json", ctrdir);
	json_object *j = json_object_new_object();
	const char *txt;
	int rc;

	json_object_object_add(j, "status", json_object_new_string(ctr_status_name(st->status)));
	json_object_object_add(j, "pid", json_object_new_int(st->pid));
	json_object_object_add(j, "pid_start", json_object_new_int64((int64_t)st->pid_start));
	json_object_object_add(j, "supervisor", json_object_new_int(st->supervisor));
	json_object_object_add(j, "supervisor_start", json_object_new_int64((int64_t)st->supervisor_start));
	json_object_object_add(j, "exit_code", json_object_new_int(st->exit_code));
	json_object_object_add(j, "restart_count", json_object_new_int(st->restart_count));
	json_object_object_add(j, "stop_requested", json_object_new_int(st->stop_requested));
	json_object_object_add(j, "oom_killed", json_object_new_int(st->oom_killed));
	if (st->cgroup[0]) {
		json_object_object_add(j, "cgroup", json_object_new_string(st->cgroup));
		json_object_object_add(j, "cgroup_manager", json_object_new_string(st->cgroup_manager));
		json_object_object_add(j, "cgroup_unit", json_object_new_string(st->cgroup_unit));
	}
	json_object_object_add(j, "started_at", json_object_new_string(st->started_at));
	json_object_object_add(j, "finished_at", json_object_new_string(st->finished_at));
	if (st->health)
		json_object_object_add(j, "health", json_object_get(st->health));
	txt = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	rc = write_file_atomic_at(AT_FDCWD, path, txt, strlen(txt), 0600, e);
	json_object_put(j);
	return rc;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	const char *p;
	unsigned long long v = 0;
	int fd;
	ssize_t n;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2; /* field 3, state */
	if (*p == 'Z' || *p == 'X')
		return 0; /* a zombie is gone for our purposes */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		v = strtoull(p, NULL, 10);
	return v;
}

bool proc_alive(pid_t pid, unsigned long long start)
{
	return pid > 0 && start != 0 && proc_start_time(pid) == start;
}

void state_time_now(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%09ldZ", date, ts.tv_nsec);
}

int state_refresh(const char *ctrdir, const char *rundir, struct ctr_state *st, int *lockfd, struct err *e)
{
	int fd = state_lock(ctrdir, e);

	if (lockfd)
		*lockfd = -1;
	if (fd < 0)
		return -1;
	if (state_load(ctrdir, st, e) < 0) {
		close(fd);
		return -1;
	}
	if ((st->status == ST_RUNNING || st->status == ST_PAUSED) &&
	    !proc_alive(st->supervisor, st->supervisor_start)) {
		struct err ign = ERR_INIT;
		/* The supervisor died without recording the exit (SIGKILL, OOM,
		 * reboot).  The init died with it (parent-death signal), the
		 * overlay went with its mount namespace and fuse-overlayfs with
		 * its parent: only the runroot entry is left to remove. */
		st->status = ST_EXITED;
		if (!proc_alive(st->pid, st->pid_start))
			st->exit_code = st->exit_code ? st->exit_code : 137;
		st->pid = 0;
		st->pid_start = 0;
		st->supervisor = 0;
		st->supervisor_start = 0;
		state_time_now(st->finished_at, sizeof st->finished_at);
		if (state_save(ctrdir, st, &ign) < 0)
			err_clear(&ign);
		if (rundir && rm_rf_at(AT_FDCWD, rundir, &ign) < 0)
			err_clear(&ign);
	}
	if (lockfd)
		*lockfd = fd;
	else
		close(fd);
	return 0;
}

int pid_record_write(const char *dir, const char *name, pid_t pid, struct err *e)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%d %llu\n", (int)pid, proc_start_time(pid));
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return err_make(e, errno, "opening %s", dir);
	return write_file_atomic_at(dfd, name, buf, (size_t)n, 0600, e);
}

int pid_record_read(const char *dir, const char *name, pid_t *pid, unsigned long long *start)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name), *txt = NULL;
	struct err ign = ERR_INIT;
	int p = 0;

	*pid = 0;
	*start = 0;
	if (read_file_at(AT_FDCWD, path, 64, &txt, NULL, &ign) < 0) {
		err_clear(&ign);
		return -1;
	}
	if (sscanf(txt, "%d %llu", &p, start) != 2 || p <= 0)
		return -1;
	*pid = p;
	return 0;
}
