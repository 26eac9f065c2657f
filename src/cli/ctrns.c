/* ctrns.c - see ctrns.h */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "ctrns.h"
#include "lib/base/util.h"
#include "lib/record/spec.h"
#include "relay.h"

int ctr_check_ns_args(const struct ns_args *a, struct err *e)
{
	struct detach_keys keys;

	/* first: the fds are the caller's only before burrow opens any */
	for (int fd = 3; fd < 3 + a->preserve_fds; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return err_make(e, 0,
					"file descriptor %d is not available - the preserve-fds option "
					"requires that file descriptors must be passed",
					fd);
	for (int k = NSK_PID; k <= NSK_UTS; k++) {
		struct ns_mode m = { NS_DEFAULT, NULL };
		int rc = ns_mode_parse((enum ns_kind)k, a->mode[k] ? a->mode[k] : "", &m, e);

		ns_mode_free(&m);
		if (rc < 0)
			return -1;
	}
	return detach_keys_parse(a->detach_keys, &keys, e);
}

int ctr_ns_option(const struct optparser *p, int id, struct ns_args *a, struct err *e)
{
	switch (id) {
	case O_NS_PID:
	case O_NS_IPC:
	case O_NS_UTS:
		/* checked by ctr_check_ns_args, as podman's are not usage errors */
		a->mode[id - O_NS_PID] = p->value;
		return 0;
	case O_NS_PRIVILEGED:
		a->privileged = opt_flag_value(p);
		return 0;
	case O_NS_PRESERVE_FDS: {
		char *end;
		long n;

		errno = 0;
		n = strtol(p->value, &end, 10);
		if (errno || end == p->value || *end || n < 0 || n > 65536)
			return err_make(e, 0, "invalid argument \"%s\" for \"--preserve-fds\" flag",
					p->value);
		a->preserve_fds = (int)n;
		return 0;
	}
	case O_NS_DETACH_KEYS:
		a->detach_keys = p->value;
		return 0;
	default:
		return err_make(e, 0, "internal error: option %d", id);
	}
}

/* the last capability burrow knows (CAP_CHECKPOINT_RESTORE), as podman's
 * --privileged gives 0 to 40 */
#define CAP_LAST 40

static char *host_name(void)
{
	char h[256];

	if (gethostname(h, sizeof h) < 0)
		return NULL;
	h[sizeof h - 1] = '\0';
	return xstrdup(h);
}

static char *target_hostname(const char *root, const char *id)
{
	json_object *j = NULL, *v;
	struct err e = ERR_INIT;
	char *h = NULL;

	if (container_read_config(root, id, &j, &e) < 0) {
		err_clear(&e);
		return NULL;
	}
	if (json_object_object_get_ex(j, "hostname", &v) && json_object_is_type(v, json_type_string))
		h = xstrdup(json_object_get_string(v));
	json_object_put(j);
	return h;
}

int ctr_build_namespaces(const char *root, const struct ns_args *a, char *const *cap_drop,
			 bool hostname_given, struct container_spec *s, struct err *e)
{
	struct ns_mode *m[] = { &s->pid_ns, &s->ipc_ns, &s->uts_ns };

	for (int k = NSK_PID; k <= NSK_UTS; k++) {
		char id[65];

		if (ns_mode_parse((enum ns_kind)k, a->mode[k] ? a->mode[k] : "", m[k], e) < 0)
			return -1;
		if (m[k]->share != NS_CONTAINER)
			continue;
		/* the name or ID becomes the full ID: the record keeps that */
		if (container_lookup(root, m[k]->container, id, e) < 0)
			return err_wrap(e, "looking up container to share %s namespace with",
					ns_kind_name((enum ns_kind)k));
		free(m[k]->container);
		m[k]->container = xstrdup(id);
	}
	if (hostname_given && !ns_mode_is_new(&s->uts_ns))
		return err_make(e, 0,
				"invalid config provided: cannot set hostname when running in the host "
				"UTS namespace: invalid configuration");
	if (s->uts_ns.share == NS_HOST || s->uts_ns.share == NS_CONTAINER) {
		/* HOSTNAME and /etc/hostname: the host's, or the target's */
		char *h = s->uts_ns.share == NS_HOST ? host_name()
						     : target_hostname(root, s->uts_ns.container);
		if (h) {
			free(s->hostname);
			s->hostname = h;
		}
	}
	for (size_t i = 0; s->sysctls && s->sysctls[i]; i++) {
		const char *k = s->sysctls[i];
		bool ipc = strncmp(k, "kernel.msg", 10) == 0 || strncmp(k, "kernel.sem", 10) == 0 ||
			   strncmp(k, "kernel.shm", 10) == 0 || strncmp(k, "fs.mqueue.", 10) == 0;
		bool uts = strncmp(k, "kernel.domainname=", 18) == 0 ||
			   strncmp(k, "kernel.hostname=", 16) == 0;
		/* those keys would be set in someone else's namespace */
		if ((ipc && (s->ipc_ns.share == NS_HOST || s->ipc_ns.share == NS_CONTAINER)) ||
		    (uts && !ns_mode_is_new(&s->uts_ns)))
			return err_make(e, 0, "sysctl '%.*s' is not allowed", (int)strcspn(k, "="), k);
	}
	s->privileged = a->privileged;
	if (a->privileged) {
		/* every capability but those dropped by name; no syscall filter
		 * unless a profile was asked for */
		for (int c = 0; c <= CAP_LAST; c++)
			s->caps |= 1ULL << c;
		for (size_t i = 0; cap_drop && cap_drop[i]; i++) {
			int c = parse_cap(cap_drop[i], e);
			if (c == CAP_ALL)
				s->caps = 0;
			else if (c >= 0)
				s->caps &= ~(1ULL << c);
			else
				return -1;
		}
		if (!s->seccomp)
			s->seccomp = xstrdup("unconfined");
	}
	s->preserve_fds = a->preserve_fds;
	s->detach_keys = a->detach_keys;
	return 0;
}
