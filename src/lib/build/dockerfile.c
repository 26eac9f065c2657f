/* dockerfile.c - the Dockerfile parser: lines, continuations, directives,
 * heredoc bodies and stages.  Semantics follow docker's parser (buildkit
 * frontend/dockerfile/parser); one instruction is parsed in dfinstr.c, the
 * word lexer lives in dfexpand.c. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/build/df_int.h"
#include "lib/build/dockerfile.h"
#include "lib/base/util.h"

/* more instructions than this is not a Dockerfile, it is an attack */
#define DF_MAX_INSTRS 100000

/* --- lines ---------------------------------------------------------------- */

/* The next physical line, without its "\n" (*nl tells whether it had one)
 * and, unless raw, without a trailing "\r". */
static bool next_line(struct df_parser *p, const char **line, size_t *n, bool *nl)
{
	if (p->pos >= p->len)
		return false;
	const char *s = p->text + p->pos;
	size_t left = p->len - p->pos;
	const char *end = memchr(s, '\n', left);
	size_t l = end ? (size_t)(end - s) : left;
	p->pos += l + (end ? 1 : 0);
	p->lineno++;
	*line = s;
	*n = l;
	if (nl)
		*nl = end != NULL;
	return true;
}

static void trim_cr(const char *s, size_t *n)
{
	while (*n && (s[*n - 1] == '\r'))
		(*n)--;
}

static bool is_comment(const char *s, size_t n)
{
	df_trim_left(&s, &n);
	return n && *s == '#';
}

static bool is_blank(const char *s, size_t n)
{
	df_trim_left(&s, &n);
	return n == 0;
}

/* Remove a trailing escape (plus spaces/tabs after it): true if the line
 * continues.  As in docker, an escape preceded by another escape ("a\\\\")
 * is no continuation, unless it is alone on the line. */
static bool trim_continuation(const char *s, size_t *n, char esc)
{
	size_t l = *n;
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		l--;
	if (l && s[l - 1] == esc && (l == 1 || s[l - 2] != esc)) {
		*n = l - 1;
		return true;
	}
	return false;
}

/* --- parser directives ---------------------------------------------------- */

struct directives {
	bool done, seen_escape, seen_syntax, seen_check;
};

/* docker's ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ on a line whose
 * leading whitespace is gone. */
