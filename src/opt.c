/* opt.c - see opt.h */
#include <string.h>

#include "opt.h"

void opt_init(struct optparser *p, const struct opt *opts, int argc, char **argv)
{
	memset(p, 0, sizeof *p);
	p->opts = opts;
	p->argc = argc;
	p->argv = argv;
	p->idx = 1;
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
	for (const struct opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *o = opts; o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int parse_bool(const char *s, const char **out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = "true";
		return 0;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*out = "false";
		return 0;
	}
	return -1;
}

static int next_long(struct optparser *p, const char *arg, struct err *e)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct opt *o = find_long(p->opts, arg, len);

	p->idx++;
	if (!o)
		return err_make(e, 0, "unknown flag: --%.*s", (int)len, arg);
	if (o->kind == OPT_FLAG) {
		if (!eq) {
			p->value = "true";
			return o->id;
		}
		if (parse_bool(eq + 1, &p->value) < 0)
			return err_make(e, 0, "invalid boolean value \"%s\" for --%s", eq + 1, o->name);
		return o->id;
	}
	if (eq) {
		p->value = eq + 1;
		return o->id;
	}
	if (p->idx >= p->argc)
		return err_make(e, 0, "flag needs an argument: --%s", o->name);
	p->value = p->argv[p->idx++];
	return o->id;
}

static int next_short(struct optparser *p, struct err *e)
{
	const char *arg = p->argv[p->idx];
	char c = arg[p->sub];
	const struct opt *o = find_short(p->opts, c);

	if (!o) {
		p->idx++;
		p->sub = 0;
		return err_make(e, 0, "unknown shorthand flag: '%c' in %s", c, arg);
	}
	p->sub++;
	if (o->kind == OPT_FLAG) {
		p->value = "true";
		if (arg[p->sub] == '\0') {
			p->idx++;
			p->sub = 0;
		}
		return o->id;
	}
	if (arg[p->sub] != '\0') {
		p->value = arg + p->sub + (arg[p->sub] == '=' ? 1 : 0);
		p->idx++;
		p->sub = 0;
		return o->id;
	}
	p->idx++;
	p->sub = 0;
	if (p->idx >= p->argc)
		return err_make(e, 0, "flag needs an argument: '%c' in -%c", c, c);
	p->value = p->argv[p->idx++];
	return o->id;
}

int opt_next(struct optparser *p, struct err *e)
{
	const char *arg;

	p->value = NULL;
	if (p->sub)
		return next_short(p, e);
	if (p->idx >= p->argc)
		return 0;
	arg = p->argv[p->idx];
	if (strcmp(arg, "--") == 0) {
		p->idx++;
		return 0;
	}
	if (arg[0] != '-' || arg[1] == '\0')
		return 0;
	if (arg[1] == '-')
		return next_long(p, arg + 2, e);
	p->sub = 1;
	return next_short(p, e);
}

bool opt_flag_value(const struct optparser *p)
{
	return p->value && strcmp(p->value, "true") == 0;
}

void opt_print_help(FILE *f, const char *verb, const char *usage, const char *summary, const struct opt *opts)
{
	fprintf(f, "Usage: burrow %s %s\n\n%s\n", verb, usage, summary);
	if (!opts || !opts->name)
		return;
	fprintf(f, "\nOptions:\n");
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
				 o->kind == OPT_VALUE ? " " : "", o->kind == OPT_VALUE ? o->argname : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->kind == OPT_VALUE ? " " : "",
				 o->kind == OPT_VALUE ? o->argname : "");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
}
