/* tmpl_lex.c - see tmpl_lex.h */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_lex.h"
#include "util.h"

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

int tmpl_perr(struct parser *p, size_t pos, const char *fmt, ...)
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

bool tmpl_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool tmpl_is_alnum(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static const char *const keywords[] = { "if",       "else",  "end",   "range",    "with", "define",
					"template", "block", "break", "continue", NULL };

/* one token; never moves past the action's end */
int tmpl_lex(struct parser *p, struct tok *t)
{
	const char *s = p->s;
	size_t i = p->pos;
	bool space = false;

	while (i < p->len && tmpl_is_space(s[i])) {
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
		return tmpl_perr(p, i, "expected :=");
	case '"': {
		size_t j = i + 1;
		while (j < p->len && s[j] != '"' && s[j] != '\n') {
			if (s[j] == '\\' && j + 1 < p->len)
				j++;
			j++;
		}
		if (j >= p->len || s[j] != '"')
			return tmpl_perr(p, i, "unterminated quoted string");
		t->kind = T_STRING;
		t->len = j + 1 - i;
		break;
	}
	case '`': {
		const char *q = memchr(s + i + 1, '`', p->len - i - 1);
		if (!q)
			return tmpl_perr(p, i, "unterminated raw quoted string");
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
			return tmpl_perr(p, i, "unterminated character constant");
		t->kind = T_CHAR;
		t->len = j + 1 - i;
		break;
	}
	case '.':
		if (i + 1 < p->len && isdigit((unsigned char)s[i + 1]))
			goto number;
		if (i + 1 < p->len && tmpl_is_alnum(s[i + 1])) {
			size_t j = i + 1;
			while (j < p->len && tmpl_is_alnum(s[j]))
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
		while (j < p->len && tmpl_is_alnum(s[j]))
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
	while (j < p->len && (tmpl_is_alnum(s[j]) || s[j] == '.' ||
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
			while (j < p->len && tmpl_is_alnum(s[j]))
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
			return tmpl_perr(p, i, "a trim marker needs a space before it: \" -}}\"");
		return tmpl_perr(p, i, "unexpected \"%c\" in action", s[i]);
	}
	p->pos = i + t->len;
	return 0;
}

int tmpl_peek(struct parser *p, struct tok *t)
{
	size_t save = p->pos;
	int rc = tmpl_lex(p, t);
	p->pos = save;
	return rc;
}

bool tmpl_tok_is(const struct parser *p, const struct tok *t, const char *word)
{
	return t->len == strlen(word) && strncmp(p->s + t->pos, word, t->len) == 0;
}

const char *tmpl_tok_name(enum tok_kind k)
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
int tmpl_unquote(struct parser *p, const struct tok *t, char **out, size_t *outlen)
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
			return tmpl_perr(p, t->pos + i, "unknown escape sequence \"\\%c\"", c);
		}
		cp = 0;
		for (int k = 0; k < digits; k++, i++) {
			int d;
			if (i + 1 >= n) {
				free(b.p);
				return tmpl_perr(p, t->pos, "bad escape in quoted string");
			}
			c = s[i];
			d = isdigit((unsigned char)c)    ? c - '0'
			    : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
							 : 99;
			if (d >= base) {
				free(b.p);
				return tmpl_perr(p, t->pos + i, "bad escape in quoted string");
			}
			cp = cp * (unsigned long)base + (unsigned long)d;
		}
		i--;
		if (digits == 2 || base == 8) {
			char ch = (char)cp;
			if (cp > 255) {
				free(b.p);
				return tmpl_perr(p, t->pos, "octal escape value > 255");
			}
			tbuf_put(&b, &ch, 1);
		} else {
			char u[4];
			size_t ul;
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
				free(b.p);
				return tmpl_perr(p, t->pos,
						 "escape sequence is an invalid Unicode code point");
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

int tmpl_number(struct parser *p, const struct tok *t, struct targ *a)
{
	char buf[80], *end;
	size_t n = 0;

	if (t->kind == T_CHAR) {
		char *s = NULL;
		size_t len = 0;
		const unsigned char *u;
		struct tok q = *t;
		if (tmpl_unquote(p, &q, &s, &len) < 0)
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
			return tmpl_perr(p, t->pos, "malformed character constant");
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
		return tmpl_perr(p, t->pos, "bad number syntax");
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
			return tmpl_perr(p, t->pos, "bad number syntax: \"%.*s\"", (int)t->len,
					 p->s + t->pos);
		a->isint = true;
		a->dval = (double)a->ival;
		return 0;
	}
	a->dval = strtod(buf, &end);
	if (*end || errno || end == buf)
		return tmpl_perr(p, t->pos, "bad number syntax: \"%.*s\"", (int)t->len, p->s + t->pos);
	a->isint = false;
	return 0;
}
