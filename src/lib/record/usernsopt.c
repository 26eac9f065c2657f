/* usernsopt.c - see usernsopt.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "usernsopt.h"
#include "lib/base/util.h"

#define ID_LIMIT 0xffffffffUL /* IDs are 32 bits; (uid_t)-1 is never an ID */

static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= ID_LIMIT)
		return -1;
	*out = v;
	return 0;
}

int userns_parse_map(const char *s, struct idrange *r, struct err *e)
{
	_cleanup_free_ char *t = xstrdup(s);
	char *f[3], *p = t;
	int n = 0;

	for (char *c; n < 3 && (c = strsep(&p, ":"));)
		f[n++] = c;
	if (n != 3 || p || parse_ulong(f[0], &r->inner) < 0 || parse_ulong(f[1], &r->outer) < 0 ||
	    parse_ulong(f[2], &r->count) < 0 || r->count == 0 || r->count > ID_LIMIT - r->inner ||
	    r->count > ID_LIMIT - r->outer)
		return err_make(e, 0, "setting is malformed expected [\"uint32:uint32:uint32\"]: [\"%s\"]",
				s);
	return 0;
}

static int parse_maps(char *const *v, const char *kind, struct idrange *r, size_t *n, struct err *e)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (*n == IDMAP_MAX)
			return err_make(e, 0, "initializing ID mappings: more than %d %s ranges", IDMAP_MAX,
					kind);
		if (userns_parse_map(v[i], &r[*n], e) < 0) {
			err_clear(e);
			return err_make(e, 0,
					"initializing ID mappings: %s setting is malformed expected "
					"[\"uint32:uint32:uint32\"]: [\"%s\"]",
					kind, v[i]);
		}
		/* no container ID twice, no intermediate ID twice */
		for (size_t k = 0; k < *n; k++) {
			const struct idrange *a = &r[k], *b = &r[*n];
			if ((a->inner < b->inner + b->count && b->inner < a->inner + a->count) ||
			    (a->outer < b->outer + b->count && b->outer < a->outer + a->count))
				return err_make(e, 0, "initializing ID mappings: %s ranges %s and %s overlap",
						kind, v[k], v[i]);
		}
		(*n)++;
	}
	return 0;
}

static int parse_keepid(const char *opts, struct userns_opts *o, struct err *e)
{
	_cleanup_free_ char *t = xstrdup(opts);
	char *p = t;

	for (char *kv; (kv = strsep(&p, ","));) {
		char *val = strchr(kv, '=');
		unsigned long *dst;
		if (val)
			*val++ = '\0';
		if (strcmp(kv, "uid") == 0) {
			dst = &o->uid;
			o->has_uid = true;
		} else if (strcmp(kv, "gid") == 0) {
			dst = &o->gid;
			o->has_gid = true;
		} else {
			return err_make(e, 0, "unknown option specified: \"%s\"", kv);
		}
		if (!val || parse_ulong(val, dst) < 0)
			return err_make(e, 0, "invalid keep-id option %s=%s: not an ID", kv, val ? val : "");
	}
	return 0;
}

int userns_opts_parse(const char *userns, char *const *uidmaps, char *const *gidmaps, struct userns_opts *o,
		      struct err *e)
{
	bool maps = (uidmaps && uidmaps[0]) || (gidmaps && gidmaps[0]);

	memset(o, 0, sizeof *o);
	if (userns && maps)
		return err_make(
			e, 0,
			"--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
	if (maps) {
		o->mode = USERNS_MAPS;
		if (parse_maps(uidmaps, "UID", o->uids, &o->nuids, e) < 0 ||
		    parse_maps(gidmaps, "GID", o->gids, &o->ngids, e) < 0)
			return -1;
		/* only one kind given: the other takes the same map (podman) */
		if (!o->nuids) {
			memcpy(o->uids, o->gids, sizeof o->uids);
			o->nuids = o->ngids;
		} else if (!o->ngids) {
			memcpy(o->gids, o->uids, sizeof o->gids);
			o->ngids = o->nuids;
		}
		return 0;
	}
	if (!userns || !*userns || strcmp(userns, "host") == 0)
		o->mode = USERNS_HOST;
	else if (strcmp(userns, "nomap") == 0)
		o->mode = USERNS_NOMAP;
	else if (strcmp(userns, "keep-id") == 0)
		o->mode = USERNS_KEEPID;
	else if (strncmp(userns, "keep-id:", 8) == 0) {
		o->mode = USERNS_KEEPID;
		return parse_keepid(userns + 8, o, e);
	} else
		return err_make(e, 0, "unrecognized namespace mode %s passed", userns);
	return 0;
}

/* keep-id: want -> 0, 0..want-1 -> 1..want, want+1.. -> want+1.. */
static size_t keepid_map(struct idrange *r, unsigned long want, unsigned long avail)
{
	size_t n = 0;
	unsigned long below = want < avail - 1 ? want : avail - 1;

	if (below)
		r[n++] = (struct idrange){ 0, 1, below };
	r[n++] = (struct idrange){ want, 0, 1 };
	if (want + 1 < avail)
		r[n++] = (struct idrange){ want + 1, want + 1, avail - want - 1 };
	return n;
}

static int check_maps(const struct idrange *r, size_t n, unsigned long avail, const char *kind, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].outer >= avail || r[i].count > avail - r[i].outer)
			return err_make(
				e, 0,
				"--%smap %lu:%lu:%lu: intermediate %ss %lu-%lu are not available "
				"(0-%lu: 0 is the user, 1-%lu the subordinate range; see /etc/sub%sid)",
				kind, r[i].inner, r[i].outer, r[i].count, kind, r[i].outer,
				r[i].outer + r[i].count - 1, avail - 1, avail - 1, kind);
	return 0;
}

