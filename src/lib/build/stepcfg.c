/* stepcfg.c - the image config a build changes: metadata instructions,
 * history entries and diff ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "builder_int.h"
#include "lib/record/container.h"
#include "lib/base/util.h"

char *b_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *r = xmalloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

char *cfg_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

json_object *cfg_new_scratch(void)
{
	json_object *o = json_object_new_object(), *r = json_object_new_object();
	const char *plat = build_host_platform();
	_cleanup_free_ char *now = cfg_now();

	json_object_object_add(o, "created", json_object_new_string(now));
	json_object_object_add(o, "architecture", json_object_new_string(strchr(plat, '/') + 1));
	json_object_object_add(o, "os", json_object_new_string("linux"));
	json_object_object_add(o, "config", json_object_new_object());
	json_object_object_add(r, "type", json_object_new_string("layers"));
	json_object_object_add(r, "diff_ids", json_object_new_array());
	json_object_object_add(o, "rootfs", r);
	json_object_object_add(o, "history", json_object_new_array());
	return o;
}

json_object *cfg_obj(json_object *img)
{
	json_object *c;

	if (json_object_object_get_ex(img, "config", &c) && json_object_is_type(c, json_type_object))
		return c;
	c = json_object_new_object();
	json_object_object_add(img, "config", c);
	return c;
}

const char *cfg_get_str(json_object *img, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(cfg_obj(img), key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

char **cfg_get_strv(json_object *img, const char *key)
{
	json_object *v;
	char **out = NULL;

	if (!json_object_object_get_ex(cfg_obj(img), key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	out = xcalloc(1, sizeof *out);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(v, i));
		if (s)
			strv_push(&out, s);
	}
	return out;
}

char **cfg_env(json_object *img)
{
	return cfg_get_strv(img, "Env");
}

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

void cfg_env_set(json_object *img, const char *k, const char *v)
{
	json_object *c = cfg_obj(img), *arr;
	size_t n = strlen(k);
	_cleanup_free_ char *kv = xasprintf("%s=%s", k, v);

	if (!json_object_object_get_ex(c, "Env", &arr) || !json_object_is_type(arr, json_type_array)) {
		arr = json_object_new_array();
		json_object_object_add(c, "Env", arr);
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		if (s && strncmp(s, k, n) == 0 && s[n] == '=') {
			json_object_array_put_idx(arr, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(arr, json_object_new_string(kv));
}

void cfg_add_history(json_object *img, const char *created_by, bool empty_layer)
{
	json_object *h, *ent = json_object_new_object();
	_cleanup_free_ char *now = cfg_now();

	if (!json_object_object_get_ex(img, "history", &h) || !json_object_is_type(h, json_type_array)) {
		h = json_object_new_array();
		json_object_object_add(img, "history", h);
	}
	json_object_object_add(ent, "created", json_object_new_string(now));
	json_object_object_add(ent, "created_by", json_object_new_string(created_by));
	if (empty_layer)
		json_object_object_add(ent, "empty_layer", json_object_new_boolean(1));
	json_object_array_add(h, ent);
	json_object_object_add(img, "created", json_object_new_string(now));
}

void cfg_add_diff_id(json_object *img, const char *diff_id)
{
	json_object *r, *d;

	if (!json_object_object_get_ex(img, "rootfs", &r) || !json_object_is_type(r, json_type_object)) {
		r = json_object_new_object();
		json_object_object_add(r, "type", json_object_new_string("layers"));
		json_object_object_add(img, "rootfs", r);
	}
	if (!json_object_object_get_ex(r, "diff_ids", &d) || !json_object_is_type(d, json_type_array)) {
		d = json_object_new_array();
		json_object_object_add(r, "diff_ids", d);
	}
	json_object_array_add(d, json_object_new_string(diff_id));
}

char **cfg_shell(json_object *img)
{
	char **sh = cfg_get_strv(img, "Shell");

	if (sh && sh[0])
		return sh;
	strv_free(sh);
	sh = NULL;
	strv_push(&sh, "/bin/sh");
	strv_push(&sh, "-c");
	return sh;
}

char *cfg_nop_text(const struct df_instr *in)
{
	return xasprintf("/bin/sh -c #(nop) %s", in->original);
}

/* "CMD" and "ENTRYPOINT": the exec form as is, else SHELL + [text] */
static json_object *command_json(struct builder *b, const struct df_instr *in)
{
	_cleanup_strv_ char **sh = NULL;

	if (in->json)
		return strv_json(in->argv);
	sh = cfg_shell(b->cur->config);
	strv_push(&sh, in->rest ? in->rest : "");
	return strv_json(sh);
}

