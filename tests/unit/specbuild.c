/* specbuild.c - tests for spec_build (src/lib/record/specbuild.c): the
 * container spec from the image's config and the run/create flags. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/record/specbuild.h"
#include "tap.h"

static const char test_id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* build with the given flags and image; s is fresh and must be freed */
static int build(const struct spec_opts *o, const struct spec_image *img, struct container_spec *s,
		 struct err *e)
{
	memset(s, 0, sizeof *s);
	memcpy(s->id, test_id, sizeof test_id);
	s->net = NET_SLIRP;
	return spec_build(o, img, s, e);
}

/* v joined with '|', for comparing argv and env lists in one line */
static char *joined(char **v)
{
	char *out = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *n = xasprintf("%s%s%s", out, i ? "|" : "", v[i]);
		free(out);
		out = n;
	}
	return out;
}

static void is_list(char **got, const char *want, const char *what)
{
	_cleanup_free_ char *j = joined(got);
	is_str(j, want, "%s", what);
}

/* build must fail with a message containing want */
static void fails(const struct spec_opts *o, const struct spec_image *img, const char *want, const char *what)
{
	struct container_spec s;
	struct err e = ERR_INIT;
	int rc = build(o, img, &s, &e);

	ok(rc < 0, "%s: refused", what);
	if (!ok(e.msg && strstr(e.msg, want), "%s: message names the problem", what))
		printf("# got: '%s'\n# want substring: '%s'\n", e.msg ? e.msg : "(null)", want);
	err_clear(&e);
	container_spec_free(&s);
}

/* build must succeed; s is left for the caller's checks */
static bool builds(const struct spec_opts *o, const struct spec_image *img, struct container_spec *s,
		   const char *what)
{
	struct err e = ERR_INIT;
	int rc = build(o, img, s, &e);

	if (!ok(rc == 0, "%s: builds", what))
		printf("# error: %s\n", e.msg ? e.msg : "(null)");
	err_clear(&e);
	return rc == 0;
}

static char *ep_sh[] = { "/bin/sh", "-c", NULL };
static char *cmd_echo[] = { "echo", "hi", NULL };

static void test_command(void)
{
	struct spec_image img = { .entrypoint = ep_sh, .cmd = cmd_echo };
	struct spec_opts o;
	struct container_spec s;
	char *args[] = { "ls", "-l", NULL };

	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "image ENTRYPOINT + CMD"))
		is_list(s.argv, "/bin/sh|-c|echo|hi", "ENTRYPOINT then CMD");
	container_spec_free(&s);

	o.cmd = args;
	o.ncmd = 2;
	if (builds(&o, &img, &s, "arguments"))
		is_list(s.argv, "/bin/sh|-c|ls|-l", "arguments replace CMD, ENTRYPOINT stays");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.entrypoint = "/bin/true";
	if (builds(&o, &img, &s, "--entrypoint"))
		is_list(s.argv, "/bin/true", "--entrypoint drops the image's CMD");
	container_spec_free(&s);

	o.entrypoint = "[\"/bin/env\", \"-i\"]";
	o.cmd = args;
	o.ncmd = 2;
	if (builds(&o, &img, &s, "--entrypoint JSON array"))
		is_list(s.argv, "/bin/env|-i|ls|-l", "JSON --entrypoint, then the arguments");
	container_spec_free(&s);

	o.entrypoint = "";
	if (builds(&o, &img, &s, "empty --entrypoint"))
		is_list(s.argv, "ls|-l", "empty --entrypoint: the arguments alone");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.entrypoint = "";
	fails(&o, &img, "no command", "empty --entrypoint and no arguments");

	{
		struct spec_image cmd_only = { .cmd = cmd_echo };
		memset(&o, 0, sizeof o);
		if (builds(&o, &cmd_only, &s, "image CMD only"))
			is_list(s.argv, "echo|hi", "CMD alone");
		container_spec_free(&s);
	}
	{
		struct spec_image none = { 0 };
		memset(&o, 0, sizeof o);
		fails(&o, &none, "no command or entrypoint provided", "image without ENTRYPOINT or CMD");
	}
	memset(&o, 0, sizeof o);
	o.entrypoint = "[1, 2]";
	fails(&o, &img, "the array must hold strings", "--entrypoint with numbers");
	o.entrypoint = "[\"unterminated";
	fails(&o, &img, "invalid JSON array", "--entrypoint with broken JSON");
}

