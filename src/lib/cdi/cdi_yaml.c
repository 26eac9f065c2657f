/* cdi_yaml.c - a YAML spec as the json-c tree a JSON one parses to, with
 * libyaml's event parser, so one validator reads both (cdi.c).  Plain
 * scalars take YAML 1.1's types (null, booleans, integers in decimal,
 * octal and hex, floats), quoted ones are strings.  Aliases are refused
 * (a spec has no use for them, and expanding them is how a small file
 * becomes a huge tree), and so are more than one document and nesting
 * deeper than CDI_YAML_MAX_DEPTH. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cdi_int.h"

#define CDI_YAML_MAX_DEPTH 32

struct yp {
	yaml_parser_t p;
	const char *what;
	struct err *e;
};

static int next(struct yp *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->p, ev))
		return err_make(y->e, 0, "malformed %s: %s at line %zu", y->what,
				y->p.problem ? y->p.problem : "not YAML", y->p.problem_mark.line + 1);
	return 0;
}

static bool is_int(const char *s, int base)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" : base == 8 ? "01234567" : "0123456789";

	return *s && strspn(s, digits) == strlen(s);
}

/* a plain scalar, typed as YAML 1.1 types it */
static json_object *plain_scalar(const char *s, size_t len)
{
	const char *d = s + (*s == '-' || *s == '+');
	int base = 0;
	const char *num = d;
	char *end;

	if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_object_new_boolean(1);
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_object_new_boolean(0);
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
		base = 16, num = d + 2;
	else if (d[0] == '0' && d[1] == 'o')
		base = 8, num = d + 2;
	else if (d[0] == '0' && d[1])
		base = 8, num = d + 1;
	else
		base = 10;
	if (is_int(num, base)) {
		long long v;
		errno = 0;
		v = strtoll(num, &end, base);
		if (errno == 0 && *end == '\0')
			return json_object_new_int64(*s == '-' ? -v : v);
		/* out of range: kept as text, which no integer field accepts */
		return json_object_new_string_len(s, (int)len);
	}
	if (strspn(d, "0123456789.eE+-") == strlen(d) && strchr(d, '.') && strspn(d, "0123456789") > 0) {
		double v = strtod(s, &end);
		if (*end == '\0')
			return json_object_new_double(v);
	}
	return json_object_new_string_len(s, (int)len);
}

static int node(struct yp *y, yaml_event_t *ev, int depth, json_object **out);

static int mapping(struct yp *y, int depth, json_object **out)
{
	json_object *o = json_object_new_object();

	for (;;) {
		yaml_event_t k, v;
		json_object *val = NULL;
		_cleanup_free_ char *key = NULL;
		size_t klen;

		if (next(y, &k) < 0)
			goto fail;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			break;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&k);
			err_make(y->e, 0, "malformed %s: a mapping key that is not a string", y->what);
			goto fail;
		}
		key = xstrndup((const char *)k.data.scalar.value, k.data.scalar.length);
		klen = k.data.scalar.length;
		yaml_event_delete(&k);
		if (strlen(key) != klen) {
			err_make(y->e, 0, "malformed %s: a NUL byte in a key", y->what);
			goto fail;
		}
		if (json_object_object_get_ex(o, key, NULL)) {
			err_make(y->e, 0, "malformed %s: key \"%s\" given twice", y->what, key);
			goto fail;
		}
		if (next(y, &v) < 0)
			goto fail;
		if (node(y, &v, depth + 1, &val) < 0)
			goto fail;
		json_object_object_add(o, key, val);
	}
	*out = o;
	return 0;
fail:
	json_object_put(o);
	return -1;
}

static int sequence(struct yp *y, int depth, json_object **out)
{
	json_object *a = json_object_new_array();

	for (;;) {
		yaml_event_t v;
		json_object *val = NULL;

		if (next(y, &v) < 0)
			goto fail;
		if (v.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&v);
			break;
		}
		if (node(y, &v, depth + 1, &val) < 0)
			goto fail;
		json_object_array_add(a, val);
	}
	*out = a;
	return 0;
fail:
	json_object_put(a);
	return -1;
}

/* ev is consumed (deleted) here */
static int node(struct yp *y, yaml_event_t *ev, int depth, json_object **out)
{
	int rc = 0;

	*out = NULL;
	if (depth > CDI_YAML_MAX_DEPTH) {
		yaml_event_delete(ev);
		return err_make(y->e, 0, "malformed %s: nested deeper than %d levels", y->what,
				CDI_YAML_MAX_DEPTH);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *s = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		const char *tag = (const char *)ev->data.scalar.tag;

		if (strlen(s) != len || len > INT32_MAX)
			rc = err_make(y->e, 0, "malformed %s: a NUL byte in a string", y->what);
		else if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
			 (tag && !strcmp(tag, YAML_STR_TAG)))
			*out = json_object_new_string_len(s, (int)len);
		else
			*out = plain_scalar(s, len);
		break;
	}
	case YAML_MAPPING_START_EVENT:
		rc = mapping(y, depth, out);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = sequence(y, depth, out);
		break;
	case YAML_ALIAS_EVENT:
		rc = err_make(y->e, 0, "malformed %s: YAML aliases are not accepted in a CDI spec", y->what);
		break;
	default:
		rc = err_make(y->e, 0, "malformed %s: unexpected YAML event", y->what);
		break;
	}
	yaml_event_delete(ev);
	return rc;
}

static int expect(struct yp *y, yaml_event_type_t t, const char *msg)
{
	yaml_event_t ev;
	bool ok;

	if (next(y, &ev) < 0)
		return -1;
	ok = ev.type == t;
	yaml_event_delete(&ev);
	return ok ? 0 : err_make(y->e, 0, "malformed %s: %s", y->what, msg);
}

int cdi_yaml_to_json(const char *buf, size_t len, const char *what, json_object **out, struct err *e)
{
	struct yp y = { .what = what, .e = e };
	yaml_event_t ev;
	json_object *o = NULL;
	int rc = -1;

	*out = NULL;
	if (memchr(buf, '\0', len))
		return err_make(e, 0, "malformed %s: a NUL byte inside", what);
	if (!yaml_parser_initialize(&y.p))
		return err_make(e, ENOMEM, "parsing %s", what);
	yaml_parser_set_input_string(&y.p, (const unsigned char *)buf, len);
	if (expect(&y, YAML_STREAM_START_EVENT, "not a YAML stream") < 0 ||
	    expect(&y, YAML_DOCUMENT_START_EVENT, "empty") < 0 || next(&y, &ev) < 0 ||
	    node(&y, &ev, 0, &o) < 0 || expect(&y, YAML_DOCUMENT_END_EVENT, "more than one value") < 0 ||
	    expect(&y, YAML_STREAM_END_EVENT, "more than one YAML document") < 0)
		goto out;
	*out = o;
	o = NULL;
	rc = 0;
out:
	json_object_put(o);
	yaml_parser_delete(&y.p);
	return rc;
}
