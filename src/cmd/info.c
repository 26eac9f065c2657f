/* info.c - what burrow says about the host, from the checks in
 * lib/hostcheck:
 *  - `burrow info [--format json]`: the host check.  The exit status is 0
 *    even when checks fail (it is a report); 125 is for tool errors such as
 *    a bad flag.
 *  - `burrow system info`: podman info's description of the host and the
 *    store (YAML by default, --format json or a template).  Only what burrow
 *    knows is shown: a podman field burrow has no true value for is left
 *    out, not made up.
 *  - `burrow version [--format]`, whose record system info shows too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "lib/base/netfs.h"
#include "lib/cgroup/cgroup.h"
#include "lib/hostcheck/hostcheck.h"
#include "lib/net/net.h"
#include "lib/base/util.h"
#include "version.h"
#include "cli/ctrslurm.h"
#include "cli/ctrutil.h"
#include "cli/format.h"
#include "lib/record/container.h"
#include "lib/store/store.h"

enum { O_FORMAT = 1, O_HELP };
static const struct opt info_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT",
	  "Output format: json, or the default report; a Go template reads system info's fields" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

static json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* ID map ranges: burrow info's keys, or podman info's (podman) */
static json_object *idmap_json(const struct idrange *r, size_t n, bool podman)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, podman ? "container_id" : "container",
				       json_object_new_int64((int64_t)r[i].inner));
		json_object_object_add(o, podman ? "host_id" : "host",
				       json_object_new_int64((int64_t)r[i].outer));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)r[i].count));
		json_object_array_add(a, o);
	}
	return a;
}

static void count_status(const struct hostinfo *h, size_t n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (size_t i = 0; i < h->nchecks; i++)
		n[h->checks[i].status]++;
}

