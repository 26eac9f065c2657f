/* portspec.c - tests for the -p/--publish parser, -P lists, random ports and
 * the host port checks (src/lib/record/portspec.c), and for the container's
 * resolv.conf/hosts text (src/lib/net/net.c) and --network options
 * (src/lib/record/netspec.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/net/net.h"
#include "lib/record/portspec.h"
#include "lib/base/util.h"
#include "tap.h"

static void good(const char *s, const char *ip, unsigned hp, unsigned cp, unsigned count, bool udp,
		 const char *formatted)
{
	struct port_spec p;
	struct err e = ERR_INIT;
	int rc = port_spec_parse(s, &p, &e);

	if (!ok(rc == 0, "parse %s", s)) {
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
		err_clear(&e);
		return;
	}
	is_str(p.host_ip, ip, "%s: host ip", s);
	is_int(p.host_port, hp, "%s: host port", s);
	is_int(p.container_port, cp, "%s: container port", s);
	is_int(p.count, count, "%s: count", s);
	is_int(p.udp, udp, "%s: protocol", s);
	_cleanup_free_ char *f = port_spec_format(&p);
	is_str(f, formatted, "%s: formats back", s);
	/* and the formatted text parses to the same spec */
	struct port_spec q;
	/* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,cert-exp42-c,cert-flp37-c): parse zeroes it all */
	ok(port_spec_parse(f, &q, &e) == 0 && memcmp(&p, &q, sizeof(p)) == 0, "%s: round trip", s);
	err_clear(&e);
}

static void bad(const char *s, const char *want)
{
	struct port_spec p;
	struct err e = ERR_INIT;
	int rc = port_spec_parse(s, &p, &e);

	ok(rc < 0, "reject \"%s\"", s);
	if (!ok(rc < 0 && e.msg && strstr(e.msg, want), "\"%s\": message says %s", s, want))
		printf("# got: '%s'\n", e.msg ? e.msg : "(null)");
	err_clear(&e);
}

static void parser(void)
{
	good("80", "", 0, 80, 1, false, "80/tcp");
	good("8080:80", "", 8080, 80, 1, false, "8080:80/tcp");
	good("8080:80/tcp", "", 8080, 80, 1, false, "8080:80/tcp");
	good("5353:53/udp", "", 5353, 53, 1, true, "5353:53/udp");
	good("127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, false, "127.0.0.1:8080:80/tcp");
	good("127.0.0.1:5353:53/udp", "127.0.0.1", 5353, 53, 1, true, "127.0.0.1:5353:53/udp");
	good("127.0.0.1::80", "127.0.0.1", 0, 80, 1, false, "127.0.0.1::80/tcp");
	good("[::1]:8080:80", "::1", 8080, 80, 1, false, "[::1]:8080:80/tcp");
	good("8000-8002:80-82", "", 8000, 80, 3, false, "8000-8002:80-82/tcp");
	good("0.0.0.0:8000-8002:80-82/udp", "0.0.0.0", 8000, 80, 3, true, "0.0.0.0:8000-8002:80-82/udp");
	good("80-82", "", 0, 80, 3, false, "80-82/tcp");
	good("0:80", "", 0, 80, 1, false, "80/tcp");
	good("65535:65535", "", 65535, 65535, 1, false, "65535:65535/tcp");
	good("9000-9000:90", "", 9000, 90, 1, false, "9000:90/tcp");

	bad("", "empty");
	bad("abc", "not a number");
	bad("0", "out of range");
	bad("65536", "out of range");
	bad("8080:65536", "out of range");
	bad("70000:80", "out of range");
	bad("80:", "container port is empty");
	bad(":80", "host port is empty");
	bad("8080:80/sctp", "not supported");
	bad("8080:80/", "not supported");
	bad("8080:80/tcp/udp", "not supported");
	bad("8002-8000:80-82", "reversed");
	bad("8000-8002:80-81", "host range has 3 ports");
	bad("8000-8001:80", "host range has 2 ports");
	bad("80-", "not a number");
	bad("-80", "not a number");
	bad("+80", "not a number");
	bad("8 0", "not a number");
	bad("300.1.1.1:80:80", "not an IP address");
	bad("localhost:80:80", "not an IP address");
	bad("[::1:80:80", "expected [IPV6]");
	bad("[]:80:80", "bad IPv6");
	bad("fe80::1:80", "not an IP address");
	bad("65535-65536:80-81", "out of range");
	bad("1:2:3:4", "not an IP address");
}

static void exposed(void)
{
	char *list[] = { "80/tcp", "53/udp", "8000-8001", NULL };
	struct port_spec *v = NULL;
	size_t n = 0;
	struct err e = ERR_INIT;

	ok(port_specs_from_exposed(list, &v, &n, &e) == 0, "EXPOSE list parses");
	is_int(n, 3, "three exposed entries");
	ok(n == 3 && v[1].udp && v[1].container_port == 53 && v[1].host_port == 0, "53/udp on a random port");
	ok(ports_assign_random(&v, &n, &e) == 0, "random ports assigned");
	is_int(n, 4, "the random range is split per port");
	bool all = true;
	for (size_t i = 0; i < n; i++)
		all = all && v[i].host_port >= 1024 && v[i].count == 1;
	ok(all, "every spec has its own free host port");
	ok(ports_check_available(v, n, &e) == 0, "the random ports are free");
	if (e.msg)
		diag(e.msg);
	err_clear(&e);
	free(v);

	char *badl[] = { "8080:80", NULL };
	v = NULL, n = 0;
	ok(port_specs_from_exposed(badl, &v, &n, &e) < 0, "EXPOSE with a host port is refused");
	err_clear(&e);
	free(v);
}

static void checks(void)
{
	struct err e = ERR_INIT;
	struct port_spec p;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 1) == 0 &&
		   getsockname(fd, (struct sockaddr *)&a, &len) == 0,
	   "a busy port to test with");
	_cleanup_free_ char *spec = xasprintf("127.0.0.1:%u:80", ntohs(a.sin_port));
	port_spec_parse(spec, &p, &e);
	ok(ports_check_available(&p, 1, &e) < 0, "busy port refused");
	_cleanup_free_ char *want = xasprintf("host port %u/tcp", ntohs(a.sin_port));
	ok(e.msg && strstr(e.msg, want) && strstr(e.msg, "already in use"), "message names the busy port");
	if (e.msg)
		diag(e.msg);
	err_clear(&e);
	/* all addresses collide with the loopback listener too */
	spec[0] = '\0';
	free(spec);
	spec = xasprintf("%u:80", ntohs(a.sin_port));
	port_spec_parse(spec, &p, &e);
	ok(ports_check_available(&p, 1, &e) < 0, "busy port refused on 0.0.0.0");
	err_clear(&e);
	close(fd);

	if (geteuid() != 0 && port_unprivileged_start() > 80) {
		port_spec_parse("80:80", &p, &e);
		ok(ports_check_available(&p, 1, &e) < 0, "privileged port refused");
		ok(e.msg && strstr(e.msg, "host port 80/tcp") && strstr(e.msg, "ip_unprivileged_port_start"),
		   "message names the port and the sysctl");
		if (e.msg)
			diag(e.msg);
		err_clear(&e);
	} else {
		skip("privileged ports are allowed here");
		skip("privileged ports are allowed here");
	}

	struct port_spec two[2];
	port_spec_parse("40000-40002:80-82", &two[0], &e);
	port_spec_parse("127.0.0.1:40002:90", &two[1], &e);
	ok(ports_check_available(two, 2, &e) < 0 && e.msg && strstr(e.msg, "twice"),
	   "overlapping ranges refused");
	err_clear(&e);
	{
		struct port_spec *v = xcalloc(1, sizeof(*v));
		size_t n = 1;

		port_spec_parse("80", v, &e);
		ok(ports_assign_random(&v, &n, &e) == 0 && n == 1 && v[0].host_port, "a free port");
		two[0] = v[0];
		two[1] = v[0];
		two[1].udp = true;
		ok(ports_check_available(two, 2, &e) == 0, "same number, other protocol is fine");
		if (e.msg)
			diag(e.msg);
		err_clear(&e);
		free(v);
	}
}

