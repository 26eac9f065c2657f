/* cgroup_systemd.c - a transient scope with Delegate=yes from the user's
 * systemd, over sd-bus.  libsystemd is opened on first use (dl.h): only
 * runs that ask systemd for a cgroup pay for loading it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cgroup.h"
#include "lib/base/dl.h"
#include "lib/base/util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_USEC (10 * 1000000ULL)

static const char *const sonames[] = { "libsystemd.so.0", NULL };
static struct dl_lib libsystemd = { sonames, "libsystemd0", NULL };

static struct {
	__typeof__(sd_bus_open_user) *open_user;
	__typeof__(sd_bus_flush_close_unref) *close_unref;
	__typeof__(sd_bus_message_new_method_call) *new_call;
	__typeof__(sd_bus_message_append) *append;
	__typeof__(sd_bus_message_open_container) *open_container;
	__typeof__(sd_bus_message_close_container) *close_container;
	__typeof__(sd_bus_message_read) *read;
	__typeof__(sd_bus_message_unref) *msg_unref;
	__typeof__(sd_bus_call) *call;
	__typeof__(sd_bus_call_method) *call_method;
	__typeof__(sd_bus_match_signal) *match_signal;
	__typeof__(sd_bus_slot_unref) *slot_unref;
	__typeof__(sd_bus_process) *process;
	__typeof__(sd_bus_wait) *wait;
	__typeof__(sd_bus_error_free) *error_free;
	__typeof__(sd_bus_error_has_name) *error_has_name;
	bool loaded;
} sd;

static int load(struct err *e)
{
	if (sd.loaded)
		return 0;
	if (!DL_SYM(&libsystemd, sd.open_user, "sd_bus_open_user", e) ||
	    !DL_SYM(&libsystemd, sd.close_unref, "sd_bus_flush_close_unref", e) ||
	    !DL_SYM(&libsystemd, sd.new_call, "sd_bus_message_new_method_call", e) ||
	    !DL_SYM(&libsystemd, sd.append, "sd_bus_message_append", e) ||
	    !DL_SYM(&libsystemd, sd.open_container, "sd_bus_message_open_container", e) ||
	    !DL_SYM(&libsystemd, sd.close_container, "sd_bus_message_close_container", e) ||
	    !DL_SYM(&libsystemd, sd.read, "sd_bus_message_read", e) ||
	    !DL_SYM(&libsystemd, sd.msg_unref, "sd_bus_message_unref", e) ||
	    !DL_SYM(&libsystemd, sd.call, "sd_bus_call", e) ||
	    !DL_SYM(&libsystemd, sd.call_method, "sd_bus_call_method", e) ||
	    !DL_SYM(&libsystemd, sd.match_signal, "sd_bus_match_signal", e) ||
	    !DL_SYM(&libsystemd, sd.slot_unref, "sd_bus_slot_unref", e) ||
	    !DL_SYM(&libsystemd, sd.process, "sd_bus_process", e) ||
	    !DL_SYM(&libsystemd, sd.wait, "sd_bus_wait", e) ||
	    !DL_SYM(&libsystemd, sd.error_free, "sd_bus_error_free", e) ||
	    !DL_SYM(&libsystemd, sd.error_has_name, "sd_bus_error_has_name", e))
		return -1;
	sd.loaded = true;
	return 0;
}

/* The socket sd_bus_open_user would use, for a cheap check. */
static char *user_bus_path(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (addr && strncmp(addr, "unix:path=", 10) == 0) {
		char *p = xstrdup(addr + 10);
		p[strcspn(p, ",;")] = '\0';
		return p;
	}
	if (addr && *addr)
		return xstrdup(""); /* another transport: let sd-bus try */
	if (rt && *rt)
		return xasprintf("%s/bus", rt);
	return NULL;
}

bool cg_systemd_bus_available(struct err *e)
{
	_cleanup_free_ char *path = user_bus_path();
	struct stat st;

	if (!path)
		return err_make(e, 0,
				"no user session bus (XDG_RUNTIME_DIR and "
				"DBUS_SESSION_BUS_ADDRESS are unset)"),
		       false;
	if (*path && (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)))
		return err_make(e, errno ? errno : ENOTSOCK, "no user session bus at %s", path), false;
	return load(e) == 0;
}

static int open_bus(sd_bus **bus, struct err *e)
{
	int r;

	if (load(e) < 0)
		return -1;
	r = sd.open_user(bus);
	if (r < 0)
		return err_make(e, -r, "connecting to the user's systemd (session bus)");
	return 0;
}

