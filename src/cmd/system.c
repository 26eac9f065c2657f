/* system.c - burrow system SUBCOMMAND: check (the store and the container
 * records, lib/store/check.h; --repair fixes what it can), df (disk use),
 * info (podman's description of the host, in info.c), prune (stopped
 * containers) and reset (everything: containers, images, build cache, the
 * store). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/ctrutil.h"
#include "cli/format.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/runtime/userns.h"
#include "lib/store/check.h"
#include "lib/store/ref.h"
#include "lib/store/store.h"

enum { O_HELP = 1, O_FORCE, O_FORMAT, O_VERBOSE, O_QUICK, O_REPAIR, O_MAX };
static const struct opt prune_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt reset_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL, "Do not ask for confirmation" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ NULL, 0, 0, 0, NULL, NULL },
};
static const struct opt df_opts[] = {
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template (\"{{.Type}} {{.Size}}\")" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "verbose", 'v', OPT_FLAG, O_VERBOSE, NULL, "Show each image and container" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* parse opts that are flags only; *force from O_FORCE */
static int parse_simple(const char *verb, const char *summary, const struct opt *opts, int argc, char **argv,
			bool *force, struct err *e)
{
	struct optparser p;
	int id;

	opt_init(&p, opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			*force = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, verb, "[OPTIONS]", summary, opts);
			return 1;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow %s\" takes no arguments", verb);
	return 0;
}

static int system_prune(struct globals *g, int argc, char **argv, struct err *e)
{
	_cleanup_strv_ char **removed = NULL;
	bool force = false;
	int rc = parse_simple("system prune", "Remove all stopped containers.", prune_opts, argc, argv,
			      &force, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!force && !cmd_confirm("WARNING! This will remove all stopped containers."))
		return 0;
	rc = cmd_prune_containers(g, &removed, e);
	if (removed && removed[0])
		printf("Deleted Containers\n");
	for (size_t i = 0; removed && removed[i]; i++)
		printf("%s\n", removed[i]);
	return rc;
}

static int rm_fn(void *arg, int outfd, struct err *e)
{
	(void)outfd;
	return rm_rf_at(AT_FDCWD, arg, e);
}

/* Remove everything inside dir (not dir itself); what belongs to mapped
 * IDs goes from inside the user namespace. */
static int empty_dir(const char *dir, const struct idmap *m, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_make(e, errno, "opening %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		struct err ign = ERR_INIT;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (rm_rf_at(AT_FDCWD, path, &ign) == 0)
			continue;
		err_clear(&ign);
		if (!m || userns_run(m, 0, rm_fn, path, NULL, NULL, NULL, e) < 0) {
			if (!m)
				err_make(e, 0, "cannot remove %s", path);
			rc = err_wrap(e, "removing %s", path);
			break;
		}
	}
	closedir(d);
	return rc;
}

static int system_reset(struct globals *g, int argc, char **argv, struct err *e)
{
	_cleanup_strv_ char **ids = NULL, **deleted = NULL;
	struct store *s = NULL;
	struct idmap m;
	bool force = false, have_map;
	const char *home = getenv("HOME");
	int rc = parse_simple("system reset",
			      "Remove every container, image and the build cache: the whole store.",
			      reset_opts, argc, argv, &force, e);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!g->cfg.root[0] || strcmp(g->cfg.root, "/") == 0 || (home && strcmp(g->cfg.root, home) == 0) ||
	    !g->cfg.runroot[0] || strcmp(g->cfg.runroot, "/") == 0)
		return err_make(e, 0, "refusing to reset the store at \"%s\" (runroot \"%s\")", g->cfg.root,
				g->cfg.runroot);
	if (!force) {
		_cleanup_free_ char *w = xasprintf("WARNING! This will remove:\n"
						   "        - all containers\n"
						   "        - all images\n"
						   "        - all build cache\n"
						   "        - the graphRoot directory: \"%s\"\n"
						   "        - the runRoot directory: \"%s\"",
						   g->cfg.root, g->cfg.runroot);
		if (!cmd_confirm(w))
			return 0;
	}
	/* containers first (stopped, with what their supervisors hold) */
	if (container_list(g->cfg.root, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++)
		if (ctr_remove_id(g, ids[i], true, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		}
	memset(&m, 0, sizeof m);
	have_map = userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) == 0;
	err_clear(e);
	if (cli_store(g, &s, e) < 0) {
		rc = cli_report(e);
		err_clear(e);
	} else {
		if (store_image_prune(s, have_map ? &m : NULL, true, &deleted, e) < 0) {
			rc = cli_report(e);
			err_clear(e);
		}
		cli_store_close(g);
	}
	/* then whatever is left: layers, blobs, build cache, runtime files */
	if (empty_dir(g->cfg.root, have_map ? &m : NULL, e) < 0 ||
	    empty_dir(g->cfg.runroot, have_map ? &m : NULL, e) < 0) {
		rc = cli_report(e);
		err_clear(e);
	}
	if (have_map)
		idmap_free(&m);
	return rc;
}

