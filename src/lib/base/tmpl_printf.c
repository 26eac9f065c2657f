/* tmpl_printf.c - Go's fmt.Sprintf for the printf template function: the
 * verbs %v %s %q %d %x %X %o %b %c %U %e %E %f %F %g %G %t %T with the flags
 * - + # 0 and space, width and precision, applied to json-c values as Go
 * applies them to the values podman's templates see.  A verb that does not
 * fit its value prints Go's %!v(type=value) marker. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_int.h"
#include "util.h"

struct spec {
	char verb;
	bool minus, plus, sharp, zero, space;
	int width, prec; /* -1: none */
};

static size_t runes(const char *s, size_t n)
{
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			r++;
	return r;
}

/* s padded to the width: spaces (or zeros) before, or spaces after with - */
static void pad(struct tbuf *b, const struct spec *sp, const char *s, size_t n, bool zeros)
{
	size_t r = runes(s, n), w = sp->width > 0 ? (size_t)sp->width : 0;

	if (!sp->minus)
		for (size_t i = r; i < w; i++)
			tbuf_puts(b, zeros ? "0" : " ");
	tbuf_put(b, s, n);
	if (sp->minus)
		for (size_t i = r; i < w; i++)
			tbuf_puts(b, " ");
}

/* a number: sign, then digits; the 0 flag pads between them */
static void pad_number(struct tbuf *b, const struct spec *sp, bool neg, const char *digits)
{
	char sign[2] = "";
	size_t len = strlen(digits), w = sp->width > 0 ? (size_t)sp->width : 0;

	sign[0] = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : '\0';
	len += sign[0] != '\0';
	if (sp->minus) {
		tbuf_puts(b, sign);
		tbuf_puts(b, digits);
		for (size_t i = len; i < w; i++)
			tbuf_puts(b, " ");
		return;
	}
	if (sp->zero) {
		tbuf_puts(b, sign);
		for (size_t i = len; i < w; i++)
			tbuf_puts(b, "0");
		tbuf_puts(b, digits);
		return;
	}
	for (size_t i = len; i < w; i++)
		tbuf_puts(b, " ");
	tbuf_puts(b, sign);
	tbuf_puts(b, digits);
}

static void bad_verb(struct tbuf *b, char verb, json_object *v)
{
	tbuf_printf(b, "%%!%c(", verb);
	if (!v) {
		tbuf_puts(b, "<nil>)");
		return;
	}
	tbuf_printf(b, "%s=", tmpl_type_name(v));
	tmpl_print_value(b, v, false);
	tbuf_puts(b, ")");
}

void tmpl_put_utf8(struct tbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	}
	tbuf_put(b, u, n);
}

/* one UTF-8 sequence at s: its code point and length (1 for a bad byte,
 * code point -1) */
static long decode(const unsigned char *s, size_t n, size_t *len)
{
	int need = s[0] < 0x80             ? 0
		   : (s[0] & 0xE0) == 0xC0 ? 1
		   : (s[0] & 0xF0) == 0xE0 ? 2
		   : (s[0] & 0xF8) == 0xF0 ? 3
					   : -1;
	long cp;

	*len = 1;
	if (need < 0)
		return -1;
	if (need == 0)
		return s[0];
	if ((size_t)need >= n)
		return -1;
	cp = s[0] & (0x3F >> need);
	for (int i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*len = (size_t)need + 1;
	return cp;
}

/* Go's strconv.Quote (ascii: QuoteToASCII, for %+q) */
static void quote(struct tbuf *b, const char *s, size_t n, bool ascii)
{
	tbuf_puts(b, "\"");
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		long cp;
		const char *esc = NULL;
		switch (c) {
		case '\a':
			esc = "\\a";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\v':
			esc = "\\v";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '"':
			esc = "\\\"";
			break;
		default:
			break;
		}
		if (esc) {
			tbuf_puts(b, esc);
			i++;
			continue;
		}
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				tbuf_printf(b, "\\x%02x", c);
			else
				tbuf_put(b, s + i, 1);
			i++;
			continue;
		}
		cp = decode((const unsigned char *)s + i, n - i, &len);
		if (cp < 0)
			tbuf_printf(b, "\\x%02x", c);
		else if (ascii && cp < 0x10000)
			tbuf_printf(b, "\\u%04lx", cp);
		else if (ascii)
			tbuf_printf(b, "\\U%08lx", cp);
		else
			tbuf_put(b, s + i, len);
		i += len;
	}
	tbuf_puts(b, "\"");
}

