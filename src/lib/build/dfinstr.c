/* dfinstr.c - one Dockerfile instruction: keyword, --flags, the JSON
 * (exec) forms, HEALTHCHECK, ONBUILD and the argument checks of each
 * instruction, following docker's parser (buildkit frontend/dockerfile
 * parser and instructions). */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/build/df_int.h"
#include "lib/build/dockerfile.h"
#include "lib/base/util.h"

enum ftype { F_BOOL, F_STR, F_STRS };

struct flagspec {
	const char *name;
	enum ftype type;
};

static const struct flagspec no_flags[] = { { NULL, F_BOOL } };
static const struct flagspec from_flags[] = { { "platform", F_STR }, { NULL, F_BOOL } };
static const struct flagspec run_flags[] = {
	{ "mount", F_STRS },
	{ "network", F_STR },
	{ NULL, F_BOOL },
};
static const struct flagspec copy_flags[] = {
	{ "from", F_STR }, { "chown", F_STR }, { "chmod", F_STR }, { "link", F_BOOL }, { NULL, F_BOOL },
};
static const struct flagspec add_flags[] = {
	{ "chown", F_STR },
	{ "chmod", F_STR },
	{ "link", F_BOOL },
	{ NULL, F_BOOL },
};
static const struct flagspec hc_flags[] = {
	{ "interval", F_STR },       { "timeout", F_STR }, { "start-period", F_STR },
	{ "start-interval", F_STR }, { "retries", F_STR }, { NULL, F_BOOL },
};

static const struct kwdef {
	const char *name;
	enum df_kind kind;
	const struct flagspec *flags;
} keywords[] = {
	{ "FROM", DF_FROM, from_flags },
	{ "RUN", DF_RUN, run_flags },
	{ "COPY", DF_COPY, copy_flags },
	{ "ADD", DF_ADD, add_flags },
	{ "ENV", DF_ENV, no_flags },
	{ "ARG", DF_ARG, no_flags },
	{ "WORKDIR", DF_WORKDIR, no_flags },
	{ "EXPOSE", DF_EXPOSE, no_flags },
	{ "CMD", DF_CMD, no_flags },
	{ "ENTRYPOINT", DF_ENTRYPOINT, no_flags },
	{ "LABEL", DF_LABEL, no_flags },
	{ "USER", DF_USER, no_flags },
	{ "VOLUME", DF_VOLUME, no_flags },
	{ "SHELL", DF_SHELL, no_flags },
	{ "STOPSIGNAL", DF_STOPSIGNAL, no_flags },
	{ "HEALTHCHECK", DF_HEALTHCHECK, hc_flags },
	{ "ONBUILD", DF_ONBUILD, no_flags },
	{ "MAINTAINER", DF_MAINTAINER, no_flags },
};

int df_perr(struct df_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	return err_make(p->e, 0, "%s:%d: %s", p->name, line, msg ? msg : "out of memory");
}

/* Wrap an error the lexer made with the file and line. */
int df_pwrap(struct df_parser *p, int line, const char *what)
{
	if (what)
		return err_wrap(p->e, "%s:%d: %s", p->name, line, what);
	return err_wrap(p->e, "%s:%d", p->name, line);
}

/* --- JSON forms ------------------------------------------------------------ */

/* 1: s is a JSON array of strings (argv filled); 0: not JSON at all;
 * -1: JSON, but not an array of strings (e set). */
