/* json.h - parsing JSON that comes from outside (registries, archives,
 * records, helper documents) with json-c, strictly: one document, nothing
 * after it but white space, no NUL byte inside. */
#ifndef BURROW_JSON_H
#define BURROW_JSON_H

#include <json-c/json.h>
#include <stddef.h>

#include "error.h"

/* Parse buf[0..len) as exactly one JSON value.  On success *out owns it.
 * what names the document in the error ("manifest", "--config-fd"). */
int json_parse_strict(const char *buf, size_t len, const char *what, json_object **out, struct err *e);

#endif
