/* ps.c - burrow ps: list containers. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cli/ctrjson.h"
#include "lib/store/store.h"
#include "cli/format.h"
#include "lib/base/util.h"

enum { O_ALL = 1, O_QUIET, O_NOTRUNC, O_FILTER, O_FORMAT, O_HELP, O_LAST, O_NOHEAD, O_SORT };
static const struct opt ps_opts[] = {
	{ "all", 'a', OPT_FLAG, O_ALL, NULL, "Show all containers, not only running ones" },
	{ "filter", 'f', OPT_VALUE, O_FILTER, "KEY=VALUE",
	  "Filter: name=REGEX, status=STATE, ancestor=IMAGE, id=PREFIX, label=KEY[=VALUE], before=CTR, since=CTR, "
	  "exited=CODE, volume=NAME|PATH, network=NAME" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT",
	  "json, table, or a Go-style template such as '{{.Names}}'" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "latest", 'l', OPT_FLAG, O_LAST, NULL, "Show the latest container created" },
	{ "no-trunc", 0, OPT_FLAG, O_NOTRUNC, NULL, "Do not truncate IDs and commands" },
	{ "noheading", 'n', OPT_FLAG, O_NOHEAD, NULL, "Do not print the table header" },
	{ "quiet", 'q', OPT_FLAG, O_QUIET, NULL, "Print only the container IDs" },
	{ "sort", 0, OPT_VALUE, O_SORT, "KEY",
	  "Sort by command, created (the default: oldest first), id, image, names, runningfor, size or status" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char *const states[] = { "created", "running", "exited",    "removing",
				      "paused",  "stopped", "restarting" };

static int check_filters(char **f, struct err *e)
{
	for (size_t i = 0; f && f[i]; i++) {
		const char *eq = strchr(f[i], '=');
		if (!eq || eq == f[i])
			return err_make(e, 0, "invalid filter \"%s\": use KEY=VALUE", f[i]);
		if (strncmp(f[i], "status=", 7) == 0) {
			bool ok = false;
			for (size_t k = 0; k < ARRAY_SIZE(states); k++)
				ok |= strcmp(eq + 1, states[k]) == 0;
			if (!ok)
				return err_make(e, 0,
						"invalid filter \"%s\": status is one of created, running, "
						"paused, exited, removing",
						f[i]);
		} else if (strncmp(f[i], "name=", 5) == 0) {
			regex_t re;
			if (regcomp(&re, eq + 1, REG_EXTENDED | REG_NOSUB) != 0)
				return err_make(e, 0, "invalid filter \"%s\": bad regular expression", f[i]);
			regfree(&re);
		} else if (strncmp(f[i], "exited=", 7) == 0) {
			uint64_t v;
			if (parse_u64(eq + 1, &v) < 0 || v > 255)
				return err_make(e, 0, "invalid filter \"%s\": exited takes an exit code",
						f[i]);
		} else if (strncmp(f[i], "ancestor=", 9) != 0 && strncmp(f[i], "id=", 3) != 0 &&
			   strncmp(f[i], "label=", 6) != 0 && strncmp(f[i], "before=", 7) != 0 &&
			   strncmp(f[i], "since=", 6) != 0 && strncmp(f[i], "volume=", 7) != 0 &&
			   strncmp(f[i], "network=", 8) != 0) {
			return err_make(
				e, 0,
				"invalid filter \"%s\" (name=, status=, ancestor=, id=, label=, before=, "
				"since=, exited=, volume=, network=)",
				f[i]);
		}
	}
	return 0;
}

/* label=KEY or label=KEY=VALUE */
static bool label_matches(const struct ctr *c, const char *v)
{
	size_t klen = strcspn(v, "=");

	for (size_t i = 0; c->spec.labels && c->spec.labels[i]; i++) {
		const char *l = c->spec.labels[i];
		if (strncmp(l, v, klen) != 0 || l[klen] != '=')
			continue;
		return !v[klen] || strcmp(l + klen + 1, v + klen + 1) == 0;
	}
	return false;
}

/* before=CT / since=CT: created before or after CT */
static bool time_matches(const struct globals *g, const struct ctr *c, const char *ref, bool before)
{
	char id[65];
	json_object *j = NULL, *t;
	struct err e = ERR_INIT;
	bool m = false;

	if (container_lookup(g->cfg.root, ref, id, &e) == 0 &&
	    container_read_config(g->cfg.root, id, &j, &e) == 0 &&
	    json_object_object_get_ex(j, "created", &t)) {
		int cmp = strcmp(c->spec.created, json_object_get_string(t));
		m = before ? cmp < 0 : cmp > 0;
	}
	json_object_put(j);
	err_clear(&e);
	return m;
}

