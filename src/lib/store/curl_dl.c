/* curl_dl.c - see curl_dl.h */
#define CURL_DL_IMPL 1
#include "curl_dl.h"
#include "lib/base/dl.h"
#include "version.h"

struct curl_api curl_api;

static const char *const curl_names[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL };
static struct dl_lib curl_lib = { curl_names, "libcurl4", NULL };

int curl_api_load(struct err *e)
{
	struct curl_api a;

	if (curl_api.multi_cleanup)
		return 0;
	if (!DL_SYM(&curl_lib, a.global_init, "curl_global_init", e) ||
	    !DL_SYM(&curl_lib, a.easy_init, "curl_easy_init", e) ||
	    !DL_SYM(&curl_lib, a.easy_setopt, "curl_easy_setopt", e) ||
	    !DL_SYM(&curl_lib, a.easy_perform, "curl_easy_perform", e) ||
	    !DL_SYM(&curl_lib, a.easy_getinfo, "curl_easy_getinfo", e) ||
	    !DL_SYM(&curl_lib, a.easy_cleanup, "curl_easy_cleanup", e) ||
	    !DL_SYM(&curl_lib, a.easy_strerror, "curl_easy_strerror", e) ||
	    !DL_SYM(&curl_lib, a.easy_escape, "curl_easy_escape", e) ||
	    !DL_SYM(&curl_lib, a.free, "curl_free", e) ||
	    !DL_SYM(&curl_lib, a.slist_append, "curl_slist_append", e) ||
	    !DL_SYM(&curl_lib, a.slist_free_all, "curl_slist_free_all", e) ||
	    !DL_SYM(&curl_lib, a.multi_init, "curl_multi_init", e) ||
	    !DL_SYM(&curl_lib, a.multi_add_handle, "curl_multi_add_handle", e) ||
	    !DL_SYM(&curl_lib, a.multi_remove_handle, "curl_multi_remove_handle", e) ||
	    !DL_SYM(&curl_lib, a.multi_perform, "curl_multi_perform", e) ||
	    !DL_SYM(&curl_lib, a.multi_poll, "curl_multi_poll", e) ||
	    !DL_SYM(&curl_lib, a.multi_info_read, "curl_multi_info_read", e) ||
	    !DL_SYM(&curl_lib, a.multi_cleanup, "curl_multi_cleanup", e))
		return -1;
	if (a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_make(e, 0, "curl_global_init failed");
	curl_api = a;
	return 0;
}

void curl_setup_common(CURL *h, const char *url)
{
	curl_api.easy_setopt(h, CURLOPT_URL, url);
	curl_api.easy_setopt(h, CURLOPT_USERAGENT, "burrow/" BURROW_VERSION);
	curl_api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_api.easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_api.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_api.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_api.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
}
