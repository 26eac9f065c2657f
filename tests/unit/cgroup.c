/* cgroup.c - tests for the pure half of src/lib/cgroup/cgroup.h: flag values,
 * podman's conversions, the files written, --ulimit and the stat parsers. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/cgroup/cgroup.h"
#include "tap.h"

static void size_ok(const char *s, long long want)
{
	struct err e = ERR_INIT;
	int64_t v = 0;
	int r = cg_parse_size(s, true, &v, &e);

	if (!ok(r == 0 && v == want, "size %s = %lld", s, want))
		printf("# got r=%d v=%lld (%s)\n", r, (long long)v, e.msg ? e.msg : "");
	err_clear(&e);
}

static void size_bad(const char *s)
{
	struct err e = ERR_INIT;
	int64_t v = 0;
	int r = cg_parse_size(s, false, &v, &e);

	ok(r < 0 && e.msg && strstr(e.msg, "size"), "size '%s' is rejected (%s)", s,
	   e.msg ? e.msg : "no message");
	err_clear(&e);
}

/* Apply "flag=value ..." to fresh limits; returns the rendered files as
 * "name=value;" or "ERR:message". */
static char *render(const char *spec)
{
	static char out[1024];
	struct cgroup_limits l;
	struct err e = ERR_INIT;
	struct cg_file f[CG_MAX_FILES];
	unsigned mask;
	size_t n;
	char buf[512], *save = NULL;

	cgroup_limits_init(&l);
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		*eq = '\0';
		if (cgroup_limit_set(&l, t, eq + 1, &e) < 0)
			goto fail;
	}
	if (cgroup_limits_check(&l, &e) < 0)
		goto fail;
	n = cg_limit_files(&l, f, &mask);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%s=%s;", f[i].optional ? "?" : "", f[i].name,
			 f[i].value);
	}
	cg_files_free(f, n);
	cgroup_limits_free(&l);
	return out;
fail:
	snprintf(out, sizeof out, "ERR:%s", e.msg);
	err_clear(&e);
	cgroup_limits_free(&l);
	return out;
}

static void files(const char *spec, const char *want)
{
	is_str(render(spec), want, "%s", spec);
}

static void files_err(const char *spec, const char *needle)
{
	char *r = render(spec);
	if (!ok(strncmp(r, "ERR:", 4) == 0 && strstr(r, needle), "%s fails naming '%s'", spec, needle))
		printf("# got: %s\n", r);
}

static void ulimit_ok(const char *s, int res, unsigned long long soft, unsigned long long hard)
{
	struct cg_ulimit u;
	struct err e = ERR_INIT;
	int r = cg_parse_ulimit(s, &u, &e);

	if (!ok(r == 0 && u.resource == res && u.soft == soft && u.hard == hard, "ulimit %s", s))
		printf("# r=%d %s\n", r, e.msg ? e.msg : "");
	err_clear(&e);
}

static void ulimit_bad(const char *s)
{
	struct cg_ulimit u;
	struct err e = ERR_INIT;

	ok(cg_parse_ulimit(s, &u, &e) < 0 && e.msg, "ulimit '%s' rejected (%s)", s, e.msg ? e.msg : "");
	err_clear(&e);
}

