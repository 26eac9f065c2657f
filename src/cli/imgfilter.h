/* imgfilter.h - images --filter, as podman's: label=KEY[=VALUE],
 * dangling=true|false, reference=PATTERN (a glob over the image's names),
 * before=IMAGE and since=IMAGE (created before or after it).  The same key
 * given twice matches either value, except label, where every filter must
 * match; different keys must all match. */
#ifndef BURROW_CLI_IMGFILTER_H
#define BURROW_CLI_IMGFILTER_H

#include <stdbool.h>

#include "lib/base/error.h"
#include "lib/store/store.h"

/* Check the filters' syntax and resolve before/since (0, or -1 with e). */
int img_filters_check(struct store *st, char **filters, struct err *e);
bool img_filters_match(struct store *st, const struct image *img, char **filters);

#endif
