/* specs.c - fuzz the parsers of run's flag values: -p, -v, --tmpfs,
 * --network (and its slirp options), -e, --cap-add, --stop-signal, -u
 * against passwd/group text, --mount, --device and --sysctl
 * (lib/record/spec.h, portspec.h, netspec.h, specbuild.h).
 * The first byte picks the parser. */
#include "fuzz.h"
#include "lib/base/util.h"
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"
#include "lib/record/spec.h"
#include "lib/record/specbuild.h"

static void port(const char *s)
{
	struct err e = ERR_INIT;
	struct port_spec p, p2;

	if (port_spec_parse(s, &p, &e) == 0) {
		char *back = port_spec_format(&p);

		/* the formatted spec parses back to the same ports */
		FUZZ_ASSERT(port_spec_parse(back, &p2, &e) == 0);
		FUZZ_ASSERT(p.host_port == p2.host_port && p.container_port == p2.container_port &&
			    p.count == p2.count && p.udp == p2.udp && strcmp(p.host_ip, p2.host_ip) == 0);
		FUZZ_ASSERT((unsigned)p.container_port + p.count - 1 <= 65535);
		free(back);
	}
	err_clear(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	char *s;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0];
	s = fuzz_str(data + 1, size - 1);
	switch (sel % 12) {
	case 0:
		port(s);
		break;
	case 1: {
		struct volume_spec v = { 0 };

		if (parse_volume(s, &v, &e) == 0) {
			/* no source: an anonymous volume (-v /path) */
			FUZZ_ASSERT(v.dst && v.dst[0] == '/');
			volume_spec_free(&v);
		}
		break;
	}
	case 2: {
		struct tmpfs_spec t = { 0 };

		if (parse_tmpfs(s, &t, &e) == 0) {
			FUZZ_ASSERT(t.dst && t.dst[0] == '/');
			tmpfs_spec_free(&t);
		}
		break;
	}
	case 3: {
		enum net_mode m;
		char *opts = NULL;
		struct net_opts o;

		if (parse_network(s, &m, &opts, &e) == 0 && m == NET_SLIRP && opts) {
			net_opts_init(&o);
			if (net_opts_parse(opts, &o, &e) < 0)
				err_clear(&e);
		}
		free(opts);
		break;
	}
	case 4: {
		struct net_opts o;
		uint32_t net;
		unsigned bits;

		net_opts_init(&o);
		if (net_opts_parse(s, &o, &e) < 0)
			err_clear(&e);
		if (net_cidr_parse(s, &net, &bits, &e) == 0)
			FUZZ_ASSERT(bits >= 8 && bits <= 25);
		break;
	}
	case 5: {
		char **env = xcalloc(1, sizeof(char *));

		if (env_add(&env, s, &e) == 0 && strchr(s, '=')) {
			char *k = xstrdup(s);

			*strchr(k, '=') = '\0';
			if (*k)
				FUZZ_ASSERT(env_get(env, k) != NULL);
			free(k);
		}
		strv_free(env);
		break;
	}
	case 6:
		(void)parse_cap(s, &e);
		break;
	case 7:
		(void)parse_signal(s, &e);
		break;
	case 9: {
		struct volume_spec v = { 0 };
		struct tmpfs_spec t = { 0 };

		if (parse_mount(s, &v, &t, &e) > 0) {
			FUZZ_ASSERT((v.dst && v.dst[0] == '/') || (t.dst && t.dst[0] == '/'));
			volume_spec_free(&v);
			tmpfs_spec_free(&t);
		}
		break;
	}
	case 10: {
		char *d = device_normalize(s, &e);

		if (d) {
			/* HOST:CTR:PERMS, and normalizing it again changes nothing */
			char *again = device_normalize(d, &e);
			FUZZ_ASSERT(again && strcmp(again, d) == 0);
			FUZZ_ASSERT(strchr(d, '\n') == NULL);
			free(again);
			free(d);
		}
		break;
	}
	case 11:
		if (sysctl_check(s, (enum net_mode)(data[0] % 4), &e) == 0) {
			/* the key (before '=') is a /proc/sys path that can't climb */
			char *k = xstrdup(s), *eq = strchr(k, '=');
			FUZZ_ASSERT(eq != NULL);
			*eq = '\0';
			FUZZ_ASSERT(!strstr(k, "..") && k[0] != '/' && k[0] != '.');
			free(k);
		}
		break;
	default: {
		/* -u SPEC with the rest of the input as /etc/passwd and /etc/group */
		char *nul1 = memchr(data + 1, '\n', size - 1);
		size_t n1 = nul1 ? (size_t)(nul1 - (char *)(data + 1)) : size - 1;
		char *spec = fuzz_str(data + 1, n1);
		const char *rest = nul1 ? s + n1 + 1 : "";
		const char *split = strstr(rest, "\n--\n");
		char *pw = split ? fuzz_str((const uint8_t *)rest, (size_t)(split - rest)) : xstrdup(rest);
		struct user_spec u = { 0 };

		if (resolve_user_text(pw, split ? split + 4 : NULL, spec, &u, &e) == 0)
			user_spec_free(&u);
		err_clear(&e);
		free(pw);
		free(spec);
		break;
	}
	}
	err_clear(&e);
	free(s);
	return 0;
}