static int parse_json_argv(struct df_parser *p, int line, const char *s, char ***argv)
{
	if (*s != '[')
		return 0;
	size_t n = strlen(s);
	if (n > INT32_MAX)
		return 0;
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return df_perr(p, line, "out of memory");
	struct json_object *o = json_tokener_parse_ex(tok, s, (int)n);
	size_t end = o ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	if (!o)
		return 0;
	for (size_t i = end; i < n; i++) {
		if (!df_isspace((unsigned char)s[i])) {
			json_object_put(o);
			return 0;
		}
	}
	if (!json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return 0;
	}
	size_t len = json_object_array_length(o);
	char **v = xcalloc(len + 1, sizeof(char *));
	for (size_t i = 0; i < len; i++) {
		struct json_object *el = json_object_array_get_idx(o, i);
		if (!json_object_is_type(el, json_type_string) ||
		    strlen(json_object_get_string(el)) != (size_t)json_object_get_string_len(el)) {
			strv_free(v);
			json_object_put(o);
			return df_perr(
				p, line,
				"when using JSON array syntax, arrays must be comprised of strings only");
		}
		v[i] = xstrdup(json_object_get_string(el));
	}
	json_object_put(o);
	*argv = v;
	return 1;
}

/* RUN, CMD, ENTRYPOINT, SHELL, VOLUME, COPY, ADD: JSON if it parses as a
 * JSON array of strings, else shell form as docker does ("[ -f x ]" is a
 * shell command).  Text starting with '["' can only have been meant as
 * JSON, so failing to parse it is an error rather than a shell command. */
static int maybe_json(struct df_parser *p, struct df_instr *in)
{
	int r = parse_json_argv(p, in->line, in->rest, &in->argv);
	if (r < 0)
		return -1;
	if (r > 0) {
		in->json = true;
		return 0;
	}
	if (strncmp(in->rest, "[\"", 2) == 0)
		return df_perr(p, in->line, "%s: invalid JSON in exec form", in->keyword);
	return 0;
}

/* --- flags ------------------------------------------------------------------ */

/* docker's extractBuilderFlags: the leading "--x=y" words (quotes and
 * escapes removed), and where the arguments start. */
static size_t extract_flags(const char *s, size_t n, char esc, struct dfvec *words)
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
			if (ch != '-' || pos + 1 == n || s[pos + 1] != '-') {
				free(word.p);
				return pos;
			}
			phase = IN_WORD;
		}
		if (pos == n) {
			if (!(word.len == 2 && memcmp(word.p, "--", 2) == 0) && (blank_ok || word.len))
				dfvec_push(words, dfbuf_steal(&word));
			break;
		}
		if (phase == IN_WORD) {
			if (df_isspace((unsigned char)ch)) {
				phase = IN_SPACES;
				if (word.len == 2 && memcmp(word.p, "--", 2) == 0) {
					free(word.p);
					return pos;
				}
				if (blank_ok || word.len)
					dfvec_push(words, dfbuf_steal(&word));
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
				continue;
			}
			if (ch == esc) {
				if (pos + 1 == n)
					continue;
				ch = s[++pos];
			}
			dfbuf_addc(&word, ch);
			continue;
		}
		if (ch == quote) {
			phase = IN_WORD;
			continue;
		}
		if (ch == esc) {
			if (pos + 1 == n) {
				phase = IN_WORD;
				continue;
			}
			ch = s[++pos];
		}
		dfbuf_addc(&word, ch);
	}
	free(word.p);
	return n;
}

static int parse_flags(struct df_parser *p, struct df_instr *in, const struct flagspec *spec,
		       struct dfvec *words)
{
	in->flags = words->n ? xcalloc(words->n, sizeof(struct df_flag)) : NULL;
	for (size_t i = 0; i < words->n; i++) {
		const char *w = words->v[i] + 2; /* past "--" */
		const char *eq = strchr(w, '=');
		size_t nlen = eq ? (size_t)(eq - w) : strlen(w);
		const struct flagspec *f = spec;
		for (; f->name; f++)
			if (strlen(f->name) == nlen && strncmp(f->name, w, nlen) == 0)
				break;
		if (!f->name) {
			_cleanup_free_ char *s = df_sanitize(w, nlen, 64);
			return df_perr(p, in->line, "%s: unknown flag: %s", in->keyword, s);
		}
		if (f->type != F_STRS && df_flag_get(in, f->name))
			return df_perr(p, in->line, "%s: duplicate flag specified: %s", in->keyword, f->name);
		if (f->type == F_BOOL && eq && strcasecmp(eq + 1, "true") != 0 &&
		    strcasecmp(eq + 1, "false") != 0) {
			_cleanup_free_ char *s = df_sanitize(eq + 1, strlen(eq + 1), 64);
			return df_perr(p, in->line, "%s: expecting boolean value for flag %s, not: %s",
				       in->keyword, f->name, s);
		}
		if (f->type != F_BOOL && !eq)
			return df_perr(p, in->line, "%s: missing a value on flag: %s", in->keyword, f->name);
		in->flags[in->nflags].name = xstrdup(f->name);
		in->flags[in->nflags].value = eq ? xstrdup(eq + 1) : NULL;
		in->nflags++;
	}
	return 0;
}

