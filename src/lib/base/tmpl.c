/* tmpl.c - see tmpl.h: the whole-template entry points and the tabwriter
 * behind "table" formats.  Parsing is in tmpl_parse.c, running in
 * tmpl_exec.c, the functions in tmpl_funcs.c. */
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "tmpl_int.h"
#include "util.h"

int tmpl_check(const char *fmt, struct err *e)
{
	struct tmpl *t;

	if (tmpl_parse(fmt, &t, e) < 0)
		return -1;
	tmpl_free(t);
	return 0;
}

int tmpl_render(const char *fmt, json_object *obj, char **out, struct err *e)
{
	struct tmpl *t;
	int rc;

	if (tmpl_parse(fmt, &t, e) < 0)
		return -1;
	rc = tmpl_exec(t, obj, out, e);
	tmpl_free(t);
	return rc;
}

/* Go's text/tabwriter, flags 0: a cell is text ended by a tab; the cells of
 * column c on consecutive lines that all have one form a block, and each is
 * padded to the block's widest cell + PADDING (at least MINWIDTH).  The
 * text after a line's last tab is not a cell and is not padded.  (Go finds
 * the blocks by recursion, one level per column; a block of column c is
 * exactly a run of lines with more than c cells, so no recursion is needed
 * here.) */
enum { MINWIDTH = 12, PADDING = 2 };

struct tw_line {
	const char *s;
	size_t len;
	size_t ncells; /* tab-terminated cells */
	bool nl;       /* ended by a newline */
};

static size_t width_of(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* the start and length of cell c of line l */
static const char *cell(const struct tw_line *l, size_t c, size_t *len)
{
	const char *p = l->s, *end = l->s + l->len;

	for (size_t i = 0; i < c; i++)
		p = (const char *)memchr(p, '\t', (size_t)(end - p)) + 1;
	{
		const char *t = memchr(p, '\t', (size_t)(end - p));
		*len = (size_t)((t ? t : end) - p);
	}
	return p;
}

char *tmpl_tabwrite(const char *text)
{
	struct tw_line *lines = NULL;
	size_t n = 0, maxcells = 0;
	size_t *widths;
	struct tbuf b = { NULL, 0, 0 };
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lines = xrealloc(lines, (n + 1) * sizeof *lines);
		lines[n].s = p;
		lines[n].len = len;
		lines[n].nl = nl != NULL;
		lines[n].ncells = 0;
		for (size_t i = 0; i < len; i++)
			lines[n].ncells += p[i] == '\t';
		if (lines[n].ncells > maxcells)
			maxcells = lines[n].ncells;
		n++;
		p += len + (nl != NULL);
	}
	/* widths[l * maxcells + c]: the width of cell c on line l */
	widths = xcalloc(n * (maxcells ? maxcells : 1), sizeof *widths);
	for (size_t c = 0; c < maxcells; c++) {
		size_t l = 0;
		while (l < n) {
			size_t start, w = MINWIDTH;
			if (lines[l].ncells <= c) {
				l++;
				continue;
			}
			start = l;
			for (; l < n && lines[l].ncells > c; l++) {
				size_t len;
				const char *s = cell(&lines[l], c, &len);
				if (width_of(s, len) + PADDING > w)
					w = width_of(s, len) + PADDING;
			}
			for (size_t k = start; k < l; k++)
				widths[k * maxcells + c] = w;
		}
	}
	tbuf_put(&b, "", 0);
	for (size_t l = 0; l < n; l++) {
		const char *s = lines[l].s;
		for (size_t c = 0; c <= lines[l].ncells; c++) {
			size_t len;
			const char *cs = cell(&lines[l], c, &len);
			tbuf_put(&b, cs, len);
			if (c < lines[l].ncells)
				for (size_t k = width_of(cs, len); k < widths[l * maxcells + c]; k++)
					tbuf_put(&b, " ", 1);
		}
		(void)s;
		if (lines[l].nl)
			tbuf_put(&b, "\n", 1);
	}
	free(widths);
	free(lines);
	return b.p;
}
