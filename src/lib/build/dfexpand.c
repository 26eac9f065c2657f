/* dfexpand.c - the Dockerfile word lexer: quotes, escapes and $VAR
 * substitution (df_expand, df_words, df_pairs), following the semantics of
 * docker's shell lexer (buildkit frontend/dockerfile/shell). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/build/df_int.h"
#include "lib/build/dockerfile.h"
#include "lib/base/util.h"

/* --- small containers ---------------------------------------------------- */

void dfbuf_add(struct dfbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void dfbuf_addc(struct dfbuf *b, char c)
{
	dfbuf_add(b, &c, 1);
}

char *dfbuf_steal(struct dfbuf *b)
{
	char *r = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return r;
}

void dfvec_push(struct dfvec *w, char *s)
{
	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->v = xrealloc(w->v, w->cap * sizeof(char *));
	}
	w->v[w->n++] = s;
	w->v[w->n] = NULL;
}

void dfvec_free(struct dfvec *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

char *df_sanitize(const char *s, size_t n, size_t max)
{
	struct dfbuf b = { 0 };
	size_t shown = n < max ? n : max;
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c >= 0x80) {
			char hex[8];
			snprintf(hex, sizeof hex, "\\x%02x", c);
			dfbuf_add(&b, hex, 4);
		} else {
			dfbuf_addc(&b, (char)c);
		}
	}
	if (shown < n)
		dfbuf_add(&b, "...", 3);
	return dfbuf_steal(&b);
}

/* --- the lexer ------------------------------------------------------------ */

struct lex {
	const char *s;
	size_t i, n;
	char esc;
	const struct df_vars *vars; /* NULL: $ expressions are kept as written */
	bool raw_quotes, raw_escapes;
	int depth;
	struct err *e;
};

/* Go's wordsStruct: how expanded text turns into words */
struct words {
	struct dfbuf word;
	bool in_word;
	struct dfvec out;
};

static void w_raw_char(struct words *w, char c)
{
	if (!w)
		return;
	dfbuf_addc(&w->word, c);
	w->in_word = true;
}

static void w_char(struct words *w, char c)
{
	if (!w)
		return;
	if (df_isspace((unsigned char)c)) {
		if (w->in_word && w->word.len) {
			dfvec_push(&w->out, dfbuf_steal(&w->word));
			w->in_word = false;
		}
	} else {
		w_raw_char(w, c);
	}
}

static void w_string(struct words *w, const char *s, size_t n)
{
	for (size_t i = 0; w && i < n; i++)
		w_char(w, s[i]);
}

static void w_raw_string(struct words *w, const char *s, size_t n)
{
	if (!w)
		return;
	dfbuf_add(&w->word, s, n);
	w->in_word = true;
}

static void w_finish(struct words *w)
{
	if (w->word.len)
		dfvec_push(&w->out, dfbuf_steal(&w->word));
	free(w->word.p);
	w->word.p = NULL;
	w->word.len = w->word.cap = 0;
}

static int lex_peek(const struct lex *lx)
{
	return lx->i < lx->n ? (unsigned char)lx->s[lx->i] : -1;
}

static int lex_stop_on(struct lex *lx, int stop, struct dfbuf *res, struct words *w);

static int lex_single(struct lex *lx, struct dfbuf *out)
{
	lx->i++;
	if (lx->raw_quotes)
		dfbuf_addc(out, '\'');
	const char *q = memchr(lx->s + lx->i, '\'', lx->n - lx->i);
	if (!q)
		return err_make(lx->e, 0,
				"unexpected end of statement while looking for matching single-quote");
	size_t len = (size_t)(q - (lx->s + lx->i));
	dfbuf_add(out, lx->s + lx->i, len);
	lx->i += len + 1;
	if (lx->raw_quotes)
		dfbuf_addc(out, '\'');
	return 0;
}

static int lex_dollar(struct lex *lx, struct dfbuf *out);

