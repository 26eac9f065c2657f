/* apibackend.h - the CLI's container verbs as the API's backend
 * (lib/api/api.h), for `burrow system service`. */
#ifndef BURROW_CLI_APIBACKEND_H
#define BURROW_CLI_APIBACKEND_H

#include "cli.h"
#include "lib/api/api.h"

/* b uses g (its configuration) for as long as it serves */
void api_backend_init(struct api_backend *b, struct globals *g);

#endif
