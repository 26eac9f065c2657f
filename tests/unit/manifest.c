/* manifest.c - manifest/index parsing and platform selection, auth
 * challenges, base64 */
#include <stdlib.h>
#include <string.h>

#include "lib/store/auth.h"
#include "lib/store/manifest.h"
#include "lib/store/registry.h"
#include "lib/base/util.h"
#include "tap.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char oci_man[] = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
			      "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
			      "\",\"size\":10},\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZ
			      "\",\"digest\":\"" D2 "\",\"size\":20},{\"mediaType\":\"" MT_OCI_LAYER_ZSTD
			      "\",\"digest\":\"" D3 "\",\"size\":30}]}\n";

static const char index_doc[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D1
	"\",\"size\":1,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D2
	"\",\"size\":1,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D3
	"\",\"size\":1,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}},"
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D3
	"\",\"size\":1,\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

static void bad(const char *doc, const char *ctype, const char *why)
{
	struct err e = ERR_INIT;
	struct manifest m;
	int rc = manifest_parse(doc, strlen(doc), ctype, &m, &e);

	ok(rc < 0 && e.msg && strstr(e.msg, why) && !strchr(e.msg, '\n'), "reject (%s): %s", why,
	   e.msg ? e.msg : "(accepted)");
	if (rc == 0)
		manifest_free(&m);
	err_clear(&e);
}

static void pick(const struct manifest *idx, const char *plat, const char *want)
{
	struct err e = ERR_INIT;
	struct platform p;
	const struct descriptor *d = NULL;

	if (platform_parse(plat, &p, &e) < 0 || manifest_select(idx, &p, &d, &e) < 0) {
		ok(want == NULL, "select %s fails: %s", plat, e.msg);
		if (want == NULL)
			ok(strstr(e.msg, "linux/amd64, linux/arm64/v8, linux/arm/v7") != NULL,
			   "  the error lists the platforms the index offers");
		err_clear(&e);
		return;
	}
	is_str(d->digest, want, "select %s", plat);
}

int main(void)
{
	struct err e = ERR_INIT;
	struct manifest m;
	struct challenge c;
	struct platform p;

	ok(manifest_parse(oci_man, strlen(oci_man), NULL, &m, &e) == 0, "parse an OCI manifest");
	is_int(m.kind, MANIFEST_IMAGE, "  an image manifest");
	is_int(m.nlayers, 2, "  two layers");
	is_str(m.layers[1].digest, D3, "  layer digests bottom first");
	is_int(m.layers[1].size, 30, "  and sizes");
	is_str(m.config.digest, D1, "  the config");
	manifest_free(&m);

	ok(manifest_parse(index_doc, strlen(index_doc), NULL, &m, &e) == 0, "parse a manifest list");
	is_int(m.kind, MANIFEST_INDEX, "  an index");
	pick(&m, "linux/amd64", D1);
	pick(&m, "amd64", D1);
	pick(&m, "linux/arm64", D2);
	pick(&m, "linux/arm64/v8", D2);
	pick(&m, "linux/arm/v7", D3);
	pick(&m, "linux/s390x", NULL);
	manifest_free(&m);

	ok(platform_parse("linux/arm64/v8/x", &p, &e) < 0, "platform with four parts is refused");
	err_clear(&e);
	ok(platform_parse("Linux/AMD64", &p, &e) < 0, "uppercase platform is refused");
	err_clear(&e);

	bad("{not json", NULL, "malformed manifest");
	bad("{\"schemaVersion\":2} {}", NULL, "malformed manifest");
	bad("{\"schemaVersion\":2}x", NULL, "malformed manifest");
	{
		/* a NUL byte inside the document, and what follows it */
		static const char nul[] = "{\"schemaVersion\":2}\0{\"a\":1}";
		struct err ne = ERR_INIT;
		struct manifest nm;
		int nrc = manifest_parse(nul, sizeof nul - 1, NULL, &nm, &ne);
		ok(nrc < 0 && ne.msg && strstr(ne.msg, "NUL"), "reject a NUL byte inside: %s",
		   ne.msg ? ne.msg : "(accepted)");
		err_clear(&ne);
	}
	{
		struct err we = ERR_INIT;
		struct manifest wm;
		static const char ws[] =
			"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
			"\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
			"\",\"size\":2},\"layers\":[]} \n\t";
		int wrc = manifest_parse(ws, strlen(ws), NULL, &wm, &we);
		ok(wrc == 0, "trailing white space is fine: %s", we.msg ? we.msg : "ok");
		if (wrc == 0)
			manifest_free(&wm);
		err_clear(&we);
	}
	bad("[]", NULL, "not a JSON object");
	bad("{\"schemaVersion\":1}", NULL, "schema version");
	bad("{\"schemaVersion\":2,\"mediaType\":\"application/x-foo\"}", NULL,
	    "unsupported manifest media type");
	bad("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
	    "\",\"config\":{\"mediaType\":\"application/x-helm\",\"digest\":\"" D1
	    "\",\"size\":1},\"layers\":[]}",
	    NULL, "unsupported config media type");
	bad("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
	    "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG
	    "\",\"digest\":\"sha256:12\",\"size\":1},\"layers\":[]}",
	    NULL, "valid sha256 digest");
	bad("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
	    "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
	    "\",\"size\":-1},\"layers\":[]}",
	    NULL, "valid size");
	bad("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST
	    "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
	    "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/x-rar\",\"digest\":\"" D2
	    "\",\"size\":1}]}",
	    NULL, "unsupported layer media type");
	{
		size_t n = MANIFEST_MAX + 10;
		char *big = xmalloc(n + 1);
		memset(big, ' ', n);
		big[n] = '\0';
		bad(big, NULL, "too large");
		free(big);
	}
	/* no mediaType: the Content-Type, else the shape */
	{
		const char *doc = "{\"schemaVersion\":2,\"manifests\":[]}";
		ok(manifest_parse(doc, strlen(doc), "application/json", &m, &e) == 0 &&
			   m.kind == MANIFEST_INDEX,
		   "an OCI index without mediaType is told by its shape");
		manifest_free(&m);
	}

	{
		struct image_cfg_info ci;
		const char *cfg =
			"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1
			"\",\"" D2 "\"]}}";
		ok(config_parse_info(cfg, strlen(cfg), &ci, &e) == 0 && strv_len(ci.diff_ids) == 2,
		   "config diff ids");
		config_info_free(&ci);
		cfg = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:x\"]}}";
		ok(config_parse_info(cfg, strlen(cfg), &ci, &e) < 0,
		   "a config with a bad diff id is refused");
		err_clear(&e);
	}

	ok(challenge_parse(
		   "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/debian:pull\"",
		   &c) == 0,
	   "parse a Bearer challenge");
	is_str(c.scheme, "Bearer", "  scheme");
	is_str(c.realm, "https://auth.docker.io/token", "  realm");
	is_str(c.service, "registry.docker.io", "  service");
	is_str(c.scope, "repository:library/debian:pull", "  scope");
	challenge_free(&c);
	ok(challenge_parse("Basic realm=\"x\\\"y\"", &c) == 0 && strcmp(c.scheme, "Basic") == 0 &&
		   strcmp(c.realm, "x\"y") == 0,
	   "parse a Basic challenge with an escaped quote");
	challenge_free(&c);

	{
		char *enc = base64_encode("tester:s3cret", 13), *dec;
		size_t n;
		is_str(enc, "dGVzdGVyOnMzY3JldA==", "base64 encode");
		dec = base64_decode(enc, &n);
		is_str(dec, "tester:s3cret", "base64 decode");
		free(enc);
		free(dec);
		ok(base64_decode("a*b", &n) == NULL, "base64 rejects bad input");
	}
	return done_testing();
}
