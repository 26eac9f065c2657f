/* mountspec.c - --mount type=bind|volume|tmpfs,KEY=VALUE,... (see spec.h).
 *
 * The keys are checked here, then the mount is written in the -v or --tmpfs
 * syntax and parsed by parse_volume() or parse_tmpfs(), so both flags end
 * in the same checks and the same spec. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec.h"
#include "lib/base/util.h"

/* "true", "1", or no value: true; "false", "0": false; else -1 */
static int bool_value(const char *v)
{
	if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

static void add_opt(char **opts, const char *o)
{
	char *n = xasprintf("%s%s%s", *opts ? *opts : "", *opts ? "," : "", o);
	free(*opts);
	*opts = n;
}

int parse_mount(const char *s, struct volume_spec *v, struct tmpfs_spec *t, struct err *e)
{
	_cleanup_free_ char *buf = xstrdup(s), *src = NULL, *dst = NULL, *opts = NULL, *spec = NULL;
	const char *type = NULL;
	bool bind_only = false, volume_only = false, tmpfs_only = false;
	char *p = buf, *kv;
	int kind, rc;

	memset(v, 0, sizeof *v);
	memset(t, 0, sizeof *t);
	while ((kv = strsep(&p, ","))) {
		char *val = strchr(kv, '=');
		int b;
		if (*kv == '\0')
			return err_make(e, 0, "invalid mount \"%s\": empty option", s);
		if (val)
			*val++ = '\0';
		if (strcmp(kv, "type") == 0) {
			type = val ? val : "";
		} else if (strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0) {
			if (!val || !*val)
				return err_make(e, 0, "invalid mount \"%s\": %s needs a value", s, kv);
			free(src);
			src = xstrdup(val);
		} else if (strcmp(kv, "target") == 0 || strcmp(kv, "destination") == 0 ||
			   strcmp(kv, "dst") == 0) {
			if (!val || !*val)
				return err_make(e, 0, "invalid mount \"%s\": %s needs a value", s, kv);
			free(dst);
			dst = xstrdup(val);
		} else if (strcmp(kv, "readonly") == 0 || strcmp(kv, "ro") == 0) {
			if ((b = bool_value(val)) < 0)
				return err_make(e, 0, "invalid mount \"%s\": %s takes true or false", s, kv);
			add_opt(&opts, b ? "ro" : "rw");
		} else if (strcmp(kv, "bind-propagation") == 0) {
			if (!val || !volume_propagation(val))
				return err_make(e, 0,
						"invalid mount \"%s\": bind-propagation takes shared, slave, "
						"private, rshared, rslave or rprivate",
						s);
			add_opt(&opts, val);
			bind_only = true;
		} else if (strcmp(kv, "bind-nonrecursive") == 0) {
			if (bool_value(val) < 0)
				return err_make(e, 0, "invalid mount \"%s\": %s takes true or false", s, kv);
			bind_only = true;
		} else if (strcmp(kv, "volume-nocopy") == 0) {
			if ((b = bool_value(val)) < 0)
				return err_make(e, 0, "invalid mount \"%s\": %s takes true or false", s, kv);
			add_opt(&opts, b ? "nocopy" : "copy");
			volume_only = true;
		} else if (strcmp(kv, "tmpfs-size") == 0 || strcmp(kv, "tmpfs-mode") == 0) {
			_cleanup_free_ char *o = NULL;
			if (!val || !*val)
				return err_make(e, 0, "invalid mount \"%s\": %s needs a value", s, kv);
			o = xasprintf("%s=%s", kv[6] == 's' ? "size" : "mode", val);
			add_opt(&opts, o);
			tmpfs_only = true;
		} else if (strcmp(kv, "U") == 0 || strcmp(kv, "chown") == 0) {
			if ((b = bool_value(val)) < 0)
				return err_make(e, 0, "invalid mount \"%s\": %s takes true or false", s, kv);
			if (b)
				add_opt(&opts, "U");
		} else if (strcmp(kv, "consistency") == 0 || strcmp(kv, "relabel") == 0 ||
			   strcmp(kv, "z") == 0 || strcmp(kv, "Z") == 0) {
			/* accepted, as docker and podman do; no SELinux here */
		} else {
			return err_make(e, 0,
					"invalid mount \"%s\": unknown key \"%s\" (type, source, target, "
					"readonly, bind-propagation, tmpfs-size, tmpfs-mode, volume-nocopy)",
					s, kv);
		}
	}
	if (!type)
		return err_make(e, 0, "invalid mount \"%s\": type is required (bind, volume or tmpfs)", s);
	if (strcmp(type, "bind") == 0)
		kind = MOUNT_BIND;
	else if (strcmp(type, "volume") == 0)
		kind = MOUNT_VOLUME;
	else if (strcmp(type, "tmpfs") == 0)
		kind = MOUNT_TMPFS;
	else
		return err_make(e, 0, "invalid mount \"%s\": unknown type \"%s\" (bind, volume or tmpfs)", s,
				type);
	if (!dst)
		return err_make(e, 0, "invalid mount \"%s\": target is required", s);
	if ((bind_only && kind != MOUNT_BIND) || (volume_only && kind != MOUNT_VOLUME) ||
	    (tmpfs_only && kind != MOUNT_TMPFS))
		return err_make(e, 0, "invalid mount \"%s\": %s options do not apply to type=%s", s,
				bind_only     ? "bind-*"
				: volume_only ? "volume-*"
					      : "tmpfs-*",
				type);
	if (strchr(dst, ':') || (src && strchr(src, ':')))
		return err_make(e, 0, "invalid mount \"%s\": paths with \":\" are not supported", s);
	switch (kind) {
	case MOUNT_TMPFS:
		if (src)
			return err_make(e, 0, "invalid mount \"%s\": type=tmpfs takes no source", s);
		spec = xasprintf("%s%s%s", dst, opts ? ":" : "", opts ? opts : "");
		rc = parse_tmpfs(spec, t, e);
		break;
	case MOUNT_BIND:
		if (!src)
			return err_make(e, 0, "invalid mount \"%s\": type=bind needs a source", s);
		if (src[0] != '/' && src[0] != '.')
			return err_make(e, 0,
					"invalid mount \"%s\": the source of a bind mount must be a path", s);
		/* fall through */
	default:
		if (kind == MOUNT_VOLUME && src && (src[0] == '/' || src[0] == '.'))
			return err_make(e, 0,
					"invalid mount \"%s\": the source of type=volume is a volume name",
					s);
		if (src)
			spec = xasprintf("%s:%s%s%s", src, dst, opts ? ":" : "", opts ? opts : "");
		else
			spec = xasprintf("%s%s%s", dst, opts ? ":" : "", opts ? opts : "");
		rc = parse_volume(spec, v, e);
		break;
	}
	if (rc < 0)
		return err_wrap(e, "--mount %s", s);
	return kind;
}