static int print_json(const struct hostinfo *h, const struct config *c)
{
	_cleanup_json_ json_object *root = json_object_new_object();
	json_object *host = json_object_new_object(), *store = json_object_new_object();
	json_object *idmap = json_object_new_object(), *checks = json_object_new_array();
	json_object *summary = json_object_new_object();
	char magic[32];
	size_t n[3];

	json_object_object_add(root, "version", json_object_new_string(BURROW_VERSION));

	json_object_object_add(host, "kernel", json_object_new_string(h->kernel));
	json_object_object_add(host, "arch", json_object_new_string(h->arch));
	json_object_object_add(host, "os", jstr_or_null(h->os));
	json_object_object_add(host, "user", json_object_new_string(h->idmap.user));
	json_object_object_add(host, "uid", json_object_new_int64(h->idmap.uid));
	json_object_object_add(host, "gid", json_object_new_int64(h->idmap.gid));
	json_object_object_add(host, "runtimeDir", jstr_or_null(h->runtime_dir));
	json_object_object_add(host, "cgroupVersion", json_object_new_string(cgroup_layout_name(h->cgroup)));
	json_object_object_add(host, "cgroupPath", jstr_or_null(h->cgroup_dir));
	json_object_object_add(host, "cgroupControllers", jstrv(h->cgroup_controllers));
	json_object_object_add(host, "cgroupV1Controllers", jstrv(h->cgroup_v1_controllers));
	json_object_object_add(host, "cgroupDelegated", jstrv(h->cgroup_delegated));
	json_object_object_add(host, "cgroupWritable", json_object_new_boolean(h->cgroup_writable));
	{
		struct err le = ERR_INIT;
		_cleanup_free_ char *base = NULL;
		bool moves = false;
		enum cgroup_manager m = cgroup_probe_where(CG_C_MEMORY | CG_C_PIDS | CG_C_CPU, &base, &moves,
							   &le);
		json_object_object_add(host, "cgroupManager",
				       m == CGM_NONE ? NULL : json_object_new_string(cgroup_manager_name(m)));
		json_object_object_add(host, "cgroupParent", jstr_or_null(base));
		json_object_object_add(host, "cgroupMovesCaller", json_object_new_boolean(moves));
		json_object_object_add(host, "limitsUnavailable",
				       m != CGM_NONE ? NULL
						     : json_object_new_string(le.msg ? le.msg : "unknown"));
		err_clear(&le);
	}
	{
		_cleanup_free_ char *nh = net_find_helper();
		json_object_object_add(host, "networkDefault", json_object_new_string("slirp4netns"));
		json_object_object_add(host, "netHelper", json_object_new_string(nh));
	}
	json_object_object_add(root, "host", host);

	snprintf(magic, sizeof magic, "0x%lx", h->fs_magic);
	json_object_object_add(store, "root", json_object_new_string(c->root));
	json_object_object_add(store, "rootSource", jstr_or_null(c->root_source));
	json_object_object_add(store, "runroot", json_object_new_string(c->runroot));
	json_object_object_add(store, "configFile", jstr_or_null(c->conf_path));
	json_object_object_add(store, "fsType", json_object_new_string(h->fs_type));
	json_object_object_add(store, "fsMagic", json_object_new_string(magic));
	{
		const char *net = netfs_of(c->root);
		_cleanup_free_ char *layers = NULL;
		if (net) {
			_cleanup_free_ char *local = netfs_local_dir();
			layers = xasprintf("%s/layers", local);
		}
		json_object_object_add(store, "networkFilesystem", jstr_or_null(net));
		json_object_object_add(store, "writableLayers", jstr_or_null(layers));
	}
	json_object_object_add(store, "overlay",
			       json_object_new_string(overlay_mode_name(h->overlay_setting)));
	json_object_object_add(store, "overlayInUse", jstr_or_null(h->overlay_in_use));
	json_object_object_add(store, "kernelOverlay", json_object_new_boolean(h->kernel_overlay_ok));
	{
		/* single-file images (run FILE.sqfs): squashfuse, and what
		 * becomes of the owners stored in the file */
		json_object *sq = json_object_new_object();
		_cleanup_free_ char *sf = hostcheck_find_program("squashfuse_ll");
		json_object_object_add(sq, "squashfuse", jstr_or_null(sf));
		json_object_object_add(sq, "ownership",
				       json_object_new_string(h->idmap.single ? "squashed" : "kept"));
		json_object_object_add(store, "singleFileImages", sq);
	}
	json_object_object_add(root, "store", store);
	{
		/* Slurm job steps: whether this is one, and what run then does */
		json_object *sl = json_object_new_object(), *d = json_object_new_array();

		json_object_object_add(sl, "jobStep", json_object_new_boolean(slurm_in_step()));
		for (size_t i = 0; slurm_defaults[i]; i++)
			json_object_array_add(d, json_object_new_string(slurm_defaults[i]));
		json_object_object_add(sl, "defaults", d);
		json_object_object_add(root, "slurm", sl);
	}

	json_object_object_add(idmap, "source", json_object_new_string(h->idmap.source));
	json_object_object_add(idmap, "single", json_object_new_boolean(h->idmap.single));
	json_object_object_add(idmap, "reason", jstr_or_null(h->idmap.fallback_reason));
	json_object_object_add(idmap, "buildRootEmulation", json_object_new_boolean(h->root_emulation));
	json_object_object_add(idmap, "uids", idmap_json(h->idmap.uids, h->idmap.nuids, false));
	json_object_object_add(idmap, "gids", idmap_json(h->idmap.gids, h->idmap.ngids, false));
	json_object_object_add(root, "idmap", idmap);

	for (size_t i = 0; i < h->nchecks; i++) {
		const struct host_check *k = &h->checks[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(k->name));
		json_object_object_add(o, "status", json_object_new_string(check_status_name(k->status)));
		json_object_object_add(o, "detail", json_object_new_string(k->detail));
		json_object_object_add(o, "fix", jstr_or_null(k->fix));
		json_object_array_add(checks, o);
	}
	json_object_object_add(root, "checks", checks);

	count_status(h, n);
	json_object_object_add(summary, "ok", json_object_new_int64((int64_t)n[CHECK_OK]));
	json_object_object_add(summary, "warn", json_object_new_int64((int64_t)n[CHECK_WARN]));
	json_object_object_add(summary, "fail", json_object_new_int64((int64_t)n[CHECK_FAIL]));
	json_object_object_add(root, "summary", summary);

	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static void print_map(const char *label, const struct idrange *r, size_t n)
{
	printf("  %-13s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%lu:%lu:%lu", i ? ", " : " ", r[i].inner, r[i].outer, r[i].count);
	printf("  (container:host:size)\n");
}

static int print_human(const struct hostinfo *h, const struct config *c)
{
	_cleanup_free_ char *ctl = NULL;
	size_t n[3], w = 0;

	printf("burrow %s\n\nhost\n", BURROW_VERSION);
	printf("  %-13s %s (%s)\n", "kernel", h->kernel, h->arch);
	if (h->os)
		printf("  %-13s %s\n", "os", h->os);
	printf("  %-13s %s (uid %u, gid %u)\n", "user", h->idmap.user, (unsigned)h->idmap.uid,
	       (unsigned)h->idmap.gid);
	if (h->cgroup == CGROUP_V2 || h->cgroup == CGROUP_HYBRID) {
		size_t k = 0;
		ctl = xstrdup("");
		for (; h->cgroup_controllers && h->cgroup_controllers[k]; k++) {
			char *t = xasprintf("%s%s%s", ctl, k ? " " : "", h->cgroup_controllers[k]);
			free(ctl);
			ctl = t;
		}
		printf("  %-13s %s, %s (controllers: %s; %s)\n", "cgroup", cgroup_layout_name(h->cgroup),
		       h->cgroup_dir ? h->cgroup_dir : "?", k ? ctl : "none",
		       h->cgroup_writable ? "writable" : "not writable");
	} else {
		printf("  %-13s %s\n", "cgroup", cgroup_layout_name(h->cgroup));
	}
	{
		struct err le = ERR_INIT;
		_cleanup_free_ char *base = NULL;
		bool moves = false;
		enum cgroup_manager m = cgroup_probe_where(CG_C_MEMORY | CG_C_PIDS | CG_C_CPU, &base, &moves,
							   &le);
		if (m == CGM_DELEGATED)
			printf("  %-13s available (delegated cgroup: containers under %s%s%s%s)\n", "limits",
			       base, moves ? ", after moving its processes into " : "", moves ? base : "",
			       moves ? "/burrow-cli" : "");
		else if (m != CGM_NONE)
			printf("  %-13s available (%s cgroup: containers under a transient scope of the user's "
			       "systemd)\n",
			       "limits", cgroup_manager_name(m));
		else
			printf("  %-13s unavailable: %s\n", "limits", le.msg ? le.msg : "unknown");
		err_clear(&le);
	}

	{
		_cleanup_free_ char *nh = net_find_helper();
		printf("  %-13s slirp4netns by default (%s%s)\n", "network", nh,
		       access(nh, X_OK) == 0 ? "" : ": not found");
	}

	printf("\nstore\n");
	printf("  %-13s %s\n", "config", c->conf_path ? c->conf_path : "none (defaults)");
	printf("  %-13s %s (%s)\n", "root", c->root, c->root_source ? c->root_source : "default");
	printf("  %-13s %s\n", "runroot", c->runroot);
	printf("  %-13s %s (0x%lx)\n", "filesystem", h->fs_type, h->fs_magic);
	if (netfs_of(c->root)) {
		_cleanup_free_ char *local = netfs_local_dir();
		printf("  %-13s %s/layers (node-local: the store is on a network filesystem; set root in "
		       "burrow.conf or BURROW_ROOT to a local path to keep everything there)\n",
		       "layers", local);
	}
	printf("  %-13s %s (overlay = %s)\n", "overlay",
	       h->overlay_in_use ? h->overlay_in_use : "none usable", overlay_mode_name(h->overlay_setting));
	{
		_cleanup_free_ char *sf = hostcheck_find_program("squashfuse_ll");
		printf("  %-13s %s; owners in the file %s\n", "squashfs", sf ? sf : "squashfuse_ll not found",
		       h->idmap.single ? "squashed to root (single-ID map)" : "kept (subordinate IDs)");
	}

	printf("\nslurm\n");
	printf("  %-13s %s\n", "job step",
	       slurm_in_step() ? "yes: run turns on the defaults below (--slurm=off: none)"
			       : "no (run --slurm=on turns on the defaults below)");
	for (size_t i = 0; slurm_defaults[i]; i++)
		printf("  %-13s %s\n", i ? "" : "defaults", slurm_defaults[i]);

	printf("\nidmap\n");
	printf("  %-13s %s\n", "source", h->idmap.source);
	if (h->idmap.single)
		printf("  %-13s single ID (root only): %s\n", "mode",
		       h->idmap.fallback_reason ? h->idmap.fallback_reason : "single-ID map");
	else
		printf("  %-13s subordinate ranges\n", "mode");
	print_map("uids", h->idmap.uids, h->idmap.nuids);
	print_map("gids", h->idmap.gids, h->idmap.ngids);

	printf("\nchecks\n");
	for (size_t i = 0; i < h->nchecks; i++)
		if (strlen(h->checks[i].name) > w)
			w = strlen(h->checks[i].name);
	for (size_t i = 0; i < h->nchecks; i++) {
		const struct host_check *k = &h->checks[i];
		const char *mark = k->status == CHECK_OK ? "ok" : k->status == CHECK_WARN ? "warn" : "FAIL";
		printf("  %-4s  %-*s  %s\n", mark, (int)w, k->name, k->detail);
		if (k->fix)
			printf("  %-4s  %-*s  fix: %s\n", "", (int)w, "", k->fix);
	}
	count_status(h, n);
	printf("\n%zu ok, %zu warning%s, %zu failure%s\n", n[CHECK_OK], n[CHECK_WARN],
	       n[CHECK_WARN] == 1 ? "" : "s", n[CHECK_FAIL], n[CHECK_FAIL] == 1 ? "" : "s");
	return 0;
}

CMD_DECL(info)
{
	struct optparser p;
	struct hostinfo h;
	const char *format = NULL;
	int id, rc;

	opt_init(&p, info_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "info", "[OPTIONS]",
				       "Check the host: user namespaces, subordinate IDs, overlay, fuse, "
				       "cgroups and the store.\nEvery check that is not ok names its fix.",
				       info_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "info takes no arguments (got \"%s\")", argv[p.idx]);
	/* a podman user's `info --format '{{.Host.Arch}}'`: podman's
	 * description, which `system info` prints */
	if (format && strstr(format, "{{")) {
		g->may_open_store = true; /* for the image count; main closes it */
		return cmd_system_info(g, argc, argv, e);
	}
	if (format && strcmp(format, "json") != 0 && strcmp(format, "human") != 0 &&
	    strcmp(format, "table") != 0)
		return err_usage(e, "unknown --format \"%s\" (json, or leave it out for the report)", format);
	if (hostcheck_run(&h, &g->cfg, e) < 0) {
		hostinfo_free(&h);
		return -1;
	}
	if (format && strcmp(format, "json") == 0)
		rc = print_json(&h, &g->cfg);
	else
		rc = print_human(&h, &g->cfg);
	hostinfo_free(&h);
	return rc;
}

/* ---- burrow system info, burrow version -------------------------------------- */

static const struct opt sysinfo_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT",
	  "json, or a Go template ('{{.Host.Arch}}'); YAML if left out" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt version_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template ('{{.Client.Version}}')" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* Go's name for the machine, as podman prints it */
static const char *go_arch(const char *m)
{
	static const char *const map[][2] = { { "x86_64", "amd64" }, { "aarch64", "arm64" },
					      { "i686", "386" },     { "i386", "386" },
					      { "armv7l", "arm" },   { "ppc64le", "ppc64le" },
					      { "s390x", "s390x" },  { "riscv64", "riscv64" } };
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(m, map[i][0]) == 0)
			return map[i][1];
	return m;
}

