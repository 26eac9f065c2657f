/* netapi.c - fuzz burrow-net's control socket requests (helpers/net/api.c,
 * compiled into this file): each input line is one request, as on_client()
 * hands them to handle(), and the reply must serialize.  The forwards
 * themselves are stand-ins kept in a list (no sockets are opened). */
#include "../../helpers/net/api.c" /* NOLINT(bugprone-suspicious-include): the harness tests its statics */

#include "fuzz.h"

static int stub_ids;

struct watch *watch_add(struct bnet *b, int fd, short events, watch_cb cb, void *data)
{
	(void)b, (void)fd, (void)events, (void)cb, (void)data;
	return NULL;
}

void watch_del(struct bnet *b, struct watch *w)
{
	(void)b, (void)w;
}

uint64_t now_ms(void)
{
	return 0;
}

int fwd_add(struct bnet *b, bool udp, const char *host_addr, uint16_t host_port, uint16_t guest_port,
	    struct in_addr target, enum handler h, struct err *e)
{
	(void)target;
	struct fwd *f;
	struct sockaddr_in *a;
	struct sockaddr_in6 *a6;

	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	a = (struct sockaddr_in *)&f->host;
	a6 = (struct sockaddr_in6 *)&f->host;
	if (host_addr && inet_pton(AF_INET6, host_addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(host_port ? host_port : 40000);
	} else if (!host_addr || inet_pton(AF_INET, host_addr, &a->sin_addr) == 1) {
		a->sin_family = AF_INET;
		a->sin_port = htons(host_port ? host_port : 40000);
	} else {
		free(f);
		return err_make(e, 0, "bad host address \"%s\"", host_addr);
	}
	f->id = ++stub_ids;
	f->udp = udp;
	f->handler = h;
	f->guest_port = guest_port;
	f->next = b->fwds;
	b->fwds = f;
	return f->id;
}

int fwd_remove(struct bnet *b, int id)
{
	for (struct fwd **p = &b->fwds; *p; p = &(*p)->next)
		if ((*p)->id == id) {
			struct fwd *f = *p;

			*p = f->next;
			free(f);
			return 0;
		}
	return -1;
}

uint16_t fwd_host_port(const struct fwd *f)
{
	return f->host.ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)&f->host)->sin6_port)
					     : ntohs(((const struct sockaddr_in *)&f->host)->sin_port);
}

void fwd_usage(struct bnet *b, uint64_t *tcp, uint64_t *udp)
{
	(void)b;
	*tcp = 0;
	*udp = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bnet b;
	char *s, *save = NULL;

	if (size > API_MAX_LINE)
		return 0;
	memset(&b, 0, sizeof(b));
	inet_pton(AF_INET, "10.0.2.100", &b.guest);
	s = fuzz_str(data, size);
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *r = handle(&b, line);
		const char *out = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
									    JSON_C_TO_STRING_NOSLASHESCAPE);

		/* one reply per line: no newline inside it */
		FUZZ_ASSERT(out && !strchr(out, '\n'));
		json_object_put(r);
	}
	while (b.fwds)
		fwd_remove(&b, b.fwds->id);
	free(s);
	return 0;
}
