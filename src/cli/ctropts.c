/* ctropts.c - the options run and create share, and the container spec
 * they build from them and the image. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#include "ctropts.h"
#include "lib/base/netfs.h"
#include "lib/cdi/cdi.h"
#include "lib/record/state.h"
#include "lib/base/util.h"
#include "lib/store/sqfile.h"
#include "lib/store/ref.h"

enum {
	O_RM = 1,
	O_INTERACTIVE,
	O_TTY,
	O_NAME,
	O_ENV,
	O_ENVFILE,
	O_WORKDIR,
	O_USER,
	O_VOLUME,
	O_TMPFS,
	O_HOSTNAME,
	O_ENTRYPOINT,
	O_INIT,
	O_READONLY,
	O_CAPADD,
	O_CAPDROP,
	O_SECOPT,
	O_NETWORK,
	O_NETALIAS,
	O_IP,
	O_HELP,
	O_DETACH,
	O_PUBLISH,
	O_RESTART,
	O_HCMD,
	O_HINTERVAL,
	O_HTIMEOUT,
	O_HRETRIES,
	O_HSTART,
	O_NOHC,
	O_LOGDRV,
	O_LOGOPT,
	O_STOPSIG,
	O_STOPTIMEOUT,
	O_PUBALL = 100,
	O_CGROUPS,
	O_ULIMIT,
	O_LIMIT = 300, /* cgroup limits: + index in limit_flags[] */
	O_PULL = 200,
	O_PLATFORM,
	O_TLSVERIFY,
	O_USERNS = 650, /* --userns, --uidmap, --gidmap (ctrns.h has 600..) */
	O_UIDMAP,
	O_GIDMAP,
	O_LABEL = 400,
	O_LABELFILE,
	O_ANNOTATION,
	O_ADDHOST,
	O_DNS,
	O_DNSSEARCH,
	O_DNSOPT,
	O_NOHOSTS,
	O_CIDFILE,
	O_TZ,
	O_ENVHOST,
	O_REPLACE,
	O_SHMSIZE,
	O_SYSCTL,
	O_QUIET,
	O_DEVICE,
	O_GROUPADD,
	O_MOUNT,
	O_VOLFROM,
	O_SLURM = 800, /* ctrslurm.h */
	O_NODESHARE,
};

/* the cgroup limit flags, in O_LIMIT + i order: cgroup_limit_set() takes the name */
static const char *const limit_flags[] = {
	"memory",     "memory-swap", "memory-reservation", "cpus",       "cpu-shares",   "cpu-quota",
	"cpu-period", "cpuset-cpus", "cpuset-mems",        "pids-limit", "blkio-weight",
};

