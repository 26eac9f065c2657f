/* spankmounts.c - the SPANK plugin's --container-mounts syntax
 * (helpers/spank/spank_mounts.c, linked in by the Makefile: the plugin is
 * not part of libburrow.a). */
#include <stdio.h>
#include <string.h>

#include "spank_mounts.h"
#include "tap.h"

static void good(const char *spec)
{
	char why[256] = "";
	ok(spank_mounts_check(spec, why, sizeof why) == 0, "\"%s\" is valid%s%s", spec, *why ? ": " : "",
	   why);
}

static void bad(const char *spec, const char *want)
{
	char why[256] = "";
	int r = spank_mounts_check(spec, why, sizeof why);
	ok(r < 0 && strstr(why, want) && !strchr(why, '\n'), "\"%s\" is refused: %s", spec ? spec : "(null)",
	   why);
}

int main(void)
{
	char big[5000];

	good("/a:/b");
	good("/a:/b:ro");
	good("/a:/b:rw,/c:/d:ro");
	good("/scratch:/scratch");
	bad("", "empty");
	bad(NULL, "empty");
	bad("a:/b", "absolute");
	bad("/a:b", "absolute");
	bad("/a", "not SRC:DST");
	bad("/a:/b:ro:x", "not SRC:DST");
	bad("/a:/b:rx", "unknown option \"rx\"");
	bad("/a:/b,", "empty entry");
	bad("/a:/b,,/c:/d", "empty entry");
	bad("/a::/b", "not SRC:DST");
	bad("/a:/b:", "not SRC:DST");
	memset(big, 'a', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	bad(big, "longer than");
	return done_testing();
}
