/* ctrjson.c - see ctrjson.h */
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctrjson.h"
#include "lib/net/net.h"
#include "lib/net/network.h"
#include "lib/record/portspec.h"
#include "lib/runtime/logfile.h"
#include "lib/base/util.h"

static json_object *jstrv(char *const *v, size_t from)
{
	json_object *a = json_object_new_array();
	for (size_t i = from; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* a JSON string, "" for NULL */
static json_object *jstr(const char *v)
{
	return json_object_new_string(v ? v : "");
}

#define S(o, k, v) json_object_object_add((o), (k), jstr(v))
#define I(o, k, v) json_object_object_add((o), (k), json_object_new_int64((int64_t)(v)))
#define B(o, k, v) json_object_object_add((o), (k), json_object_new_boolean(v))
#define O(o, k, v) json_object_object_add((o), (k), (v))

/* the -p form of each published port ("127.0.0.1:8080:80/tcp") */
/* "K=V" strings as a JSON object */
static json_object *kv_object(char *const *kv)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		_cleanup_free_ char *k = eq ? xstrndup(kv[i], (size_t)(eq - kv[i])) : xstrdup(kv[i]);
		json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
	}
	return o;
}

/* podman's ps column: 0.0.0.0:8080->80/tcp, ranges as 8080-8081->80-81/tcp */
static json_object *port_strings(const struct port_spec *ports, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const struct port_spec *p = &ports[i];
		const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
		bool v6 = strchr(ip, ':') != NULL;
		char host[32], ctr[32];
		_cleanup_free_ char *f = NULL;

		snprintf(host, sizeof host, p->count > 1 ? "%u-%u" : "%u", p->host_port,
			 (unsigned)p->host_port + p->count - 1);
		snprintf(ctr, sizeof ctr, p->count > 1 ? "%u-%u" : "%u", p->container_port,
			 (unsigned)p->container_port + p->count - 1);
		f = p->host_port ? xasprintf("%s%s%s:%s->%s/%s", v6 ? "[" : "", ip, v6 ? "]" : "", host, ctr,
					     p->udp ? "udp" : "tcp")
				 : xasprintf("%s/%s", ctr, p->udp ? "udp" : "tcp");
		json_object_array_add(a, json_object_new_string(f));
	}
	return a;
}

static json_object *id_ranges(const struct idrange *r, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *m = xasprintf("%lu:%lu:%lu", r[i].inner, r[i].outer, r[i].count);
		json_object_array_add(a, json_object_new_string(m));
	}
	return a;
}

static json_object *userns_inspect(const struct userns_opts *o)
{
	json_object *j = json_object_new_object();
	json_object_object_add(j, "UidMap", id_ranges(o->uids, o->nuids));
	json_object_object_add(j, "GidMap", id_ranges(o->gids, o->ngids));
	return j;
}

/* NetworkSettings.Networks of a container on user-defined networks, as
 * docker's: the address, gateway, MAC and aliases on each */
static json_object *networks_json(const struct container_spec *s)
{
	json_object *all = json_object_new_object();
	/* ctrdir is <root>/containers/<id> */
	const char *end = s->ctrdir ? strrchr(s->ctrdir, '/') : NULL;
	_cleanup_free_ char *root = NULL;

	while (end && end > s->ctrdir && end[-1] != '/')
		end--;
	root = end && end > s->ctrdir ? xstrndup(s->ctrdir, (size_t)(end - 1 - s->ctrdir)) : xstrdup("/");
	for (size_t i = 0; i < s->nnetworks; i++) {
		const struct net_attach *at = &s->networks[i];
		json_object *o = json_object_new_object(), *al = json_object_new_array();
		struct network n;
		struct err e = ERR_INIT;
		char gw[16] = "", mac[18];

		if (network_get(root, at->network, &n, &e) == 0) {
			net_ipv4_str(n.gateway, gw);
			json_object_object_add(o, "NetworkID", json_object_new_string(n.id));
			json_object_object_add(o, "IPPrefixLen", json_object_new_int((int)n.bits));
			network_free(&n);
		} else {
			err_clear(&e);
		}
		json_object_object_add(o, "IPAddress", json_object_new_string(at->ip));
		json_object_object_add(o, "Gateway", json_object_new_string(gw));
		net_mac_of(at->ip, mac);
		json_object_object_add(o, "MacAddress", json_object_new_string(mac));
		for (size_t k = 0; at->aliases && at->aliases[k]; k++)
			json_object_array_add(al, json_object_new_string(at->aliases[k]));
		json_object_object_add(o, "Aliases", al);
		json_object_object_add(all, at->network, o);
	}
	return all;
}

