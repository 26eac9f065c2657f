/* network.c - burrow network create|ls|inspect|rm|prune|exists|connect|
 * disconnect over the
 * network records in the store (lib/net/network.h). */
#include <errno.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctropts.h"
#include "cli/ctrutil.h"
#include "cli/when.h"
#include "lib/base/log.h"
#include "lib/base/tmpl.h"
#include "lib/base/util.h"
#include "lib/net/network.h"
#include "lib/record/container.h"
#include "lib/record/events.h"
#include "lib/record/netspec.h"
#include "lib/runtime/netns.h"

enum {
	O_HELP = 1,
	O_ALIAS,
	O_IPADDR,
	O_LABEL,
	O_DRIVER,
	O_SUBNET,
	O_GATEWAY,
	O_INTERNAL,
	O_NODNS,
	O_IGNORE,
	O_FILTER,
	O_FORMAT,
	O_QUIET,
	O_FORCE,
	O_NOTRUNC,
	O_OPT
};

/* network create/remove events, as podman's (Name is the network) */
static void network_event(const struct globals *g, const char *status, const struct network *n)
{
	struct event ev = { .type = "network",
			    .status = status,
			    .id = n->id,
			    .name = n->name,
			    .exit_code = -1 };
	events_write(g->cfg.runroot, &ev);
}

