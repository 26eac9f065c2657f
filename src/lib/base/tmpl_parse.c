/* tmpl_parse.c - Go template text to the tree in tmpl_int.h: recursive
 * descent over the tokens of tmpl_lex.c, with the nesting limited to
 * TMPL_MAX_DEPTH and variables checked as Go checks them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_lex.h"
#include "util.h"

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
		if (tmpl_peek(p, &t) < 0)
			return -1;
		if (t.kind != T_FIELD || !t.adjacent)
			return 0;
		tmpl_lex(p, &t);
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
			return tmpl_perr(p, t->pos, "undefined variable \"%s\"", a->s);
		break;
	case T_STRING:
		a->kind = TA_STRING;
		if (tmpl_unquote(p, t, &a->s, &a->slen) < 0)
			return -1;
		return 0; /* Go allows no field on a literal */
	case T_NUMBER:
	case T_CHAR:
		a->kind = TA_NUMBER;
		return tmpl_number(p, t, a);
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
			return tmpl_perr(p, t->pos, "function \"%s\" not defined", a->s);
		return 0;
	case T_LPAREN:
		a->kind = TA_PAREN;
		if (++p->depth > TMPL_MAX_DEPTH)
			return tmpl_perr(p, t->pos, "nested too deeply");
		if (parse_pipeline(p, &a->pipe, false, true, false) < 0)
			return -1;
		p->depth--;
		break;
	case T_KEYWORD:
		return tmpl_perr(p, t->pos, "unexpected keyword \"%.*s\" in operand", (int)t->len,
				 p->s + t->pos);
	default:
		return tmpl_perr(p, t->pos, "unexpected %s in operand", tmpl_tok_name(t->kind));
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
		if (tmpl_lex(p, &a) < 0)
			goto fail;
		if (a.kind == T_VAR) {
			if (tmpl_lex(p, &b) < 0)
				goto fail;
			if (b.kind == T_COMMA && range) {
				struct tok c, d;
				if (tmpl_lex(p, &c) < 0 || tmpl_lex(p, &d) < 0)
					goto fail;
				if (c.kind != T_VAR || d.kind != T_DECLARE) {
					tmpl_perr(p, c.pos,
						  "range can only declare variables: $i, $e := ...");
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
					tmpl_perr(p, a.pos, "undefined variable \"%s\"", pp->decl[0]);
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
			if (tmpl_lex(p, &t) < 0)
				goto fail;
			if (t.kind == T_PIPE || t.kind == T_END || t.kind == T_RPAREN || t.kind == T_EOF)
				break;
			if (c->nargs && t.adjacent && t.kind != T_LPAREN &&
			    c->args[c->nargs - 1].kind != TA_PAREN) {
				tmpl_perr(p, t.pos, "missing space before \"%.*s\"", (int)t.len,
					  p->s + t.pos);
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
				tmpl_perr(p, t.pos, "missing command");
				goto fail;
			}
			tmpl_perr(p, t.pos, "missing value for %s",
				  pp->ndecl              ? "declaration"
				  : p->what && !in_paren ? p->what
							 : "command");
			goto fail;
		}
		if (t.kind == T_EOF) {
			tmpl_perr(p, t.pos, in_paren ? "unclosed left paren" : "unclosed action");
			goto fail;
		}
		if (t.kind == T_RPAREN && !in_paren) {
			tmpl_perr(p, t.pos, "unexpected right paren");
			goto fail;
		}
		if (t.kind == T_END && in_paren) {
			tmpl_perr(p, t.pos, "unclosed left paren");
			goto fail;
		}
		if (t.kind != T_PIPE)
			break;
	}
	/* Go's rule: a literal cannot take the value piped into it */
	for (size_t i = 1; i < pp->ncmds; i++) {
		enum targ_kind k = pp->cmds[i].args[0].kind;
		if (k == TA_STRING || k == TA_NUMBER || k == TA_BOOL || k == TA_NIL || k == TA_DOT) {
			tmpl_perr(p, (size_t)pp->cmds[i].args[0].pos,
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
		tmpl_perr(p, kwpos, "nested too deeply");
		goto fail;
	}
	p->what = kind == TN_IF ? "if" : kind == TN_RANGE ? "range" : "with";
	if (parse_pipeline(p, &n->pipe, true, false, kind == TN_RANGE) < 0)
		goto fail;
	p->what = NULL;
	if (parse_list(p, &n->list, &how, &else_pos) < 0)
		goto fail;
	if (how == E_EOF) {
		tmpl_perr(p, kwpos, "unexpected EOF: {{%s}} without {{end}}",
			  kind == TN_IF      ? "if"
			  : kind == TN_RANGE ? "range"
					     : "with");
		goto fail;
	}
	if (how == E_ELSE) {
		struct tok t;
		size_t save = p->pos;
		if (tmpl_lex(p, &t) < 0)
			goto fail;
		if (t.kind == T_KEYWORD && (tmpl_tok_is(p, &t, "if") || tmpl_tok_is(p, &t, "with")) &&
		    kind != TN_RANGE) {
			/* {{else if P}}: an {{if}} in the else branch that ends with ours */
			struct tnode *inner;
			n->elselist = xcalloc(1, sizeof *n->elselist);
			if (parse_control(p, tmpl_tok_is(p, &t, "if") ? TN_IF : TN_WITH, t.pos, &inner) < 0)
				goto fail;
			list_add(n->elselist, inner);
		} else {
			p->pos = save;
			if (tmpl_lex(p, &t) < 0)
				goto fail;
			if (t.kind != T_END) {
				tmpl_perr(p, t.pos, "unexpected %s after else", tmpl_tok_name(t.kind));
				goto fail;
			}
			p->trim_left = t.trim;
			if (parse_list(p, &n->elselist, &how, &else_pos) < 0)
				goto fail;
			if (how != E_END) {
				tmpl_perr(p, how == E_ELSE ? else_pos : kwpos,
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
		bool trim_right = open && open[2] == '-' && tmpl_is_space(open[3]);
		struct tok t;

		if (p->trim_left)
			while (start < end && tmpl_is_space(p->s[start]))
				start++;
		p->trim_left = false;
		if (trim_right)
			while (end > start && tmpl_is_space(p->s[end - 1]))
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
				tmpl_perr(p, act, "unclosed comment");
				goto fail;
			}
			p->pos = (size_t)(c - p->s) + 2;
			if (tmpl_lex(p, &t) < 0)
				goto fail;
			if (t.kind != T_END) {
				tmpl_perr(p, act, "comment ends before closing delimiter");
				goto fail;
			}
			p->trim_left = t.trim;
			continue;
		}
		if (tmpl_lex(p, &t) < 0)
			goto fail;
		if (t.kind == T_END) {
			tmpl_perr(p, t.pos, "missing value for command");
			goto fail;
		}
		if (t.kind == T_KEYWORD) {
			struct tnode *n;
			if (tmpl_tok_is(p, &t, "end") || tmpl_tok_is(p, &t, "else")) {
				*how = tmpl_tok_is(p, &t, "end") ? E_END : E_ELSE;
				*else_pos = t.pos;
				if (*how == E_END) {
					struct tok t2;
					if (tmpl_lex(p, &t2) < 0)
						goto fail;
					if (t2.kind != T_END) {
						tmpl_perr(p, t2.pos, "unexpected %s in end",
							  tmpl_tok_name(t2.kind));
						goto fail;
					}
					p->trim_left = t2.trim;
				}
				break;
			}
			if (tmpl_tok_is(p, &t, "if") || tmpl_tok_is(p, &t, "range") ||
			    tmpl_tok_is(p, &t, "with")) {
				enum tnode_kind k = tmpl_tok_is(p, &t, "if")      ? TN_IF
						    : tmpl_tok_is(p, &t, "range") ? TN_RANGE
										  : TN_WITH;
				if (parse_control(p, k, t.pos, &n) < 0)
					goto fail;
				list_add(l, n);
				continue;
			}
			tmpl_perr(p, t.pos, "{{%.*s}} is not supported", (int)t.len, p->s + t.pos);
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

	while (tmpl_is_space(*s))
		s++;
	if (strncmp(s, "table", 5) == 0 && (s[5] == '\0' || tmpl_is_space(s[5]))) {
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
		tmpl_perr(&p, else_pos, "unexpected {{%s}}", how == E_END ? "end" : "else");
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
