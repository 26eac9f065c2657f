/* dns.c - fuzz burrow-net's DNS proxy (helpers/net/dns.c, compiled into
 * this file): the frames it takes out of the tap stream, and the answers
 * it turns back into frames.
 *
 * Input: two bytes (big-endian) giving the length of a frame from the
 * guest, the frame, then the bytes a nameserver answers with.  The
 * nameserver is a UDP socket of ours on 127.0.0.1; when dns_input() sends
 * a query there, the answer goes back to the query's socket and
 * on_answer() runs, as poll would have it.  Frames written to "tap0" are
 * checked for their length. */
#include "../../helpers/net/dns.c" /* NOLINT(bugprone-suspicious-include): the harness tests its statics */

#include "fuzz.h"
#include "lib/record/netspec.h"

static int server = -1;
static struct watch watches[MAX_PENDING + 8];
static size_t nwatches;

struct watch *watch_add(struct bnet *b, int fd, short events, watch_cb cb, void *data)
{
	struct watch *w = &watches[nwatches++ % (sizeof(watches) / sizeof(watches[0]))];

	(void)b;
	w->fd = fd, w->events = events, w->cb = cb, w->data = data, w->dead = false;
	return w;
}

void watch_del(struct bnet *b, struct watch *w)
{
	(void)b;
	w->dead = true;
}

uint64_t now_ms(void)
{
	return 1;
}

void tap_send(struct bnet *b, const void *buf, size_t len)
{
	const uint8_t *f = buf;

	FUZZ_ASSERT(len >= 42 && len <= b->mtu + 14);
	/* an IPv4 UDP frame whose lengths agree with what was sent */
	FUZZ_ASSERT(f[12] == 0x08 && f[13] == 0 && (size_t)(f[16] << 8 | f[17]) == len - 14);
	FUZZ_ASSERT((size_t)(f[38] << 8 | f[39]) == len - 34);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bnet b;
	struct dns *d;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	size_t flen;

	if (size < 3)
		return 0;
	if (server < 0) {
		server = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (server < 0 || bind(server, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			abort();
	}
	memset(&b, 0, sizeof(b));
	b.mtu = NET_MTU_MIN + (unsigned)data[2] * 256 % (NET_MTU_MAX - NET_MTU_MIN);
	inet_pton(AF_INET, "10.0.2.3", &b.dns);
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	b.dns_state = d;
	if (getsockname(server, (struct sockaddr *)&d->servers[0], &sl) < 0)
		abort();
	d->lens[0] = sl;
	d->nservers = 1;
	flen = (size_t)(data[0] << 8 | data[1]);
	data += 3, size -= 3;
	if (flen > size)
		flen = size;
	{
		/* an exact-size copy, so reads past the frame are caught */
		uint8_t *frame = malloc(flen ? flen : 1);

		if (!frame)
			abort();
		memcpy(frame, data, flen);
		(void)dns_input(&b, frame, flen);
		free(frame);
	}
	if (d->pending && d->pending->w && !d->pending->w->dead) {
		struct query *q = d->pending;
		uint8_t buf[4096];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n >= 0) {
			size_t alen = size - flen;
			uint8_t *ans = malloc(alen + 2);

			if (!ans)
				abort();
			/* the answer carries the query's id, then the fuzzed bytes */
			memcpy(ans, q->q, 2);
			memcpy(ans + 2, data + flen, alen);
			if (sendto(server, ans, alen + 2, 0, (struct sockaddr *)&from, fl) >= 0)
				on_answer(&b, q->w, POLLIN);
			free(ans);
		}
	}
	while (d->pending)
		query_free(&b, d->pending);
	free(d);
	return 0;
}
