/* volume.c - burrow volume create|ls|inspect|rm|prune|exists: podman's
 * volume verbs over the volumes in the store (lib/store/volume.h). */
#include <errno.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "cli/format.h"
#include "lib/base/tmpl.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/store/volume.h"
#include "lib/record/events.h"
#include "cli/when.h"

enum { O_HELP = 1, O_LABEL, O_DRIVER, O_OPT, O_IGNORE, O_FILTER, O_FORMAT, O_QUIET, O_FORCE, O_ALL };

/* volume create/remove/prune events, as podman's (the name is the ID) */
static void volume_event(const struct globals *g, const char *status, const char *name)
{
	struct event ev = { .type = "volume", .status = status, .name = name, .exit_code = -1 };
	events_write(g->cfg.runroot, &ev);
}

static const struct opt help_opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt create_opts[] = {
	{ "driver", 'd', OPT_VALUE, O_DRIVER, "DRIVER", "Volume driver: local (the only one)" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "ignore", 0, OPT_FLAG, O_IGNORE, NULL, "Do not fail if the volume exists" },
	{ "label", 'l', OPT_VALUE, O_LABEL, "KEY[=VALUE]", "Set a label on the volume" },
	{ "opt", 'o', OPT_VALUE, O_OPT, "OPT", "Driver option (the local driver takes none)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt ls_opts[] = {
	{ "filter", 'f', OPT_VALUE, O_FILTER, "KEY=VALUE",
	  "Filter: name, label, label!, driver, scope, dangling, until, opt" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print the names only" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt inspect_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Inspect every volume" },
	{ "format", 'f', OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt rm_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Remove every volume" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Remove the containers that use the volume too" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt prune_opts[] = {
	{ "filter", 0, OPT_VALUE, O_FILTER, "KEY=VALUE", "Filter: label, label!, until" },
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* ---- filters -------------------------------------------------------------- */

/* Filters with the same key match when any of their values does; filters
 * with different keys must all match (podman's rule). */
struct vfilter {
	char **kv; /* "key=value" as given */
};

static int filter_add(struct vfilter *f, const char *s, const char *const *keys, struct err *e)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : 0;

	for (size_t i = 0; eq && keys[i]; i++) {
		if (strlen(keys[i]) == klen && strncmp(s, keys[i], klen) == 0) {
			strv_push(&f->kv, s);
			return 0;
		}
	}
	/* podman names the key, and shows no usage hint */
	return err_make(e, 0, "\"%.*s\" is an invalid volume filter", (int)(eq ? klen : strlen(s)), s);
}

static int value_matches(struct globals *g, const struct volume *v, const char *key, const char *val,
			 struct err *e)
{
	if (strcmp(key, "name") == 0) {
		regex_t re;
		bool m;
		if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB) != 0)
			return err_usage(e, "invalid name filter \"%s\"", val);
		m = regexec(&re, v->name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (strcmp(key, "label") == 0)
		return kv_list_has(v->labels, val);
	if (strcmp(key, "label!") == 0)
		return !kv_list_has(v->labels, val);
	if (strcmp(key, "opt") == 0)
		return kv_list_has(v->options, val);
	if (strcmp(key, "driver") == 0)
		return strcmp(v->driver, val) == 0;
	if (strcmp(key, "scope") == 0)
		return strcmp(val, "local") == 0;
	if (strcmp(key, "dangling") == 0) {
		_cleanup_strv_ char **users = NULL;
		bool want;
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
			want = true;
		else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
			want = false;
		else
			return err_usage(e, "invalid dangling filter \"%s\" (true or false)", val);
		if (volume_users(g->cfg.root, v->name, &users, e) < 0)
			return -1;
		return (strv_len(users) == 0) == want;
	}
	if (strcmp(key, "until") == 0) {
		int64_t when, created;
		if (cli_parse_time(val, &when) < 0)
			return err_usage(e, "invalid until filter \"%s\"", val);
		if (cli_parse_time(v->created, &created) < 0)
			return 0;
		return created < when;
	}
	return err_make(e, 0, "\"%s\" is an invalid volume filter", key);
}

/* 1 match, 0 not, -1 error */
static int filter_match(struct globals *g, const struct vfilter *f, const struct volume *v, struct err *e)
{
	for (size_t i = 0; f->kv && f->kv[i]; i++) {
		size_t klen = strcspn(f->kv[i], "=");
		_cleanup_free_ char *key = xasprintf("%.*s", (int)klen, f->kv[i]);
		bool any = false, seen = false;
		/* the first filter with this key decides for all of them */
		for (size_t k = 0; k < i; k++)
			seen |= strncmp(f->kv[k], f->kv[i], klen + 1) == 0;
		if (seen)
			continue;
		for (size_t k = i; f->kv[k]; k++) {
			int m;
			if (strncmp(f->kv[k], f->kv[i], klen + 1) != 0)
				continue;
			m = value_matches(g, v, key, f->kv[k] + klen + 1, e);
			if (m < 0)
				return -1;
			any |= m > 0;
		}
		if (!any)
			return 0;
	}
	return 1;
}

/* ---- output -------------------------------------------------------------------- */

static void print_json(json_object *j)
{
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool is_json_format(const char *f)
{
	return !f || strcmp(f, "json") == 0 || strcmp(f, "{{json .}}") == 0;
}

/* ---- subcommands ------------------------------------------------------------- */

static int vol_create(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	_cleanup_strv_ char **labels = NULL;
	bool ignore = false, created = false;
	struct volume v;
	int id, lfd, rc;

	opt_init(&p, create_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_LABEL:
			strv_push(&labels, p.value);
			break;
		case O_DRIVER:
			if (strcmp(p.value, "local") != 0)
				return err_make(e, 0, "volume driver \"%s\" is not supported (local)",
						p.value);
			break;
		case O_OPT:
			return err_make(e, 0,
					"invalid volume option \"%s\": the local driver takes no options",
					p.value);
		case O_IGNORE:
			ignore = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "volume create", "[OPTIONS] [NAME]", "Create a volume.",
				       create_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx > 1)
		return err_usage(e, "too many arguments, create takes at most 1 argument");
	lfd = volume_lock(g->cfg.root, e);
	if (lfd < 0)
		return -1;
	if (p.idx < argc) {
		rc = volume_create(g->cfg.root, argv[p.idx], labels, false, ignore, &v, &created, e);
	} else {
		/* no name: a random one, as podman's, but not anonymous */
		rc = volume_create(g->cfg.root, NULL, labels, false, false, &v, &created, e);
	}
	close(lfd);
	if (rc < 0) {
		if (e->errnum == EINVAL)
			return err_wrap(e, "running volume create option");
		return -1;
	}
	if (created)
		volume_event(g, "create", v.name);
	printf("%s\n", v.name);
	volume_free(&v);
	return 0;
}

/* the volumes that pass f, in name order */
static int load_volumes(struct globals *g, const struct vfilter *f, struct volume **out, size_t *n,
			struct err *e)
{
	_cleanup_strv_ char **names = NULL;

	*out = NULL;
	*n = 0;
	if (volume_list(g->cfg.root, &names, e) < 0)
		return -1;
	*out = xcalloc(strv_len(names) + 1, sizeof **out);
	for (size_t i = 0; names[i]; i++) {
		struct volume v;
		int m;
		if (volume_get(g->cfg.root, names[i], &v, e) < 0) {
			err_clear(e); /* removed meanwhile, or half-made */
			continue;
		}
		m = f ? filter_match(g, f, &v, e) : 1;
		if (m <= 0) {
			volume_free(&v);
			if (m < 0) {
				for (size_t k = 0; k < *n; k++)
					volume_free(&(*out)[k]);
				free(*out);
				*out = NULL;
				*n = 0;
				return -1;
			}
			continue;
		}
		(*out)[(*n)++] = v;
	}
	return 0;
}

static void free_volumes(struct volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		volume_free(&v[i]);
	free(v);
}

static int vol_ls(struct globals *g, int argc, char **argv, struct err *e)
{
	static const char *const keys[] = { "name",     "label", "label!", "driver", "scope",
					    "dangling", "until", "opt",    NULL };
	struct optparser p;
	struct vfilter f = { NULL };
	const char *format = NULL;
	bool quiet = false;
	struct volume *v = NULL;
	size_t n = 0;
	int id, rc = -1;

	opt_init(&p, ls_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FILTER:
			if (filter_add(&f, p.value, keys, e) < 0)
				goto out;
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "volume ls", "[OPTIONS]", "List volumes.", ls_opts);
			rc = 0;
			goto out;
		case -1:
		default:
			err_mark_usage(e);
			goto out;
		}
	}
	if (p.idx < argc) {
		err_usage(e, "\"burrow volume ls\" accepts no arguments");
		goto out;
	}
	if (format && strcmp(format, "json") != 0 && cli_format_check(format, e) < 0) {
		err_mark_usage(e);
		goto out;
	}
	if (load_volumes(g, &f, &v, &n, e) < 0)
		goto out;
	if (format && strcmp(format, "json") == 0) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, volume_to_json(&v[i]));
		print_json(a);
		json_object_put(a);
	} else if (cli_format_is_template(format) && !quiet) {
		/* podman's header names for "table ...": the rest split at capitals */
		static const char *const heads[] = { "Name", "VOLUME NAME", NULL };
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, volume_to_json(&v[i]));
		int r = cli_format_print(format, a, heads, false, e);
		json_object_put(a);
		if (r < 0)
			goto out;
	} else {
		if (!quiet)
			printf("%-12s%s\n", "DRIVER", "VOLUME NAME");
		for (size_t i = 0; i < n; i++) {
			if (quiet)
				printf("%s\n", v[i].name);
			else
				printf("%-12s%s\n", v[i].driver, v[i].name);
		}
	}
	rc = 0;
