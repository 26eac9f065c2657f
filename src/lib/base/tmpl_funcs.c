/* tmpl_funcs.c - the functions a template can call: Go's built-ins
 * (index, len, printf, print, println, eq..., not) and podman's (json,
 * join, lower, upper, title, split, truncate, pad, ...). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_int.h"
#include "util.h"

struct fctx {
	struct tpool *pool;
	json_object **a;
	size_t n;
	const char *name;
	struct err *e;
	json_object **out;
};

typedef int (*tfunc)(struct fctx *f);

static json_object *keep(struct fctx *f, json_object *v)
{
	return tpool_keep(f->pool, v);
}

static int ret_str(struct fctx *f, const char *s, size_t n)
{
	*f->out = keep(f, json_object_new_string_len(s, (int)n));
	return 0;
}

static int ret_bool(struct fctx *f, bool b)
{
	*f->out = keep(f, json_object_new_boolean(b));
	return 0;
}

static int nargs(struct fctx *f, size_t want)
{
	if (f->n != want)
		return err_make(f->e, 0, "wrong number of args for %s: want %zu got %zu", f->name, want,
				f->n);
	return 0;
}

/* a string argument; numbers and bools are taken in their printed form */
static int str_arg(struct fctx *f, size_t i, char **s)
{
	json_object *v = f->a[i];

	if (json_object_is_type(v, json_type_string)) {
		*s = xstrdup(json_object_get_string(v));
		return 0;
	}
	return err_make(f->e, 0, "wrong type for value; expected string; got %s", tmpl_type_name(v));
}

static int int_arg(struct fctx *f, size_t i, long long *out)
{
	json_object *v = f->a[i];

	if (json_object_is_type(v, json_type_int)) {
		*out = (long long)json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_double) &&
	    json_object_get_double(v) == floor(json_object_get_double(v))) {
		*out = (long long)json_object_get_double(v);
		return 0;
	}
	return err_make(f->e, 0, "wrong type for value; expected int; got %s", tmpl_type_name(v));
}

static int f_json(struct fctx *f)
{
	const char *s;

	if (nargs(f, 1) < 0)
		return -1;
	s = f->a[0] ? json_object_to_json_string_ext(f->a[0],
						     JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
		    : "null";
	return ret_str(f, s, strlen(s));
}

static int f_index(struct fctx *f)
{
	json_object *v;

	if (f->n < 1)
		return err_make(f->e, 0, "wrong number of args for index: want at least 1 got 0");
	v = f->a[0];
	for (size_t i = 1; i < f->n; i++) {
		json_object *k = f->a[i];
		if (!v)
			return err_make(f->e, 0, "index of untyped nil");
		if (json_object_is_type(v, json_type_array)) {
			long long idx;
			if (!json_object_is_type(k, json_type_int) &&
			    !json_object_is_type(k, json_type_double))
				return err_make(f->e, 0, "cannot index slice/array with type %s",
						tmpl_type_name(k));
			if (int_arg(f, i, &idx) < 0)
				return -1;
			if (idx < 0 || (size_t)idx >= json_object_array_length(v))
				return err_make(f->e, 0, "index out of range: %lld", idx);
			v = json_object_array_get_idx(v, (size_t)idx);
		} else if (json_object_is_type(v, json_type_object)) {
			if (!json_object_is_type(k, json_type_string))
				return err_make(f->e, 0, "value has type %s; should be string",
						tmpl_type_name(k));
			if (!json_object_object_get_ex(v, json_object_get_string(k), &v))
				v = NULL;
		} else if (json_object_is_type(v, json_type_string)) {
			long long idx;
			if (int_arg(f, i, &idx) < 0)
				return -1;
			if (idx < 0 || idx >= json_object_get_string_len(v))
				return err_make(f->e, 0, "index out of range: %lld", idx);
			v = keep(f, json_object_new_int((unsigned char)json_object_get_string(v)[idx]));
		} else {
			return err_make(f->e, 0, "can't index item of type %s", tmpl_type_name(v));
		}
	}
	*f->out = v;
	return 0;
}

static int f_len(struct fctx *f)
{
	json_object *v;
	size_t n;

	if (nargs(f, 1) < 0)
		return -1;
	v = f->a[0];
	if (json_object_is_type(v, json_type_string))
		n = (size_t)json_object_get_string_len(v);
	else if (json_object_is_type(v, json_type_array))
		n = json_object_array_length(v);
	else if (json_object_is_type(v, json_type_object))
		n = (size_t)json_object_object_length(v);
	else
		return err_make(f->e, 0, "len of type %s", tmpl_type_name(v));
	*f->out = keep(f, json_object_new_int64((int64_t)n));
	return 0;
}

static int f_join(struct fctx *f)
{
	struct tbuf b = { NULL, 0, 0 };
	_cleanup_free_ char *sep = NULL;
	json_object *arr;

	if (nargs(f, 2) < 0 || str_arg(f, 1, &sep) < 0)
		return -1;
	arr = f->a[0];
	if (arr && !json_object_is_type(arr, json_type_array))
		return err_make(f->e, 0, "wrong type for value; expected []string; got %s",
				tmpl_type_name(arr));
	tbuf_put(&b, "", 0);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		if (i)
			tbuf_puts(&b, sep);
		tmpl_print_value(&b, json_object_array_get_idx(arr, i), false);
	}
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

static int f_split(struct fctx *f)
{
	_cleanup_free_ char *s = NULL, *sep = NULL;
	json_object *arr;
	size_t sl;

	if (nargs(f, 2) < 0 || str_arg(f, 0, &s) < 0 || str_arg(f, 1, &sep) < 0)
		return -1;
	arr = keep(f, json_object_new_array());
	sl = strlen(sep);
	if (sl == 0) {
		for (size_t i = 0; s[i];) {
			size_t l = 1;
			while (s[i + l] && ((unsigned char)s[i + l] & 0xC0) == 0x80)
				l++;
			json_object_array_add(arr, json_object_new_string_len(s + i, (int)l));
			i += l;
		}
	} else {
		const char *p = s, *q;
		while ((q = strstr(p, sep))) {
			json_object_array_add(arr, json_object_new_string_len(p, (int)(q - p)));
			p = q + sl;
		}
		json_object_array_add(arr, json_object_new_string(p));
	}
	*f->out = arr;
	return 0;
}

/* The case pairs of the alphabets most names are written in: ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic.  Others stay as they are. */
static unsigned long to_case(unsigned long c, bool upper)
{
	if (upper) {
		if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ||
		    (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
			return c - 32;
		if (c >= 0x450 && c <= 0x45F)
			return c - 80;
		if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
		    c != 0x17F && ((c < 0x139 || c > 0x148) && (c < 0x179)) && (c & 1))
			return c - 1;
		if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && !(c & 1))
			return c - 1;
		return c;
	}
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F &&
	    ((c < 0x139 || c > 0x148) && (c < 0x179)) && !(c & 1))
		return c + 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c & 1))
		return c + 1;
	return c;
}

