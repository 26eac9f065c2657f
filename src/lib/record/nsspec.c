/* nsspec.c - see nsspec.h */
#include <string.h>

#include "lib/base/util.h"
#include "nsspec.h"

const char *ns_kind_name(enum ns_kind k)
{
	return k == NSK_PID ? "pid" : k == NSK_IPC ? "ipc" : "uts";
}

int ns_mode_parse(enum ns_kind k, const char *v, struct ns_mode *m, struct err *e)
{
	ns_mode_free(m);
	if (!*v) {
		m->share = NS_DEFAULT;
	} else if (strcmp(v, "private") == 0) {
		m->share = NS_PRIVATE;
	} else if (strcmp(v, "host") == 0) {
		m->share = NS_HOST;
	} else if (k == NSK_IPC && strcmp(v, "shareable") == 0) {
		m->share = NS_SHAREABLE;
	} else if (k == NSK_IPC && strcmp(v, "none") == 0) {
		m->share = NS_NONE;
	} else if (strncmp(v, "container:", 10) == 0) {
		if (!v[10])
			return err_make(e, 0, "--%s container: needs a container name or ID",
					ns_kind_name(k));
		m->share = NS_CONTAINER;
		m->container = xstrdup(v + 10);
	} else {
		return err_make(e, 0, "unrecognized namespace mode %s passed", v);
	}
	return 0;
}

char *ns_mode_string(enum ns_kind k, const struct ns_mode *m)
{
	switch (m->share) {
	case NS_HOST:
		return xstrdup("host");
	case NS_CONTAINER:
		return xasprintf("container:%s", m->container ? m->container : "");
	case NS_NONE:
		return xstrdup("none");
	case NS_SHAREABLE:
		return xstrdup("shareable");
	case NS_PRIVATE:
		return xstrdup("private");
	case NS_DEFAULT:
	default:
		return xstrdup(k == NSK_IPC ? "shareable" : "private");
	}
}

void ns_mode_free(struct ns_mode *m)
{
	free(m->container);
	m->container = NULL;
	m->share = NS_DEFAULT;
}
