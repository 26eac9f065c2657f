/* tmpl_exec.c - run a parsed template over a json-c value: Go's
 * text/template semantics for maps, slices and basic values. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_int.h"
#include "util.h"

void tbuf_put(struct tbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void tbuf_puts(struct tbuf *b, const char *s)
{
	tbuf_put(b, s, strlen(s));
}

void tbuf_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	tbuf_put(b, s, (size_t)n);
	free(s);
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_object *tpool_keep(struct tpool *p, json_object *v)
{
	if (!v)
		return NULL;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xrealloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = v;
	return v;
}

static void tpool_free(struct tpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		json_object_put(p->v[i]);
	free(p->v);
}

void tmpl_put_float(struct tbuf *b, double d, char verb, int prec)
{
	char s[64], digits[32];
	const char *e;
	size_t nd = 0;
	int exp, p;

	if (isnan(d)) {
		tbuf_puts(b, "NaN");
		return;
	}
	if (isinf(d)) {
		tbuf_puts(b, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* the digits: the fewest that read back (or prec of them) */
	if (prec >= 0) {
		snprintf(s, sizeof s, "%.*e", prec > 0 ? prec - 1 : 0, d);
	} else {
		for (p = 0; p < 17; p++) {
			snprintf(s, sizeof s, "%.*e", p, d);
			if (strtod(s, NULL) == d)
				break;
		}
	}
	e = strchr(s, 'e');
	exp = atoi(e + 1);
	for (const char *q = s; q < e; q++)
		if (*q >= '0' && *q <= '9' && nd < sizeof digits - 1)
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	if (d < 0 || (d == 0 && signbit(d)))
		tbuf_puts(b, "-");
	if (exp < -4 || exp >= (prec >= 0 ? (prec ? prec : 1) : 6)) {
		tbuf_put(b, digits, 1);
		if (nd > 1) {
			tbuf_puts(b, ".");
			tbuf_puts(b, digits + 1);
		}
		tbuf_printf(b, "%c%c%02d", verb == 'G' ? 'E' : 'e', exp < 0 ? '-' : '+',
			    exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		tbuf_puts(b, "0.");
		for (int i = -1; i > exp; i--)
			tbuf_puts(b, "0");
		tbuf_puts(b, digits);
		return;
	}
	for (int i = 0; i <= exp || (size_t)i < nd; i++) {
		if (i == exp + 1)
			tbuf_puts(b, ".");
		tbuf_put(b, (size_t)i < nd ? digits + i : "0", 1);
	}
}

static void print_value(struct tbuf *b, json_object *v, bool top, int depth)
{
	if (depth > 200) {
		tbuf_puts(b, "...");
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		tbuf_puts(b, top ? "<no value>" : "<nil>");
		break;
	case json_type_boolean:
		tbuf_puts(b, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_int:
		tbuf_printf(b, "%lld", (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		tmpl_put_float(b, json_object_get_double(v), 'v', -1);
		break;
	case json_type_string:
		tbuf_put(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_array:
		tbuf_puts(b, "[");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				tbuf_puts(b, " ");
			print_value(b, json_object_array_get_idx(v, i), false, depth + 1);
		}
		tbuf_puts(b, "]");
		break;
	case json_type_object: {
		/* Go prints a map in key order */
		size_t n = (size_t)json_object_object_length(v), k = 0;
		const char **keys = xcalloc(n + 1, sizeof *keys);
		json_object_object_foreach(v, key, val) {
			(void)val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof *keys, strcmp_ptr);
		tbuf_puts(b, "map[");
		for (size_t i = 0; i < k; i++) {
			if (i)
				tbuf_puts(b, " ");
			tbuf_puts(b, keys[i]);
			tbuf_puts(b, ":");
			print_value(b, json_object_object_get(v, keys[i]), false, depth + 1);
		}
		tbuf_puts(b, "]");
		free(keys);
		break;
	}
	default:
		break;
	}
}

void tmpl_print_value(struct tbuf *b, json_object *v, bool top)
{
	print_value(b, v, top, 0);
}

char *tmpl_value_string(json_object *v)
{
	struct tbuf b = { NULL, 0, 0 };

	tbuf_put(&b, "", 0);
	print_value(&b, v, true, 0);
	return b.p;
}

bool tmpl_truth(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	case json_type_null:
	default:
		return false;
	}
}

const char *tmpl_type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return "bool";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float64";
	case json_type_string:
		return "string";
	case json_type_array:
		return "[]interface {}";
	case json_type_object:
		return "map[string]interface {}";
	case json_type_null:
	default:
		return "<nil>";
	}
}