static json_object *version_json(void)
{
	json_object *v = json_object_new_object();
	struct utsname u;
	_cleanup_free_ char *osarch = NULL;

	uname(&u);
	osarch = xasprintf("linux/%s", go_arch(u.machine));
	json_object_object_add(v, "Version", json_object_new_string(BURROW_VERSION));
	json_object_object_add(v, "Os", json_object_new_string("linux"));
	json_object_object_add(v, "OsArch", json_object_new_string(osarch));
	return v;
}

/* Go struct field names for the template: podman's data is structs
 * ("{{.Host.Arch}}") while its JSON and YAML use the lower-case keys */
static json_object *go_names(json_object *v, int depth)
{
	static const char *const special[][2] = {
		{ "idMappings", "IDMappings" },
		{ "ociRuntime", "OCIRuntime" },
		{ "uidmap", "UIDMap" },
		{ "gidmap", "GIDMap" },
		{ "container_id", "ContainerID" },
		{ "host_id", "HostID" },
		{ "cpus", "CPUs" },
		{ "slirp4netns", "Slirp4NetNS" },
	};
	json_object *o;

	if (depth > 32)
		return NULL;
	if (json_object_is_type(v, json_type_array)) {
		o = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(v); i++)
			json_object_array_add(o, go_names(json_object_array_get_idx(v, i), depth + 1));
		return o;
	}
	if (!json_object_is_type(v, json_type_object))
		return json_object_get(v);
	o = json_object_new_object();
	json_object_object_foreach(v, k, val) {
		_cleanup_free_ char *name = xstrdup(k);
		for (size_t i = 0; i < ARRAY_SIZE(special); i++)
			if (strcmp(k, special[i][0]) == 0) {
				free(name);
				name = xstrdup(special[i][1]);
			}
		name[0] = (char)toupper((unsigned char)name[0]);
		json_object_object_add(o, name, go_names(val, depth + 1));
	}
	return o;
}

