/* when.h - the times users give on the command line. */
#ifndef BURROW_CLI_WHEN_H
#define BURROW_CLI_WHEN_H

#include <stdint.h>

/* An RFC 3339 time (a fraction and a Z or +HH:MM zone may follow), a date
 * ("2026-12-07", "2026-12-07 10:00:00"), Unix seconds (a fraction too), or
 * a Go duration ("10m", "1h30m") meaning that long before now, as
 * nanoseconds since the epoch.  -1 when it is none of these. */
int cli_parse_time(const char *s, int64_t *ns);

#endif
