/* state.h - the mutable half of a container record: state.json.
 *
 * Written by the supervisor (running, exited, health, restarts) and by the
 * CLI (created, stop requests, recovery), always as lock -> load -> change
 * -> atomic save, under flock on <ctrdir>/state.lock.
 *
 * State machine: created -> running -> exited -> running ... -> removing.
 * "paused" comes with cgroups.  A pid is only trusted together with its
 * start time (field 22 of /proc/PID/stat), so a reused pid is not mistaken
 * for the container: state_refresh() turns a running record whose supervisor
 * is gone (SIGKILLed, or a reboot wiped the runroot) into an exited one.
 */
#ifndef BURROW_STATE_H
#define BURROW_STATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base/error.h"

enum ctr_status { ST_CREATED, ST_RUNNING, ST_EXITED, ST_REMOVING, ST_PAUSED };

struct ctr_state {
	enum ctr_status status;
	pid_t pid; /* host pid of the container's init, 0 if none */
	unsigned long long pid_start;
	pid_t supervisor; /* host pid of the supervisor */
	unsigned long long supervisor_start;
	int exit_code;
	char started_at[48], finished_at[48]; /* RFC 3339 with nanoseconds, "" if never */
	int restart_count;
	bool stop_requested;     /* stop/kill/rm ended the restart policy */
	bool oom_killed;         /* the last exit was an OOM kill (memory.events) */
	char cgroup[512];        /* the container's cgroup directory, "" if none */
	char cgroup_manager[16]; /* delegated or systemd */
	char cgroup_unit[128];   /* systemd scope, "" if none */
	json_object *health;     /* {Status, FailingStreak, Log[]} or NULL; owned */
};

const char *ctr_status_name(enum ctr_status s);
void ctr_state_init(struct ctr_state *st);
void ctr_state_free(struct ctr_state *st);

/* flock <ctrdir>/state.lock; returns the fd (close it to unlock). */
int state_lock(const char *ctrdir, struct err *e);
/* A missing state.json reads as "created". */
int state_load(const char *ctrdir, struct ctr_state *st, struct err *e);
int state_save(const char *ctrdir, const struct ctr_state *st, struct err *e);

/* Start time of pid in clock ticks since boot, 0 if it does not exist. */
unsigned long long proc_start_time(pid_t pid);
/* pid exists and started at start */
bool proc_alive(pid_t pid, unsigned long long start);
/* A helper process's record, "PID START\n" (START its proc_start_time), so
 * that a later command can tell it from a reused pid: written atomically
 * as name in the directory dir; read from dir/name, -1 when missing or
 * malformed. */
int pid_record_write(const char *dir, const char *name, pid_t pid, struct err *e);
int pid_record_read(const char *dir, const char *name, pid_t *pid, unsigned long long *start);
/* Current time as RFC 3339 with nanoseconds (UTC). */
void state_time_now(char *buf, size_t n);

/* Lock, load, and heal: a running record without its supervisor is marked
 * exited (and the runroot entry removed).  Returns with the lock held in
 * *lockfd (pass NULL to drop it). */
int state_refresh(const char *ctrdir, const char *rundir, struct ctr_state *st, int *lockfd, struct err *e);

#endif