static json_object *obj_key(json_object *c, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(c, key, &o) || !json_object_is_type(o, json_type_object)) {
		o = json_object_new_object();
		json_object_object_add(c, key, o);
	}
	return o;
}

static char *path_join_clean(const char *base, const char *p)
{
	_cleanup_free_ char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", base, p);
	char *out = xmalloc(strlen(joined) + 2), *w = out;
	const char *r = joined;

	*w++ = '/';
	while (*r) {
		const char *seg;
		size_t n;
		while (*r == '/')
			r++;
		seg = r;
		while (*r && *r != '/')
			r++;
		n = (size_t)(r - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (w > out + 1) {
				w--;
				while (w > out + 1 && w[-1] != '/')
					w--;
				if (w > out + 1)
					w--;
			}
			continue;
		}
		if (w > out + 1)
			*w++ = '/';
		memcpy(w, seg, n);
		w += n;
	}
	*w = '\0';
	return out;
}

static int healthcheck(struct builder *b, const struct df_instr *in, json_object *c, struct err *e)
{
	static const char *const durs[] = { "interval", "timeout", "start-period", "start-interval" };
	static const char *const keys[] = { "Interval", "Timeout", "StartPeriod", "StartInterval" };
	json_object *h = json_object_new_object(), *test = json_object_new_array();
	const char *r = in->rest ? in->rest : "";
	const char *v;

	(void)b;
	while (*r == ' ' || *r == '\t')
		r++;
	if (strncasecmp(r, "NONE", 4) == 0 && (!r[4] || r[4] == ' ')) {
		json_object_array_add(test, json_object_new_string("NONE"));
		json_object_object_add(h, "Test", test);
		json_object_object_add(c, "Healthcheck", h);
		return 0;
	}
	if (strncasecmp(r, "CMD", 3) != 0 || (r[3] && r[3] != ' ' && r[3] != '\t' && r[3] != '[')) {
		json_object_put(h);
		json_object_put(test);
		return err_make(e, 0, "%s:%d: HEALTHCHECK takes CMD or NONE", b->o->dockerfile_name,
				in->line);
	}
	r += 3;
	while (*r == ' ' || *r == '\t')
		r++;
	if (*r == '[') {
		json_object *arr = json_tokener_parse(r);
		if (!arr || !json_object_is_type(arr, json_type_array)) {
			json_object_put(arr);
			json_object_put(h);
			json_object_put(test);
			return err_make(e, 0, "HEALTHCHECK CMD: bad JSON array");
		}
		json_object_array_add(test, json_object_new_string("CMD"));
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			json_object_array_add(test, json_object_new_string(json_object_get_string(
							    json_object_array_get_idx(arr, i))));
		json_object_put(arr);
	} else {
		json_object_array_add(test, json_object_new_string("CMD-SHELL"));
		json_object_array_add(test, json_object_new_string(r));
	}
	json_object_object_add(h, "Test", test);
	for (size_t i = 0; i < ARRAY_SIZE(durs); i++) {
		int64_t ms;
		if (!(v = df_flag_get(in, durs[i])))
			continue;
		if (parse_duration_ms(v, &ms, e) < 0) {
			json_object_put(h);
			return err_wrap(e, "HEALTHCHECK --%s", durs[i]);
		}
		json_object_object_add(h, keys[i], json_object_new_int64(ms * 1000000));
	}
	if ((v = df_flag_get(in, "retries")))
		json_object_object_add(h, "Retries", json_object_new_int(atoi(v)));
	json_object_object_add(c, "Healthcheck", h);
	return 0;
}

