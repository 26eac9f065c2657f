/* portspec.c - see portspec.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portspec.h"
#include "lib/base/util.h"

/* "N" or "A-B" with 0 <= A <= B <= 65535; empty is allowed only if allow_empty
 * (then *first = 0, *count = 1). */
static int parse_range(const char *s, size_t len, bool allow_zero, uint16_t *first, uint16_t *count,
		       const char *what, const char *spec, struct err *e)
{
	char buf[32], *dash;
	uint64_t a, b;

	if (len == 0 || len >= sizeof(buf))
		return err_make(e, 0, "invalid port spec \"%s\": %s port is %s", spec, what,
				len ? "too long" : "empty");
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_u64(buf, &a) < 0 || (dash && parse_u64(dash + 1, &b) < 0))
		return err_make(e, 0,
				"invalid port spec \"%s\": %s port \"%.*s\" is not a number "
				"or a range A-B",
				spec, what, (int)len, s);
	if (!dash)
		b = a;
	if (a > 65535 || b > 65535)
		return err_make(e, 0,
				"invalid port spec \"%s\": %s port %llu is out of range "
				"(1-65535)",
				spec, what, (unsigned long long)(a > 65535 ? a : b));
	if (a == 0 && (!allow_zero || dash))
		return err_make(e, 0, "invalid port spec \"%s\": %s port 0 is out of range (1-65535)", spec,
				what);
	if (b < a)
		return err_make(e, 0,
				"invalid port spec \"%s\": %s port range %llu-%llu is "
				"reversed",
				spec, what, (unsigned long long)a, (unsigned long long)b);
	*first = (uint16_t)a;
	*count = (uint16_t)(b - a + 1);
	return 0;
}

int port_spec_parse(const char *s, struct port_spec *p, struct err *e)
{
	const char *slash, *end, *ctr, *hp = NULL;
	size_t hplen = 0;
	uint16_t hcount = 1, ccount;

	memset(p, 0, sizeof(*p));
	if (!s || !*s)
		return err_make(e, 0, "invalid port spec \"\": empty");
	slash = strchr(s, '/');
	end = slash ? slash : s + strlen(s);
	if (slash) {
		if (strcmp(slash + 1, "udp") == 0)
			p->udp = true;
		else if (strcmp(slash + 1, "tcp") != 0)
			return err_make(e, 0,
					"invalid port spec \"%s\": protocol \"%s\" is not "
					"supported (tcp or udp)",
					s, slash + 1);
	}
	/* the container part is after the last ':' */
	ctr = end;
	while (ctr > s && ctr[-1] != ':')
		ctr--;
	if (ctr > s) {
		/* [IP:]HOSTPORT: before the container port */
		const char *hostpart = s, *hend = ctr - 1, *c;

		if (*hostpart == '[') {
			const char *rb = memchr(hostpart, ']', (size_t)(hend - hostpart));
			size_t iplen;

			if (!rb || rb + 1 >= hend || rb[1] != ':')
				return err_make(e, 0,
						"invalid port spec \"%s\": expected "
						"[IPV6]:HOSTPORT:CONTAINERPORT",
						s);
			iplen = (size_t)(rb - hostpart - 1);
			if (iplen == 0 || iplen >= sizeof(p->host_ip))
				return err_make(e, 0, "invalid port spec \"%s\": bad IPv6 address", s);
			memcpy(p->host_ip, hostpart + 1, iplen);
			p->host_ip[iplen] = '\0';
			hp = rb + 2;
		} else {
			c = hend;
			while (c > hostpart && c[-1] != ':')
				c--;
			if (c > hostpart) {
				size_t iplen = (size_t)(c - 1 - hostpart);

				if (iplen >= sizeof(p->host_ip))
					return err_make(e, 0,
							"invalid port spec \"%s\": bad host "
							"address",
							s);
				memcpy(p->host_ip, hostpart, iplen);
				p->host_ip[iplen] = '\0';
				hp = c;
			} else {
				hp = hostpart;
				if (hp == hend)
					return err_make(e, 0,
							"invalid port spec \"%s\": host port "
							"is empty (write CONTAINERPORT alone for a "
							"random host port)",
							s);
			}
		}
		hplen = (size_t)(hend - hp);
		if (p->host_ip[0]) {
			unsigned char buf[sizeof(struct in6_addr)];

			if (strchr(p->host_ip, ':') ? inet_pton(AF_INET6, p->host_ip, buf) != 1
						    : inet_pton(AF_INET, p->host_ip, buf) != 1)
				return err_make(e, 0,
						"invalid port spec \"%s\": \"%s\" is not an IP "
						"address%s",
						s, p->host_ip,
						strchr(p->host_ip, ':') && hostpart[0] != '['
							? " (write IPv6 addresses in brackets)"
							: "");
		}
	}
	if (parse_range(ctr, (size_t)(end - ctr), false, &p->container_port, &ccount, "container", s, e) < 0)
		return -1;
	if (hplen > 0) {
		if (parse_range(hp, hplen, true, &p->host_port, &hcount, "host", s, e) < 0)
			return -1;
		if (p->host_port != 0 && hcount != ccount)
			return err_make(e, 0,
					"invalid port spec \"%s\": the host range has %u ports "
					"and the container range %u",
					s, hcount, ccount);
		if ((unsigned)p->host_port + ccount - 1 > 65535)
			return err_make(e, 0, "invalid port spec \"%s\": host range ends past 65535", s);
	}
	p->count = ccount;
	return 0;
}

