/* api.c - the JSON control socket: one request per line, one reply per line
 * (see main.c for the requests).
 *
 * Clients are non-blocking: replies queue in the client's out buffer and
 * go as the socket takes them.  A client that sends requests and does not
 * read its replies stops being read once API_MAX_OUT bytes wait for it, so
 * it can only stall itself, never the loop that moves the container's
 * packets.  At most lim.api_clients at once (bnet.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "bnet.h"

#define API_MAX_LINE (64 * 1024)
#define API_MAX_OUT (64 * 1024)

struct client {
	char *buf; /* input not yet handled */
	size_t len;
	char *out; /* replies not yet sent: out[off..olen) */
	size_t olen, off;
};

static struct watch *listener;
static unsigned nclients;

static json_object *error_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_object *error_reply(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_object *r = json_object_new_object(), *e = json_object_new_object();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(e, "desc", json_object_new_string(msg));
	json_object_object_add(r, "error", e);
	return r;
}

static json_object *ok_reply(json_object *ret)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "return", ret ? ret : json_object_new_object());
	return r;
}

static const char *str_arg(json_object *args, const char *k)
{
	json_object *v;

	return args && json_object_object_get_ex(args, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static int int_arg(json_object *args, const char *k, int def)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, k, &v))
		return def;
	if (!json_object_is_type(v, json_type_int))
		return -2;
	return json_object_get_int(v);
}

static json_object *do_add(struct bnet *b, json_object *args)
{
	const char *proto = str_arg(args, "proto"), *addr = str_arg(args, "host_addr");
	const char *handler = str_arg(args, "handler");
	int hp = int_arg(args, "host_port", -1), gp = int_arg(args, "guest_port", -1);
	enum handler h = b->handler;
	struct in_addr target = { 0 };
	struct err e = ERR_INIT;
	int id;

	if (proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return error_reply("bad proto \"%s\" (tcp or udp)", proto);
	if (hp < 0 || hp > 65535 || gp < 1 || gp > 65535)
		return error_reply("host_port (0-65535) and guest_port (1-65535) are required numbers");
	if (addr && (!*addr || strcmp(addr, "0.0.0.0") == 0))
		addr = NULL;
	if (handler) {
		if (strcmp(handler, "fast") == 0)
			h = H_FAST;
		else if (strcmp(handler, "slirp") == 0 || strcmp(handler, "slirp4netns") == 0)
			h = H_SLIRP;
		else if (strcmp(handler, "direct") == 0)
			h = H_DIRECT;
		else
			return error_reply("bad handler \"%s\" (fast, slirp or direct)", handler);
	}
	/* another address than the guest's: a container on a bridge of the
	 * namespace, reached by the fast handler */
	if (str_arg(args, "guest_addr") && strcmp(str_arg(args, "guest_addr"), inet_ntoa(b->guest)) != 0) {
		if (inet_pton(AF_INET, str_arg(args, "guest_addr"), &target) != 1)
			return error_reply("bad guest_addr \"%s\"", str_arg(args, "guest_addr"));
		if (h == H_SLIRP)
			return error_reply("guest_addr other than %s needs the fast handler",
					   inet_ntoa(b->guest));
	}
	id = fwd_add(b, proto && strcmp(proto, "udp") == 0, addr, (uint16_t)hp, (uint16_t)gp, target, h, &e);
	if (id < 0) {
		json_object *r = error_reply("%s", e.msg);
		err_clear(&e);
		return r;
	}
	json_object *r = json_object_new_object();
	json_object_object_add(r, "id", json_object_new_int(id));
	for (struct fwd *f = b->fwds; f; f = f->next)
		if (f->id == id)
			json_object_object_add(r, "host_port", json_object_new_int(fwd_host_port(f)));
	return ok_reply(r);
}

static json_object *do_list(struct bnet *b)
{
	json_object *arr = json_object_new_array(), *r = json_object_new_object();
	char ip[INET6_ADDRSTRLEN];

	for (struct fwd *f = b->fwds; f; f = f->next) {
		json_object *o = json_object_new_object();

		if (f->host.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&f->host)->sin6_addr, ip, sizeof(ip));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&f->host)->sin_addr, ip, sizeof(ip));
		json_object_object_add(o, "id", json_object_new_int(f->id));
		json_object_object_add(o, "proto", json_object_new_string(f->udp ? "udp" : "tcp"));
		json_object_object_add(o, "host_addr", json_object_new_string(ip));
		json_object_object_add(o, "host_port", json_object_new_int(fwd_host_port(f)));
		json_object_object_add(o, "guest_addr", json_object_new_string(inet_ntoa(b->guest)));
		json_object_object_add(o, "guest_port", json_object_new_int(f->guest_port));
		json_object_object_add(o, "handler",
				       json_object_new_string(f->handler == H_SLIRP    ? "slirp"
							      : f->handler == H_DIRECT ? "direct"
										       : "fast"));
		if (f->handler == H_DIRECT)
			json_object_object_add(o, "switched", json_object_new_boolean(f->switched));
		json_object_array_add(arr, o);
	}
	json_object_object_add(r, "entries", arr);
	return ok_reply(r);
}