/* --- YAML, the way podman's encoder writes it */

static bool plain_ok(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"
	};
	char *end;
	size_t n = strlen(s);

	if (n == 0 || isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || s[n - 1] == ':' || strstr(s, ": ") || strstr(s, " #"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	strtod(s, &end);
	if (*end == '\0')
		return false; /* it would read back as a number */
	return true;
}

static void yaml_scalar(json_object *v, int indent)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_null:
		printf("null\n");
		return;
	case json_type_boolean:
	case json_type_int:
	case json_type_double:
		printf("%s\n", json_object_to_json_string(v));
		return;
	case json_type_string:
	default:
		break;
	}
	s = json_object_get_string(v);
	if (strchr(s, '\n')) {
		printf("|-\n");
		for (const char *p = s; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			printf("%*s%.*s\n", indent + 2, "", (int)len, p);
			p += len + (nl != NULL);
		}
	} else if (*s == '\0' || (isdigit((unsigned char)s[0]) && !plain_ok(s))) {
		printf("\"%s\"\n", s);
	} else if (!plain_ok(s)) {
		putchar('\'');
		for (const char *p = s; *p; p++) {
			if (*p == '\'')
				putchar('\'');
			putchar(*p);
		}
		printf("'\n");
	} else {
		printf("%s\n", s);
	}
}

