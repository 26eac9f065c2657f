/* tmpl.h - Go text/template, the subset --format takes, over json-c values.
 *
 * Text and {{actions}} with {{- -}} trim markers and comment actions;
 * fields at any depth (.A.B, $x.A, $.A), variables ($x := ..., $x = ...),
 * if/else if/else, range (arrays, and objects in key order) with else,
 * with/else, pipelines, parenthesised commands, string (Go quoting and raw
 * `...`), number, bool and nil literals, and the functions podman and Go
 * offer: json index printf print println join split lower upper title len
 * contains hasPrefix hasSuffix trimPrefix trimSuffix replace truncate pad
 * eq ne lt le gt ge and or not.
 *
 * A missing field of an object whose keys are all capitalised (one of
 * podman's structs: a container, its State, ...) is an error, as in Go; a
 * missing key of any other object (a map: labels) prints "<no value>".  A
 * parse error, an unknown function or a type error is an error naming
 * line:column, never quiet output.  "\t" and "\n" in the literal text are a tab and a newline.
 *
 * "table " before the template asks for a header row and tabwriter
 * alignment (columns at least 12 wide, 2 spaces of padding), as podman's
 * --format "table ..." does.
 */
#ifndef BURROW_TMPL_H
#define BURROW_TMPL_H

#include <stdbool.h>
#include <json-c/json.h>

#include "error.h"

struct tmpl;

/* Parse fmt.  A leading "table" word is taken off and remembered. */
int tmpl_parse(const char *fmt, struct tmpl **out, struct err *e);
void tmpl_free(struct tmpl *t);
/* Did the format start with "table"? */
bool tmpl_is_table(const struct tmpl *t);
/* Render one value; *out is malloc'ed. */
int tmpl_exec(const struct tmpl *t, json_object *data, char **out, struct err *e);
/* The header row of a table format: every field .Name the template reads
 * from the data shows as its header: heads[] maps names to headers
 * ({"ID", "CONTAINER ID", ..., NULL}); other names are split at their
 * capitals and upper-cased ("CreatedAt" -> "CREATED AT").  Never fails;
 * *out is malloc'ed. */
char *tmpl_header(const struct tmpl *t, const char *const *heads);

/* Tabwriter: align the tab-separated cells of text into columns (Go's
 * text/tabwriter with minwidth 12, padding 2, spaces).  Returns a new
 * string. */
char *tmpl_tabwrite(const char *text);

/* Check fmt without data: syntax errors only. */
int tmpl_check(const char *fmt, struct err *e);
/* Parse and render in one step; *out is malloc'ed. */
int tmpl_render(const char *fmt, json_object *obj, char **out, struct err *e);

/* Go's %v of a value (the way {{.X}} prints it); malloc'ed. */
char *tmpl_value_string(json_object *v);

#endif
