/* network.c - tests for user-defined networks (src/lib/net/network.c and
 * the attachments of src/lib/record/netspec.c): subnets and addresses,
 * overlap, the record written and read back, the default network, free
 * subnets picked in turn, damaged records refused, and the "networks"
 * member of a container record. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/error.h"
#include "lib/base/util.h"
#include "lib/net/netdns.h"
#include "lib/net/network.h"
#include "lib/record/netspec.h"
#include "tap.h"

static void subnets(void)
{
	static const struct {
		const char *s;
		bool good;
		uint32_t net;
		unsigned bits;
	} cases[] = {
		{ "10.89.0.0/24", true, 0x0a590000, 24 },
		{ "192.168.4.0/30", true, 0xc0a80400, 30 },
		{ "10.0.0.0/8", true, 0x0a000000, 8 },
		{ "10.0.0.0/31", false, 0, 0 }, /* too small */
		{ "10.0.0.0/32", false, 0, 0 },
		{ "0.0.0.0/0", false, 0, 0 },   /* too large */
		{ "10.0.0.1/24", false, 0, 0 }, /* host bits */
		{ "10.0.0.0", false, 0, 0 },    /* no prefix */
		{ "10.0.0.0/", false, 0, 0 },
		{ "10.0.0.0/+8", false, 0, 0 },
		{ "10.0.0.0/24x", false, 0, 0 },
		{ "10.0.0/24", false, 0, 0 },
		{ "10.0.0.256/24", false, 0, 0 },
		{ "a.b.c.d/24", false, 0, 0 },
		{ "", false, 0, 0 },
		{ "10.0.0.0/99999999999999999999", false, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct err e = ERR_INIT;
		uint32_t net = 0;
		unsigned bits = 0;
		int rc = net_subnet_parse(cases[i].s, &net, &bits, &e);

		ok((rc == 0) == cases[i].good, "subnet \"%s\" %s", cases[i].s,
		   cases[i].good ? "accepted" : "refused");
		if (!cases[i].good)
			ok(e.msg && !strchr(e.msg, '\n'), "  one-line message: %s", e.msg ? e.msg : "(none)");
		else
			ok(net == cases[i].net && bits == cases[i].bits, "  as %08x/%u", net, bits);
		err_clear(&e);
	}
	ok(net_subnets_overlap(0x0a590000, 24, 0x0a590080, 25), "a /25 inside a /24 overlaps");
	ok(net_subnets_overlap(0x0a000000, 8, 0x0a590000, 24), "a /8 around a /24 overlaps");
	ok(!net_subnets_overlap(0x0a590000, 24, 0x0a590100, 24), "neighbouring /24s do not");
	ok(net_in_subnet(0x0a590001, 0x0a590000, 24), ".1 is a host of the /24");
	ok(!net_in_subnet(0x0a590000, 0x0a590000, 24), "the network address is not");
	ok(!net_in_subnet(0x0a5900ff, 0x0a590000, 24), "the broadcast address is not");
	ok(!net_in_subnet(0x0a590101, 0x0a590000, 24), "an address of another subnet is not");
	{
		uint32_t a = 0;
		char buf[16];
		ok(net_ipv4_parse("10.89.0.7", &a) == 0 && a == 0x0a590007, "net_ipv4_parse");
		ok(net_ipv4_parse("10.89.0", &a) < 0 && net_ipv4_parse("10.89.0.7 ", &a) < 0, "  strict");
		net_ipv4_str(0x0a590007, buf);
		is_str(buf, "10.89.0.7", "net_ipv4_str");
	}
}

