/* events.h - the event log: what happened to containers, images, volumes
 * and networks, written by whichever process did it (there is no daemon).
 *
 * One JSON object per line in <runroot>/events.log, podman's fields:
 * {"ID", "Image", "Name", "Status", "Time", "Type", "Attributes",
 * "ContainerExitCode"}.  Each line is one O_APPEND write under a lock, so
 * concurrent writers never interleave.  When the file passes
 * EVENTS_LOG_MAX it moves to events.log.1 (the older one goes), so the log
 * stays bounded.  The runroot is per boot, like podman's file logger.
 */
#ifndef BURROW_EVENTS_H
#define BURROW_EVENTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/base/error.h"

#define EVENTS_LOG_MAX (1024 * 1024)

struct event {
	const char *type;   /* container, image, volume, network */
	const char *status; /* create, start, died, ... */
	const char *id;     /* may be NULL */
	const char *name;   /* may be NULL */
	const char *image;  /* containers: the image as named */
	bool has_exit;      /* died: ContainerExitCode */
	int exit_code;
	char *const *attrs; /* "K=V" (labels), may be NULL */
};

/* Append ev to the log under runroot.  Best effort: an event that can't
 * be written is logged at debug level and dropped, never an error for the
 * command that made it. */
void events_write(const char *runroot, const struct event *ev);

/* A container event with its image, name and labels; the runroot comes
 * from s->rundir.  exit_code < 0: none. */
struct container_spec;
void events_container(const struct container_spec *s, const char *status, int exit_code);

/* The runroot of a container whose rundir is <runroot>/containers/<id>;
 * malloc'd, NULL if rundir has another shape. */
char *events_runroot_of(const char *rundir);

/* Read the log: call fn for each event (a parsed JSON object, borrowed)
 * with a time at or after since_ns and before until_ns (0 = no bound).
 * *offset is where reading of events.log stopped, for follow-up calls
 * (start with 0: events.log.1 is read first then).  fn returns false to
 * stop.  Lines that don't parse are skipped. */
typedef bool events_fn(json_object *ev, int64_t time_ns, void *arg);
int events_read(const char *runroot, int64_t since_ns, int64_t until_ns, uint64_t *offset, uint64_t *ino,
		events_fn *fn, void *arg, struct err *e);
/* The events since since_ns whose line holds needle (a container's ID):
 * the other lines are not parsed (the log holds up to 2 MB of them). */
int events_read_having(const char *runroot, const char *needle, int64_t since_ns, events_fn *fn, void *arg,
		       struct err *e);

/* "2026-12-07T04:13:24.51776147Z" (RFC 3339 with nanoseconds, as the log
 * holds) to nanoseconds since the epoch; -1 if it doesn't parse. */
int64_t events_parse_time(const char *s);

#endif
