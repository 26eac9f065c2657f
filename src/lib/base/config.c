/* config.c - see config.h */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char *xdg_dir(const char *var, const char *fallback_under_home)
{
	const char *v = getenv(var);
	_cleanup_free_ char *home = NULL;

	if (v && *v == '/')
		return xstrdup(v);
	home = user_home_dir();
	return xasprintf("%s/%s", home, fallback_under_home);
}

/* $XDG_RUNTIME_DIR=/tmp would give every user the same runroot */
static bool owned_by_me(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid();
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	if (end - s >= 2 && ((*s == '"' && end[-1] == '"') || (*s == '\'' && end[-1] == '\''))) {
		end[-1] = '\0';
		s++;
	}
	return s;
}

static int parse_overlay(const char *v, enum overlay_mode *m)
{
	if (strcmp(v, "auto") == 0)
		*m = OVERLAY_AUTO;
	else if (strcmp(v, "kernel") == 0)
		*m = OVERLAY_KERNEL;
	else if (strcmp(v, "fuse") == 0 || strcmp(v, "fuse-overlayfs") == 0)
		*m = OVERLAY_FUSE;
	else
		return -1;
	return 0;
}

static int parse_idmap(const char *v, enum idmap_mode *m)
{
	if (strcmp(v, "auto") == 0)
		*m = IDMAP_AUTO;
	else if (strcmp(v, "single") == 0)
		*m = IDMAP_SINGLE;
	else
		return -1;
	return 0;
}

int config_parse_bytes(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTP";
	char *end;
	long double v;
	const char *u;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtold(s, &end);
	if (errno || end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (*end && (u = strchr(units, toupper((unsigned char)*end)))) {
		for (const char *k = units; k <= u; k++)
			v *= 1024;
		end++;
		if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
			end += strlen(end);
	} else if (strcasecmp(end, "B") == 0) {
		end++;
	}
	if (*end || !(v >= 1 && v < 18446744073709551615.0L))
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int read_conf(struct config *c, struct err *e)
{
	_cleanup_free_ char *dir = xdg_dir("XDG_CONFIG_HOME", ".config");
	_cleanup_free_ char *path = xasprintf("%s/burrow/burrow.conf", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[4096];
	int lineno = 0;

	if (!f)
		return errno == ENOENT ? 0 : err_make(e, errno, "reading %s", path);
	c->conf_path = xstrdup(path);
	while (fgets(line, sizeof line, f)) {
		char *s = trim(line), *eq, *k, *v;
		lineno++;
		if (*s == '#' || *s == '\0' || *s == '[')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			return err_make(e, 0, "%s:%d: expected key = value", path, lineno);
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (strcmp(k, "root") == 0) {
			free(c->root);
			c->root = xstrdup(v);
			free(c->root_source);
			c->root_source = xstrdup("burrow.conf");
		} else if (strcmp(k, "runroot") == 0) {
			free(c->runroot);
			c->runroot = xstrdup(v);
		} else if (strcmp(k, "overlay") == 0) {
			if (parse_overlay(v, &c->overlay) < 0)
				return err_make(e, 0, "%s:%d: overlay must be auto, kernel or fuse", path,
						lineno);
		} else if (strcmp(k, "idmap") == 0) {
			if (parse_idmap(v, &c->idmap) < 0)
				return err_make(e, 0, "%s:%d: idmap must be auto or single", path, lineno);
		} else if (strcmp(k, "unqualified-search-registries") == 0) {
			/* "a, b c" or a TOML-ish ["a", "b"] */
			char *save = NULL;
			strv_free(c->search_registries);
			c->search_registries = xcalloc(1, sizeof(char *));
			for (char *t = strtok_r(v, "[], \t\"'", &save); t;
			     t = strtok_r(NULL, "[], \t\"'", &save))
				strv_push(&c->search_registries, t);
		} else if (strcmp(k, "max-layer-size") == 0) {
			if (config_parse_bytes(v, &c->max_layer_size) < 0)
				return err_make(e, 0, "%s:%d: max-layer-size must be a size like 64G", path,
						lineno);
		} else if (strcmp(k, "max-layer-entries") == 0) {
			char *end;
			errno = 0;
			c->max_layer_entries = strtoull(v, &end, 10);
			if (errno || end == v || *end || *v == '-' || c->max_layer_entries == 0)
				return err_make(e, 0, "%s:%d: max-layer-entries must be a positive number",
						path, lineno);
		}
		/* unknown keys are kept for newer versions: ignored */
	}
	return 0;
}

int config_load(struct config *c, const char *root_opt, const char *runroot_opt, struct err *e)
{
	const char *v;

	memset(c, 0, sizeof *c);
	{
		_cleanup_free_ char *data = xdg_dir("XDG_DATA_HOME", ".local/share");
		c->root = xasprintf("%s/burrow", data);
		c->root_source = xstrdup("default");
	}
	v = getenv("XDG_RUNTIME_DIR");
	if (v && *v == '/' && access(v, W_OK) == 0 && owned_by_me(v))
		c->runroot = xasprintf("%s/burrow", v);
	else
		c->runroot = xasprintf("/tmp/burrow-%u", (unsigned)getuid());

	if (read_conf(c, e) < 0)
		return -1;

	if ((v = getenv("BURROW_ROOT")) && *v) {
		free(c->root);
		c->root = xstrdup(v);
		free(c->root_source);
		c->root_source = xstrdup("BURROW_ROOT");
	}
	if ((v = getenv("BURROW_RUNROOT")) && *v) {
		free(c->runroot);
		c->runroot = xstrdup(v);
	}
	if ((v = getenv("BURROW_OVERLAY")) && *v && parse_overlay(v, &c->overlay) < 0)
		return err_make(e, 0, "BURROW_OVERLAY must be auto, kernel or fuse, not \"%s\"", v);
	if ((v = getenv("BURROW_IDMAP")) && *v && parse_idmap(v, &c->idmap) < 0)
		return err_make(e, 0, "BURROW_IDMAP must be auto or single, not \"%s\"", v);
	if (root_opt) {
		free(c->root);
		c->root = xstrdup(root_opt);
		free(c->root_source);
		c->root_source = xstrdup("--root");
	}
	if (runroot_opt) {
		free(c->runroot);
		c->runroot = xstrdup(runroot_opt);
	}
	if (c->root[0] != '/' || c->runroot[0] != '/')
		return err_make(e, 0, "the store root and runroot must be absolute paths");
	return 0;
}

int config_ensure_dirs(const struct config *c, struct err *e)
{
	struct stat st;

	if (mkdir_p_at(AT_FDCWD, c->root, 0700, e) < 0)
		return -1;
	if (mkdir_p_at(AT_FDCWD, c->runroot, 0700, e) < 0)
		return -1;
	if (stat(c->runroot, &st) < 0)
		return err_make(e, errno, "checking %s", c->runroot);
	if (st.st_uid != getuid())
		return err_make(e, 0, "runroot %s is owned by uid %u, not by you", c->runroot,
				(unsigned)st.st_uid);
	return 0;
}

void config_free(struct config *c)
{
	free(c->root);
	free(c->runroot);
	free(c->conf_path);
	free(c->root_source);
	strv_free(c->search_registries);
	memset(c, 0, sizeof *c);
}

const char *overlay_mode_name(enum overlay_mode m)
{
	switch (m) {
	case OVERLAY_KERNEL:
		return "kernel";
	case OVERLAY_FUSE:
		return "fuse";
	case OVERLAY_AUTO:
	default:
		return "auto";
	}
}
