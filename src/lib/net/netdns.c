/* netdns.c - see netdns.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netdns.h"
#include "network.h"
#include "lib/base/util.h"
#include "lib/record/container.h"

#define DNS_MAX 512
#define FORWARD_TIMEOUT_MS 5000
#define TTL 10
/* the search domain of containers on networks: "db.dns.burrow" is "db" */
#define DNS_DOMAIN "dns.burrow"

/* what a file was when read: a change of any of these is a new file */
struct stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
	bool exists;
};

/* The records as last read (netdns_open: "the cache"): the networks and
 * the containers' configs, each with the stamp of what it was read from.
 * A query stats the two directories and each config.json; any change
 * reads them all again.  A file changed within RACY_MS of the reading may
 * change again with the same timestamps (coarse clocks): such a snapshot
 * serves one query only. */
struct snap {
	bool valid;
	struct stamp nets_dir, ctrs_dir;
	struct network *nets;
	size_t nnets;
	char **ids;
	json_object **cfgs;
	struct stamp *cfg_st;
	size_t n;
};
#define RACY_MS 50

struct netdns {
	int fd;
	char *root, *runroot;
	int forwards; /* running forward threads (atomic) */
	bool cache;   /* BURROW_DNS_CACHE=0: read the records at each query */
	struct snap snap;
};

int netdns_fd(const struct netdns *d)
{
	return d->fd;
}

int netdns_open(struct netdns **out, const char *root, const char *runroot, struct err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct netdns *d;
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return err_make(e, errno, "DNS socket");
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int saved = errno;
		close(fd);
		return err_make(e, saved, "binding the networks' DNS server to port 53");
	}
	d = xcalloc(1, sizeof *d);
	d->fd = fd;
	d->root = xstrdup(root);
	d->runroot = xstrdup(runroot);
	{
		const char *c = getenv("BURROW_DNS_CACHE");
		d->cache = !c || strcmp(c, "0") != 0;
	}
	*out = d;
	return 0;
}

static void snap_free(struct snap *sn)
{
	networks_free(sn->nets, sn->nnets);
	for (size_t i = 0; i < sn->n; i++)
		json_object_put(sn->cfgs[i]);
	free(sn->cfgs);
	free(sn->cfg_st);
	strv_free(sn->ids);
	memset(sn, 0, sizeof *sn);
}

void netdns_close(struct netdns *d)
{
	if (!d)
		return;
	snap_free(&d->snap);
	close(d->fd);
	free(d->root);
	free(d->runroot);
	free(d);
}

/* the question's name, lowercase with dots, and where the question ends */
static int parse_query(const uint8_t *q, size_t len, char name[256], uint16_t *qtype, size_t *qend)
{
	size_t off = 12, n = 0;

	if (len < 12 || (q[2] & 0x80) || (q[2] & 0x78) || q[4] != 0 || q[5] != 1)
		return -1;
	for (;;) {
		uint8_t l;
		if (off >= len)
			return -1;
		l = q[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len || n + l + 1 >= 256)
			return -1;
		if (n)
			name[n++] = '.';
		for (uint8_t i = 0; i < l; i++)
			name[n++] = (char)tolower(q[off + i]);
		off += l;
	}
	name[n] = '\0';
	if (off + 4 > len)
		return -1;
	*qtype = (uint16_t)(q[off] << 8 | q[off + 1]);
	*qend = off + 4;
	return 0;
}

