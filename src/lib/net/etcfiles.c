/* etcfiles.c - the container's /etc/hosts and /etc/resolv.conf (net.h) */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/record/container.h"
#include "net.h"
#include "network.h"
#include "lib/base/util.h"

/* a line whose first word is one of words[] */
static bool line_is(const char *l, size_t len, const char *const *words)
{
	for (; *words; words++) {
		size_t w = strlen(*words);
		if (len > w && strncmp(l, *words, w) == 0 && (l[w] == ' ' || l[w] == '\t'))
			return true;
	}
	return false;
}

__attribute__((format(printf, 2, 3))) static void append(char **out, const char *fmt, ...)
{
	_cleanup_free_ char *more = NULL;
	va_list ap;
	char *n;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = xasprintf("%s%s", *out, more);
	free(*out);
	*out = n;
}

/* --dns, --dns-search and --dns-option replace the lines of their kind */
static char *resolv_apply(const struct container_spec *s, const char *text)
{
	static const char *const ns[] = { "nameserver", NULL },
				 *const search[] = { "search", "domain", NULL },
				 *const opts[] = { "options", NULL };
	char *out = xstrdup("");

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		bool drop = (s->dns && line_is(l, len, ns)) || (s->dns_search && line_is(l, len, search)) ||
			    (s->dns_options && line_is(l, len, opts));
		if (!drop) {
			_cleanup_free_ char *line = xstrndup(l, len);
			append(&out, "%s\n", line);
		}
		l = nl ? nl + 1 : l + len;
	}
	if (s->dns_search && !(strv_len(s->dns_search) == 1 && strcmp(s->dns_search[0], ".") == 0)) {
		append(&out, "search");
		for (size_t i = 0; s->dns_search[i]; i++)
			if (strcmp(s->dns_search[i], ".") != 0)
				append(&out, " %s", s->dns_search[i]);
		append(&out, "\n");
	}
	for (size_t i = 0; s->dns && s->dns[i]; i++)
		append(&out, "nameserver %s\n", s->dns[i]);
	if (s->dns_options) {
		append(&out, "options");
		for (size_t i = 0; s->dns_options[i]; i++)
			append(&out, " %s", s->dns_options[i]);
		append(&out, "\n");
	}
	return out;
}

/* --add-host lines come first, as podman's; host-gateway is the address
 * the host answers on */
static char *hosts_added(const struct container_spec *s)
{
	char *out = xstrdup("");
	char gw[16] = "10.0.2.2";

	if (s->net == NET_SLIRP)
		net_addr(&s->net_opts, NET_ADDR_GATEWAY, gw, NULL);
	else
		strcpy(gw, "127.0.0.1");
	for (size_t i = 0; s->add_hosts && s->add_hosts[i]; i++) {
		const char *h = s->add_hosts[i], *colon = strchr(h, ':');
		_cleanup_free_ char *name = xstrndup(h, (size_t)(colon - h));
		append(&out, "%s\t%s\n", strcmp(colon + 1, "host-gateway") == 0 ? gw : colon + 1, name);
	}
	return out;
}

static char *hosts_text(const struct container_spec *s)
{
	_cleanup_free_ char *host = NULL;

	if (s->net == NET_CONTAINER && (host = net_shared_file(s, "hosts")))
		return steal_ptr(host);
	if (s->net == NET_SLIRP) {
		_cleanup_free_ char *hn = s->name ? xasprintf("%s %s", s->hostname, s->name)
						  : xstrdup(s->hostname);
		return net_hosts(&s->net_opts, hn);
	}
	if (s->net == NET_BRIDGE && s->nnetworks > 0)
		return xasprintf("127.0.0.1\tlocalhost localhost.localdomain\n"
				 "::1\tlocalhost ip6-localhost ip6-loopback\n"
				 "%s\t%s %s\n",
				 s->networks[0].ip, s->hostname, s->name);
	if (s->net == NET_HOST && read_file_at(AT_FDCWD, "/etc/hosts", 1 << 20, &host, NULL, NULL) == 0)
		return xasprintf("%s\n127.0.1.1\t%s %s\n", host, s->hostname, s->name);
	return xasprintf("127.0.0.1\tlocalhost localhost.localdomain\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "127.0.1.1\t%s %s\n",
			 s->hostname, s->name);
}

/* networks: the DNS server of the first network that has one (its
 * gateway, netdns.h), with its search domain; else the usermode network's
 * forwarder, reached through the shared namespace's tap0 */
static char *bridge_resolv_conf(const struct container_spec *s, const char *host_text)
{
	_cleanup_free_ char *root = NULL, *base = net_resolv_conf(&s->net_opts, host_text);
	const char *end = s->ctrdir ? strrchr(s->ctrdir, '/') : NULL;

	while (end && end > s->ctrdir && end[-1] != '/')
		end--;
	root = end && end > s->ctrdir ? xstrndup(s->ctrdir, (size_t)(end - 1 - s->ctrdir)) : xstrdup("/");
	for (size_t i = 0; i < s->nnetworks; i++) {
		struct network n;
		struct err e = ERR_INIT;
		char gw[16];
		bool dns;

		if (network_get(root, s->networks[i].network, &n, &e) < 0) {
			err_clear(&e);
			continue;
		}
		dns = n.dns;
		net_ipv4_str(n.gateway, gw);
		network_free(&n);
		if (dns)
			return xasprintf("search dns.burrow\nnameserver %s\n", gw);
	}
	return steal_ptr(base);
}

int net_write_etc_files(const struct container_spec *s, struct err *e)
{
	_cleanup_free_ char *base = hosts_text(s), *added = hosts_added(s), *resolv = NULL;
	_cleanup_free_ char *hosts = xasprintf("%s%s", added, base);
	_cleanup_close_ int rd = open(s->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rd < 0)
		return err_make(e, errno, "opening %s", s->rundir);
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", 1 << 20, &resolv, NULL, e) < 0) {
		err_clear(e);
		resolv = xstrdup("");
	}
	if (s->net == NET_BRIDGE) {
		char *r = bridge_resolv_conf(s, resolv);
		free(resolv);
		resolv = r;
	} else if (s->net == NET_SLIRP) {
		char *r = net_resolv_conf(&s->net_opts, resolv);
		free(resolv);
		resolv = r;
	} else if (s->net == NET_CONTAINER) {
		char *r = net_shared_file(s, "resolv.conf");
		if (r) {
			free(resolv);
			resolv = r;
		}
	}
	if (s->dns || s->dns_search || s->dns_options) {
		char *r = resolv_apply(s, resolv);
		free(resolv);
		resolv = r;
	}
	if (write_file_at(rd, "hosts", hosts, e) < 0 || write_file_at(rd, "resolv.conf", resolv, e) < 0)
		return -1;
	return 0;
}