/* go-units' HumanSize: 4 significant digits, no space ("1.234MB") */
static char *hsize(uint64_t n)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	return xasprintf("%.4g%s", v, units[u]);
}

static uint64_t du_at(int dfd, const char *name, int depth)
{
	struct stat st;
	uint64_t sum = 0;
	int fd;
	DIR *d;
	struct dirent *de;

	if (depth > 128 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			sum += du_at(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return sum;
}

static json_object *df_row(const char *type, size_t total, size_t active, uint64_t size, uint64_t reclaim)
{
	json_object *o = json_object_new_object();
	_cleanup_free_ char *sz = hsize(size), *rc = hsize(reclaim);
	_cleanup_free_ char *r = xasprintf("%s (%.0f%%)", rc,
					   size ? 100.0 * (double)reclaim / (double)size : 0.0);

	json_object_object_add(o, "Type", json_object_new_string(type));
	json_object_object_add(o, "Total", json_object_new_int64((int64_t)total));
	json_object_object_add(o, "Active", json_object_new_int64((int64_t)active));
	json_object_object_add(o, "Size", json_object_new_string(sz));
	json_object_object_add(o, "Reclaimable", json_object_new_string(r));
	json_object_object_add(o, "RawSize", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "RawReclaimable", json_object_new_int64((int64_t)reclaim));
	return o;
}

static int system_df(struct globals *g, int argc, char **argv, struct err *e)
{
	_cleanup_strv_ char **ids = NULL;
	struct optparser p;
	struct store *s = NULL;
	struct image **imgs = NULL;
	size_t nimg = 0, nctr = 0, running = 0, used_imgs = 0;
	uint64_t isize = 0, ireclaim = 0, csize = 0, creclaim = 0;
	const char *format = NULL;
	bool verbose = false;
	json_object *rows, *ctrs = json_object_new_array();
	int id, rc = 0;

	opt_init(&p, df_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORMAT:
			format = p.value;
			break;
		case O_VERBOSE:
			verbose = opt_flag_value(&p);
			break;
		case O_HELP:
			opt_print_help(stdout, "system df", "[OPTIONS]",
				       "Show the disk space used by images, containers and volumes.",
				       df_opts);
			json_object_put(ctrs);
			return 0;
		case -1:
		default:
			json_object_put(ctrs);
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc || cli_format_check(format, e) < 0) {
		json_object_put(ctrs);
		return p.idx < argc ? err_usage(e, "\"burrow system df\" takes no arguments") : -1;
	}
	if (cli_store(g, &s, e) < 0 || store_image_list(s, &imgs, &nimg, e) < 0 ||
	    container_list(g->cfg.root, &ids, e) < 0) {
		json_object_put(ctrs);
		return -1;
	}
	for (size_t i = 0; ids[i]; i++) {
		struct ctr c;
		json_object *o;
		uint64_t sz;
		if (ctr_load_id(g, ids[i], &c, e) < 0) {
			err_clear(e);
			continue;
		}
		sz = du_at(AT_FDCWD, c.spec.ctrdir, 0);
		nctr++;
		csize += sz;
		if (ctr_running(&c))
			running++;
		else
			creclaim += sz;
		o = json_object_new_object();
		json_object_object_add(o, "Id", json_object_new_string(c.id));
		json_object_object_add(o, "ImageId",
				       json_object_new_string(c.spec.image_id ? c.spec.image_id : ""));
		json_object_object_add(o, "Image",
				       json_object_new_string(c.spec.image_ref ? c.spec.image_ref : ""));
		json_object_object_add(o, "Name", json_object_new_string(c.spec.name));
		json_object_object_add(o, "Size", json_object_new_int64((int64_t)sz));
		json_object_object_add(o, "Status", json_object_new_string(ctr_status_name(c.st.status)));
		json_object_object_add(o, "Created",
				       json_object_new_string(c.spec.created ? c.spec.created : ""));
		json_object_array_add(ctrs, o);
		ctr_free(&c);
	}
	for (size_t i = 0; i < nimg; i++) {
		bool used = false;
		for (size_t k = 0; k < json_object_array_length(ctrs) && !used; k++)
			used = strcmp(json_object_get_string(
					      json_object_object_get(json_object_array_get_idx(ctrs, k),
								     "ImageId")),
				      imgs[i]->id) == 0;
		isize += imgs[i]->size;
		if (used)
			used_imgs++;
		else
			ireclaim += imgs[i]->size;
	}
	rows = json_object_new_array();
	json_object_array_add(rows, df_row("Images", nimg, used_imgs, isize, ireclaim));
	json_object_array_add(rows, df_row("Containers", nctr, running, csize, creclaim));
	json_object_array_add(rows, df_row("Local Volumes", 0, 0, 0, 0));
	if (format && strcmp(format, "json") == 0) {
		cli_print_json(rows);
	} else if (cli_format_is_template(format)) {
		rc = cli_format_print(format, rows, NULL, false, e);
	} else if (!verbose) {
		printf("%-13s  %-10s  %-10s  %-10s  %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
		for (size_t i = 0; i < 3; i++) {
			json_object *o = json_object_array_get_idx(rows, i);
#define F(k) json_object_get_string(json_object_object_get(o, k))
			printf("%-13s  %-10s  %-10s  %-10s  %s\n", F("Type"), F("Total"), F("Active"),
			       F("Size"), F("Reclaimable"));
		}
	} else {
		printf("Images space usage:\n\n%-20s  %-10s  %-12s  %-20s  %-10s  %-12s  %-12s  %s\n",
		       "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
		       "CONTAINERS");
		for (size_t i = 0; i < nimg; i++) {
			_cleanup_free_ char *repo = NULL, *tag = NULL, *sz = hsize(imgs[i]->size);
			_cleanup_free_ char *a = ctr_ago(imgs[i]->created), *ago = xasprintf("%s ago", a);
			size_t users = 0;
			for (size_t k = 0; k < json_object_array_length(ctrs); k++)
				users += strcmp(json_object_get_string(
							json_object_object_get(json_object_array_get_idx(ctrs,
													 k),
									       "ImageId")),
						imgs[i]->id) == 0;
			if (imgs[i]->names && imgs[i]->names[0]) {
				ref_split_repo_tag(imgs[i]->names[0], &repo, &tag);
			} else {
				repo = xstrdup("<none>");
				tag = xstrdup("<none>");
			}
			printf("%-20s  %-10s  %-12.12s  %-20s  %-10s  %-12s  %-12s  %zu\n", repo, tag,
			       imgs[i]->id, ago, sz, "0B", sz, users);
		}
		printf("\nContainers space usage:\n\n%-12s  %-20s  %-10s  %-20s  %-10s  %s\n", "CONTAINER ID",
		       "IMAGE", "SIZE", "CREATED", "STATUS", "NAMES");
		for (size_t k = 0; k < json_object_array_length(ctrs); k++) {
			json_object *o = json_object_array_get_idx(ctrs, k);
			_cleanup_free_ char *sz = hsize(
				(uint64_t)json_object_get_int64(json_object_object_get(o, "Size")));
			_cleanup_free_ char *a = ctr_ago(F("Created")), *ago = xasprintf("%s ago", a);
			printf("%-12.12s  %-20s  %-10s  %-20s  %-10s  %s\n", F("Id"), F("Image"), sz, ago,
			       F("Status"), F("Name"));
		}
		printf("\nLocal Volumes space usage:\n\n%-20s  %-10s  %s\n", "VOLUME NAME", "LINKS", "SIZE");
#undef F
	}
	json_object_put(rows);
	json_object_put(ctrs);
	for (size_t i = 0; i < nimg; i++)
		image_free(imgs[i]);
	free(imgs);
	return rc;
}

static const struct opt check_opts[] = {
	{ "force", 'f', OPT_FLAG, O_FORCE, NULL,
	  "With --repair: also remove the containers of damaged images" },
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "max", 'm', OPT_VALUE, O_MAX, "DURATION",
	  "Leave unused layers younger than this alone (default 0: report them all)" },
	{ "quick", 'q', OPT_FLAG, O_QUICK, NULL, "Skip reading every layer's files" },
	{ "repair", 'r', OPT_FLAG, O_REPAIR, NULL, "Fix what can be fixed, saying what was done" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static int remove_container(void *arg, const char *id, struct err *e)
{
	return ctr_remove_id(arg, id, true, e);
}

/* burrow system check: one line per problem, with what --repair did; 0
 * when nothing is left wrong, 1 when something is. */
static int system_check(struct globals *g, int argc, char **argv, struct err *e)
{
	struct store_check_opts o = {
		.root = g->cfg.root,
		.runroot = g->cfg.runroot,
		.remove_container = remove_container,
		.arg = g,
	};
	struct store_finding *found = NULL;
	struct store *s = NULL;
	struct optparser p;
	struct idmap m;
	size_t n = 0, left = 0;
	int64_t max_ms = 0;
	int id;

	opt_init(&p, check_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FORCE:
			o.force = opt_flag_value(&p);
			break;
		case O_QUICK:
			o.quick = opt_flag_value(&p);
			break;
		case O_REPAIR:
			o.repair = opt_flag_value(&p);
			break;
		case O_MAX:
			if (parse_duration_ms(p.value, &max_ms, e) < 0) {
				err_wrap(e, "--max");
				return err_mark_usage(e);
			}
			break;
		case O_HELP:
			opt_print_help(stdout, "system check", "[OPTIONS]",
				       "Check the store and the container records, and repair them.",
				       check_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow system check\" takes no arguments");
	if (o.force && !o.repair)
		return err_usage(e, "system check: --force goes with --repair");
	o.max_age_s = max_ms / 1000;
	if (cli_store(g, &s, e) < 0)
		return -1;
	memset(&m, 0, sizeof m);
	userns_lookup(&m, g->cfg.idmap, e);
	err_clear(e);
	if (store_check(s, &m, &o, &found, &n, e) < 0) {
		idmap_free(&m);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s: %s", found[i].what, found[i].problem);
		if (found[i].action)
			printf("; %s", found[i].action);
		printf("\n");
		if (!found[i].fixed)
			left++;
	}
	store_findings_free(found, n);
	idmap_free(&m);
	return left ? 1 : 0;
}

CMD_DECL(system)
{
	static const struct subcmd subs[] = {
		{ "check", "system check", system_check,
		  "Check the store and the container records, and repair them" },
		{ "df", "system df", system_df, "Show the disk space images and containers use" },
		{ "info", "system info", cmd_system_info,
		  "Describe the host and the store, as podman info does" },
		{ "prune", "system prune", system_prune, "Remove all stopped containers" },
		{ "reset", "system reset", system_reset,
		  "Remove every container and image: the whole store" },
		{ "service", "system service", cmd_system_service,
		  "Serve the Docker Engine API on a unix socket" },
	};

	return cmd_group(g, "system",
			 "Manage burrow: disk use, host description, prune, reset and the API service.", subs,
			 ARRAY_SIZE(subs), argc, argv, e);
}
