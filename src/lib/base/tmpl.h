/* tmpl.h - the subset of Go templates that --format takes:
 * literal text with {{.Field.Sub}}, {{json .Field}}, {{.}} and
 * {{upper .F}}/{{lower .F}} actions over a JSON object.  "\t" and "\n" in the
 * text are tabs and newlines, as podman's table formats allow. */
#ifndef BURROW_TMPL_H
#define BURROW_TMPL_H

#include <json-c/json.h>

#include "error.h"

/* Check fmt without data: syntax errors only. */
int tmpl_check(const char *fmt, struct err *e);
/* Render; *out is malloc'ed.  An unknown field is an error. */
int tmpl_render(const char *fmt, json_object *obj, char **out, struct err *e);

#endif
