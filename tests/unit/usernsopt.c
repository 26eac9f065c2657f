/* usernsopt.c - tests for --userns, --uidmap and --gidmap (src/lib/record/usernsopt.c)
 * and the composed map of userns.c. */
#include <stdio.h>
#include <string.h>

#include "lib/record/usernsopt.h"
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

/* parse and resolve against 65537 intermediate IDs, the user 1000:1000 */
static int parse(const char *userns, char **u, char **g, struct userns_opts *o, struct err *e)
{
	if (userns_opts_parse(userns, u, g, o, e) < 0)
		return -1;
	return userns_opts_resolve(o, 65537, 65537, 1000, 1000, e);
}

static void test_modes(void)
{
	struct userns_opts o;
	struct err e = ERR_INIT;

	ok(parse(NULL, NULL, NULL, &o, &e) == 0 && o.mode == USERNS_HOST && !userns_opts_nested(&o),
	   "no flag: the default, no namespace of its own");
	ok(parse("host", NULL, NULL, &o, &e) == 0 && !userns_opts_nested(&o), "host: the default");
	ok(parse("", NULL, NULL, &o, &e) == 0 && !userns_opts_nested(&o), "\"\": the default");

	ok(parse("keep-id", NULL, NULL, &o, &e) == 0 && o.mode == USERNS_KEEPID, "keep-id");
	is_int(o.nuids, 3, "keep-id: three ranges");
	ok(range_is(&o.uids[0], 0, 1, 1000), "0..U-1 -> 1..U");
	ok(range_is(&o.uids[1], 1000, 0, 1), "U -> the user");
	ok(range_is(&o.uids[2], 1001, 1001, 64536), "U+1.. -> U+1..");
	ok(o.uid == 1000 && o.gid == 1000, "the user's own IDs");

	ok(parse("keep-id:uid=0,gid=5", NULL, NULL, &o, &e) == 0, "keep-id:uid=0,gid=5");
	ok(o.nuids == 2 && range_is(&o.uids[0], 0, 0, 1) && range_is(&o.uids[1], 1, 1, 65536),
	   "uid=0: the user is root, the rest as it is");
	ok(o.ngids == 3 && range_is(&o.gids[1], 5, 0, 1), "gid=5");

	ok(parse("nomap", NULL, NULL, &o, &e) == 0 && o.nuids == 1 && range_is(&o.uids[0], 0, 1, 65536),
	   "nomap: the subordinate range only");
	for (size_t i = 0; i < o.nuids; i++)
		ok(idrange_map(o.uids, o.nuids, i, true) != 0, "nomap never maps the user");

	/* the single-ID map */
	ok(userns_opts_parse("keep-id", NULL, NULL, &o, &e) == 0 &&
		   userns_opts_resolve(&o, 1, 1, 1000, 1000, &e) == 0 && o.nuids == 1 &&
		   range_is(&o.uids[0], 1000, 0, 1),
	   "keep-id with the single-ID map: the user only");
	ok(userns_opts_parse("nomap", NULL, NULL, &o, &e) == 0 &&
		   userns_opts_resolve(&o, 1, 1, 1000, 1000, &e) < 0,
	   "nomap without a range fails");
	ok(e.msg && strstr(e.msg, "subordinate"), "and says why: %s", e.msg);
	err_clear(&e);
}