static json_object *port_bindings(const struct port_spec *ports, size_t n)
{
	json_object *pb = json_object_new_object();

	for (size_t i = 0; i < n; i++) {
		struct port_spec ps = ports[i];
		for (unsigned k = 0; k < ps.count; k++) {
			_cleanup_free_ char *key = xasprintf("%u/%s", ps.container_port + k,
							     ps.udp ? "udp" : "tcp");
			_cleanup_free_ char *hp = xasprintf("%u", ps.host_port ? ps.host_port + k : 0);
			json_object *arr, *b;
			if (!json_object_object_get_ex(pb, key, &arr)) {
				arr = json_object_new_array();
				O(pb, key, arr);
			}
			b = json_object_new_object();
			S(b, "HostIp", ps.host_ip);
			S(b, "HostPort", hp);
			json_object_array_add(arr, b);
		}
	}
	return pb;
}

/* RxBytes/TxBytes/RxPackets/TxPackets of a running slirp4netns container,
 * from its burrow-net, or of the one whose network a container:ID container
 * shares (0 otherwise): "rx" is into the container. */
static void net_counters_json(const struct ctr *c, json_object *ns)
{
	struct net_counters nc = { 0 };
	_cleanup_free_ char *sock = NULL;

	if (ctr_running(c) && c->spec.net == NET_SLIRP)
		sock = container_net_socket(&c->spec);
	else if (ctr_running(c) && c->spec.net == NET_CONTAINER)
		sock = net_shared_socket(&c->spec);
	if (sock && access(sock, F_OK) == 0) {
		struct err e = ERR_INIT;
		if (net_counters(sock, &nc, &e) < 0)
			memset(&nc, 0, sizeof nc);
		err_clear(&e);
	}
	I(ns, "RxBytes", nc.rx_bytes);
	I(ns, "TxBytes", nc.tx_bytes);
	I(ns, "RxPackets", nc.rx_packets);
	I(ns, "TxPackets", nc.tx_packets);
}