static int lex_double(struct lex *lx, struct dfbuf *out)
{
	lx->i++;
	if (lx->raw_quotes)
		dfbuf_addc(out, '"');
	for (;;) {
		int c = lex_peek(lx);
		if (c < 0)
			return err_make(
				lx->e, 0,
				"unexpected end of statement while looking for matching double-quote");
		if (c == '"') {
			lx->i++;
			if (lx->raw_quotes)
				dfbuf_addc(out, '"');
			return 0;
		}
		if (c == '$') {
			if (lex_dollar(lx, out) < 0)
				return -1;
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			int nc = lex_peek(lx);
			if (nc < 0)
				continue; /* an escape at the very end is dropped */
			if (nc == '"' || nc == '$' || nc == lx->esc) {
				/* these can be escaped; other escapes stay as written */
				if (lx->raw_escapes)
					dfbuf_addc(out, (char)c);
				c = nc;
				lx->i++;
			}
		}
		dfbuf_addc(out, (char)c);
	}
}

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_special_param(int c)
{
	return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!';
}

/* docker's processName: a run of [A-Za-z0-9_] not starting with a digit,
 * or a run of digits, or one special parameter character. */
static size_t lex_name(struct lex *lx)
{
	size_t start = lx->i;
	int c = lex_peek(lx);
	if (is_digit(c)) {
		while (is_digit(lex_peek(lx)))
			lx->i++;
		return lx->i - start;
	}
	if (c >= 0 && is_special_param(c)) {
		lx->i++;
		return 1;
	}
	while ((c = lex_peek(lx)) >= 0 && (is_name_start(c) || is_digit(c)))
		lx->i++;
	return lx->i - start;
}

/* the value of a variable: *set tells whether it is set at all */
static const char *lex_var(struct lex *lx, const char *name, size_t len, bool *set)
{
	*set = false;
	if (!lx->vars || !lx->vars->get)
		return "";
	_cleanup_free_ char *k = xmalloc(len + 1);
	memcpy(k, name, len);
	k[len] = '\0';
	const char *v = lx->vars->get(lx->vars->ctx, k);
	*set = v != NULL;
	return v ? v : "";
}

static int lex_dollar(struct lex *lx, struct dfbuf *out)
{
	size_t start = lx->i;
	bool keep = !lx->vars; /* keep the text as written */
	bool set;

	lx->i++; /* '$' */
	if (lex_peek(lx) != '{') {
		size_t nstart = lx->i, nlen = lex_name(lx);
		if (nlen == 0) {
			dfbuf_addc(out, '$');
			return 0;
		}
		if (keep) {
			dfbuf_add(out, lx->s + start, lx->i - start);
			return 0;
		}
		const char *v = lex_var(lx, lx->s + nstart, nlen, &set);
		dfbuf_add(out, v, strlen(v));
		return 0;
	}
	lx->i++; /* '{' */
	int c = lex_peek(lx);
	if (c < 0)
		return err_make(lx->e, 0, "syntax error: missing '}'");
	if (c == '{' || c == '}' || c == ':')
		return err_make(lx->e, 0, "syntax error: bad substitution");
	size_t nstart = lx->i, nlen = lex_name(lx);
	if (nlen == 0)
		return err_make(lx->e, 0, "syntax error: bad substitution");
	c = lex_peek(lx);
	if (c < 0)
		return err_make(lx->e, 0, "syntax error: missing '}'");
	lx->i++;
	if (c == '}') {
		if (keep)
			dfbuf_add(out, lx->s + start, lx->i - start);
		else {
			const char *v = lex_var(lx, lx->s + nstart, nlen, &set);
			dfbuf_add(out, v, strlen(v));
		}
		return 0;
	}
	bool colon = false;
	int mod = c;
	if (c == ':') {
		colon = true;
		mod = lex_peek(lx);
		if (mod < 0)
			return err_make(lx->e, 0, "syntax error: missing '}'");
		lx->i++;
	}
	if (mod != '-' && mod != '+' && mod != '?') {
		if (mod == '#' || mod == '%' || mod == '/' || (mod >= 0x20 && mod < 0x7f))
			return err_make(lx->e, 0, "unsupported modifier (%s%c) in substitution",
					colon ? ":" : "", mod);
		return err_make(lx->e, 0, "unsupported modifier in substitution");
	}
	if (++lx->depth > DF_MAX_NEST)
		return err_make(lx->e, 0, "substitution nested more than %d deep", DF_MAX_NEST);
	struct dfbuf word = { 0 };
	int r = lex_stop_on(lx, '}', &word, NULL);
	lx->depth--;
	if (r != 0) {
		free(word.p);
		if (r > 0)
			return err_make(lx->e, 0, "syntax error: missing '}'");
		return -1;
	}
	_cleanup_free_ char *w = dfbuf_steal(&word);
	if (keep) {
		dfbuf_add(out, lx->s + start, lx->i - start);
		return 0;
	}
	const char *v = lex_var(lx, lx->s + nstart, nlen, &set);
	bool use = colon ? *v != '\0' : set; /* "has a value" for the modifier */
	switch (mod) {
	case '-':
		if (use)
			dfbuf_add(out, v, strlen(v));
		else
			dfbuf_add(out, w, strlen(w));
		break;
	case '+':
		if (use)
			dfbuf_add(out, w, strlen(w));
		break;
	case '?':
		if (!use) {
			_cleanup_free_ char *nm = df_sanitize(lx->s + nstart, nlen, 64);
			_cleanup_free_ char *msg = df_sanitize(w, strlen(w), 200);
			return err_make(lx->e, 0, "%s: %s", nm,
					*msg  ? msg
					: set ? "is not allowed to be empty"
					      : "is not allowed to be unset");
		}
		dfbuf_add(out, v, strlen(v));
		break;
	default:
		break;
	}
	return 0;
}

