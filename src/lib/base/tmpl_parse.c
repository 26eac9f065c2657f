/* tmpl_parse.c - Go template text to the tree in tmpl_int.h: the lexer
 * works on the text in place, the parser is recursive descent with the
 * nesting limited to TMPL_MAX_DEPTH. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_int.h"
#include "util.h"

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

void tmpl_where(const struct tmpl *t, int pos, int *line, int *col)
{
	int l = 1, c = 1;

	for (int i = 0; i < pos && t->src[i]; i++) {
		if (t->src[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

__attribute__((format(printf, 3, 4))) static int perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[512];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tmpl_where(p->t, (int)pos, &line, &col);
	return err_make(p->e, 0, "template: %d:%d: %s", line, col, msg);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static const char *const keywords[] = { "if",       "else",  "end",   "range",    "with", "define",
					"template", "block", "break", "continue", NULL };

/* one token; never moves past the action's end */
static int lex(struct parser *p, struct tok *t)
{
	const char *s = p->s;
	size_t i = p->pos;
	bool space = false;

	while (i < p->len && is_space(s[i])) {
		/* " -}}" is the end with a trim marker */
		if (i + 3 < p->len && s[i + 1] == '-' && s[i + 2] == '}' && s[i + 3] == '}') {
			t->kind = T_END;
			t->pos = i;
			t->len = 4;
			t->trim = true;
			t->adjacent = false;
			p->pos = i + 4;
			return 0;
		}
		i++;
		space = true;
	}
	memset(t, 0, sizeof *t);
	t->pos = i;
	t->adjacent = !space;
	if (i >= p->len) {
		t->kind = T_EOF;
		p->pos = i;
		return 0;
	}
	if (s[i] == '}' && i + 1 < p->len && s[i + 1] == '}') {
		t->kind = T_END;
		t->len = 2;
		p->pos = i + 2;
		return 0;
	}
	switch (s[i]) {
	case '|':
		t->kind = T_PIPE;
		t->len = 1;
		break;
	case '(':
		t->kind = T_LPAREN;
		t->len = 1;
		break;
	case ')':
		t->kind = T_RPAREN;
		t->len = 1;
		break;
	case ',':
		t->kind = T_COMMA;
		t->len = 1;
		break;
	case '=':
		t->kind = T_ASSIGN;
		t->len = 1;
		break;
	case ':':
		if (i + 1 < p->len && s[i + 1] == '=') {
			t->kind = T_DECLARE;
			t->len = 2;
			break;
		}
		return perr(p, i, "expected :=");
	case '"': {
		size_t j = i + 1;
		while (j < p->len && s[j] != '"' && s[j] != '\n') {
			if (s[j] == '\\' && j + 1 < p->len)
				j++;
			j++;
		}
		if (j >= p->len || s[j] != '"')
			return perr(p, i, "unterminated quoted string");
		t->kind = T_STRING;
		t->len = j + 1 - i;
		break;
	}
	case '`': {
		const char *q = memchr(s + i + 1, '`', p->len - i - 1);
		if (!q)
			return perr(p, i, "unterminated raw quoted string");
		t->kind = T_STRING;
		t->len = (size_t)(q - (s + i)) + 1;
		break;
	}
	case '\'': {
		size_t j = i + 1;
		while (j < p->len && s[j] != '\'' && s[j] != '\n') {
			if (s[j] == '\\' && j + 1 < p->len)
				j++;
			j++;
		}
		if (j >= p->len || s[j] != '\'')
			return perr(p, i, "unterminated character constant");
		t->kind = T_CHAR;
		t->len = j + 1 - i;
		break;
	}
	case '.':
		if (i + 1 < p->len && isdigit((unsigned char)s[i + 1]))
			goto number;
		if (i + 1 < p->len && is_alnum(s[i + 1])) {
			size_t j = i + 1;
			while (j < p->len && is_alnum(s[j]))
				j++;
			t->kind = T_FIELD;
			t->len = j - i;
		} else {
			t->kind = T_DOT;
			t->len = 1;
		}
		break;
	case '$': {
		size_t j = i + 1;
		while (j < p->len && is_alnum(s[j]))
			j++;
		t->kind = T_VAR;
		t->len = j - i;
		break;
	}
	default:
		if (isdigit((unsigned char)s[i]) || ((s[i] == '-' || s[i] == '+') && i + 1 < p->len &&
						     (isdigit((unsigned char)s[i + 1]) || s[i + 1] == '.'))) {
number : {
	size_t j = i + 1;
	while (j < p->len && (is_alnum(s[j]) || s[j] == '.' ||
			      ((s[j] == '+' || s[j] == '-') &&
			       (s[j - 1] == 'e' || s[j - 1] == 'E' || s[j - 1] == 'p' || s[j - 1] == 'P'))))
		j++;
	t->kind = T_NUMBER;
	t->len = j - i;
	break;
}
		}
		if (isalpha((unsigned char)s[i]) || s[i] == '_') {
			size_t j = i;
			while (j < p->len && is_alnum(s[j]))
				j++;
			t->kind = T_IDENT;
			t->len = j - i;
			if ((t->len == 4 && strncmp(s + i, "true", 4) == 0) ||
			    (t->len == 5 && strncmp(s + i, "false", 5) == 0))
				t->kind = T_BOOL;
			else if (t->len == 3 && strncmp(s + i, "nil", 3) == 0)
				t->kind = T_NIL;
			for (size_t k = 0; keywords[k]; k++)
				if (strlen(keywords[k]) == t->len && strncmp(s + i, keywords[k], t->len) == 0)
					t->kind = T_KEYWORD;
			break;
		}
		if (s[i] == '-' && i + 2 < p->len && s[i + 1] == '}' && s[i + 2] == '}')
			return perr(p, i, "a trim marker needs a space before it: \" -}}\"");
		return perr(p, i, "unexpected \"%c\" in action", s[i]);
	}
	p->pos = i + t->len;
	return 0;
}

