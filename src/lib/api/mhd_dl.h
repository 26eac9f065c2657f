/* mhd_dl.h - libmicrohttpd, opened when the service starts.
 *
 * Debian's libmicrohttpd brings GnuTLS and eight more libraries along;
 * linking it would cost every burrow command their loading, though only
 * `system service` serves HTTP.  The API's files include this header
 * instead of <microhttpd.h>: the MHD_* calls resolve to pointers that
 * mhd_load() fills (lib/base/dl.h), typed from the library's own
 * prototypes, so every call is still checked. */
#ifndef BURROW_MHD_DL_H
#define BURROW_MHD_DL_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

#include "lib/base/error.h"

struct mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_quiesce_daemon) *quiesce_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_create_response_from_pipe) *create_response_from_pipe;
	__typeof__(MHD_create_response_for_upgrade) *create_response_for_upgrade;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_upgrade_action) *upgrade_action;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_get_connection_values) *get_connection_values;
};
extern struct mhd_api mhd_api;

/* Open libmicrohttpd (once); -1 with e naming the package to install. */
int mhd_load(struct err *e);

#ifndef BURROW_MHD_DL_IMPL
#define MHD_start_daemon mhd_api.start_daemon
#define MHD_stop_daemon mhd_api.stop_daemon
#define MHD_quiesce_daemon mhd_api.quiesce_daemon
#define MHD_create_response_from_buffer mhd_api.create_response_from_buffer
#define MHD_create_response_from_pipe mhd_api.create_response_from_pipe
#define MHD_create_response_for_upgrade mhd_api.create_response_for_upgrade
#define MHD_add_response_header mhd_api.add_response_header
#define MHD_queue_response mhd_api.queue_response
#define MHD_destroy_response mhd_api.destroy_response
#define MHD_lookup_connection_value mhd_api.lookup_connection_value
#define MHD_upgrade_action mhd_api.upgrade_action
#define MHD_get_connection_info mhd_api.get_connection_info
#define MHD_get_connection_values mhd_api.get_connection_values
#endif

#endif