out:
	free_volumes(v, n);
	strv_free(f.kv);
	return rc;
}

static int vol_inspect(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	const char *format = NULL;
	bool all = false;
	_cleanup_strv_ char **names = NULL;
	json_object *arr;
	int id, rc = 0;

	opt_init(&p, inspect_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "volume inspect", "[OPTIONS] VOLUME [VOLUME...]",
				       "Show the details of volumes.", inspect_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (all && p.idx < argc)
		return err_usage(e, "when using the --all switch, you may not pass any volume names");
	if (!all && p.idx >= argc)
		return err_usage(e, "provide one or more volume names or use --all");
	if (!is_json_format(format) && tmpl_check(format, e) < 0)
		return err_mark_usage(e);
	if (all) {
		if (volume_list(g->cfg.root, &names, e) < 0)
			return -1;
	} else {
		for (int i = p.idx; i < argc; i++)
			strv_push(&names, argv[i]);
	}
	arr = json_object_new_array();
	for (size_t i = 0; names && names[i]; i++) {
		struct volume v;
		json_object *j;
		if (volume_get(g->cfg.root, names[i], &v, e) < 0) {
			err_wrap(e, "inspecting object");
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		j = volume_to_json(&v);
		volume_free(&v);
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

/* remove name: its users (with force, else exit 2), then the volume */
static int remove_one(struct globals *g, const struct idmap *m, const char *name, bool force, struct err *e)
{
	_cleanup_strv_ char **users = NULL;

	struct volume v;

	if (volume_get(g->cfg.root, name, &v, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return err_make_status(e, 1, 0, "no volume with name \"%s\" found: no such volume", name);
	}
	volume_free(&v);
	if (volume_users(g->cfg.root, name, &users, e) < 0)
		return -1;
	if (users[0] && !force) {
		_cleanup_free_ char *list = xstrdup("");
		for (size_t i = 0; users[i]; i++) {
			char *l = xasprintf("%s%s%s", list, i ? ", " : "", users[i]);
			free(list);
			list = l;
		}
		return err_make_status(
			e, 2, 0,
			"volume %s is being used by the following container(s): %s: volume is being "
			"used",
			name, list);
	}
	for (size_t i = 0; users[i]; i++)
		if (ctr_remove_id(g, users[i], true, e) < 0)
			return err_wrap(e, "removing container %.12s that uses volume %s", users[i], name);
	return volume_remove(g->cfg.root, m, name, e);
}

static int vol_rm(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	bool force = false, all = false;
	_cleanup_strv_ char **names = NULL;
	struct idmap m;
	int id, rc = 0, lfd;

	opt_init(&p, rm_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "volume rm", "[OPTIONS] VOLUME [VOLUME...]", "Remove volumes.",
				       rm_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (all && p.idx < argc)
		return err_usage(e, "when using the --all flag, you may not pass any volume names");
	if (!all && p.idx >= argc)
		return err_usage(e, "choose either one or more volumes or all");
	if (all) {
		if (volume_list(g->cfg.root, &names, e) < 0)
			return -1;
	} else {
		for (int i = p.idx; i < argc; i++)
			strv_push(&names, argv[i]);
	}
	memset(&m, 0, sizeof m);
	if (userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0)
		return -1;
	lfd = volume_lock(g->cfg.root, e);
	if (lfd < 0) {
		idmap_free(&m);
		return -1;
	}
	for (size_t i = 0; names && names[i]; i++) {
		if (remove_one(g, &m, names[i], force, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		} else {
			volume_event(g, "remove", names[i]);
			printf("%s\n", names[i]);
		}
	}
	close(lfd);
	idmap_free(&m);
	return rc;
}

static int vol_prune(struct globals *g, int argc, char **argv, struct err *e)
{
	static const char *const keys[] = { "label", "label!", "until", NULL };
	struct optparser p;
	struct vfilter f = { NULL };
	bool force = false;
	struct volume *v = NULL;
	size_t n = 0;
	struct idmap m;
	_cleanup_strv_ char **unused = NULL;
	int id, rc = -1, lfd = -1;

	memset(&m, 0, sizeof m);
	opt_init(&p, prune_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FILTER:
			if (filter_add(&f, p.value, keys, e) < 0)
				goto out;
			break;
		case O_FORCE:
			force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "volume prune", "[OPTIONS]",
				       "Remove every volume no container uses.", prune_opts);
			rc = 0;
			goto out;
		case -1:
		default:
			err_mark_usage(e);
			goto out;
		}
	}
	if (p.idx < argc) {
		err_usage(e, "\"burrow volume prune\" accepts no arguments");
		goto out;
	}
	if (!force) {
		char ans[16] = "";
		fprintf(stderr, "WARNING! This will remove all volumes not used by at least one container. "
				"The following volumes will be removed:\n");
		if (load_volumes(g, &f, &v, &n, e) < 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			_cleanup_strv_ char **users = NULL;
			if (volume_users(g->cfg.root, v[i].name, &users, e) < 0)
				goto out;
			if (!users[0])
				fprintf(stderr, "%s\n", v[i].name);
		}
		fprintf(stderr, "Are you sure you want to continue? [y/N] ");
		if (!fgets(ans, sizeof ans, stdin) || (ans[0] != 'y' && ans[0] != 'Y')) {
			rc = 0;
			goto out;
		}
		free_volumes(v, n);
		v = NULL;
		n = 0;
	}
	if (userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0)
		goto out;
	lfd = volume_lock(g->cfg.root, e);
	if (lfd < 0 || load_volumes(g, &f, &v, &n, e) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **users = NULL;
		if (volume_users(g->cfg.root, v[i].name, &users, e) < 0) {
			rc = -1;
			break;
		}
		if (users[0])
			continue;
		if (volume_remove(g->cfg.root, &m, v[i].name, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
			continue;
		}
		volume_event(g, "remove", v[i].name);
		volume_event(g, "prune", v[i].name);
		printf("%s\n", v[i].name);
	}
out:
	if (lfd >= 0)
		close(lfd);
	idmap_free(&m);
	free_volumes(v, n);
	strv_free(f.kv);
	return rc;
}

static int vol_exists(struct globals *g, int argc, char **argv, struct err *e)
{
	struct volume v;
	int idx, rc;

	rc = cmd_parse_help_only("volume exists", "VOLUME", "Exit 0 if the volume exists, else 1.", help_opts,
				 argc, argv, 1, "\"burrow volume exists\" requires exactly 1 argument", &idx,
				 e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - idx != 1)
		return err_usage(e, "\"burrow volume exists\" requires exactly 1 argument");
	if (volume_get(g->cfg.root, argv[idx], &v, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		err_clear(e);
		return 1;
	}
	volume_free(&v);
	return 0;
}

CMD_DECL(volume)
{
	static const struct {
		const char *name;
		int (*fn)(struct globals *, int, char **, struct err *);
	} subs[] = {
		{ "create", vol_create }, { "exists", vol_exists }, { "inspect", vol_inspect },
		{ "list", vol_ls },       { "ls", vol_ls },         { "prune", vol_prune },
		{ "remove", vol_rm },     { "rm", vol_rm },
	};
	static const char summary[] = "Manage volumes: create, ls, inspect, rm, prune, exists.";

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		opt_print_help(argc < 2 ? stderr : stdout, "volume", "SUBCOMMAND [ARG...]", summary,
			       help_opts);
		return argc < 2 ? 125 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			return subs[i].fn(g, argc - 1, argv + 1, e);
		}
	}
	if (argv[1][0] == '-')
		return err_usage(e, "unknown flag %s", argv[1]);
	return err_usage(e, "unknown volume subcommand \"%s\"", argv[1]);
}
