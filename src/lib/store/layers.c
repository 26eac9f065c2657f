/* layers.c - see layers.h */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "curl_dl.h"

#include "digest.h"
#include "layers.h"
#include "lib/base/log.h"
#include "lib/base/syscalls.h"
#include "lib/base/util.h"
#include "streamdec.h"
#include "unpack.h"

#define PIPE_SIZE (1 << 20)
#define PUMP_BUF (256 * 1024)

void image_id_of(const char *config, size_t len, char id[65])
{
	sha256_hex(config, len, id);
}

void layers_mark_present(struct store *s, struct layer_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *hex = digest_hex(jobs[i].chain_id);
		struct stat st;
		jobs[i].present = hex && fstatat(s->layersfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0;
	}
}

void layers_discard(struct store *s, const struct idmap *m, struct layer_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].t.lockfd >= 0 && jobs[i].t.name[0])
			scratch_discard(s, m, &jobs[i].t);
		if (jobs[i].fd >= 0)
			close(jobs[i].fd);
		jobs[i].fd = -1;
		free(jobs[i].url);
		jobs[i].url = NULL;
		free(jobs[i].media_type);
		jobs[i].media_type = NULL;
	}
}

/* --- the extractors: one user namespace child, one fork per layer */

struct ex_plan {
	size_t n;
	int *rfd;        /* read ends, -1 for layers not fetched */
	int *wfd;        /* write ends (closed in the child) */
	int *rootfd;     /* scratch/diff */
	bool *no_digest; /* local uncompressed blobs: the caller's hash of the
			  * stream is its diff id, the extractor reports "-" */
	bool *prefixed;  /* the fetcher's first byte says who hashes: 'N' it does
			  * (the diff id of what it decoded), 'H' the extractor */
	int resfd;       /* "i diff_id size ndev tree_digest\n" or "i !message\n" */
	bool no_chown;
	uint64_t max_bytes, max_entries;
};

static void ex_one(struct ex_plan *p, size_t i)
{
	struct unpack_opts uo = { .no_chown = p->no_chown,
				  .no_digest = p->no_digest[i],
				  .max_bytes = p->max_bytes,
				  .max_entries = p->max_entries,
				  .tree_digest = true };
	struct unpack_result r;
	struct err e = ERR_INIT;
	char line[4200];
	int len;

	char tree[72];

	if (p->prefixed[i]) {
		char c = 'H';
		ssize_t k;
		while ((k = read(p->rfd[i], &c, 1)) < 0 && errno == EINTR)
			;
		if (k == 1 && c == 'N')
			uo.no_digest = true;
	}
	if (unpack_fd(p->rfd[i], p->rootfd[i], &uo, &r, &e) < 0 ||
	    unpack_tree_digest(p->rootfd[i], &r, tree, &e) < 0) {
		char *nl;
		while ((nl = strchr(e.msg, '\n')))
			*nl = ' ';
		len = snprintf(line, sizeof line, "%zu !%.4000s\n", i, e.msg);
	} else {
		len = snprintf(line, sizeof line, "%zu %s %" PRIu64 " %lu %s\n", i,
			       r.diff_id[0] ? r.diff_id : "-", r.size, r.skipped_devices, tree);
	}
	err_clear(&e);
	if (write_all(p->resfd, line, (size_t)len) < 0)
		_exit(125);
}

static int ex_main(struct ex_plan *p)
{
	size_t forked = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->wfd[i] >= 0)
			close(p->wfd[i]);
	for (size_t i = 0; i < p->n; i++) {
		pid_t pid;
		if (p->rfd[i] < 0)
			continue;
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (size_t k = 0; k < p->n; k++)
				if (k != i && p->rfd[k] >= 0)
					close(p->rfd[k]);
			ex_one(p, i);
			_exit(0);
		}
		forked++;
		close(p->rfd[i]);
	}
	while (forked > 0) {
		int st;
		if (wait(&st) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		forked--;
	}
	return 0;
}