static bool is_member_name(const char *name, const char *id, json_object *cfg, const char *net, char ip[16])
{
	json_object *v, *nets;

	if (!json_object_object_get_ex(cfg, "networks", &nets) || !json_object_is_type(nets, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(nets); i++) {
		json_object *a = json_object_array_get_idx(nets, i), *nm, *addr, *al;
		bool hit;
		if (!json_object_object_get_ex(a, "name", &nm) ||
		    strcmp(json_object_get_string(nm), net) != 0 ||
		    !json_object_object_get_ex(a, "ip", &addr))
			continue;
		hit = strncmp(id, name, 12) == 0 && strlen(name) == 12;
		if (!hit && json_object_object_get_ex(cfg, "name", &v) &&
		    json_object_is_type(v, json_type_string))
			hit = strcasecmp(json_object_get_string(v), name) == 0;
		if (!hit && json_object_object_get_ex(a, "aliases", &al) &&
		    json_object_is_type(al, json_type_array))
			for (size_t k = 0; !hit && k < json_object_array_length(al); k++)
				hit = strcasecmp(json_object_get_string(json_object_array_get_idx(al, k)),
						 name) == 0;
		if (hit) {
			snprintf(ip, 16, "%s", json_object_get_string(addr));
			return true;
		}
	}
	return false;
}

/* the networks of the container at address client on net (none: just net) */
static char **client_networks(char *const *ids, json_object *const *cfgs, const char *net, const char *client)
{
	char **nets = NULL;

	strv_push(&nets, net);
	for (size_t i = 0; client && ids[i]; i++) {
		json_object *a;
		bool is_client = false;

		if (!cfgs[i] || !json_object_object_get_ex(cfgs[i], "networks", &a) ||
		    !json_object_is_type(a, json_type_array))
			continue;
		for (size_t k = 0; k < json_object_array_length(a) && !is_client; k++) {
			json_object *o = json_object_array_get_idx(a, k), *nm, *ip;
			is_client = json_object_object_get_ex(o, "name", &nm) &&
				    json_object_object_get_ex(o, "ip", &ip) &&
				    strcmp(json_object_get_string(nm), net) == 0 &&
				    strcmp(json_object_get_string(ip), client) == 0;
		}
		for (size_t k = 0; is_client && k < json_object_array_length(a); k++) {
			json_object *nm;
			if (json_object_object_get_ex(json_object_array_get_idx(a, k), "name", &nm) &&
			    strcmp(json_object_get_string(nm), net) != 0)
				strv_push(&nets, json_object_get_string(nm));
		}
		if (is_client)
			break;
	}
	return nets;
}

static void stamp_of(const char *path, struct stamp *st)
{
	struct stat sb;

	memset(st, 0, sizeof *st);
	if (stat(path, &sb) < 0)
		return;
	st->exists = true;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = sb.st_size;
	st->mtim = sb.st_mtim;
	st->ctim = sb.st_ctim;
}

static bool stamp_eq(const struct stamp *a, const struct stamp *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec &&
	       a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* changed within RACY_MS before now (or after it) */
static bool stamp_racy(const struct stamp *st, const struct timespec *now)
{
	long long t = (long long)st->ctim.tv_sec * 1000 + st->ctim.tv_nsec / 1000000;
	long long n = (long long)now->tv_sec * 1000 + now->tv_nsec / 1000000;

	return st->exists && t > n - RACY_MS;
}

static char *cfg_path(const char *root, const char *id)
{
	return xasprintf("%s/containers/%s/config.json", root, id);
}

/* Read the records into sn.  The stamps are taken before the reading, so
 * a change meanwhile shows at the next check. */
static void snap_read(const char *root, struct snap *sn)
{
	_cleanup_free_ char *nd = xasprintf("%s/networks", root), *cd = xasprintf("%s/containers", root);
	struct err e = ERR_INIT;
	struct timespec now;
	bool racy;

	snap_free(sn);
	stamp_of(nd, &sn->nets_dir);
	stamp_of(cd, &sn->ctrs_dir);
	if (network_list(root, &sn->nets, &sn->nnets, &e) < 0)
		err_clear(&e);
	if (container_list(root, &sn->ids, &e) < 0) {
		err_clear(&e);
		sn->ids = xcalloc(1, sizeof(char *));
	}
	sn->n = strv_len(sn->ids);
	sn->cfgs = xcalloc(sn->n + 1, sizeof *sn->cfgs);
	sn->cfg_st = xcalloc(sn->n + 1, sizeof *sn->cfg_st);
	for (size_t i = 0; i < sn->n; i++) {
		_cleanup_free_ char *p = cfg_path(root, sn->ids[i]);
		stamp_of(p, &sn->cfg_st[i]);
		if (container_read_config(root, sn->ids[i], &sn->cfgs[i], &e) < 0)
			err_clear(&e);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	racy = stamp_racy(&sn->nets_dir, &now) || stamp_racy(&sn->ctrs_dir, &now);
	for (size_t i = 0; i < sn->n && !racy; i++)
		racy = stamp_racy(&sn->cfg_st[i], &now);
	sn->valid = !racy;
}

/* Is sn still what the records say? */
static bool snap_fresh(const char *root, const struct snap *sn)
{
	_cleanup_free_ char *nd = xasprintf("%s/networks", root), *cd = xasprintf("%s/containers", root);
	struct stamp st;

	if (!sn->valid)
		return false;
	stamp_of(nd, &st);
	if (!stamp_eq(&st, &sn->nets_dir))
		return false;
	stamp_of(cd, &st);
	if (!stamp_eq(&st, &sn->ctrs_dir))
		return false;
	for (size_t i = 0; i < sn->n; i++) {
		_cleanup_free_ char *p = cfg_path(root, sn->ids[i]);
		stamp_of(p, &st);
		if (!stamp_eq(&st, &sn->cfg_st[i]))
			return false;
	}
	return true;
}

/* the address of name on net, or on another network of the asking
 * container (client, an address on net): a started member's */
static bool lookup(const struct snap *sn, const char *runroot, const char *net, const char *client,
		   const char *name, char ip[16])
{
	_cleanup_strv_ char **nets = client_networks(sn->ids, sn->cfgs, net, client);
	bool found = false;

	for (size_t k = 0; nets[k] && !found; k++) {
		for (size_t i = 0; i < sn->n && !found; i++) {
			if (sn->cfgs[i] && is_member_name(name, sn->ids[i], sn->cfgs[i], nets[k], ip)) {
				_cleanup_free_ char *rd = xasprintf("%s/containers/%s", runroot, sn->ids[i]);
				found = access(rd, F_OK) == 0;
			}
		}
	}
	return found;
}

static int answer(const struct snap *sn, const char *runroot, const char *net, const char *client,
		  const uint8_t *q, size_t len, uint8_t *out, size_t *outlen)
{
	char name[256], ip[16];
	uint16_t qtype;
	size_t qend, dl = strlen(DNS_DOMAIN), nl;
	struct in_addr a;

	if (parse_query(q, len, name, &qtype, &qend) < 0 || qend + 16 > DNS_MAX)
		return -1;
	nl = strlen(name);
	if (nl > dl + 1 && strcmp(name + nl - dl, DNS_DOMAIN) == 0 && name[nl - dl - 1] == '.')
		name[nl - dl - 1] = '\0';
	if (strchr(name, '.') || !lookup(sn, runroot, net, client, name, ip) ||
	    inet_pton(AF_INET, ip, &a) != 1)
		return 0;
	memcpy(out, q, qend);
	out[2] = (uint8_t)(0x84 | (q[2] & 0x01)); /* QR, AA, RD as asked */
	out[3] = 0x80;                            /* RA, NOERROR */
	out[6] = out[7] = out[8] = out[9] = out[10] = out[11] = 0;
	*outlen = qend;
	if (qtype == 1 || qtype == 255) {
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, TTL, 0, 4 };
		memcpy(out + qend, rr, sizeof rr);
		memcpy(out + qend + sizeof rr, &a.s_addr, 4);
		*outlen = qend + sizeof rr + 4;
		out[7] = 1;
	}
	/* AAAA and the rest: the name exists, with no such record */
	return 1;
}

int netdns_answer(const char *root, const char *runroot, const char *net, const char *client,
		  const uint8_t *q, size_t len, uint8_t *out, size_t *outlen)
{
	struct snap sn = { 0 };
	int r;

	snap_read(root, &sn);
	r = answer(&sn, runroot, net, client, q, len, out, outlen);
	snap_free(&sn);
	return r;
}

static void reply(int fd, const void *buf, size_t len, const struct sockaddr_in *to, struct in_addr from)
{
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_name = (void *)to,
			     .msg_namelen = sizeof *to,
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof cbuf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo pi = { .ipi_spec_dst = from };

	memset(cbuf, 0, sizeof cbuf);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof pi);
	memcpy(CMSG_DATA(c), &pi, sizeof pi);
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
		/* the client is gone: nothing to tell */
	}
}