int main(void)
{
	struct err e = ERR_INIT;

	/* sizes: go-units RAMInBytes style, binary units */
	size_ok("1048576", 1048576);
	size_ok("100b", 100);
	size_ok("512k", 512 * 1024);
	size_ok("64m", 64LL << 20);
	size_ok("64M", 64LL << 20);
	size_ok("64MB", 64LL << 20);
	size_ok("64MiB", 64LL << 20);
	size_ok("1g", 1LL << 30);
	size_ok("1.5g", 3LL << 29);
	size_ok("2t", 2LL << 40);
	size_ok("-1", CG_MAX);
	size_bad("");
	size_bad("m");
	size_bad("-5m");
	size_bad("64x");
	size_bad("64mm");
	size_bad("0x10");
	size_bad("1e3");
	size_bad("inf");
	size_bad(" 64m");
	size_bad("-1");
	size_bad("99999999p");

	/* cpuset lists */
	ok(cg_parse_cpuset("0", &e) == 0, "cpuset 0");
	ok(cg_parse_cpuset("0-3,5,7-8", &e) == 0, "cpuset 0-3,5,7-8");
	const char *bad_sets[] = {
		"", ",", "0,", "3-1", "1,1", "2,1", "a", "0-", "-1", "1 2", "0-1024", "0;1"
	};
	for (size_t i = 0; i < sizeof bad_sets / sizeof *bad_sets; i++) {
		ok(cg_parse_cpuset(bad_sets[i], &e) < 0, "cpuset '%s' rejected", bad_sets[i]);
		err_clear(&e);
	}

	/* podman/crun conversions */
	is_int(cg_shares_to_weight(2), 1, "shares 2 -> weight 1");
	is_int(cg_shares_to_weight(1024), 39, "shares 1024 -> weight 39");
	is_int(cg_shares_to_weight(512), 20, "shares 512 -> weight 20");
	is_int(cg_shares_to_weight(262144), 10000, "shares 262144 -> weight 10000");
	is_int(cg_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
	is_int(cg_blkio_to_io_weight(500), 4950, "blkio 500 -> io 4950");
	is_int(cg_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");

	/* the files written, podman semantics */
	files("memory=64m", "memory.max=67108864;?memory.swap.max=67108864;");
	files("memory=64m memory-swap=64m", "memory.max=67108864;memory.swap.max=0;");
	files("memory=64m memory-swap=96m", "memory.max=67108864;memory.swap.max=33554432;");
	files("memory=64m memory-swap=-1", "memory.max=67108864;memory.swap.max=max;");
	files("memory=1g memory-reservation=512m",
	      "memory.low=536870912;memory.max=1073741824;?memory.swap.max=1073741824;");
	files("cpus=0.5", "cpu.max=50000 100000;");
	files("cpus=2", "cpu.max=200000 100000;");
	files("cpus=1.25", "cpu.max=125000 100000;");
	files("cpus=0", "cpu.max=max 100000;");
	files("cpu-quota=20000", "cpu.max=20000 100000;");
	files("cpu-quota=20000 cpu-period=50000", "cpu.max=20000 50000;");
	files("cpu-period=50000", "cpu.max=max 50000;");
	files("cpu-quota=-1", "cpu.max=max 100000;");
	files("cpu-shares=512", "cpu.weight=20;");
	files("cpuset-cpus=0-1 cpuset-mems=0", "cpuset.cpus=0-1;cpuset.mems=0;");
	files("pids-limit=50", "pids.max=50;");
	files("pids-limit=-1", "pids.max=max;");
	files("pids-limit=0", "pids.max=max;");
	files("blkio-weight=500", "io.bfq.weight=500;");
	files("", "");

	files_err("memory-swap=64m", "needs --memory");
	files_err("memory=64m memory-swap=32m", "at least --memory");
	files_err("memory=64m memory-reservation=128m", "--memory-reservation");
	files_err("memory=4m", "minimum memory limit is 6m");
	files_err("memory=lots", "--memory: invalid size lots");
	files_err("cpus=-1", "--cpus");
	files_err("cpus=0.001", "out of range");
	files_err("cpus=abc", "--cpus");
	files_err("cpu-quota=500", "--cpu-quota");
	files_err("cpu-period=100", "--cpu-period");
	files_err("cpu-shares=1", "--cpu-shares");
	files_err("cpu-shares=300000", "--cpu-shares");
	files_err("cpuset-cpus=1-0", "--cpuset-cpus");
	files_err("pids-limit=-2", "--pids-limit");
	files_err("pids-limit=ten", "--pids-limit");
	files_err("blkio-weight=5", "--blkio-weight");
	files_err("blkio-weight=1001", "--blkio-weight");
	files_err("hugepages=1", "unknown limit");

	{
		struct cgroup_limits l;
		struct cg_file f[CG_MAX_FILES];
		unsigned mask = 0;
		cgroup_limits_init(&l);
		ok(!cgroup_limits_any(&l), "fresh limits: none set");
		cgroup_limit_set(&l, "memory", "64m", &e);
		cgroup_limit_set(&l, "pids-limit", "10", &e);
		cgroup_limit_set(&l, "cpus", "1", &e);
		ok(cgroup_limits_any(&l), "limits set");
		cg_files_free(f, cg_limit_files(&l, f, &mask));
		is_int(mask, CG_C_MEMORY | CG_C_PIDS | CG_C_CPU, "controllers needed");
		cgroup_limits_free(&l);
	}

	/* --ulimit */
	ulimit_ok("nofile=1024:2048", RLIMIT_NOFILE, 1024, 2048);
	ulimit_ok("nofile=1024", RLIMIT_NOFILE, 1024, 1024);
	ulimit_ok("core=-1", RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY);
	ulimit_ok("nproc=10:unlimited", RLIMIT_NPROC, 10, RLIM_INFINITY);
	ulimit_ok("stack=8388608:unlimited", RLIMIT_STACK, 8388608, RLIM_INFINITY);
	ulimit_bad("nofile");
	ulimit_bad("nofile=");
	ulimit_bad("nofile=2048:1024");
	ulimit_bad("files=10");
	ulimit_bad("nofile=ten");
	ulimit_bad("nofile=1:2:3");
	ulimit_bad("=5");

	/* stat files */
	{
		const char *mstat = "anon 1048576\nfile 4096\nkernel_stack 16384\nanon_thp 0\n";
		const char *cpu = "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n"
				  "nr_periods 30\nnr_throttled 12\nthrottled_usec 777\n";
		const char *events = "populated 1\nfrozen 0\n";
		const char *io = "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
				 "253:1 rbytes=100 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n";
		struct cg_io_totals t;

		is_int(cg_keyed_get(mstat, "anon"), 1048576, "memory.stat anon");
		is_int(cg_keyed_get(mstat, "anon_thp"), 0, "memory.stat anon_thp, not anon");
		is_int(cg_keyed_get(mstat, "file"), 4096, "memory.stat file");
		is_int(cg_keyed_get(mstat, "shmem"), -1, "memory.stat: absent key");
		is_int(cg_keyed_get(cpu, "usage_usec"), 1500000, "cpu.stat usage_usec");
		is_int(cg_keyed_get(cpu, "nr_throttled"), 12, "cpu.stat nr_throttled");
		is_int(cg_keyed_get(cpu, "throttled_usec"), 777, "cpu.stat throttled_usec");
		is_int(cg_keyed_get(events, "frozen"), 0, "cgroup.events frozen");
		is_int(cg_keyed_get("oom 1\noom_kill 2\n", "oom_kill"), 2, "memory.events oom_kill");
		is_int(cg_keyed_get("oom_kill x\n", "oom_kill"), -1, "garbage value");
		is_int(cg_keyed_get("", "oom_kill"), -1, "empty file");
		cg_parse_io_stat(io, &t);
		is_int(t.rbytes, 4196, "io.stat rbytes summed");
		is_int(t.wbytes, 8192, "io.stat wbytes");
		is_int(t.rios, 4, "io.stat rios");
		is_int(t.wios, 2, "io.stat wios");
		cg_parse_io_stat("", &t);
		is_int(t.rbytes + t.wbytes, 0, "empty io.stat");
		cg_parse_io_stat("8:0 rbytes=junk wbytes=5 =3 x\n", &t);
		is_int(t.wbytes, 5, "io.stat with junk");
	}
	is_str(cgroup_manager_name(CGM_SYSTEMD), "systemd", "manager name");
	return done_testing();
}
