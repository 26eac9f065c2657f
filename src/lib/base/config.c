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
#include "netfs.h"
#include "log.h"
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

int config_private_dir(const char *dir, char **why)
{
	_cleanup_close_ int fd = -1, pfd = -1;
	_cleanup_free_ char *parent = NULL;
	struct stat st;
	char *slash;

	*why = NULL;
	/* the check is on the fd: no one can swap the path between the two */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		if (saved == ENOENT)
			return 0;
		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			*why = xasprintf("it is a symbolic link owned by uid %u", (unsigned)st.st_uid);
		else if (saved == ENOTDIR)
			*why = xstrdup("it is not a directory");
		else
			*why = xasprintf("it cannot be opened: %s", strerror(saved));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why = xasprintf("it cannot be checked: %s", strerror(errno));
		return -1;
	}
	if (st.st_uid != getuid()) {
		*why = xasprintf("it is owned by uid %u, not by you", (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & 077) {
		*why = xasprintf("it has mode %04o, not 0700", (unsigned)(st.st_mode & 07777));
		return -1;
	}
	/* A directory of our own stays ours by this name unless its parent
	 * lets others rename entries: a parent others can write to must be
	 * sticky (like /tmp) */
	parent = xstrdup(dir);
	slash = strrchr(parent, '/');
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	pfd = open(slash ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd >= 0 && fstat(pfd, &st) == 0 && st.st_uid != getuid() && (st.st_mode & 022) &&
	    !(st.st_mode & S_ISVTX)) {
		*why = xasprintf("its parent %s can be written by other users and is not sticky",
				 slash ? parent : ".");
		return -1;
	}
	return 1;
}

/* $XDG_RUNTIME_DIR=/tmp would give every user the same runroot */
static bool owned_by_me(const char *dir)
{
	_cleanup_free_ char *why = NULL;
	return config_private_dir(dir, &why) == 1;
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
			c->runroot_in_tmp = false;
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
			strv_free(c->insecure_registries);
			c->search_registries = xcalloc(1, sizeof(char *));
			for (char *t = strtok_r(v, "[], \t\"'", &save); t;
			     t = strtok_r(NULL, "[], \t\"'", &save))
				strv_push(&c->search_registries, t);
		} else if (strcmp(k, "cdi-spec-dirs") == 0 || strcmp(k, "insecure-registries") == 0) {
			char ***list = k[0] == 'c' ? &c->cdi_spec_dirs : &c->insecure_registries;
			char *save = NULL;
			strv_free(*list);
			*list = xcalloc(1, sizeof(char *));
			for (char *t = strtok_r(v, "[], \t\"'", &save); t;
			     t = strtok_r(NULL, "[], \t\"'", &save))
				strv_push(list, t);
		} else if (strcmp(k, "max-layer-size") == 0) {
			if (config_parse_bytes(v, &c->max_layer_size) < 0)
				return err_make(e, 0, "%s:%d: max-layer-size must be a size like 64G", path,
						lineno);
		} else if (strcmp(k, "network-grace") == 0) {
			if (config_parse_grace(v, &c->network_grace_ms) < 0)
				return err_make(e, 0,
						"%s:%d: network-grace must be a duration up to 1h like 10s, "
						"500ms or 0",
						path, lineno);
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
	c->network_grace_ms = -1;
	{
		_cleanup_free_ char *data = xdg_dir("XDG_DATA_HOME", ".local/share");
		c->root = xasprintf("%s/burrow", data);
		c->root_source = xstrdup("default");
	}
	/* the default runroot is worked out (and its filesystem asked) only
	 * when neither --runroot nor BURROW_RUNROOT replaces it */
	v = getenv("BURROW_RUNROOT");
	if (runroot_opt || (v && *v)) {
		c->runroot = xstrdup("");
	} else if ((v = getenv("XDG_RUNTIME_DIR")) && *v == '/' && access(v, W_OK) == 0 && owned_by_me(v)) {
		c->runroot = xasprintf("%s/burrow", v);
	} else {
		c->runroot = config_tmp_runroot();
		c->runroot_in_tmp = true;
		if (netfs_of(c->runroot)) {
			/* runtime state never goes to a network filesystem by default */
			_cleanup_free_ char *local = netfs_local_dir();
			free(c->runroot);
			c->runroot = xasprintf("%s/run", local);
			c->runroot_in_tmp = false;
		}
	}

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
		c->runroot_in_tmp = false;
	}
	if ((v = getenv("BURROW_OVERLAY")) && *v && parse_overlay(v, &c->overlay) < 0)
		return err_make(e, 0, "BURROW_OVERLAY must be auto, kernel or fuse, not \"%s\"", v);
	if ((v = getenv("BURROW_IDMAP")) && *v && parse_idmap(v, &c->idmap) < 0)
		return err_make(e, 0, "BURROW_IDMAP must be auto or single, not \"%s\"", v);
	if ((v = getenv("BURROW_NETWORK_GRACE")) && *v && config_parse_grace(v, &c->network_grace_ms) < 0)
		return err_make(
			e, 0,
			"BURROW_NETWORK_GRACE must be a duration up to 1h like 10s, 500ms or 0, not \"%s\"",
			v);
	if (root_opt) {
		free(c->root);
		c->root = xstrdup(root_opt);
		free(c->root_source);
		c->root_source = xstrdup("--root");
	}
	if (runroot_opt) {
		free(c->runroot);
		c->runroot = xstrdup(runroot_opt);
		c->runroot_in_tmp = false;
	}
	if (c->root[0] != '/' || c->runroot[0] != '/')
		return err_make(e, 0, "the store root and runroot must be absolute paths");
	return 0;
}