static void test_env(void)
{
	char *ienv[] = { "PATH=/usr/bin", "A=image", "B=image", NULL };
	struct spec_image img = { .cmd = cmd_echo, .env = ienv };
	char path[] = "/tmp/burrow-specbuild-XXXXXX";
	char *files[] = { path, NULL }, *specs[] = { "B=flag", "C=flag", NULL };
	char *missing[] = { "/nonexistent/burrow-env", NULL }, *bad[] = { "=x", NULL };
	struct spec_opts o;
	struct container_spec s;
	int fd = mkstemp(path);

	if (!ok(fd >= 0, "env file created")) {
		return;
	}
	write_all(fd, "# comment\nA=file\nB=file\nD=file\n", 31);
	close(fd);

	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "image env"))
		is_list(s.env, "PATH=/usr/bin|A=image|B=image", "the image's environment");
	container_spec_free(&s);

	o.env_files = files;
	o.env_specs = specs;
	if (builds(&o, &img, &s, "--env-file and -e"))
		is_list(s.env, "PATH=/usr/bin|A=file|B=flag|D=file|C=flag",
			"image, then --env-file, then -e (later wins, order kept)");
	container_spec_free(&s);
	unlink(path);

	o.env_specs = NULL;
	o.env_files = missing;
	fails(&o, &img, "reading env file", "missing --env-file");
	o.env_files = NULL;
	o.env_specs = bad;
	fails(&o, &img, "empty name", "-e with an empty name");
}

static void test_workdir_user_hostname(void)
{
	struct spec_image img = { .cmd = cmd_echo };
	struct spec_opts o;
	struct container_spec s;

	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "defaults")) {
		is_str(s.workdir, "/", "workdir defaults to /");
		is_str(s.user, NULL, "no user: root");
		is_str(s.hostname, "0123456789ab", "hostname defaults to the short ID");
	}
	container_spec_free(&s);

	img.workdir = "/srv";
	img.user = "nobody";
	if (builds(&o, &img, &s, "image WORKDIR and USER")) {
		is_str(s.workdir, "/srv", "the image's WORKDIR");
		is_str(s.user, "nobody", "the image's USER");
	}
	container_spec_free(&s);

	o.workdir = "/tmp";
	o.user = "1000:1000";
	o.hostname = "box";
	if (builds(&o, &img, &s, "-w, -u, --hostname")) {
		is_str(s.workdir, "/tmp", "-w overrides WORKDIR");
		is_str(s.user, "1000:1000", "-u overrides USER");
		is_str(s.hostname, "box", "--hostname");
	}
	container_spec_free(&s);

	o.user = "";
	if (builds(&o, &img, &s, "-u ''"))
		is_str(s.user, "nobody", "an empty -u keeps the image's USER");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.workdir = "relative";
	fails(&o, &img, "not an absolute path", "relative -w");
	memset(&o, 0, sizeof o);
	o.hostname = "";
	fails(&o, &img, "invalid hostname", "empty --hostname");
}

