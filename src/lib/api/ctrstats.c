/* ctrstats.c - GET /containers/{id}/stats: docker's stats JSON from the
 * container's cgroup (cpu.stat, memory.*, io.stat, pids.*) and burrow-net's
 * counters, what `burrow stats` reads too.  stream=true (the default) sends
 * one object a second until the client leaves or the container is removed;
 * stream=false one, with a second's earlier reading as precpu_stats (which
 * docker's CLI needs for the CPU percentage); one-shot=true without the
 * earlier reading. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/cgroup/cgroup.h"
#include "lib/net/net.h"

struct reading {
	bool cg, net;
	struct cgroup_stats cs;
	struct net_counters nc;
	uint64_t system_ns; /* the host's CPU time, all CPUs (/proc/stat) */
	char read[40];
};

struct stats_job {
	const struct api_backend *b;
	char id[65];
	char *name;
	bool stream, one_shot;
};

static void stats_job_free(void *p)
{
	struct stats_job *j = p;

	free(j->name);
	free(j);
}

static uint64_t system_ns(void)
{
	char line[512];
	unsigned long long v[8] = { 0 }, sum = 0;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	if (!fgets(line, sizeof line, f) || sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
						   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
		memset(v, 0, sizeof v);
	fclose(f);
	for (size_t i = 0; i < 8; i++)
		sum += v[i];
	return tck > 0 ? (uint64_t)(sum * (1000000000ULL / (unsigned long long)tck)) : 0;
}

static enum cgroup_manager manager_of(const char *name)
{
	if (strcmp(name, "delegated") == 0)
		return CGM_DELEGATED;
	if (strcmp(name, "systemd") == 0)
		return CGM_SYSTEMD;
	return CGM_NONE;
}

/* -1: the container is gone */
static int take(struct stats_job *j, struct reading *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct timespec now;
	struct tm tm;

	memset(r, 0, sizeof *r);
	if (api_ctr_load_id(j->b, j->id, &c, &e) < 0) {
		err_clear(&e);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(r->read, 21, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(r->read + strlen(r->read), sizeof r->read - strlen(r->read), ".%09ldZ", now.tv_nsec);
	r->system_ns = system_ns();
	if (api_ctr_running(&c) && c.st.cgroup[0]) {
		struct cgroup cg = CGROUP_INIT;
		if (cgroup_open(c.st.cgroup, manager_of(c.st.cgroup_manager),
				c.st.cgroup_unit[0] ? c.st.cgroup_unit : NULL, &cg, &e) == 0 &&
		    cgroup_stats(&cg, &r->cs, &e) == 0)
			r->cg = true;
		err_clear(&e);
		cgroup_close(&cg);
	}
	if (api_ctr_running(&c) && c.spec.net == NET_SLIRP) {
		_cleanup_free_ char *sock = container_net_socket(&c.spec);
		r->net = net_counters(sock, &r->nc, &e) == 0;
		err_clear(&e);
	}
	api_ctr_free(&c);
	return 0;
}

static json_object *i64(int64_t v)
{
	return json_object_new_int64(v < 0 ? 0 : v);
}

static json_object *cpu_json(const struct reading *r)
{
	json_object *o = json_object_new_object(), *u = json_object_new_object(),
		    *t = json_object_new_object();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	json_object_object_add(u, "total_usage", i64(r->cg ? r->cs.cpu_usage_usec * 1000 : 0));
	json_object_object_add(u, "usage_in_kernelmode", i64(r->cg ? r->cs.cpu_system_usec * 1000 : 0));
	json_object_object_add(u, "usage_in_usermode", i64(r->cg ? r->cs.cpu_user_usec * 1000 : 0));
	json_object_object_add(o, "cpu_usage", u);
	json_object_object_add(o, "system_cpu_usage", json_object_new_uint64(r->system_ns));
	json_object_object_add(o, "online_cpus", json_object_new_int(cpus > 0 ? (int)cpus : 1));
	json_object_object_add(t, "periods", json_object_new_int(0));
	json_object_object_add(t, "throttled_periods", i64(r->cg ? r->cs.nr_throttled : 0));
	json_object_object_add(t, "throttled_time", i64(r->cg ? r->cs.throttled_usec * 1000 : 0));
	json_object_object_add(o, "throttling_data", t);
	return o;
}

static json_object *stats_json(struct stats_job *j, const struct reading *r, const struct reading *pre)
{
	json_object *o = json_object_new_object(), *mem = json_object_new_object(),
		    *ms = json_object_new_object(), *pids = json_object_new_object(),
		    *blk = json_object_new_object(), *io = json_object_new_array();
	int64_t limit = r->cg ? r->cs.memory_max : -1;
	_cleanup_free_ char *name = xasprintf("/%s", j->name);

	json_object_object_add(o, "read", json_object_new_string(r->read));
	json_object_object_add(o, "preread",
			       json_object_new_string(pre ? pre->read : "0001-01-01T00:00:00Z"));
	json_object_object_add(pids, "current", i64(r->cg ? r->cs.pids_current : 0));
	if (r->cg && r->cs.pids_max != CG_MAX && r->cs.pids_max > 0)
		json_object_object_add(pids, "limit", i64(r->cs.pids_max));
	json_object_object_add(o, "pids_stats", pids);
	if (r->cg) {
		static const char *const ops[] = { "read", "write" };
		for (size_t i = 0; i < 2; i++) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "major", json_object_new_int(0));
			json_object_object_add(e, "minor", json_object_new_int(0));
			json_object_object_add(e, "op", json_object_new_string(ops[i]));
			json_object_object_add(e, "value",
					       i64(i ? (int64_t)r->cs.io.wbytes : (int64_t)r->cs.io.rbytes));
			json_object_array_add(io, e);
		}
	}
	json_object_object_add(blk, "io_service_bytes_recursive", io);
	json_object_object_add(o, "blkio_stats", blk);
	json_object_object_add(o, "num_procs", json_object_new_int(0));
	json_object_object_add(o, "storage_stats", json_object_new_object());
	json_object_object_add(o, "cpu_stats", cpu_json(r));
	if (pre) {
		json_object_object_add(o, "precpu_stats", cpu_json(pre));
	} else {
		struct reading zero;
		memset(&zero, 0, sizeof zero);
		json_object_object_add(o, "precpu_stats", cpu_json(&zero));
	}
	if (limit == CG_MAX || limit < 0) {
		long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
		limit = pages > 0 && psz > 0 ? (int64_t)pages * psz : 0;
	}
	if (r->cg) {
		json_object_object_add(mem, "usage", i64(r->cs.memory_current));
		if (r->cs.memory_peak >= 0)
			json_object_object_add(mem, "max_usage", i64(r->cs.memory_peak));
		json_object_object_add(ms, "anon", i64(r->cs.anon));
		json_object_object_add(ms, "file", i64(r->cs.file));
		json_object_object_add(ms, "kernel_stack", i64(r->cs.kernel_stack));
		json_object_object_add(ms, "sock", i64(r->cs.sock));
		json_object_object_add(ms, "shmem", i64(r->cs.shmem));
		json_object_object_add(mem, "stats", ms);
		json_object_object_add(mem, "limit", i64(limit));
	} else {
		json_object_put(ms);
	}
	json_object_object_add(o, "memory_stats", mem);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "id", json_object_new_string(j->id));
	if (r->net) {
		json_object *nets = json_object_new_object(), *n = json_object_new_object();
		json_object_object_add(n, "rx_bytes", json_object_new_uint64(r->nc.rx_bytes));
		json_object_object_add(n, "rx_packets", json_object_new_uint64(r->nc.rx_packets));
		json_object_object_add(n, "rx_errors", json_object_new_int(0));
		json_object_object_add(n, "rx_dropped", json_object_new_int(0));
		json_object_object_add(n, "tx_bytes", json_object_new_uint64(r->nc.tx_bytes));
		json_object_object_add(n, "tx_packets", json_object_new_uint64(r->nc.tx_packets));
		json_object_object_add(n, "tx_errors", json_object_new_int(0));
		json_object_object_add(n, "tx_dropped", json_object_new_int(0));
		json_object_object_add(nets, "eth0", n);
		json_object_object_add(o, "networks", nets);
	}
	return o;
}