/* %d %x %X %o %b of an integer, Go's way (a negative hex number is "-ff") */
static void fmt_int(struct tbuf *b, const struct spec *sp, long long iv)
{
	unsigned long long u = iv < 0 ? 0ULL - (unsigned long long)iv : (unsigned long long)iv;
	unsigned base = sp->verb == 'd' ? 10 : sp->verb == 'o' ? 8 : sp->verb == 'b' ? 2 : 16;
	const char *dig = sp->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[80], out[200];
	size_t n = 0, o = 0;
	struct spec s2 = *sp;

	do {
		tmp[n++] = dig[u % base];
		u /= base;
	} while (u);
	if (sp->sharp && base == 16) {
		out[o++] = '0';
		out[o++] = sp->verb == 'X' ? 'X' : 'x';
	} else if (sp->sharp && base == 8) {
		out[o++] = '0';
	} else if (sp->sharp && base == 2) {
		out[o++] = '0';
		out[o++] = 'b';
	}
	for (int i = (int)n; sp->prec >= 0 && i < sp->prec && o < 100; i++)
		out[o++] = '0';
	if (sp->prec == 0 && iv == 0)
		n = 0; /* Go: %.0d of 0 is nothing */
	while (n)
		out[o++] = tmp[--n];
	out[o] = '\0';
	if (sp->prec >= 0) /* a precision turns the 0 flag off */
		s2.zero = false;
	pad_number(b, &s2, iv < 0, out);
}

static void fmt_float(struct tbuf *b, const struct spec *sp, double d)
{
	char num[4608];
	struct tbuf t = { NULL, 0, 0 };
	double a = fabs(d);

	tbuf_put(&t, "", 0);
	switch (sp->verb) {
	case 'e':
		snprintf(num, sizeof num, "%.*e", sp->prec < 0 ? 6 : sp->prec, a);
		break;
	case 'E':
		snprintf(num, sizeof num, "%.*E", sp->prec < 0 ? 6 : sp->prec, a);
		break;
	case 'f':
	case 'F':
		snprintf(num, sizeof num, "%.*f", sp->prec < 0 ? 6 : sp->prec, a);
		break;
	default: /* g G v */
		tmpl_put_float(&t, a, sp->verb == 'G' ? 'G' : 'g', sp->prec);
		snprintf(num, sizeof num, "%s", t.p);
		break;
	}
	free(t.p);
	if (isinf(d) || isnan(d)) {
		struct spec s2 = *sp;
		s2.zero = false;
		snprintf(num, sizeof num, "%s", isnan(d) ? "NaN" : "Inf");
		pad_number(b, &s2, d < 0, num);
		return;
	}
	pad_number(b, sp, d < 0 || (d == 0 && signbit(d)), num);
}

static void fmt_value(struct tbuf *b, const struct spec *sp, json_object *v, int depth);

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

/* a slice or a map: the verb applied to each element, as Go's fmt does */
static void fmt_container(struct tbuf *b, const struct spec *sp, json_object *v, int depth)
{
	if (json_object_is_type(v, json_type_array)) {
		tbuf_puts(b, "[");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			if (i)
				tbuf_puts(b, " ");
			fmt_value(b, sp, json_object_array_get_idx(v, i), depth + 1);
		}
		tbuf_puts(b, "]");
		return;
	}
	/* a map, in key order */
	{
		json_object *keys = json_object_new_array();
		json_object_object_foreach(v, k, val) {
			(void)val;
			json_object_array_add(keys, json_object_new_string(k));
		}
		json_object_array_sort(keys, cmp_keys);
		tbuf_puts(b, "map[");
		for (size_t i = 0; i < json_object_array_length(keys); i++) {
			json_object *key = json_object_array_get_idx(keys, i);
			if (i)
				tbuf_puts(b, " ");
			fmt_value(b, sp, key, depth + 1);
			tbuf_puts(b, ":");
			fmt_value(b, sp, json_object_object_get(v, json_object_get_string(key)), depth + 1);
		}
		tbuf_puts(b, "]");
		json_object_put(keys);
	}
}

