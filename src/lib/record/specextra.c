/* specextra.c - the small run and create flags that add to a spec without
 * changing how it runs: labels and annotations, /etc/hosts and
 * /etc/resolv.conf entries, --cidfile, --tz, --shm-size and --sysctl.
 * Every value that ends up in a generated file is checked here, so a
 * newline can never add a line the user didn't ask for. */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <string.h>

#include "specbuild.h"
#include "lib/base/util.h"

#define LABEL_FILE_MAX (1 << 20)

/* KEY=VALUE or KEY (an empty value), replacing an earlier KEY */
static int kv_add(char ***v, const char *what, const char *kv, bool need_eq, struct err *e)
{
	size_t klen = strcspn(kv, "=");
	_cleanup_free_ char *key = NULL;

	if (klen == 0 || (need_eq && !kv[klen]))
		return err_make(e, 0, "invalid %s \"%s\": use KEY=VALUE", what, kv);
	key = xstrndup(kv, klen);
	for (size_t i = 0; *v && (*v)[i]; i++) {
		if (strncmp((*v)[i], kv, klen) == 0 && (*v)[i][klen] == '=') {
			free((*v)[i]);
			(*v)[i] = xasprintf("%s=%s", key, kv[klen] ? kv + klen + 1 : "");
			return 0;
		}
	}
	char *s = xasprintf("%s=%s", key, kv[klen] ? kv + klen + 1 : "");
	strv_push(v, s);
	free(s);
	return 0;
}

/* --label-file: KEY=VALUE or KEY lines, # comments, blank lines */
static int label_file(char ***v, const char *path, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, lineno = 0;
	char *p;

	if (read_file_at(AT_FDCWD, path, LABEL_FILE_MAX, &buf, &len, e) < 0)
		return err_wrap(e, "--label-file");
	if (memchr(buf, '\0', len))
		return err_make(e, 0, "--label-file %s: contains a NUL byte", path);
	p = buf;
	for (char *line; (line = next_text_line(&p, &lineno));) {
		if (*line == '=')
			return err_make(e, 0, "--label-file %s:%zu: no label name", path, lineno);
		if (kv_add(v, "label", line, false, e) < 0)
			return -1;
	}
	return 0;
}

static bool is_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* a word that can go into /etc/hosts or /etc/resolv.conf as it is */
static bool file_word(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == '#')
			return false;
	return true;
}

static int build_hosts(const struct spec_opts *a, struct container_spec *s, struct err *e)
{
	for (size_t i = 0; a->add_hosts && a->add_hosts[i]; i++) {
		const char *h = a->add_hosts[i], *colon = strchr(h, ':');
		_cleanup_free_ char *name = colon ? xstrndup(h, (size_t)(colon - h)) : NULL;

		if (!colon || !file_word(name))
			return err_make(e, 0, "bad format for add-host: \"%s\"", h);
		if (strcmp(colon + 1, "host-gateway") != 0 && !is_ip(colon + 1))
			return err_make(e, 0, "invalid IP address in add-host: \"%s\"", colon + 1);
		strv_push(&s->add_hosts, h);
	}
	s->no_hosts = a->no_hosts;
	if (a->no_hosts && a->add_hosts)
		return err_make(e, 0, "--no-hosts and --add-host cannot be set together");
	if (s->net == NET_CONTAINER && (a->add_hosts || a->no_hosts))
		return err_make(e, 0, "conflicting options: --add-host/--no-hosts and --network container:");
	if (s->net == NET_CONTAINER && (a->dns || a->dns_search || a->dns_options))
		return err_make(e, 0, "conflicting options: dns and the network mode");
	for (size_t i = 0; a->dns && a->dns[i]; i++) {
		if (strcmp(a->dns[i], "none") == 0) {
			if (strv_len(a->dns) > 1)
				return err_make(e, 0, "--dns=none cannot be used with other --dns servers");
			s->no_resolv = true;
			continue;
		}
		if (!is_ip(a->dns[i]))
			return err_make(e, 0, "invalid --dns \"%s\": not an IP address", a->dns[i]);
		strv_push(&s->dns, a->dns[i]);
	}
	for (size_t i = 0; a->dns_search && a->dns_search[i]; i++) {
		if (!file_word(a->dns_search[i]))
			return err_make(e, 0, "invalid --dns-search \"%s\"", a->dns_search[i]);
		strv_push(&s->dns_search, a->dns_search[i]);
	}
	for (size_t i = 0; a->dns_options && a->dns_options[i]; i++) {
		if (!file_word(a->dns_options[i]))
			return err_make(e, 0, "invalid --dns-option \"%s\"", a->dns_options[i]);
		strv_push(&s->dns_options, a->dns_options[i]);
	}
	return 0;
}

/* The sysctls a container's own namespaces hold, as podman allows them:
 * IPC (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*), UTS
 * (kernel.domainname) and network (net.*) when the network is its own. */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

int sysctl_check(const char *kv, enum net_mode net, struct err *e)
{
	size_t klen = strcspn(kv, "=");
	_cleanup_free_ char *key = xstrndup(kv, klen);
	bool ok = false;

	if (!kv[klen] || klen == 0)
		return err_make(e, 0, "%s is invalid, sysctl values must be in the form of KEY=VALUE", kv);
	for (char *p = key; *p; p++) {
		if (*p == '/')
			*p = '.';
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return err_make(e, 0, "invalid --sysctl key \"%s\"", key);
	}
	if (strstr(key, "..") || key[0] == '.' || key[klen - 1] == '.')
		return err_make(e, 0, "invalid --sysctl key \"%s\"", key);
	if (strchr(kv + klen + 1, '\n'))
		return err_make(e, 0, "invalid --sysctl value for %s", key);
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		ok |= strcmp(key, ipc_sysctls[i]) == 0;
	ok |= strncmp(key, "fs.mqueue.", 10) == 0 || strcmp(key, "kernel.domainname") == 0;
	if (strncmp(key, "net.", 4) == 0) {
		if (net == NET_HOST || net == NET_CONTAINER)
			return err_make(e, 0, "--sysctl %s: the network namespace is not the container's own",
					key);
		ok = true;
	}
	if (!ok)
		return err_make(e, 0, "--sysctl %s is not namespaced: a container can't set it", key);
	return 0;
}