static void test_maps(void)
{
	struct userns_opts o;
	struct err e = ERR_INIT;
	char *u1[] = { "0:1:1000", "1000:0:1", NULL };
	char *g1[] = { "0:1:10", NULL };

	ok(parse(NULL, u1, NULL, &o, &e) == 0 && o.mode == USERNS_MAPS && o.nuids == 2, "--uidmap twice");
	ok(o.ngids == 2 && range_is(&o.gids[1], 1000, 0, 1), "no --gidmap: the uid map");
	ok(parse(NULL, NULL, g1, &o, &e) == 0 && o.nuids == 1 && range_is(&o.uids[0], 0, 1, 10),
	   "no --uidmap: the gid map");
	ok(parse(NULL, u1, g1, &o, &e) == 0 && o.nuids == 2 && o.ngids == 1, "both given");

	{
		static const char *const bad[] = { "0:1",    "a:b:c",   "0:1:0",  "0:1:-1",        ":1:1",
						   "0:1:1:", "0:1:1:1", " 0:1:1", "0:4294967295:1" };
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			char *v[] = { (char *)bad[i], NULL };
			ok(parse(NULL, v, NULL, &o, &e) < 0 && e.msg && strstr(e.msg, "malformed"),
			   "malformed \"%s\": %s", bad[i], e.msg ? e.msg : "(accepted)");
			err_clear(&e);
		}
	}
	{
		char *v[] = { "0:1:10", "5:100:10", NULL };
		ok(parse(NULL, v, NULL, &o, &e) < 0 && strstr(e.msg, "overlap"), "overlapping container IDs");
		err_clear(&e);
	}
	{
		char *v[] = { "0:1:10", "100:5:10", NULL };
		ok(parse(NULL, v, NULL, &o, &e) < 0 && strstr(e.msg, "overlap"),
		   "overlapping intermediate IDs");
		err_clear(&e);
	}
	{
		char *v[] = { "0:65530:10", NULL };
		ok(parse(NULL, v, NULL, &o, &e) < 0 && strstr(e.msg, "not available"),
		   "a range past burrow's IDs: %s", e.msg);
		err_clear(&e);
	}
	{
		char *v[] = { "0:65527:10", NULL };
		ok(parse(NULL, v, NULL, &o, &e) == 0, "a range ending at the last ID");
	}
	ok(userns_opts_parse("keep-id", u1, NULL, &o, &e) < 0 && strstr(e.msg, "mutually exclusive"),
	   "--userns with --uidmap: %s", e.msg);
	err_clear(&e);
	ok(userns_opts_parse("host", NULL, g1, &o, &e) < 0, "any --userns with --gidmap");
	err_clear(&e);
	ok(userns_opts_parse("bogus", NULL, NULL, &o, &e) < 0 &&
		   strcmp(e.msg, "unrecognized namespace mode bogus passed") == 0,
	   "unknown mode: podman's message");
	err_clear(&e);
	ok(userns_opts_parse("keep-id:foo=1", NULL, NULL, &o, &e) < 0 && strstr(e.msg, "unknown option"),
	   "keep-id: unknown option");
	err_clear(&e);
	ok(userns_opts_parse("keep-id:uid=x", NULL, NULL, &o, &e) < 0, "keep-id: uid=x");
	err_clear(&e);
	ok(userns_opts_parse("keep-id:uid", NULL, NULL, &o, &e) < 0, "keep-id: uid without a value");
	err_clear(&e);
}

static void test_json(void)
{
	struct userns_opts o, back;
	struct err e = ERR_INIT;
	json_object *j;

	parse("keep-id:uid=7", NULL, NULL, &o, &e);
	j = userns_opts_to_json(&o);
	ok(userns_opts_from_json(j, &back, &e) == 0, "the record reads back");
	ok(o.mode == back.mode && o.uid == back.uid && o.gid == back.gid && o.has_uid == back.has_uid &&
		   o.has_gid == back.has_gid && o.nuids == back.nuids && o.ngids == back.ngids &&
		   memcmp(o.uids, back.uids, sizeof o.uids) == 0 &&
		   memcmp(o.gids, back.gids, sizeof o.gids) == 0,
	   "the same options");
	json_object_put(j);
	ok(userns_opts_from_json(NULL, &back, &e) == 0 && back.mode == USERNS_HOST && !back.nuids,
	   "no entry: the default");
	j = json_tokener_parse("{\"mode\":\"nomap\",\"uidmap\":[[0,1]]}");
	ok(userns_opts_from_json(j, &back, &e) < 0, "a broken range fails");
	err_clear(&e);
	json_object_put(j);
}

static void test_compose(void)
{
	struct idmap m, c;
	struct userns_opts o;
	struct err e = ERR_INIT;

	memset(&m, 0, sizeof m);
	m.uid = m.gid = 1000;
	m.user = "u";
	m.uids[0] = m.gids[0] = (struct idrange){ 0, 1000, 1 };
	m.uids[1] = m.gids[1] = (struct idrange){ 1, 100000, 65536 };
	m.nuids = m.ngids = 2;

	parse("keep-id", NULL, NULL, &o, &e);
	ok(userns_compose(&m, &o, &c, &e) == 0, "compose keep-id");
	ok(c.nuids == 3 && range_is(&c.uids[0], 0, 100000, 1000) && range_is(&c.uids[1], 1000, 1000, 1) &&
		   range_is(&c.uids[2], 1001, 101000, 64536),
	   "the container's IDs straight to the host's");
	idmap_free(&c);

	parse("nomap", NULL, NULL, &o, &e);
	ok(userns_compose(&m, &o, &c, &e) == 0, "compose nomap");
	ok(c.nuids == 2 && range_is(&c.uids[0], 0, 100000, 65536) && range_is(&c.uids[1], 65536, 1000, 1),
	   "the user, left out, comes after the container's IDs");
	idmap_free(&c);
}

int main(void)
{
	test_modes();
	test_maps();
	test_json();
	test_compose();
	return done_testing();
}