/* Process up to the stop character (-1: to the end).  Returns 0, -1 on a
 * lexical error (e is set), 1 if stop was never found. */
static int lex_stop_on(struct lex *lx, int stop, struct dfbuf *res, struct words *w)
{
	while (lx->i < lx->n) {
		int c = (unsigned char)lx->s[lx->i];
		if (stop >= 0 && c == stop) {
			lx->i++;
			return 0;
		}
		if (c == '\'' || c == '"' || c == '$') {
			struct dfbuf tmp = { 0 };
			int r = c == '\''  ? lex_single(lx, &tmp)
				: c == '"' ? lex_double(lx, &tmp)
					   : lex_dollar(lx, &tmp);
			if (r < 0) {
				free(tmp.p);
				return -1;
			}
			dfbuf_add(res, tmp.p, tmp.len);
			if (c == '$')
				w_string(w, tmp.p, tmp.len);
			else
				w_raw_string(w, tmp.p, tmp.len);
			free(tmp.p);
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			if (lx->raw_escapes) {
				w_raw_char(w, (char)c);
				dfbuf_addc(res, (char)c);
			}
			if (lx->i >= lx->n)
				break; /* an escape at the end is dropped */
			c = (unsigned char)lx->s[lx->i++];
			w_raw_char(w, (char)c);
		} else {
			w_char(w, (char)c);
		}
		dfbuf_addc(res, (char)c);
	}
	return stop >= 0 ? 1 : 0;
}

static bool valid_escape(char escape)
{
	return escape == '\\' || escape == '`';
}

int df_expand(const char *s, char escape, const struct df_vars *vars, char **out, struct err *e)
{
	if (!valid_escape(escape))
		return err_make(e, 0, "invalid escape character");
	struct lex lx = { .s = s, .n = strlen(s), .esc = escape, .vars = vars, .e = e };
	struct dfbuf res = { 0 };
	if (lex_stop_on(&lx, -1, &res, NULL) < 0) {
		free(res.p);
		return -1;
	}
	*out = dfbuf_steal(&res);
	return 0;
}