struct forward {
	struct netdns *d;
	uint8_t q[DNS_MAX];
	size_t len;
	struct sockaddr_in client;
	struct in_addr local;
};

static void *forward_thread(void *arg)
{
	struct forward *f = arg;
	struct sockaddr_in up = { .sin_family = AF_INET,
				  .sin_port = htons(53),
				  .sin_addr.s_addr = htonl(NETDNS_UPSTREAM) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t buf[4096];

	if (fd >= 0 && connect(fd, (struct sockaddr *)&up, sizeof up) == 0 && send(fd, f->q, f->len, 0) > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, FORWARD_TIMEOUT_MS) == 1) {
			ssize_t n = recv(fd, buf, sizeof buf, 0);
			if (n > 0)
				reply(f->d->fd, buf, (size_t)n, &f->client, f->local);
		}
	}
	if (fd >= 0)
		close(fd);
	__atomic_sub_fetch(&f->d->forwards, 1, __ATOMIC_RELAXED);
	free(f);
	return NULL;
}

/* the network whose gateway is addr */
static const char *network_at(const struct snap *sn, struct in_addr addr)
{
	for (size_t i = 0; i < sn->nnets; i++)
		if (sn->nets[i].gateway == ntohl(addr.s_addr) && sn->nets[i].dns)
			return sn->nets[i].name;
	return NULL;
}