/* --- HEALTHCHECK ------------------------------------------------------------ */

/* Go's time.ParseDuration, enough to check the syntax and the sign: the
 * value in nanoseconds, saturated. */
static int parse_duration(const char *s, double *ns)
{
	static const struct {
		const char *u;
		double mul;
	} units[] = {
		{ "ns", 1 },   { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
		{ "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },        { "h", 3600e9 },
	};
	double sign = 1, total = 0;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		double v = 0, frac = 0, scale = 1;
		bool digits = false;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			digits = true;
		}
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9') {
				scale /= 10;
				frac += (*s++ - '0') * scale;
				digits = true;
			}
		}
		if (!digits)
			return -1;
		size_t best = 0;
		double mul = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].u);
			if (strncmp(s, units[i].u, l) == 0 && l > best) {
				best = l;
				mul = units[i].mul;
			}
		}
		if (!best)
			return -1;
		s += best;
		total += (v + frac) * mul;
	}
	*ns = sign * total;
	return 0;
}

static int check_healthcheck(struct df_parser *p, struct df_instr *in)
{
	for (size_t i = 0; i < in->nflags; i++) {
		const struct df_flag *f = &in->flags[i];
		if (!*f->value)
			continue;
		if (strcmp(f->name, "retries") == 0) {
			const char *v = f->value;
			bool neg = *v == '-';
			if (neg || *v == '+')
				v++;
			uint64_t r;
			if (parse_u64(v, &r) < 0) {
				_cleanup_free_ char *s = df_sanitize(f->value, strlen(f->value), 32);
				return df_perr(p, in->line, "HEALTHCHECK: invalid --retries value: %s", s);
			}
			if (neg && r)
				return df_perr(p, in->line, "HEALTHCHECK: --retries cannot be negative");
			continue;
		}
		double ns;
		if (parse_duration(f->value, &ns) < 0) {
			_cleanup_free_ char *s = df_sanitize(f->value, strlen(f->value), 32);
			return df_perr(p, in->line, "HEALTHCHECK: invalid duration for --%s: %s", f->name, s);
		}
		if (ns < 0)
			return df_perr(p, in->line, "HEALTHCHECK: --%s cannot be negative", f->name);
		if (ns != 0 && ns < 1e6)
			return df_perr(p, in->line, "HEALTHCHECK: --%s cannot be less than 1ms", f->name);
	}
	const char *r = in->rest;
	size_t kl = 0;
	while (r[kl] && !df_isspace((unsigned char)r[kl]))
		kl++;
	const char *args = r + kl;
	while (*args && df_isspace((unsigned char)*args))
		args++;
	if (kl == 4 && strncasecmp(r, "NONE", 4) == 0) {
		if (*args)
			return df_perr(p, in->line, "HEALTHCHECK NONE takes no arguments");
		return 0;
	}
	if (kl == 3 && strncasecmp(r, "CMD", 3) == 0) {
		if (!*args)
			return df_perr(p, in->line, "HEALTHCHECK CMD requires a command");
		in->hc_cmd = xstrdup(args);
		int j = parse_json_argv(p, in->line, in->hc_cmd, &in->argv);
		if (j < 0)
			return -1;
		in->json = j > 0;
		if (!in->json && strncmp(in->hc_cmd, "[\"", 2) == 0)
			return df_perr(p, in->line, "HEALTHCHECK: invalid JSON in exec form");
		if (in->json && !in->argv[0])
			return df_perr(p, in->line, "HEALTHCHECK CMD requires a command");
		return 0;
	}
	_cleanup_free_ char *s = df_sanitize(r, kl, 32);
	return df_perr(p, in->line, "unknown type \"%s\" in HEALTHCHECK (try CMD)", s);
}

