/* imginspect.h - the JSON of image inspect, for an image in the store or
 * a single-file image (a path: see lib/store/sqfile.h), which `burrow
 * inspect FILE` shows too. */
#ifndef BURROW_CLI_IMGINSPECT_H
#define BURROW_CLI_IMGINSPECT_H

#include <json-c/json.h>

#include "lib/base/error.h"
#include "lib/store/store.h"

/* *img (caller frees, also on failure) and its inspect object */
int img_inspect_get(struct store *s, const char *ref, struct image **img, json_object **out, struct err *e);

#endif
