/* nsspec.c - --pid, --ipc, --uts modes (record/nsspec.h) and how the
 * record keeps them with --privileged. */
#include <stdio.h>
#include <string.h>

#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/nsspec.h"
#include "tap.h"

static void test_parse(void)
{
	struct ns_mode m = { NS_DEFAULT, NULL };
	struct err e = ERR_INIT;
	char *str;

	ok(ns_mode_parse(NSK_PID, "", &m, &e) == 0 && m.share == NS_DEFAULT, "pid: the default");
	str = ns_mode_string(NSK_PID, &m);
	is_str(str, "private", "  shown as private");
	free(str);
	ok(ns_mode_parse(NSK_IPC, "", &m, &e) == 0 && m.share == NS_DEFAULT, "ipc: the default");
	str = ns_mode_string(NSK_IPC, &m);
	is_str(str, "shareable", "  shown as shareable");
	free(str);
	ok(ns_mode_parse(NSK_IPC, "shareable", &m, &e) == 0 && m.share == NS_SHAREABLE, "ipc shareable");
	ok(ns_mode_parse(NSK_UTS, "host", &m, &e) == 0 && m.share == NS_HOST, "uts host");
	ok(ns_mode_parse(NSK_IPC, "none", &m, &e) == 0 && m.share == NS_NONE, "ipc none");
	ok(ns_mode_parse(NSK_IPC, "private", &m, &e) == 0 && m.share == NS_PRIVATE, "ipc private");
	ok(ns_mode_parse(NSK_PID, "container:web", &m, &e) == 0 && m.share == NS_CONTAINER &&
		   strcmp(m.container, "web") == 0,
	   "pid container:web");
	str = ns_mode_string(NSK_PID, &m);
	is_str(str, "container:web", "shown as given");
	free(str);
	ok(ns_mode_parse(NSK_PID, "none", &m, &e) < 0, "pid none is refused");
	is_str(e.msg, "unrecognized namespace mode none passed", "podman's message");
	err_clear(&e);
	ok(ns_mode_parse(NSK_UTS, "shareable", &m, &e) < 0, "uts shareable is refused");
	err_clear(&e);
	ok(ns_mode_parse(NSK_IPC, "container:", &m, &e) < 0, "container: without a name is refused");
	err_clear(&e);
	ok(m.share == NS_DEFAULT && m.container == NULL, "a refused mode leaves the default");
	ns_mode_free(&m);
}

static void test_record(void)
{
	struct container_spec s, r;
	struct err e = ERR_INIT;
	json_object *j;
	char *lower[] = { "/l", NULL }, *argv[] = { "true", NULL }, id[65];

	memset(&s, 0, sizeof s);
	memset(s.id, 'a', 64);
	memset(id, 'c', 64);
	id[64] = '\0';
	s.name = "n";
	s.hostname = "h";
	s.argv = argv;
	s.lowerdirs = lower;
	s.pid_ns.share = NS_HOST;
	s.ipc_ns.share = NS_CONTAINER;
	s.ipc_ns.container = id;
	s.uts_ns.share = NS_DEFAULT;
	s.privileged = true;
	s.preserve_fds = 3;
	j = container_spec_to_json(&s);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "the record reads back");
	ok(r.pid_ns.share == NS_HOST, "pid host kept");
	ok(r.ipc_ns.share == NS_CONTAINER && strcmp(r.ipc_ns.container, id) == 0, "ipc container:ID kept");
	ok(r.uts_ns.share == NS_DEFAULT, "uts default kept");
	ok(r.privileged, "privileged kept");
	is_int(r.preserve_fds, 0, "--preserve-fds is not recorded");
	ok(!json_object_object_get_ex(j, "uts", NULL), "a default mode is not written");
	container_spec_free(&r);
	json_object_object_add(j, "pid", json_object_new_string("container:web"));
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0, "a name instead of an ID is refused");
	container_spec_free(&r);
	err_clear(&e);
	json_object_object_add(j, "pid", json_object_new_string("bogus"));
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) < 0, "an unknown mode is refused");
	container_spec_free(&r);
	err_clear(&e);
	json_object_put(j);

	memset(&s, 0, sizeof s);
	memset(s.id, 'b', 64);
	s.name = "n";
	s.hostname = "h";
	s.argv = argv;
	s.lowerdirs = lower;
	j = container_spec_to_json(&s);
	ok(container_spec_from_json(j, "/r", "/rr", &r, &e) == 0, "an older record reads back");
	ok(r.pid_ns.share == NS_DEFAULT && r.ipc_ns.share == NS_DEFAULT && r.uts_ns.share == NS_DEFAULT &&
		   !r.privileged,
	   "with the defaults");
	container_spec_free(&r);
	json_object_put(j);
}

int main(void)
{
	test_parse();
	test_record();
	return done_testing();
}