static const struct opt help_opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt create_opts[] = {
	{ "disable-dns", 0, OPT_FLAG, O_NODNS, NULL, "No DNS server for the network's names" },
	{ "driver", 'd', OPT_VALUE, O_DRIVER, "DRIVER", "Network driver: bridge (the only one)" },
	{ "gateway", 0, OPT_VALUE, O_GATEWAY, "IP", "The gateway's address (default: the first one)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "ignore", 0, OPT_FLAG, O_IGNORE, NULL, "Do not fail if the network exists" },
	{ "internal", 0, OPT_FLAG, O_INTERNAL, NULL, "No way out of the network" },
	{ "label", 'l', OPT_VALUE, O_LABEL, "KEY[=VALUE]", "Set a label on the network" },
	{ "opt", 'o', OPT_VALUE, O_OPT, "OPT", "Driver option (the bridge driver takes none)" },
	{ "subnet", 0, OPT_VALUE, O_SUBNET, "A.B.C.D/N", "The network's subnet (default: a free /24)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt ls_opts[] = {
	{ "filter", 'f', OPT_VALUE, O_FILTER, "KEY=VALUE", "Filter: name, id, label, label!, driver, until" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "no-trunc", 0, OPT_FLAG, O_NOTRUNC, NULL, "Show full network IDs" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print the names only" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt rm_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Remove the containers on the network too" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt connect_opts[] = {
	{ "alias", 0, OPT_VALUE, O_ALIAS, "NAME", "Another name for the container on the network" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "ip", 0, OPT_VALUE, O_IPADDR, "A.B.C.D", "The container's address on the network" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt disconnect_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Accepted for compatibility" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt prune_opts[] = {
	{ "filter", 0, OPT_VALUE, O_FILTER, "KEY=VALUE", "Filter: label, label!, until" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* ---- filters: the same key matches any of its values, different keys all
 * must match (podman's rule) ---------------------------------------------- */

static int filter_add(char ***f, const char *s, const char *const *keys, struct err *e)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : 0;

	for (size_t i = 0; eq && keys[i]; i++) {
		if (strlen(keys[i]) == klen && strncmp(s, keys[i], klen) == 0) {
			strv_push(f, s);
			return 0;
		}
	}
	return err_usage(e, "\"%s\" is an invalid network filter", s);
}

static int value_matches(const struct network *n, const char *key, const char *val, struct err *e)
{
	if (strcmp(key, "name") == 0) {
		regex_t re;
		bool m;
		if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB) != 0)
			return err_usage(e, "invalid name filter \"%s\"", val);
		m = regexec(&re, n->name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (strcmp(key, "id") == 0)
		return strncmp(n->id, val, strlen(val)) == 0;
	if (strcmp(key, "label") == 0)
		return kv_list_has(n->labels, val);
	if (strcmp(key, "label!") == 0)
		return !kv_list_has(n->labels, val);
	if (strcmp(key, "driver") == 0)
		return strcmp(n->driver, val) == 0;
	if (strcmp(key, "until") == 0) {
		int64_t when, created;
		if (cli_parse_time(val, &when) < 0)
			return err_usage(e, "invalid until filter \"%s\"", val);
		if (cli_parse_time(n->created, &created) < 0)
			return 0;
		return created < when;
	}
	return err_usage(e, "\"%s=%s\" is an invalid network filter", key, val);
}

/* 1 match, 0 not, -1 error */
static int filter_match(char *const *f, const struct network *n, struct err *e)
{
	for (size_t i = 0; f && f[i]; i++) {
		size_t klen = strcspn(f[i], "=");
		_cleanup_free_ char *key = xasprintf("%.*s", (int)klen, f[i]);
		bool any = false, seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= strncmp(f[k], f[i], klen + 1) == 0;
		if (seen)
			continue;
		for (size_t k = i; f[k]; k++) {
			int m;
			if (strncmp(f[k], f[i], klen + 1) != 0)
				continue;
			m = value_matches(n, key, f[k] + klen + 1, e);
			if (m < 0)
				return -1;
			any |= m > 0;
		}
		if (!any)
			return 0;
	}
	return 1;
}

/* the networks that pass f, the default first */
static int load_networks(struct globals *g, char *const *f, struct network **out, size_t *n, struct err *e)
{
	struct network *all = NULL;
	size_t na = 0;

	*out = NULL;
	*n = 0;
	if (network_list(g->cfg.root, &all, &na, e) < 0)
		return -1;
	*out = xcalloc(na + 1, sizeof **out);
	for (size_t i = 0; i < na; i++) {
		int m = filter_match(f, &all[i], e);
		if (m < 0) {
			networks_free(all, na);
			networks_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (m) {
			(*out)[(*n)++] = all[i];
			memset(&all[i], 0, sizeof all[i]);
		}
	}
	networks_free(all, na);
	return 0;
}

/* the name in container id's record, or NULL */
static char *ctr_name_of(const struct globals *g, const char *id)
{
	json_object *j = NULL, *v;
	struct err ign = ERR_INIT;
	char *name = NULL;

	if (container_read_config(g->cfg.root, id, &j, &ign) < 0) {
		err_clear(&ign);
		return NULL;
	}
	if (json_object_object_get_ex(j, "name", &v) && json_object_is_type(v, json_type_string))
		name = xstrdup(json_object_get_string(v));
	json_object_put(j);
	return name;
}

static void print_json(json_object *j)
{
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool is_json_format(const char *f)
{
	return !f || strcmp(f, "json") == 0 || strcmp(f, "{{json .}}") == 0;
}

/* inspect's form: the record plus the containers on it */
static json_object *network_inspect_json(struct globals *g, const struct network *n)
{
	json_object *j = network_to_json(n), *c = json_object_new_object();
	_cleanup_strv_ char **ids = NULL;
	struct err ign = ERR_INIT;

	if (network_members(g->cfg.root, n->name, &ids, &ign) < 0)
		err_clear(&ign);
	for (size_t i = 0; ids && ids[i]; i++) {
		json_object *m = json_object_new_object();
		_cleanup_free_ char *name = ctr_name_of(g, ids[i]);
		json_object_object_add(m, "name", json_object_new_string(name ? name : ""));
		json_object_object_add(c, ids[i], m);
	}
	json_object_object_add(j, "containers", c);
	return j;
}

/* ---- subcommands ------------------------------------------------------------- */

static int net_create(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	_cleanup_strv_ char **labels = NULL;
	struct network_create_opts o = { NULL };
	bool ignore = false;
	struct network n;
	int id, lfd, rc;

	opt_init(&p, create_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_LABEL:
			strv_push(&labels, p.value);
			break;
		case O_DRIVER:
			o.driver = p.value;
			break;
		case O_SUBNET:
			o.subnet = p.value;
			break;
		case O_GATEWAY:
			o.gateway = p.value;
			break;
		case O_INTERNAL:
			o.internal = opt_flag_value(&p);
			break;
		case O_NODNS:
			o.no_dns = opt_flag_value(&p);
			break;
		case O_OPT:
			return err_make(e, 0, "invalid network option \"%s\": the bridge driver takes none",
					p.value);
		case O_IGNORE:
			ignore = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "network create", "[OPTIONS] [NAME]", "Create a network.",
				       create_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx > 1)
		return err_usage(e, "too many arguments, create takes at most 1 argument");
	o.name = p.idx < argc ? argv[p.idx] : NULL;
	o.labels = labels;
	lfd = network_lock(g->cfg.root, e);
	if (lfd < 0)
		return -1;
	rc = network_create(g->cfg.root, &o, &n, e);
	close(lfd);
	if (rc < 0) {
		if (e->errnum == EEXIST && ignore) {
			err_clear(e);
			printf("%s\n", o.name);
			return 0;
		}
		return -1;
	}
	network_event(g, "create", &n);
	printf("%s\n", n.name);
	network_free(&n);
	return 0;
}

static int net_ls(struct globals *g, int argc, char **argv, struct err *e)
{
	static const char *const keys[] = { "name", "id", "label", "label!", "driver", "until", NULL };
	struct optparser p;
	_cleanup_strv_ char **f = NULL;
	const char *format = NULL;
	bool quiet = false, notrunc = false;
	struct network *v = NULL;
	size_t n = 0;
	int id, rc = -1;

	opt_init(&p, ls_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FILTER:
			if (filter_add(&f, p.value, keys, e) < 0)
				return -1;
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_NOTRUNC:
			notrunc = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "network ls", "[OPTIONS]", "List networks.", ls_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow network ls\" accepts no arguments");
	if (format && strcmp(format, "json") != 0 && tmpl_check(format, e) < 0)
		return err_mark_usage(e);
	if (load_networks(g, f, &v, &n, e) < 0)
		return -1;
	if (format && strcmp(format, "json") == 0) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, network_to_json(&v[i]));
		print_json(a);
		json_object_put(a);
	} else if (format && !quiet) {
		for (size_t i = 0; i < n; i++) {
			json_object *j = network_to_json(&v[i]);
			char *txt = NULL;
			int r = tmpl_render(format, j, &txt, e);
			json_object_put(j);
			if (r < 0)
				goto out;
			printf("%s\n", txt);
			free(txt);
		}
	} else {
		if (!quiet)
			printf("%-*s  %-16s  %s\n", notrunc ? 64 : 12, "NETWORK ID", "NAME", "DRIVER");
		for (size_t i = 0; i < n; i++) {
			if (quiet)
				printf("%s\n", v[i].name);
			else
				printf("%.*s  %-16s  %s\n", notrunc ? 64 : 12, v[i].id, v[i].name,
				       v[i].driver);
		}
	}
	rc = 0;
out:
	networks_free(v, n);
	return rc;
}

static int net_inspect(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	const char *format = NULL;
	json_object *arr;
	int id, rc = 0;

	opt_init(&p, inspect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "network inspect", "[OPTIONS] NETWORK [NETWORK...]",
				       "Show the details of networks.", inspect_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx >= argc)
		return err_usage(e, "\"burrow network inspect\" requires at least 1 argument");
	if (!is_json_format(format) && tmpl_check(format, e) < 0)
		return err_mark_usage(e);
	arr = json_object_new_array();
	for (int i = p.idx; i < argc; i++) {
		struct network n;
		json_object *j;
		if (network_get(g->cfg.root, argv[i], &n, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		j = network_inspect_json(g, &n);
		network_free(&n);
		if (!is_json_format(format)) {
			char *txt = NULL;
			if (tmpl_render(format, j, &txt, e) < 0) {
				json_object_put(j);
				json_object_put(arr);
				return -1;
			}
			printf("%s\n", txt);
			free(txt);
			json_object_put(j);
		} else {
			json_object_array_add(arr, j);
		}
	}
	if (is_json_format(format))
		print_json(arr);
	json_object_put(arr);
	return rc;
}

/* the removed network's bridge and routing go from a live namespace */
static void drop_bridge(struct globals *g, const struct network *n)
{
	struct err de = ERR_INIT;

	if (netns_drop_network(g->cfg.runroot, n, &de) < 0)
		log_warn("%s", de.msg);
	err_clear(&de);
}

/* remove network n: its members first with force, else fail naming them */
static int remove_one(struct globals *g, const struct network *n, bool force, struct err *e)
{
	_cleanup_strv_ char **ids = NULL;

	if (n->builtin)
		return err_make(e, 0, "the default network %s cannot be removed", n->name);
	if (network_members(g->cfg.root, n->name, &ids, e) < 0)
		return -1;
	if (ids[0] && !force) {
		_cleanup_free_ char *list = xstrdup("");
		for (size_t i = 0; ids[i]; i++) {
			_cleanup_free_ char *name = ctr_name_of(g, ids[i]);
			char *l = xasprintf("%s%s%s", list, i ? ", " : "", name ? name : ids[i]);
			free(list);
			list = l;
		}
		return err_make(e, 0, "network %s has containers on it: %s (use -f to remove them too)",
				n->name, list);
	}
	for (size_t i = 0; ids[i]; i++)
		if (ctr_remove_id(g, ids[i], true, e) < 0)
			return err_wrap(e, "removing container %.12s on network %s", ids[i], n->name);
	if (network_remove(g->cfg.root, n->name, e) < 0)
		return -1;
	drop_bridge(g, n);
	return 0;
}

static int net_rm(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	bool force = false;
	int id, rc = 0, lfd;

	opt_init(&p, rm_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "network rm", "[OPTIONS] NETWORK [NETWORK...]",
				       "Remove networks.", rm_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx >= argc)
		return err_usage(e, "\"burrow network rm\" requires at least 1 argument");
	lfd = network_lock(g->cfg.root, e);
	if (lfd < 0)
		return -1;
	for (int i = p.idx; i < argc; i++) {
		struct network n;
		if (network_get(g->cfg.root, argv[i], &n, e) < 0 || remove_one(g, &n, force, e) < 0) {
			if (n.name)
				network_free(&n);
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		network_event(g, "remove", &n);
		printf("%s\n", argv[i]);
		network_free(&n);
	}
	close(lfd);
	return rc;
}

static int net_prune(struct globals *g, int argc, char **argv, struct err *e)
{
	static const char *const keys[] = { "label", "label!", "until", NULL };
	struct optparser p;
	_cleanup_strv_ char **f = NULL;
	bool force = false;
	struct network *v = NULL;
	size_t n = 0;
	int id, rc = -1, lfd = -1;

	opt_init(&p, prune_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FILTER:
			if (filter_add(&f, p.value, keys, e) < 0)
				return -1;
			break;
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "network prune", "[OPTIONS]",
				       "Remove every network no container is on.", prune_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow network prune\" accepts no arguments");
	if (!force) {
		char ans[16] = "";
		fprintf(stderr, "WARNING! This will remove all networks not used by at least one container.\n"
				"Are you sure you want to continue? [y/N] ");
		if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y'))
			return 0;
	}
	lfd = network_lock(g->cfg.root, e);
	if (lfd < 0 || load_networks(g, f, &v, &n, e) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **ids = NULL;
		if (v[i].builtin)
			continue;
		if (network_members(g->cfg.root, v[i].name, &ids, e) < 0) {
			rc = -1;
			break;
		}
		if (ids[0])
			continue;
		if (network_remove(g->cfg.root, v[i].name, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		drop_bridge(g, &v[i]);
		network_event(g, "remove", &v[i]);
		printf("%s\n", v[i].name);
	}
out:
	if (lfd >= 0)
		close(lfd);
	networks_free(v, n);
	return rc;
}

static int net_connect(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	_cleanup_strv_ char **aliases = NULL;
	const char *ip = NULL;
	int id;

	opt_init(&p, connect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALIAS:
			strv_push(&aliases, p.value);
			break;
		case O_IPADDR:
			ip = p.value;
			break;
		case O_HELP:
			opt_print_help(stdout, "network connect", "[OPTIONS] NETWORK CONTAINER",
				       "Attach a container to a network.", connect_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 2)
		return err_usage(
			e, "\"burrow network connect\" requires exactly 2 arguments: NETWORK CONTAINER");
	return ctr_net_connect(g, argv[p.idx], argv[p.idx + 1], aliases, ip, e);
}

static int net_disconnect(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	int id;

	opt_init(&p, disconnect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			break;
		case O_HELP:
			opt_print_help(stdout, "network disconnect", "[OPTIONS] NETWORK CONTAINER",
				       "Detach a container from a network.", disconnect_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx != 2)
		return err_usage(
			e, "\"burrow network disconnect\" requires exactly 2 arguments: NETWORK CONTAINER");
	return ctr_net_disconnect(g, argv[p.idx], argv[p.idx + 1], e);
}

static int net_exists(struct globals *g, int argc, char **argv, struct err *e)
{
	struct network n;
	int idx, rc;

	rc = cmd_parse_help_only("network exists", "NETWORK", "Exit 0 if the network exists, else 1.",
				 help_opts, argc, argv, 1,
				 "\"burrow network exists\" requires exactly 1 argument", &idx, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - idx != 1)
		return err_usage(e, "\"burrow network exists\" requires exactly 1 argument");
	if (network_get(g->cfg.root, argv[idx], &n, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 1;
	}
	network_free(&n);
	return 0;
}

CMD_DECL(network)
{
	static const struct {
		const char *name;
		int (*fn)(struct globals *, int, char **, struct err *);
	} subs[] = {
		{ "connect", net_connect }, { "create", net_create },   { "disconnect", net_disconnect },
		{ "exists", net_exists },   { "inspect", net_inspect }, { "list", net_ls },
		{ "ls", net_ls },           { "prune", net_prune },     { "remove", net_rm },
		{ "rm", net_rm },
	};
	static const char summary[] =
		"Manage networks: create, ls, inspect, rm, prune, exists, connect, disconnect.";

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		opt_print_help(argc < 2 ? stderr : stdout, "network", "SUBCOMMAND [ARG...]", summary,
			       help_opts);
		return argc < 2 ? 125 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(g, argc - 1, argv + 1, e);
	if (argv[1][0] == '-')
		return err_usage(e, "unknown flag %s", argv[1]);
	return err_usage(e, "unknown network subcommand \"%s\"", argv[1]);
}