struct var {
	const char *name;
	json_object *v;
};

struct exec {
	const struct tmpl *t;
	struct tbuf out;
	struct tpool pool;
	struct var *vars;
	size_t nvars, cap;
	struct err *e;
	/* header mode: fields of hdr_root evaluate to their column headers */
	json_object *hdr_root;
	const char *const *heads;
};

__attribute__((format(printf, 3, 4))) static int xerr(struct exec *x, int pos, const char *fmt, ...)
{
	char msg[512];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tmpl_where(x->t, pos, &line, &col);
	return err_make(x->e, 0, "template: %d:%d: %s", line, col, msg);
}

static void var_push(struct exec *x, const char *name, json_object *v)
{
	if (x->nvars == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->vars = xrealloc(x->vars, x->cap * sizeof *x->vars);
	}
	x->vars[x->nvars].name = name;
	x->vars[x->nvars++].v = v;
}

static struct var *var_find(struct exec *x, const char *name)
{
	for (size_t i = x->nvars; i-- > 0;)
		if (strcmp(x->vars[i].name, name) == 0)
			return &x->vars[i];
	return NULL;
}

/* "CreatedAt" -> "CREATED AT", unless heads names it */
static char *header_for(const char *const *heads, const char *field)
{
	struct tbuf b = { NULL, 0, 0 };

	for (size_t i = 0; heads && heads[i] && heads[i + 1]; i += 2)
		if (strcmp(heads[i], field) == 0)
			return xstrdup(heads[i + 1]);
	tbuf_put(&b, "", 0);
	for (size_t i = 0; field[i]; i++) {
		char c = field[i];
		bool up = c >= 'A' && c <= 'Z';
		bool prev_low = i > 0 && ((field[i - 1] >= 'a' && field[i - 1] <= 'z') ||
					  (field[i - 1] >= '0' && field[i - 1] <= '9'));
		bool next_low = field[i + 1] >= 'a' && field[i + 1] <= 'z';
		bool prev_up = i > 0 && field[i - 1] >= 'A' && field[i - 1] <= 'Z';
		if (up && i > 0 && (prev_low || (prev_up && next_low)))
			tbuf_puts(&b, " ");
		c = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
		tbuf_put(&b, &c, 1);
	}
	return b.p;
}

/* An object whose keys all start with a capital is one of podman's structs
 * (a container, State, Config, ...): a field it lacks is a mistake in the
 * template, as in Go.  Other objects are maps (labels, annotations), where a
 * missing key is nothing. */
static bool is_record(json_object *v)
{
	if (json_object_object_length(v) == 0)
		return false;
	json_object_object_foreach(v, k, val) {
		(void)val;
		if (!(k[0] >= 'A' && k[0] <= 'Z'))
			return false;
	}
	return true;
}

static int fields(struct exec *x, json_object *v, const struct targ *a, json_object **out)
{
	for (size_t i = 0; i < a->nfields; i++) {
		if (x->hdr_root && v == x->hdr_root) {
			char *h = header_for(x->heads, a->fields[a->nfields - 1]);
			v = tpool_keep(&x->pool, json_object_new_string(h));
			free(h);
			break;
		}
		if (!v)
			continue; /* a field of nothing is nothing, as for a Go map */
		if (!json_object_is_type(v, json_type_object))
			return xerr(x, a->pos, "can't evaluate field %s in type %s", a->fields[i],
				    tmpl_type_name(v));
		{
			json_object *f = NULL;
			if (!json_object_object_get_ex(v, a->fields[i], &f) && is_record(v))
				return xerr(x, a->pos, "can't evaluate field %s: no such field",
					    a->fields[i]);
			v = f;
		}
	}
	*out = v;
	return 0;
}

static int eval_pipe(struct exec *x, const struct tpipe *pp, json_object *dot, json_object **out);

static json_object *literal(struct exec *x, const struct targ *a)
{
	switch (a->kind) {
	case TA_STRING:
		return tpool_keep(&x->pool, json_object_new_string_len(a->s, (int)a->slen));
	case TA_NUMBER:
		return tpool_keep(&x->pool, a->isint ? json_object_new_int64(a->ival)
						     : json_object_new_double(a->dval));
	case TA_BOOL:
		return tpool_keep(&x->pool, json_object_new_boolean(a->bval));
	default:
		return NULL;
	}
}

