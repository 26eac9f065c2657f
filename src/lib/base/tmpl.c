/* tmpl.c - see tmpl.h */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "util.h"

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static int eval_path(json_object *obj, const char *path, size_t n, json_object **out, struct err *e)
{
	size_t i = 0;
	json_object *cur = obj;

	if (n == 0 || path[0] != '.')
		return err_make(e, 0, "template: bad field \"%.*s\" (use .Field or .Field.Sub)", (int)n,
				path);
	i = 1;
	while (i < n) {
		size_t j = i;
		char key[128];
		while (j < n && path[j] != '.')
			j++;
		if (j == i || j - i >= sizeof key)
			return err_make(e, 0, "template: bad field \"%.*s\"", (int)n, path);
		memcpy(key, path + i, j - i);
		key[j - i] = '\0';
		if (!cur || !json_object_is_type(cur, json_type_object) ||
		    !json_object_object_get_ex(cur, key, &cur))
			return err_make(e, 0, "template: can't evaluate field %s", key);
		i = j + 1;
	}
	*out = cur;
	return 0;
}

static void put_value(struct buf *b, json_object *v, bool as_json)
{
	const char *s;

	if (as_json || json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
		s = json_object_to_json_string_ext(v,
						   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	else if (!v)
		s = "<no value>";
	else
		s = json_object_get_string(v);
	put(b, s, strlen(s));
}

static int run(const char *fmt, json_object *obj, struct buf *b, struct err *e)
{
	const char *p = fmt;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		const char *lit_end = open ? open : p + strlen(p);
		for (const char *q = p; q < lit_end; q++) {
			if (q[0] == '\\' && q + 1 < lit_end && (q[1] == 't' || q[1] == 'n')) {
				if (b)
					put(b, q[1] == 't' ? "\t" : "\n", 1);
				q++;
			} else if (b) {
				put(b, q, 1);
			}
		}
		if (!open)
			break;
		close = strstr(open + 2, "}}");
		if (!close)
			return err_make(e, 0, "template: unclosed action in \"%s\"", fmt);
		{
			const char *a = open + 2, *z = close;
			bool as_json = false, up = false, low = false;
			json_object *v = NULL;
			while (a < z && isspace((unsigned char)*a))
				a++;
			while (z > a && isspace((unsigned char)z[-1]))
				z--;
			if ((size_t)(z - a) > 5 && strncmp(a, "json ", 5) == 0)
				as_json = true, a += 5;
			else if ((size_t)(z - a) > 6 && strncmp(a, "upper ", 6) == 0)
				up = true, a += 6;
			else if ((size_t)(z - a) > 6 && strncmp(a, "lower ", 6) == 0)
				low = true, a += 6;
			while (a < z && isspace((unsigned char)*a))
				a++;
			if (a >= z || *a != '.')
				return err_make(e, 0,
						"template: unsupported action \"{{%.*s}}\" (burrow takes "
						"{{.Field}}, {{.Field.Sub}} and {{json .Field}})",
						(int)(close - open - 2), open + 2);
			for (const char *q = a; q < z; q++)
				if (!(isalnum((unsigned char)*q) || *q == '.' || *q == '_'))
					return err_make(e, 0, "template: unsupported action \"{{%.*s}}\"",
							(int)(close - open - 2), open + 2);
			if (b) {
				size_t start = b->n;
				if (z - a == 1)
					v = obj;
				else if (eval_path(obj, a, (size_t)(z - a), &v, e) < 0)
					return -1;
				put_value(b, v, as_json);
				for (size_t k = start; k < b->n && (up || low); k++)
					b->p[k] = (char)(up ? toupper((unsigned char)b->p[k])
							    : tolower((unsigned char)b->p[k]));
			} else if (z - a > 1 && a[1] == '.') {
				return err_make(e, 0, "template: bad field \"%.*s\"", (int)(z - a), a);
			}
		}
		p = close + 2;
	}
	return 0;
}

int tmpl_check(const char *fmt, struct err *e)
{
	return run(fmt, NULL, NULL, e);
}

int tmpl_render(const char *fmt, json_object *obj, char **out, struct err *e)
{
	struct buf b = { NULL, 0, 0 };

	put(&b, "", 0);
	if (run(fmt, obj, &b, e) < 0) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	return 0;
}
