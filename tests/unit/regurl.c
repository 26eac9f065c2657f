/* regurl.c - where registry credentials may go: origins, Location
 * resolution and the plain-HTTP rule for token realms and upload URLs */
#include <stdlib.h>
#include <string.h>

#include "lib/store/registry.h"
#include "tap.h"

static void origin(const char *url, const char *want)
{
	char *o = registry_url_origin(url);
	if (want)
		is_str(o, want, "origin of %s", url);
	else
		ok(o == NULL, "no origin for %s", url);
	free(o);
}

static void resolve(const char *req, const char *loc, const char *want)
{
	char *u = registry_resolve(req, loc);
	is_str(u, want, "Location %s after %s", loc, req);
	free(u);
}

int main(void)
{
	struct registry r = { .name = (char *)"reg.example", .tls_verify = true };
	struct err e = ERR_INIT;

	origin("https://Reg.Example/v2/", "https://reg.example:443");
	origin("https://reg.example:443/v2/x", "https://reg.example:443");
	origin("http://127.0.0.1:5000/v2/?x", "http://127.0.0.1:5000");
	origin("HTTP://127.0.0.1", "http://127.0.0.1:80");
	origin("https://[::1]/v2/", "https://[::1]:443");
	origin("https://[::1]:5000/v2/", "https://[::1]:5000");
	origin("https://user:pw@evil.example/v2/", NULL);
	origin("ftp://reg.example/", NULL);
	origin("/v2/x", NULL);

	ok(registry_same_origin("https://reg.example/v2/", "https://reg.example:443/token"),
	   "same origin: default port written or not");
	ok(!registry_same_origin("http://127.0.0.1:5000/v2/", "http://127.0.0.1:5001/v2/"),
	   "another port is another origin");
	ok(!registry_same_origin("https://reg.example/v2/", "http://reg.example:443/v2/"),
	   "another scheme is another origin");
	ok(!registry_same_origin("https://reg.example/", "https://reg.example.evil.com/"),
	   "a longer host is another origin");
	ok(!registry_same_origin("https://reg.example/", NULL), "no origin matches nothing");

	resolve("http://127.0.0.1:5000/v2/a/b/blobs/uploads/", "/v2/a/b/blobs/uploads/u1",
		"http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1");
	resolve("http://127.0.0.1:5000/v2/a/b/blobs/uploads/", "u1",
		"http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1");
	resolve("http://127.0.0.1:5000/v2/a/b/blobs/uploads/?mount=x", "u1?state=1",
		"http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?state=1");
	resolve("https://reg.example", "u1", "https://reg.example/u1");
	resolve("https://reg.example/v2/x/blobs/uploads/", "https://up.example/u1", "https://up.example/u1");
	resolve("https://reg.example/v2/x/blobs/uploads/", "//up.example/u1", "https://up.example/u1");

	ok(registry_check_url(&r, "token realm", "https://auth.example/token", &e) == 0,
	   "an https realm is taken");
	ok(registry_check_url(&r, "token realm", "http://auth.example/token", &e) < 0,
	   "a plain-HTTP realm is refused with TLS verification on");
	ok(e.msg && strstr(e.msg, "plain-HTTP"), "  and says why");
	err_clear(&e);
	ok(registry_check_url(&r, "upload location", "http://reg.example/v2/x/blobs/uploads/u1", &e) < 0,
	   "a plain-HTTP upload Location is refused with TLS verification on");
	err_clear(&e);
	ok(registry_check_url(&r, "upload location", "https://a:b@reg.example/u1", &e) < 0,
	   "a Location with user:password is refused");
	err_clear(&e);
	r.tls_verify = false;
	ok(registry_check_url(&r, "token realm", "http://auth.example/token", &e) == 0,
	   "with --tls-verify=false plain HTTP is taken");

	/* which registries go without verified TLS (insecure-registries, and
	 * loopback for the service) */
	{
		char *list[] = { (char *)"reg.lan", (char *)"other.lan:5000", (char *)"10.1.0.0/16",
				 (char *)"http://plain.lan", NULL };
		ok(registry_insecure("127.0.0.1:5000", NULL, true),
		   "loopback 127.0.0.1:5000, for the service");
		ok(registry_insecure("127.3.2.1", NULL, true), "  anywhere in 127.0.0.0/8");
		ok(registry_insecure("localhost:5000", NULL, true), "  localhost:5000");
		ok(registry_insecure("[::1]:5000", NULL, true), "  [::1]:5000");
		ok(!registry_insecure("127.0.0.1:5000", NULL, false), "  not for the CLI");
		ok(!registry_insecure("128.0.0.1:5000", NULL, true), "128.0.0.1 is not loopback");
		ok(!registry_insecure("localhost.evil.example", NULL, true), "nor is localhost.evil.example");
		ok(!registry_insecure("docker.io", list, true), "docker.io is not in the list");
		ok(registry_insecure("reg.lan:443", list, false), "a host entry takes any port");
		ok(registry_insecure("other.lan:5000", list, false), "a host:port entry, that port");
		ok(!registry_insecure("other.lan:5001", list, false), "  not another");
		ok(registry_insecure("10.1.200.3:5000", list, false), "an IPv4 range");
		ok(!registry_insecure("10.2.0.1", list, false), "  and not outside it");
		ok(registry_insecure("plain.lan", list, false), "an entry with a scheme");
	}
	return done_testing();
}
