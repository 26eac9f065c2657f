/* tmpl_lex.h - the lexer of tmpl_parse.c (tmpl_lex.c): tokens of an
 * action, read in place from the template text, and the decoding of
 * string, character and number literals.  Internal to base/tmpl*. */
#ifndef BURROW_TMPL_LEX_H
#define BURROW_TMPL_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "tmpl_int.h"

enum tok_kind {
	T_END, /* "}}" (or " -}}") */
	T_EOF, /* the text ended inside an action */
	T_IDENT,
	T_KEYWORD,
	T_FIELD, /* ".Name" (s = Name) */
	T_DOT,
	T_VAR, /* "$" or "$name" (s includes '$') */
	T_STRING,
	T_NUMBER,
	T_CHAR,
	T_BOOL,
	T_NIL,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE,
	T_ASSIGN,
	T_COMMA,
};

struct tok {
	enum tok_kind kind;
	size_t pos, len; /* in the source */
	bool trim;       /* T_END: "-}}" */
	bool adjacent;   /* no space before it */
};

struct parser {
	struct tmpl *t;
	const char *s;
	size_t len, pos;
	int depth;
	bool trim_left; /* the last action ended with "-}}" */
	char **vars;    /* variables in scope, for "undefined variable" */
	size_t nvars;
	const char *what; /* the keyword whose pipeline is parsed, for messages */
	struct err *e;
};

/* an error at byte pos of the template: "template: LINE:COL: ..."; -1 */
int tmpl_perr(struct parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool tmpl_is_space(char c);
bool tmpl_is_alnum(char c);
/* the next token of the action (never past its end); -1 on a bad one */
int tmpl_lex(struct parser *p, struct tok *t);
/* the same without moving on */
int tmpl_peek(struct parser *p, struct tok *t);
bool tmpl_tok_is(const struct parser *p, const struct tok *t, const char *word);
const char *tmpl_tok_name(enum tok_kind k);
/* Go's strconv.Unquote of a "..." or `...` token; *out malloc'ed */
int tmpl_unquote(struct parser *p, const struct tok *t, char **out, size_t *outlen);
/* a number or character token into a */
int tmpl_number(struct parser *p, const struct tok *t, struct targ *a);

#endif