char *port_spec_format(const struct port_spec *p)
{
	char host[32], ctr[32];
	const char *proto = p->udp ? "udp" : "tcp";
	bool v6 = strchr(p->host_ip, ':') != NULL;

	snprintf(ctr, sizeof(ctr), p->count > 1 ? "%u-%u" : "%u", p->container_port,
		 (unsigned)p->container_port + p->count - 1);
	snprintf(host, sizeof(host), p->count > 1 ? "%u-%u" : "%u", p->host_port,
		 (unsigned)p->host_port + p->count - 1);
	if (!p->host_port)
		host[0] = '\0';
	if (!p->host_ip[0] && !host[0])
		return xasprintf("%s/%s", ctr, proto);
	return xasprintf("%s%s%s%s%s:%s/%s", v6 ? "[" : "", p->host_ip, v6 ? "]" : "",
			 p->host_ip[0] ? ":" : "", host, ctr, proto);
}

int port_specs_from_exposed(char *const *exposed, struct port_spec **v, size_t *n, struct err *e)
{
	for (size_t i = 0; exposed && exposed[i]; i++) {
		struct port_spec p;

		if (strchr(exposed[i], ':'))
			return err_make(e, 0, "invalid exposed port \"%s\"", exposed[i]);
		if (port_spec_parse(exposed[i], &p, e) < 0)
			return err_wrap(e, "image EXPOSE");
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = p;
	}
	return 0;
}

static int sock_for(const struct port_spec *p, uint16_t port, int *fd, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, s;

	memset(&ss, 0, sizeof(ss));
	if (strchr(p->host_ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, p->host_ip, &a->sin6_addr) != 1)
			return err_make(e, 0, "bad address %s", p->host_ip);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (p->host_ip[0] && inet_pton(AF_INET, p->host_ip, &a->sin_addr) != 1)
			return err_make(e, 0, "bad address %s", p->host_ip);
		len = sizeof(*a);
	}
	s = socket(ss.ss_family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s < 0)
		return err_make(e, errno, "socket");
	/* the helper listens with SO_REUSEADDR too: TIME_WAIT leftovers are fine */
	if (!p->udp)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) < 0) {
		int err = errno;

		close(s);
		errno = err;
		return -1;
	}
	*fd = s;
	return 0;
}