static void fmt_value(struct tbuf *b, const struct spec *sp, json_object *v, int depth)
{
	enum json_type t = json_object_get_type(v);
	char verb = sp->verb;

	if (depth > 100) {
		tbuf_puts(b, "...");
		return;
	}
	if (verb == 'T') {
		pad(b, sp, tmpl_type_name(v), strlen(tmpl_type_name(v)), false);
		return;
	}
	if (!v) {
		if (verb == 'v')
			pad(b, sp, "<nil>", 5, false);
		else
			bad_verb(b, verb, v);
		return;
	}
	if (t == json_type_array || t == json_type_object) {
		fmt_container(b, sp, v, depth);
		return;
	}
	switch (verb) {
	case 'v':
		if (t == json_type_int) {
			struct spec s2 = *sp;
			s2.verb = 'd';
			fmt_int(b, &s2, (long long)json_object_get_int64(v));
			return;
		}
		if (t == json_type_double) {
			struct spec s2 = *sp;
			s2.verb = 'g';
			fmt_float(b, &s2, json_object_get_double(v));
			return;
		}
		if (t == json_type_boolean) {
			const char *s = json_object_get_boolean(v) ? "true" : "false";
			pad(b, sp, s, strlen(s), false);
			return;
		}
		/* fall through: a string */
		/* FALLTHROUGH */
	case 's':
		if (t != json_type_string) {
			bad_verb(b, verb, v);
			return;
		}
		{
			const char *s = json_object_get_string(v);
			size_t n = (size_t)json_object_get_string_len(v);
			if (sp->prec >= 0) { /* at most prec runes */
				size_t r = 0, i = 0;
				for (; i < n; i++)
					if (((unsigned char)s[i] & 0xC0) != 0x80 && r++ == (size_t)sp->prec)
						break;
				n = i;
			}
			pad(b, sp, s, n, sp->zero);
		}
		return;
	case 'q':
		if (t == json_type_string) {
			struct tbuf q = { NULL, 0, 0 };
			const char *s = json_object_get_string(v);
			size_t n = (size_t)json_object_get_string_len(v);
			bool raw = sp->sharp && !strchr(s, '`');
			tbuf_put(&q, "", 0);
			for (size_t i = 0; raw && i < n; i++)
				if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
					raw = false;
			if (raw) {
				tbuf_puts(&q, "`");
				tbuf_put(&q, s, n);
				tbuf_puts(&q, "`");
			} else {
				quote(&q, s, n, sp->plus);
			}
			pad(b, sp, q.p, q.n, false);
			free(q.p);
		} else if (t == json_type_int) {
			char c[16];
			long long iv = (long long)json_object_get_int64(v);
			struct tbuf q = { NULL, 0, 0 };
			tbuf_put(&q, "'", 1);
			if (iv >= 0x20 && iv < 0x7f && iv != '\'' && iv != '\\')
				snprintf(c, sizeof c, "%c", (char)iv), tbuf_puts(&q, c);
			else if (iv == '\'' || iv == '\\')
				snprintf(c, sizeof c, "\\%c", (char)iv), tbuf_puts(&q, c);
			else if (iv >= 0x80 && iv <= 0x10FFFF && !sp->plus)
				tmpl_put_utf8(&q, (unsigned long)iv);
			else
				tbuf_printf(&q, iv < 0x10000 ? "\\u%04llx" : "\\U%08llx", iv);
			tbuf_put(&q, "'", 1);
			pad(b, sp, q.p, q.n, false);
			free(q.p);
		} else {
			bad_verb(b, verb, v);
		}
		return;
	case 't':
		if (t == json_type_boolean) {
			const char *s = json_object_get_boolean(v) ? "true" : "false";
			pad(b, sp, s, strlen(s), false);
		} else {
			bad_verb(b, verb, v);
		}
		return;
	case 'c':
	case 'U':
		if (t != json_type_int) {
			bad_verb(b, verb, v);
			return;
		}
		{
			struct tbuf c = { NULL, 0, 0 };
			long long iv = (long long)json_object_get_int64(v);
			tbuf_put(&c, "", 0);
			if (verb == 'c')
				tmpl_put_utf8(&c, iv < 0 ? 0xFFFD : (unsigned long)iv);
			else
				tbuf_printf(&c, "U+%04llX", iv < 0 ? 0 : iv);
			pad(b, sp, c.p, c.n, false);
			free(c.p);
		}
		return;
	case 'd':
	case 'o':
	case 'b':
		if (t == json_type_int)
			fmt_int(b, sp, (long long)json_object_get_int64(v));
		else
			bad_verb(b, verb, v);
		return;
	case 'x':
	case 'X':
		if (t == json_type_int) {
			fmt_int(b, sp, (long long)json_object_get_int64(v));
		} else if (t == json_type_string) {
			struct tbuf h = { NULL, 0, 0 };
			const unsigned char *u = (const unsigned char *)json_object_get_string(v);
			int n = json_object_get_string_len(v);
			if (sp->prec >= 0 && sp->prec < n)
				n = sp->prec;
			tbuf_put(&h, "", 0);
			for (int i = 0; i < n; i++) {
				if (i && sp->space)
					tbuf_puts(&h, " ");
				if (sp->sharp && (i == 0 || sp->space))
					tbuf_puts(&h, verb == 'x' ? "0x" : "0X");
				tbuf_printf(&h, verb == 'x' ? "%02x" : "%02X", u[i]);
			}
			pad(b, sp, h.p, h.n, false);
			free(h.p);
		} else {
			bad_verb(b, verb, v);
		}
		return;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
		if (t == json_type_double)
			fmt_float(b, sp, json_object_get_double(v));
		else
			bad_verb(b, verb, v);
		return;
	default:
		bad_verb(b, verb, v);
		return;
	}
}