const struct opt ctr_opts[] = {
	{ "blkio-weight", 0, OPT_VALUE, O_LIMIT + 10, "N",
	  "Block IO weight, 10 to 1000 (io.bfq.weight/io.weight)" },
	{ "cgroups", 0, OPT_VALUE, O_CGROUPS, "MODE",
	  "enabled (default) or disabled: never create a cgroup" },
	{ "cpu-period", 0, OPT_VALUE, O_LIMIT + 6, "USEC", "CPU CFS period (with --cpu-quota)" },
	{ "cpu-quota", 0, OPT_VALUE, O_LIMIT + 5, "USEC", "CPU CFS quota per period (cpu.max)" },
	{ "cpu-shares", 0, OPT_VALUE, O_LIMIT + 4, "N", "CPU shares, 2 to 262144 (cpu.weight)" },
	{ "cpus", 0, OPT_VALUE, O_LIMIT + 3, "N", "Number of CPUs, e.g. 0.5 (cpu.max)" },
	{ "cpuset-cpus", 0, OPT_VALUE, O_LIMIT + 7, "LIST", "CPUs the container may use, e.g. 0-3,5" },
	{ "cpuset-mems", 0, OPT_VALUE, O_LIMIT + 8, "LIST", "Memory nodes the container may use" },
	{ "memory", 0, OPT_VALUE, O_LIMIT + 0, "SIZE", "Memory limit, e.g. 64m (memory.max)" },
	{ "memory-reservation", 0, OPT_VALUE, O_LIMIT + 2, "SIZE", "Memory soft limit (memory.low)" },
	{ "memory-swap", 0, OPT_VALUE, O_LIMIT + 1, "SIZE", "Memory plus swap limit, -1 for unlimited swap" },
	{ "pids-limit", 0, OPT_VALUE, O_LIMIT + 9, "N", "Maximum number of processes, -1 for unlimited" },
	{ "ulimit", 0, OPT_VALUE, O_ULIMIT, "TYPE=SOFT[:HARD]",
	  "Set a resource limit (setrlimit), e.g. nofile=1024:2048" },
	{ "add-host", 0, OPT_VALUE, O_ADDHOST, "HOST:IP",
	  "Add a line to /etc/hosts (IP may be host-gateway)" },
	{ "annotation", 0, OPT_VALUE, O_ANNOTATION, "KEY=VALUE", "Add an annotation to the container" },
	{ "cap-add", 0, OPT_VALUE, O_CAPADD, "CAP", "Add a capability (or ALL)" },
	{ "cap-drop", 0, OPT_VALUE, O_CAPDROP, "CAP", "Drop a capability (or ALL)" },
	{ "cidfile", 0, OPT_VALUE, O_CIDFILE, "FILE", "Write the container ID to FILE" },
	{ "device", 0, OPT_VALUE, O_DEVICE, "HOST[:CTR][:PERMS]",
	  "Give the container a host device (or a directory of them), or a CDI device VENDOR/CLASS=NAME" },
	{ "detach", 'd', OPT_FLAG, O_DETACH, NULL, "Run in the background and print the container ID" },
	{ "detach-keys", 0, OPT_VALUE, O_NS_DETACH_KEYS, "KEYS",
	  "Keys that detach from the terminal (default ctrl-p,ctrl-q; \"\" disables)" },
	{ "dns", 0, OPT_VALUE, O_DNS, "IP", "Use this DNS server (none: keep the image's resolv.conf)" },
	{ "dns-option", 0, OPT_VALUE, O_DNSOPT, "OPT", "Set a DNS resolver option" },
	{ "dns-search", 0, OPT_VALUE, O_DNSSEARCH, "DOMAIN", "Set a DNS search domain (. for none)" },
	{ "entrypoint", 0, OPT_VALUE, O_ENTRYPOINT, "CMD", "Override the image's ENTRYPOINT" },
	{ "env", 'e', OPT_VALUE, O_ENV, "KEY[=VAL]", "Set an environment variable" },
	{ "env-file", 0, OPT_VALUE, O_ENVFILE, "FILE", "Read environment variables from FILE" },
	{ "group-add", 0, OPT_VALUE, O_GROUPADD, "GROUP",
	  "Add a supplementary group (gid or name), or keep-groups" },
	{ "env-host", 0, OPT_FLAG, O_ENVHOST, NULL, "Pass the caller's whole environment" },
	{ "health-cmd", 0, OPT_VALUE, O_HCMD, "CMD",
	  "Healthcheck command (run with /bin/sh -c, or a JSON array)" },
	{ "health-interval", 0, OPT_VALUE, O_HINTERVAL, "DURATION",
	  "Time between healthchecks (default 30s)" },
	{ "health-retries", 0, OPT_VALUE, O_HRETRIES, "N", "Failures in a row before unhealthy (default 3)" },
	{ "health-start-period", 0, OPT_VALUE, O_HSTART, "DURATION",
	  "Failures during this start period do not count" },
	{ "health-timeout", 0, OPT_VALUE, O_HTIMEOUT, "DURATION",
	  "Time a healthcheck may take (default 30s)" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "hostname", 'h', OPT_VALUE, O_HOSTNAME, "NAME", "Container hostname" },
	{ "init", 0, OPT_FLAG, O_INIT, NULL, "Run burrow-init as PID 1 to reap zombies and forward signals" },
	{ "interactive", 'i', OPT_FLAG, O_INTERACTIVE, NULL, "Keep stdin open" },
	{ "ipc", 0, OPT_VALUE, O_NS_IPC, "MODE",
	  "IPC namespace: shareable (default), private, none, host or container:NAME" },
	{ "ip", 0, OPT_VALUE, O_IP, "A.B.C.D", "The container's address on its network" },
	{ "label", 'l', OPT_VALUE, O_LABEL, "KEY[=VALUE]", "Set a label on the container" },
	{ "label-file", 0, OPT_VALUE, O_LABELFILE, "FILE", "Read labels from FILE" },
	{ "log-driver", 0, OPT_VALUE, O_LOGDRV, "DRIVER", "k8s-file (default) or none" },
	{ "log-opt", 0, OPT_VALUE, O_LOGOPT, "OPT", "max-size=SIZE or max-file=N" },
	{ "mount", 0, OPT_VALUE, O_MOUNT, "type=TYPE,...",
	  "Mount a bind, volume or tmpfs: type=bind|volume|tmpfs,source=,target=,readonly,..." },
	{ "name", 0, OPT_VALUE, O_NAME, "NAME", "Container name" },
	{ "net", 0, OPT_VALUE, O_NETWORK, "MODE", "Alias for --network" },
	{ "network", 0, OPT_VALUE, O_NETWORK, "MODE",
	  "slirp4netns[:OPTS] (default), none, host, container:NAME, or a network's name (repeatable)" },
	{ "network-alias", 0, OPT_VALUE, O_NETALIAS, "NAME",
	  "Another name for the container on its networks" },
	{ "no-healthcheck", 0, OPT_FLAG, O_NOHC, NULL, "Disable the image's healthcheck" },
	{ "no-hosts", 0, OPT_FLAG, O_NOHOSTS, NULL, "Keep the image's /etc/hosts" },
	{ "pid", 0, OPT_VALUE, O_NS_PID, "MODE", "PID namespace: private (default), host or container:NAME" },
	{ "preserve-fds", 0, OPT_VALUE, O_NS_PRESERVE_FDS, "N",
	  "Pass the caller's fds 3 to 3+N-1 to the command (run only)" },
	{ "privileged", 0, OPT_FLAG, O_NS_PRIVILEGED, NULL,
	  "Every capability, no syscall filter, no masked paths, the user's host devices" },
	{ "publish", 'p', OPT_VALUE, O_PUBLISH, "[IP:]HOST:CTR[/PROTO]",
	  "Publish a container port on the host" },
	{ "publish-all", 'P', OPT_FLAG, O_PUBALL, NULL, "Publish every EXPOSEd port on a random host port" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Do not show the progress of a pull" },
	{ "read-only", 0, OPT_FLAG, O_READONLY, NULL, "Mount the root filesystem read-only" },
	{ "replace", 0, OPT_FLAG, O_REPLACE, NULL, "Replace a container with the same --name" },
	{ "restart", 0, OPT_VALUE, O_RESTART, "POLICY", "no, on-failure[:N], always or unless-stopped" },
	{ "rm", 0, OPT_FLAG, O_RM, NULL, "Remove the container when it exits" },
	{ "security-opt", 0, OPT_VALUE, O_SECOPT, "OPT",
	  "no-new-privileges (always on), seccomp=unconfined|PROFILE.json, label=disable" },
	{ "platform", 0, OPT_VALUE, O_PLATFORM, "OS/ARCH",
	  "Platform of the image to pull (default: this host)" },
	{ "pull", 0, OPT_VALUE, O_PULL, "POLICY", "Pull the image: missing (default), always or never" },
	{ "stop-signal", 0, OPT_VALUE, O_STOPSIG, "SIGNAL",
	  "Signal that stops the container (default: the image's, else TERM)" },
	{ "stop-timeout", 0, OPT_VALUE, O_STOPTIMEOUT, "SECONDS",
	  "Time to wait before SIGKILL (default 10)" },
	{ "tmpfs", 0, OPT_VALUE, O_TMPFS, "PATH[:OPTS]", "Mount a tmpfs" },
	{ "tls-verify", 0, OPT_FLAG, O_TLSVERIFY, NULL,
	  "Require HTTPS and verify certificates when pulling (default true)" },
	{ "slurm", 0, OPT_VALUE, O_SLURM, "MODE",
	  "Slurm job-step defaults: auto (default: in a job step), on or off (run only)" },
	{ "node-share", 0, OPT_FLAG, O_NODESHARE, NULL,
	  "One container per node for the job step, joined by every rank (run only)" },
	{ "shm-size", 0, OPT_VALUE, O_SHMSIZE, "SIZE", "Size of /dev/shm (default 64m)" },
	{ "sysctl", 0, OPT_VALUE, O_SYSCTL, "KEY=VALUE", "Set a namespaced kernel parameter" },
	{ "tty", 't', OPT_FLAG, O_TTY, NULL, "Allocate a terminal" },
	{ "tz", 0, OPT_VALUE, O_TZ, "ZONE", "Time zone: local, or a name such as Europe/Paris" },
	{ "user", 'u', OPT_VALUE, O_USER, "USER[:GROUP]", "Run as this user (name or id)" },
	{ "userns", 0, OPT_VALUE, O_USERNS, "MODE",
	  "User namespace: host (default), keep-id[:uid=N,gid=N] or nomap" },
	{ "uidmap", 0, OPT_VALUE, O_UIDMAP, "CTR:INTERMEDIATE:SIZE",
	  "Map container UIDs to IDs of burrow's namespace (0 = you, 1.. = subordinate)" },
	{ "gidmap", 0, OPT_VALUE, O_GIDMAP, "CTR:INTERMEDIATE:SIZE", "Map container GIDs, as --uidmap" },
	{ "uts", 0, OPT_VALUE, O_NS_UTS, "MODE", "UTS namespace: private (default), host or container:NAME" },
	{ "volume", 'v', OPT_VALUE, O_VOLUME, "[SRC:]DST[:OPTS]",
	  "Mount a host path or a volume (created on first use); DST alone: an anonymous volume" },
	{ "volumes-from", 0, OPT_VALUE, O_VOLFROM, "CONTAINER[:ro|rw]",
	  "Mount the volumes and bind mounts of another container" },
	{ "workdir", 'w', OPT_VALUE, O_WORKDIR, "DIR", "Working directory inside the container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

void run_args_free(struct run_args *a)
{
	free(a->sqfs_config);
	strv_free(a->ports);
	strv_free(a->networks);
	strv_free(a->net_aliases);
	strv_free(a->o.log_opts);
	strv_free(a->o.env_specs);
	strv_free(a->o.env_files);
	strv_free(a->o.volumes);
	strv_free(a->o.tmpfs);
	strv_free(a->o.mounts);
	strv_free(a->volumes_from);
	strv_free(a->o.cap_add);
	strv_free(a->o.cap_drop);
	strv_free(a->o.ulimits);
	strv_free(a->o.labels);
	strv_free(a->o.label_files);
	strv_free(a->o.annotations);
	strv_free(a->o.add_hosts);
	strv_free(a->o.dns);
	strv_free(a->o.dns_search);
	strv_free(a->o.dns_options);
	strv_free(a->o.sysctls);
	strv_free(a->o.devices);
	strv_free(a->o.group_add);
	strv_free(a->uidmaps);
	strv_free(a->gidmaps);
	free(a->seccomp);
	if (a->o.has_limits)
		cgroup_limits_free(&a->o.limits);
}

/* a profile is at most this big (podman's default is 20 KiB) */
#define SECCOMP_PROFILE_MAX (1 << 20)

static int check_secopt(const char *v, struct run_args *a, struct err *e)
{
	if (strncmp(v, "seccomp=", 8) == 0 || strncmp(v, "seccomp:", 8) == 0) {
		const char *f = v + 8;

		free(a->seccomp);
		a->seccomp = NULL;
		a->o.seccomp = NULL;
		a->seccomp_file = NULL;
		if (strcmp(f, "unconfined") == 0) {
			a->o.seccomp = "unconfined";
			return 0;
		}
		if (!*f)
			return err_make(e, 0, "--security-opt seccomp= needs unconfined or a profile file");
		if (read_file_at(AT_FDCWD, f, SECCOMP_PROFILE_MAX, &a->seccomp, NULL, e) < 0)
			return err_wrap(e, "--security-opt seccomp=%s", f);
		/* a JSON object: the record keeps the text where it keeps the
		 * keyword unconfined, which a file's text must never read as */
		if (a->seccomp[strspn(a->seccomp, " \t\r\n")] != '{')
			return err_make(e, 0, "--security-opt seccomp=%s: seccomp profile: not a JSON object", f);
		a->o.seccomp = a->seccomp;
		a->seccomp_file = f;
		return 0;
	}
	if (strcmp(v, "no-new-privileges") == 0 || strcmp(v, "no-new-privileges=true") == 0 ||
	    strcmp(v, "no-new-privileges:true") == 0)
		return 0;
	if (strcmp(v, "no-new-privileges=false") == 0 || strcmp(v, "no-new-privileges:false") == 0)
		return err_make(e, 0, "--security-opt %s: burrow always sets no_new_privs", v);
	if (strcmp(v, "label=disable") == 0 || strcmp(v, "apparmor=unconfined") == 0)
		return 0;
	return err_make(e, 0,
			"unsupported --security-opt \"%s\" (supported: no-new-privileges, "
			"seccomp=unconfined, seccomp=PROFILE.json, label=disable, apparmor=unconfined)",
			v);
}

int run_parse_args(const char *verb, int argc, char **argv, struct run_args *a, bool *help, struct err *e)
{
	struct optparser p;
	int id;

	a->tls_verify = true;
	a->node_share = -1;
	opt_init(&p, ctr_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_RM:
			a->o.rm = opt_flag_value(&p);
			break;
		case O_INTERACTIVE:
			a->o.interactive = opt_flag_value(&p);
			break;
		case O_TTY:
			a->o.tty = opt_flag_value(&p);
			break;
		case O_INIT:
			a->o.init = opt_flag_value(&p);
			break;
		case O_READONLY:
			a->o.read_only = opt_flag_value(&p);
			break;
		case O_NAME:
			a->name = p.value;
			break;
		case O_WORKDIR:
			a->o.workdir = p.value;
			break;
		case O_USER:
			a->o.user = p.value;
			break;
		case O_HOSTNAME:
			a->o.hostname = p.value;
			break;
		case O_ENTRYPOINT:
			a->o.entrypoint = p.value;
			break;
		case O_NETWORK:
			a->network = p.value;
			strv_push(&a->networks, p.value);
			break;
		case O_NETALIAS:
			strv_push(&a->net_aliases, p.value);
			break;
		case O_IP:
			a->ip = p.value;
			break;
		case O_ENV:
			strv_push(&a->o.env_specs, p.value);
			break;
		case O_ENVFILE:
			strv_push(&a->o.env_files, p.value);
			break;
		case O_VOLUME:
			strv_push(&a->o.volumes, p.value);
			break;
		case O_TMPFS:
			strv_push(&a->o.tmpfs, p.value);
			break;
		case O_MOUNT:
			strv_push(&a->o.mounts, p.value);
			break;
		case O_VOLFROM:
			strv_push(&a->volumes_from, p.value);
			break;
		case O_CAPADD:
			strv_push(&a->o.cap_add, p.value);
			break;
		case O_CAPDROP:
			strv_push(&a->o.cap_drop, p.value);
			break;
		case O_DETACH:
			a->o.detach = opt_flag_value(&p);
			break;
		case O_NOHC:
			a->o.no_healthcheck = opt_flag_value(&p);
			break;
		case O_PUBLISH:
			strv_push(&a->ports, p.value);
			break;
		case O_PUBALL:
			a->publish_all = opt_flag_value(&p);
			break;
		case O_LOGOPT:
			strv_push(&a->o.log_opts, p.value);
			break;
		case O_RESTART:
			a->o.restart = p.value;
			break;
		case O_HCMD:
			a->o.health_cmd = p.value;
			break;
		case O_HINTERVAL:
			a->o.health_interval = p.value;
			break;
		case O_HTIMEOUT:
			a->o.health_timeout = p.value;
			break;
		case O_HRETRIES:
			a->o.health_retries = p.value;
			break;
		case O_HSTART:
			a->o.health_start = p.value;
			break;
		case O_LOGDRV:
			a->o.log_driver = p.value;
			break;
		case O_STOPSIG:
			a->o.stop_signal = p.value;
			break;
		case O_PULL:
			if (strcmp(p.value, "missing") != 0 && strcmp(p.value, "always") != 0 &&
			    strcmp(p.value, "never") != 0 && strcmp(p.value, "newer") != 0)
				return err_make(e, 0, "invalid --pull policy \"%s\" (missing, always, never)",
						p.value);
			a->pull = p.value;
			break;
		case O_PLATFORM:
			a->platform = p.value;
			break;
		case O_TLSVERIFY:
			a->tls_verify = opt_flag_value(&p);
			break;
		case O_STOPTIMEOUT:
			a->o.stop_timeout = p.value;
			break;
		case O_SECOPT:
			if (check_secopt(p.value, a, e) < 0)
				return -1;
			break;
		case O_CGROUPS:
			a->o.cgroups = p.value;
			break;
		case O_ULIMIT: {
			struct cg_ulimit u;
			if (cg_parse_ulimit(p.value, &u, e) < 0)
				return -1;
			strv_push(&a->o.ulimits, p.value);
			break;
		}
		case O_LABEL:
			strv_push(&a->o.labels, p.value);
			break;
		case O_LABELFILE:
			strv_push(&a->o.label_files, p.value);
			break;
		case O_ANNOTATION:
			strv_push(&a->o.annotations, p.value);
			break;
		case O_ADDHOST:
			strv_push(&a->o.add_hosts, p.value);
			break;
		case O_DNS:
			strv_push(&a->o.dns, p.value);
			break;
		case O_DNSSEARCH:
			strv_push(&a->o.dns_search, p.value);
			break;
		case O_DNSOPT:
			strv_push(&a->o.dns_options, p.value);
			break;
		case O_SYSCTL:
			strv_push(&a->o.sysctls, p.value);
			break;
		case O_DEVICE:
			strv_push(&a->o.devices, p.value);
			break;
		case O_GROUPADD:
			strv_push(&a->o.group_add, p.value);
			break;
		case O_NOHOSTS:
			a->o.no_hosts = opt_flag_value(&p);
			break;
		case O_CIDFILE:
			a->cidfile = p.value;
			break;
		case O_TZ:
			a->o.tz = p.value;
			break;
		case O_SHMSIZE:
			a->o.shm_size = p.value;
			break;
		case O_ENVHOST:
			a->env_host = opt_flag_value(&p);
			break;
		case O_REPLACE:
			a->replace = opt_flag_value(&p);
			break;
		case O_QUIET:
			a->quiet = opt_flag_value(&p);
			break;
		case O_USERNS:
			a->userns = p.value;
			break;
		case O_UIDMAP:
			strv_push(&a->uidmaps, p.value);
			break;
		case O_GIDMAP:
			strv_push(&a->gidmaps, p.value);
			break;
		case O_SLURM:
			if (strcmp(p.value, "auto") != 0 && strcmp(p.value, "on") != 0 &&
			    strcmp(p.value, "off") != 0)
				return err_make(e, 0, "invalid --slurm \"%s\" (auto, on, off)", p.value);
			a->slurm = p.value;
			break;
		case O_NODESHARE:
			a->node_share = opt_flag_value(&p);
			break;
		case O_HELP:
			*help = true;
			return 0;
		case -1:
			return -1;
		default:
			if (id >= O_NS_PID && id <= O_NS_LAST) {
				if (ctr_ns_option(&p, id, &a->ns, e) < 0)
					return -1;
				break;
			}
			if (id >= O_LIMIT && id < O_LIMIT + (int)ARRAY_SIZE(limit_flags)) {
				if (!a->o.has_limits)
					cgroup_limits_init(&a->o.limits);
				a->o.has_limits = true;
				if (cgroup_limit_set(&a->o.limits, limit_flags[id - O_LIMIT], p.value, e) < 0)
					return -1;
				break;
			}
			return err_make(e, 0, "internal error: option %d", id);
		}
	}
	if (a->o.has_limits && cgroup_limits_check(&a->o.limits, e) < 0)
		return -1;
	if (a->o.cgroups && strcmp(a->o.cgroups, "enabled") != 0 && strcmp(a->o.cgroups, "disabled") != 0)
		return err_make(e, 0, "invalid --cgroups \"%s\" (enabled, disabled)", a->o.cgroups);
	if (a->o.has_limits && a->o.cgroups && strcmp(a->o.cgroups, "disabled") == 0)
		return err_make(e, 0,
				"--cgroups=disabled conflicts with resource limits: "
				"burrow never ignores a limit it cannot enforce");
	if (strcmp(verb, "run") != 0 && a->ns.preserve_fds)
		return err_make(e, 0, "unknown flag: --preserve-fds");
	if (strcmp(verb, "run") != 0 && (a->slurm || a->node_share >= 0))
		return err_make(e, 0, "unknown flag: --%s (run only)", a->slurm ? "slurm" : "node-share");
	if (p.idx >= argc)
		return err_make(e, 0, "\"burrow %s\" requires at least 1 argument: an image", verb);
	a->image = argv[p.idx];
	a->o.cmd = argv + p.idx + 1;
	a->o.ncmd = argc - p.idx - 1;
	return 0;
}

/* The image's HEALTHCHECK (config.Healthcheck: Test, and Interval,
 * Timeout, StartPeriod in nanoseconds, Retries) as the defaults that the
 * --health-* flags override.  A Test of ["NONE"] disables it. */
static void image_labels(json_object *cfg, char ***labels)
{
	json_object *l;

	if (!json_object_object_get_ex(cfg, "Labels", &l) || !json_object_is_type(l, json_type_object))
		return;
	json_object_object_foreach(l, k, v) {
		if (!json_object_is_type(v, json_type_string))
			continue;
		char *kv = xasprintf("%s=%s", k, json_object_get_string(v));
		strv_push(labels, kv);
		free(kv);
	}
}

static void image_health_labels(struct store *st, const struct image *img, const char *sqfs_config,
				struct health_spec *h, bool want_health, char ***labels)
{
	_cleanup_free_ char *txt = NULL;
	struct err e = ERR_INIT;
	json_object *j, *cfg, *hc, *v;

	if (sqfs_config) {
		txt = xstrdup(sqfs_config);
	} else if (st && img->nlayers && img->config_json) {
		txt = xstrdup(img->config_json); /* as store_image_get read it */
	} else if (!st || !img->nlayers || store_image_config(st, img->id, &txt, &e) < 0) {
		err_clear(&e);
		return; /* an image without a readable config has no healthcheck */
	}
	j = json_tokener_parse(txt);
	if (!j)
		return;
	if (json_object_object_get_ex(j, "config", &cfg))
		image_labels(cfg, labels);
	if (want_health && json_object_object_get_ex(j, "config", &cfg) &&
	    json_object_object_get_ex(cfg, "Healthcheck", &hc) && json_object_is_type(hc, json_type_object)) {
		if (json_object_object_get_ex(hc, "Test", &v) && json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0) {
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *t = json_object_array_get_idx(v, i);
				if (json_object_is_type(t, json_type_string))
					strv_push(&h->test, json_object_get_string(t));
			}
			if (h->test && strcmp(h->test[0], "NONE") == 0) {
				strv_free(h->test);
				h->test = NULL;
			}
		}
		if (json_object_object_get_ex(hc, "Interval", &v) && json_object_get_int64(v) > 0)
			h->interval_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "Timeout", &v) && json_object_get_int64(v) > 0)
			h->timeout_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "StartPeriod", &v) && json_object_get_int64(v) > 0)
			h->start_period_ms = json_object_get_int64(v) / 1000000;
		if (json_object_object_get_ex(hc, "Retries", &v) && json_object_get_int(v) > 0)
			h->retries = json_object_get_int(v);
	}
	json_object_put(j);
}

