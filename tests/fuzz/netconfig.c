/* netconfig.c - fuzz the JSON document burrow-net reads from --config-fd
 * (helpers/net/main.c read_config): strict JSON, then the network options,
 * the published ports and the CIDR, with the library functions it calls. */
#include <json-c/json.h>

#include "fuzz.h"
#include "lib/base/json.h"
#include "lib/record/netspec.h"
#include "lib/record/portspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	json_object *j = NULL, *v;
	struct net_opts o;
	struct port_spec *ports = NULL;
	size_t nports = 0;
	uint32_t net;
	unsigned bits;

	if (json_parse_strict((const char *)data, size, "--config-fd", &j, &e) < 0) {
		err_clear(&e);
		return 0;
	}
	net_opts_init(&o);
	if (json_object_is_type(j, json_type_object)) {
		if (json_object_object_get_ex(j, "network_options", &v) && net_opts_from_json(v, &o, &e) < 0)
			err_clear(&e);
		if (json_object_object_get_ex(j, "ports", &v) &&
		    port_specs_from_json(v, &ports, &nports, &e) < 0)
			err_clear(&e);
		for (size_t i = 0; i < nports; i++)
			FUZZ_ASSERT(ports[i].count >= 1 &&
				    (unsigned)ports[i].container_port + ports[i].count - 1 <= 65535);
		if (net_cidr_parse(o.cidr, &net, &bits, &e) == 0)
			FUZZ_ASSERT(bits >= 8 && bits <= 25);
		FUZZ_ASSERT(o.mtu >= NET_MTU_MIN && o.mtu <= NET_MTU_MAX);
		/* and the record's copy round-trips */
		json_object *back = net_opts_to_json(&o);
		struct net_opts o2;

		net_opts_init(&o2);
		FUZZ_ASSERT(net_opts_from_json(back, &o2, &e) == 0);
		FUZZ_ASSERT(o2.mtu == o.mtu && strcmp(o2.cidr, o.cidr) == 0 && o2.handler == o.handler);
		json_object_put(back);
	}
	err_clear(&e);
	free(ports);
	json_object_put(j);
	return 0;
}
