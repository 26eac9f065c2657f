/* dl.c - see dl.h */
#include <dlfcn.h>
#include <stddef.h>

#include "dl.h"

void *dl_sym(struct dl_lib *l, const char *sym, struct err *e)
{
	void *p;

	if (!l->handle) {
		for (size_t i = 0; l->sonames[i] && !l->handle; i++)
			l->handle = dlopen(l->sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!l->handle) {
			err_make(e, 0, "cannot load %s: %s (fix: install the %s package)", l->sonames[0],
				 dlerror(), l->package);
			return NULL;
		}
	}
	p = dlsym(l->handle, sym);
	if (!p)
		err_make(e, 0, "%s has no symbol %s: %s", l->sonames[0], sym, dlerror());
	return p;
}
