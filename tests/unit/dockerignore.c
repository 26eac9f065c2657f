/* dockerignore.c - tests for .dockerignore parsing and matching and the
 * COPY/ADD glob helpers (src/lib/build/ignore.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/build/ignore.h"
#include "lib/base/util.h"
#include "tap.h"

static struct dockerignore *di(const char *text)
{
	struct dockerignore *d = NULL;
	struct err e = ERR_INIT;
	if (!ok(dockerignore_parse(text, strlen(text), &d, &e) == 0, "parse .dockerignore"))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	err_clear(&e);
	return d;
}

static void excl(const struct dockerignore *d, const char *path, bool want)
{
	ok(dockerignore_excluded(d, path) == want, "%s is %s", path, want ? "excluded" : "kept");
}

static void below(const struct dockerignore *d, const char *dir, bool want)
{
	ok(dockerignore_may_include_below(d, dir) == want, "%s: walk below %s", dir,
	   want ? "needed" : "skipped");
}

static void bad(const char *text, const char *want)
{
	char label[32];
	size_t i;
	for (i = 0; text[i] && i < sizeof label - 1; i++)
		label[i] = text[i] == '\n' ? '|' : text[i];
	label[i] = '\0';
	struct dockerignore *d = NULL;
	struct err e = ERR_INIT;
	int rc = dockerignore_parse(text, strlen(text), &d, &e);
	ok(rc < 0 && !d, "rejects %s", label);
	if (!ok(rc < 0 && e.msg && strstr(e.msg, want), "message has \"%s\"", want))
		printf("# got: '%s'\n", e.msg ? e.msg : "(null)");
	err_clear(&e);
	dockerignore_free(d);
}

static void m(const char *pat, const char *path, int want)
{
	struct err e = ERR_INIT;
	int r = path_match(pat, path, &e);
	if (!ok(r == want, "path_match(%s, %s) = %d", pat, path, want))
		printf("# got %d (%s)\n", r, e.msg ? e.msg : "");
	err_clear(&e);
}

static void globs(void)
{
	m("*", "abc", 1);
	m("*", "a/b", 0);
	m("*/b", "a/b", 1);
	m("a/*", "a/b", 1);
	m("a/*", "a/b/c", 0);
	m("*.go", "main.go", 1);
	m("*.go", ".go", 1);
	m("*.go", "dir/main.go", 0);
	m("a*b*c", "aXXbYYc", 1);
	m("a*b*c", "abc", 1);
	m("a*b*c", "aXbXd", 0);
	m("a*", "a", 1);
	m("*c", "abc", 1);
	m("**", "a", 1);
	m("**", "a/b", 0);
	m("?", "a", 1);
	m("?", "", 0);
	m("?", "/", 0);
	m("??", "a", 0);
	m("a?c", "abc", 1);
	m("?", "\xc3\xa9", 1); /* one rune */
	m("??", "\xc3\xa9", 0);
	m("[abc]", "b", 1);
	m("[abc]", "d", 0);
	m("[a-c]x", "bx", 1);
	m("[^a-c]", "d", 1);
	m("[^a-c]", "b", 0);
	m("[!a]", "!", 1); /* "!" is not negation in Go */
	m("[\\]]", "]", 1);
	m("[\\-]", "-", 1);
	m("[x-]", "x", -1);
	m("[]a]", "a", -1);
	m("[-a]", "a", -1);
	m("[a", "a", -1);
	m("[", "a", -1);
	m("a\\", "a", -1);
	m("x[a", "y", -1); /* bad even when the start does not match */
	m("\\*", "*", 1);
	m("\\*", "a", 0);
	m("\\?x", "?x", 1);
	m("a\\b", "ab", 1);
	m("", "", 1);
	m("", "a", 0);
	m("a", "", 0);
	m("\xff", "\xff", 1);
	m("\xff", "\xfe", 0);
	m("[\xc3\xa0-\xc3\xbf]", "\xc3\xa9", 1);

	ok(path_has_glob("*.c"), "has glob *");
	ok(path_has_glob("a?"), "has glob ?");
	ok(path_has_glob("x[ab]"), "has glob [");
	ok(!path_has_glob("plain/path.txt"), "no glob");
	ok(!path_has_glob("a\\*b"), "escaped * is no glob");
	ok(path_has_glob("a\\\\*b"), "escaped backslash then *");
	ok(!path_has_glob("trailing\\"), "trailing backslash");
	ok(!path_has_glob(""), "empty");

	/* pathological patterns stay linear-ish */
	char *pat = xmalloc(4096), *path = xmalloc(4096);
	memset(pat, 0, 4096);
	for (int i = 0; i < 1000; i += 2)
		pat[i] = 'a', pat[i + 1] = '*';
	pat[1000] = 'b';
	memset(path, 'a', 4000);
	path[4000] = '\0';
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	m(pat, path, 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	ok(ms < 2000, "a*a*a*...b against a^4000 takes %.0f ms", ms);
	free(pat);
	free(path);
}

