/* netspec.c - tests for the typed network part of a container record
 * (src/lib/record/netspec.c): the JSON round trip of the published ports and
 * the network options, alone and through config.json, and hostile record
 * JSON refused with an error. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lib/record/container.h"
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"
#include "lib/base/util.h"
#include "tap.h"

static json_object *parse(const char *text)
{
	json_object *j = json_tokener_parse(text);

	if (!j)
		diag(text);
	return j;
}

/* member by member: memcmp would also compare the padding */
static bool ports_equal(const struct port_spec *a, const struct port_spec *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].host_ip, b[i].host_ip) != 0 || a[i].host_port != b[i].host_port ||
		    a[i].container_port != b[i].container_port || a[i].count != b[i].count ||
		    a[i].udp != b[i].udp)
			return false;
	return true;
}

static bool opts_equal(const struct net_opts *a, const struct net_opts *b)
{
	return a->mtu == b->mtu && strcmp(a->cidr, b->cidr) == 0 &&
	       a->allow_host_loopback == b->allow_host_loopback && a->enable_ipv6 == b->enable_ipv6 &&
	       a->handler == b->handler;
}

static void ports_round_trip(void)
{
	static const char *const specs[] = {
		"8080:80/tcp",         "127.0.0.1:5353:53/udp", "[::1]:9000-9002:90-92/tcp",
		"0.0.0.0:1:65535/udp", "[fe80::1]:65535:1/tcp",
	};
	struct port_spec v[5], *back = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	json_object *j, *again;

	for (size_t i = 0; i < 5; i++)
		ok(port_spec_parse(specs[i], &v[i], &e) == 0, "parse %s", specs[i]);
	j = port_specs_to_json(v, 5);
	ok(port_specs_from_json(j, &back, &n, &e) == 0, "ports read back");
	is_int(n, 5, "five ports");
	ok(back && n == 5 && ports_equal(back, v, 5), "identical after the round trip");
	for (size_t i = 0; back && i < n && i < 5; i++) {
		_cleanup_free_ char *f = port_spec_format(&back[i]);
		ok(f && strcmp(f, specs[i]) == 0, "formats back to %s", specs[i]);
	}
	again = port_specs_to_json(back, n);
	is_str(json_object_to_json_string(again), json_object_to_json_string(j), "the JSON is stable");
	json_object *first = json_object_array_get_idx(j, 1);
	json_object *x;
	ok(json_object_object_get_ex(first, "host_ip", &x) &&
		   strcmp(json_object_get_string(x), "127.0.0.1") == 0 &&
		   json_object_object_get_ex(first, "protocol", &x) &&
		   strcmp(json_object_get_string(x), "udp") == 0 &&
		   json_object_object_get_ex(first, "host_port", &x) && json_object_get_int(x) == 5353,
	   "objects with fields, not -p strings");
	json_object_put(again);
	json_object_put(j);
	free(back);

	j = port_specs_to_json(NULL, 0);
	ok(port_specs_from_json(j, &back, &n, &e) == 0 && n == 0 && back == NULL, "no ports");
	json_object_put(j);
	err_clear(&e);
}

static void opts_round_trip(void)
{
	struct net_opts o, back;
	struct err e = ERR_INIT;
	json_object *j;

	net_opts_init(&o);
	ok(net_opts_parse("mtu=1500,cidr=10.9.0.0/16,allow_host_loopback=true,enable_ipv6=1,"
			  "port_handler=slirp4netns",
			  &o, &e) == 0,
	   "options parse");
	j = net_opts_to_json(&o);
	ok(net_opts_from_json(j, &back, &e) == 0, "options read back");
	ok(opts_equal(&o, &back), "identical after the round trip");
	is_str(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	       "{\"mtu\":1500,\"cidr\":\"10.9.0.0/16\",\"allow_host_loopback\":true,"
	       "\"enable_ipv6\":true,\"port_handler\":\"slirp\"}",
	       "the JSON form");
	json_object_put(j);

	net_opts_init(&o);
	ok(net_opts_parse("port_handler=direct,allow_host_loopback=true", &o, &e) == 0 &&
		   o.handler == PORT_HANDLER_DIRECT,
	   "port_handler=direct with allow_host_loopback");
	j = net_opts_to_json(&o);
	ok(net_opts_from_json(j, &back, &e) == 0 && opts_equal(&o, &back), "direct: read back");
	json_object_put(j);
	net_opts_init(&o);
	ok(net_opts_parse("port_handler=direct", &o, &e) < 0 && e.msg && strstr(e.msg, "allow_host_loopback"),
	   "port_handler=direct alone is refused");
	err_clear(&e);

	j = parse("{}");
	net_opts_init(&o);
	ok(net_opts_from_json(j, &back, &e) == 0 && opts_equal(&o, &back),
	   "an empty object means the defaults");
	json_object_put(j);
	err_clear(&e);
}

