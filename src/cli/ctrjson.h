/* ctrjson.h - a container as JSON: the docker-compatible object of
 * inspect, and podman's object of ps --format json. */
#ifndef BURROW_CLI_CTRJSON_H
#define BURROW_CLI_CTRJSON_H

#include <json-c/json.h>

#include "ctrutil.h"

json_object *ctr_inspect_json(const struct ctr *c);
json_object *ctr_ps_json(const struct ctr *c);

#endif