static int eval_arg(struct exec *x, const struct targ *a, json_object *dot, json_object **out)
{
	json_object *v = NULL;

	switch (a->kind) {
	case TA_DOT:
		v = dot;
		break;
	case TA_FIELD:
		v = dot;
		break;
	case TA_VAR: {
		struct var *vr = var_find(x, a->s);
		if (!vr)
			return xerr(x, a->pos, "undefined variable \"%s\"", a->s);
		v = vr->v;
		break;
	}
	case TA_PAREN:
		if (eval_pipe(x, a->pipe, dot, &v) < 0)
			return -1;
		break;
	case TA_FUNC: {
		/* a function named as an argument is called with no arguments */
		struct err fe = ERR_INIT;
		if (tmpl_func_call(&x->pool, a->s, NULL, 0, out, &fe) < 0) {
			xerr(x, a->pos, "%s", fe.msg);
			err_clear(&fe);
			return -1;
		}
		return 0;
	}
	case TA_NIL:
		*out = NULL;
		return 0;
	case TA_STRING:
	case TA_NUMBER:
	case TA_BOOL:
	default:
		*out = literal(x, a);
		return 0;
	}
	return fields(x, v, a, out);
}

static int eval_cmd(struct exec *x, const struct tcmd *c, json_object *dot, json_object *piped,
		    bool has_piped, json_object **out)
{
	const struct targ *f = &c->args[0];
	json_object **args;
	struct err fe = ERR_INIT;
	size_t n = 0;
	int rc = 0;

	if (f->kind != TA_FUNC) {
		if (c->nargs > 1 || has_piped)
			return xerr(x, f->pos, "can't give argument to non-function");
		return eval_arg(x, f, dot, out);
	}
	/* and/or take their arguments one at a time, as Go's do */
	if (strcmp(f->s, "and") == 0 || strcmp(f->s, "or") == 0) {
		bool is_and = f->s[0] == 'a';
		json_object *v = NULL;
		size_t total = c->nargs - 1 + has_piped;
		if (total < 1)
			return xerr(x, f->pos, "wrong number of args for %s: want at least 1 got 0", f->s);
		for (size_t i = 1; i <= total; i++) {
			if (i < c->nargs) {
				if (eval_arg(x, &c->args[i], dot, &v) < 0)
					return -1;
			} else {
				v = piped;
			}
			if (tmpl_truth(v) != is_and)
				break;
		}
		*out = v;
		return 0;
	}
	args = xcalloc(c->nargs + 1, sizeof *args);
	for (size_t i = 1; i < c->nargs; i++)
		if (eval_arg(x, &c->args[i], dot, &args[n++]) < 0) {
			free(args);
			return -1;
		}
	if (has_piped)
		args[n++] = piped;
	if (tmpl_func_call(&x->pool, f->s, args, n, out, &fe) < 0) {
		rc = xerr(x, f->pos, "error calling %s: %s", f->s, fe.msg);
		err_clear(&fe);
	}
	free(args);
	return rc;
}

static int eval_pipe(struct exec *x, const struct tpipe *pp, json_object *dot, json_object **out)
{
	json_object *v = NULL;

	for (size_t i = 0; i < pp->ncmds; i++)
		if (eval_cmd(x, &pp->cmds[i], dot, v, i > 0, &v) < 0)
			return -1;
	*out = v;
	return 0;
}

/* evaluate a pipeline with declarations (not for range) */
static int eval_decl_pipe(struct exec *x, const struct tpipe *pp, json_object *dot, json_object **out)
{
	if (eval_pipe(x, pp, dot, out) < 0)
		return -1;
	if (pp->ndecl == 1) {
		if (pp->assign) {
			struct var *vr = var_find(x, pp->decl[0]);
			if (!vr)
				return xerr(x, pp->pos, "undefined variable \"%s\"", pp->decl[0]);
			vr->v = *out;
		} else {
			var_push(x, pp->decl[0], *out);
		}
	}
	return 0;
}

static int walk_list(struct exec *x, const struct tlist *l, json_object *dot);

