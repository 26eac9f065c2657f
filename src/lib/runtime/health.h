/* health.h - healthchecks: run the container's health test inside it
 * (through the exec engine, exec.h) and record the result in state.json.
 * Used by the supervisor on its timer and by `burrow healthcheck run`.
 */
#ifndef BURROW_HEALTH_H
#define BURROW_HEALTH_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/record/container.h"
#include "lib/base/error.h"

struct health_result {
	int exit_code; /* -1: timed out or could not run */
	char *output;  /* at most 4 KiB */
	char start[48], end[48];
};
/* Run s->health.test in the container whose init is init (in a forked
 * process, which joins the container and runs exec_in_container), waiting
 * at most the probe's timeout. */
int health_probe(const struct container_spec *s, pid_t init, struct health_result *r, struct err *e);
/* Record a result in state.json (Status, FailingStreak, the last 5 Log
 * entries).  in_start_period: failures do not count yet.  Returns the new
 * status name ("healthy", "unhealthy", "starting") in *status (static). */
int health_record(const char *ctrdir, const struct container_spec *s, const struct health_result *r,
		  bool in_start_period, const char **status, struct err *e);
void health_result_free(struct health_result *r);

#endif