static void bad_ports(void)
{
	static const struct {
		const char *json, *msg, *name;
	} bad[] = {
		{ "{}", "expected an array", "not an array" },
		{ "\"8080:80\"", "expected an array", "a string for the list" },
		{ "[1]", "expected an object", "a number for a port" },
		{ "[[]]", "expected an object", "an array for a port" },
		{ "[null]", "expected an object", "null for a port" },
		{ "[{\"host_port\":\"80\",\"container_port\":80,\"protocol\":\"tcp\"}]", "integer",
		  "a string host_port" },
		{ "[{\"host_port\":80.5,\"container_port\":80,\"protocol\":\"tcp\"}]", "integer",
		  "a fractional host_port" },
		{ "[{\"host_port\":true,\"container_port\":80,\"protocol\":\"tcp\"}]", "integer",
		  "a boolean host_port" },
		{ "[{\"host_port\":65536,\"container_port\":80,\"protocol\":\"tcp\"}]", "out of range",
		  "host_port 65536" },
		{ "[{\"host_port\":0,\"container_port\":80,\"protocol\":\"tcp\"}]", "out of range",
		  "host_port 0 (records have assigned ports)" },
		{ "[{\"host_port\":-1,\"container_port\":80,\"protocol\":\"tcp\"}]", "out of range",
		  "a negative host_port" },
		{ "[{\"host_port\":99999999999999999999999,\"container_port\":80,\"protocol\":\"tcp\"}]", "",
		  "a huge host_port" },
		{ "[{\"host_port\":80,\"container_port\":0,\"protocol\":\"tcp\"}]", "out of range",
		  "container_port 0" },
		{ "[{\"host_port\":80,\"container_port\":70000,\"protocol\":\"tcp\"}]", "out of range",
		  "container_port 70000" },
		{ "[{\"host_port\":80,\"container_port\":80,\"count\":0,\"protocol\":\"tcp\"}]",
		  "out of range", "count 0" },
		{ "[{\"host_port\":80,\"container_port\":65000,\"count\":1000,\"protocol\":\"tcp\"}]",
		  "out of range", "a container range past 65535" },
		{ "[{\"host_port\":65000,\"container_port\":80,\"count\":1000,\"protocol\":\"tcp\"}]",
		  "out of range", "a host range past 65535" },
		{ "[{\"host_port\":80,\"container_port\":80,\"protocol\":\"sctp\"}]", "sctp",
		  "protocol sctp" },
		{ "[{\"host_port\":80,\"container_port\":80,\"protocol\":6}]", "string",
		  "a numeric protocol" },
		{ "[{\"host_port\":80,\"container_port\":80}]", "missing protocol", "no protocol" },
		{ "[{\"container_port\":80,\"protocol\":\"tcp\"}]", "missing host_port", "no host_port" },
		{ "[{\"host_port\":80,\"protocol\":\"tcp\"}]", "missing container_port",
		  "no container_port" },
		{ "[{\"host_ip\":\"1.2.3\",\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\"}]",
		  "not an IP address", "a short IPv4 address" },
		{ "[{\"host_ip\":\"localhost\",\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\"}]",
		  "not an IP address", "a host name" },
		{ "[{\"host_ip\":\"[::1]\",\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\"}]",
		  "not an IP address", "a bracketed IPv6 address" },
		{ "[{\"host_ip\":\"1.2.3.4\\u0000x\",\"host_port\":80,\"container_port\":80,"
		  "\"protocol\":\"tcp\"}]",
		  "NUL", "a NUL byte in host_ip" },
		{ "[{\"host_ip\":\"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc\","
		  "\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\"}]",
		  "too long", "a too long host_ip" },
		{ "[{\"host_ip\":5,\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\"}]", "string",
		  "a numeric host_ip" },
		{ "[{\"host_port\":80,\"container_port\":80,\"protocol\":\"tcp\",\"x\":1}]", "unknown field",
		  "an unknown field" },
		{ "[\"80:80/sctp\"]", "sctp", "an old-style string with a bad protocol" },
	};
	struct err e = ERR_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = parse(bad[i].json);
		struct port_spec *v = (struct port_spec *)&e; /* must be reset */
		size_t n = 99;

		ok(j && port_specs_from_json(j, &v, &n, &e) < 0 && v == NULL && n == 0 && e.msg &&
			   strstr(e.msg, bad[i].msg),
		   "refused: %s", bad[i].name);
		if (e.msg && !strstr(e.msg, bad[i].msg))
			diag(e.msg);
		err_clear(&e);
		json_object_put(j);
	}

	/* a huge array is refused before anything is allocated for it */
	json_object *a = json_object_new_array();
	for (size_t i = 0; i <= PORT_SPECS_MAX; i++)
		json_object_array_add(a, NULL);
	struct port_spec *v = NULL;
	size_t n = 0;
	ok(port_specs_from_json(a, &v, &n, &e) < 0 && e.msg && strstr(e.msg, "at most"),
	   "refused: %d entries", PORT_SPECS_MAX + 1);
	err_clear(&e);
	json_object_put(a);
}