static json_object *do_counters(struct bnet *b)
{
	json_object *r = json_object_new_object();
	uint64_t tcp, udp;

#define ADD(k) \
	json_object_object_add(r, #k, \
			       json_object_new_int64((int64_t)__atomic_load_n(&b->cnt.k, __ATOMIC_RELAXED)))
	ADD(rx_bytes);
	ADD(tx_bytes);
	ADD(rx_packets);
	ADD(tx_packets);
#undef ADD
	fwd_usage(b, &tcp, &udp);
	json_object_object_add(r, "tcp_connections", json_object_new_int64((int64_t)tcp));
	json_object_object_add(r, "udp_flows", json_object_new_int64((int64_t)udp));
	return ok_reply(r);
}

static json_object *handle(struct bnet *b, const char *line)
{
	json_object *req = json_tokener_parse(line), *ex, *args = NULL, *reply;
	const char *cmd;

	if (!req || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return error_reply("bad request: not a JSON object");
	}
	if (!json_object_object_get_ex(req, "execute", &ex) || !json_object_is_type(ex, json_type_string)) {
		json_object_put(req);
		return error_reply("bad request: no \"execute\"");
	}
	cmd = json_object_get_string(ex);
	json_object_object_get_ex(req, "arguments", &args);
	if (args && !json_object_is_type(args, json_type_object))
		reply = error_reply("\"arguments\" must be an object");
	else if (strcmp(cmd, "add_hostfwd") == 0)
		reply = do_add(b, args);
	else if (strcmp(cmd, "list_hostfwd") == 0)
		reply = do_list(b);
	else if (strcmp(cmd, "remove_hostfwd") == 0) {
		int id = int_arg(args, "id", -1);

		if (id < 0)
			reply = error_reply("remove_hostfwd needs a numeric \"id\"");
		else if (fwd_remove(b, id) < 0)
			reply = error_reply("no forward with id %d", id);
		else
			reply = ok_reply(NULL);
	} else if (strcmp(cmd, "get_counters") == 0)
		reply = do_counters(b);
	else
		reply = error_reply("unknown command \"%s\" (add_hostfwd, list_hostfwd, "
				    "remove_hostfwd, get_counters)",
				    cmd);
	json_object_put(req);
	return reply;
}

static void client_close(struct bnet *b, struct watch *w)
{
	struct client *c = w->data;

	free(c->buf);
	free(c->out);
	free(c);
	close(w->fd);
	watch_del(b, w);
	nclients--;
}

static void queue_reply(struct client *c, json_object *r)
{
	const char *s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);

	c->out = realloc(c->out, c->olen + n + 1);
	if (!c->out)
		abort();
	memcpy(c->out + c->olen, s, n);
	c->out[c->olen + n] = '\n';
	c->olen += n + 1;
}

/* send what the socket takes; false when the client is gone */
static bool flush_out(struct client *c, int fd)
{
	while (c->off < c->olen) {
		ssize_t n = send(fd, c->out + c->off, c->olen - c->off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return false;
		c->off += (size_t)n;
	}
	if (c->off == c->olen)
		c->off = c->olen = 0;
	return true;
}

/* handle the complete lines while there is room for their replies */
static void handle_lines(struct bnet *b, struct client *c)
{
	char *nl;

	while (c->buf && c->olen - c->off < API_MAX_OUT && (nl = memchr(c->buf, '\n', c->len))) {
		size_t used = (size_t)(nl - c->buf) + 1;
		json_object *r;

		*nl = '\0';
		r = handle(b, c->buf);
		queue_reply(c, r);
		json_object_put(r);
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
	}
}

static void on_client(struct bnet *b, struct watch *w, short revents)
{
	struct client *c = w->data;

	if ((revents & POLLOUT) && !flush_out(c, w->fd)) {
		client_close(b, w);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		char tmp[4096];
		ssize_t n = read(w->fd, tmp, sizeof(tmp));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || c->len + (size_t)n > API_MAX_LINE) {
			client_close(b, w);
			return;
		}
		c->buf = realloc(c->buf, c->len + (size_t)n + 1);
		if (!c->buf)
			abort();
		memcpy(c->buf + c->len, tmp, (size_t)n);
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
	}
	handle_lines(b, c);
	if (!flush_out(c, w->fd)) {
		client_close(b, w);
		return;
	}
	handle_lines(b, c);
	/* read more only while the replies so far have room; wait for the
	 * client to read when they do not */
	w->events = (short)((c->olen - c->off < API_MAX_OUT ? POLLIN : 0) | (c->olen > c->off ? POLLOUT : 0));
}

static void on_listen(struct bnet *b, struct watch *w, short revents)
{
	int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c;

	(void)revents;
	if (fd < 0)
		return;
	if (nclients >= b->lim.api_clients) {
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	nclients++;
	watch_add(b, fd, POLLIN, on_client, c);
}

int api_listen(struct bnet *b, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(b->api_path) >= sizeof(sa.sun_path))
		return err_make(e, 0, "--api-socket path is too long: %s", b->api_path);
	strcpy(sa.sun_path, b->api_path);
	unlink(b->api_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return err_make(e, err, "control socket %s", b->api_path);
	}
	listener = watch_add(b, fd, POLLIN, on_listen, NULL);
	return 0;
}

void api_close(struct bnet *b)
{
	if (!listener)
		return;
	close(listener->fd);
	watch_del(b, listener);
	unlink(b->api_path);
	for (size_t i = 0; i < b->nwatches; i++)
		if (b->watches[i]->cb == on_client && !b->watches[i]->dead)
			client_close(b, b->watches[i]);
	listener = NULL;
}