static bool zone_name_ok(const char *z)
{
	if (!*z || *z == '/' || strstr(z, "..") || strlen(z) > 128)
		return false;
	for (; *z; z++)
		if (!isalnum((unsigned char)*z) && !strchr("/_+-", *z))
			return false;
	return true;
}

/* absolute, no "//", "." or ".." components, no ':' (the separator) */
static bool clean_abs(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n > 4096 || strchr(p, ':') || strchr(p, '\n') || strstr(p, "//"))
		return false;
	if (strstr(p, "/./") || strstr(p, "/../") || (n >= 2 && !strcmp(p + n - 2, "/.")) ||
	    (n >= 3 && !strcmp(p + n - 3, "/..")))
		return false;
	return true;
}

static bool perms_ok(const char *s)
{
	if (!*s || strlen(s) > 3)
		return false;
	for (; *s; s++)
		if (!strchr("rwm", *s))
			return false;
	return true;
}

char *device_normalize(const char *spec, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *f[4] = { NULL, NULL, NULL, NULL };
	size_t n = 0, len = strlen(spec);
	const char *host, *ctr, *perms = "rwm";

	if (spec[0] != '/' && strchr(spec, '=')) {
		err_make(e, 0, "--device %s: CDI device names are not supported yet", spec);
		return NULL;
	}
	for (char *p = copy, *save = NULL, *t; n < 4 && (t = strtok_r(p, ":", &save)); p = NULL)
		f[n++] = t;
	if (n == 0 || n > 3 || (len && spec[len - 1] == ':') || strstr(spec, "::")) {
		err_make(e, 0, "invalid --device \"%s\" (HOST[:CONTAINER][:PERMISSIONS])", spec);
		return NULL;
	}
	host = f[0];
	ctr = f[0];
	if (n == 2) {
		if (perms_ok(f[1]))
			perms = f[1];
		else
			ctr = f[1];
	} else if (n == 3) {
		ctr = f[1];
		perms = f[2];
	}
	if (!clean_abs(host) || !clean_abs(ctr)) {
		err_make(e, 0, "invalid --device \"%s\": paths must be absolute and clean", spec);
		return NULL;
	}
	if (!perms_ok(perms)) {
		err_make(e, 0, "invalid --device \"%s\": permissions are a combination of r, w and m", spec);
		return NULL;
	}
	if (!strchr(perms, 'r') || !strchr(perms, 'w')) {
		/* a read-only bind mount doesn't stop writes to a device node, and
		 * there is no device cgroup without root: refuse what can't hold */
		err_make(e, 0,
			 "--device %s: permissions narrower than rw can't be enforced without root "
			 "(no device cgroup); the node's own mode applies",
			 spec);
		return NULL;
	}
	return xasprintf("%s:%s:%s", host, ctr, perms);
}

int spec_build_extras(const struct spec_opts *a, const struct spec_image *img, struct container_spec *s,
		      struct err *e)
{
	for (size_t i = 0; img->labels && img->labels[i]; i++)
		if (kv_add(&s->labels, "label", img->labels[i], false, e) < 0)
			return -1;
	for (size_t i = 0; a->label_files && a->label_files[i]; i++)
		if (label_file(&s->labels, a->label_files[i], e) < 0)
			return -1;
	for (size_t i = 0; a->labels && a->labels[i]; i++)
		if (kv_add(&s->labels, "label", a->labels[i], false, e) < 0)
			return -1;
	for (size_t i = 0; a->annotations && a->annotations[i]; i++)
		if (kv_add(&s->annotations, "annotation", a->annotations[i], true, e) < 0)
			return -1;
	if (build_hosts(a, s, e) < 0)
		return -1;
	if (a->cidfile) {
		if (a->cidfile[0] != '/')
			return err_make(e, 0, "--cidfile %s: not an absolute path", a->cidfile);
		s->cidfile = xstrdup(a->cidfile);
	}
	if (a->tz) {
		if (strcmp(a->tz, "local") != 0 && !zone_name_ok(a->tz))
			return err_make(e, 0, "finding timezone: unknown time zone %s", a->tz);
		s->tz = xstrdup(a->tz);
	}
	if (a->shm_size) {
		if (parse_size(a->shm_size, &s->shm_size, e) < 0)
			return err_wrap(e, "--shm-size");
		if (s->shm_size == 0)
			return err_make(e, 0, "--shm-size must be greater than 0");
	}
	if (group_add_check(a->group_add, e) < 0)
		return -1;
	s->group_add = strv_dup(a->group_add);
	for (size_t i = 0; a->devices && a->devices[i]; i++) {
		char *d;
		if (a->devices[i][0] != '/' && strchr(a->devices[i], '='))
			continue; /* a CDI name: the caller applies it (lib/cdi/cdi.h) */
		d = device_normalize(a->devices[i], e);
		if (!d)
			return -1;
		strv_push(&s->devices, d);
		free(d);
	}
	for (size_t i = 0; a->sysctls && a->sysctls[i]; i++) {
		if (sysctl_check(a->sysctls[i], s->net, e) < 0)
			return -1;
		strv_push(&s->sysctls, a->sysctls[i]);
	}
	return 0;
}