static int peek(struct parser *p, struct tok *t)
{
	size_t save = p->pos;
	int rc = lex(p, t);
	p->pos = save;
	return rc;
}

static bool tok_is(const struct parser *p, const struct tok *t, const char *word)
{
	return t->len == strlen(word) && strncmp(p->s + t->pos, word, t->len) == 0;
}

static const char *tok_name(enum tok_kind k)
{
	switch (k) {
	case T_END:
		return "end of action";
	case T_EOF:
		return "end of text";
	case T_PIPE:
		return "\"|\"";
	case T_LPAREN:
		return "\"(\"";
	case T_RPAREN:
		return "\")\"";
	case T_DECLARE:
		return "\":=\"";
	case T_ASSIGN:
		return "\"=\"";
	case T_COMMA:
		return "\",\"";
	case T_KEYWORD:
		return "keyword";
	default:
		return "operand";
	}
}

/* Go's strconv.Unquote for "..." (and 'c'); raw strings as they are */
static int unquote(struct parser *p, const struct tok *t, char **out, size_t *outlen)
{
	const char *s = p->s + t->pos;
	size_t n = t->len;
	struct tbuf b = { NULL, 0, 0 };

	tbuf_put(&b, "", 0);
	if (s[0] == '`') {
		tbuf_put(&b, s + 1, n - 2);
		goto done;
	}
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned long cp;
		int digits, base;
		char c = s[i];
		if (c != '\\') {
			tbuf_put(&b, &c, 1);
			continue;
		}
		c = s[++i];
		switch (c) {
		case 'a':
			tbuf_put(&b, "\a", 1);
			continue;
		case 'b':
			tbuf_put(&b, "\b", 1);
			continue;
		case 'f':
			tbuf_put(&b, "\f", 1);
			continue;
		case 'n':
			tbuf_put(&b, "\n", 1);
			continue;
		case 'r':
			tbuf_put(&b, "\r", 1);
			continue;
		case 't':
			tbuf_put(&b, "\t", 1);
			continue;
		case 'v':
			tbuf_put(&b, "\v", 1);
			continue;
		case '\\':
		case '"':
		case '\'':
			tbuf_put(&b, &c, 1);
			continue;
		case 'x':
			digits = 2, base = 16;
			i++;
			break;
		case 'u':
			digits = 4, base = 16;
			i++;
			break;
		case 'U':
			digits = 8, base = 16;
			i++;
			break;
		default:
			if (c >= '0' && c <= '7') {
				digits = 3, base = 8;
				break;
			}
			free(b.p);
			return perr(p, t->pos + i, "unknown escape sequence \"\\%c\"", c);
		}
		cp = 0;
		for (int k = 0; k < digits; k++, i++) {
			int d;
			if (i + 1 >= n) {
				free(b.p);
				return perr(p, t->pos, "bad escape in quoted string");
			}
			c = s[i];
			d = isdigit((unsigned char)c)    ? c - '0'
			    : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
							 : 99;
			if (d >= base) {
				free(b.p);
				return perr(p, t->pos + i, "bad escape in quoted string");
			}
			cp = cp * (unsigned long)base + (unsigned long)d;
		}
		i--;
		if (digits == 2 || base == 8) {
			char ch = (char)cp;
			if (cp > 255) {
				free(b.p);
				return perr(p, t->pos, "octal escape value > 255");
			}
			tbuf_put(&b, &ch, 1);
		} else {
			char u[4];
			size_t ul;
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
				free(b.p);
				return perr(p, t->pos, "escape sequence is an invalid Unicode code point");
			}
			if (cp < 0x80) {
				u[0] = (char)cp, ul = 1;
			} else if (cp < 0x800) {
				u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), ul = 2;
			} else if (cp < 0x10000) {
				u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
				u[2] = (char)(0x80 | (cp & 0x3F)), ul = 3;
			} else {
				u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)),
				ul = 4;
			}
			tbuf_put(&b, u, ul);
		}
	}