static int directive(struct df_parser *p, struct directives *d, const char *s, size_t n)
{
	if (d->done)
		return 0;
	size_t i = 0;
	if (i >= n || s[i] != '#')
		goto done;
	i++;
	while (i < n && df_isspace((unsigned char)s[i]))
		i++;
	size_t ks = i;
	if (i >= n || !((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		goto done;
	while (i < n && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	size_t klen = i - ks;
	while (i < n && df_isspace((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '=')
		goto done;
	i++;
	while (i < n && df_isspace((unsigned char)s[i]))
		i++;
	const char *v = s + i;
	size_t vlen = n - i;
	df_trim_right(v, &vlen);
	if (vlen == 0)
		goto done;

	bool *seen;
	if (klen == 6 && strncasecmp(s + ks, "escape", 6) == 0)
		seen = &d->seen_escape;
	else if (klen == 6 && strncasecmp(s + ks, "syntax", 6) == 0)
		seen = &d->seen_syntax;
	else if (klen == 5 && strncasecmp(s + ks, "check", 5) == 0)
		seen = &d->seen_check;
	else
		goto done;
	if (*seen) {
		_cleanup_free_ char *k = df_sanitize(s + ks, klen, 16);
		return df_perr(p, p->lineno, "only one %s parser directive can be used", k);
	}
	*seen = true;
	if (seen == &d->seen_escape) {
		if (vlen != 1 || (*v != '\\' && *v != '`')) {
			_cleanup_free_ char *vs = df_sanitize(v, vlen, 32);
			return df_perr(p, p->lineno, "invalid escape token '%s' does not match ` or \\", vs);
		}
		p->esc = *v;
		p->df->escape = *v;
	}
	/* syntax= and check= are accepted and ignored */
	return 0;
done:
	d->done = true;
	return 0;
}

void df_instr_clear(struct df_instr *in)
{
	if (!in)
		return;
	free(in->original);
	for (size_t i = 0; i < in->nflags; i++) {
		free(in->flags[i].name);
		free(in->flags[i].value);
	}
	free(in->flags);
	strv_free(in->argv);
	free(in->rest);
	free(in->hc_cmd);
	for (size_t i = 0; i < in->nheredocs; i++) {
		free(in->heredocs[i].name);
		free(in->heredocs[i].body);
	}
	free(in->heredocs);
	if (in->inner) {
		df_instr_clear(in->inner);
		free(in->inner);
	}
	memset(in, 0, sizeof(*in));
}

/* --- heredoc bodies ---------------------------------------------------------- */

static int read_heredocs(struct df_parser *p, struct df_instr *in)
{
	struct df_hdmark *marks = NULL;
	size_t nm = 0;
	if (df_heredoc_marks(in->original, &marks, &nm, p->e) < 0)
		return df_pwrap(p, in->line, in->keyword);
	if (!nm)
		return 0;
	in->heredocs = xcalloc(nm, sizeof(*in->heredocs));
	int r = 0;
	for (size_t i = 0; i < nm; i++) {
		struct df_heredoc *h = &in->heredocs[in->nheredocs++];
		h->name = steal_ptr(marks[i].name);
		h->expand = marks[i].expand;
		size_t namelen = strlen(h->name);
		struct dfbuf body = { 0 };
		bool done = false;
		const char *l;
		size_t ln;
		bool nl;
		while (next_line(p, &l, &ln, &nl)) {
			const char *t = l;
			size_t tn = ln;
			trim_cr(t, &tn);
			if (marks[i].chomp)
				while (tn && *t == '\t') {
					t++;
					tn--;
				}
			if (tn == namelen && memcmp(t, h->name, namelen) == 0) {
				done = true;
				break;
			}
			if (marks[i].chomp) {
				dfbuf_add(&body, t, ln - (size_t)(t - l));
			} else {
				dfbuf_add(&body, l, ln);
			}
			dfbuf_addc(&body, '\n');
		}
		h->body = dfbuf_steal(&body);
		if (!done) {
			_cleanup_free_ char *s = df_sanitize(h->name, namelen, 64);
			r = df_perr(p, in->line, "unterminated heredoc <<%s", s);
			break;
		}
	}
	for (size_t i = 0; i < nm; i++)
		free(marks[i].name);
	free(marks);
	return r;
}

/* --- stages ------------------------------------------------------------------- */

static struct df_instr *new_instr(struct df_parser *p, int line)
{
	struct dockerfile *df = p->df;
	if (++p->ninstrs > DF_MAX_INSTRS) {
		df_perr(p, line, "more than %d instructions", DF_MAX_INSTRS);
		return NULL;
	}
	if (df->nstages == 0) {
		if (df->nmeta_args == p->meta_cap) {
			p->meta_cap = p->meta_cap ? p->meta_cap * 2 : 4;
			df->meta_args = xrealloc(df->meta_args, p->meta_cap * sizeof(struct df_instr));
		}
		struct df_instr *in = &df->meta_args[df->nmeta_args++];
		memset(in, 0, sizeof(*in));
		return in;
	}
	struct df_stage *st = &df->stages[df->nstages - 1];
	if (st->ninstrs == p->instrs_cap) {
		p->instrs_cap = p->instrs_cap ? p->instrs_cap * 2 : 8;
		st->instrs = xrealloc(st->instrs, p->instrs_cap * sizeof(struct df_instr));
	}
	struct df_instr *in = &st->instrs[st->ninstrs++];
	memset(in, 0, sizeof(*in));
	return in;
}

static int add_instruction(struct df_parser *p, const char *line, size_t n, int lineno)
{
	struct df_instr tmp = { 0 };
	if (df_parse_instr(p, line, n, lineno, false, &tmp) < 0)
		goto fail;
	/* heredocs: RUN, COPY and ADD in shell form, also under ONBUILD */
	struct df_instr *hd = tmp.kind == DF_ONBUILD ? tmp.inner : &tmp;
	if (hd && (hd->kind == DF_RUN || hd->kind == DF_COPY || hd->kind == DF_ADD) && !hd->json &&
	    strstr(hd->original, "<<") && read_heredocs(p, hd) < 0)
		goto fail;

	struct dockerfile *df = p->df;
	if (tmp.kind == DF_FROM) {
		if (df->nstages == p->stages_cap) {
			p->stages_cap = p->stages_cap ? p->stages_cap * 2 : 4;
			df->stages = xrealloc(df->stages, p->stages_cap * sizeof(struct df_stage));
		}
		struct dfvec w = { 0 };
		df_raw_words(tmp.rest, strlen(tmp.rest), p->esc, &w);
		if (w.n == 3) {
			for (char *c = w.v[2]; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
			for (size_t i = 0; i < df->nstages; i++) {
				if (df->stages[i].name && strcmp(df->stages[i].name, w.v[2]) == 0) {
					df_perr(p, lineno, "duplicate stage name \"%s\"", w.v[2]);
					dfvec_free(&w);
					goto fail;
				}
			}
		}
		if (++p->ninstrs > DF_MAX_INSTRS) {
			dfvec_free(&w);
			df_perr(p, lineno, "more than %d instructions", DF_MAX_INSTRS);
			goto fail;
		}
		struct df_stage *st = &df->stages[df->nstages++];
		memset(st, 0, sizeof(*st));
		p->instrs_cap = 0;
		st->from = xmalloc(sizeof(*st->from));
		*st->from = tmp;
		st->base = steal_ptr(w.v[0]);
		st->name = w.n == 3 ? steal_ptr(w.v[2]) : NULL;
		const char *plat = df_flag_get(st->from, "platform");
		st->platform = plat ? xstrdup(plat) : NULL;
		dfvec_free(&w);
		return 0;
	}
	if (df->nstages == 0 && tmp.kind != DF_ARG) {
		df_perr(p, lineno, "%s before the first FROM (only ARG may come before FROM)", tmp.keyword);
		goto fail;
	}
	struct df_instr *in = new_instr(p, lineno);
	if (!in)
		goto fail;
	*in = tmp;
	return 0;
fail:
	df_instr_clear(&tmp);
	return -1;
}

static int parse_all(struct df_parser *p)
{
	struct directives d = { 0 };
	struct dfbuf joined = { 0 };
	const char *l;
	size_t n;
	int r = 0;

	while (next_line(p, &l, &n, NULL)) {
		if (p->lineno == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
			l += 3;
			n -= 3;
		}
		trim_cr(l, &n);
		df_trim_left(&l, &n);
		if (directive(p, &d, l, n) < 0) {
			r = -1;
			break;
		}
		if (is_comment(l, n))
			continue;
		int start = p->lineno;
		bool cont = trim_continuation(l, &n, p->esc);
		if (!cont && is_blank(l, n))
			continue;
		joined.len = 0;
		dfbuf_add(&joined, l, n);
		while (cont && next_line(p, &l, &n, NULL)) {
			trim_cr(l, &n);
			d.done = true;
			if (is_comment(l, n) || is_blank(l, n))
				continue;
			cont = trim_continuation(l, &n, p->esc);
			dfbuf_add(&joined, l, n);
		}
		if (is_blank(joined.p, joined.len))
			continue;
		if (add_instruction(p, joined.p, joined.len, start) < 0) {
			r = -1;
			break;
		}
	}
	free(joined.p);
	if (r == 0 && p->df->nstages == 0)
		r = df_perr(p, p->lineno ? p->lineno : 1, "no FROM instruction");
	return r;
}

int dockerfile_parse(const char *text, size_t len, const char *name, struct dockerfile **out, struct err *e)
{
	if (!name)
		name = "Dockerfile";
	if (len > DF_MAX_SIZE)
		return err_make(e, EFBIG, "%s: %zu bytes, more than the limit of %u", name, len, DF_MAX_SIZE);
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		return err_make(e, 0, "%s:%d: NUL byte in the file", name, line);
	}
	struct dockerfile *df = xcalloc(1, sizeof(*df));
	df->escape = '\\';
	struct df_parser p = { .text = text, .len = len, .name = name, .esc = '\\', .df = df, .e = e };
	if (parse_all(&p) < 0) {
		dockerfile_free(df);
		return -1;
	}
	*out = df;
	return 0;
}

void dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->nmeta_args; i++)
		df_instr_clear(&df->meta_args[i]);
	free(df->meta_args);
	for (size_t s = 0; s < df->nstages; s++) {
		struct df_stage *st = &df->stages[s];
		df_instr_clear(st->from);
		free(st->from);
		free(st->base);
		free(st->name);
		free(st->platform);
		for (size_t i = 0; i < st->ninstrs; i++)
			df_instr_clear(&st->instrs[i]);
		free(st->instrs);
	}
	free(df->stages);
	free(df);
}

int dockerfile_stage_index(const struct dockerfile *df, const char *name_or_index)
{
	if (!df || !name_or_index || !*name_or_index)
		return -1;
	for (size_t i = 0; i < df->nstages; i++)
		if (df->stages[i].name && strcasecmp(df->stages[i].name, name_or_index) == 0)
			return (int)i;
	uint64_t idx;
	if (parse_u64(name_or_index, &idx) == 0 && idx < df->nstages)
		return (int)idx;
	return -1;
}

const char *df_flag_get(const struct df_instr *in, const char *name)
{
	/* the last one wins for repeatable flags; use in->flags for all */
	const char *v = NULL;
	bool found = false;
	for (size_t i = 0; in && i < in->nflags; i++) {
		if (strcmp(in->flags[i].name, name) == 0) {
			v = in->flags[i].value ? in->flags[i].value : "";
			found = true;
		}
	}
	return found ? v : NULL;
}
