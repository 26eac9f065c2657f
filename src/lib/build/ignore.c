/* ignore.c - .dockerignore patterns and Go filepath.Match-style globs.
 *
 * A pattern compiles to a list of tokens (literal rune, "?", class, "*",
 * "**"), and matching runs it as an NFA over the path (a set of token
 * positions), so the cost is O(len(path) * len(pattern)) whatever the
 * pattern: no backtracking blow-ups.  One pass also tells whether a
 * parent directory of the path matched, which is how docker decides that
 * "dir" excludes "dir/a/b". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/build/ignore.h"
#include "lib/base/util.h"

#define PATTERN_MAX 4096

enum tok_type { T_LIT, T_ANY, T_CLASS, T_STAR, T_DSTAR_SLASH, T_DSTAR_END };

struct range {
	uint32_t lo, hi;
};

struct tok {
	enum tok_type type;
	uint32_t ch;          /* T_LIT */
	bool neg;             /* T_CLASS */
	struct range *ranges; /* T_CLASS */
	size_t nranges;
};

struct glob {
	struct tok *t;
	size_t n;
};

struct ipat {
	struct glob g;
	char *text; /* the cleaned pattern, without "!" */
	bool exclusion;
};

struct dockerignore {
	struct ipat *p;
	size_t n;
};

/* One UTF-8 rune; an invalid byte b decodes as 0x110000+b (no real rune
 * has that value, so it only ever equals the same invalid byte). */
static size_t rune_at(const char *s, size_t n, uint32_t *r)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*r = u[0];
		return 1;
	}
	size_t len = u[0] >= 0xf0 && u[0] < 0xf5 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc2 && u[0] < 0xe0 ? 2 : 0;
	if (len && len <= n) {
		uint32_t v = u[0] & (0x7f >> len);
		size_t i;
		for (i = 1; i < len && (u[i] & 0xc0) == 0x80; i++)
			v = (v << 6) | (u[i] & 0x3f);
		if (i == len && !(len == 3 && v < 0x800) && !(len == 4 && (v < 0x10000 || v > 0x10ffff)) &&
		    !(v >= 0xd800 && v <= 0xdfff)) {
			*r = v;
			return len;
		}
	}
	*r = 0x110000 + u[0];
	return 1;
}

static void glob_free(struct glob *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->t[i].ranges);
	free(g->t);
	g->t = NULL;
	g->n = 0;
}