static void yaml_value(json_object *v, int indent, int depth);

static void yaml_map(json_object *o, int indent, int depth)
{
	json_object_object_foreach(o, k, v) {
		printf("%*s%s:", indent, "", k);
		if (json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
			printf("\n");
			yaml_map(v, indent + 2, depth + 1);
		} else if (json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0) {
			printf("\n");
			yaml_value(v, indent, depth + 1);
		} else {
			printf(" ");
			yaml_value(v, indent, depth + 1);
		}
	}
}

static void yaml_value(json_object *v, int indent, int depth)
{
	if (depth > 32) {
		printf("null\n");
		return;
	}
	if (json_object_is_type(v, json_type_object)) {
		if (json_object_object_length(v) == 0)
			printf("{}\n");
		else
			yaml_map(v, indent, depth);
		return;
	}
	if (json_object_is_type(v, json_type_array)) {
		if (json_object_array_length(v) == 0) {
			printf("[]\n");
			return;
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *el = json_object_array_get_idx(v, i);
			printf("%*s- ", indent, "");
			if (json_object_is_type(el, json_type_object) && json_object_object_length(el) > 0) {
				/* the first key on the dash's line, the rest under it */
				bool first = true;
				json_object_object_foreach(el, k, val) {
					json_object *one = json_object_new_object();
					json_object_object_add(one, k, json_object_get(val));
					if (first) {
						printf("%s: ", k);
						if ((json_object_is_type(val, json_type_object) &&
						     json_object_object_length(val)) ||
						    (json_object_is_type(val, json_type_array) &&
						     json_object_array_length(val))) {
							printf("\n");
							yaml_value(val, indent + 4, depth + 1);
						} else {
							yaml_value(val, indent + 2, depth + 1);
						}
					} else {
						yaml_map(one, indent + 2, depth + 1);
					}
					json_object_put(one);
					first = false;
				}
			} else {
				yaml_value(el, indent + 2, depth + 1);
			}
		}
		return;
	}
	yaml_scalar(v, indent);
}

