/* opt.c - tests for the table-driven option parser (src/opt.c). */
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "tap.h"

enum { O_DETACH = 1, O_INTERACTIVE, O_TTY, O_NAME, O_ENV, O_RM, O_PUBLISH };

static const struct opt opts[] = {
	{ "detach", 'd', OPT_FLAG, O_DETACH, NULL, "Run in the background" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a pseudo-TTY" },
	{ "name", 0, OPT_VALUE, O_NAME, "NAME", "Container name" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY=VAL", "Set an environment variable" },
	{ "rm", 0, OPT_FLAG, O_RM, NULL, "Remove when it exits" },
	{ "publish", 'p', OPT_VALUE, O_PUBLISH, "SPEC", "Publish a port" },
	{ NULL, 0, OPT_FLAG, 0, NULL, NULL },
};

struct result {
	char trace[512]; /* "id=value " for each option */
	int rc;          /* 0 at the end of options, -1 on error */
	int idx;         /* first positional */
	char *msg;       /* error message */
};

/* Parse a space-separated command line (argv[0] is the verb). */
static struct result parse(const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;
	struct optparser p;
	struct err e = ERR_INIT;
	struct result r = { .trace = "" };
	char *save = NULL;

	snprintf(buf, sizeof buf, "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(t, "''") == 0 ? (char *)"" : t;
	argv[argc] = NULL;
	opt_init(&p, opts, argc, argv);
	for (;;) {
		int id = opt_next(&p, &e);
		size_t n = strlen(r.trace);
		if (id <= 0) {
			r.rc = id;
			break;
		}
		snprintf(r.trace + n, sizeof r.trace - n, "%d=%s ", id, p.value ? p.value : "(null)");
	}
	r.idx = p.idx;
	r.msg = e.msg; /* owned by the caller now */
	return r;
}

static void check(const char *line, const char *trace, int idx, const char *what)
{
	struct result r = parse(line);
	char name[256];

	snprintf(name, sizeof name, "%s: %s", what, line);
	if (!ok(r.rc == 0 && strcmp(r.trace, trace) == 0 && r.idx == idx, "%s", name))
		printf("# rc %d, trace '%s' (want '%s'), idx %d (want %d), error: %s\n", r.rc, r.trace, trace,
		       r.idx, idx, r.msg ? r.msg : "none");
	free(r.msg);
}

static void check_err(const char *line, const char *msg, const char *what)
{
	struct result r = parse(line);

	ok(r.rc == -1, "%s fails: %s", what, line);
	is_str(r.msg, msg, "%s: message", what);
	free(r.msg);
}

static void test_bool_values(void)
{
	static const struct {
		const char *arg;
		bool want;
	} cases[] = {
		{ "--rm", true },        { "--rm=true", true }, { "--rm=1", true },
		{ "--rm=false", false }, { "--rm=0", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[] = { (char *)"run", (char *)cases[i].arg, NULL };
		struct optparser p;
		struct err e = ERR_INIT;
		int id;

		opt_init(&p, opts, 2, argv);
		id = opt_next(&p, &e);
		is_int(id, O_RM, "%s is --rm", cases[i].arg);
		ok(opt_flag_value(&p) == cases[i].want, "%s gives %s", cases[i].arg,
		   cases[i].want ? "true" : "false");
		is_int(opt_next(&p, &e), 0, "%s: then the end", cases[i].arg);
		err_clear(&e);
	}
}

static void test_help(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	opt_print_help(f, "run", "[OPTIONS] IMAGE [COMMAND]", "Run a command in a new container.", opts);
	fclose(f);
	ok(strncmp(text, "Usage: burrow run [OPTIONS] IMAGE [COMMAND]\n\nRun a command", 44) == 0,
	   "help starts with the usage line");
	ok(strstr(text, "\nOptions:\n") != NULL, "help has an Options section");
	ok(strstr(text, "-e, --env KEY=VAL") != NULL, "help shows short, long and value name");
	ok(strstr(text, "    --name NAME") != NULL, "help aligns a long-only option");
	ok(strstr(text, "-d, --detach ") != NULL && strstr(text, "Run in the background") != NULL,
	   "help shows a flag and its text");
	free(text);
}

int main(void)
{
	/* long options */
	check("run --name web img", "4=web ", 3, "long value, separate");
	check("run --name=web img", "4=web ", 2, "long value with =");
	check("run --name= img", "4= ", 2, "long value may be empty with =");
	check("run --env A=B=C img", "5=A=B=C ", 3, "value keeps its own '='");
	check("run --name -x img", "4=-x ", 3, "a separate value may start with '-'");
	check("run --detach --rm img", "1=true 6=true ", 3, "long flags");

	/* short options and clusters */
	check("run -d img", "1=true ", 2, "short flag");
	check("run -it img", "2=true 3=true ", 2, "clustered flags");
	check("run -dit img cmd", "1=true 2=true 3=true ", 2, "three clustered flags");
	check("run -e A=1 img", "5=A=1 ", 3, "short value, separate");
	check("run -eA=1 img", "5=A=1 ", 2, "short value attached");
	check("run -e=A img", "5=A ", 2, "short value after '='");
	check("run -ite X img", "2=true 3=true 5=X ", 3, "cluster ending in a value option");
	check("run -teX img", "3=true 5=X ", 2, "cluster with an attached value");
	check("run -e A -e B -p 80:80 img", "5=A 5=B 7=80:80 ", 7, "repeated options");

	/* where parsing stops */
	check("run img -d", "", 1, "stops at the first positional");
	check("run -d img --rm -e X", "1=true ", 2, "options after the image belong to the command");
	check("run -d -- -x", "1=true ", 3, "-- ends options and is consumed");
	check("run -- --rm", "", 2, "-- before an option-looking word");
	check("run - -d", "", 1, "a lone '-' is positional");
	check("run '' -d", "", 1, "an empty word is positional");
	check("run -d", "1=true ", 2, "options only: idx == argc");
	check("run", "", 1, "no arguments");

	/* booleans */
	test_bool_values();
	check_err("run --rm=yes img", "invalid boolean value \"yes\" for --rm", "bad boolean");
	check_err("run --rm= img", "invalid boolean value \"\" for --rm", "empty boolean");

	/* errors */
	check_err("run --bogus img", "unknown flag: --bogus", "unknown long flag");
	check_err("run --bogus=1 img", "unknown flag: --bogus", "unknown long flag with =");
	check_err("run --nam x img", "unknown flag: --nam", "no abbreviations");
	check_err("run -x img", "unknown shorthand flag: 'x' in -x", "unknown short flag");
	check_err("run -dx img", "unknown shorthand flag: 'x' in -dx", "unknown short in a cluster");
	check_err("run --name", "flag needs an argument: --name", "missing long value");
	check_err("run -e", "flag needs an argument: 'e' in -e", "missing short value");
	check_err("run -ie", "flag needs an argument: 'e' in -e", "missing value after a cluster");

	test_help();
	return done_testing();
}