static bool emit(int fd, json_object *o)
{
	_cleanup_free_ char *line =
		xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									    JSON_C_TO_STRING_NOSLASHESCAPE));
	bool ok = api_write_all(fd, line, strlen(line));

	json_object_put(o);
	return ok;
}

/* a second, or less when the client leaves or the service ends (false) */
static bool tick(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };

	for (int i = 0; i < 10; i++) {
		if (api_stream_done() || (poll(&p, 1, 100) > 0 && (p.revents & (POLLERR | POLLHUP))))
			return false;
	}
	return true;
}

static void stats_stream(void *arg, int fd)
{
	struct stats_job *j = arg;
	struct reading r, pre;
	bool have_pre = false;

	if (!j->one_shot) {
		if (take(j, &pre) < 0 || !tick(fd))
			return;
		have_pre = true;
	}
	for (;;) {
		if (take(j, &r) < 0)
			return;
		if (!emit(fd, stats_json(j, &r, have_pre ? &pre : NULL)) || !j->stream || !tick(fd))
			return;
		pre = r;
		have_pre = true;
	}
}

enum MHD_Result api_ctr_stats(struct api_req *r)
{
	struct api_ctr c;
	struct err e = ERR_INIT;
	struct stats_job *j;
	enum MHD_Result res;

	if (api_ctr_load(r, r->arg, &c, &e) < 0) {
		res = api_reply_err(r, &e);
		err_clear(&e);
		return res;
	}
	j = calloc(1, sizeof *j);
	if (!j) {
		api_ctr_free(&c);
		return MHD_NO;
	}
	j->b = r->b;
	memcpy(j->id, c.id, sizeof j->id);
	j->name = xstrdup(c.spec.name ? c.spec.name : "");
	api_ctr_free(&c);
	j->stream = api_query_bool(r, "stream", true);
	j->one_shot = !j->stream && api_query_bool(r, "one-shot", false);
	return api_reply_stream(r, MHD_HTTP_OK, "application/json", stats_stream, j, stats_job_free);
}