/* --- the data */

static char *os_release(const char *key)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/os-release", "re");
	char line[512];
	size_t n = strlen(key);

	if (!f && !(f = fopen("/usr/lib/os-release", "re")))
		return NULL;
	while (fgets(line, sizeof line, f)) {
		char *v, *end;
		if (strncmp(line, key, n) != 0 || line[n] != '=')
			continue;
		v = line + n + 1;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '"' || *v == '\'') {
			v++;
			end = v + strlen(v);
			if (end > v && (end[-1] == '"' || end[-1] == '\''))
				end[-1] = '\0';
		}
		return xstrdup(v);
	}
	return NULL;
}

static bool meminfo(const char *key, int64_t *out)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	size_t n = strlen(key);

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			*out = strtoll(line + n + 1, NULL, 10) * 1024;
			return true;
		}
	return false;
}

static bool file_says_yes(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char c = 0;

	return f && fread(&c, 1, 1, f) == 1 && (c == 'Y' || c == 'y' || c == '1');
}

static json_object *host_json(const struct hostinfo *h)
{
	json_object *host = json_object_new_object(), *o, *ctl = json_object_new_array();
	_cleanup_free_ char *id = os_release("ID"), *ver = os_release("VERSION_ID"),
			    *code = os_release("VERSION_CODENAME"), *nh = net_find_helper();
	char hostname[256] = "", up[96];
	int64_t v;
	double secs = 0;
	FILE *f;

	json_object_object_add(host, "arch", json_object_new_string(go_arch(h->arch)));
	for (size_t i = 0; h->cgroup_controllers && h->cgroup_controllers[i]; i++)
		json_object_array_add(ctl, json_object_new_string(h->cgroup_controllers[i]));
	json_object_object_add(host, "cgroupControllers", ctl);
	{
		struct err le = ERR_INIT;
		enum cgroup_manager m = cgroup_probe(CG_C_MEMORY | CG_C_PIDS | CG_C_CPU, &le);
		if (m != CGM_NONE)
			json_object_object_add(host, "cgroupManager",
					       json_object_new_string(cgroup_manager_name(m)));
		err_clear(&le);
	}
	if (h->cgroup != CGROUP_NONE)
		json_object_object_add(host, "cgroupVersion",
				       json_object_new_string(h->cgroup == CGROUP_V2 ? "v2" : "v1"));
	json_object_object_add(host, "cpus", json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	o = json_object_new_object();
	if (code && *code)
		json_object_object_add(o, "codename", json_object_new_string(code));
	if (id)
		json_object_object_add(o, "distribution", json_object_new_string(id));
	if (ver)
		json_object_object_add(o, "version", json_object_new_string(ver));
	json_object_object_add(host, "distribution", o);
	if (gethostname(hostname, sizeof hostname - 1) == 0)
		json_object_object_add(host, "hostname", json_object_new_string(hostname));
	o = json_object_new_object();
	json_object_object_add(o, "gidmap", idmap_json(h->idmap.gids, h->idmap.ngids, true));
	json_object_object_add(o, "uidmap", idmap_json(h->idmap.uids, h->idmap.nuids, true));
	json_object_object_add(host, "idMappings", o);
	json_object_object_add(host, "kernel", json_object_new_string(h->kernel));
	if (meminfo("MemFree", &v))
		json_object_object_add(host, "memFree", json_object_new_int64(v));
	if (meminfo("MemTotal", &v))
		json_object_object_add(host, "memTotal", json_object_new_int64(v));
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("burrow"));
	if (h->exe)
		json_object_object_add(o, "path", json_object_new_string(h->exe));
	json_object_object_add(o, "version", json_object_new_string("burrow version " BURROW_VERSION));
	json_object_object_add(host, "ociRuntime", o);
	json_object_object_add(host, "os", json_object_new_string("linux"));
	o = json_object_new_object();
	json_object_object_add(o, "apparmorEnabled",
			       json_object_new_boolean(
				       file_says_yes("/sys/module/apparmor/parameters/enabled")));
	json_object_object_add(o, "rootless", json_object_new_boolean(geteuid() != 0));
	json_object_object_add(o, "selinuxEnabled",
			       json_object_new_boolean(access("/sys/fs/selinux/enforce", F_OK) == 0));
	json_object_object_add(host, "security", o);
	json_object_object_add(host, "serviceIsRemote", json_object_new_boolean(false));
	if (nh) {
		o = json_object_new_object();
		json_object_object_add(o, "executable", json_object_new_string(nh));
		json_object_object_add(host, "slirp4netns", o);
	}
	if (meminfo("SwapFree", &v))
		json_object_object_add(host, "swapFree", json_object_new_int64(v));
	if (meminfo("SwapTotal", &v))
		json_object_object_add(host, "swapTotal", json_object_new_int64(v));
	if ((f = fopen("/proc/uptime", "re"))) {
		if (fscanf(f, "%lf", &secs) == 1) {
			long s = (long)secs;
			snprintf(up, sizeof up, "%ldh %ldm %ld.%02lds (Approximately %.2f days)", s / 3600,
				 s / 60 % 60, s % 60, (long)((secs - (double)s) * 100), secs / 86400.0);
			json_object_object_add(host, "uptime", json_object_new_string(up));
		}
		fclose(f);
	}
	return host;
}