static int lex_words(struct lex *lx, struct dfvec *out)
{
	struct words w = { 0 };
	struct dfbuf res = { 0 };
	int r = lex_stop_on(lx, -1, &res, &w);
	free(res.p);
	w_finish(&w);
	if (r < 0) {
		dfvec_free(&w.out);
		return -1;
	}
	*out = w.out;
	return 0;
}

int df_words(const char *s, char escape, const struct df_vars *vars, char ***words, struct err *e)
{
	if (!valid_escape(escape))
		return err_make(e, 0, "invalid escape character");
	struct lex lx = { .s = s, .n = strlen(s), .esc = escape, .vars = vars, .e = e };
	struct dfvec v = { 0 };
	if (lex_words(&lx, &v) < 0)
		return -1;
	*words = v.v ? v.v : xcalloc(1, sizeof(char *));
	return 0;
}

/* --- docker's parseWords -------------------------------------------------- */

void df_raw_words(const char *s, size_t n, char escape, struct dfvec *out)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	struct dfbuf word = { 0 };
	char quote = 0;
	bool blank_ok = false;

	for (size_t pos = 0; pos <= n; pos++) {
		char ch = pos < n ? s[pos] : 0;
		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (df_isspace((unsigned char)ch))
				continue;
			phase = IN_WORD;
		}
		if (pos == n) {
			if (blank_ok || word.len)
				dfvec_push(out, dfbuf_steal(&word));
			break;
		}
		if (phase == IN_WORD) {
			if (df_isspace((unsigned char)ch)) {
				phase = IN_SPACES;
				if (blank_ok || word.len)
					dfvec_push(out, dfbuf_steal(&word));
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
			} else if (ch == escape) {
				if (pos + 1 == n)
					continue; /* an escape at the end is dropped */
				dfbuf_addc(&word, ch);
				ch = s[++pos];
			}
			dfbuf_addc(&word, ch);
			continue;
		}
		/* IN_QUOTE */
		if (ch == quote) {
			phase = IN_WORD;
		} else if (ch == escape && quote != '\'') {
			if (pos + 1 == n) {
				phase = IN_WORD;
				continue;
			}
			dfbuf_addc(&word, ch);
			ch = s[++pos];
		}
		dfbuf_addc(&word, ch);
	}
	free(word.p);
}

/* --- heredoc markers ------------------------------------------------------ */

static size_t count_quotes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

static void marks_free(struct df_hdmark *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].name);
	free(m);
}

/* one word of the line: "<<EOF", "<<-'EOF'", "2<<EOF" ... (docker's
 * ^(\d*)<<(-?)([^<]*)$); 1 with *mark filled, 0 if not a heredoc */
static int heredoc_word(const char *word, struct df_hdmark *mark, struct err *e)
{
	const char *p = word;
	while (is_digit((unsigned char)*p))
		p++;
	if (strncmp(p, "<<", 2) != 0)
		return 0;
	p += 2;
	bool chomp = *p == '-';
	if (chomp)
		p++;
	while (df_isspace((unsigned char)*p))
		p++;
	if (!*p || strchr(p, '<'))
		return 0;

	struct lex lx = { .s = p, .n = strlen(p), .esc = '\\', .e = e };
	struct dfvec cooked = { 0 }, raw = { 0 };
	if (lex_words(&lx, &cooked) < 0)
		return -1;
	if (cooked.n != 1) {
		dfvec_free(&cooked);
		return 0;
	}
	struct lex lr = { .s = p, .n = strlen(p), .esc = '\\', .raw_quotes = true, .e = e };
	if (lex_words(&lr, &raw) < 0) {
		dfvec_free(&cooked);
		return -1;
	}
	bool expand = raw.n == 1 && count_quotes(raw.v[0]) == count_quotes(cooked.v[0]);
	mark->name = steal_ptr(cooked.v[0]);
	mark->expand = expand;
	mark->chomp = chomp;
	cooked.n = 0;
	dfvec_free(&cooked);
	dfvec_free(&raw);
	return 1;
}

