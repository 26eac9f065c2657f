/* ignore.h - .dockerignore and the path patterns of COPY/ADD.
 *
 * Patterns follow docker (moby/patternmatcher): each line is cleaned like
 * a path (leading "/" and "./" dropped, "a//b" -> "a/b", trailing "/"
 * dropped), "#" lines and blank lines are skipped, "!" makes an exception,
 * and the last matching pattern wins.  Matching is Go's filepath.Match per
 * path component ("*", "?", "[a-z]", "[^a]", "\\" escapes) plus "**",
 * which matches any number of directories (zero included).  A pattern that
 * matches a directory excludes everything below it, unless a later "!"
 * pattern brings part of it back, which is why a walker must still
 * descend into an excluded directory when dockerignore_may_include_below()
 * says so.  Paths given to the matcher are relative to the context root,
 * '/'-separated, without a leading "/" or "./".
 */
#ifndef BURROW_BUILD_IGNORE_H
#define BURROW_BUILD_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/error.h"

struct dockerignore;

/* Parse the text of a .dockerignore (len bytes).  A malformed pattern
 * ("[" without "]") fails with ".dockerignore:LINE: bad pattern ...". */
int dockerignore_parse(const char *text, size_t len, struct dockerignore **out, struct err *e);
void dockerignore_free(struct dockerignore *d);

/* true if relpath (a file or a directory) is excluded from the context. */
bool dockerignore_excluded(const struct dockerignore *d, const char *relpath);

/* true if some exception ("!") pattern could match a path below the
 * directory reldir, so an excluded directory must still be walked. */
bool dockerignore_may_include_below(const struct dockerignore *d, const char *reldir);

/* Go filepath.Match over whole '/'-separated paths ("*" never crosses
 * "/"), as COPY/ADD source globs use it.  -1 with e for a bad pattern. */
int path_match(const char *pattern, const char *path, struct err *e);

/* true if s contains glob metacharacters (* ? [) not escaped. */
bool path_has_glob(const char *s);

#endif
