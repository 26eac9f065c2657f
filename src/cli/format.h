/* format.h - --format for the listing verbs: "json", a Go template, or
 * "table TEMPLATE" (a header row, then the rows aligned in columns). */
#ifndef BURROW_FORMAT_H
#define BURROW_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "lib/base/error.h"

/* Is format a template (not absent, "json" or plain "table")? */
bool cli_format_is_template(const char *format);
/* Parse it once before any work, so a bad template fails early: the error
 * names the line and column, exit status 125. */
int cli_format_check(const char *format, struct err *e);
/* Print every element of rows through the template, one per line (a
 * newline is added when the output has none at its end).  For "table ..."
 * first the header row from heads (see tmpl_header; not with noheading),
 * and everything goes through the tabwriter. */
int cli_format_print(const char *format, json_object *rows, const char *const *heads, bool noheading,
		     struct err *e);
/* The same for one value. */
int cli_format_print_one(const char *format, json_object *value, struct err *e);
/* go-units' HumanSizeWithPrecision(n, 3), decimal units, as podman prints
 * sizes: "5.86 MB"; malloc'ed. */
char *cli_human_size(uint64_t n);
/* An RFC 3339 time ("2026-12-07T04:41:44.2007Z") the way Go prints a
 * time.Time, as podman's templates show CreatedAt: "2026-12-07
 * 04:41:44.2007 +0000 UTC"; other text is returned as it is.  malloc'ed. */
char *cli_go_time(const char *rfc3339);
/* Print a JSON value podman's way (indented, no slash escaping). */
void cli_print_json(json_object *v);

#endif
