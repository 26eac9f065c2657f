/* manifest.c - fuzz manifests, indexes and image configs
 * (lib/store/manifest.h).  The first byte picks the Content-Type the
 * "registry" sent and whether the body is read as a config blob. */
#include "fuzz.h"
#include "lib/store/manifest.h"

static const char *const ctypes[] = { NULL,           MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST,
				      MT_DOCKER_LIST, "text/plain" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct manifest m;
	struct image_cfg_info c;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++, size--;
	memset(&m, 0, sizeof(m));
	if (manifest_parse((const char *)data, size, ctypes[sel % 6], &m, &e) == 0) {
		if (m.kind == MANIFEST_INDEX) {
			struct platform p;
			const struct descriptor *d = NULL;

			platform_host(&p);
			if (manifest_select(&m, &p, &d, &e) == 0)
				FUZZ_ASSERT(d && d >= m.entries && d < m.entries + m.nentries);
			err_clear(&e);
		} else {
			for (size_t i = 0; i < m.nlayers; i++)
				(void)layer_media_type_ok(m.layers[i].media_type);
		}
		manifest_free(&m);
	}
	err_clear(&e);
	memset(&c, 0, sizeof(c));
	if (config_parse_info((const char *)data, size, &c, &e) == 0)
		config_info_free(&c);
	err_clear(&e);
	return 0;
}