static struct tok *glob_push(struct glob *g, size_t *cap, enum tok_type type)
{
	if (g->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		g->t = xrealloc(g->t, *cap * sizeof(struct tok));
	}
	struct tok *t = &g->t[g->n++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	return t;
}

/* Go's getEsc: one (possibly escaped) rune of a class */
static int class_rune(const char *s, size_t n, size_t *i, uint32_t *r)
{
	if (*i >= n || s[*i] == '-' || s[*i] == ']')
		return -1;
	if (s[*i] == '\\') {
		(*i)++;
		if (*i >= n)
			return -1;
	}
	*i += rune_at(s + *i, n - *i, r);
	if (*r >= 0x110000 || *i >= n)
		return -1;
	return 0;
}

/* Compile pattern s (n bytes).  dstar: "**" is docker's any-directories
 * (else it is just two "*", as in filepath.Match). */
static int glob_compile(const char *s, size_t n, bool dstar, struct glob *g)
{
	size_t cap = 0, i = 0;
	g->t = NULL;
	g->n = 0;
	while (i < n) {
		char c = s[i];
		if (c == '*') {
			i++;
			if (dstar && i < n && s[i] == '*') {
				i++;
				if (i < n && s[i] == '/')
					i++;
				glob_push(g, &cap, i >= n ? T_DSTAR_END : T_DSTAR_SLASH);
				continue;
			}
			if (!dstar)
				while (i < n && s[i] == '*')
					i++;
			if (!(g->n && g->t[g->n - 1].type == T_STAR))
				glob_push(g, &cap, T_STAR);
			continue;
		}
		if (c == '?') {
			i++;
			glob_push(g, &cap, T_ANY);
			continue;
		}
		if (c == '[') {
			i++;
			struct tok *t = glob_push(g, &cap, T_CLASS);
			size_t rcap = 0;
			if (i < n && s[i] == '^') {
				t->neg = true;
				i++;
			}
			for (;;) {
				if (i < n && s[i] == ']' && t->nranges) {
					i++;
					break;
				}
				uint32_t lo, hi;
				if (class_rune(s, n, &i, &lo) < 0)
					goto bad;
				hi = lo;
				if (s[i] == '-') {
					i++;
					if (class_rune(s, n, &i, &hi) < 0)
						goto bad;
				}
				if (t->nranges == rcap) {
					rcap = rcap ? rcap * 2 : 4;
					t->ranges = xrealloc(t->ranges, rcap * sizeof(struct range));
				}
				t->ranges[t->nranges++] = (struct range){ lo, hi };
			}
			continue;
		}
		if (c == '\\') {
			i++;
			if (i >= n)
				goto bad;
		}
		uint32_t r;
		i += rune_at(s + i, n - i, &r);
		glob_push(g, &cap, T_LIT)->ch = r;
	}
	return 0;
bad:
	glob_free(g);
	return -1;
}

static bool class_match(const struct tok *t, uint32_t r)
{
	bool in = false;
	for (size_t i = 0; i < t->nranges && !in; i++)
		in = t->ranges[i].lo <= r && r <= t->ranges[i].hi;
	return in != t->neg;
}

/* the NFA: state 2*i is "at token i", 2*i+1 is "inside the ".*" part of a
 * T_DSTAR_SLASH at i", 2*n is the accepting state */
struct nfa {
	const struct glob *g;
	unsigned char *on;
	size_t *list, nlist;
};

static void nfa_add(struct nfa *m, size_t s)
{
	for (;;) {
		if (m->on[s])
			return;
		m->on[s] = 1;
		m->list[m->nlist++] = s;
		if (s & 1 || s / 2 >= m->g->n)
			return;
		enum tok_type t = m->g->t[s / 2].type;
		if (t != T_STAR && t != T_DSTAR_SLASH && t != T_DSTAR_END)
			return;
		s += 2; /* these also match the empty string */
	}
}

/* Run g over path.  *full: the whole path matched; *parent (if not NULL):
 * some leading directory ("a" or "a/b" of "a/b/c") matched. */
static void glob_run(const struct glob *g, const char *path, bool *full, bool *parent)
{
	size_t ns = 2 * g->n + 2;
	struct nfa cur = { g, xcalloc(ns, 1), xcalloc(ns, sizeof(size_t)), 0 };
	struct nfa next = { g, xcalloc(ns, 1), xcalloc(ns, sizeof(size_t)), 0 };
	size_t acc = 2 * g->n, len = strlen(path), i = 0;

	if (parent)
		*parent = false;
	nfa_add(&cur, 0);
	while (i < len && cur.nlist) {
		if (parent && path[i] == '/' && i > 0 && cur.on[acc])
			*parent = true;
		uint32_t r;
		i += rune_at(path + i, len - i, &r);
		for (size_t k = 0; k < cur.nlist; k++) {
			size_t s = cur.list[k];
			if (s == acc)
				continue;
			const struct tok *t = &g->t[s / 2];
			size_t nx = s / 2 * 2 + 2;
			if (s & 1) { /* inside the ".*" part */
				nfa_add(&next, s);
				if (r == '/')
					nfa_add(&next, nx);
				continue;
			}
			switch (t->type) {
			case T_LIT:
				if (r == t->ch)
					nfa_add(&next, nx);
				break;
			case T_ANY:
				if (r != '/')
					nfa_add(&next, nx);
				break;
			case T_CLASS:
				if (class_match(t, r))
					nfa_add(&next, nx);
				break;
			case T_STAR:
				if (r != '/')
					nfa_add(&next, s);
				break;
			case T_DSTAR_SLASH:
				nfa_add(&next, s + 1);
				if (r == '/')
					nfa_add(&next, nx);
				break;
			case T_DSTAR_END:
				nfa_add(&next, s);
				break;
			default:
				break;
			}
		}
		for (size_t k = 0; k < cur.nlist; k++)
			cur.on[cur.list[k]] = 0;
		cur.nlist = 0;
		struct nfa tmp = cur;
		cur = next;
		next = tmp;
	}
	*full = i >= len && cur.on[acc];
	free(cur.on);
	free(cur.list);
	free(next.on);
	free(next.list);
}

/* --- path_match / path_has_glob ------------------------------------------ */

int path_match(const char *pattern, const char *path, struct err *e)
{
	struct glob g;
	if (glob_compile(pattern, strlen(pattern), false, &g) < 0)
		return err_make(e, 0, "bad pattern \"%s\": syntax error in pattern", pattern);
	bool full;
	glob_run(&g, path, &full, NULL);
	glob_free(&g);
	return full ? 1 : 0;
}

bool path_has_glob(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\') {
			if (!s[1])
				break;
			s++;
			continue;
		}
		if (*s == '*' || *s == '?' || *s == '[')
			return true;
	}
	return false;
}

/* --- .dockerignore ---------------------------------------------------------- */

/* Go's filepath.Clean */
static char *path_clean(const char *s, size_t n)
{
	bool rooted = n && s[0] == '/';
	char *out = xmalloc(n + 2);
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == n || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == n || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && s[r] != '/'; r++)
				out[w++] = s[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

void dockerignore_free(struct dockerignore *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		glob_free(&d->p[i].g);
		free(d->p[i].text);
	}
	free(d->p);
	free(d);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char *shown(const char *s, size_t n)
{
	char *o = xmalloc(4 * (n < 80 ? n : 80) + 4), *q = o;
	for (size_t i = 0; i < n && i < 80; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f)
			q += sprintf(q, "\\x%02x", c);
		else
			*q++ = (char)c;
	}
	if (n > 80)
		q += sprintf(q, "...");
	*q = '\0';
	return o;
}