static void test_lifecycle(void)
{
	struct spec_image img = { .cmd = cmd_echo };
	struct spec_opts o;
	struct container_spec s;
	char *logopts[] = { "max-size=1k", "max-file=3", NULL }, *badlog[] = { "tag=x", NULL };

	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "lifecycle defaults")) {
		is_int(s.stop_signal, SIGTERM, "stop signal defaults to TERM");
		is_int(s.stop_timeout, 10, "stop timeout defaults to 10 s");
		is_int(s.restart.mode, RESTART_NO, "no restart policy");
		is_int(s.log_driver, LOGDRV_K8S_FILE, "k8s-file log");
		is_int(s.log_max_file, 1, "one log file");
	}
	container_spec_free(&s);

	img.stop_signal = "SIGQUIT";
	if (builds(&o, &img, &s, "image STOPSIGNAL"))
		is_int(s.stop_signal, SIGQUIT, "the image's STOPSIGNAL");
	container_spec_free(&s);

	o.stop_signal = "USR1";
	o.stop_timeout = "3";
	o.restart = "on-failure:2";
	o.log_opts = logopts;
	if (builds(&o, &img, &s, "--stop-signal, --stop-timeout, --restart, --log-opt")) {
		is_int(s.stop_signal, SIGUSR1, "--stop-signal overrides STOPSIGNAL");
		is_int(s.stop_timeout, 3, "--stop-timeout");
		is_int(s.restart.mode, RESTART_ON_FAILURE, "--restart on-failure");
		is_int(s.restart.max, 2, "--restart on-failure:2");
		is_int(s.log_max_size, 1024, "--log-opt max-size");
		is_int(s.log_max_file, 3, "--log-opt max-file");
	}
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.log_driver = "none";
	o.rm = o.tty = o.interactive = o.read_only = o.detach = true;
	if (builds(&o, &img, &s, "--log-driver none and the flags")) {
		is_int(s.log_driver, LOGDRV_NONE, "--log-driver none");
		ok(s.remove && s.tty && s.interactive && s.read_only && s.detach,
		   "--rm, -t, -i, --read-only, -d carried over");
	}
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.stop_signal = "NOPE";
	fails(&o, &img, "--stop-signal", "unknown --stop-signal");
	memset(&o, 0, sizeof o);
	o.stop_timeout = "-1";
	fails(&o, &img, "invalid --stop-timeout", "negative --stop-timeout");
	memset(&o, 0, sizeof o);
	o.restart = "always";
	o.rm = true;
	fails(&o, &img, "conflicts with --rm", "--restart with --rm");
	memset(&o, 0, sizeof o);
	o.log_driver = "journald";
	fails(&o, &img, "unsupported --log-driver", "unknown --log-driver");
	memset(&o, 0, sizeof o);
	o.log_opts = badlog;
	fails(&o, &img, "unsupported --log-opt", "unsupported --log-opt");
}

static void test_health(void)
{
	char *itest[] = { "CMD-SHELL", "true", NULL }, *none[] = { "NONE", NULL };
	struct spec_image img = { .cmd = cmd_echo };
	struct spec_opts o;
	struct container_spec s;

	img.health.test = itest;
	img.health.interval_ms = 5000;
	img.health.retries = 7;
	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "image HEALTHCHECK")) {
		is_list(s.health.test, "CMD-SHELL|true", "the image's test");
		is_int(s.health.interval_ms, 5000, "the image's interval");
		is_int(s.health.timeout_ms, 30000, "timeout defaults to 30 s");
		is_int(s.health.retries, 7, "the image's retries");
	}
	container_spec_free(&s);

	o.health_interval = "2s";
	o.health_retries = "4";
	if (builds(&o, &img, &s, "--health-interval over the image's"))
		ok(s.health.interval_ms == 2000 && s.health.retries == 4,
		   "--health-interval and --health-retries override the image's");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.health_cmd = "curl -f localhost";
	if (builds(&o, &img, &s, "--health-cmd")) {
		is_list(s.health.test, "CMD-SHELL|curl -f localhost", "--health-cmd replaces the image's");
		is_int(s.health.interval_ms, 30000, "the image's timings go with its test");
	}
	container_spec_free(&s);

	o.health_cmd = "[\"/bin/check\", \"-q\"]";
	if (builds(&o, &img, &s, "--health-cmd JSON"))
		is_list(s.health.test, "CMD|/bin/check|-q", "a JSON --health-cmd is CMD");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.no_healthcheck = true;
	if (builds(&o, &img, &s, "--no-healthcheck"))
		ok(s.health.test == NULL, "--no-healthcheck drops the image's test");
	container_spec_free(&s);

	img.health.test = none;
	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "HEALTHCHECK NONE"))
		ok(s.health.test == NULL, "an image test of NONE is no healthcheck");
	container_spec_free(&s);

	img.health.test = itest;
	o.health_interval = "0s";
	fails(&o, &img, "--health-interval", "zero --health-interval");
	memset(&o, 0, sizeof o);
	o.health_retries = "0";
	fails(&o, &img, "invalid --health-retries", "zero --health-retries");
	memset(&o, 0, sizeof o);
	o.health_cmd = "[\"x\", 1]";
	fails(&o, &img, "--health-cmd", "--health-cmd with a number");
}