static const char *proto_name(const struct port_spec *p)
{
	return p->udp ? "udp" : "tcp";
}

int ports_assign_random(struct port_spec **v, size_t *n, struct err *e)
{
	struct port_spec *out = NULL;
	size_t nout = 0;

	for (size_t i = 0; i < *n; i++) {
		struct port_spec p = (*v)[i];

		if (p.host_port) {
			out = xrealloc(out, (nout + 1) * sizeof(*out));
			out[nout++] = p;
			continue;
		}
		for (uint16_t k = 0; k < p.count; k++) {
			struct port_spec one = p;
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			_cleanup_close_ int fd = -1;

			one.count = 1;
			one.container_port = (uint16_t)(p.container_port + k);
			if (sock_for(&one, 0, &fd, e) < 0) {
				free(out);
				return err_make(e, errno, "finding a free host port for %s port %u",
						proto_name(&one), one.container_port);
			}
			if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
				free(out);
				return err_make(e, errno, "getsockname");
			}
			/* getsockname() filled ss (a sockaddr_in or sockaddr_in6); the analyzer does not
			 * see that and takes ss for uninitialised */
			// NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult,clang-analyzer-core.CallAndMessage)
			one.host_port = ntohs(ss.ss_family == AF_INET6
						      ? ((struct sockaddr_in6 *)&ss)->sin6_port
						      : ((struct sockaddr_in *)&ss)->sin_port);
			out = xrealloc(out, (nout + 1) * sizeof(*out));
			out[nout++] = one;
		}
	}
	free(*v);
	*v = out;
	*n = nout;
	return 0;
}

unsigned port_unprivileged_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	unsigned v = 1024;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 1024;
		fclose(f);
	}
	return v;
}

static bool overlaps(const struct port_spec *a, const struct port_spec *b)
{
	if (a->udp != b->udp || !a->host_port || !b->host_port)
		return false;
	if (a->host_ip[0] && b->host_ip[0] && strcmp(a->host_ip, b->host_ip) != 0)
		return false;
	return a->host_port < b->host_port + b->count && b->host_port < a->host_port + a->count;
}

int ports_check_available(const struct port_spec *v, size_t n, struct err *e)
{
	unsigned start = port_unprivileged_start();

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (overlaps(&v[i], &v[j]))
				return err_make(e, 0, "host port %u/%s is published twice", v[i].host_port,
						proto_name(&v[i]));
	for (size_t i = 0; i < n; i++) {
		const struct port_spec *p = &v[i];

		if (!p->host_port)
			continue;
		for (unsigned k = 0; k < p->count; k++) {
			unsigned port = p->host_port + k;
			int fd = -1;

			if (port < start && geteuid() != 0)
				return err_make(e, 0,
						"cannot publish host port %u/%s: ports below %u "
						"need privileges (net.ipv4.ip_unprivileged_port_start)"
						"; publish a higher host port, e.g. -p %u:%u, or lower "
						"the limit as root: sysctl "
						"net.ipv4.ip_unprivileged_port_start=%u",
						port, proto_name(p), start,
						port + 8000 > 65535 ? 8080 : port + 8000,
						p->container_port + k, port);
			if (sock_for(p, (uint16_t)port, &fd, e) < 0) {
				if (errno == EADDRINUSE)
					return err_make(e, 0,
							"cannot publish host port %u/%s: the port "
							"is already in use; stop what listens there or "
							"choose another host port (or leave it out for a "
							"random one)",
							port, proto_name(p));
				if (errno == EADDRNOTAVAIL)
					return err_make(e, 0,
							"cannot publish host port %u/%s on %s: no "
							"such local address",
							port, proto_name(p), p->host_ip);
				return err_make(e, errno, "cannot publish host port %u/%s", port,
						proto_name(p));
			}
			close(fd);
		}
	}
	return 0;
}
