/* hookspec.h - OCI hooks a container runs at points of its lifecycle.
 *
 * They come from CDI specs (lib/cdi/) and are recorded with the container
 * (container_spec.hooks), so a restart or `start` runs the same ones.
 * runtime/hooks.c runs them: createRuntime (and the older prestart) and
 * poststart, poststop in the supervisor's namespaces, createContainer in
 * the container's before pivot_root, startContainer in the container's
 * after it, just before the command's exec.
 */
#ifndef BURROW_HOOKSPEC_H
#define BURROW_HOOKSPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/base/error.h"

enum hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_NKINDS
};

struct hook_spec {
	enum hook_kind kind;
	char *path;   /* absolute, in the namespace the kind says */
	char **args;  /* argv, argv[0] included; NULL: {path} */
	char **env;   /* "K=V", the hook's whole environment; may be NULL */
	int timeout;  /* seconds; 0 = none */
	char *origin; /* what asked for it, for messages ("vendor.com/gpu=0"); may be NULL */
};

/* The OCI name of a kind ("createContainer"), and back (-1: unknown). */
const char *hook_kind_name(enum hook_kind k);
int hook_kind_parse(const char *name);

void hook_spec_free(struct hook_spec *h);
void hook_specs_free(struct hook_spec *v, size_t n);
/* Append a deep copy of h to *v (*n grows), unless an equal hook is there. */
void hook_specs_add(struct hook_spec **v, size_t *n, const struct hook_spec *h);
/* Are there hooks of kind k (prestart counts as createRuntime)? */
bool hook_specs_have(const struct hook_spec *v, size_t n, enum hook_kind k);

/* The record's "hooks" list, and back. */
json_object *hook_specs_to_json(const struct hook_spec *v, size_t n);
int hook_specs_from_json(json_object *a, struct hook_spec **v, size_t *n, struct err *e);

#endif