/* --device: the node (or directory) exists and the user may use it as asked */
static int check_devices(const struct container_spec *s, struct err *e)
{
	for (size_t i = 0; s->devices && s->devices[i]; i++) {
		_cleanup_free_ char *host = xstrndup(s->devices[i], strcspn(s->devices[i], ":"));
		const char *perms = strrchr(s->devices[i], ':') + 1;
		struct stat st;
		int mode = (strchr(perms, 'r') ? R_OK : 0) | (strchr(perms, 'w') ? W_OK : 0);

		if (stat(host, &st) < 0)
			return err_make(e, errno, "--device %s", host);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
			return err_make(e, 0, "--device %s: not a device or a directory of devices", host);
		if (S_ISDIR(st.st_mode))
			mode = X_OK; /* its nodes are checked by the kernel on open */
		if (mode && access(host, mode) < 0)
			return err_make(e, errno, "--device %s: the user can't open it", host);
	}
	return 0;
}

/* FILE made absolute against the working directory, as the supervisor
 * and rm run elsewhere */
static char *absolute_path(const char *p)
{
	_cleanup_free_ char *cwd = NULL;

	if (p[0] == '/')
		return xstrdup(p);
	if (!(cwd = getcwd(NULL, 0)))
		return NULL;
	return xasprintf("%s/%s", cwd, p);
}