json_object *ctr_inspect_json(const struct ctr *c)
{
	const struct container_spec *s = &c->spec;
	json_object *j = json_object_new_object(), *st = json_object_new_object(),
		    *cfg = json_object_new_object();
	json_object *hc = json_object_new_object(), *ns = json_object_new_object(),
		    *mounts = json_object_new_array();
	json_object *rp = json_object_new_object(), *lc = json_object_new_object(),
		    *lcc = json_object_new_object();
	bool running = ctr_running(c);
	const char *sig = sigabbrev_np(s->stop_signal);
	_cleanup_free_ char *signame = sig ? xasprintf("SIG%s", sig) : xasprintf("%d", s->stop_signal);
	_cleanup_free_ char *logpath = xasprintf("%s/log", s->ctrdir);

	S(j, "Id", c->id);
	S(j, "Created", s->created);
	S(j, "Path", s->argv[0]);
	O(j, "Args", jstrv(s->argv, 1));
	S(st, "Status", ctr_status_name(c->st.status));
	B(st, "Running", running);
	B(st, "Paused", c->st.status == ST_PAUSED);
	B(st, "Restarting", false);
	B(st, "OOMKilled", c->st.oom_killed);
	B(st, "Dead", false);
	I(st, "Pid", running ? c->st.pid : 0);
	I(st, "ConmonPid", running ? c->st.supervisor : 0);
	I(st, "ExitCode", c->st.exit_code);
	S(st, "Error", "");
	S(st, "StartedAt", *c->st.started_at ? c->st.started_at : "0001-01-01T00:00:00Z");
	S(st, "FinishedAt", *c->st.finished_at ? c->st.finished_at : "0001-01-01T00:00:00Z");
	if (c->st.health)
		O(st, "Health", json_object_get(c->st.health));
	O(j, "State", st);
	S(j, "Image", s->image_id);
	S(j, "ImageName", s->image_ref);
	S(j, "Name", s->name);
	I(j, "RestartCount", c->st.restart_count);
	S(j, "Driver", "overlay");
	S(j, "LogPath", logpath);
	S(cfg, "Hostname", s->hostname);
	S(cfg, "User", s->user ? s->user : "");
	O(cfg, "Env", jstrv(s->env, 0));
	O(cfg, "Cmd", jstrv(s->argv, 0));
	S(cfg, "Image", s->image_ref);
	S(cfg, "WorkingDir", s->workdir);
	B(cfg, "Tty", s->tty);
	B(cfg, "OpenStdin", s->interactive);
	S(cfg, "StopSignal", signame);
	I(cfg, "StopTimeout", s->stop_timeout);
	O(cfg, "Labels", kv_object(s->labels));
	O(cfg, "Annotations", kv_object(s->annotations));
	if (s->tz)
		S(cfg, "Timezone", s->tz);
	if (s->health.test) {
		json_object *h = json_object_new_object();
		O(h, "Test", jstrv(s->health.test, 0));
		I(h, "Interval", s->health.interval_ms * 1000000);
		I(h, "Timeout", s->health.timeout_ms * 1000000);
		I(h, "StartPeriod", s->health.start_period_ms * 1000000);
		I(h, "Retries", s->health.retries);
		O(cfg, "Healthcheck", h);
	}
	O(j, "Config", cfg);
	S(rp, "Name", restart_mode_name(s->restart.mode));
	I(rp, "MaximumRetryCount", s->restart.max);
	O(hc, "RestartPolicy", rp);
	B(hc, "AutoRemove", s->remove);
	B(hc, "ReadonlyRootfs", s->read_only);
	B(hc, "Init", s->init);
	if (s->net == NET_CONTAINER) {
		_cleanup_free_ char *mode = xasprintf("container:%s", s->net_container);
		S(hc, "NetworkMode", mode);
	} else {
		S(hc, "NetworkMode",
		  s->net == NET_HOST     ? "host"
		  : s->net == NET_SLIRP  ? "slirp4netns"
		  : s->net == NET_BRIDGE ? "bridge"
					 : "none");
	}
	/* podman: "private" for any namespace of its own (keep-id too), the maps as C:I:S */
	S(hc, "UsernsMode", userns_opts_nested(&s->userns) ? "private" : "");
	if (userns_opts_nested(&s->userns))
		O(hc, "IDMappings", userns_inspect(&s->userns));
	{
		const struct ns_mode *nm[] = { &s->pid_ns, &s->ipc_ns, &s->uts_ns };
		const char *key[] = { "PidMode", "IpcMode", "UTSMode" };
		for (size_t i = 0; i < ARRAY_SIZE(nm); i++) {
			_cleanup_free_ char *mode = ns_mode_string((enum ns_kind)i, nm[i]);
			S(hc, key[i], mode);
		}
	}
	B(hc, "Privileged", s->privileged);
	O(hc, "PortBindings", port_bindings(s->ports, s->nports));
	O(hc, "ExtraHosts", jstrv(s->add_hosts, 0));
	O(hc, "Dns", jstrv(s->dns, 0));
	O(hc, "DnsSearch", jstrv(s->dns_search, 0));
	O(hc, "DnsOptions", jstrv(s->dns_options, 0));
	I(hc, "ShmSize", s->shm_size ? (int64_t)s->shm_size : 65536 * 1024);
	O(hc, "Sysctls", kv_object(s->sysctls));
	{
		json_object *devs = json_object_new_array();
		for (size_t i = 0; s->devices && s->devices[i]; i++) {
			const char *d = s->devices[i], *c1 = strchr(d, ':'), *c2 = strrchr(d, ':');
			_cleanup_free_ char *host = xstrndup(d, (size_t)(c1 - d));
			_cleanup_free_ char *ctr = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
			json_object *o = json_object_new_object();
			S(o, "PathOnHost", host);
			S(o, "PathInContainer", ctr);
			S(o, "CgroupPermissions", c2 + 1);
			json_object_array_add(devs, o);
		}
		O(hc, "Devices", devs);
	}
	if (s->cidfile)
		S(hc, "ContainerIDFile", s->cidfile);
	S(lc, "Type", s->log_driver == LOGDRV_NONE ? "none" : "k8s-file");
	if (s->log_max_size) {
		_cleanup_free_ char *v = xasprintf("%llu", (unsigned long long)s->log_max_size);
		S(lcc, "max-size", v);
	}
	{
		_cleanup_free_ char *v = xasprintf("%d", s->log_max_file);
		S(lcc, "max-file", v);
	}
	O(lc, "Config", lcc);
	O(hc, "LogConfig", lc);
	O(j, "HostConfig", hc);
	O(ns, "Ports", port_bindings(s->ports, s->nports));
	if (s->net == NET_SLIRP) {
		const struct net_opts *no = &s->net_opts;
		struct err ne = ERR_INIT;
		char guest[16] = "", gw[16] = "";
		if (net_addr(no, NET_ADDR_GUEST, guest, &ne) < 0 ||
		    net_addr(no, NET_ADDR_GATEWAY, gw, &ne) < 0)
			err_clear(&ne);
		O(ns, "IPAddress", json_object_new_string(guest));
		O(ns, "Gateway", json_object_new_string(gw));
		I(ns, "IPPrefixLen", atoi(strchr(no->cidr, '/') ? strchr(no->cidr, '/') + 1 : "24"));
	} else {
		S(ns, "IPAddress", "");
		S(ns, "Gateway", "");
	}
	if (s->net == NET_BRIDGE)
		O(ns, "Networks", networks_json(s));
	net_counters_json(c, ns);
	O(j, "NetworkSettings", ns);
	for (size_t i = 0; i < s->nvolumes; i++) {
		const struct volume_spec *v = &s->volumes[i];
		json_object *m = json_object_new_object();
		const char *prop = "rprivate";
		static const struct {
			unsigned long f;
			const char *name;
		} props[] = {
			{ MS_PRIVATE, "private" },       { MS_PRIVATE | MS_REC, "rprivate" },
			{ MS_SHARED, "shared" },         { MS_SHARED | MS_REC, "rshared" },
			{ MS_SLAVE, "slave" },           { MS_SLAVE | MS_REC, "rslave" },
			{ MS_UNBINDABLE, "unbindable" }, { MS_UNBINDABLE | MS_REC, "runbindable" },
		};
		for (size_t k = 0; k < sizeof props / sizeof props[0]; k++)
			if (v->propagation == props[k].f)
				prop = props[k].name;
		S(m, "Type", v->is_volume ? "volume" : "bind");
		if (v->is_volume)
			S(m, "Name", v->name ? v->name : "");
		S(m, "Source", v->src ? v->src : "");
		S(m, "Destination", v->dst);
		if (v->is_volume)
			S(m, "Driver", "local");
		S(m, "Mode", v->mode ? v->mode : "");
		B(m, "RW", !v->readonly);
		S(m, "Propagation", v->is_volume ? "" : prop);
		json_object_array_add(mounts, m);
	}
	for (size_t i = 0; i < s->ntmpfs; i++) {
		json_object *m = json_object_new_object();
		S(m, "Type", "tmpfs");
		S(m, "Source", "tmpfs");
		S(m, "Destination", s->tmpfs[i].dst);
		S(m, "Mode", "");
		B(m, "RW", true);
		json_object_array_add(mounts, m);
	}
	O(j, "Mounts", mounts);
	return j;
}