done:
	*out = b.p;
	*outlen = b.n;
	return 0;
}

static int number(struct parser *p, const struct tok *t, struct targ *a)
{
	char buf[80], *end;
	size_t n = 0;

	if (t->kind == T_CHAR) {
		char *s = NULL;
		size_t len = 0;
		const unsigned char *u;
		struct tok q = *t;
		if (unquote(p, &q, &s, &len) < 0)
			return -1;
		u = (const unsigned char *)s;
		if (len == 1)
			a->ival = u[0];
		else if (len == 2 && (u[0] & 0xE0) == 0xC0)
			a->ival = ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
		else if (len == 3 && (u[0] & 0xF0) == 0xE0)
			a->ival = ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
		else if (len == 4 && (u[0] & 0xF8) == 0xF0)
			a->ival = ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) |
				  (u[3] & 0x3F);
		else {
			free(s);
			return perr(p, t->pos, "malformed character constant");
		}
		free(s);
		a->isint = true;
		a->dval = (double)a->ival;
		return 0;
	}
	for (size_t i = 0; i < t->len && n + 1 < sizeof buf; i++)
		if (p->s[t->pos + i] != '_')
			buf[n++] = p->s[t->pos + i];
	buf[n] = '\0';
	if (t->len >= sizeof buf)
		return perr(p, t->pos, "bad number syntax");
	errno = 0;
	if (!strpbrk(buf, ".eEpP") || ((strstr(buf, "0x") || strstr(buf, "0X")) && !strpbrk(buf, ".pP"))) {
		const char *d = buf + (buf[0] == '-' || buf[0] == '+');
		int base = 10;
		if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
			base = 16;
		else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O'))
			base = 8, memmove((char *)d + 1, d + 2, strlen(d + 2) + 1);
		else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B'))
			base = 2, memmove((char *)d, d + 2, strlen(d + 2) + 1);
		else if (d[0] == '0' && d[1])
			base = 8;
		a->ival = strtoll(buf, &end, base);
		if (*end || errno || end == buf)
			return perr(p, t->pos, "bad number syntax: \"%.*s\"", (int)t->len, p->s + t->pos);
		a->isint = true;
		a->dval = (double)a->ival;
		return 0;
	}
	a->dval = strtod(buf, &end);
	if (*end || errno || end == buf)
		return perr(p, t->pos, "bad number syntax: \"%.*s\"", (int)t->len, p->s + t->pos);
	a->isint = false;
	return 0;
}

static void pipe_free(struct tpipe *pp);

