/* curl_dl.h - libcurl, opened on first use.
 *
 * Linking libcurl costs every burrow command ~3.5 ms at start (it brings 30
 * libraries), though only pull, push and login talk HTTP.  This header is
 * included instead of <curl/curl.h>: the curl_* calls in the store resolve
 * to pointers filled by curl_api_load() from libcurl.so.4 (see lib/dl.h),
 * typed from curl's own prototypes, so calls are still checked.
 */
#ifndef BURROW_CURL_DL_H
#define BURROW_CURL_DL_H

/* curl's gcc type-checking wrappers are macros named like the functions */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "lib/base/error.h"

struct curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_escape) *easy_escape;
	__typeof__(curl_free) *free;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_multi_init) *multi_init;
	__typeof__(curl_multi_add_handle) *multi_add_handle;
	__typeof__(curl_multi_remove_handle) *multi_remove_handle;
	__typeof__(curl_multi_perform) *multi_perform;
	__typeof__(curl_multi_poll) *multi_poll;
	__typeof__(curl_multi_info_read) *multi_info_read;
	__typeof__(curl_multi_cleanup) *multi_cleanup;
};
extern struct curl_api curl_api;

/* Open libcurl and run curl_global_init once; -1 with e naming the package
 * to install if it is missing. */
int curl_api_load(struct err *e);

/* The options every transfer of burrow's takes: url, user agent, up to 10
 * redirects over http(s) only, 30 s to connect, a stall (under 1 byte/s
 * for 60 s) ends it, no signals. */
void curl_setup_common(CURL *h, const char *url);

#ifndef CURL_DL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (curl_api.global_init)
#define curl_easy_init (curl_api.easy_init)
#define curl_easy_setopt (curl_api.easy_setopt)
#define curl_easy_perform (curl_api.easy_perform)
#define curl_easy_getinfo (curl_api.easy_getinfo)
#define curl_easy_cleanup (curl_api.easy_cleanup)
#define curl_easy_strerror (curl_api.easy_strerror)
#define curl_easy_escape (curl_api.easy_escape)
#define curl_free (curl_api.free)
#define curl_slist_append (curl_api.slist_append)
#define curl_slist_free_all (curl_api.slist_free_all)
#define curl_multi_init (curl_api.multi_init)
#define curl_multi_add_handle (curl_api.multi_add_handle)
#define curl_multi_remove_handle (curl_api.multi_remove_handle)
#define curl_multi_perform (curl_api.multi_perform)
#define curl_multi_poll (curl_api.multi_poll)
#define curl_multi_info_read (curl_api.multi_info_read)
#define curl_multi_cleanup (curl_api.multi_cleanup)
#endif

#endif
