/* ctrutil.h - what the container verbs share: loading a container by
 * name/ID/prefix with its state healed, starting it (attached or under its
 * supervisor), stopping, removing, and the status text of ps. */
#ifndef BURROW_CMD_CTRUTIL_H
#define BURROW_CMD_CTRUTIL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "lib/record/container.h"
#include "lib/record/state.h"

struct ctr {
	char id[65];
	json_object *cfg;           /* config.json */
	struct container_spec spec; /* parsed from cfg (idmap unset) */
	struct ctr_state st;        /* refreshed */
};

/* Look up ref and load it; the state is healed (state_refresh). */
int ctr_load(struct globals *g, const char *ref, struct ctr *c, struct err *e);
int ctr_load_id(struct globals *g, const char *id, struct ctr *c, struct err *e);
void ctr_free(struct ctr *c);
bool ctr_running(const struct ctr *c);

/* The process's umask, read (and put back) with umask(2): the CLI is
 * single-threaded. */
mode_t cli_umask(void);

/* Start the container of spec s (a fresh record, or one start/restart
 * loaded).  Detached (s->detach): returns 0 once the command exec'd.
 * Attached: relays the terminal and returns the exit code in *code. */
int ctr_launch(struct globals *g, struct container_spec *s, int *code, struct err *e);

/* start and restart: launch a loaded container again (the caller sets
 * c->spec.detach and interactive); the ID map is looked up here. */
int ctr_relaunch(struct globals *g, struct ctr *c, int *code, struct err *e);

/* Signal the init (pid + start time checked). */
int ctr_kill(struct ctr *c, int sig, struct err *e);
/* Set stop_requested (ends the restart policy) and poke the supervisor. */
int ctr_request_stop(struct globals *g, struct ctr *c, struct err *e);
/* stop: request, sig, wait timeout seconds, SIGKILL, wait for the supervisor
 * to finish its cleanup. */
int ctr_stop(struct globals *g, struct ctr *c, int sig, int timeout, struct err *e);
/* Wait for the supervisor to exit (pidfd); timeout_ms < 0: forever. */
int ctr_wait_supervisor(const struct ctr *c, int timeout_ms);
/* Remove the record and the runroot entry (the container must be stopped). */
int ctr_remove(struct globals *g, struct ctr *c, struct err *e);
/* stop and restart: load ref and stop it with its stop signal, waiting
 * timeout seconds (< 0: the container's stop timeout) before SIGKILL. */
int ctr_stop_ref(struct globals *g, const char *ref, int timeout, struct err *e);
/* rm and system prune: remove container id; a running one only with
 * force (killed first). */
/* Freeze (pause) or thaw the container's cgroup, with podman's checks and
 * messages, and record the event. */
int ctr_pause(struct globals *g, const char *ref, bool pause, struct err *e);
int ctr_remove_id(struct globals *g, const char *id, bool force, struct err *e);

/* The verbs that act on each container they name (stop a b c): fn(g, ref,
 * arg, e) for each of the n refs; a ref it succeeds on is printed, a failure
 * reported (cli_report) before going on.  Returns 0, or the exit status of
 * the last failure. */
typedef int ctr_each_fn(struct globals *g, const char *ref, void *arg, struct err *e);
int ctr_each(struct globals *g, char *const *refs, size_t n, ctr_each_fn *fn, void *arg, struct err *e);

/* "Up 5 seconds (healthy)", "Exited (0) 2 minutes ago", "Created" */
char *ctr_status_text(const struct ctr *c);
/* "5 seconds", "2 minutes", ... since an RFC 3339 time */
char *ctr_ago(const char *rfc3339);
/* The health status string or NULL */
const char *ctr_health(const struct ctr *c);

/* Open the cgroup recorded in st (state.json: path, manager, unit).
 * st->cgroup must be non-empty. */
int ctr_cgroup_open(const struct ctr_state *st, struct cgroup *cg, struct err *e);

#endif