static json_object *store_json(struct globals *g, const struct hostinfo *h, struct err *e)
{
	json_object *st = json_object_new_object(), *o;
	_cleanup_strv_ char **ids = NULL;
	struct store *s = NULL;
	struct image **imgs = NULL;
	size_t nimg = 0, paused = 0, running = 0, stopped = 0, n = 0;
	struct statvfs vfs;

	if (g->cfg.conf_path)
		json_object_object_add(st, "configFile", json_object_new_string(g->cfg.conf_path));
	if (container_list(g->cfg.root, &ids, e) == 0) {
		for (size_t i = 0; ids[i]; i++) {
			struct ctr c;
			if (ctr_load_id(g, ids[i], &c, e) < 0) {
				err_clear(e);
				continue;
			}
			n++;
			if (c.st.status == ST_PAUSED)
				paused++;
			else if (ctr_running(&c))
				running++;
			else
				stopped++;
			ctr_free(&c);
		}
	}
	err_clear(e);
	o = json_object_new_object();
	json_object_object_add(o, "number", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "paused", json_object_new_int64((int64_t)paused));
	json_object_object_add(o, "running", json_object_new_int64((int64_t)running));
	json_object_object_add(o, "stopped", json_object_new_int64((int64_t)stopped));
	json_object_object_add(st, "containerStore", o);
	if (h->overlay_in_use)
		json_object_object_add(st, "graphDriverName", json_object_new_string("overlay"));
	json_object_object_add(st, "graphRoot", json_object_new_string(g->cfg.root));
	if (statvfs(g->cfg.root, &vfs) == 0) {
		json_object_object_add(st, "graphRootAllocated",
				       json_object_new_int64((int64_t)(vfs.f_blocks * vfs.f_frsize)));
		json_object_object_add(st, "graphRootUsed",
				       json_object_new_int64(
					       (int64_t)((vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize)));
	}
	if (cli_store(g, &s, e) == 0 && store_image_list(s, &imgs, &nimg, e) == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "number", json_object_new_int64((int64_t)nimg));
		json_object_object_add(st, "imageStore", o);
	}
	err_clear(e);
	for (size_t i = 0; i < nimg; i++)
		image_free(imgs[i]);
	free(imgs);
	json_object_object_add(st, "runRoot", json_object_new_string(g->cfg.runroot));
	return st;
}

