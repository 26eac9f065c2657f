/* json.c - see json.h */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"

int json_parse_strict(const char *buf, size_t len, const char *what, json_object **out, struct err *e)
{
	json_tokener *tok;
	json_object *o;
	size_t end;
	bool ok;

	*out = NULL;
	if (len > INT_MAX)
		return err_make(e, 0, "%s is too large", what);
	if (memchr(buf, '\0', len))
		return err_make(e, 0, "malformed %s: a NUL byte inside", what);
	tok = json_tokener_new();
	if (!tok)
		return err_make(e, ENOMEM, "parsing %s", what);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	ok = o && json_tokener_get_error(tok) == json_tokener_success;
	end = ok ? (size_t)tok->char_offset : len;
	json_tokener_free(tok);
	/* trailing white space is fine, anything else is not */
	for (size_t i = end; ok && i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			ok = false;
	if (!ok) {
		json_object_put(o);
		return err_make(e, 0, "malformed %s: not a JSON document", what);
	}
	*out = o;
	return 0;
}