static void arg_free(struct targ *a)
{
	free(a->s);
	for (size_t i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	pipe_free(a->pipe);
}

static void pipe_free(struct tpipe *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->ndecl; i++)
		free(pp->decl[i]);
	for (size_t i = 0; i < pp->ncmds; i++) {
		for (size_t k = 0; k < pp->cmds[i].nargs; k++)
			arg_free(&pp->cmds[i].args[k]);
		free(pp->cmds[i].args);
	}
	free(pp->cmds);
	free(pp);
}

void tmpl_list_free(struct tlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct tnode *n = l->nodes[i];
		free(n->text);
		pipe_free(n->pipe);
		tmpl_list_free(n->list);
		tmpl_list_free(n->elselist);
		free(n);
	}
	free(l->nodes);
	free(l);
}

static bool var_known(const struct parser *p, const char *name)
{
	for (size_t i = p->nvars; i-- > 0;)
		if (strcmp(p->vars[i], name) == 0)
			return true;
	return false;
}

static void var_push(struct parser *p, const char *name)
{
	p->vars = xrealloc(p->vars, (p->nvars + 1) * sizeof *p->vars);
	p->vars[p->nvars++] = xstrdup(name);
}

static void var_pop_to(struct parser *p, size_t n)
{
	while (p->nvars > n)
		free(p->vars[--p->nvars]);
}

static int parse_pipeline(struct parser *p, struct tpipe **out, bool decl_ok, bool in_paren, bool range);

/* the ".A.B" after an operand, written without spaces */
static int field_chain(struct parser *p, struct targ *a)
{
	struct tok t;

	for (;;) {
		if (peek(p, &t) < 0)
			return -1;
		if (t.kind != T_FIELD || !t.adjacent)
			return 0;
		lex(p, &t);
		a->fields = xrealloc(a->fields, (a->nfields + 1) * sizeof *a->fields);
		a->fields[a->nfields++] = xasprintf("%.*s", (int)t.len - 1, p->s + t.pos + 1);
	}
}

static int parse_operand(struct parser *p, const struct tok *t, struct targ *a)
{
	memset(a, 0, sizeof *a);
	a->pos = (int)t->pos;
	switch (t->kind) {
	case T_DOT:
		a->kind = TA_DOT;
		break;
	case T_FIELD:
		a->kind = TA_FIELD;
		a->fields = xmalloc(sizeof *a->fields);
		a->fields[0] = xasprintf("%.*s", (int)t->len - 1, p->s + t->pos + 1);
		a->nfields = 1;
		break;
	case T_VAR:
		a->kind = TA_VAR;
		a->s = xasprintf("%.*s", (int)t->len, p->s + t->pos);
		if (!var_known(p, a->s))
			return perr(p, t->pos, "undefined variable \"%s\"", a->s);
		break;
	case T_STRING:
		a->kind = TA_STRING;
		if (unquote(p, t, &a->s, &a->slen) < 0)
			return -1;
		return 0; /* Go allows no field on a literal */
	case T_NUMBER:
	case T_CHAR:
		a->kind = TA_NUMBER;
		return number(p, t, a);
	case T_BOOL:
		a->kind = TA_BOOL;
		a->bval = p->s[t->pos] == 't';
		return 0;
	case T_NIL:
		a->kind = TA_NIL;
		return 0;
	case T_IDENT:
		a->kind = TA_FUNC;
		a->s = xasprintf("%.*s", (int)t->len, p->s + t->pos);
		if (!tmpl_func_known(a->s))
			return perr(p, t->pos, "function \"%s\" not defined", a->s);
		return 0;
	case T_LPAREN:
		a->kind = TA_PAREN;
		if (++p->depth > TMPL_MAX_DEPTH)
			return perr(p, t->pos, "nested too deeply");
		if (parse_pipeline(p, &a->pipe, false, true, false) < 0)
			return -1;
		p->depth--;
		break;
	case T_KEYWORD:
		return perr(p, t->pos, "unexpected keyword \"%.*s\" in operand", (int)t->len, p->s + t->pos);
	default:
		return perr(p, t->pos, "unexpected %s in operand", tok_name(t->kind));
	}
	return field_chain(p, a);
}

/* Parse "[$a [, $b] :=] cmd | cmd ..." up to the action's end (or ")").
 * The end token is consumed; for an action, p->trim_left is set from it. */
