/* info.c - `burrow info [--format json]`: the host check.
 *
 * The checks themselves live in lib/hostcheck.c; this file only renders
 * them.  The exit status is 0 even when checks fail (it is a report); 125
 * is for tool errors such as a bad flag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "lib/cgroup/cgroup.h"
#include "lib/hostcheck/hostcheck.h"
#include "lib/net/net.h"
#include "lib/base/util.h"
#include "version.h"

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

static json_object *jmap(const struct idrange *r, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "container", json_object_new_int64((int64_t)r[i].inner));
		json_object_object_add(o, "host", json_object_new_int64((int64_t)r[i].outer));
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
	json_object_object_add(store, "overlay",
			       json_object_new_string(overlay_mode_name(h->overlay_setting)));
	json_object_object_add(store, "overlayInUse", jstr_or_null(h->overlay_in_use));
	json_object_object_add(store, "kernelOverlay", json_object_new_boolean(h->kernel_overlay_ok));
	json_object_object_add(root, "store", store);

	json_object_object_add(idmap, "source", json_object_new_string(h->idmap.source));
	json_object_object_add(idmap, "single", json_object_new_boolean(h->idmap.single));
	json_object_object_add(idmap, "reason", jstr_or_null(h->idmap.fallback_reason));
	json_object_object_add(idmap, "buildRootEmulation", json_object_new_boolean(h->root_emulation));
	json_object_object_add(idmap, "uids", jmap(h->idmap.uids, h->idmap.nuids));
	json_object_object_add(idmap, "gids", jmap(h->idmap.gids, h->idmap.ngids));
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
	printf("  %-13s %s (overlay = %s)\n", "overlay",
	       h->overlay_in_use ? h->overlay_in_use : "none usable", overlay_mode_name(h->overlay_setting));

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