struct job_wait {
	const char *job;
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	(void)ret_error;
	if (sd.read(m, "uoss", &id, &path, &unit, &result) < 0 || !w->job || !path)
		return 0;
	if (strcmp(path, w->job) == 0 && !w->result)
		w->result = xstrdup(result ? result : "");
	return 0;
}

/* /proc/PID/cgroup's v2 line, as a directory under /sys/fs/cgroup */
static int pid_cgroup(pid_t pid, char **out, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *s = NULL;

	if (read_file_at(AT_FDCWD, path, 1 << 16, &s, NULL, e) < 0)
		return -1;
	for (char *line = s, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (strncmp(line, "0::/", 4) == 0) {
			*out = xasprintf("/sys/fs/cgroup%s", line + 3);
			return 0;
		}
	}
	return err_make(e, 0, "no cgroup v2 entry in %s", path);
}

int cg_systemd_start_scope(const char *unit, pid_t pid, char **cgpath, struct err *e)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct job_wait w = { NULL, NULL };
	const char *job = NULL;
	uint64_t deadline;
	int r, ret = -1;

	if (open_bus(&bus, e) < 0)
		return -1;
	/* listen before asking, so the signal cannot slip by */
	r = sd.match_signal(bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved", on_job_removed, &w);
	if (r < 0) {
		err_make(e, -r, "subscribing to systemd's JobRemoved");
		goto out;
	}
	r = sd.new_call(bus, &m, SD_DEST, SD_PATH, SD_IFACE, "StartTransientUnit");
	if (r >= 0)
		r = sd.append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sd.open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd.append(m, "(sv)(sv)(sv)(sv)", "Description", "s", "burrow container", "PIDs", "au", 1,
			      (uint32_t)pid, "Delegate", "b", 1, "CollectMode", "s", "inactive-or-failed");
	if (r >= 0)
		r = sd.close_container(m);
	if (r >= 0)
		r = sd.append(m, "a(sa(sv))", 0);
	if (r < 0) {
		err_make(e, -r, "building the StartTransientUnit call");
		goto out;
	}
	r = sd.call(bus, m, JOB_TIMEOUT_USEC, &error, &reply);
	if (r < 0) {
		err_make(e, 0, "the user's systemd refused to start %s: %s", unit,
			 error.message ? error.message : strerror(-r));
		goto out;
	}
	r = sd.read(reply, "o", &job);
	if (r < 0) {
		err_make(e, -r, "reading the StartTransientUnit reply");
		goto out;
	}
	w.job = job;
	deadline = now_usec() + JOB_TIMEOUT_USEC;
	while (!w.result) {
		uint64_t now = now_usec();
		r = sd.process(bus, NULL);
		if (r < 0) {
			err_make(e, -r, "waiting for systemd to start %s", unit);
			goto out;
		}
		if (r > 0)
			continue;
		if (now >= deadline) {
			err_make(e, ETIMEDOUT, "waiting for systemd to start %s", unit);
			goto out;
		}
		r = sd.wait(bus, deadline - now);
		if (r < 0 && r != -EINTR) {
			err_make(e, -r, "waiting for systemd to start %s", unit);
			goto out;
		}
	}
	if (strcmp(w.result, "done") != 0) {
		err_make(e, 0, "systemd could not start %s: job %s", unit, w.result);
		goto out;
	}
	ret = pid_cgroup(pid, cgpath, e);
	if (ret == 0 && !strstr(*cgpath, unit)) {
		ret = err_make(e, 0, "process %d is in %s, not in %s", (int)pid, *cgpath, unit);
		free(*cgpath);
		*cgpath = NULL;
	}
out:
	free(w.result);
	sd.error_free(&error);
	if (reply)
		sd.msg_unref(reply);
	if (m)
		sd.msg_unref(m);
	if (slot)
		sd.slot_unref(slot);
	sd.close_unref(bus);
	return ret;
}

int cg_systemd_stop_unit(const char *unit, struct err *e)
{
	sd_bus *bus = NULL;
	sd_bus_message *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r, ret = 0;

	if (open_bus(&bus, e) < 0)
		return -1;
	r = sd.call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &error, &reply, "ss", unit, "fail");
	if (r < 0 && !sd.error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
		ret = err_make(e, 0, "stopping %s: %s", unit, error.message ? error.message : strerror(-r));
	sd.error_free(&error);
	if (reply)
		sd.msg_unref(reply);
	sd.close_unref(bus);
	return ret;
}
