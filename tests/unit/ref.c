/* ref.c - image reference parsing, normalization, lookup candidates, digests */
#include <stdlib.h>
#include <string.h>

#include "lib/store/digest.h"
#include "lib/store/ref.h"
#include "lib/base/util.h"
#include "tap.h"

static void norm(const char *in, const char *want)
{
	struct err e = ERR_INIT;
	char *got = ref_normalize_new(in, &e);
	is_str(got, want, "normalize %s", in);
	if (!got)
		printf("# error: %s\n", e.msg);
	free(got);
	err_clear(&e);
}

static void bad(const char *in, const char *why)
{
	struct err e = ERR_INIT;
	struct ref r;
	int rc = ref_parse(in, &r, &e);

	ok(rc < 0, "reject \"%s\"", in);
	if (rc < 0) {
		ok(e.msg && strstr(e.msg, why) && !strchr(e.msg, '\n'),
		   "  one-line error naming the problem: %s", e.msg ? e.msg : "(none)");
	} else {
		ref_free(&r);
		ok(0, "  error message");
	}
	err_clear(&e);
}

static void parts(const char *in, const char *domain, const char *path, const char *tag, const char *digest)
{
	struct err e = ERR_INIT;
	struct ref r;

	if (!ok(ref_parse(in, &r, &e) == 0, "parse %s", in)) {
		printf("# error: %s\n", e.msg);
		err_clear(&e);
		return;
	}
	is_str(r.domain, domain, "  domain");
	is_str(r.path, path, "  path");
	is_str(r.tag, tag, "  tag");
	is_str(r.digest, digest, "  digest");
	ref_free(&r);
}

static void cands(const char *in, const char *c1, const char *c2)
{
	struct err e = ERR_INIT;
	char **v = NULL;

	if (!ok(ref_candidates(in, &v, &e) == 0, "candidates for %s", in)) {
		err_clear(&e);
		return;
	}
	is_str(v[0], c1, "  first");
	is_str(v[1], c2, "  second");
	strv_free(v);
}

int main(void)
{
	const char *dg = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *s;
	char chain[72], hex[65];

	parts("busybox", NULL, "busybox", NULL, NULL);
	parts("local/busybox:1", NULL, "local/busybox", "1", NULL);
	parts("localhost/x", "localhost", "x", NULL, NULL);
	parts("localhost:5000/a/b:v1.2-rc_3", "localhost:5000", "a/b", "v1.2-rc_3", NULL);
	parts("quay.io/podman/hello@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	      "quay.io", "podman/hello", NULL, dg);
	parts("Registry/foo", "Registry", "foo", NULL, NULL);
	parts("x/a__b.c---d_e", NULL, "x/a__b.c---d_e", NULL, NULL);

	norm("busybox", "localhost/busybox:latest");
	norm("local/busybox:1", "localhost/local/busybox:1");
	norm("docker.io/busybox", "docker.io/library/busybox:latest");
	norm("index.docker.io/foo/bar:2", "docker.io/foo/bar:2");
	norm("example.com:5000/x/y:z", "example.com:5000/x/y:z");
	{
		/* 250 characters are a name, localhost/ + 250 are not */
		char longname[251];
		struct err e = ERR_INIT;
		char *n;

		memset(longname, 'a', 250);
		longname[250] = '\0';
		n = ref_normalize_new(longname, &e);
		ok(!n && e.msg && strstr(e.msg, "longer than 255"),
		   "a name too long once normalized is refused: %s", e.msg ? e.msg : "(accepted)");
		free(n);
		err_clear(&e);
	}

	bad("", "empty");
	bad("Foo", "lowercase");
	bad("local/Busybox", "lowercase");
	bad("x:-bad", "invalid tag");
	bad("x:", "empty tag");
	bad("x:a/b", ""); /* tag with a slash parses as a path */
	bad("-x", "start and end");
	bad("x-", "start and end");
	bad("a..b", "start and end");
	bad("a___b", "start and end");
	bad("a//b", "empty path component");
	bad("x@sha256:abc", "invalid digest");
	bad("x@md5:abc", "unsupported digest");
	bad("has space", "space");
	bad("a/b:c:d", "invalid character");
	bad("-bad.example.com/x", "invalid registry domain");
	s = xasprintf("x:%0129d", 0);
	bad(s, "invalid tag");
	free(s);
	s = xasprintf("%0256d", 0);
	bad(s, "longer than 255");
	free(s);
	{
		struct err e = ERR_INIT;
		char *n = ref_normalize_new(
			"x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &e);
		ok(n == NULL && e.msg && strstr(e.msg, "digest"), "a digest cannot name a new image");
		free(n);
		err_clear(&e);
	}

	cands("busybox", "localhost/busybox:latest", "docker.io/library/busybox:latest");
	cands("local/busybox:1", "localhost/local/busybox:1", "docker.io/local/busybox:1");
	{
		struct err e = ERR_INIT;
		char **v = NULL;
		ref_candidates("localhost/x:2", &v, &e);
		is_int(strv_len(v), 1, "a qualified name has one candidate");
		is_str(v ? v[0] : NULL, "localhost/x:2", "  itself");
		strv_free(v);
		ref_candidates("docker.io/busybox", &v, &e);
		is_str(v ? v[0] : NULL, "docker.io/library/busybox:latest", "docker.io gets library/");
		strv_free(v);
	}

	ok(digest_valid(dg), "digest_valid accepts sha256:64hex");
	ok(!digest_valid("sha256:0123"), "digest_valid rejects short hex");
	ok(!digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	   "digest_valid rejects uppercase hex");
	ok(!digest_valid("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	   "digest_valid rejects other algorithms");
	ok(tag_valid("_a.B-1") && !tag_valid(".a") && !tag_valid(""), "tag_valid");

	{
		char *repo, *tag;
		ref_split_repo_tag("localhost:5000/a/b:1", &repo, &tag);
		is_str(repo, "localhost:5000/a/b", "split repo");
		is_str(tag, "1", "split tag");
		free(repo);
		free(tag);
	}

	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
	chain_id_next(NULL, dg, chain);
	is_str(chain, dg, "chain id of the bottom layer is its diff id");
	chain_id_next(dg, dg, chain);
	{
		char *in = xasprintf("%s %s", dg, dg), want[72];
		sha256_hex(in, strlen(in), hex);
		snprintf(want, sizeof want, "sha256:%s", hex);
		is_str(chain, want, "chain id = sha256(parent + \" \" + diff_id)");
		free(in);
	}
	return done_testing();
}
