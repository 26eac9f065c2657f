/* dns.c - the DNS address of the guest network (.3), served by a small
 * proxy in front of libslirp.
 *
 * libslirp forwards .3 to the first nameserver of the host's
 * /etc/resolv.conf by itself, but it cannot reach a resolver on the host's
 * loopback (systemd-resolved's 127.0.0.53, dnsmasq on 127.0.0.1) when host
 * loopback is disabled, and it cannot be pointed at another file.  So UDP
 * frames for .3:53 are taken out of the tap stream before slirp_input():
 * the query goes out of a host UDP socket to the nameservers of
 * --resolv-conf (each in turn, 2.5 s apiece), and the answer comes back as
 * an Ethernet/IPv4/UDP frame from .3:53 written to tap0.  The proxy is part
 * of the helper on purpose: the host's resolver is reachable even when
 * the container may not reach the rest of the host's loopback.
 *
 * "nameserver 127.0.0.1:5353" (IPv4 address with a port) is accepted so the
 * tests can run a resolver without privileges. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bnet.h"

#define MAX_SERVERS 4
#define MAX_PENDING 256
#define TRY_MS 2500

struct query {
	int fd;
	struct watch *w;
	uint8_t guest_mac[6], our_mac[6];
	uint32_t guest_ip;   /* network order */
	uint16_t guest_port; /* network order */
	uint8_t *q;
	size_t qlen;
	int server;
	uint64_t deadline;
	struct query *next;
};

struct dns {
	struct sockaddr_storage servers[MAX_SERVERS];
	socklen_t lens[MAX_SERVERS];
	int nservers;
	struct query *pending;
	int npending;
};

static int parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char buf[128], *colon;

	memset(ss, 0, sizeof(*ss));
	snprintf(buf, sizeof(buf), "%s", s);
	if (inet_pton(AF_INET6, buf, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(53);
		*len = sizeof(*a6);
		return 0;
	}
	a->sin_family = AF_INET;
	a->sin_port = htons(53);
	*len = sizeof(*a);
	colon = strchr(buf, ':');
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (*end || p < 1 || p > 65535)
			return -1;
		a->sin_port = htons((uint16_t)p);
		*colon = '\0';
	}
	return inet_pton(AF_INET, buf, &a->sin_addr) == 1 ? 0 : -1;
}

int dns_init(struct bnet *b, struct err *e)
{
	const char *path = b->resolv_conf ? b->resolv_conf : "/etc/resolv.conf";
	struct dns *d = calloc(1, sizeof(*d));
	FILE *f;
	char line[512];

	if (!d)
		abort();
	b->dns_state = d;
	f = fopen(path, "re");
	if (!f) {
		if (b->resolv_conf)
			return err_make(e, errno, "--resolv-conf %s", path);
		return 0; /* no resolv.conf: leave DNS to libslirp */
	}
	while (fgets(line, sizeof(line), f) && d->nservers < MAX_SERVERS) {
		char kw[32], val[128];

		if (sscanf(line, "%31s %127s", kw, val) != 2 || strcmp(kw, "nameserver") != 0)
			continue;
		if (parse_server(val, &d->servers[d->nservers], &d->lens[d->nservers]) == 0)
			d->nservers++;
	}
	fclose(f);
	return 0;
}