static int parse_pipeline(struct parser *p, struct tpipe **out, bool decl_ok, bool in_paren, bool range)
{
	struct tpipe *pp = xcalloc(1, sizeof *pp);
	struct tok t;
	size_t save = p->pos;

	pp->pos = (int)p->pos;
	if (decl_ok) {
		struct tok a, b;
		if (lex(p, &a) < 0)
			goto fail;
		if (a.kind == T_VAR) {
			if (lex(p, &b) < 0)
				goto fail;
			if (b.kind == T_COMMA && range) {
				struct tok c, d;
				if (lex(p, &c) < 0 || lex(p, &d) < 0)
					goto fail;
				if (c.kind != T_VAR || d.kind != T_DECLARE) {
					perr(p, c.pos, "range can only declare variables: $i, $e := ...");
					goto fail;
				}
				pp->decl[0] = xasprintf("%.*s", (int)a.len, p->s + a.pos);
				pp->decl[1] = xasprintf("%.*s", (int)c.len, p->s + c.pos);
				pp->ndecl = 2;
			} else if (b.kind == T_DECLARE || b.kind == T_ASSIGN) {
				pp->decl[0] = xasprintf("%.*s", (int)a.len, p->s + a.pos);
				pp->ndecl = 1;
				pp->assign = b.kind == T_ASSIGN;
				if (pp->assign && !var_known(p, pp->decl[0])) {
					perr(p, a.pos, "undefined variable \"%s\"", pp->decl[0]);
					goto fail;
				}
			} else {
				p->pos = save;
			}
		} else {
			p->pos = save;
		}
	}
	for (;;) {
		struct tcmd *c;
		pp->cmds = xrealloc(pp->cmds, (pp->ncmds + 1) * sizeof *pp->cmds);
		c = &pp->cmds[pp->ncmds++];
		memset(c, 0, sizeof *c);
		c->pos = (int)p->pos;
		for (;;) {
			if (lex(p, &t) < 0)
				goto fail;
			if (t.kind == T_PIPE || t.kind == T_END || t.kind == T_RPAREN || t.kind == T_EOF)
				break;
			if (c->nargs && t.adjacent && t.kind != T_LPAREN &&
			    c->args[c->nargs - 1].kind != TA_PAREN) {
				perr(p, t.pos, "missing space before \"%.*s\"", (int)t.len, p->s + t.pos);
				goto fail;
			}
			c->args = xrealloc(c->args, (c->nargs + 1) * sizeof *c->args);
			if (parse_operand(p, &t, &c->args[c->nargs]) < 0) {
				c->nargs++;
				goto fail;
			}
			c->nargs++;
		}
		if (c->nargs == 0) {
			if (t.kind == T_PIPE || pp->ncmds > 1) {
				perr(p, t.pos, "missing command");
				goto fail;
			}
			perr(p, t.pos, "missing value for %s",
			     pp->ndecl              ? "declaration"
			     : p->what && !in_paren ? p->what
						    : "command");
			goto fail;
		}
		if (t.kind == T_EOF) {
			perr(p, t.pos, in_paren ? "unclosed left paren" : "unclosed action");
			goto fail;
		}
		if (t.kind == T_RPAREN && !in_paren) {
			perr(p, t.pos, "unexpected right paren");
			goto fail;
		}
		if (t.kind == T_END && in_paren) {
			perr(p, t.pos, "unclosed left paren");
			goto fail;
		}
		if (t.kind != T_PIPE)
			break;
	}
	/* Go's rule: a literal cannot take the value piped into it */
	for (size_t i = 1; i < pp->ncmds; i++) {
		enum targ_kind k = pp->cmds[i].args[0].kind;
		if (k == TA_STRING || k == TA_NUMBER || k == TA_BOOL || k == TA_NIL || k == TA_DOT) {
			perr(p, (size_t)pp->cmds[i].args[0].pos,
			     "non executable command in pipeline stage %zu", i + 1);
			goto fail;
		}
	}
	if (!in_paren)
		p->trim_left = t.trim;
	for (size_t i = 0; i < pp->ndecl; i++)
		if (!pp->assign)
			var_push(p, pp->decl[i]);
	*out = pp;
	return 0;
fail:
	pipe_free(pp);
	return -1;
}

