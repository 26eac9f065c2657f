/* netlink.c - see netlink.h */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"

#define NL_BUF 4096

struct req {
	struct nlmsghdr *h;
	char buf[NL_BUF];
};

static void req_init(struct req *r, uint16_t type, uint16_t flags, const void *body, size_t len)
{
	memset(r->buf, 0, sizeof r->buf);
	r->h = (struct nlmsghdr *)r->buf;
	r->h->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	r->h->nlmsg_type = type;
	r->h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->h->nlmsg_seq = 1;
	memcpy(NLMSG_DATA(r->h), body, len);
}

static struct rtattr *attr(struct req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (uint16_t)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->h->nlmsg_len) + RTA_ALIGN(a->rta_len));
	return a;
}

static void attr_u32(struct req *r, uint16_t type, uint32_t v)
{
	attr(r, type, &v, sizeof v);
}

static void attr_str(struct req *r, uint16_t type, const char *s)
{
	attr(r, type, s, strlen(s) + 1);
}

static void attr_in4(struct req *r, uint16_t type, uint32_t a)
{
	uint32_t n = htonl(a);
	attr(r, type, &n, sizeof n);
}

/* a nest: opened with no payload, closed at the current end */
static struct rtattr *nest(struct req *r, uint16_t type)
{
	return attr(r, type, NULL, 0);
}

static void nest_end(struct req *r, struct rtattr *a)
{
	a->rta_len = (uint16_t)(r->buf + r->h->nlmsg_len - (char *)a);
}

/* send and read the ack: 0 or -errno */
static int talk(int nl, struct req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[NL_BUF];
	ssize_t n;

	if (sendto(nl, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -errno;
	for (;;) {
		n = recv(nl, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = NLMSG_DATA(h);
				return ne->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
		}
	}
}

int nl_open(struct err *e)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0)
		return err_make(e, errno, "opening a netlink socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int saved = errno;
		close(fd);
		return err_make(e, saved, "binding a netlink socket");
	}
	return fd;
}

int nl_ifindex(int nl, const char *name)
{
	/* SIOCGIFINDEX works on any socket of the namespace */
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int idx = 0;

	(void)nl;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (fd >= 0 && ioctl(fd, SIOCGIFINDEX, &ifr) == 0)
		idx = ifr.ifr_ifindex;
	if (fd >= 0)
		close(fd);
	return idx;
}

int nl_bridge(int nl, const char *name, unsigned mtu, int *index, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct req r;
	struct rtattr *li;
	int rc;

	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	attr_str(&r, IFLA_IFNAME, name);
	if (mtu)
		attr_u32(&r, IFLA_MTU, mtu);
	li = nest(&r, IFLA_LINKINFO);
	attr_str(&r, IFLA_INFO_KIND, "bridge");
	nest_end(&r, li);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -EEXIST)
		return err_make(e, -rc, "creating bridge %s", name);
	*index = nl_ifindex(nl, name);
	if (*index <= 0)
		return err_make(e, ENODEV, "bridge %s", name);
	return nl_link_up(nl, *index, e);
}

int nl_veth(int nl, const char *name, int master, const char *peer, int netns_fd, const char *mac,
	    unsigned mtu, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	unsigned char hw[6];
	struct req r;
	struct rtattr *li, *data, *p;
	int rc;

	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &hw[0], &hw[1], &hw[2], &hw[3], &hw[4], &hw[5]) != 6)
		return err_make(e, EINVAL, "MAC address %s", mac);
	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	attr_str(&r, IFLA_IFNAME, name);
	attr_u32(&r, IFLA_MASTER, (uint32_t)master);
	if (mtu)
		attr_u32(&r, IFLA_MTU, mtu);
	li = nest(&r, IFLA_LINKINFO);
	attr_str(&r, IFLA_INFO_KIND, "veth");
	data = nest(&r, IFLA_INFO_DATA);
	p = attr(&r, VETH_INFO_PEER, &pifi, sizeof pifi);
	attr_str(&r, IFLA_IFNAME, peer);
	attr(&r, IFLA_ADDRESS, hw, sizeof hw);
	attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (mtu)
		attr_u32(&r, IFLA_MTU, mtu);
	nest_end(&r, p);
	nest_end(&r, data);
	nest_end(&r, li);
	rc = talk(nl, &r);
	if (rc < 0)
		return err_make(e, -rc, "creating veth pair %s/%s", name, peer);
	return 0;
}

