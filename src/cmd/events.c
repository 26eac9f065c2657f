/* events.c - burrow events: show the event log, and follow it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/base/tmpl.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/events.h"
#include "cli/when.h"

enum { O_FILTER = 1, O_FORMAT, O_SINCE, O_UNTIL, O_STREAM, O_NOTRUNC, O_HELP };
static const struct opt events_opts[] = {
	{ "filter", 'f', OPT_VALUE, O_FILTER, "KEY=VALUE",
	  "container=, event=, image=, type=, volume=, network=, label=" },
	{ "format", 0, OPT_VALUE, O_FORMAT, "FORMAT", "json, or a Go template such as '{{.Status}}'" },
	{ "help", 0, OPT_FLAG, O_HELP, NULL, "Show this help" },
	{ "no-trunc", 0, OPT_FLAG, O_NOTRUNC, NULL, "Do not truncate the output (the default)" },
	{ "since", 0, OPT_VALUE, O_SINCE, "TIME", "Show events from TIME on (timestamp or duration ago)" },
	{ "stream", 0, OPT_FLAG, O_STREAM, NULL, "Follow new events (default true)" },
	{ "until", 0, OPT_VALUE, O_UNTIL, "TIME", "Show events until TIME, then stop" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char *const filter_keys[] = { "container", "event",  "status",  "image",
					   "type",      "volume", "network", "label" };

struct ev_out {
	char **filters;
	const char *format; /* NULL: text */
	bool json;
	struct err *e;
	int rc;
};

static const char *jget(json_object *j, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(j, k, &v) ? json_object_get_string(v) : "";
}

static bool one_matches(json_object *ev, const char *f)
{
	const char *v = strchr(f, '=') + 1, *type = jget(ev, "Type");
	size_t klen = (size_t)(v - 1 - f);

	if (!strncmp(f, "type", klen))
		return strcmp(type, v) == 0;
	if (!strncmp(f, "event", klen) || !strncmp(f, "status", klen))
		return strcmp(jget(ev, "Status"), v) == 0;
	if (!strncmp(f, "container", klen) || !strncmp(f, "volume", klen) || !strncmp(f, "network", klen)) {
		if (strncmp(type, f, klen) != 0 || type[klen])
			return false;
		return strcmp(jget(ev, "Name"), v) == 0 ||
		       (strlen(v) >= 3 && !strncmp(jget(ev, "ID"), v, strlen(v)));
	}
	if (!strncmp(f, "image", klen)) {
		if (!strcmp(type, "image"))
			return strcmp(jget(ev, "Name"), v) == 0 ||
			       (strlen(v) >= 3 && !strncmp(jget(ev, "ID"), v, strlen(v)));
		return strcmp(jget(ev, "Image"), v) == 0;
	}
	if (!strncmp(f, "label", klen)) {
		json_object *a, *l;
		size_t lk = strcspn(v, "=");
		_cleanup_free_ char *key = xstrndup(v, lk);
		if (!json_object_object_get_ex(ev, "Attributes", &a) ||
		    !json_object_object_get_ex(a, key, &l))
			return false;
		return !v[lk] || strcmp(json_object_get_string(l), v + lk + 1) == 0;
	}
	return false;
}

/* the same key ORed, different keys ANDed, as podman's */
static bool matches(json_object *ev, char **f)
{
	for (size_t i = 0; f && f[i]; i++) {
		size_t klen = (size_t)(strchr(f[i], '=') - f[i]);
		bool any = false;
		for (size_t k = 0; f[k]; k++)
			if (strncmp(f[k], f[i], klen + 1) == 0)
				any |= one_matches(ev, f[k]);
		if (!any)
			return false;
	}
	return true;
}

/* podman's text line: Go's time.String, the type, the status, the ID and
 * for containers (image=..., name=..., attributes) */