static void net_text(void)
{
	struct net_opts o;
	struct err e = ERR_INIT;

	net_opts_init(&o);
	ok(net_opts_parse("mtu=1500,allow_host_loopback=true,enable_ipv6=true,port_handler=slirp", &o, &e) ==
		   0,
	   "network options parse");
	is_int(o.mtu, 1500, "mtu");
	ok(o.allow_host_loopback && o.enable_ipv6 && o.handler == PORT_HANDLER_SLIRP, "flags and handler");
	ok(net_opts_parse("port_handler=slirp4netns", &o, &e) == 0 && o.handler == PORT_HANDLER_SLIRP,
	   "podman's handler name");
	ok(net_opts_parse("port_handler=rootlesskit", &o, &e) == 0 && o.handler == PORT_HANDLER_FAST,
	   "rootlesskit means fast");
	ok(net_opts_parse("cidr=10.5.0.0/24", &o, &e) == 0, "cidr");
	ok(net_opts_parse("mtu=10", &o, &e) < 0 && strstr(e.msg, "mtu"), "tiny mtu refused");
	err_clear(&e);
	ok(net_opts_parse("allow_host_loopback=maybe", &o, &e) < 0, "bad boolean refused");
	err_clear(&e);
	ok(net_opts_parse("bogus=1", &o, &e) < 0 && strstr(e.msg, "bogus"), "unknown option refused");
	err_clear(&e);
	ok(net_opts_parse("cidr=10.0.2.0/29", &o, &e) < 0, "too small cidr refused");
	err_clear(&e);

	net_opts_init(&o);
	_cleanup_free_ char *r = net_resolv_conf(&o, "search example.com\nnameserver 1.1.1.1\n");
	is_str(r, "search example.com\nnameserver 10.0.2.3\n", "resolv.conf keeps search, uses 10.0.2.3");
	_cleanup_free_ char *h = net_hosts(&o, "box");
	ok(h && strstr(h, "10.0.2.100\tbox") && !strstr(h, "host.containers.internal"),
	   "hosts without host loopback");
	o.allow_host_loopback = true;
	_cleanup_free_ char *h2 = net_hosts(&o, "box");
	ok(h2 && strstr(h2, "10.0.2.2\thost.containers.internal host.docker.internal"),
	   "hosts names the host when loopback is allowed");
	ok(net_opts_parse("cidr=10.5.0.0/24", &o, &e) == 0, "cidr again");
	_cleanup_free_ char *r2 = net_resolv_conf(&o, NULL);
	is_str(r2, "nameserver 10.5.0.3\n", "resolv.conf follows the cidr");
}

int main(void)
{
	parser();
	exposed();
	checks();
	net_text();
	return done_testing();
}