static void test_caps_mounts_limits(void)
{
	struct spec_image img = { .cmd = cmd_echo };
	char *all[] = { "ALL", NULL }, *netadmin[] = { "NET_ADMIN", NULL }, *chown_[] = { "CHOWN", NULL };
	char *vols[] = { "/srv:/data:ro", NULL }, *tmpfs[] = { "/run", NULL };
	char *badcap[] = { "NOT_A_CAP", NULL }, *badvol[] = { "rel/x:/x", NULL };
	char *ulimits[] = { "nofile=1024:2048", NULL };
	struct spec_opts o;
	struct container_spec s;

	memset(&o, 0, sizeof o);
	if (builds(&o, &img, &s, "default capabilities"))
		ok((s.caps & (1ULL << CAP_CHOWN)) && !(s.caps & (1ULL << CAP_SYS_ADMIN)),
		   "the default set: CHOWN, not SYS_ADMIN");
	container_spec_free(&s);

	o.cap_drop = all;
	o.cap_add = netadmin;
	if (builds(&o, &img, &s, "--cap-drop ALL --cap-add NET_ADMIN"))
		is_int(s.caps, 1ULL << CAP_NET_ADMIN, "only NET_ADMIN left");
	container_spec_free(&s);

	o.cap_drop = chown_;
	o.cap_add = NULL;
	if (builds(&o, &img, &s, "--cap-drop CHOWN"))
		ok(!(s.caps & (1ULL << CAP_CHOWN)) && (s.caps & (1ULL << CAP_KILL)),
		   "CHOWN dropped, KILL kept");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.volumes = vols;
	o.tmpfs = tmpfs;
	o.ulimits = ulimits;
	o.cgroups = "disabled";
	if (builds(&o, &img, &s, "-v, --tmpfs, --ulimit, --cgroups")) {
		is_int(s.nvolumes, 1, "one volume");
		is_str(s.volumes[0].dst, "/data", "volume destination");
		ok(s.volumes[0].readonly, "volume :ro");
		is_int(s.ntmpfs, 1, "one tmpfs");
		is_list(s.ulimits, "nofile=1024:2048", "ulimits kept");
		ok(s.no_cgroups, "--cgroups=disabled");
		ok(!s.has_limits, "no limits");
	}
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.has_limits = true;
	cgroup_limits_init(&o.limits);
	{
		struct err e = ERR_INIT;
		ok(cgroup_limit_set(&o.limits, "memory", "64m", &e) == 0 &&
			   cgroup_limit_set(&o.limits, "cpuset-cpus", "0", &e) == 0,
		   "limits parse");
		err_clear(&e);
	}
	if (builds(&o, &img, &s, "resource limits")) {
		ok(s.has_limits && s.limits.memory == 64 << 20, "--memory carried over");
		ok(s.limits.cpuset_cpus && s.limits.cpuset_cpus != o.limits.cpuset_cpus &&
			   strcmp(s.limits.cpuset_cpus, "0") == 0,
		   "--cpuset-cpus copied, not shared");
	}
	container_spec_free(&s);
	cgroup_limits_free(&o.limits);

	memset(&o, 0, sizeof o);
	o.cap_add = badcap;
	fails(&o, &img, "NOT_A_CAP", "unknown capability");
	memset(&o, 0, sizeof o);
	o.volumes = badvol;
	fails(&o, &img, "invalid volume name \"rel/x\"", "a relative source that is no volume name");
}