int config_check_runroot(const struct config *c, bool create, struct err *e)
{
	_cleanup_free_ char *why = NULL;
	struct stat st;
	int r;

	if (create && mkdir_p_at(AT_FDCWD, c->runroot, 0700, e) < 0)
		return -1;
	r = config_private_dir(c->runroot, &why);
	if (r == 1 || (r == 0 && !create))
		return 0;
	if (r == 0)
		return err_make(e, ENOENT, "runroot %s vanished", c->runroot);
	/* the exact fix: a directory of the user's own with a loose mode can
	 * be tightened, a link or file of theirs removed; anything else
	 * belongs to someone else */
	if (lstat(c->runroot, &st) == 0 && st.st_uid == getuid()) {
		if (S_ISDIR(st.st_mode) && !(st.st_mode & 077))
			return err_make(e, 0,
					"runroot %s is not safe to use: %s. Use --runroot DIR (or "
					"BURROW_RUNROOT) in a directory only you can write to",
					c->runroot, why);
		if (S_ISDIR(st.st_mode))
			return err_make(e, 0,
					"runroot %s is not safe to use: %s, so other users can change "
					"burrow's state in it. If you made it, `chmod 0700 %s`; else "
					"remove it and use --runroot DIR (or BURROW_RUNROOT) with a private "
					"directory",
					c->runroot, why, c->runroot);
		return err_make(e, 0,
				"runroot %s is not safe to use: %s. Remove it (`rm %s`) or use --runroot "
				"DIR (or BURROW_RUNROOT) with a directory of your own at mode 0700",
				c->runroot, why, c->runroot);
	}
	return err_make(e, 0,
			"runroot %s is not safe to use: %s; another user may have made it to take "
			"over burrow's state. Use --runroot DIR or BURROW_RUNROOT=DIR with a "
			"directory of your own at mode 0700 (or set XDG_RUNTIME_DIR to a private "
			"directory such as /run/user/%u), and ask an administrator to remove %s",
			c->runroot, why, (unsigned)getuid(), c->runroot);
}

char *config_tmp_runroot(void)
{
	const char *t = getenv("TMPDIR");
	return xasprintf("%s/burrow-%u", t && *t == '/' ? t : "/tmp", (unsigned)getuid());
}

/* <root>/runroot-moved names a private directory made for a taken default */
static char *moved_read(const char *rec, const char *tmpl)
{
	_cleanup_free_ char *txt = NULL, *why = NULL;
	struct err ignore = ERR_INIT;

	if (read_file_at(AT_FDCWD, rec, 4096, &txt, NULL, &ignore) < 0) {
		err_clear(&ignore);
		return NULL;
	}
	txt[strcspn(txt, "\n")] = '\0';
	/* only a directory of the same pattern, and private */
	if (strlen(txt) != strlen(tmpl) || strncmp(txt, tmpl, strlen(tmpl) - 6) != 0 ||
	    config_private_dir(txt, &why) != 1)
		return NULL;
	return steal_ptr(txt);
}