enum end_kind { E_EOF, E_END, E_ELSE };

static int parse_list(struct parser *p, struct tlist **out, enum end_kind *how, size_t *else_pos);

static void list_add(struct tlist *l, struct tnode *n)
{
	l->nodes = xrealloc(l->nodes, (l->n + 1) * sizeof *l->nodes);
	l->nodes[l->n++] = n;
}

/* {{if P}} / {{range P}} / {{with P}}: the keyword was read */
static int parse_control(struct parser *p, enum tnode_kind kind, size_t kwpos, struct tnode **out)
{
	struct tnode *n = xcalloc(1, sizeof *n);
	size_t nvars = p->nvars, else_pos = 0;
	enum end_kind how;

	n->kind = kind;
	n->pos = (int)kwpos;
	if (++p->depth > TMPL_MAX_DEPTH) {
		perr(p, kwpos, "nested too deeply");
		goto fail;
	}
	p->what = kind == TN_IF ? "if" : kind == TN_RANGE ? "range" : "with";
	if (parse_pipeline(p, &n->pipe, true, false, kind == TN_RANGE) < 0)
		goto fail;
	p->what = NULL;
	if (parse_list(p, &n->list, &how, &else_pos) < 0)
		goto fail;
	if (how == E_EOF) {
		perr(p, kwpos, "unexpected EOF: {{%s}} without {{end}}",
		     kind == TN_IF      ? "if"
		     : kind == TN_RANGE ? "range"
					: "with");
		goto fail;
	}
	if (how == E_ELSE) {
		struct tok t;
		size_t save = p->pos;
		if (lex(p, &t) < 0)
			goto fail;
		if (t.kind == T_KEYWORD && (tok_is(p, &t, "if") || tok_is(p, &t, "with")) &&
		    kind != TN_RANGE) {
			/* {{else if P}}: an {{if}} in the else branch that ends with ours */
			struct tnode *inner;
			n->elselist = xcalloc(1, sizeof *n->elselist);
			if (parse_control(p, tok_is(p, &t, "if") ? TN_IF : TN_WITH, t.pos, &inner) < 0)
				goto fail;
			list_add(n->elselist, inner);
		} else {
			p->pos = save;
			if (lex(p, &t) < 0)
				goto fail;
			if (t.kind != T_END) {
				perr(p, t.pos, "unexpected %s after else", tok_name(t.kind));
				goto fail;
			}
			p->trim_left = t.trim;
			if (parse_list(p, &n->elselist, &how, &else_pos) < 0)
				goto fail;
			if (how != E_END) {
				perr(p, how == E_ELSE ? else_pos : kwpos,
				     how == E_ELSE ? "more than one {{else}}"
						   : "unexpected EOF: missing {{end}}");
				goto fail;
			}
		}
	}
	p->depth--;
	var_pop_to(p, nvars);
	*out = n;
	return 0;
fail:
	var_pop_to(p, nvars);
	pipe_free(n->pipe);
	tmpl_list_free(n->list);
	tmpl_list_free(n->elselist);
	free(n);
	return -1;
}

/* the literal text: "\t" and "\n" written out become a tab and a newline */
static struct tnode *text_node(const char *s, size_t n, size_t pos)
{
	struct tnode *t = xcalloc(1, sizeof *t);

	t->kind = TN_TEXT;
	t->pos = (int)pos;
	t->text = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
			t->text[t->tlen++] = s[i + 1] == 't' ? '\t' : '\n';
			i++;
		} else {
			t->text[t->tlen++] = s[i];
		}
	}
	t->text[t->tlen] = '\0';
	return t;
}

