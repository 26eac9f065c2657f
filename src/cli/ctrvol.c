/* ctrvol.c - the volumes of run and create: --volumes-from, volume names
 * resolved to their directories in the store (made on first use), and the
 * anonymous volumes that rm -v removes.  The runtime sees only resolved
 * bind mounts (plus the copy_up flag). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrutil.h"
#include "ctrvol.h"
#include "lib/base/util.h"
#include "lib/store/volume.h"

int ctr_volumes_from(struct globals *g, char *const *refs, struct container_spec *s, struct err *e)
{
	for (size_t r = 0; refs && refs[r]; r++) {
		_cleanup_free_ char *ref = xstrdup(refs[r]);
		char *colon = strchr(ref, ':');
		int ro = -1; /* -1: as the other container has it */
		struct ctr c;

		if (colon) {
			*colon++ = '\0';
			if (strcmp(colon, "ro") == 0)
				ro = 1;
			else if (strcmp(colon, "rw") == 0)
				ro = 0;
			else
				return err_make(e, 0, "--volumes-from %s: the option must be ro or rw",
						refs[r]);
		}
		if (ctr_load(g, ref, &c, e) < 0)
			return err_wrap(e, "looking up container \"%s\" for volumes-from", ref);
		for (size_t i = 0; i < c.spec.nvolumes; i++) {
			const struct volume_spec *v = &c.spec.volumes[i];
			struct volume_spec *dst = NULL;
			for (size_t k = 0; k < s->nvolumes && !dst; k++)
				if (strcmp(s->volumes[k].dst, v->dst) == 0)
					dst = &s->volumes[k];
			/* an explicit mount wins; an image VOLUME gives way */
			if (dst && !(dst->anonymous && !dst->src))
				continue;
			if (dst) {
				volume_spec_free(dst);
			} else {
				s->volumes = xrealloc(s->volumes, (s->nvolumes + 2) * sizeof *s->volumes);
				dst = &s->volumes[s->nvolumes++];
				memset(&s->volumes[s->nvolumes], 0, sizeof *s->volumes);
			}
			volume_spec_copy(dst, v);
			/* the other container owns its anonymous volumes */
			dst->anonymous = false;
			dst->copy_up = false;
			dst->chown = false;
			if (ro >= 0)
				dst->readonly = ro;
		}
		ctr_free(&c);
	}
	return 0;
}

bool ctr_has_volumes(const struct container_spec *s)
{
	for (size_t i = 0; i < s->nvolumes; i++)
		if (s->volumes[i].is_volume && !s->volumes[i].src)
			return true;
	return false;
}

int ctr_resolve_volumes(const char *root, struct container_spec *s, char ***created, struct err *e)
{
	for (size_t i = 0; i < s->nvolumes; i++) {
		struct volume_spec *v = &s->volumes[i];
		struct volume vol;
		bool made = false;

		if (!v->is_volume || v->src)
			continue;
		if (volume_create(root, v->anonymous ? NULL : v->name, NULL, v->anonymous, true, &vol, &made,
				  e) < 0)
			return err_wrap(e, "volume %s", v->name ? v->name : v->dst);
		if (made)
			strv_push(created, vol.name);
		if (!v->name)
			v->name = xstrdup(vol.name);
		v->src = xstrdup(vol.mountpoint);
		/* docker's rule: the image's content at the path goes into an
		 * empty volume (the init checks again before it copies) */
		v->copy_up = !v->nocopy && volume_is_empty(&vol);
		volume_free(&vol);
	}
	return 0;
}

void ctr_volumes_rollback(const char *root, const struct idmap *m, char *const *created)
{
	for (size_t i = 0; created && created[i]; i++) {
		struct err e = ERR_INIT;
		if (volume_remove(root, m, created[i], &e) < 0)
			err_clear(&e);
	}
}

int ctr_remove_anon_volumes(struct globals *g, const struct container_spec *s, struct err *e)
{
	struct idmap m;
	int lfd = -1, rc = 0;
	bool any = false;

	for (size_t i = 0; i < s->nvolumes; i++)
		any |= s->volumes[i].anonymous && s->volumes[i].name;
	if (!any)
		return 0;
	memset(&m, 0, sizeof m);
	if (userns_lookup_cached(&m, g->cfg.idmap, g->cfg.runroot, e) < 0)
		return -1;
	lfd = volume_lock(g->cfg.root, e);
	if (lfd < 0) {
		idmap_free(&m);
		return -1;
	}
	for (size_t i = 0; i < s->nvolumes && rc == 0; i++) {
		const struct volume_spec *v = &s->volumes[i];
		_cleanup_strv_ char **users = NULL;
		if (!v->anonymous || !v->name)
			continue;
		/* still mounted elsewhere (--volumes-from): it stays */
		if (volume_users(g->cfg.root, v->name, &users, e) < 0) {
			rc = -1;
			break;
		}
		if (users[0])
			continue;
		if (volume_remove(g->cfg.root, &m, v->name, e) < 0) {
			if (e->errnum != ENOENT)
				rc = -1;
			else
				err_clear(e);
		}
	}
	close(lfd);
	idmap_free(&m);
	return rc;
}
