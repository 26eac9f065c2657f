/* system-service.c - burrow system service [--time SECONDS] [URI]: serve the
 * Docker Engine API (lib/api/api.h) on a unix socket, so that docker's CLI,
 * docker-py and the CI tools built on the API drive burrow unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cli/apibackend.h"
#include "lib/api/api.h"
#include "lib/base/util.h"
#include "lib/store/registry.h"
#include "version.h"

enum { O_TIME = 1, O_HELP };
static const struct opt service_opts[] = {
	{ "help", 'h', OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "time", 't', OPT_VALUE, O_TIME, "SECONDS",
	  "Exit after SECONDS without requests (0: never; default 5)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* systemd socket activation: LISTEN_PID is us and LISTEN_FDS is 1 */
static int activation_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() || strcmp(fds, "1") != 0)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 3;
}

int cmd_system_service(struct globals *g, int argc, char **argv, struct err *e)
{
	struct optparser p;
	struct api_opts o;
	struct api_backend b;
	_cleanup_free_ char *uri = NULL;
	unsigned long idle = 5;
	int id;

	opt_init(&p, service_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_TIME: {
			char *end;
			errno = 0;
			idle = strtoul(p.value, &end, 10);
			if (errno || *end || end == p.value || p.value[0] == '-' || idle > 100000000UL)
				return err_usage(e, "invalid --time \"%s\" (seconds, 0: never exit)",
						 p.value);
			break;
		}
		case O_HELP:
			opt_print_help(stdout, "system service", "[OPTIONS] [URI]",
				       "Serve the Docker Engine API (1.41) on a unix socket "
				       "(unix:///PATH, or tcp://127.0.0.1:PORT when asked).",
				       service_opts);
			return 0;
		case -1:
		default:
			return err_mark_usage(e);
		}
	}
	if (argc - p.idx > 1)
		return err_usage(e, "\"burrow system service\" takes at most one URI");
	if (config_ensure_dirs(&g->cfg, e) < 0)
		return -1;
	uri = p.idx < argc ? xstrdup(argv[p.idx]) : api_default_uri(g->cfg.runroot);
	memset(&o, 0, sizeof o);
	o.uri = uri;
	o.listen_fd = activation_fd();
	o.idle_time = (unsigned)idle;
	o.version = BURROW_VERSION;
	/* as dockerd: registries on loopback addresses over plain HTTP too */
	registry_set_insecure(g->cfg.insecure_registries, true);
	api_backend_init(&b, g);
	return api_serve(&o, &b, e) < 0 ? -1 : 0;
}