static void records(const char *root)
{
	struct network_create_opts o = { .name = "n1" };
	struct network n, g, *all = NULL;
	struct err e = ERR_INIT;
	size_t cnt = 0;
	char *labels[] = { "a=b", "c", NULL };

	ok(network_create(root, &o, &n, &e) == 0, "create n1");
	is_str(n.iface, "burrow1", "  bridge burrow1");
	ok(n.subnet == NETWORK_AUTO_BASE && n.bits == 24 && n.gateway == NETWORK_AUTO_BASE + 1,
	   "  the first free /24, gateway .1");
	ok(network_get(root, "n1", &g, &e) == 0, "read back by name");
	ok(strcmp(g.id, n.id) == 0 && g.subnet == n.subnet && g.gateway == n.gateway && g.dns && !g.internal,
	   "  the same");
	network_free(&g);
	{
		char prefix[8];
		snprintf(prefix, sizeof prefix, "%.6s", n.id);
		ok(network_get(root, prefix, &g, &e) == 0 && strcmp(g.name, "n1") == 0,
		   "read back by ID prefix");
		network_free(&g);
	}
	network_free(&n);

	o = (struct network_create_opts){ .name = "n2",
					  .subnet = "10.99.0.0/16",
					  .gateway = "10.99.0.254",
					  .internal = true,
					  .labels = labels };
	ok(network_create(root, &o, &n, &e) == 0, "create n2 with a subnet, gateway, labels, internal");
	network_free(&n);
	ok(network_get(root, "n2", &g, &e) == 0, "read back");
	ok(g.internal && g.gateway == 0x0a6300fe && strv_len(g.labels) == 2 && strcmp(g.labels[1], "c=") == 0,
	   "  internal, gateway, labels");
	network_free(&g);

	o = (struct network_create_opts){ .name = "n3", .subnet = "10.99.8.0/24" };
	ok(network_create(root, &o, &n, &e) < 0 && e.errnum == EINVAL, "an overlapping subnet is refused");
	err_clear(&e);
	o = (struct network_create_opts){ .name = "n1" };
	ok(network_create(root, &o, &n, &e) < 0 && e.errnum == EEXIST, "a name in use is refused (EEXIST)");
	err_clear(&e);
	o = (struct network_create_opts){ .name = "bridge" };
	ok(network_create(root, &o, &n, &e) < 0, "the default network's name is in use");
	err_clear(&e);
	o = (struct network_create_opts){ NULL };
	ok(network_create(root, &o, &n, &e) == 0, "create without a name");
	is_str(n.name, "burrow1", "  the first free burrowN name");
	is_str(n.iface, "burrow3", "  the first free bridge");
	ok(n.subnet == NETWORK_AUTO_BASE + 0x100, "  the next free /24");
	network_free(&n);

	ok(network_list(root, &all, &cnt, &e) == 0 && cnt == 4, "list: the default and three");
	if (cnt == 4) {
		is_str(all[0].name, "bridge", "  the default first");
		ok(all[0].builtin, "  marked builtin");
		is_str(all[1].name, "burrow1", "  then by name");
	}
	networks_free(all, cnt);
	ok(network_remove(root, "bridge", &e) < 0, "the default cannot be removed");
	err_clear(&e);
	ok(network_remove(root, "burrow1", &e) == 0, "remove burrow1");
	ok(network_get(root, "burrow1", &g, &e) < 0 && e.errnum == ENOENT, "  gone (ENOENT)");
	err_clear(&e);
	ok(network_remove(root, "burrow1", &e) < 0 && e.errnum == ENOENT, "  removing it again: ENOENT");
	err_clear(&e);
}

/* a record edited by hand is refused as a whole */
static void damaged(const char *root)
{
	static const char *const bad[] = {
		"{\"name\":\"d\",\"id\":\"xyz\"}",
		"{\"name\":\"other\",\"id\":\""
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"\"}",
		"{\"name\":\"d\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		"\"driver\":\"bridge\",\"network_interface\":\"eth0\",\"subnets\":[{\"subnet\":\"10.1.0.0/24\","
		"\"gateway\":\"10.1.0.1\"}]}",
		"{\"name\":\"d\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		"\"driver\":\"bridge\",\"network_interface\":\"burrow9\",\"subnets\":[{\"subnet\":\"10.1.0.0/24\","
		"\"gateway\":\"10.2.0.1\"}]}",
		"{\"name\":\"d\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		"\"driver\":\"bridge\",\"network_interface\":\"burrow9\",\"subnets\":[{\"subnet\":\"10.1.0.0/24\","
		"\"gateway\":\"10.1.0.1\"}],\"internal\":\"yes\"}",
		"{\"name\":\"d\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		"\"driver\":\"bridge\",\"network_interface\":\"burrow9\",\"subnets\":[{\"subnet\":\"10.1.0.0/24\","
		"\"gateway\":\"10.1.0.1\"}],\"labels\":{\"a\":1}}",
		"[]",
	};
	char *path = xasprintf("%s/networks/d.json", root);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct network n;
		struct err e = ERR_INIT;
		FILE *f = fopen(path, "w");

		if (!f)
			break;
		fputs(bad[i], f);
		fclose(f);
		ok(network_get(root, "d", &n, &e) < 0 && e.errnum != ENOENT, "damaged record %zu refused: %s",
		   i, e.msg ? e.msg : "");
		err_clear(&e);
	}
	unlink(path);
	free(path);
}