static void query_free(struct bnet *b, struct query *q)
{
	struct dns *d = b->dns_state;

	for (struct query **p = &d->pending; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	d->npending--;
	if (q->w)
		watch_del(b, q->w);
	if (q->fd >= 0)
		close(q->fd);
	free(q->q);
	free(q);
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void on_answer(struct bnet *b, struct watch *w, short revents);

/* Send q to server q->server; false when no server is left. */
static bool query_send(struct bnet *b, struct query *q)
{
	struct dns *d = b->dns_state;

	while (q->server < d->nservers) {
		const struct sockaddr_storage *ss = &d->servers[q->server];

		if (q->w)
			watch_del(b, q->w);
		if (q->fd >= 0)
			close(q->fd);
		q->w = NULL;
		q->fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (q->fd >= 0 && connect(q->fd, (const struct sockaddr *)ss, d->lens[q->server]) == 0 &&
		    send(q->fd, q->q, q->qlen, 0) == (ssize_t)q->qlen) {
			q->w = watch_add(b, q->fd, POLLIN, on_answer, q);
			q->deadline = now_ms() + TRY_MS;
			want_sweep(b, TRY_MS);
			return true;
		}
		q->server++;
	}
	return false;
}

static void on_answer(struct bnet *b, struct watch *w, short revents)
{
	struct query *q = w->data;
	uint8_t frame[14 + 20 + 8 + 4096];
	uint8_t *ip = frame + 14, *udp = ip + 20, *payload = udp + 8;
	ssize_t n;

	(void)revents;
	n = recv(q->fd, payload, sizeof(frame) - 42, 0);
	if (n < 2 || memcmp(payload, q->q, 2) != 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n >= 0)
			return; /* not our id: keep waiting */
		/* ECONNREFUSED and friends: next server */
		q->server++;
		if (!query_send(b, q))
			query_free(b, q);
		return;
	}
	if ((size_t)n + 28 > b->mtu) {
		/* would need fragments: set TC so the client retries over TCP */
		n = (ssize_t)(b->mtu - 28);
		payload[2] |= 0x02;
	}
	memcpy(frame, q->guest_mac, 6);
	memcpy(frame + 6, q->our_mac, 6);
	frame[12] = 0x08, frame[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + n) >> 8), ip[3] = (uint8_t)(20 + 8 + n);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &b->dns.s_addr, 4);
	memcpy(ip + 16, &q->guest_ip, 4);
	uint16_t ck = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(ck >> 8), ip[11] = (uint8_t)ck;
	udp[0] = 0, udp[1] = 53;
	memcpy(udp + 2, &q->guest_port, 2);
	udp[4] = (uint8_t)((8 + n) >> 8), udp[5] = (uint8_t)(8 + n);
	udp[6] = udp[7] = 0; /* no checksum (allowed over IPv4) */
	tap_send(b, frame, (size_t)(42 + n));
	query_free(b, q);
}

bool dns_input(struct bnet *b, const uint8_t *f, size_t len)
{
	struct dns *d = b->dns_state;
	const uint8_t *ip = f + 14, *udp;
	size_t ihl, tot, ulen;
	struct query *q;

	if (!d || d->nservers == 0 || len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00)
		return false;
	if ((ip[0] >> 4) != 4 || ip[9] != 17 || memcmp(ip + 16, &b->dns.s_addr, 4) != 0)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = (size_t)(ip[2] << 8 | ip[3]);
	if (ihl < 20 || tot > len - 14 || tot < ihl + 8 || ((ip[6] << 8 | ip[7]) & 0x3fff))
		return false;
	udp = ip + ihl;
	if (udp[2] != 0 || udp[3] != 53)
		return false;
	ulen = (size_t)(udp[4] << 8 | udp[5]);
	if (ulen < 8 + 12 || ulen > tot - ihl)
		return true; /* to .3:53 but not a DNS query: drop */
	if (d->npending >= MAX_PENDING)
		return true;
	q = calloc(1, sizeof(*q));
	if (!q)
		abort();
	q->fd = -1;
	memcpy(q->guest_mac, f + 6, 6);
	memcpy(q->our_mac, f, 6);
	memcpy(&q->guest_ip, ip + 12, 4);
	memcpy(&q->guest_port, udp, 2);
	q->qlen = ulen - 8;
	q->q = malloc(q->qlen);
	if (!q->q)
		abort();
	memcpy(q->q, udp + 8, q->qlen);
	q->next = d->pending;
	d->pending = q;
	d->npending++;
	if (!query_send(b, q))
		query_free(b, q);
	return true;
}

void dns_sweep(struct bnet *b)
{
	struct dns *d = b->dns_state;
	uint64_t now = now_ms();
	struct query *q, *next;

	if (!d)
		return;
	for (q = d->pending; q; q = next) {
		next = q->next;
		if (q->deadline > now)
			continue;
		q->server++;
		if (!query_send(b, q))
			query_free(b, q);
	}
	if (d->pending)
		want_sweep(b, TRY_MS);
}

void dns_free(struct bnet *b)
{
	struct dns *d = b->dns_state;

	if (!d)
		return;
	/* query_free() unlinks the query from b->dns_state, which is d; the
	 * analyzer forgets that b->dns_state == d after one call */
	while (d->pending)
		query_free(b, d->pending); // NOLINT(clang-analyzer-unix.Malloc): see above
	free(d);
	b->dns_state = NULL;
}