int cmd_system_info(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	struct hostinfo h;
	const char *format = NULL;
	json_object *root;
	int id, rc = 0;

	opt_init(&p, sysinfo_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(
				stdout, "system info", "[OPTIONS]",
				"Describe the host, the store and burrow, as podman info does (YAML).\n"
				"`burrow info` is the host check.",
				sysinfo_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow system info\" takes no arguments");
	if (cli_format_check(format, e) < 0)
		return -1;
	if (hostcheck_run(&h, &g->cfg, e) < 0) {
		hostinfo_free(&h);
		return -1;
	}
	root = json_object_new_object();
	json_object_object_add(root, "host", host_json(&h));
	json_object_object_add(root, "store", store_json(g, &h, e));
	json_object_object_add(root, "version", version_json());
	hostinfo_free(&h);
	if (format && strcmp(format, "json") == 0) {
		cli_print_json(root);
	} else if (cli_format_is_template(format)) {
		json_object *gn = go_names(root, 0);
		rc = cli_format_print_one(format, gn, e);
		json_object_put(gn);
	} else {
		yaml_value(root, 0, 0);
	}
	json_object_put(root);
	return rc;
}

CMD_DECL(version)
{
	struct optparser p;
	const char *format = NULL;
	json_object *v;
	int id, rc = 0;

	(void)g;
	if (argc == 0) /* burrow --version */
		goto plain;
	opt_init(&p, version_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "version", "[OPTIONS]", "Show the burrow version.",
				       version_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow version\" takes no arguments");
	if (!format)
		goto plain;
	if (cli_format_check(format, e) < 0)
		return -1;
	v = json_object_new_object();
	json_object_object_add(v, "Client", version_json());
	if (strcmp(format, "json") == 0)
		cli_print_json(v);
	else
		rc = cli_format_print_one(format, v, e);
	json_object_put(v);
	return rc;
plain:
	printf("burrow version %s\n", BURROW_VERSION);
	return 0;
}