int df_heredoc_marks(const char *line, struct df_hdmark **marks, size_t *n, struct err *e)
{
	struct err ignore = ERR_INIT;
	struct lex lx = { .s = line,
			  .n = strlen(line),
			  .esc = '\\',
			  .raw_quotes = true,
			  .raw_escapes = true,
			  .e = &ignore };
	struct dfvec words = { 0 };
	*marks = NULL;
	*n = 0;
	if (lex_words(&lx, &words) < 0) {
		/* docker ignores a line it cannot lex here: no heredocs */
		err_clear(&ignore);
		return 0;
	}
	struct df_hdmark *m = NULL;
	size_t nm = 0, cap = 0;
	for (size_t i = 0; i < words.n; i++) {
		struct df_hdmark mk = { 0 };
		int r = heredoc_word(words.v[i], &mk, e);
		if (r < 0) {
			marks_free(m, nm);
			dfvec_free(&words);
			return -1;
		}
		if (r == 0)
			continue;
		if (nm == cap) {
			cap = cap ? cap * 2 : 4;
			m = xrealloc(m, cap * sizeof(*m));
		}
		m[nm++] = mk;
	}
	dfvec_free(&words);
	*marks = m;
	*n = nm;
	return 0;
}

/* --- ENV / LABEL / ARG ---------------------------------------------------- */

static void free_pairs(char **keys, char **vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
}

int df_pairs(const struct df_instr *in, char escape, const struct df_vars *vars, char ***keys, char ***vals,
	     size_t *n, struct err *e)
{
	const char *kw = in->keyword ? in->keyword : "instruction";
	if (in->kind != DF_ENV && in->kind != DF_LABEL && in->kind != DF_ARG)
		return err_make(e, 0, "%s takes no NAME=VALUE pairs", kw);
	if (!valid_escape(escape))
		return err_make(e, 0, "invalid escape character");
	const char *rest = in->rest ? in->rest : "";
	struct dfvec words = { 0 };
	df_raw_words(rest, strlen(rest), escape, &words);
	if (words.n == 0)
		return err_make(e, 0, "%s requires at least one argument", kw);

	size_t nw = words.n;
	char **k = xcalloc(nw + 1, sizeof(char *));
	char **v = xcalloc(nw + 1, sizeof(char *));
	size_t cnt = 0;

	if (in->kind != DF_ARG && !strchr(words.v[0], '=')) {
		/* legacy "KEY value with spaces" */
		const char *p = rest;
		while (*p && df_isspace((unsigned char)*p))
			p++;
		const char *ks = p;
		while (*p && !df_isspace((unsigned char)*p))
			p++;
		size_t klen = (size_t)(p - ks);
		while (*p && df_isspace((unsigned char)*p))
			p++;
		if (!*p) {
			err_make(e, 0, "%s must have two arguments", kw);
			goto fail;
		}
		if (df_expand(p, escape, vars, &v[0], e) < 0)
			goto fail;
		k[0] = xmalloc(klen + 1);
		memcpy(k[0], ks, klen);
		k[0][klen] = '\0';
		cnt = 1;
	} else {
		for (size_t i = 0; i < words.n; i++) {
			char *wd = words.v[i];
			char *eq = strchr(wd, '=');
			if (!eq && in->kind != DF_ARG) {
				_cleanup_free_ char *s = df_sanitize(wd, strlen(wd), 80);
				err_make(
					e, 0,
					"syntax error - can't find = in \"%s\"; must be of the form: name=value",
					s);
				goto fail;
			}
			if (eq == wd) {
				err_make(e, 0, "%s names can not be blank", kw);
				goto fail;
			}
			if (eq) {
				*eq = '\0';
				if (df_expand(eq + 1, escape, vars, &v[cnt], e) < 0)
					goto fail;
			}
			k[cnt++] = xstrdup(wd);
		}
	}
	dfvec_free(&words);
	*keys = k;
	*vals = v;
	*n = cnt;
	return 0;
fail:
	dfvec_free(&words);
	free_pairs(k, v, nw);
	return -1;
}
