/* mhd_dl.c - see mhd_dl.h */
#define BURROW_MHD_DL_IMPL 1
#include "mhd_dl.h"
#include "lib/base/dl.h"

struct mhd_api mhd_api;

static const char *const mhd_names[] = { "libmicrohttpd.so.12", "libmicrohttpd.so", NULL };
static struct dl_lib mhd_lib = { mhd_names, "libmicrohttpd12", NULL };

int mhd_load(struct err *e)
{
	struct mhd_api a;

	if (mhd_api.start_daemon)
		return 0;
	if (!DL_SYM(&mhd_lib, a.start_daemon, "MHD_start_daemon", e) ||
	    !DL_SYM(&mhd_lib, a.stop_daemon, "MHD_stop_daemon", e) ||
	    !DL_SYM(&mhd_lib, a.quiesce_daemon, "MHD_quiesce_daemon", e) ||
	    !DL_SYM(&mhd_lib, a.create_response_from_buffer, "MHD_create_response_from_buffer", e) ||
	    !DL_SYM(&mhd_lib, a.create_response_from_pipe, "MHD_create_response_from_pipe", e) ||
	    !DL_SYM(&mhd_lib, a.create_response_for_upgrade, "MHD_create_response_for_upgrade", e) ||
	    !DL_SYM(&mhd_lib, a.add_response_header, "MHD_add_response_header", e) ||
	    !DL_SYM(&mhd_lib, a.queue_response, "MHD_queue_response", e) ||
	    !DL_SYM(&mhd_lib, a.destroy_response, "MHD_destroy_response", e) ||
	    !DL_SYM(&mhd_lib, a.lookup_connection_value, "MHD_lookup_connection_value", e) ||
	    !DL_SYM(&mhd_lib, a.upgrade_action, "MHD_upgrade_action", e) ||
	    !DL_SYM(&mhd_lib, a.get_connection_info, "MHD_get_connection_info", e) ||
	    !DL_SYM(&mhd_lib, a.get_connection_values, "MHD_get_connection_values", e))
		return -1;
	mhd_api = a;
	return 0;
}