static bool one_matches(const struct globals *g, const struct ctr *c, const char *f, struct store *st)
{
	const char *v = strchr(f, '=') + 1;

	if (strncmp(f, "label=", 6) == 0)
		return label_matches(c, v);
	if (strncmp(f, "before=", 7) == 0 || strncmp(f, "since=", 6) == 0)
		return time_matches(g, c, v, f[0] == 'b');
	if (strncmp(f, "exited=", 7) == 0)
		return c->st.status == ST_EXITED && c->st.exit_code == atoi(v);

	if (strncmp(f, "status=", 7) == 0) {
		const char *s = ctr_status_name(c->st.status);
		return strcmp(s, v) == 0 || (strcmp(v, "stopped") == 0 && c->st.status == ST_EXITED);
	}
	if (strncmp(f, "name=", 5) == 0) {
		regex_t re;
		bool m;
		if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
			return false;
		m = regexec(&re, c->spec.name, 0, NULL, 0) == 0;
		regfree(&re);
		return m;
	}
	if (strncmp(f, "id=", 3) == 0)
		return strncmp(c->id, v, strlen(v)) == 0;
	if (strncmp(f, "volume=", 7) == 0) {
		/* a volume's name, or a mount's destination, as podman's */
		for (size_t i = 0; i < c->spec.nvolumes; i++)
			if ((c->spec.volumes[i].name && strcmp(c->spec.volumes[i].name, v) == 0) ||
			    strcmp(c->spec.volumes[i].dst, v) == 0)
				return true;
		return false;
	}
	if (strncmp(f, "network=", 8) == 0) {
		/* a user-defined network's name, or a mode (host, none, ...) */
		for (size_t i = 0; i < c->spec.nnetworks; i++)
			if (strcmp(c->spec.networks[i].network, v) == 0)
				return true;
		return (c->spec.net == NET_HOST && strcmp(v, "host") == 0) ||
		       (c->spec.net == NET_NONE && strcmp(v, "none") == 0) ||
		       (c->spec.net == NET_SLIRP && strcmp(v, "slirp4netns") == 0);
	}
	if (strncmp(f, "ancestor=", 9) == 0) {
		struct image *img = NULL;
		struct err e = ERR_INIT;
		bool m = strcmp(c->spec.image_ref, v) == 0 ||
			 (strlen(v) >= 3 && strncmp(c->spec.image_id, v, strlen(v)) == 0);
		if (!m && st && store_image_get(st, v, &img, &e) == 0) {
			m = strcmp(img->id, c->spec.image_id) == 0;
			image_free(img);
		}
		err_clear(&e);
		return m;
	}
	return false;
}

/* filters with the same key are ORed, different keys ANDed; every label
 * filter must match, as podman's */
static bool matches(const struct globals *g, const struct ctr *c, char **f, struct store *st)
{
	for (size_t i = 0; f && f[i]; i++) {
		size_t klen = (size_t)(strchr(f[i], '=') - f[i]);
		bool any = false, seen = false;
		if (strncmp(f[i], "label=", 6) == 0) {
			if (!one_matches(g, c, f[i], st))
				return false;
			continue;
		}
		for (size_t k = 0; f[k]; k++) {
			if (strncmp(f[k], f[i], klen + 1) != 0)
				continue;
			seen = true;
			any |= one_matches(g, c, f[k], st);
		}
		if (seen && !any)
			return false;
	}
	return true;
}

static char *command_text(const struct ctr *c, bool notrunc)
{
	size_t len = 0;
	char *s;

	for (size_t i = 0; c->spec.argv[i]; i++)
		len += strlen(c->spec.argv[i]) + 1;
	s = xcalloc(len + 1, 1);
	for (size_t i = 0; c->spec.argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, c->spec.argv[i]);
	}
	if (!notrunc && strlen(s) > 20)
		strcpy(s + 17, "...");
	return s;
}

/* --sort: podman's keys.  size keeps the created order (podman's compares
 * sizes it has only with --size) */
static const char *const sort_keys[] = { "command", "created",    "id",   "image",
					 "names",   "runningfor", "size", "status" };