/* start the extractor parent: in a user namespace when m, else a plain fork */
static pid_t ex_start(const struct idmap *m, struct ex_plan *p, struct err *e)
{
	int sync[2];
	pid_t parent = getpid(), pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return err_make(e, errno, "pipe");
	pid = m ? sys_clone_ns(CLONE_NEWUSER) : fork();
	if (pid < 0) {
		close(sync[0]);
		close(sync[1]);
		return err_make(e, errno, "creating a user namespace (clone)");
	}
	if (pid == 0) {
		struct err ce = ERR_INIT;
		char c;
		close(sync[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || read(sync[0], &c, 1) != 1)
			_exit(125);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_IGN); /* the parent decides, and kills us */
		if (m && userns_become_root(m, &ce) < 0)
			_exit(125);
		_exit(ex_main(p) < 0 ? 125 : 0);
	}
	close(sync[0]);
	if (m && userns_write_maps(pid, m, e) < 0) {
		close(sync[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(sync[1], "1", 1) != 1) {
		close(sync[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err_make(e, errno, "starting the extractors");
	}
	close(sync[1]);
	return pid;
}

/* --- the download side */

struct dl {
	struct layer_job *job;
	size_t index, count;
	int wfd;
	struct sha256 *hash;
	struct streamdec *dec; /* decompresses here, or NULL: the extractor does */
	struct sha256 *diff;   /* of what dec makes: the diff id, checked here */
	bool prefix;           /* the extractor waits for the byte saying who hashes */
	bool diff_ok;          /* diff checked against the config */
	char *dec_err;         /* why decoding stopped: said after the digest check */
	CURL *h;
	struct curl_slist *hdrs;
	uint64_t skip; /* bytes to drop after a retry without Range support */
	int attempts;
	bool active, finished, failed, checked_code, epipe;
	char errbuf[CURL_ERROR_SIZE];
	char *err; /* why the transfer failed */
	volatile sig_atomic_t *cancel;
	uint64_t last_report;
	store_progress_fn cb;
	void *cbctx;
};

static void report(struct dl *d, enum store_progress_event ev)
{
	struct store_progress p = { ev,           d->index,         d->count, d->job->blob_digest,
				    d->job->done, d->job->blob_size };
	if (d->cb)
		d->cb(d->cbctx, &p);
}

/* bytes for the extractor: the blob, or what the decoder made of it */
static int to_pipe(void *ctx, const void *buf, size_t len)
{
	struct dl *d = ctx;
	const char *p = buf;

	if (d->prefix) {
		/* a gzip or zstd stream decoded here is a tar; what passes
		 * through may be compressed still, and only the extractor sees
		 * the tar */
		const char *k = streamdec_kind(d->dec);
		char c = strcmp(k, "gzip") == 0 || strcmp(k, "zstd") == 0 ? 'N' : 'H';
		struct sha256 *h = c == 'N' ? d->diff : NULL;
		if (c == 'H')
			sha256_free(d->diff);
		d->diff = NULL;
		d->prefix = false;
		if (to_pipe(d, &c, 1) < 0)
			return -1;
		d->diff = h;
	}
	if (d->diff)
		sha256_update(d->diff, buf, len);
	while (len > 0) {
		ssize_t w = write(d->wfd, p, len);
		if (w < 0) {
			if (errno == EINTR && !(d->cancel && *d->cancel))
				continue;
			if (errno == EPIPE) {
				d->epipe = true; /* the extractor failed: it says why */
				return -1;
			}
			if (!(d->cancel && *d->cancel)) {
				free(d->err);
				d->err = xasprintf("writing to the extractor: %s", strerror(errno));
			}
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int feed(struct dl *d, const char *p, size_t len)
{
	if (d->skip) {
		size_t k = len < d->skip ? len : (size_t)d->skip;
		d->skip -= k;
		p += k;
		len -= k;
	}
	if (!len)
		return 0;
	if (d->job->blob_size && d->job->done + len > d->job->blob_size) {
		free(d->err);
		d->err = xasprintf("blob %s is larger than the %" PRIu64 " bytes the manifest says",
				   d->job->blob_digest, d->job->blob_size);
		return -1;
	}
	sha256_update(d->hash, p, len);
	d->job->done += len;
	if (d->dec) {
		char *msg = NULL;
		/* corrupt data: fetch the rest, so that a blob which is not the one
		 * the manifest names fails as a digest mismatch (dl_finish) */
		if (!d->dec_err && streamdec_feed(d->dec, p, len, &msg) < 0) {
			if (!msg)
				return -1;
			d->dec_err = msg;
		}
	} else if (to_pipe(d, p, len) < 0) {
		return -1;
	}
	if (now_usec() - d->last_report > 100000) {
		d->last_report = now_usec();
		report(d, PROGRESS_BYTES);
	}
	return 0;
}

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
	struct dl *d = ud;

	if (!d->checked_code) {
		long code = 0;
		d->checked_code = true;
		curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
		if (code == 206)
			d->skip = 0;
		else if (code != 200)
			return sz * n; /* an error body: the code is checked at the end */
	}
	{
		long code = 0;
		curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200 && code != 206)
			return sz * n;
	}
	return feed(d, p, sz * n) < 0 ? 0 : sz * n;
}

static int on_xfer(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t dd)
{
	struct dl *d = ud;
	(void)a, (void)b, (void)c, (void)dd;
	return d->cancel && *d->cancel ? 1 : 0;
}

static int dl_start(struct registry *r, CURLM *multi, struct dl *d)
{
	char range[64];
	const char *hdrs[2] = { NULL, NULL };

	d->h = curl_easy_init();
	if (!d->h)
		return -1;
	if (d->job->done) {
		snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-", d->job->done);
		hdrs[0] = range;
		d->skip = d->job->done;
	}
	d->checked_code = false;
	registry_setup_easy(r, d->h, d->job->url, hdrs, &d->hdrs);
	curl_easy_setopt(d->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(d->h, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(d->h, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(d->h, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(d->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d->h, CURLOPT_PRIVATE, d);
	curl_easy_setopt(d->h, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(d->h, CURLOPT_BUFFERSIZE, 512L * 1024);
	d->errbuf[0] = '\0';
	d->active = true;
	if (d->attempts == 0)
		report(d, PROGRESS_START);
	d->attempts++;
	return curl_multi_add_handle(multi, d->h) == CURLM_OK ? 0 : -1;
}

static void dl_stop(CURLM *multi, struct dl *d)
{
	if (d->h) {
		curl_multi_remove_handle(multi, d->h);
		curl_easy_cleanup(d->h);
		d->h = NULL;
	}
	curl_slist_free_all(d->hdrs);
	d->hdrs = NULL;
	d->active = false;
}

/* The body is complete: check the digest and size, then let the extractor finish. */
static void dl_finish(struct dl *d)
{
	char hex[65];

	sha256_final_hex(d->hash, hex);
	d->hash = NULL;
	d->finished = true;
	if (d->job->blob_size && d->job->done != d->job->blob_size) {
		d->failed = true;
		free(d->err);
		d->err = xasprintf("blob %s is truncated: got %" PRIu64 " of %" PRIu64 " bytes",
				   d->job->blob_digest, d->job->done, d->job->blob_size);
	} else if (d->job->blob_digest[0] && strcmp(digest_hex(d->job->blob_digest), hex) != 0) {
		d->failed = true;
		free(d->err);
		d->err = xasprintf("digest mismatch for blob %s: the content hashes to sha256:%s",
				   d->job->blob_digest, hex);
	}
	if (!d->failed && d->dec) {
		char *msg = NULL;
		if (d->dec_err || streamdec_finish(d->dec, &msg) < 0) {
			if (d->dec_err)
				msg = steal_ptr(d->dec_err);
			d->failed = true;
			if (msg) {
				free(d->err);
				d->err = xasprintf("layer %s: %s", d->job->blob_digest, msg);
				free(msg);
			}
		} else {
			log_debug("layer %s: %s, decompressed while fetching to %" PRIu64 " bytes (%s)",
				  d->job->blob_digest, streamdec_kind(d->dec), streamdec_out_bytes(d->dec),
				  streamdec_library(d->dec));
		}
	}
	if (!d->failed && d->diff && !d->prefix) {
		const char *want = digest_hex(d->job->diff_id);
		sha256_final_hex(d->diff, hex);
		d->diff = NULL;
		d->diff_ok = want && strcmp(want, hex) == 0;
		if (!d->diff_ok) {
			d->failed = true;
			free(d->err);
			d->err = xasprintf("layer %s: the unpacked content has diff id sha256:%s, the "
					   "config says %s",
					   d->job->blob_digest, hex, d->job->diff_id);
		}
	}
	if (!d->failed) {
		close(d->wfd);
		d->wfd = -1;
	}
}

static void dl_done(struct registry *r, CURLM *multi, struct dl *d, CURLcode cc)
{
	long code = 0;

	curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK && (code == 200 || code == 206)) {
		dl_stop(multi, d);
		dl_finish(d);
		return;
	}
	if (d->err || d->epipe || (d->cancel && *d->cancel)) {
		dl_stop(multi, d);
		d->failed = true;
		return;
	}
	if (registry_transient(cc, code) && d->attempts <= 4) {
		log_debug("blob %s: %s (HTTP %ld), retrying from byte %" PRIu64, d->job->blob_digest,
			  d->errbuf[0] ? d->errbuf : curl_easy_strerror(cc), code, d->job->done);
		dl_stop(multi, d);
		usleep(100000u << d->attempts);
		if (dl_start(r, multi, d) < 0)
			d->failed = true;
		return;
	}
	if (cc != CURLE_OK)
		d->err = xasprintf("fetching blob %s: %s", d->job->blob_digest,
				   d->errbuf[0] ? d->errbuf : curl_easy_strerror(cc));
	else
		d->err = xasprintf("fetching blob %s: HTTP %ld", d->job->blob_digest, code);
	dl_stop(multi, d);
	d->failed = true;
}

static int pump_local(struct dl *d, char *buf)
{
	report(d, PROGRESS_START);
	for (;;) {
		ssize_t n = read(d->job->fd, buf, PUMP_BUF);
		if (n < 0 && errno == EINTR && !(d->cancel && *d->cancel))
			continue;
		if (n < 0) {
			d->err = xasprintf("reading blob %s: %s", d->job->blob_digest, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		if (feed(d, buf, (size_t)n) < 0) {
			d->failed = true;
			return -1;
		}
		if (d->cancel && *d->cancel)
			return -1;
	}
	dl_finish(d);
	return d->failed ? -1 : 0;
}

/* The largest blob of the pull is decompressed by this process as it
 * arrives, so that decompressing and writing the files (the extractor) run
 * at once; the other layers' extractors decompress their own, in parallel.
 * This process also hashes what it decodes (the diff id), which leaves the
 * extractor the tar and the files.  BURROW_PULL_DECOMPRESS=extractor leaves
 * all of it to the extractors, BURROW_PULL_DIFF_ID=extractor the diff id;
 * BURROW_INFLATE=zlib inflates gzip with zlib instead of ISA-L. */
static void pick_decoder(struct layer_job *jobs, struct dl *dls, size_t n, bool *prefixed)
{
	const char *env = getenv("BURROW_PULL_DECOMPRESS"), *diff = getenv("BURROW_PULL_DIFF_ID");
	size_t best = n;

	if (env && strcmp(env, "extractor") == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!dls[i].hash)
			continue; /* present, or the same layer twice */
		if (best == n || jobs[i].blob_size > jobs[best].blob_size)
			best = i;
	}
	if (best < n) {
		const char *inf = getenv("BURROW_INFLATE");
		dls[best].dec = streamdec_new(to_pipe, &dls[best]);
		if (inf && strcmp(inf, "zlib") == 0)
			streamdec_set_inflater(dls[best].dec, STREAMDEC_ZLIB);
		if (!(diff && strcmp(diff, "extractor") == 0) && jobs[best].diff_id[0]) {
			dls[best].diff = sha256_new();
			dls[best].prefix = prefixed[best] = true;
		}
	}
}

/* read "i diff size ndev" / "i !msg" lines */
static int collect(int resfd, struct layer_job *jobs, size_t n, const bool *no_digest, char **msgs, bool *got)
{
	_cleanup_fclose_ FILE *f = fdopen(resfd, "r");
	char line[4200];

	if (!f) {
		close(resfd);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *end, diff[80], tree[80];
		size_t i = strtoul(line, &end, 10);
		uint64_t size;
		unsigned long ndev;
		if (i >= n || *end != ' ')
			continue;
		got[i] = true;
		end++;
		if (*end == '!') {
			end[strcspn(end, "\n")] = '\0';
			msgs[i] = xstrdup(end + 1);
		} else if (sscanf(end, "%79s %" SCNu64 " %lu %79s", diff, &size, &ndev, tree) == 4) {
			if (strcmp(diff, "-") == 0 ? !no_digest[i] : strcmp(diff, jobs[i].diff_id) != 0)
				msgs[i] = xasprintf("layer %s: the unpacked content has diff id %s, the "
						    "config says %s",
						    jobs[i].blob_digest, diff, jobs[i].diff_id);
			jobs[i].size = size;
			jobs[i].skipped_devices = ndev;
			snprintf(jobs[i].tree_digest, sizeof jobs[i].tree_digest, "%.71s", tree);
		}
	}
	return 0;
}

int layers_fetch(struct store *s, const struct idmap *m, struct registry *r, struct layer_job *jobs, size_t n,
		 store_progress_fn cb, void *cbctx, volatile sig_atomic_t *cancel, struct err *e)
{
	struct ex_plan p = {
		n, NULL, NULL, NULL, NULL, NULL, -1, m == NULL, s->max_layer_size, s->max_layer_entries
	};
	uint64_t max_bytes = s->max_layer_size ? s->max_layer_size : UNPACK_MAX_BYTES_DEFAULT;
	struct dl *dls = xcalloc(n ? n : 1, sizeof *dls);
	char **msgs = xcalloc(n ? n : 1, sizeof *msgs);
	bool *got = xcalloc(n ? n : 1, sizeof *got);
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	int res[2] = { -1, -1 }, rc = -1, st;
	size_t need = 0;
	pid_t pid = -1;
	CURLM *multi = NULL;

	if (curl_api_load(e) < 0) {
		free(dls);
		free(msgs);
		free(got);
		return -1;
	}
	p.rfd = xmalloc((n ? n : 1) * sizeof *p.rfd);
	p.wfd = xmalloc((n ? n : 1) * sizeof *p.wfd);
	p.rootfd = xmalloc((n ? n : 1) * sizeof *p.rootfd);
	p.no_digest = xcalloc(n ? n : 1, sizeof *p.no_digest);
	p.prefixed = xcalloc(n ? n : 1, sizeof *p.prefixed);
	for (size_t i = 0; i < n; i++)
		p.rfd[i] = p.wfd[i] = p.rootfd[i] = -1;
	sigaction(SIGPIPE, &ign, &oldpipe);

	for (size_t i = 0; i < n; i++) {
		struct layer_job *j = &jobs[i];
		_cleanup_free_ char *diff = NULL;
		int pp[2];
		dls[i].job = j;
		dls[i].index = i;
		dls[i].count = n;
		dls[i].wfd = -1;
		dls[i].cancel = cancel;
		dls[i].cb = cb;
		dls[i].cbctx = cbctx;
		if (j->present) {
			report(&dls[i], PROGRESS_EXISTS);
			continue;
		}
		/* the same layer twice in one image: fetch it once */
		for (size_t k = 0; k < i; k++)
			if (strcmp(jobs[k].chain_id, j->chain_id) == 0)
				j->present = true;
		if (j->present)
			continue;
		/* a registry blob must say its size (0 would lift the cap on the
		 * bytes taken), and no layer compresses to more than it unpacks to */
		if (j->url && j->blob_size == 0) {
			err_make(e, 0, "layer %s: the manifest gives it size 0", j->blob_digest);
			goto out;
		}
		if (j->blob_size > max_bytes) {
			err_make(e, EFBIG,
				 "layer %s: its size %" PRIu64 " is more than the %" PRIu64
				 " bytes a layer may take (max-layer-size in burrow.conf)",
				 j->blob_digest, j->blob_size, max_bytes);
			goto out;
		}
		need++;
		if (scratch_create(s, &j->t, true, e) < 0)
			goto out;
		diff = xasprintf("%s/diff", j->t.name);
		if (mkdirat(s->layersfd, diff, 0755) < 0 || fchmodat(s->layersfd, diff, 0755, 0) < 0 ||
		    (p.rootfd[i] = openat(s->layersfd, diff, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			err_make(e, errno, "creating %s/layers/%s", s->root, diff);
			goto out;
		}
		if (pipe2(pp, 0) < 0) {
			err_make(e, errno, "pipe");
			goto out;
		}
		fcntl(pp[1], F_SETFD, FD_CLOEXEC);
		fcntl(pp[1], F_SETPIPE_SZ, PIPE_SIZE);
		p.rfd[i] = pp[0];
		p.wfd[i] = dls[i].wfd = pp[1];
		dls[i].hash = sha256_new();
		/* a local tar whose digest is its diff id (commit, build, an
		 * uncompressed load): the hash of what is fed (dl_finish) is the
		 * check, the extractor does not hash it a second time */
		p.no_digest[i] = !j->url && j->fd >= 0 && j->blob_digest[0] &&
				 strcmp(j->blob_digest, j->diff_id) == 0;
	}
	if (need == 0) {
		rc = 0;
		goto out;
	}
	pick_decoder(jobs, dls, n, p.prefixed);
	if (pipe2(res, O_CLOEXEC) < 0) {
		err_make(e, errno, "pipe");
		goto out;
	}
	p.resfd = res[1];
	/* the extractor must not inherit the read ends as close-on-exec only:
	 * it never execs, so the fds are shared as they are */
	pid = ex_start(m, &p, e);
	close(res[1]);
	res[1] = -1;
	for (size_t i = 0; i < n; i++) {
		if (p.rfd[i] >= 0)
			close(p.rfd[i]);
		p.rfd[i] = -1;
		if (p.rootfd[i] >= 0)
			close(p.rootfd[i]);
		p.rootfd[i] = -1;
	}
	if (pid < 0)
		goto out;

	/* local blobs: one after the other (the disk is the limit) */
	{
		_cleanup_free_ char *buf = NULL;
		for (size_t i = 0; i < n; i++) {
			if (jobs[i].present || jobs[i].fd < 0)
				continue;
			if (!buf)
				buf = xmalloc(PUMP_BUF);
			if (pump_local(&dls[i], buf) < 0)
				goto stop;
		}
	}
	/* registry blobs: curl multi, FETCH_PARALLEL at a time */
	multi = curl_multi_init();
	for (;;) {
		size_t active = 0, pending = 0;
		int running = 0;
		CURLMsg *msg;
		int left;

		if (cancel && *cancel)
			goto stop;
		for (size_t i = 0; i < n; i++) {
			struct dl *d = &dls[i];
			if (jobs[i].present || !jobs[i].url || d->finished || d->failed)
				continue;
			if (d->active)
				active++;
			else
				pending++;
		}
		for (size_t i = 0; i < n && active < FETCH_PARALLEL && pending > 0; i++) {
			struct dl *d = &dls[i];
			if (jobs[i].present || !jobs[i].url || d->active || d->finished || d->failed)
				continue;
			if (dl_start(r, multi, d) < 0) {
				d->failed = true;
				d->err = xstrdup("cannot start a transfer");
				goto stop;
			}
			active++;
			pending--;
		}
		if (active == 0)
			break;
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct dl *d = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
			dl_done(r, multi, d, msg->data.result);
			if (d->failed)
				goto stop;
			if (d->finished)
				report(d, PROGRESS_DONE);
		}
		if (running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	/* every body is in and verified: wait for the extractors */
	log_debug("all %zu blobs received and verified", need);
	for (size_t i = 0; i < n; i++) {
		if (dls[i].wfd >= 0) {
			close(dls[i].wfd);
			dls[i].wfd = -1;
		}
		p.no_digest[i] = p.no_digest[i] || dls[i].diff_ok;
	}
	collect(res[0], jobs, n, p.no_digest, msgs, got);
	res[0] = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	log_debug("the extractors are done");
	if (cancel && *cancel) {
		err_make(e, EINTR, "interrupted");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].present)
			continue;
		if (msgs[i]) {
			err_make(e, 0, "%s", msgs[i]);
			err_wrap(e, "layer %s", jobs[i].blob_digest);
			goto out;
		}
		if (!got[i]) {
			err_make(e, 0, "layer %s: the extractor died", jobs[i].blob_digest);
			goto out;
		}
		if (jobs[i].skipped_devices)
			log_warn("skipped %lu device node%s: they cannot be created without privileges",
				 jobs[i].skipped_devices, jobs[i].skipped_devices == 1 ? "" : "s");
		if (jobs[i].fd >= 0 || !jobs[i].url)
			report(&dls[i], PROGRESS_DONE);
	}
	rc = 0;
	goto out;
stop:
	/* a failed or interrupted transfer.  An extractor that failed first
	 * (we saw EPIPE) wrote why before it exited: read that after the kill. */
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		pid = -1;
		for (size_t i = 0; i < n; i++)
			if (dls[i].wfd >= 0) {
				close(dls[i].wfd);
				dls[i].wfd = -1;
			}
		collect(res[0], jobs, n, p.no_digest, msgs, got);
		res[0] = -1;
	}
	{
		const char *why = NULL;
		size_t at = 0;
		for (size_t i = 0; i < n && !why; i++)
			if (dls[i].err)
				why = dls[i].err, at = i;
		for (size_t i = 0; i < n && !why; i++)
			if (dls[i].epipe && msgs[i])
				why = msgs[i], at = i;
		for (size_t i = 0; i < n && !why; i++)
			if (msgs[i])
				why = msgs[i], at = i;
		if (cancel && *cancel)
			err_make(e, EINTR, "interrupted");
		else if (why && why == dls[at].err)
			err_make(e, 0, "%s", why);
		else if (why)
			err_make(e, 0, "layer %s: %s", jobs[at].blob_digest, why);
		else
			err_make(e, 0, "fetching the layers failed");
	}
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	for (size_t i = 0; i < n; i++) {
		if (dls[i].h)
			dl_stop(multi, &dls[i]);
		if (dls[i].wfd >= 0)
			close(dls[i].wfd);
		if (p.rfd[i] >= 0)
			close(p.rfd[i]);
		if (p.rootfd[i] >= 0)
			close(p.rootfd[i]);
		sha256_free(dls[i].hash);
		sha256_free(dls[i].diff);
		streamdec_free(dls[i].dec);
		free(dls[i].dec_err);
		free(dls[i].err);
		free(msgs[i]);
	}
	if (multi)
		curl_multi_cleanup(multi);
	if (res[0] >= 0)
		close(res[0]);
	if (res[1] >= 0)
		close(res[1]);
	sigaction(SIGPIPE, &oldpipe, NULL);
	free(p.rfd);
	free(p.wfd);
	free(p.rootfd);
	free(p.no_digest);
	free(p.prefixed);
	free(dls);
	free(msgs);
	free(got);
	return rc;
}
