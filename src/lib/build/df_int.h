/* df_int.h - internals shared by dockerfile.c and dfexpand.c (not an API). */
#ifndef BURROW_BUILD_DF_INT_H
#define BURROW_BUILD_DF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/build/dockerfile.h"
#include "lib/base/error.h"

/* ${...} nesting deeper than this fails cleanly */
#define DF_MAX_NEST 64

/* growable byte buffer, always NUL-terminated once something was added */
struct dfbuf {
	char *p;
	size_t len, cap;
};

void dfbuf_add(struct dfbuf *b, const char *s, size_t n);
void dfbuf_addc(struct dfbuf *b, char c);
/* the text (an empty string if nothing was added); the buffer is reset */
char *dfbuf_steal(struct dfbuf *b);

/* growable NULL-terminated string vector */
struct dfvec {
	char **v;
	size_t n, cap;
};

void dfvec_push(struct dfvec *w, char *s /* owned */);
void dfvec_free(struct dfvec *w);

static inline bool df_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* docker's parseWords(): split on whitespace outside quotes, keeping the
 * quotes and escapes in the words (nothing is expanded). */
void df_raw_words(const char *s, size_t n, char escape, struct dfvec *out);

/* The heredoc markers of a RUN/COPY/ADD line, in order.  expand[i] tells
 * whether the delimiter was unquoted; chomp[i] is the "<<-" form. */
struct df_hdmark {
	char *name;
	bool expand, chomp;
};
int df_heredoc_marks(const char *line, struct df_hdmark **marks, size_t *n, struct err *e);

/* A message-safe copy of untrusted text: non-printable bytes as \xNN,
 * at most max bytes of input shown. */
char *df_sanitize(const char *s, size_t n, size_t max);

/* --- the parser's state (dockerfile.c, dfinstr.c) -------------------------- */

struct df_parser {
	const char *text;
	size_t len, pos;
	const char *name;
	int lineno; /* the last physical line read */
	char esc;
	struct dockerfile *df;
	size_t stages_cap, instrs_cap, meta_cap, ninstrs;
	struct err *e;
};

/* "NAME:LINE: message" */
int df_perr(struct df_parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* prefix an error already in p->e with "NAME:LINE: what: " */
int df_pwrap(struct df_parser *p, int line, const char *what);

/* Parse one logical line into *in (zeroed by the caller); inner: the
 * instruction of an ONBUILD. */
int df_parse_instr(struct df_parser *p, const char *line, size_t n, int lineno, bool inner,
		   struct df_instr *in);
void df_instr_clear(struct df_instr *in);

static inline bool df_is_hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static inline void df_trim_left(const char **s, size_t *n)
{
	while (*n && df_isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
}

static inline void df_trim_right(const char *s, size_t *n)
{
	while (*n && df_isspace((unsigned char)s[*n - 1]))
		(*n)--;
}

#endif
