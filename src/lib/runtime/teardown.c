/* teardown.c - the end of a container, in its supervisor: the network
 * stopped, the overlay unmounted, the runroot entry and cgroup removed, the
 * exit recorded or (--rm) the record removed; with the late teardown
 * (BURROW_LATE_TEARDOWN) part of it after the caller has the exit status. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/base/log.h"
#include "lib/base/util.h"
#include "lib/record/events.h"
#include "netns.h"
#include "rootfs.h"
#include "runtime_int.h"

/* Remove the container's cgroup.  The supervisor is not in it (cgroup.h): it
 * sits in the delegated base's leaf, or in the systemd scope's supervisor
 * leaf, which keeps the scope (and memory.events) there until the exit is
 * recorded; systemd removes the scope once the supervisor exits. */
static void supervisor_drop_cgroup(struct supervisor *m)
{
	struct err e = ERR_INIT;

	if (!m->cg.path)
		return;
	if (cgroup_destroy(&m->cg, &e) < 0)
		log_warn("removing the container's cgroup: %s", e.msg);
	err_clear(&e);
}

/* run --rm with a caller waiting for the exit status: the caller needs the
 * container gone from the store, not the store's files gone.  The record
 * directory is moved aside (.gone-ID, which nothing lists, and which a
 * later command sweeps if this process dies first) before the status goes
 * out; the overlay, the runroot entry and the files go after it.  Only for
 * --rm: a container that stays may be started again at once, and its next
 * supervisor needs the runroot entry this one would still be removing.
 * BURROW_LATE_TEARDOWN=0 keeps everything before the status.
 * A detached --rm container (run -d --rm, the API's docker run --rm) has no
 * caller waiting, but a wait for its removal (docker's wait
 * condition=removed) sees the record go: moved aside first, it goes before
 * the overlay's unmount instead of after (BURROW_LATE_TEARDOWN_DETACHED=0:
 * as before, everything then the record).
 * Never with a poststop hook: it runs after the overlay's unmount, and
 * whoever waits for the container to be gone expects it to have run (as
 * podman's run --rm has it run before it returns). */
bool supervisor_late_teardown(const struct supervisor *m)
{
	const char *v = getenv("BURROW_LATE_TEARDOWN");
	const char *d = getenv("BURROW_LATE_TEARDOWN_DETACHED");

	if (!m->s->remove || (v && strcmp(v, "0") == 0))
		return false;
	if (hook_specs_have(m->s->hooks, m->s->nhooks, HOOK_POSTSTOP))
		return false;
	return m->sk >= 0 || (m->s->detach && !(d && strcmp(d, "0") == 0));
}

/* The slirp socket, the overlay (and fuse-overlayfs), the runroot entry. */
static void supervisor_drop_runtime(struct supervisor *m)
{
	const struct container_spec *s = m->s;
	_cleanup_free_ char *merged = xasprintf("%s/merged", s->rundir);
	static const char *const files[] = { "hostname",    "hosts",  "resolv.conf", "attach",
					     "config.json", "passwd", "group" };
	struct err e = ERR_INIT;

	if (s->net == NET_SLIRP) {
		_cleanup_free_ char *sock = container_net_socket(s);
		unlink(sock);
	}
	/* unmount first: the runroot entry is removed file by file, never
	 * recursively through a mounted overlay */
	rootfs_umount_overlay(s, &m->fuse);
	log_debug("cleanup: overlay unmounted");
	/* poststop: after the container is gone, with its bundle still there;
	 * a failure is a warning (hooks.c) */
	hooks_run(s, HOOK_POSTSTOP, 0, &e);
	err_clear(&e);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", s->rundir, files[i]);
		unlink(p);
	}
	rmdir(merged);
	rmdir(s->rundir);
}

/* Stop the network, remove the runroot entry, record the exit (or remove
 * the container with --rm).  *gone (late teardown): the moved record
 * directory that supervisor_cleanup_late removes, else NULL. */
void supervisor_cleanup(struct supervisor *m, int wstatus, char **gone)
{
	const struct container_spec *s = m->s;
	struct err e = ERR_INIT;
	bool recorded, late = supervisor_late_teardown(m);

	*gone = NULL;
	if (m->alive >= 0)
		close(m->alive);
	m->alive = -1;
	if (!late)
		closep(&m->init_mnt);
	/* the container is gone: nothing of the helper's is worth a graceful
	 * exit, and its exit (closing tap0 waits for an RCU grace period) costs
	 * 10-30 ms: kill it and let whoever inherits it reap it */
	if (m->net.pid > 0) {
		kill(m->net.pid, SIGKILL);
		m->net.pid = 0;
	}
	net_stop(&m->net);
	log_debug("cleanup: network stopped");
	if (s->net == NET_BRIDGE) {
		netns_unpublish(s, m->fwd_ids, m->nfwd);
		m->fwd_ids = NULL;
		m->nfwd = 0;
	}
	if (!late)
		supervisor_drop_runtime(m);
	/* record (and read the OOM kill) before the cgroup goes */
	recorded = m->cg.path && !s->remove;
	if (recorded)
		supervisor_record_exit(m, wstatus, true);
	supervisor_drop_cgroup(m);
	if (s->remove) {
		events_container(s, "remove", -1);
		container_remove_cidfile(s);
		if (late) {
			/* locked, so that a command's sweep of .gone-* leaves
			 * it to us (it is released when this process exits) */
			const char *slash = strrchr(s->ctrdir, '/');
			char *to = xasprintf("%.*s/.gone-%s", (int)(slash ? slash - s->ctrdir : 0), s->ctrdir,
					     slash ? slash + 1 : s->ctrdir);
			int dfd = open(s->ctrdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* kept open */
			if (dfd >= 0 && flock(dfd, LOCK_EX | LOCK_NB) == 0 && rename(s->ctrdir, to) == 0) {
				*gone = to;
			} else {
				free(to);
				if (dfd >= 0)
					close(dfd);
			}
		}
		if (!*gone && rm_rf_at(AT_FDCWD, s->ctrdir, &e) < 0)
			log_warn("removing %s: %s", s->ctrdir, e.msg);
		err_clear(&e);
		if (s->layer_dir && rm_rf_at(AT_FDCWD, s->layer_dir, &e) < 0)
			log_warn("removing %s: %s", s->layer_dir, e.msg);
		err_clear(&e);
		rootfs_remove_anon_volumes(s);
		log_debug("cleanup: record removed");
		return;
	}
	if (!recorded)
		supervisor_record_exit(m, wstatus, true);
}

/* After the exit status went out (late teardown): nothing of the
 * caller's is held any more (it may exit at once), then the rest. */
void supervisor_cleanup_late(struct supervisor *m, char *gone)
{
	struct err e = ERR_INIT;
	int dn = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		close(dn);
	}
	closep(&m->init_mnt);
	supervisor_drop_runtime(m);
	if (gone && rm_rf_at(AT_FDCWD, gone, &e) < 0)
		err_clear(&e); /* the next listing sweeps what is left */
	free(gone);
}