int tmpl_sprintf(struct tbuf *b, const char *fmt, json_object **args, size_t n, struct err *e)
{
	size_t argi = 0;

	for (const char *p = fmt; *p; p++) {
		struct spec sp = { 0, false, false, false, false, false, -1, -1 };

		if (*p != '%') {
			tbuf_put(b, p, 1);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				sp.minus = true;
			else if (*p == '+')
				sp.plus = true;
			else if (*p == '#')
				sp.sharp = true;
			else if (*p == '0')
				sp.zero = !sp.minus;
			else if (*p == ' ')
				sp.space = true;
			else
				break;
		}
		if (sp.minus)
			sp.zero = false;
		if (isdigit((unsigned char)*p)) {
			sp.width = 0;
			while (isdigit((unsigned char)*p) && sp.width < 100000)
				sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			while (isdigit((unsigned char)*p) && sp.prec < 100000)
				sp.prec = sp.prec * 10 + (*p++ - '0');
		}
		if (sp.width > 4096 || sp.prec > 4096)
			return err_make(e, 0, "printf: width or precision over 4096");
		sp.verb = *p;
		if (!sp.verb) {
			tbuf_puts(b, "%!(NOVERB)");
			break;
		}
		if (sp.verb == '%') {
			tbuf_puts(b, "%");
			continue;
		}
		if (argi >= n) {
			tbuf_printf(b, "%%!%c(MISSING)", sp.verb);
			continue;
		}
		fmt_value(b, &sp, args[argi++], 0);
	}
	if (argi < n) {
		tbuf_puts(b, "%!(EXTRA ");
		for (size_t i = argi; i < n; i++) {
			if (i > argi)
				tbuf_puts(b, ", ");
			tbuf_printf(b, "%s=", tmpl_type_name(args[i]));
			tmpl_print_value(b, args[i], false);
		}
		tbuf_puts(b, ")");
	}
	return 0;
}