int nl_link_up(int nl, int index, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = index,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct req r;
	int rc;

	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	rc = talk(nl, &r);
	if (rc < 0)
		return err_make(e, -rc, "bringing up interface %d", index);
	return 0;
}

int nl_addr(int nl, int index, uint32_t addr, unsigned bits, struct err *e)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET,
				 .ifa_prefixlen = (unsigned char)bits,
				 .ifa_index = (unsigned)index,
				 .ifa_scope = RT_SCOPE_UNIVERSE };
	struct req r;
	int rc;

	req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	attr_in4(&r, IFA_LOCAL, addr);
	attr_in4(&r, IFA_ADDRESS, addr);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -EEXIST) {
		char a[16];
		uint32_t n = htonl(addr);
		inet_ntop(AF_INET, &n, a, sizeof a);
		return err_make(e, -rc, "adding address %s/%u", a, bits);
	}
	return 0;
}

int nl_route(int nl, uint32_t dst, unsigned bits, uint32_t gw, int oif, uint32_t table, struct err *e)
{
	struct rtmsg rt = { .rtm_family = AF_INET,
			    .rtm_dst_len = (unsigned char)bits,
			    .rtm_table = table < 256 ? (unsigned char)(table ? table : RT_TABLE_MAIN)
						     : RT_TABLE_UNSPEC,
			    .rtm_protocol = RTPROT_BOOT,
			    .rtm_scope = gw || !oif ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
			    .rtm_type = gw || oif ? RTN_UNICAST : RTN_UNREACHABLE,
			    .rtm_flags = gw && oif ? RTNH_F_ONLINK : 0 };
	struct req r;
	int rc;

	req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
	if (bits)
		attr_in4(&r, RTA_DST, dst);
	if (gw)
		attr_in4(&r, RTA_GATEWAY, gw);
	if (oif)
		attr_u32(&r, RTA_OIF, (uint32_t)oif);
	if (table >= 256)
		attr_u32(&r, RTA_TABLE, table);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -EEXIST)
		return err_make(e, -rc, "adding a route (table %u)", table);
	return 0;
}

int nl_rule(int nl, uint32_t src, unsigned bits, uint32_t table, uint32_t prio, struct err *e)
{
	struct fib_rule_hdr fr = { .family = AF_INET,
				   .src_len = (unsigned char)bits,
				   .action = FR_ACT_TO_TBL,
				   .table = RT_TABLE_UNSPEC };
	struct req r;
	int rc;

	req_init(&r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &fr, sizeof fr);
	attr_in4(&r, FRA_SRC, src);
	attr_u32(&r, FRA_TABLE, table);
	attr_u32(&r, FRA_PRIORITY, prio);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -EEXIST)
		return err_make(e, -rc, "adding a routing rule (table %u)", table);
	return 0;
}

int nl_link_del(int nl, const char *name, struct err *e)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct req r;
	int rc;

	req_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
	attr_str(&r, IFLA_IFNAME, name);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -ENODEV)
		return err_make(e, -rc, "removing interface %s", name);
	return 0;
}

int nl_table_drop(int nl, uint32_t src, unsigned bits, uint32_t table, uint32_t prio, struct err *e)
{
	struct fib_rule_hdr fr = { .family = AF_INET,
				   .src_len = (unsigned char)bits,
				   .action = FR_ACT_TO_TBL,
				   .table = RT_TABLE_UNSPEC };
	struct req r;
	int rc;

	req_init(&r, RTM_DELRULE, 0, &fr, sizeof fr);
	attr_in4(&r, FRA_SRC, src);
	attr_u32(&r, FRA_TABLE, table);
	attr_u32(&r, FRA_PRIORITY, prio);
	rc = talk(nl, &r);
	if (rc < 0 && rc != -ENOENT && rc != -ESRCH)
		return err_make(e, -rc, "removing a routing rule (table %u)", table);
	/* every default route of the table, whatever its type and scope */
	for (int i = 0; i < 16; i++) {
		struct rtmsg rt = { .rtm_family = AF_INET,
				    .rtm_table = RT_TABLE_UNSPEC,
				    .rtm_scope = RT_SCOPE_NOWHERE };

		req_init(&r, RTM_DELROUTE, 0, &rt, sizeof rt);
		attr_u32(&r, RTA_TABLE, table);
		rc = talk(nl, &r);
		if (rc == -ESRCH || rc == -ENOENT)
			return 0;
		if (rc < 0)
			return err_make(e, -rc, "removing a route (table %u)", table);
	}
	return 0;
}