static void print_text(json_object *ev, int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	struct tm tm;
	char date[64], zone[16], fr[16] = "";
	const char *type = jget(ev, "Type");
	json_object *a;

	localtime_r(&secs, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z %Z", &tm);
	if (frac) {
		snprintf(fr, sizeof fr, ".%09ld", frac);
		for (size_t n = strlen(fr); fr[n - 1] == '0'; n--)
			fr[n - 1] = '\0';
	}
	printf("%s%s %s %s %s", date, fr, zone, type, jget(ev, "Status"));
	if (!strcmp(type, "container")) {
		printf(" %s (image=%s, name=%s", jget(ev, "ID"), jget(ev, "Image"), jget(ev, "Name"));
		if (json_object_object_get_ex(ev, "Attributes", &a) &&
		    json_object_is_type(a, json_type_object)) {
			json_object_object_foreach(a, k, v) {
				printf(", %s=%s", k, json_object_get_string(v));
			}
		}
		printf(")\n");
	} else if (!strcmp(type, "image")) {
		printf(" %s %s\n", jget(ev, "ID"), jget(ev, "Name"));
	} else {
		printf(" %s\n", *jget(ev, "Name") ? jget(ev, "Name") : jget(ev, "ID"));
	}
}

static bool print_event(json_object *ev, int64_t ns, void *arg)
{
	struct ev_out *o = arg;

	if (!matches(ev, o->filters))
		return true;
	if (o->json) {
		printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
									  JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (o->format) {
		char *out = NULL;
		json_object *t = json_object_get(ev);
		/* every event has podman's fields for a template, empty when unset */
		static const char *const keys[] = { "ID", "Image", "Name" };
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			if (!json_object_object_get_ex(t, keys[i], NULL))
				json_object_object_add(t, keys[i], json_object_new_string(""));
		if (!json_object_object_get_ex(t, "ContainerExitCode", NULL))
			json_object_object_add(t, "ContainerExitCode", json_object_new_int(0));
		if (tmpl_render(o->format, t, &out, o->e) < 0) {
			json_object_put(t);
			o->rc = -1;
			return false;
		}
		json_object_put(t);
		printf("%s\n", out);
		free(out);
	} else {
		print_text(ev, ns);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		o->rc = 0; /* the reader went away */
		return false;
	}
	return true;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

CMD_DECL(events)
{
	struct optparser p;
	struct ev_out o = { .e = e };
	_cleanup_strv_ char **filters = NULL;
	const char *since = NULL, *until = NULL;
	bool stream = true;
	int64_t since_ns = 0, until_ns = 0;
	uint64_t offset = 0, ino = 0;
	_cleanup_close_ int ifd = -1;
	int id;

	opt_init(&p, events_opts, argc, argv);
	while ((id = opt_next(&p, e)) != 0) {
		switch (id) {
		case O_FILTER:
			strv_push(&filters, p.value);
			break;
		case O_FORMAT:
			o.format = p.value;
			break;
		case O_SINCE:
			since = p.value;
			break;
		case O_UNTIL:
			until = p.value;
			break;
		case O_STREAM:
			stream = opt_flag_value(&p);
			break;
		case O_NOTRUNC:
			break;
		case O_HELP:
			opt_print_help(stdout, "events", "[OPTIONS]", "Show events, and follow new ones.",
				       events_opts);
			return 0;
		default:
			return err_mark_usage(e);
		}
	}
	if (p.idx < argc)
		return err_usage(e, "\"burrow events\" takes no arguments");
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *eq = strchr(filters[i], '=');
		bool known = false;
		for (size_t k = 0; eq && k < ARRAY_SIZE(filter_keys); k++)
			known |= strlen(filter_keys[k]) == (size_t)(eq - filters[i]) &&
				 !strncmp(filters[i], filter_keys[k], (size_t)(eq - filters[i]));
		if (!known || !eq[1])
			return err_usage(e,
					 "invalid filter \"%s\" (container=, event=, image=, type=, volume=, "
					 "network=, label=)",
					 filters[i]);
	}
	o.filters = filters;
	if (o.format && !strcmp(o.format, "json"))
		o.json = true;
	else if (o.format && tmpl_check(o.format, e) < 0)
		return err_mark_usage(e);
	if (since && cli_parse_time(since, &since_ns) < 0)
		return err_usage(e,
				 "invalid --since \"%s\" (RFC 3339, Unix seconds, or a duration such as 10m)",
				 since);
	if (until && cli_parse_time(until, &until_ns) < 0)
		return err_usage(e,
				 "invalid --until \"%s\" (RFC 3339, Unix seconds, or a duration such as 10m)",
				 until);
	if (until)
		stream = until_ns > now_ns();
	signal(SIGPIPE, SIG_IGN);
	if (stream) {
		/* watch before the first read, so nothing falls in between */
		ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ifd < 0 ||
		    inotify_add_watch(ifd, g->cfg.runroot, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
			return err_make(e, errno, "watching %s", g->cfg.runroot);
	}
	for (;;) {
		if (events_read(g->cfg.runroot, since_ns, until_ns, &offset, &ino, print_event, &o, e) < 0)
			return -1;
		if (o.rc < 0)
			return -1;
		if (!stream || ferror(stdout))
			return 0;
		for (;;) {
			struct pollfd pfd = { .fd = ifd, .events = POLLIN };
			int64_t left = until_ns ? until_ns - now_ns() : -1;
			char buf[4096];
			int r;
			if (until_ns && left <= 0)
				return 0;
			r = poll(&pfd, 1, left < 0 ? -1 : (int)(left / 1000000 + 1));
			if (r < 0 && errno != EINTR)
				return err_make(e, errno, "waiting for events");
			if (r > 0) {
				while (read(ifd, buf, sizeof buf) > 0)
					;
				break;
			}
		}
	}
}
