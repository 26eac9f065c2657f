/* remote.c - a build context named by a URL (the API's remote=): an
 * http(s) download into an unlinked file, bounded in size, which is then
 * either a tar (plain or compressed: unpacked as a "-" context is, safely
 * into a private directory) or, served as text/plain, the Dockerfile
 * alone.  Git repositories are not fetched. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "copy.h"
#include "lib/base/util.h"
#include "lib/store/curl_dl.h"

struct sink {
	int fd, err;
	uint64_t got, max;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;

	if (s->got + size * n > s->max) {
		s->err = EFBIG;
		return 0;
	}
	if (write_all(s->fd, p, size * n) < 0) {
		s->err = errno;
		return 0;
	}
	s->got += size * n;
	return size * n;
}

bool build_remote_is_git(const char *url)
{
	size_t l = strcspn(url, "#?");

	if (strncmp(url, "git@", 4) == 0 || strncmp(url, "git://", 6) == 0 ||
	    strncmp(url, "ssh://", 6) == 0 || strncmp(url, "github.com/", 11) == 0)
		return true;
	/* docker's rule for URLs: a path ending in .git, a fragment after it */
	return l >= 4 && strncmp(url + l - 4, ".git", 4) == 0;
}

int build_remote_fetch(const char *url, const char *dir, uint64_t max, int *fdp, bool *text, struct err *e)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { -1, 0, 0, max };
	char *ctype = NULL;
	CURLcode rc;
	CURL *h;

	*text = false;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return err_make(e, EINVAL, "remote %s: not an http(s) URL", url);
	if (curl_api_load(e) < 0)
		return err_wrap(e, "remote %s", url);
	s.fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s.fd < 0)
		return err_make(e, errno, "remote %s: creating a temporary file in %s", url, dir);
	h = build_http_handle(url, errbuf);
	if (!h) {
		close(s.fd);
		return err_make(e, ENOMEM, "remote %s", url);
	}
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK && curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype)
		*text = strncasecmp(ctype, "text/plain", 10) == 0;
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		close(s.fd);
		if (s.err == EFBIG || rc == CURLE_FILESIZE_EXCEEDED)
			return err_make(e, 0, "remote %s: larger than %llu bytes (max-layer-size)", url,
					(unsigned long long)max);
		if (s.err)
			return err_make(e, s.err, "remote %s: writing the download", url);
		return err_make(e, 0, "remote %s: %s", url, *errbuf ? errbuf : curl_easy_strerror(rc));
	}
	if (lseek(s.fd, 0, SEEK_SET) < 0) {
		int saved = errno;
		close(s.fd);
		return err_make(e, saved, "remote %s", url);
	}
	*fdp = s.fd;
	return 0;
}