static char *find_init(struct err *e)
{
	_cleanup_free_ char *dir = self_exe_dir();
	char *p;

	if (dir) {
		p = xasprintf("%s/burrow-init", dir);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	p = xstrdup(LIBEXECDIR "/burrow-init");
	if (access(p, X_OK) == 0)
		return p;
	err_make(e, errno, "--init: %s", p);
	free(p);
	return NULL;
}

/* The image's name as podman records it for the container (ps .Image,
 * inspect .ImageName, events' image=): the image's name the reference
 * resolved to, else its first name (a reference by ID), else the
 * reference as given. */
static char *image_display_name(const char *ref, const struct image *img)
{
	_cleanup_strv_ char **cands = NULL;
	struct err e = ERR_INIT;

	if (ref_candidates(ref, &cands, &e) == 0)
		for (size_t i = 0; cands && cands[i]; i++)
			for (size_t k = 0; img->names && img->names[k]; k++)
				if (strcmp(img->names[k], cands[i]) == 0)
					return xstrdup(cands[i]);
	err_clear(&e);
	if (img->names && img->names[0])
		return xstrdup(img->names[0]);
	return xstrdup(ref);
}

int run_build_spec(struct globals *g, const struct run_args *a, const struct image *img,
		   const struct idmap *m, struct store *st, struct container_spec *s, struct err *e)
{
	struct spec_image si;
	struct spec_opts o;
	_cleanup_free_ char *cidfile = NULL;
	char created[48];
	int rc;

	if (random_hex_id(s->id, e) < 0)
		return -1;
	s->idmap = m;
	s->image_id = xstrdup(img->id);
	s->image_ref = image_display_name(a->image, img);
	s->overlay = g->cfg.overlay;
	state_time_now(created, sizeof created);
	s->created = xstrdup(created);
	if (run_build_network(g->cfg.root, a, img, s, e) < 0)
		return -1;
	memset(&si, 0, sizeof si);
	si.entrypoint = img->cfg.entrypoint;
	si.cmd = img->cfg.cmd;
	si.env = img->cfg.env;
	si.workdir = img->cfg.workdir;
	si.user = img->cfg.user;
	si.stop_signal = img->cfg.stop_signal;
	image_health_labels(st, img, a->sqfs_config, &si.health, !a->o.health_cmd && !a->o.no_healthcheck,
			    &si.labels);
	si.volumes = img->cfg.volumes;
	o = a->o;
	if (a->env_host)
		o.host_env = environ;
	if (a->cidfile) {
		cidfile = absolute_path(a->cidfile);
		if (!cidfile)
			return err_make(e, errno, "--cidfile %s", a->cidfile);
		o.cidfile = cidfile;
	}
	if (a->o.tz && strcmp(a->o.tz, "local") != 0) {
		_cleanup_free_ char *zp = xasprintf("/usr/share/zoneinfo/%s", a->o.tz);
		struct stat zst;
		if (stat(zp, &zst) < 0 || !S_ISREG(zst.st_mode))
			return err_make(e, 0, "finding timezone: unknown time zone %s", a->o.tz);
	}
	rc = spec_build(&o, &si, s, e);
	strv_free(si.health.test);
	strv_free(si.labels);
	if (rc < 0 || cdi_apply(g->cfg.cdi_spec_dirs, a->o.devices, s, e) < 0 || check_devices(s, e) < 0 ||
	    ctr_build_namespaces(g->cfg.root, &a->ns, a->o.cap_drop, a->o.hostname != NULL, s, e) < 0)
		return -1;
	if (a->o.init && !(s->init_path = find_init(e)))
		return -1;
	s->ctrdir = xasprintf("%s/containers/%s", g->cfg.root, s->id);
	s->rundir = xasprintf("%s/containers/%s", g->cfg.runroot, s->id);
	if (sqfile_is_path(a->image)) {
		/* a single-file image: squashfuse mounts it there at start */
		s->sqfs = xstrdup(img->names[0]);
		s->lowerdirs = xcalloc(2, sizeof(char *));
		s->lowerdirs[0] = xasprintf("%s/lower", s->rundir);
		free(s->image_ref);
		s->image_ref = xstrdup(s->sqfs);
		return 0;
	}
	s->lowerdirs = xcalloc(img->nlayers + 1, sizeof(char *));
	for (size_t i = 0; i < img->nlayers; i++)
		s->lowerdirs[i] = store_layer_path(st, img->layers[img->nlayers - 1 - i].chain_id);
	/* a store on a network filesystem: the writable layer is node-local */
	if (netfs_of(g->cfg.root)) {
		_cleanup_free_ char *local = netfs_local_dir();
		s->layer_dir = xasprintf("%s/layers/%s", local, s->id);
	}
	return 0;
}