int userns_opts_resolve(struct userns_opts *o, unsigned long nuid, unsigned long ngid, unsigned long uid,
			unsigned long gid, struct err *e)
{
	switch (o->mode) {
	case USERNS_HOST:
		o->nuids = o->ngids = 0;
		return 0;
	case USERNS_KEEPID:
		if (!o->has_uid)
			o->uid = uid;
		if (!o->has_gid)
			o->gid = gid;
		o->nuids = keepid_map(o->uids, o->uid, nuid);
		o->ngids = keepid_map(o->gids, o->gid, ngid);
		return 0;
	case USERNS_NOMAP:
		if (nuid < 2 || ngid < 2)
			return err_make(e, 0,
					"--userns=nomap needs a subordinate ID range (see /etc/subuid and "
					"/etc/subgid): without one only the user's own ID exists");
		o->uids[0] = (struct idrange){ 0, 1, nuid - 1 };
		o->gids[0] = (struct idrange){ 0, 1, ngid - 1 };
		o->nuids = o->ngids = 1;
		return 0;
	case USERNS_MAPS:
		if (check_maps(o->uids, o->nuids, nuid, "uid", e) < 0 ||
		    check_maps(o->gids, o->ngids, ngid, "gid", e) < 0)
			return -1;
		return 0;
	default:
		return err_make(e, EINVAL, "unknown user namespace mode");
	}
}

unsigned long idrange_map(const struct idrange *r, size_t n, unsigned long id, bool back)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long from = back ? r[i].outer : r[i].inner, to = back ? r[i].inner : r[i].outer;
		if (id >= from && id - from < r[i].count)
			return to + (id - from);
	}
	return (unsigned long)-1;
}

static json_object *ranges_json(const struct idrange *r, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_new_array();
		json_object_array_add(x, json_object_new_int64((int64_t)r[i].inner));
		json_object_array_add(x, json_object_new_int64((int64_t)r[i].outer));
		json_object_array_add(x, json_object_new_int64((int64_t)r[i].count));
		json_object_array_add(a, x);
	}
	return a;
}

static int ranges_from(json_object *a, struct idrange *r, size_t *n, struct err *e)
{
	size_t len;

	*n = 0;
	if (!a)
		return 0;
	if (!json_object_is_type(a, json_type_array) || (len = json_object_array_length(a)) > IDMAP_MAX)
		return err_make(e, EINVAL, "userns: bad ID map");
	for (size_t i = 0; i < len; i++) {
		json_object *x = json_object_array_get_idx(a, i);
		int64_t v[3];
		if (!json_object_is_type(x, json_type_array) || json_object_array_length(x) != 3)
			return err_make(e, EINVAL, "userns: bad ID range");
		for (size_t k = 0; k < 3; k++) {
			v[k] = json_object_get_int64(json_object_array_get_idx(x, k));
			if (v[k] < 0 || v[k] >= (int64_t)ID_LIMIT)
				return err_make(e, EINVAL, "userns: bad ID range");
		}
		r[i] = (struct idrange){ (unsigned long)v[0], (unsigned long)v[1], (unsigned long)v[2] };
	}
	*n = len;
	return 0;
}

json_object *userns_opts_to_json(const struct userns_opts *o)
{
	static const char *const names[] = { "host", "keep-id", "nomap", "maps" };
	json_object *j = json_object_new_object();

	json_object_object_add(j, "mode", json_object_new_string(names[o->mode]));
	if (o->mode == USERNS_KEEPID) {
		json_object_object_add(j, "uid", json_object_new_int64((int64_t)o->uid));
		json_object_object_add(j, "gid", json_object_new_int64((int64_t)o->gid));
		json_object_object_add(j, "has_uid", json_object_new_boolean(o->has_uid));
		json_object_object_add(j, "has_gid", json_object_new_boolean(o->has_gid));
	}
	json_object_object_add(j, "uidmap", ranges_json(o->uids, o->nuids));
	json_object_object_add(j, "gidmap", ranges_json(o->gids, o->ngids));
	return j;
}

int userns_opts_from_json(json_object *j, struct userns_opts *o, struct err *e)
{
	static const char *const names[] = { "host", "keep-id", "nomap", "maps" };
	json_object *x;
	const char *mode;

	memset(o, 0, sizeof *o);
	if (!j)
		return 0;
	mode = json_object_object_get_ex(j, "mode", &x) ? json_object_get_string(x) : "host";
	for (size_t i = 0; i <= USERNS_MAPS; i++)
		if (mode && strcmp(mode, names[i]) == 0)
			o->mode = (enum userns_mode)i;
	if (json_object_object_get_ex(j, "uid", &x))
		o->uid = (unsigned long)json_object_get_int64(x);
	if (json_object_object_get_ex(j, "gid", &x))
		o->gid = (unsigned long)json_object_get_int64(x);
	if (json_object_object_get_ex(j, "has_uid", &x))
		o->has_uid = json_object_get_boolean(x);
	if (json_object_object_get_ex(j, "has_gid", &x))
		o->has_gid = json_object_get_boolean(x);
	if (ranges_from(json_object_object_get_ex(j, "uidmap", &x) ? x : NULL, o->uids, &o->nuids, e) < 0 ||
	    ranges_from(json_object_object_get_ex(j, "gidmap", &x) ? x : NULL, o->gids, &o->ngids, e) < 0)
		return -1;
	return 0;
}