int dockerignore_parse(const char *text, size_t len, struct dockerignore **out, struct err *e)
{
	struct dockerignore *d = xcalloc(1, sizeof(*d));
	size_t cap = 0, pos = 0;
	int line = 0;

	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		pos += n + (nl ? 1 : 0);
		line++;
		if (line == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0)
			l += 3, n -= 3;
		if (n && l[0] == '#')
			continue;
		while (n && is_ws(*l))
			l++, n--;
		while (n && is_ws(l[n - 1]))
			n--;
		if (!n)
			continue;
		bool excl = l[0] == '!';
		if (excl) {
			l++, n--;
			while (n && is_ws(*l))
				l++, n--;
			if (!n) {
				dockerignore_free(d);
				return err_make(e, 0, ".dockerignore:%d: illegal exclusion pattern: \"!\"",
						line);
			}
		}
		if (memchr(l, '\0', n)) {
			dockerignore_free(d);
			return err_make(e, 0, ".dockerignore:%d: NUL byte in pattern", line);
		}
		if (n > PATTERN_MAX) {
			dockerignore_free(d);
			return err_make(e, 0, ".dockerignore:%d: pattern longer than %d bytes", line,
					PATTERN_MAX);
		}
		char *p = path_clean(l, n);
		if (p[0] == '/' && p[1])
			memmove(p, p + 1, strlen(p));
		struct glob check, g;
		if (glob_compile(p, strlen(p), false, &check) < 0 ||
		    glob_compile(p, strlen(p), true, &g) < 0) {
			_cleanup_free_ char *s = shown(l, n);
			free(p);
			dockerignore_free(d);
			return err_make(e, 0, ".dockerignore:%d: bad pattern \"%s\": syntax error in pattern",
					line, s);
		}
		glob_free(&check);
		if (d->n == cap) {
			cap = cap ? cap * 2 : 16;
			d->p = xrealloc(d->p, cap * sizeof(struct ipat));
		}
		d->p[d->n++] = (struct ipat){ .g = g, .text = p, .exclusion = excl };
	}
	*out = d;
	return 0;
}

/* relpath without "./", leading "/" and trailing "/" */
static char *norm_rel(const char *relpath)
{
	for (;;) {
		if (relpath[0] == '/')
			relpath++;
		else if (relpath[0] == '.' && relpath[1] == '/')
			relpath += 2;
		else
			break;
	}
	char *r = xstrdup(relpath);
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

bool dockerignore_excluded(const struct dockerignore *d, const char *relpath)
{
	if (!d || !d->n)
		return false;
	_cleanup_free_ char *path = norm_rel(relpath);
	bool has_parent = strchr(path, '/') != NULL;
	bool matched = false;
	for (size_t i = 0; i < d->n; i++) {
		const struct ipat *p = &d->p[i];
		if (p->exclusion != matched)
			continue;
		bool full, parent;
		glob_run(&p->g, path, &full, has_parent ? &parent : NULL);
		if (full || (has_parent && parent))
			matched = !p->exclusion;
	}
	return matched;
}

/* could exception pattern p match reldir itself or something below it? */
static bool may_match_below(const char *pat, const char *dir)
{
	for (;;) {
		const char *ps = strchr(pat, '/'), *ds = strchr(dir, '/');
		size_t pl = ps ? (size_t)(ps - pat) : strlen(pat);
		size_t dl = ds ? (size_t)(ds - dir) : strlen(dir);
		if (memmem(pat, pl, "**", 2))
			return true;
		char *pc = strndup(pat, pl), *dc = strndup(dir, dl);
		if (!pc || !dc) {
			free(pc);
			free(dc);
			return true;
		}
		struct glob g;
		bool full = true;
		if (glob_compile(pc, pl, false, &g) == 0) {
			glob_run(&g, dc, &full, NULL);
			glob_free(&g);
		}
		free(pc);
		free(dc);
		if (!full)
			return false;
		/* the pattern named an ancestor of (or) dir: all of it comes back */
		if (!ps)
			return true;
		/* dir used up, pattern goes on below it */
		if (!ds)
			return true;
		pat = ps + 1;
		dir = ds + 1;
	}
}

bool dockerignore_may_include_below(const struct dockerignore *d, const char *reldir)
{
	if (!d)
		return false;
	_cleanup_free_ char *dir = norm_rel(reldir);
	for (size_t i = 0; i < d->n; i++)
		if (d->p[i].exclusion && may_match_below(d->p[i].text, dir))
			return true;
	return false;
}