/* The default runroot in TMPDIR is taken: use the private directory named
 * in <root>/runroot-moved, or make one with mkdtemp and record it there,
 * so every command finds the same one.  Two commands that both make one
 * settle on the first recorded (link() does not replace). */
static int runroot_move(struct config *c, const char *why, struct err *e)
{
	_cleanup_free_ char *rec = xasprintf("%s/runroot-moved", c->root);
	_cleanup_free_ char *tmpl = xasprintf("%s.XXXXXX", c->runroot);
	char *dir = moved_read(rec, tmpl);

	if (!dir) {
		_cleanup_free_ char *mine = xstrdup(tmpl), *line = NULL, *tmp = NULL;
		if (!mkdtemp(mine))
			return err_make(e, errno,
					"runroot %s is not safe to use (%s), and making a private one failed",
					c->runroot, why);
		line = xasprintf("%s\n", mine);
		tmp = xasprintf("%s.%d", rec, (int)getpid());
		if (mkdir_p_at(AT_FDCWD, c->root, 0700, e) < 0 ||
		    write_file_atomic_at(AT_FDCWD, tmp, line, strlen(line), 0600, e) < 0) {
			rmdir(mine);
			return err_wrap(e, "recording the private runroot");
		}
		if (link(tmp, rec) == 0) {
			dir = steal_ptr(mine);
		} else if (errno == EEXIST && (dir = moved_read(rec, tmpl))) {
			rmdir(mine); /* another command recorded one first */
		} else if (rename(tmp, rec) == 0) {
			dir = steal_ptr(mine); /* the record named nothing usable */
		} else {
			int saved = errno;
			rmdir(mine);
			unlink(tmp);
			return err_make(e, saved, "recording the private runroot in %s", rec);
		}
		unlink(tmp);
	}
	log_warn("runroot %s is not safe to use: %s; using the private %s instead (remove %s to use the "
		 "default again once %s is gone)",
		 c->runroot, why, dir, rec, c->runroot);
	c->runroot_moved_from = steal_ptr(c->runroot);
	c->runroot_moved_why = xstrdup(why);
	c->runroot = dir;
	return 0;
}

int config_use_runroot(struct config *c, struct err *e)
{
	_cleanup_free_ char *why = NULL;

	/* there and private: config_ensure_dirs need not look again */
	if (config_private_dir(c->runroot, &why) == 1) {
		c->runroot_private = true;
		return 0;
	}
	free(why);
	why = NULL;
	if (config_check_runroot(c, false, e) == 0)
		return 0;
	if (!c->runroot_in_tmp || config_private_dir(c->runroot, &why) >= 0)
		return -1;
	/* another user (or a stray link) holds the default name in a shared
	 * directory: that must not stop burrow, nor be used */
	err_clear(e);
	return runroot_move(c, why, e);
}

int config_ensure_dirs(const struct config *c, struct err *e)
{
	if (mkdir_p_at(AT_FDCWD, c->root, 0700, e) < 0)
		return -1;
	if (c->runroot_private)
		return 0;
	return config_check_runroot(c, true, e);
}

void config_free(struct config *c)
{
	free(c->root);
	free(c->runroot);
	free(c->runroot_moved_from);
	free(c->runroot_moved_why);
	free(c->conf_path);
	free(c->root_source);
	strv_free(c->search_registries);
	strv_free(c->cdi_spec_dirs);
	memset(c, 0, sizeof *c);
}

int config_parse_grace(const char *s, int *ms)
{
	char *end;
	double v;
	double unit = 1000;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isdigit((unsigned char)*s))
		return -1;
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		unit = 60000;
	else if (*end && strcmp(end, "s") != 0)
		return -1;
	v *= unit;
	if (!(v >= 0 && v <= 3600000))
		return -1;
	*ms = (int)(v + 0.5);
	return 0;
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