int cfg_apply(struct builder *b, const struct df_instr *in, struct err *e)
{
	json_object *img = b->cur->config, *c = cfg_obj(img);
	struct df_vars vars = b_vars(b);
	_cleanup_strv_ char **words = NULL;
	_cleanup_free_ char *word = NULL;
	char esc = b->df->escape;
	const char *rest = in->rest ? in->rest : "";

	switch (in->kind) {
	case DF_ENV:
	case DF_LABEL: {
		_cleanup_strv_ char **keys = NULL;
		char **vals = NULL;
		size_t n = 0;
		if (df_pairs(in, esc, &vars, &keys, &vals, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (in->kind == DF_ENV) {
				cfg_env_set(img, keys[i], vals[i] ? vals[i] : "");
			} else {
				/* LABEL "com.example.k"="v": docker drops the key's quotes */
				_cleanup_free_ char *k = NULL;
				if (df_expand(keys[i], esc, NULL, &k, e) < 0) {
					for (size_t j = i; j < n; j++)
						free(vals[j]);
					free(vals);
					return -1;
				}
				json_object_object_add(obj_key(c, "Labels"), k,
						       json_object_new_string(vals[i] ? vals[i] : ""));
			}
			free(vals[i]);
		}
		free(vals);
		return 0;
	}
	case DF_EXPOSE:
		if (df_words(rest, esc, &vars, &words, e) < 0)
			return -1;
		for (size_t i = 0; words[i]; i++) {
			_cleanup_free_ char *p = strchr(words[i], '/') ? xstrdup(words[i])
								       : xasprintf("%s/tcp", words[i]);
			json_object_object_add(obj_key(c, "ExposedPorts"), p, json_object_new_object());
		}
		return 0;
	case DF_CMD:
		json_object_object_add(c, "Cmd", command_json(b, in));
		b->cur->cmd_set = true;
		return 0;
	case DF_ENTRYPOINT:
		json_object_object_add(c, "Entrypoint", command_json(b, in));
		if (!b->cur->cmd_set)
			json_object_object_del(c, "Cmd");
		return 0;
	case DF_WORKDIR: {
		const char *cur = cfg_get_str(img, "WorkingDir");
		if (df_expand(rest, esc, &vars, &word, e) < 0)
			return -1;
		if (!*word)
			return err_make(e, 0, "WORKDIR needs a path");
		_cleanup_free_ char *p = path_join_clean(cur && *cur ? cur : "/", word);
		json_object_object_add(c, "WorkingDir", json_object_new_string(p));
		return 0;
	}
	case DF_USER:
	case DF_STOPSIGNAL:
		if (df_expand(rest, esc, &vars, &word, e) < 0)
			return -1;
		json_object_object_add(c, in->kind == DF_USER ? "User" : "StopSignal",
				       json_object_new_string(word));
		return 0;
	case DF_VOLUME:
		if (in->json)
			words = strv_dup(in->argv);
		else if (df_words(rest, esc, &vars, &words, e) < 0)
			return -1;
		for (size_t i = 0; words && words[i]; i++)
			json_object_object_add(obj_key(c, "Volumes"), words[i], json_object_new_object());
		return 0;
	case DF_SHELL:
		if (!in->json || !in->argv || !in->argv[0])
			return err_make(e, 0, "SHELL requires the arguments to be in JSON form");
		json_object_object_add(c, "Shell", strv_json(in->argv));
		return 0;
	case DF_HEALTHCHECK:
		return healthcheck(b, in, c, e);
	case DF_ONBUILD: {
		json_object *arr;
		const char *txt = in->inner ? in->inner->original : rest;
		if (!json_object_object_get_ex(c, "OnBuild", &arr) ||
		    !json_object_is_type(arr, json_type_array)) {
			arr = json_object_new_array();
			json_object_object_add(c, "OnBuild", arr);
		}
		json_object_array_add(arr, json_object_new_string(txt));
		return 0;
	}
	case DF_MAINTAINER:
		json_object_object_add(img, "author", json_object_new_string(rest));
		return 0;
	case DF_FROM:
	case DF_RUN:
	case DF_COPY:
	case DF_ADD:
	case DF_ARG:
	default:
		return err_make(e, 0, "internal: %s is not a metadata instruction", in->keyword);
	}
}