static void ignore(void)
{
	struct dockerignore *d = di("# comment\n"
				    "\n"
				    "   \n"
				    "*.md\n"
				    "!README.md\n"
				    "**/*.o\n"
				    "build/\n"
				    "/abs\n"
				    "./rel\n"
				    "  spaced  \n"
				    "a//b/../c\n"
				    " # not a comment\n");
	if (!d)
		return;
	excl(d, "notes.md", true);
	excl(d, "README.md", false);
	excl(d, "docs/notes.md", false); /* "*" does not cross "/" */
	excl(d, "x.o", true);
	excl(d, "src/x.o", true);
	excl(d, "src/deep/er/x.o", true);
	excl(d, "src/x.c", false);
	excl(d, "build", true);
	excl(d, "build/out/bin", true);
	excl(d, "builds", false);
	excl(d, "abs", true);
	excl(d, "abs/inner", true);
	excl(d, "sub/abs", false);
	excl(d, "rel", true);
	excl(d, "spaced", true);
	excl(d, "a/c", true);
	excl(d, "a/b", false);
	excl(d, "# not a comment", true);
	excl(d, "./notes.md", true);
	excl(d, "/notes.md", true);
	excl(d, "build/", true);
	dockerignore_free(d);

	/* last match wins; exceptions re-include below an excluded dir */
	d = di("dir\n!dir/keep\n!dir/sub/*.txt\ndir/sub/no.txt\n");
	if (d) {
		excl(d, "dir", true);
		excl(d, "dir/other", true);
		excl(d, "dir/keep", false);
		excl(d, "dir/keep/deeper", false);
		excl(d, "dir/sub/a.txt", false);
		excl(d, "dir/sub/a.bin", true);
		excl(d, "dir/sub/no.txt", true);
		excl(d, "other", false);
		below(d, "dir", true);
		below(d, "dir/sub", true);
		below(d, "dir/other", false);
		below(d, "dir/keep", true);
		below(d, "elsewhere", false);
		dockerignore_free(d);
	}
	d = di("*\n!src\n!**/*.go\n");
	if (d) {
		excl(d, "anything", true);
		excl(d, "src", false);
		excl(d, "src/x/y", false);
		excl(d, "vendor/a.go", false);
		excl(d, "vendor/a.c", true);
		below(d, "vendor", true); /* "**" could match anything below */
		dockerignore_free(d);
	}
	d = di("**\n!keep/*/yes\n");
	if (d) {
		excl(d, "a", true);
		excl(d, "keep/x/yes", false);
		excl(d, "keep/x/no", true);
		below(d, "keep", true);
		below(d, "keep/x", true);
		below(d, "keep/x/yes", true);
		below(d, "other", false);
		dockerignore_free(d);
	}
	d = di("node_modules\n**/node_modules\ntemp?\n[Tt]mp\n**/.git\n*/cache/**\n");
	if (d) {
		excl(d, "node_modules/x", true);
		excl(d, "web/node_modules", true);
		excl(d, "web/node_modules/a/b", true);
		excl(d, "temp1", true);
		excl(d, "temp12", false);
		excl(d, "Tmp", true);
		excl(d, "tmp/x", true);
		excl(d, "xtmp", false);
		excl(d, ".git", true);
		excl(d, "a/b/.git/config", true);
		excl(d, "x/cache/y", true);
		excl(d, "x/cache", false);
		excl(d, "x/y/cache/z", false);
		below(d, "node_modules", false); /* no exceptions at all */
		dockerignore_free(d);
	}
	/* ** in the middle */
	d = di("a/**/z\n");
	if (d) {
		excl(d, "a/z", true);
		excl(d, "a/b/z", true);
		excl(d, "a/b/c/z", true);
		excl(d, "a/b/c/z/more", true);
		excl(d, "a/bz", false);
		excl(d, "b/a/z", false);
		dockerignore_free(d);
	}
	/* empty file, BOM, CRLF */
	d = di("");
	if (d) {
		excl(d, "anything", false);
		below(d, "x", false);
		dockerignore_free(d);
	}
	d = di("\xef\xbb\xbf*.log\r\n!keep.log\r\n");
	if (d) {
		excl(d, "a.log", true);
		excl(d, "keep.log", false);
		dockerignore_free(d);
	}
	ok(!dockerignore_excluded(NULL, "x"), "NULL matcher excludes nothing");

	bad("ok\n[abc\n", ".dockerignore:2: bad pattern \"[abc\"");
	bad("x\\", ".dockerignore:1: bad pattern");
	bad("!\n", ".dockerignore:1: illegal exclusion pattern");
	bad("!   \n", "illegal exclusion pattern");
	bad("a[b-]c\n", "bad pattern");

	/* hostile: many patterns, long lines, NUL */
	size_t n = 20000 * 8;
	char *t = xmalloc(n + 1);
	size_t pos = 0;
	for (int i = 0; i < 20000; i++)
		pos += (size_t)sprintf(t + pos, "p%05d\n", i);
	d = di(t);
	if (d) {
		excl(d, "p19999", true);
		excl(d, "p20000", false);
		dockerignore_free(d);
	}
	free(t);
	t = xmalloc(8192);
	memset(t, 'a', 8000);
	t[8000] = '\0';
	bad(t, "pattern longer than");
	free(t);
	struct dockerignore *dn = NULL;
	struct err e = ERR_INIT;
	static const char nul[] = "a\0b\n";
	ok(dockerignore_parse(nul, sizeof nul - 1, &dn, &e) < 0 && e.msg && strstr(e.msg, "NUL"),
	   "NUL byte rejected");
	err_clear(&e);
	d = di("\xff\xfe*\n");
	if (d) {
		excl(d,
		     "\xff\xfe"
		     "abc",
		     true);
		excl(d, "\xfe\xff", false);
		dockerignore_free(d);
	}
}

int main(void)
{
	globs();
	ignore();
	return done_testing();
}