static bool is_letter(unsigned long c)
{
	return (c < 0x80 && (isalnum((int)c) || c == '_' || c == '\'')) || c >= 0x80;
}

static int f_case(struct fctx *f)
{
	_cleanup_free_ char *s = NULL;
	struct tbuf b = { NULL, 0, 0 };
	bool word_start = true;

	if (nargs(f, 1) < 0 || str_arg(f, 0, &s) < 0)
		return -1;
	tbuf_put(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int need = *p < 0x80             ? 0
			   : (*p & 0xE0) == 0xC0 ? 1
			   : (*p & 0xF0) == 0xE0 ? 2
			   : (*p & 0xF8) == 0xF0 ? 3
						 : -1;
		unsigned long c = need > 0 ? (unsigned long)(*p & (0x3F >> need)) : *p;
		bool ok = need >= 0;
		for (int i = 1; ok && i <= need; i++) {
			ok = (p[i] & 0xC0) == 0x80;
			c = (c << 6) | (p[i] & 0x3F);
		}
		if (!ok) { /* not UTF-8: the byte as it is */
			tbuf_put(&b, (const char *)p, 1);
			p++;
			word_start = true;
			continue;
		}
		if (f->name[0] == 'u')
			c = to_case(c, true);
		else if (f->name[0] == 'l')
			c = to_case(c, false);
		else if (word_start) /* title: the first letter of every word */
			c = to_case(c, true);
		word_start = !is_letter(c);
		tmpl_put_utf8(&b, c);
		p += need + 1;
	}
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

/* contains, hasPrefix, hasSuffix, trimPrefix, trimSuffix: (s, arg) */
static int f_strpair(struct fctx *f)
{
	_cleanup_free_ char *s = NULL, *t = NULL;
	size_t sl, tl;
	bool pre, suf;

	if (nargs(f, 2) < 0 || str_arg(f, 0, &s) < 0 || str_arg(f, 1, &t) < 0)
		return -1;
	sl = strlen(s), tl = strlen(t);
	pre = sl >= tl && strncmp(s, t, tl) == 0;
	suf = sl >= tl && strcmp(s + sl - tl, t) == 0;
	if (strcmp(f->name, "contains") == 0)
		return ret_bool(f, strstr(s, t) != NULL);
	if (strcmp(f->name, "hasPrefix") == 0)
		return ret_bool(f, pre);
	if (strcmp(f->name, "hasSuffix") == 0)
		return ret_bool(f, suf);
	if (strcmp(f->name, "trimPrefix") == 0)
		return pre ? ret_str(f, s + tl, sl - tl) : ret_str(f, s, sl);
	return suf ? ret_str(f, s, sl - tl) : ret_str(f, s, sl);
}

/* replace s old new [n]: n < 0 (or left out) replaces every one */
static int f_replace(struct fctx *f)
{
	_cleanup_free_ char *s = NULL, *old = NULL, *new = NULL;
	struct tbuf b = { NULL, 0, 0 };
	long long n = -1;
	const char *p;
	size_t ol;

	if (f->n != 3 && f->n != 4)
		return err_make(f->e, 0, "wrong number of args for replace: want 4 got %zu", f->n);
	if (str_arg(f, 0, &s) < 0 || str_arg(f, 1, &old) < 0 || str_arg(f, 2, &new) < 0 ||
	    (f->n == 4 && int_arg(f, 3, &n) < 0))
		return -1;
	ol = strlen(old);
	tbuf_put(&b, "", 0);
	p = s;
	if (ol == 0) {
		/* Go: an empty old matches before every character and at the end */
		for (size_t i = 0;; i++) {
			if (n < 0 || (long long)i < n)
				tbuf_puts(&b, new);
			if (!p[0])
				break;
			{
				size_t l = 1;
				while (p[l] && ((unsigned char)p[l] & 0xC0) == 0x80)
					l++;
				tbuf_put(&b, p, l);
				p += l;
			}
		}
	} else {
		const char *q;
		while ((n < 0 || n-- > 0) && (q = strstr(p, old))) {
			tbuf_put(&b, p, (size_t)(q - p));
			tbuf_puts(&b, new);
			p = q + ol;
		}
		tbuf_puts(&b, p);
	}
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

/* podman's truncate: the first n bytes */
static int f_truncate(struct fctx *f)
{
	_cleanup_free_ char *s = NULL;
	long long n;

	if (nargs(f, 2) < 0 || str_arg(f, 0, &s) < 0 || int_arg(f, 1, &n) < 0)
		return -1;
	if (n < 0)
		return err_make(f->e, 0, "slice bounds out of range");
	return ret_str(f, s, strlen(s) < (size_t)n ? strlen(s) : (size_t)n);
}

/* podman's pad: spaces before and after */
static int f_pad(struct fctx *f)
{
	_cleanup_free_ char *s = NULL;
	struct tbuf b = { NULL, 0, 0 };
	long long pre, post;

	if (nargs(f, 3) < 0 || str_arg(f, 0, &s) < 0 || int_arg(f, 1, &pre) < 0 || int_arg(f, 2, &post) < 0)
		return -1;
	if (pre < 0 || post < 0 || pre > 4096 || post > 4096)
		return err_make(f->e, 0, "pad: bad width");
	tbuf_put(&b, "", 0);
	for (long long i = 0; i < pre; i++)
		tbuf_puts(&b, " ");
	tbuf_puts(&b, s);
	for (long long i = 0; i < post; i++)
		tbuf_puts(&b, " ");
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

/* -1, 0, 1; 2 for "not comparable" */
static int compare(json_object *a, json_object *b, bool order)
{
	if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int)) {
		int64_t x = json_object_get_int64(a), y = json_object_get_int64(b);
		return x < y ? -1 : x > y;
	}
	if (json_object_is_type(a, json_type_double) && json_object_is_type(b, json_type_double)) {
		double x = json_object_get_double(a), y = json_object_get_double(b);
		return x < y ? -1 : x > y;
	}
	if (json_object_is_type(a, json_type_string) && json_object_is_type(b, json_type_string)) {
		int c = strcmp(json_object_get_string(a), json_object_get_string(b));
		return c < 0 ? -1 : c > 0;
	}
	if (order)
		return 2;
	if (json_object_is_type(a, json_type_boolean) && json_object_is_type(b, json_type_boolean))
		return json_object_get_boolean(a) != json_object_get_boolean(b);
	if (!a && !b)
		return 0;
	if (!a || !b)
		return 1;
	return 2;
}

static int f_compare(struct fctx *f)
{
	const char *n = f->name;
	bool order = strcmp(n, "eq") != 0 && strcmp(n, "ne") != 0;
	int c;

	if (strcmp(n, "eq") == 0) {
		if (f->n < 2)
			return err_make(f->e, 0, "missing argument for comparison");
		for (size_t i = 1; i < f->n; i++) {
			c = compare(f->a[0], f->a[i], false);
			if (c == 2)
				return err_make(f->e, 0, "incompatible types for comparison: %s and %s",
						tmpl_type_name(f->a[0]), tmpl_type_name(f->a[i]));
			if (c == 0)
				return ret_bool(f, true);
		}
		return ret_bool(f, false);
	}
	if (nargs(f, 2) < 0)
		return -1;
	c = compare(f->a[0], f->a[1], order);
	if (c == 2)
		return err_make(f->e, 0, "%s for comparison: %s and %s",
				order && tmpl_type_name(f->a[0]) == tmpl_type_name(f->a[1])
					? "invalid type"
					: "incompatible types",
				tmpl_type_name(f->a[0]), tmpl_type_name(f->a[1]));
	if (strcmp(n, "ne") == 0)
		return ret_bool(f, c != 0);
	if (strcmp(n, "lt") == 0)
		return ret_bool(f, c < 0);
	if (strcmp(n, "le") == 0)
		return ret_bool(f, c <= 0);
	if (strcmp(n, "gt") == 0)
		return ret_bool(f, c > 0);
	return ret_bool(f, c >= 0);
}

static int f_not(struct fctx *f)
{
	if (nargs(f, 1) < 0)
		return -1;
	return ret_bool(f, !tmpl_truth(f->a[0]));
}

/* print: Go's Sprint (a space between operands when neither is a string);
 * println: Sprintln (spaces always, and a newline) */
static int f_print(struct fctx *f)
{
	struct tbuf b = { NULL, 0, 0 };
	bool ln = strcmp(f->name, "println") == 0;

	tbuf_put(&b, "", 0);
	for (size_t i = 0; i < f->n; i++) {
		if (i && (ln || (!json_object_is_type(f->a[i - 1], json_type_string) &&
				 !json_object_is_type(f->a[i], json_type_string))))
			tbuf_puts(&b, " ");
		tmpl_print_value(&b, f->a[i], false);
	}
	if (ln)
		tbuf_puts(&b, "\n");
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

static int f_printf(struct fctx *f)
{
	struct tbuf b = { NULL, 0, 0 };

	if (f->n < 1)
		return err_make(f->e, 0, "wrong number of args for printf: want at least 1 got 0");
	if (!json_object_is_type(f->a[0], json_type_string))
		return err_make(f->e, 0, "wrong type for value; expected string; got %s",
				tmpl_type_name(f->a[0]));
	tbuf_put(&b, "", 0);
	if (tmpl_sprintf(&b, json_object_get_string(f->a[0]), f->a + 1, f->n - 1, f->e) < 0) {
		free(b.p);
		return -1;
	}
	ret_str(f, b.p, b.n);
	free(b.p);
	return 0;
}

static const struct {
	const char *name;
	tfunc fn;
} funcs[] = {
	{ "and", NULL },
	{ "contains", f_strpair },
	{ "eq", f_compare },
	{ "ge", f_compare },
	{ "gt", f_compare },
	{ "hasPrefix", f_strpair },
	{ "hasSuffix", f_strpair },
	{ "index", f_index },
	{ "join", f_join },
	{ "json", f_json },
	{ "le", f_compare },
	{ "len", f_len },
	{ "lower", f_case },
	{ "lt", f_compare },
	{ "ne", f_compare },
	{ "not", f_not },
	{ "or", NULL },
	{ "pad", f_pad },
	{ "print", f_print },
	{ "printf", f_printf },
	{ "println", f_print },
	{ "replace", f_replace },
	{ "split", f_split },
	{ "title", f_case },
	{ "trimPrefix", f_strpair },
	{ "trimSuffix", f_strpair },
	{ "truncate", f_truncate },
	{ "upper", f_case },
};

bool tmpl_func_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return true;
	return false;
}

int tmpl_func_call(struct tpool *pool, const char *name, json_object **args, size_t n, json_object **out,
		   struct err *e)
{
	struct fctx f = { pool, args, n, name, e, out };

	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (strcmp(funcs[i].name, name) == 0) {
			if (!funcs[i].fn)
				return err_make(e, 0, "wrong number of args for %s: want at least 1 got 0",
						name);
			*out = NULL;
			return funcs[i].fn(&f);
		}
	return err_make(e, 0, "function \"%s\" not defined", name);
}
