/* copyurl.c - ADD of an http(s) URL: the file is downloaded (once per
 * process, so the digest and the tar see the same bytes) into an unlinked
 * temporary file.  Like docker, it is not extracted, gets mode 0600 and
 * the Last-Modified time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy_int.h"
#include "lib/store/curl_dl.h"
#include "lib/base/util.h"

struct fetched {
	char *url;
	int fd;
	struct stat st;
};

static struct fetched *cache;
static size_t ncache;

struct sink {
	int fd;
	int err;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;

	if (write_all(s->fd, p, size * n) < 0) {
		s->err = errno;
		return 0;
	}
	return size * n;
}

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/var/tmp";
}

static bool is_git(const char *url)
{
	size_t l = strcspn(url, "#?");

	if (strncmp(url, "git@", 4) == 0 || strncmp(url, "git://", 6) == 0 || strncmp(url, "ssh://", 6) == 0)
		return true;
	return l >= 4 && strncmp(url + l - 4, ".git", 4) == 0;
}

bool copy_is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 || is_git(s);
}

char *copy_url_name(const char *url)
{
	const char *p = strstr(url, "://");
	size_t l;
	const char *slash;

	p = p ? p + 3 : url;
	p += strcspn(p, "/"); /* skip the host */
	l = strcspn(p, "?#");
	while (l > 0 && p[l - 1] == '/')
		l--;
	if (l == 0)
		return xstrdup("");
	slash = memrchr(p, '/', l);
	if (!slash)
		return xasprintf("%.*s", (int)l, p);
	return xasprintf("%.*s", (int)(l - (size_t)(slash + 1 - p)), slash + 1);
}

int copy_url_fetch(const char *url, int *fdp, struct stat *stp, struct err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { -1, 0 };
	struct stat st;
	long code = 0, ftime = -1;
	CURLcode rc;
	CURL *h;

	if (is_git(url))
		return err_make(e, 0, "ADD of a git repository is not supported; use RUN git clone (%s)",
				url);
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].url, url) == 0) {
			*fdp = cache[i].fd;
			*stp = cache[i].st;
			return 0;
		}
	if (curl_api_load(e) < 0)
		return err_wrap(e, "ADD %s", url);
	s.fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s.fd < 0)
		return err_make(e, errno, "ADD %s: creating a temporary file in %s", url, tmp_dir());
	h = build_http_handle(url, errbuf);
	if (!h) {
		close(s.fd);
		return err_make(e, ENOMEM, "ADD %s", url);
	}
	curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h, CURLINFO_FILETIME, &ftime);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		close(s.fd);
		if (s.err)
			return err_make(e, s.err, "ADD %s: writing the download", url);
		return err_make(e, 0, "ADD %s: %s", url, *errbuf ? errbuf : curl_easy_strerror(rc));
	}
	if (fstat(s.fd, &st) < 0) {
		int saved = errno;
		close(s.fd);
		return err_make(e, saved, "ADD %s", url);
	}
	st.st_mode = S_IFREG | 0600;
	st.st_nlink = 1;
	st.st_uid = 0;
	st.st_gid = 0;
	st.st_mtim.tv_sec = ftime > 0 ? ftime : 0;
	st.st_mtim.tv_nsec = 0;
	cache = xrealloc(cache, (ncache + 1) * sizeof *cache);
	cache[ncache].url = xstrdup(url);
	cache[ncache].fd = s.fd;
	cache[ncache++].st = st;
	*fdp = s.fd;
	*stp = st;
	return 0;
}

void *build_http_handle(const char *url, char *errbuf)
{
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	curl_setup_common(h, url);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	return h;
}