static void test_volume_mounts(void)
{
	struct spec_opts o;
	struct spec_image img;
	struct container_spec s;
	char *vols[] = { "data:/data", "/anon", NULL };
	char *mounts[] = { "type=tmpfs,dst=/t,tmpfs-size=1m", "type=bind,src=/h,dst=/b,ro", NULL };
	char *imgvols[] = { "/data", "/var/lib/x", "/t", NULL };
	char *dup[] = { "/a:/x", "v:/x", NULL };
	char *dupm[] = { "type=tmpfs,dst=/x", NULL };
	char *badm[] = { "type=bind,src=/h,dst=/b,bogus=1", NULL };

	memset(&o, 0, sizeof o);
	memset(&img, 0, sizeof img);
	img.cmd = cmd_echo;
	o.volumes = vols;
	o.mounts = mounts;
	img.volumes = imgvols;
	if (builds(&o, &img, &s, "-v NAME:/p, -v /p, --mount and image VOLUMEs")) {
		is_int(s.nvolumes, 4, "four volumes: data, /anon, the bind, VOLUME /var/lib/x");
		ok(s.volumes[0].is_volume && strcmp(s.volumes[0].name, "data") == 0 && !s.volumes[0].src,
		   "a named volume, to be resolved by the caller");
		ok(s.volumes[1].anonymous && strcmp(s.volumes[1].dst, "/anon") == 0, "-v /anon: anonymous");
		ok(!s.volumes[2].is_volume && strcmp(s.volumes[2].src, "/h") == 0 && s.volumes[2].readonly,
		   "--mount type=bind,ro");
		ok(s.volumes[3].anonymous && strcmp(s.volumes[3].dst, "/var/lib/x") == 0,
		   "the image's VOLUME where no mount covers it");
		is_int(s.ntmpfs, 1, "--mount type=tmpfs");
		is_str(s.tmpfs[0].data, "size=1m", "  its size");
	}
	container_spec_free(&s);
	memset(&o, 0, sizeof o);
	memset(&img, 0, sizeof img);
	img.cmd = cmd_echo;
	o.volumes = dup;
	fails(&o, &img, "/x: duplicate mount destination", "two volumes on one path");
	o.mounts = dupm;
	{
		char *v1[] = { "/a:/x", NULL };
		o.volumes = v1;
		fails(&o, &img, "/x: duplicate mount destination", "a volume and a tmpfs on one path");
	}
	memset(&o, 0, sizeof o);
	o.mounts = badm;
	fails(&o, &img, "unknown key \"bogus\"", "an unknown --mount key");
}

