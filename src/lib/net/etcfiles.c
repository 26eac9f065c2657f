/* etcfiles.c - the container's /etc/hosts and /etc/resolv.conf (net.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/record/container.h"
#include "net.h"
#include "lib/base/util.h"

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
	if (s->net == NET_HOST && read_file_at(AT_FDCWD, "/etc/hosts", 1 << 20, &host, NULL, NULL) == 0)
		return xasprintf("%s\n127.0.1.1\t%s %s\n", host, s->hostname, s->name);
	return xasprintf("127.0.0.1\tlocalhost localhost.localdomain\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "127.0.1.1\t%s %s\n",
			 s->hostname, s->name);
}

int net_write_etc_files(const struct container_spec *s, struct err *e)
{
	_cleanup_free_ char *hosts = hosts_text(s), *resolv = NULL;
	_cleanup_close_ int rd = open(s->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rd < 0)
		return err_make(e, errno, "opening %s", s->rundir);
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", 1 << 20, &resolv, NULL, e) < 0) {
		err_clear(e);
		resolv = xstrdup("");
	}
	if (s->net == NET_SLIRP) {
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
	if (write_file_at(rd, "hosts", hosts, e) < 0 || write_file_at(rd, "resolv.conf", resolv, e) < 0)
		return -1;
	return 0;
}