/* --- instructions ------------------------------------------------------------ */

/* count raw words of the shell-form text */
static size_t raw_word_count(struct df_parser *p, const char *s)
{
	struct dfvec w = { 0 };
	df_raw_words(s, strlen(s), p->esc, &w);
	size_t n = w.n;
	dfvec_free(&w);
	return n;
}

/* expanding without variables catches bad quoting and ${ before anything runs */
static int check_words(struct df_parser *p, struct df_instr *in)
{
	char **w = NULL;
	if (df_words(in->rest, p->esc, NULL, &w, p->e) < 0)
		return df_pwrap(p, in->line, in->keyword);
	strv_free(w);
	return 0;
}

static bool valid_stage_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return false;
	return true;
}

static int parse_args(struct df_parser *p, struct df_instr *in, bool inner)
{
	const char *kw = in->keyword;
	bool empty = !*in->rest;

	switch (in->kind) {
	case DF_FROM: {
		if (empty)
			return df_perr(p, in->line, "FROM requires either one or three arguments");
		struct dfvec w = { 0 };
		df_raw_words(in->rest, strlen(in->rest), p->esc, &w);
		int r = 0;
		if (w.n != 1 && w.n != 3)
			r = df_perr(p, in->line, "FROM requires either one or three arguments");
		else if (w.n == 3 && strcasecmp(w.v[1], "AS") != 0)
			r = df_perr(p, in->line, "FROM: expected \"AS name\" after the image");
		else if (w.n == 3) {
			for (char *c = w.v[2]; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
			if (!valid_stage_name(w.v[2])) {
				_cleanup_free_ char *s = df_sanitize(w.v[2], strlen(w.v[2]), 64);
				r = df_perr(
					p, in->line,
					"invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
					s);
			}
		}
		dfvec_free(&w);
		if (r < 0)
			return r;
		return check_words(p, in);
	}
	case DF_RUN:
	case DF_CMD:
	case DF_ENTRYPOINT:
		if (empty)
			return df_perr(p, in->line, "%s requires at least one argument", kw);
		if (maybe_json(p, in) < 0)
			return -1;
		if (in->kind == DF_RUN && in->json && !in->argv[0])
			return df_perr(p, in->line, "RUN requires at least one argument");
		return 0;
	case DF_SHELL:
		if (empty)
			return df_perr(p, in->line, "SHELL requires at least one argument");
		switch (parse_json_argv(p, in->line, in->rest, &in->argv)) {
		case 0:
			return df_perr(p, in->line, "SHELL requires the arguments to be in JSON form");
		case 1:
			break;
		default:
			return -1;
		}
		in->json = true;
		if (!in->argv[0])
			return df_perr(p, in->line, "SHELL requires at least one argument");
		return 0;
	case DF_VOLUME:
		if (empty)
			return df_perr(p, in->line, "VOLUME requires at least one argument");
		if (maybe_json(p, in) < 0)
			return -1;
		if (in->json) {
			if (!in->argv[0])
				return df_perr(p, in->line, "VOLUME requires at least one argument");
			for (char **v = in->argv; *v; v++)
				if (!**v)
					return df_perr(p, in->line,
						       "VOLUME specified can not be an empty string");
			return 0;
		}
		return check_words(p, in);
	case DF_COPY:
	case DF_ADD:
		if (maybe_json(p, in) < 0)
			return -1;
		if (in->json ? strv_len(in->argv) < 2 : raw_word_count(p, in->rest) < 2)
			return df_perr(p, in->line,
				       "%s requires at least two arguments (sources and a destination)", kw);
		return in->json ? 0 : check_words(p, in);
	case DF_ENV:
	case DF_LABEL:
	case DF_ARG: {
		if (empty)
			return df_perr(p, in->line, "%s requires at least one argument", kw);
		char **k = NULL, **v = NULL;
		size_t np = 0;
		if (df_pairs(in, p->esc, NULL, &k, &v, &np, p->e) < 0)
			return df_pwrap(p, in->line, NULL);
		for (size_t i = 0; i < np; i++) {
			free(k[i]);
			free(v[i]);
		}
		free(k);
		free(v);
		return 0;
	}
	case DF_EXPOSE:
		if (empty)
			return df_perr(p, in->line, "EXPOSE requires at least one argument");
		return check_words(p, in);
	case DF_WORKDIR:
	case DF_USER:
	case DF_STOPSIGNAL:
		if (empty)
			return df_perr(p, in->line, "%s requires exactly one argument", kw);
		return check_words(p, in);
	case DF_MAINTAINER:
		if (empty)
			return df_perr(p, in->line, "MAINTAINER requires exactly one argument");
		return 0;
	case DF_HEALTHCHECK:
		if (empty)
			return df_perr(p, in->line, "HEALTHCHECK requires at least one argument");
		return check_healthcheck(p, in);
	case DF_ONBUILD: {
		if (empty)
			return df_perr(p, in->line, "ONBUILD requires at least one argument");
		if (inner)
			return df_perr(p, in->line, "ONBUILD ONBUILD is not allowed");
		struct df_instr *sub = xcalloc(1, sizeof(*sub));
		in->inner = sub;
		if (df_parse_instr(p, in->rest, strlen(in->rest), in->line, true, sub) < 0)
			return -1;
		if (sub->kind == DF_ONBUILD)
			return df_perr(p, in->line, "ONBUILD ONBUILD is not allowed");
		if (sub->kind == DF_FROM || sub->kind == DF_MAINTAINER)
			return df_perr(p, in->line, "%s isn't allowed as an ONBUILD trigger", sub->keyword);
		return 0;
	}
	default:
		break;
	}
	return df_perr(p, in->line, "internal error: unhandled instruction %s", kw);
}

int df_parse_instr(struct df_parser *p, const char *line, size_t n, int lineno, bool inner,
		   struct df_instr *in)
{
	df_trim_left(&line, &n);
	df_trim_right(line, &n);
	in->line = lineno;
	in->original = xmalloc(n + 1);
	memcpy(in->original, line, n);
	in->original[n] = '\0';

	size_t kl = 0;
	while (kl < n && !df_is_hspace(line[kl]))
		kl++;
	const struct kwdef *k = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strlen(keywords[i].name) == kl && strncasecmp(keywords[i].name, line, kl) == 0)
			k = &keywords[i];
	if (!k) {
		size_t shown = kl < 64 ? kl : 64;
		char up[64];
		for (size_t i = 0; i < shown; i++)
			up[i] = line[i] >= 'a' && line[i] <= 'z' ? (char)(line[i] - 32) : line[i];
		_cleanup_free_ char *s = df_sanitize(up, shown, 64);
		return df_perr(p, lineno, "unknown instruction: %s%s", s, kl > shown ? "..." : "");
	}
	in->kind = k->kind;
	in->keyword = (char *)k->name; /* static: never freed */

	const char *args = line + kl;
	size_t an = n - kl;
	df_trim_left(&args, &an);
	struct dfvec fw = { 0 };
	size_t off = extract_flags(args, an, p->esc, &fw);
	int r = parse_flags(p, in, k->flags, &fw);
	dfvec_free(&fw);
	if (r < 0)
		return -1;
	const char *rest = args + (off < an ? off : an);
	size_t rn = an - (off < an ? off : an);
	df_trim_left(&rest, &rn);
	in->rest = xmalloc(rn + 1);
	memcpy(in->rest, rest, rn);
	in->rest[rn] = '\0';
	return parse_args(p, in, inner);
}