static void test_extras(void)
{
	char *img_labels[] = { "a=image", "b=image", NULL };
	char *labels[] = { "b=flag", "c", NULL };
	char *hosts[] = { "db:10.0.0.5", "gw:host-gateway", "v6:2001:db8::1", NULL };
	char *dns[] = { "192.0.2.1", NULL }, *none[] = { "none", NULL },
	     *both[] = { "none", "192.0.2.1", NULL };
	char *sysctls[] = { "net.ipv4.ip_forward=1", "kernel.shmmax=65536", "fs.mqueue.msg_max=20", NULL };
	char *host_env[] = { "FROM_HOST=1", "PATH=/host", NULL };
	char *env[] = { "PATH=/flag", NULL };
	struct spec_image img = { .cmd = (char *[]){ "sh", NULL }, .labels = img_labels };
	struct spec_opts o = { 0 };
	struct container_spec s;

	o.labels = labels;
	o.add_hosts = hosts;
	o.dns = dns;
	o.sysctls = sysctls;
	o.host_env = host_env;
	o.env_specs = env;
	o.shm_size = "1m";
	o.tz = "Europe/Paris";
	o.cidfile = "/tmp/x.cid";
	if (builds(&o, &img, &s, "extras")) {
		is_list(s.labels,
			"a=image|b=flag|c=", "labels: image first, flags replace, KEY alone is empty");
		is_list(s.add_hosts, "db:10.0.0.5|gw:host-gateway|v6:2001:db8::1",
			"--add-host kept in order");
		is_list(s.dns, "192.0.2.1", "--dns");
		is_list(s.sysctls, "net.ipv4.ip_forward=1|kernel.shmmax=65536|fs.mqueue.msg_max=20",
			"--sysctl");
		ok(s.shm_size == 1024 * 1024, "--shm-size 1m");
		is_str(s.tz, "Europe/Paris", "--tz");
		is_str(s.cidfile, "/tmp/x.cid", "--cidfile");
		ok(env_get(s.env, "FROM_HOST") && strcmp(env_get(s.env, "PATH"), "/flag") == 0,
		   "--env-host adds the caller's environment, -e wins");
	}
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.dns = none;
	if (builds(&o, &img, &s, "--dns none"))
		ok(s.no_resolv && !s.dns, "--dns none keeps the image's resolv.conf");
	container_spec_free(&s);

	memset(&o, 0, sizeof o);
	o.dns = both;
	fails(&o, &img, "--dns=none", "--dns none with a server");
	memset(&o, 0, sizeof o);
	o.add_hosts = (char *[]){ "nocolon", NULL };
	fails(&o, &img, "bad format for add-host: \"nocolon\"", "--add-host without an address");
	o.add_hosts = (char *[]){ "a\nb:1.2.3.4", NULL };
	fails(&o, &img, "bad format for add-host", "--add-host with a newline");
	o.add_hosts = (char *[]){ "a:1.2.3", NULL };
	fails(&o, &img, "invalid IP", "--add-host with a bad address");
	o.add_hosts = (char *[]){ "a:1.2.3.4", NULL };
	o.no_hosts = true;
	fails(&o, &img, "--no-hosts", "--no-hosts with --add-host");
	memset(&o, 0, sizeof o);
	o.dns_options = (char *[]){ "ndots:1\nnameserver 6.6.6.6", NULL };
	fails(&o, &img, "--dns-option", "a --dns-option with a newline");
	memset(&o, 0, sizeof o);
	o.annotations = (char *[]){ "novalue", NULL };
	fails(&o, &img, "KEY=VALUE", "an annotation without =");
	memset(&o, 0, sizeof o);
	o.labels = (char *[]){ "=v", NULL };
	fails(&o, &img, "KEY=VALUE", "a label without a name");
	memset(&o, 0, sizeof o);
	o.tz = "../../etc/shadow";
	fails(&o, &img, "unknown time zone", "a zone with ..");
	o.tz = "/etc/shadow";
	fails(&o, &img, "unknown time zone", "an absolute zone");
	memset(&o, 0, sizeof o);
	o.shm_size = "0";
	fails(&o, &img, "greater than 0", "--shm-size 0");
	o.shm_size = "lots";
	fails(&o, &img, "--shm-size", "a bad --shm-size");
	memset(&o, 0, sizeof o);
	o.cidfile = "rel.cid";
	fails(&o, &img, "absolute", "a relative cidfile reaching the library");

	struct err e = ERR_INIT;
	static const char *const devs[][2] = {
		{ "/dev/fuse", "/dev/fuse:/dev/fuse:rwm" },
		{ "/dev/fuse:/dev/f2", "/dev/fuse:/dev/f2:rwm" },
		{ "/dev/fuse:rw", "/dev/fuse:/dev/fuse:rw" },
		{ "/dev/dri:/dev/dri:rwm", "/dev/dri:/dev/dri:rwm" },
	};
	static const char *const baddevs[] = { "dev/fuse",  "/dev/fuse:rel",      "/dev/fuse:/x:rwz",
					       "/dev/../x", "/dev/fuse:/a/./b",   "/dev/fuse:/x:r",
					       "",          "/dev/fuse:/x:rw:ex", "vendor.com/gpu=all",
					       "/dev//x",   "/dev/fuse:" };
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		char *d = device_normalize(devs[i][0], &e);
		is_str(d, devs[i][1], "--device %s", devs[i][0]);
		free(d);
		err_clear(&e);
	}
	for (size_t i = 0; i < ARRAY_SIZE(baddevs); i++) {
		char *d = device_normalize(baddevs[i], &e);
		ok(!d && e.msg, "--device \"%s\" refused", baddevs[i]);
		free(d);
		err_clear(&e);
	}
	static const char *const bad[] = { "kernel.pid_max=1",
					   "vm.overcommit_memory=1",
					   "net.ipv4..x=1",
					   "net.ipv4.x",
					   "=1",
					   "net/../x=1",
					   ".net.x=1",
					   "kernel.shmmax=1\n2" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ok(sysctl_check(bad[i], NET_SLIRP, &e) < 0, "sysctl %zu refused", i);
		err_clear(&e);
	}
	ok(sysctl_check("net/ipv4/ip_forward=1", NET_SLIRP, &e) == 0, "a sysctl key with slashes");
	ok(sysctl_check("net.ipv4.ip_forward=1", NET_HOST, &e) < 0 && strstr(e.msg, "own"),
	   "net.* with the host network refused");
	err_clear(&e);
	ok(sysctl_check("kernel.sem=1 2 3 4", NET_HOST, &e) == 0, "IPC sysctls with the host network");
	err_clear(&e);
}

int main(void)
{
	test_command();
	test_env();
	test_workdir_user_hostname();
	test_lifecycle();
	test_health();
	test_caps_mounts_limits();
	test_extras();
	test_volume_mounts();
	return done_testing();
}
