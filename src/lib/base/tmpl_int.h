/* tmpl_int.h - the parsed form of a template, shared by tmpl_parse.c,
 * tmpl_exec.c and tmpl_funcs.c (not for use outside base/tmpl*). */
#ifndef BURROW_TMPL_INT_H
#define BURROW_TMPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

/* deepest nesting of blocks and parentheses a template may have */
#define TMPL_MAX_DEPTH 64

enum targ_kind {
	TA_DOT,    /* .  then fields */
	TA_FIELD,  /* .A.B: fields from dot */
	TA_VAR,    /* $x.A.B */
	TA_PAREN,  /* (pipeline).A.B */
	TA_FUNC,   /* identifier: a function */
	TA_STRING, /* "..." or `...` */
	TA_NUMBER,
	TA_BOOL,
	TA_NIL,
};

struct tpipe;

struct targ {
	enum targ_kind kind;
	int pos;
	char *s; /* function or variable name, string literal */
	size_t slen;
	bool isint;
	long long ival;
	double dval;
	bool bval;
	char **fields; /* field chain after the operand */
	size_t nfields;
	struct tpipe *pipe; /* TA_PAREN */
};

struct tcmd {
	struct targ *args;
	size_t nargs;
	int pos;
};

struct tpipe {
	char *decl[2]; /* declared or assigned variables */
	size_t ndecl;
	bool assign; /* "=" rather than ":=" */
	struct tcmd *cmds;
	size_t ncmds;
	int pos;
};

enum tnode_kind { TN_TEXT, TN_ACTION, TN_IF, TN_RANGE, TN_WITH };

struct tlist;

struct tnode {
	enum tnode_kind kind;
	int pos;
	char *text; /* TN_TEXT */
	size_t tlen;
	struct tpipe *pipe;
	struct tlist *list, *elselist;
};

struct tlist {
	struct tnode **nodes;
	size_t n;
};

struct tmpl {
	char *src; /* the template text (after "table") for positions */
	bool table;
	struct tlist *root;
};

/* line:column of a byte offset, for messages */
void tmpl_where(const struct tmpl *t, int pos, int *line, int *col);
void tmpl_list_free(struct tlist *l);

/* growable output */
struct tbuf {
	char *p;
	size_t n, cap;
};
void tbuf_put(struct tbuf *b, const char *s, size_t n);
void tbuf_puts(struct tbuf *b, const char *s);
void tbuf_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Values: json-c objects; NULL is nil (a missing key or JSON null). */
void tmpl_print_value(struct tbuf *b, json_object *v, bool top);
bool tmpl_truth(json_object *v);
const char *tmpl_type_name(json_object *v);

/* A float64 the way Go's fmt prints it with verb 'v', 'g' or 'G' and no
 * precision: the shortest form that reads back, exponent form below 1e-4 or
 * from 1e+06 on ("%g" with prec >= 0: that many significant digits). */
void tmpl_put_float(struct tbuf *b, double d, char verb, int prec);
/* Append code point cp as UTF-8 (U+FFFD for one that is not valid). */
void tmpl_put_utf8(struct tbuf *b, unsigned long cp);
/* Go's fmt.Sprintf over template values, appended to b. */
int tmpl_sprintf(struct tbuf *b, const char *fmt, json_object **args, size_t n, struct err *e);

/* Function calls; the evaluator keeps every value it makes in a pool. */
struct tpool {
	json_object **v;
	size_t n, cap;
};
json_object *tpool_keep(struct tpool *p, json_object *v);
bool tmpl_func_known(const char *name);
/* call name(args); a type error sets e (without position) and returns -1 */
int tmpl_func_call(struct tpool *pool, const char *name, json_object **args, size_t nargs, json_object **out,
		   struct err *e);

#endif
