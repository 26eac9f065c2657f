/* filters.c - docker's filters query parameter, shared by the list,
 * prune and events endpoints: a JSON object of arrays of strings (or the
 * older form, objects whose keys are the values). */
#include <string.h>

#include "api_int.h"
#include "lib/base/json.h"

/* filters={"key":["v",...]} or {"key":{"v":true}}: one key's values ORed,
 * the keys ANDed; the label filters ANDed */
bool api_filters_match(json_object *f, api_filter_fn *one, const void *arg)
{
	if (!f)
		return true;
	json_object_object_foreach(f, key, vals) {
		bool all = strncmp(key, "label", 5) == 0, any = false;
		size_t cnt = 0;
		if (json_object_is_type(vals, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(vals); i++, cnt++) {
				bool m = one(key, json_object_get_string(json_object_array_get_idx(vals, i)),
					     arg);
				if (all && !m)
					return false;
				any |= m;
			}
		} else {
			json_object_object_foreach(vals, v, ign) {
				bool m = one(key, v, arg);
				(void)ign;
				if (all && !m)
					return false;
				any |= m;
				cnt++;
			}
		}
		if (cnt && !all && !any)
			return false;
	}
	return true;
}

int api_filters(struct api_req *r, const char *const *keys, json_object **out, enum MHD_Result *res)
{
	const char *q = api_query(r, "filters");
	struct err e = ERR_INIT;

	*out = NULL;
	if (!q || !*q)
		return 0;
	if (strlen(q) > 65536 || json_parse_strict(q, strlen(q), "filters", out, &e) < 0 ||
	    !json_object_is_type(*out, json_type_object)) {
		*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid filters: %s", e.msg ? e.msg : q);
		err_clear(&e);
		json_object_put(*out);
		*out = NULL;
		return -1;
	}
	json_object_object_foreach(*out, k, v) {
		bool known = false;
		for (size_t i = 0; keys[i]; i++)
			known |= strcmp(k, keys[i]) == 0;
		if (known && json_object_is_type(v, json_type_array))
			for (size_t i = 0; i < json_object_array_length(v); i++)
				known &= json_object_is_type(json_object_array_get_idx(v, i),
							     json_type_string);
		if (!known ||
		    !(json_object_is_type(v, json_type_array) || json_object_is_type(v, json_type_object))) {
			*res = api_reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid filter '%s'", k);
			json_object_put(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}