static void bad_opts(void)
{
	static const struct {
		const char *json, *msg, *name;
	} bad[] = {
		{ "[]", "expected an object", "an array" },
		{ "5", "expected an object", "a number" },
		{ "{\"mtu\":\"1500\"}", "integer", "a string mtu" },
		{ "{\"mtu\":100}", "out of range", "mtu 100" },
		{ "{\"mtu\":65522}", "out of range", "mtu 65522" },
		{ "{\"mtu\":1e9}", "integer", "a float mtu" },
		{ "{\"cidr\":\"10.0.2.0\"}", "cidr", "cidr without a prefix" },
		{ "{\"cidr\":\"10.0.2.0/30\"}", "cidr", "cidr /30" },
		{ "{\"cidr\":\"300.0.2.0/24\"}", "cidr", "a bad cidr address" },
		{ "{\"cidr\":\"10.0.2.0/024xxxxxxxxxxxxxxxx\"}", "cidr", "a long cidr" },
		{ "{\"cidr\":24}", "string", "a numeric cidr" },
		{ "{\"allow_host_loopback\":\"true\"}", "true or false", "a string boolean" },
		{ "{\"enable_ipv6\":1}", "true or false", "a numeric boolean" },
		{ "{\"port_handler\":\"rootlesskit\"}", "fast, slirp or direct",
		  "the CLI alias in a record" },
		{ "{\"port_handler\":\"direct\"}", "needs allow_host_loopback",
		  "direct without host loopback" },
		{ "{\"port_handler\":null}", "string", "a null handler" },
		{ "{\"bogus\":1}", "unknown network option", "an unknown option" },
		{ "\"mtu=10\"", "mtu", "an old-style string with a bad mtu" },
	};
	struct err e = ERR_INIT;
	struct net_opts o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = parse(bad[i].json);

		ok(j && net_opts_from_json(j, &o, &e) < 0 && e.msg && strstr(e.msg, bad[i].msg),
		   "refused: %s", bad[i].name);
		if (e.msg && !strstr(e.msg, bad[i].msg))
			diag(e.msg);
		err_clear(&e);
		json_object_put(j);
	}
}

/* through config.json: the spec keeps them typed; a bad record fails to load */
static void record(void)
{
	struct container_spec s, r;
	struct err e = ERR_INIT;
	char *lower[] = { "/l", NULL }, *argv[] = { "true", NULL };
	struct port_spec v[2];
	json_object *j, *p;

	memset(&s, 0, sizeof s);
	memset(s.id, 'c', 64);
	s.name = "n";
	s.hostname = "h";
	s.argv = argv;
	s.lowerdirs = lower;
	s.net = NET_SLIRP;
	net_opts_init(&s.net_opts);
	s.net_opts.mtu = 9000;
	s.net_opts.handler = PORT_HANDLER_SLIRP;
	ok(port_spec_parse("127.0.0.1:8080:80", &v[0], &e) == 0 &&
		   port_spec_parse("9000-9001:53-54/udp", &v[1], &e) == 0,
	   "two ports");
	s.ports = v;
	s.nports = 2;
	j = container_spec_to_json(&s);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "the record reads back");
	is_int(r.nports, 2, "two ports recorded");
	ok(r.ports && r.nports == 2 && ports_equal(r.ports, v, 2), "the same ports");
	ok(opts_equal(&r.net_opts, &s.net_opts), "the same options");
	container_spec_free(&r);

	/* older records kept the CLI strings */
	json_object_object_add(j, "ports", parse("[\"127.0.0.1:8080:80/tcp\"]"));
	json_object_object_add(j, "network_options", json_object_new_string("mtu=1500"));
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "an older record reads");
	ok(r.nports == 1 && r.ports[0].host_port == 8080 && r.net_opts.mtu == 1500,
	   "with its ports and options");
	container_spec_free(&r);

	p = parse("[{\"host_port\":8080,\"container_port\":80,\"protocol\":\"icmp\"}]");
	json_object_object_add(j, "ports", p);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0 && e.msg &&
		   strstr(e.msg, "bad ports in its record") && strstr(e.msg, "icmp"),
	   "a bad port fails the record");
	container_spec_free(&r);
	err_clear(&e);
	json_object_object_add(j, "ports", json_object_new_array());
	json_object_object_add(j, "network_options", parse("{\"mtu\":-5}"));
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0 && e.msg &&
		   strstr(e.msg, "bad network_options in its record"),
	   "bad options fail the record");
	container_spec_free(&r);
	err_clear(&e);
	json_object_put(j);
}

int main(void)
{
	ports_round_trip();
	opts_round_trip();
	bad_ports();
	bad_opts();
	record();
	return done_testing();
}