static int parse_list(struct parser *p, struct tlist **out, enum end_kind *how, size_t *else_pos)
{
	struct tlist *l = xcalloc(1, sizeof *l);
	size_t nvars = p->nvars;

	for (;;) {
		const char *open = p->pos < p->len ? strstr(p->s + p->pos, "{{") : NULL;
		size_t start = p->pos, end = open ? (size_t)(open - p->s) : p->len, act;
		bool trim_right = open && open[2] == '-' && is_space(open[3]);
		struct tok t;

		if (p->trim_left)
			while (start < end && is_space(p->s[start]))
				start++;
		p->trim_left = false;
		if (trim_right)
			while (end > start && is_space(p->s[end - 1]))
				end--;
		if (end > start)
			list_add(l, text_node(p->s + start, end - start, start));
		if (!open) {
			p->pos = p->len;
			*how = E_EOF;
			break;
		}
		act = (size_t)(open - p->s);
		p->pos = act + 2 + (trim_right ? 2 : 0);
		/* a comment is a whole action, slash-star to star-slash */
		if (p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
			const char *c = strstr(p->s + p->pos + 2, "*/");
			if (!c) {
				perr(p, act, "unclosed comment");
				goto fail;
			}
			p->pos = (size_t)(c - p->s) + 2;
			if (lex(p, &t) < 0)
				goto fail;
			if (t.kind != T_END) {
				perr(p, act, "comment ends before closing delimiter");
				goto fail;
			}
			p->trim_left = t.trim;
			continue;
		}
		if (lex(p, &t) < 0)
			goto fail;
		if (t.kind == T_END) {
			perr(p, t.pos, "missing value for command");
			goto fail;
		}
		if (t.kind == T_KEYWORD) {
			struct tnode *n;
			if (tok_is(p, &t, "end") || tok_is(p, &t, "else")) {
				*how = tok_is(p, &t, "end") ? E_END : E_ELSE;
				*else_pos = t.pos;
				if (*how == E_END) {
					struct tok t2;
					if (lex(p, &t2) < 0)
						goto fail;
					if (t2.kind != T_END) {
						perr(p, t2.pos, "unexpected %s in end", tok_name(t2.kind));
						goto fail;
					}
					p->trim_left = t2.trim;
				}
				break;
			}
			if (tok_is(p, &t, "if") || tok_is(p, &t, "range") || tok_is(p, &t, "with")) {
				enum tnode_kind k = tok_is(p, &t, "if")      ? TN_IF
						    : tok_is(p, &t, "range") ? TN_RANGE
									     : TN_WITH;
				if (parse_control(p, k, t.pos, &n) < 0)
					goto fail;
				list_add(l, n);
				continue;
			}
			perr(p, t.pos, "{{%.*s}} is not supported", (int)t.len, p->s + t.pos);
			goto fail;
		}
		p->pos = t.pos;
		{
			struct tnode *n = xcalloc(1, sizeof *n);
			n->kind = TN_ACTION;
			n->pos = (int)t.pos;
			if (parse_pipeline(p, &n->pipe, true, false, false) < 0) {
				free(n);
				goto fail;
			}
			list_add(l, n);
		}
	}
	var_pop_to(p, nvars);
	*out = l;
	return 0;
fail:
	var_pop_to(p, nvars);
	tmpl_list_free(l);
	return -1;
}

int tmpl_parse(const char *fmt, struct tmpl **out, struct err *e)
{
	struct tmpl *t = xcalloc(1, sizeof *t);
	struct parser p;
	enum end_kind how;
	size_t else_pos = 0;
	const char *s = fmt;

	while (is_space(*s))
		s++;
	if (strncmp(s, "table", 5) == 0 && (s[5] == '\0' || is_space(s[5]))) {
		t->table = true;
		fmt = s[5] ? s + 6 : s + 5;
	}
	t->src = xstrdup(fmt);
	memset(&p, 0, sizeof p);
	p.t = t;
	p.s = t->src;
	p.len = strlen(t->src);
	p.e = e;
	var_push(&p, "$");
	if (parse_list(&p, &t->root, &how, &else_pos) < 0)
		goto fail;
	if (how != E_EOF) {
		tmpl_list_free(t->root);
		t->root = NULL;
		perr(&p, else_pos, "unexpected {{%s}}", how == E_END ? "end" : "else");
		goto fail;
	}
	var_pop_to(&p, 0);
	free(p.vars);
	*out = t;
	return 0;
fail:
	var_pop_to(&p, 0);
	free(p.vars);
	tmpl_free(t);
	return -1;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	tmpl_list_free(t->root);
	free(t->src);
	free(t);
}

bool tmpl_is_table(const struct tmpl *t)
{
	return t->table;
}