static char *sort_text(json_object *j, const char *key)
{
	json_object *v;

	if (strcmp(key, "command") == 0) {
		v = json_object_object_get(j, "Command");
		if (json_object_is_type(v, json_type_array)) {
			char *s = xstrdup("");
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				char *t = xasprintf("%s%s%s", s, i ? " " : "",
						    json_object_get_string(json_object_array_get_idx(v, i)));
				free(s);
				s = t;
			}
			return s;
		}
		return xstrdup(json_object_get_string(v) ? json_object_get_string(v) : "");
	}
	v = json_object_object_get(j, strcmp(key, "id") == 0      ? "Id"
				      : strcmp(key, "image") == 0 ? "Image"
				      : strcmp(key, "names") == 0 ? "NamesText"
								  : "State");
	return xstrdup(json_object_get_string(v) ? json_object_get_string(v) : "");
}

/* rows come newest first; podman lists them oldest first, then sorts by
 * key (stable here: equal keys stay in created order) */
static json_object *sort_rows(json_object *arr, const char *key)
{
	size_t n = json_object_array_length(arr);
	json_object **row = xcalloc(n + 1, sizeof *row), *out = json_object_new_array();
	char **txt = xcalloc(n + 1, sizeof *txt);
	bool bytime = strcmp(key, "runningfor") == 0,
	     bytext = !bytime && strcmp(key, "created") != 0 && strcmp(key, "size") != 0;

	for (size_t i = 0; i < n; i++) {
		row[i] = json_object_array_get_idx(arr, n - 1 - i);
		txt[i] = bytext ? sort_text(row[i], key) : NULL;
	}
	for (size_t i = 1; i < n && (bytext || bytime); i++) {
		for (size_t k = i; k > 0; k--) {
			bool less = bytext ? strcmp(txt[k], txt[k - 1]) < 0
					   : json_object_get_int64(
						     json_object_object_get(row[k], "StartedAt")) <
						     json_object_get_int64(
							     json_object_object_get(row[k - 1], "StartedAt"));
			json_object *tj;
			char *tt;
			if (!less)
				break;
			tj = row[k], row[k] = row[k - 1], row[k - 1] = tj;
			tt = txt[k], txt[k] = txt[k - 1], txt[k - 1] = tt;
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_object_array_add(out, json_object_get(row[i]));
		free(txt[i]);
	}
	free(row);
	free(txt);
	json_object_put(arr);
	return out;
}

/* podman's column headers where a field's own name is not the header */
static const char *const ps_heads[] = { "ID",          "CONTAINER ID", "CreatedHuman", "CREATED",
					"CommandText", "COMMAND",      "NamesText",    "NAMES",
					"Pod",         "POD ID",       "Cgroup",       "CGROUPNS",
					NULL };

CMD_DECL(ps)
{
	struct optparser p;
	bool all = false, quiet = false, notrunc = false, latest = false, nohead = false;
	const char *format = NULL, *sort = "created";
	_cleanup_strv_ char **filters = NULL, **ids = NULL;
	struct store *st = NULL;
	json_object *arr = NULL;
	int id, rc = 0;
	size_t n;

	opt_init(&p, ps_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_ALL:
			all = opt_flag_value(&p);
			break;
		case O_QUIET:
			quiet = opt_flag_value(&p);
			break;
		case O_NOTRUNC:
			notrunc = opt_flag_value(&p);
			break;
		case O_LAST:
			latest = opt_flag_value(&p);
			break;
		case O_NOHEAD:
			nohead = opt_flag_value(&p);
			break;
		case O_FILTER:
			strv_push(&filters, p.value);
			break;
		case O_FORMAT:
			format = p.value;
			break;
		case O_SORT: {
			bool known = false;
			for (size_t k = 0; k < ARRAY_SIZE(sort_keys); k++)
				known |= strcmp(p.value, sort_keys[k]) == 0;
			if (!known) {
				err_make(
					e, 0,
					"invalid argument \"%s\" for \"--sort\" flag: \"%s\" is not a valid value.  "
					"Choose from: \"command, created, id, image, names, runningfor, size, status\"",
					p.value, p.value);
				goto usage;
			}
			sort = p.value;
			break;
		}
		case O_HELP:
			opt_print_help(stdout, "ps", "[OPTIONS]", "List containers.", ps_opts);
			return 0;
		case -1:
		default:
			goto usage;
		}
	}
	if (p.idx < argc) {
		err_make(e, 0, "\"burrow ps\" takes no arguments");
		goto usage;
	}
	if (check_filters(filters, e) < 0)
		goto usage;
	if (cli_format_check(format, e) < 0)
		goto fail;
	if (container_list(g->cfg.root, &ids, e) < 0)
		goto fail;
	for (size_t i = 0; filters && filters[i]; i++)
		if (strncmp(filters[i], "ancestor=", 9) == 0 && !st && store_open(g->cfg.root, &st, e) < 0)
			goto fail;
	n = strv_len(ids);
	arr = json_object_new_array();
	/* newest first here, so that --latest stops at the first match;
	 * sort_rows() puts them in podman's order */
	for (size_t k = n; k-- > 0;) {
		struct ctr c;
		if (ctr_load_id(g, ids[k], &c, e) < 0) {
			err_clear(e);
			continue; /* removed meanwhile */
		}
		if (((all || latest || filters) || ctr_running(&c)) && matches(g, &c, filters, st)) {
			json_object *j = ctr_ps_json(&c);
			if (!format || strcmp(format, "json") != 0) {
				_cleanup_free_ char *cmd = command_text(&c, notrunc);
				_cleanup_free_ char *created = ctr_ago(c.spec.created);
				_cleanup_free_ char *cr = xasprintf("%s ago", created);
				json_object_object_add(j, "ID", json_object_new_string(c.id));
				if (!notrunc) {
					char shortid[13];
					snprintf(shortid, sizeof shortid, "%.12s", c.id);
					json_object_object_add(j, "ID", json_object_new_string(shortid));
				}
				json_object_object_add(j, "CommandText", json_object_new_string(cmd));
				json_object_object_add(j, "CreatedHuman", json_object_new_string(cr));
				json_object_object_add(j, "NamesText", json_object_new_string(c.spec.name));
				/* templates see Names, Command, Created and Ports as podman's:
				 * strings */
				json_object_object_add(j, "Names", json_object_new_string(c.spec.name));
				if (cli_format_is_template(format)) {
					json_object *pa = json_object_object_get(j, "Ports");
					_cleanup_free_ char *ports = xstrdup("");
					for (size_t q = 0; q < json_object_array_length(pa); q++) {
						char *np = xasprintf("%s%s%s", ports, q ? ", " : "",
								     json_object_get_string(
									     json_object_array_get_idx(pa,
												       q)));
						free(ports);
						ports = np;
					}
					json_object_object_add(j, "Command", json_object_new_string(cmd));
					json_object_object_add(j, "Created", json_object_new_string(cr));
					json_object_object_add(j, "RunningFor", json_object_new_string(cr));
					json_object_object_add(j, "Ports", json_object_new_string(ports));
					{
						char *at = cli_go_time(c.spec.created);
						json_object_object_add(j, "CreatedAt",
								       json_object_new_string(at));
						free(at);
					}
				}
			}
			json_object_array_add(arr, j);
		}
		ctr_free(&c);
		if (latest && json_object_array_length(arr) > 0)
			break;
	}
	arr = sort_rows(arr, sort);
	n = json_object_array_length(arr);
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			const char *cid = json_object_get_string(
				json_object_object_get(json_object_array_get_idx(arr, i), "Id"));
			/* -q always prints IDs */
			printf("%.*s\n", notrunc ? 64 : 12, cid);
		}
	} else if (format && strcmp(format, "json") == 0) {
		printf("%s\n",
		       json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (cli_format_is_template(format)) {
		if (cli_format_print(format, arr, ps_heads, nohead, e) < 0)
			goto fail;
	} else {
#define PS_ROW "%-*s  %-27s  %-20s  %-16s  %-26s  %-20s  %s\n"
		int w = notrunc ? 64 : 12;
		if (!nohead)
			printf(PS_ROW, w, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
			       "NAMES");
		for (size_t i = 0; i < n; i++) {
			json_object *j = json_object_array_get_idx(arr, i),
				    *pa = json_object_object_get(j, "Ports");
			_cleanup_free_ char *ports = xstrdup("");
			for (size_t k = 0; k < json_object_array_length(pa); k++) {
				char *np = xasprintf("%s%s%s", ports, k ? ", " : "",
						     json_object_get_string(
							     json_object_array_get_idx(pa, k)));
				free(ports);
				ports = np;
			}
			printf(PS_ROW, w, json_object_get_string(json_object_object_get(j, "ID")),
			       json_object_get_string(json_object_object_get(j, "Image")),
			       json_object_get_string(json_object_object_get(j, "CommandText")),
			       json_object_get_string(json_object_object_get(j, "CreatedHuman")),
			       json_object_get_string(json_object_object_get(j, "Status")), ports,
			       json_object_get_string(json_object_object_get(j, "NamesText")));
		}
	}
	goto out;
fail:
	rc = -1;
	goto out;
usage:
	rc = err_mark_usage(e);
out:
	json_object_put(arr);
	if (st)
		store_close(st);
	return rc;
}