void netdns_input(struct netdns *d)
{
	for (;;) {
		uint8_t q[DNS_MAX], out[DNS_MAX];
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct sockaddr_in from;
		struct iovec iov = { .iov_base = q, .iov_len = sizeof q };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof from,
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof cbuf };
		struct in_addr local = { 0 };
		const char *net;
		size_t outlen = 0;
		ssize_t n = recvmsg(d->fd, &mh, 0);
		int r;

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				local = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
		if (!d->cache || !snap_fresh(d->root, &d->snap))
			snap_read(d->root, &d->snap);
		net = network_at(&d->snap, local);
		if (!net)
			continue; /* not a gateway of a network with DNS */
		{
			char client[16];
			inet_ntop(AF_INET, &from.sin_addr, client, sizeof client);
			r = answer(&d->snap, d->runroot, net, client, q, (size_t)n, out, &outlen);
		}
		if (r < 0)
			continue;
		if (r > 0) {
			reply(d->fd, out, outlen, &from, local);
			continue;
		}
		if (__atomic_add_fetch(&d->forwards, 1, __ATOMIC_RELAXED) > NETDNS_FORWARDS) {
			__atomic_sub_fetch(&d->forwards, 1, __ATOMIC_RELAXED);
			continue;
		}
		{
			struct forward *f = xcalloc(1, sizeof *f);
			pthread_t t;
			pthread_attr_t at;

			f->d = d;
			memcpy(f->q, q, (size_t)n);
			f->len = (size_t)n;
			f->client = from;
			f->local = local;
			pthread_attr_init(&at);
			pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
			if (pthread_create(&t, &at, forward_thread, f) != 0) {
				__atomic_sub_fetch(&d->forwards, 1, __ATOMIC_RELAXED);
				free(f);
			}
			pthread_attr_destroy(&at);
		}
	}
}
