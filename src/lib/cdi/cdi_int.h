/* cdi_int.h - what cdi.c, cdi_yaml.c and cdi_apply.c share. */
#ifndef BURROW_CDI_INT_H
#define BURROW_CDI_INT_H

#include <json-c/json.h>

#include "cdi.h"
#include "lib/base/util.h"

/* A YAML document as the json-c tree of the same data (cdi_yaml.c). */
int cdi_yaml_to_json(const char *buf, size_t len, const char *what, json_object **out, struct err *e);
/* Errors quote the spec: control characters in e's message become '?',
 * and it is cut at CDI_MAX_ERR bytes, so it stays one readable line. */
#define CDI_MAX_ERR 1024
void cdi_err_clean(struct err *e);
/* An absolute path with no "", "." or ".." component, no ':' and no line end. */
bool cdi_path_ok(const char *p);

#endif
