/* format.c - see format.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "lib/base/tmpl.h"
#include "lib/base/util.h"

bool cli_format_is_template(const char *format)
{
	return format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0;
}

int cli_format_check(const char *format, struct err *e)
{
	if (!cli_format_is_template(format))
		return 0;
	/* a word with no action in it is a format name burrow lacks */
	if (!strstr(format, "{{"))
		return err_make(e, 0,
				"unknown --format \"%s\" (json, table, or a Go template such as '{{.ID}}')",
				format);
	return tmpl_check(format, e);
}

static void put_line(FILE *f, const char *s)
{
	size_t n = strlen(s);

	fputs(s, f);
	if (n == 0 || s[n - 1] != '\n')
		fputc('\n', f);
}

int cli_format_print(const char *format, json_object *rows, const char *const *heads, bool noheading,
		     struct err *e)
{
	struct tmpl *t;
	char *all = xstrdup("");
	size_t len = 0;
	int rc = 0;

	if (tmpl_parse(format, &t, e) < 0) {
		free(all);
		return -1;
	}
	for (size_t i = 0; i <= json_object_array_length(rows) && rc == 0; i++) {
		char *out = NULL;
		size_t n;
		if (i == 0 && (!tmpl_is_table(t) || noheading))
			continue;
		if (i == 0)
			out = tmpl_header(t, heads);
		else if (tmpl_exec(t, json_object_array_get_idx(rows, i - 1), &out, e) < 0) {
			rc = -1;
			break;
		}
		n = strlen(out);
		all = xrealloc(all, len + n + 2);
		memcpy(all + len, out, n);
		len += n;
		if (n == 0 || out[n - 1] != '\n')
			all[len++] = '\n';
		all[len] = '\0';
		free(out);
	}
	if (rc == 0) {
		if (tmpl_is_table(t)) {
			char *tw = tmpl_tabwrite(all);
			fputs(tw, stdout);
			free(tw);
		} else {
			fputs(all, stdout);
		}
	}
	free(all);
	tmpl_free(t);
	return rc;
}

int cli_format_print_one(const char *format, json_object *value, struct err *e)
{
	json_object *rows = json_object_new_array();
	int rc;

	json_object_array_add(rows, json_object_get(value));
	rc = cli_format_print(format, rows, NULL, false, e);
	json_object_put(rows);
	return rc;
}

void cli_print_json(json_object *v)
{
	put_line(stdout, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
}

char *cli_human_size(uint64_t n)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	return xasprintf("%.3g %s", v, units[u]);
}

char *cli_go_time(const char *t)
{
	size_t n;
	char *s, *z;

	if (!t)
		return xstrdup("");
	n = strlen(t);
	if (n < 20 || t[10] != 'T' || t[n - 1] != 'Z')
		return xstrdup(t);
	s = xstrdup(t);
	s[10] = ' ';
	s[n - 1] = '\0';
	/* Go leaves out the zeros at the end of the fraction, and a bare dot */
	if ((z = strchr(s, '.'))) {
		size_t e = strlen(s);
		while (e > (size_t)(z - s) + 1 && s[e - 1] == '0')
			s[--e] = '\0';
		if (s[e - 1] == '.')
			s[e - 1] = '\0';
	}
	z = xasprintf("%s +0000 UTC", s);
	free(s);
	return z;
}
