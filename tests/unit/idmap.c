/* idmap.c - tests for the ID map helpers in src/lib/runtime/userns.c. */
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "lib/runtime/userns.h"
#include "lib/base/util.h"
#include "tap.h"

static bool range_is(const struct idrange *r, unsigned long inner, unsigned long outer, unsigned long count)
{
	if (r->inner == inner && r->outer == outer && r->count == count)
		return true;
	printf("# got {%lu %lu %lu}, want {%lu %lu %lu}\n", r->inner, r->outer, r->count, inner, outer,
	       count);
	return false;
}

static void test_build(void)
{
	struct idrange r[IDMAP_MAX];
	size_t n;

	{
		const unsigned long ranges[][2] = { { 100000, 65536 } };
		n = idmap_build(r, IDMAP_MAX, 1000, ranges, 1);
		is_int(n, 2, "one range: two map lines");
		ok(range_is(&r[0], 0, 1000, 1), "own id at 0");
		ok(range_is(&r[1], 1, 100000, 65536), "the range follows at 1");
	}
	{
		const unsigned long ranges[][2] = { { 100000, 1000 }, { 200000, 5000 } };
		n = idmap_build(r, IDMAP_MAX, 1000, ranges, 2);
		is_int(n, 3, "two ranges: three map lines");
		ok(range_is(&r[1], 1, 100000, 1000), "first range at 1");
		ok(range_is(&r[2], 1001, 200000, 5000), "second range packed after the first");
	}
	{
		const unsigned long ranges[][2] = { { 500, 1000 }, { 200000, 10 } };
		n = idmap_build(r, IDMAP_MAX, 1000, ranges, 2);
		is_int(n, 2, "a range holding the own id is skipped");
		ok(range_is(&r[0], 0, 1000, 1) && range_is(&r[1], 1, 200000, 10),
		   "only the own id and the other range");
	}
	{
		const unsigned long ranges[][2] = { { 1, 10 }, { 100, 10 }, { 200, 10 } };
		n = idmap_build(r, 2, 5000, ranges, 3);
		is_int(n, 2, "max bounds the number of lines");
		is_int(idmap_build(r, 0, 5000, ranges, 3), 0, "max 0 gives nothing");
		n = idmap_build(r, IDMAP_MAX, 5000, ranges, 0);
		ok(n == 1 && range_is(&r[0], 0, 5000, 1), "no ranges: only the own id");
	}
	{
		const unsigned long ranges[][2] = { { 100000, 0xffffffffUL }, { 300000, 10 } };
		n = idmap_build(r, IDMAP_MAX, 1000, ranges, 2);
		is_int(n, 2, "an oversized range uses up the id space");
		ok(range_is(&r[1], 1, 100000, 0xfffffffeUL), "it is clamped below 2^32-1");
	}
}

static void test_text_argv(void)
{
	const struct idrange r[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
	_cleanup_strv_ char **argv = idmap_helper_argv("/usr/bin/newuidmap", 4242, r, 2);
	_cleanup_strv_ char **argv0 = idmap_helper_argv("newgidmap", 7, r, 0);
	_cleanup_free_ char *text = idmap_text(r, 2);
	_cleanup_free_ char *empty = idmap_text(r, 0);
	static const char *const want[] = {
		"/usr/bin/newuidmap", "4242", "0", "1000", "1", "1", "100000", "65536"
	};

	is_int(strv_len(argv), 8, "helper argv: prog, pid and three words a range");
	for (size_t i = 0; i < sizeof want / sizeof want[0] && i < strv_len(argv); i++)
		is_str(argv[i], want[i], "helper argv[%zu]", i);
	ok(argv[8] == NULL, "helper argv is NULL-terminated");
	ok(strv_len(argv0) == 2 && strcmp(argv0[1], "7") == 0, "no ranges: prog and pid only");
	is_str(text, "0 1000 1\n1 100000 65536\n", "uid_map text");
	is_str(empty, "", "empty map text");
}

static void test_to_host(void)
{
	const struct idrange r[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
	const unsigned long none = (unsigned long)-1;

	is_int(idmap_to_host(r, 2, 0), 1000, "0 maps to the own id");
	is_int(idmap_to_host(r, 2, 1), 100000, "1 maps to the range start");
	is_int(idmap_to_host(r, 2, 1000), 100999, "1000 maps into the range");
	is_int(idmap_to_host(r, 2, 65536), 165535, "65536 is the last mapped id");
	ok(idmap_to_host(r, 2, 65537) == none, "65537 is unmapped");
	ok(idmap_to_host(r, 2, 0xffffffffUL) == none, "2^32-1 is unmapped");
	ok(idmap_to_host(r, 0, 0) == none, "an empty map maps nothing");
	ok(idmap_to_host(r, 1, 1) == none, "only the ranges given count");
}

static void test_subid(void)
{
	unsigned long out[IDMAP_MAX][2];
	int n;

	if (!getpwnam("burrowtest")) {
		skip("no user burrowtest here");
		return;
	}
	n = userns_subid_ranges("burrowtest", false, out, IDMAP_MAX);
	is_int(n, 1, "burrowtest has one subordinate uid range");
	if (n >= 1)
		ok(out[0][0] == 100000 && out[0][1] == 65536, "uid range 100000 65536 (got %lu %lu)",
		   out[0][0], out[0][1]);
	n = userns_subid_ranges("burrowtest", true, out, IDMAP_MAX);
	is_int(n, 1, "burrowtest has one subordinate gid range");
	if (n >= 1)
		ok(out[0][0] == 100000 && out[0][1] == 65536, "gid range 100000 65536 (got %lu %lu)",
		   out[0][0], out[0][1]);
	n = userns_subid_ranges("burrowtest", false, out, 0);
	is_int(n, 0, "max 0 returns no ranges");
	n = userns_subid_ranges("no-such-user-burrow", false, out, IDMAP_MAX);
	ok(n <= 0, "an unknown user has no ranges (got %d)", n);
}

/* newuidmap missing, or present but not setuid: each names the fix */
static void test_find_helper(void)
{
	char tmpl[] = "/tmp/burrow-idmap-XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *got;
	const char *dirs[] = { dir, NULL };
	struct err e = ERR_INIT;
	FILE *f;

	if (!dir) {
		ok(0, "mkdtemp");
		return;
	}
	got = userns_find_helper_in(dirs, "newuidmap", &e);
	ok(got == NULL, "a missing newuidmap is an error");
	ok(e.msg && strstr(e.msg, "newuidmap not found") && strstr(e.msg, "apt-get install uidmap"),
	   "which says how to install it (%s)", e.msg ? e.msg : "");
	err_clear(&e);

	path = xasprintf("%s/newuidmap", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	chmod(path, 0755);
	got = userns_find_helper_in(dirs, "newuidmap", &e);
	ok(got == NULL, "a newuidmap that is not setuid is an error");
	ok(e.msg && strstr(e.msg, "chmod u+s"), "which says how to fix it (%s)", e.msg ? e.msg : "");
	err_clear(&e);
	unlink(path);
	free(path);
	rmdir(dir);

	{
		const char *sys[] = { "/usr/bin", NULL };
		got = userns_find_helper_in(sys, "newuidmap", &e);
		if (access("/usr/bin/newuidmap", X_OK) == 0)
			is_str(got, "/usr/bin/newuidmap", "the system's setuid newuidmap is found");
		else
			skip("no /usr/bin/newuidmap");
		free(got);
		err_clear(&e);
	}
}

int main(void)
{
	test_find_helper();
	test_build();
	test_text_argv();
	test_to_host();
	test_subid();
	return done_testing();
}