static void attaches(void)
{
	static const char *const bad[] = {
		"{}",
		"[{}]",
		"[{\"name\":\"n\"}]",
		"[{\"name\":\"n\",\"ip\":\"10.0.0\"}]",
		"[{\"name\":\"-n\",\"ip\":\"10.0.0.2\"}]",
		"[{\"name\":\"n\",\"ip\":\"10.0.0.2\",\"aliases\":\"a\"}]",
		"[{\"name\":\"n\",\"ip\":\"10.0.0.2\",\"aliases\":[\"a b\"]}]",
		"[{\"name\":\"n\",\"ip\":\"10.0.0.2\",\"aliases\":[1]}]",
	};
	struct net_attach in[2] = { { "n1", NULL, "10.89.0.2" }, { "n2", NULL, "10.99.0.9" } };
	char *al[] = { "api", "www", NULL };
	struct net_attach *out = NULL;
	size_t n = 0;
	struct err e = ERR_INIT;
	json_object *j;
	char mac[18];

	in[0].aliases = al;
	j = net_attaches_to_json(in, 2);
	ok(net_attaches_from_json(j, &out, &n, &e) == 0 && n == 2, "attachments: round trip");
	if (n == 2) {
		is_str(out[0].network, "n1", "  the name");
		is_str(out[0].ip, "10.89.0.2", "  the address");
		ok(strv_len(out[0].aliases) == 2 && strcmp(out[0].aliases[1], "www") == 0, "  the aliases");
		ok(out[1].aliases == NULL, "  none on the second");
	}
	net_attaches_free(out, n);
	json_object_put(j);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		j = json_tokener_parse(bad[i]);
		ok(net_attaches_from_json(j, &out, &n, &e) < 0 && !out && n == 0,
		   "bad attachments refused: %s", bad[i]);
		err_clear(&e);
		json_object_put(j);
	}
	net_mac_of("10.89.0.2", mac);
	is_str(mac, "02:42:0a:59:00:02", "the MAC of an address");
}

/* the DNS server's parser: malformed queries are dropped, a name that is
 * nobody's goes upstream, a member's gets its address */
static void dns(const char *root)
{
	/* id 0x1234, RD, one question: db.dns.burrow A IN */
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1,   0,   0,   0, 0,   0,
				     0,    2,    'd',  'b',  3, 'd', 'n', 's', 6, 'b', 'u',
				     'r',  'r',  'o',  'w',  0, 0,   1,   0,   1 };
	uint8_t bad[sizeof q], out[512];
	size_t outlen = 0;
	char *rd = xasprintf("%s/run", root),
	     *cdir = xasprintf(
		     "%s/containers/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", root);
	char *rdir =
		xasprintf("%s/containers/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			  rd);
	char *cfg = xasprintf("%s/config.json", cdir);
	struct err e = ERR_INIT;
	FILE *f;

	is_int(netdns_answer(root, rd, "n1", NULL, q, 11, out, &outlen), -1, "dns: a short query is dropped");
	memcpy(bad, q, sizeof q);
	bad[2] |= 0x80;
	is_int(netdns_answer(root, rd, "n1", NULL, bad, sizeof bad, out, &outlen), -1,
	       "dns: a response is dropped");
	memcpy(bad, q, sizeof q);
	bad[12] = 63;
	is_int(netdns_answer(root, rd, "n1", NULL, bad, sizeof bad, out, &outlen), -1,
	       "dns: a label past the end is dropped");
	memcpy(bad, q, sizeof q);
	bad[5] = 2;
	is_int(netdns_answer(root, rd, "n1", NULL, bad, sizeof bad, out, &outlen), -1,
	       "dns: two questions are dropped");
	is_int(netdns_answer(root, rd, "n1", NULL, q, sizeof q, out, &outlen), 0,
	       "dns: nobody's name goes upstream");
	if (mkdir_p_at(AT_FDCWD, cdir, 0700, &e) < 0 || mkdir_p_at(AT_FDCWD, rdir, 0700, &e) < 0 ||
	    !(f = fopen(cfg, "w"))) {
		err_clear(&e);
		ok(0, "dns: a record to answer from");
	} else {
		fputs("{\"name\":\"db\",\"network\":\"bridge\",\"networks\":[{\"name\":\"n1\",\"ip\":\"10.89.0.7\","
		      "\"aliases\":[\"api\"]}]}",
		      f);
		fclose(f);
		is_int(netdns_answer(root, rd, "n1", NULL, q, sizeof q, out, &outlen), 1,
		       "dns: a member's name is answered");
		ok(outlen == sizeof q + 16 && out[7] == 1 &&
			   memcmp(out + outlen - 4, "\x0a\x59\x00\x07", 4) == 0 && out[0] == 0x12 &&
			   out[1] == 0x34 && (out[2] & 0x80),
		   "  with its address, the query's id, as a response");
		is_int(netdns_answer(root, rd, "n2", NULL, q, sizeof q, out, &outlen), 0,
		       "dns: not on another network");
		rmdir(rdir);
		is_int(netdns_answer(root, rd, "n1", NULL, q, sizeof q, out, &outlen), 0,
		       "dns: not once it stopped (no run directory)");
	}
	free(rd);
	free(cdir);
	free(rdir);
	free(cfg);
}

int main(void)
{
	char tmpl[] = "/tmp/burrow-network-test.XXXXXX";
	char *root = mkdtemp(tmpl);
	struct err e = ERR_INIT;

	if (!root)
		return skip_all("mkdtemp failed");
	subnets();
	records(root);
	damaged(root);
	attaches();
	dns(root);
	if (rm_rf_at(AT_FDCWD, root, &e) < 0)
		err_clear(&e);
	return done_testing();
}