static int walk_range(struct exec *x, const struct tnode *n, json_object *dot)
{
	json_object *v;
	size_t mark = x->nvars;
	int rc = 0;

	if (eval_pipe(x, n->pipe, dot, &v) < 0)
		return -1;
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
		for (size_t i = 0; i < json_object_array_length(v) && rc == 0; i++) {
			json_object *el = json_object_array_get_idx(v, i);
			if (n->pipe->ndecl == 2) {
				var_push(x, n->pipe->decl[0],
					 tpool_keep(&x->pool, json_object_new_int64((int64_t)i)));
				var_push(x, n->pipe->decl[1], el);
			} else if (n->pipe->ndecl == 1) {
				var_push(x, n->pipe->decl[0], el);
			}
			rc = walk_list(x, n->list, el);
			x->nvars = mark;
		}
		return rc;
	}
	if (json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
		size_t cnt = (size_t)json_object_object_length(v), k = 0;
		const char **keys = xcalloc(cnt + 1, sizeof *keys);
		json_object_object_foreach(v, key, val) {
			(void)val;
			keys[k++] = key;
		}
		qsort(keys, k, sizeof *keys, strcmp_ptr);
		for (size_t i = 0; i < k && rc == 0; i++) {
			json_object *el = json_object_object_get(v, keys[i]);
			if (n->pipe->ndecl == 2) {
				var_push(x, n->pipe->decl[0],
					 tpool_keep(&x->pool, json_object_new_string(keys[i])));
				var_push(x, n->pipe->decl[1], el);
			} else if (n->pipe->ndecl == 1) {
				var_push(x, n->pipe->decl[0], el);
			}
			rc = walk_list(x, n->list, el);
			x->nvars = mark;
		}
		free(keys);
		return rc;
	}
	if (v && !json_object_is_type(v, json_type_array) && !json_object_is_type(v, json_type_object) &&
	    !json_object_is_type(v, json_type_null))
		return xerr(x, n->pos, "range can't iterate over %s", tmpl_type_name(v));
	return n->elselist ? walk_list(x, n->elselist, dot) : 0;
}

static int walk_node(struct exec *x, const struct tnode *n, json_object *dot)
{
	json_object *v;
	size_t mark = x->nvars;
	int rc = 0;

	switch (n->kind) {
	case TN_TEXT:
		tbuf_put(&x->out, n->text, n->tlen);
		return 0;
	case TN_ACTION:
		if (eval_decl_pipe(x, n->pipe, dot, &v) < 0)
			return -1;
		/* (a header row shows nothing for the whole row: {{.}}) */
		if (n->pipe->ndecl == 0 && !(x->hdr_root && v == x->hdr_root))
			tmpl_print_value(&x->out, v, true);
		return 0;
	case TN_IF:
	case TN_WITH:
		if (eval_decl_pipe(x, n->pipe, dot, &v) < 0)
			return -1;
		if (tmpl_truth(v))
			rc = walk_list(x, n->list, n->kind == TN_WITH ? v : dot);
		else if (n->elselist)
			rc = walk_list(x, n->elselist, dot);
		x->nvars = mark;
		return rc;
	case TN_RANGE:
		return walk_range(x, n, dot);
	default:
		return 0;
	}
}

static int walk_list(struct exec *x, const struct tlist *l, json_object *dot)
{
	size_t mark = x->nvars;

	for (size_t i = 0; l && i < l->n; i++) {
		size_t before = x->out.n;
		if (walk_node(x, l->nodes[i], dot) < 0) {
			if (!x->hdr_root) {
				x->nvars = mark;
				return -1;
			}
			/* a header row shows what it can */
			err_clear(x->e);
			x->out.n = before;
			x->out.p[before] = '\0';
		}
	}
	x->nvars = mark;
	return 0;
}

static int run(const struct tmpl *t, json_object *data, const char *const *heads, bool header, char **out,
	       struct err *e)
{
	struct exec x;
	int rc;

	memset(&x, 0, sizeof x);
	x.t = t;
	x.e = e;
	tbuf_put(&x.out, "", 0);
	if (header) {
		x.hdr_root = tpool_keep(&x.pool, json_object_new_object());
		x.heads = heads;
		data = x.hdr_root;
	}
	var_push(&x, "$", data);
	rc = walk_list(&x, t->root, data);
	tpool_free(&x.pool);
	free(x.vars);
	if (rc < 0) {
		free(x.out.p);
		return -1;
	}
	*out = x.out.p;
	return 0;
}

int tmpl_exec(const struct tmpl *t, json_object *data, char **out, struct err *e)
{
	return run(t, data, NULL, false, out, e);
}

char *tmpl_header(const struct tmpl *t, const char *const *heads)
{
	struct err e = ERR_INIT;
	char *out = NULL;

	if (run(t, NULL, heads, true, &out, &e) < 0) {
		err_clear(&e);
		return xstrdup("");
	}
	return out;
}