static int64_t unix_time(const char *t)
{
	struct timespec ts;
	if (!t || !*t || logfile_parse_time(t, strlen(t), &ts) < 0)
		return 0;
	return ts.tv_sec;
}

json_object *ctr_ps_json(const struct ctr *c)
{
	const struct container_spec *s = &c->spec;
	json_object *j = json_object_new_object(), *names = json_object_new_array();
	_cleanup_free_ char *status = ctr_status_text(c);
	const char *h = ctr_health(c);

	S(j, "Id", c->id);
	json_object_array_add(names, json_object_new_string(s->name));
	O(j, "Names", names);
	S(j, "Image", s->image_ref);
	S(j, "ImageID", s->image_id);
	O(j, "Command", jstrv(s->argv, 0));
	I(j, "Created", unix_time(s->created));
	S(j, "CreatedAt", s->created);
	S(j, "State", ctr_status_name(c->st.status));
	S(j, "Status", status);
	if (h)
		S(j, "Health", h);
	I(j, "ExitCode", c->st.exit_code);
	B(j, "Exited", c->st.status == ST_EXITED);
	I(j, "Pid", ctr_running(c) ? c->st.pid : 0);
	I(j, "StartedAt", unix_time(c->st.started_at));
	I(j, "ExitedAt", unix_time(c->st.finished_at));
	B(j, "AutoRemove", s->remove);
	I(j, "Restarts", c->st.restart_count);
	O(j, "Ports", port_strings(s->ports, s->nports));
	O(j, "Labels", kv_object(s->labels));
	return j;
}
