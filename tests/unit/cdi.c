/* cdi.c - tests for the CDI name and spec parsers (src/lib/cdi/cdi.c,
 * cdi_yaml.c), hostile specs included, and for applying a device's edits
 * to a container spec (cdi_apply.c) with specs in a temporary directory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/util.h"
#include "lib/cdi/cdi.h"
#include "tap.h"

static struct cdi_spec *parse(const char *doc, bool yaml, struct err *e)
{
	struct cdi_spec *s = NULL;

	if (cdi_spec_parse(doc, strlen(doc), yaml, "test", &s, e) < 0)
		return NULL;
	return s;
}

/* doc is refused with an error that holds want */
static void bad(const char *doc, bool yaml, const char *want, const char *what)
{
	struct err e = ERR_INIT;
	struct cdi_spec *s = parse(doc, yaml, &e);

	ok(s == NULL, "refuse %s", what);
	if (!ok(e.msg && strstr(e.msg, want), "%s: the error says \"%s\"", what, want))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	cdi_spec_free(s);
	err_clear(&e);
}

static void names(void)
{
	struct err e = ERR_INIT;
	char *kind = NULL, *name = NULL;
	static const char *const badnames[] = {
		"example.com/gpu=",
		"example.com/=x",
		"/gpu=x",
		"example.com/gpu=a b",
		"example.com/gpu=-x",
		"example.com/gpu=x-",
		"exa mple/gpu=x",
		"a/b/c=x",
		"example.com/gpu=x/y",
		"=x",
		"example.com/gpu=..",
		"example.com/gpu",
		"x=y",
	};

	ok(cdi_is_name("example.com/gpu=0"), "a CDI name is one");
	ok(!cdi_is_name("/dev/null"), "a host path is not");
	ok(!cdi_is_name("/dev/a=b"), "nor a host path with =");
	ok(cdi_parse_name("nvidia.com/gpu=0", &kind, &name, &e) == 0, "parse nvidia.com/gpu=0");
	is_str(kind, "nvidia.com/gpu", "its kind");
	is_str(name, "0", "its name");
	free(kind);
	free(name);
	ok(cdi_parse_name("vendor.io/class_a=dev:1.x", &kind, &name, &e) == 0, "':' and '.' inside a name");
	free(kind);
	free(name);
	for (size_t i = 0; i < ARRAY_SIZE(badnames); i++) {
		kind = name = NULL;
		ok(cdi_parse_name(badnames[i], &kind, &name, &e) < 0 && !kind && !name, "reject \"%s\"",
		   badnames[i]);
		err_clear(&e);
	}
}

static const char good_json[] =
	"{\"cdiVersion\":\"0.6.0\",\"kind\":\"example.com/gpu\","
	"\"containerEdits\":{\"env\":[\"A=1\"],\"mounts\":[{\"hostPath\":\"/usr/lib\",\"containerPath\":\"/lib/x\","
	"\"options\":[\"ro\",\"bind\"]}]},"
	"\"devices\":[{\"name\":\"gpu0\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/gpu0\","
	"\"hostPath\":\"/dev/zero\",\"type\":\"c\",\"major\":1,\"minor\":5,\"fileMode\":438,\"uid\":0,\"gid\":0,"
	"\"permissions\":\"rwm\"}]}},"
	"{\"name\":\"gpu1\",\"containerEdits\":{\"env\":[\"B=2\"],\"newerField\":true}}],"
	"\"annotations\":{\"a\":\"b\"}}";

static const char good_yaml[] = "# comment\n"
				"cdiVersion: \"0.8.0\"\n"
				"kind: example.org/acc\n"
				"devices:\n"
				"  - name: fpga\n"
				"    containerEdits:\n"
				"      env: [ACC=1, 'Q=a: b']\n"
				"      deviceNodes:\n"
				"        - path: /dev/fpga\n"
				"          hostPath: /dev/full\n"
				"          major: 0x1\n"
				"          minor: 7\n"
				"          fileMode: 0666\n"
				"  - name: \"0\"\n"
				"    containerEdits: {}\n";

static void good(void)
{
	struct err e = ERR_INIT;
	struct cdi_spec *s = parse(good_json, false, &e);

	if (!ok(s != NULL, "a JSON spec parses"))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	if (s) {
		is_str(s->kind, "example.com/gpu", "kind");
		is_int(s->ndevices, 2, "two devices");
		is_str(s->devices[0].edits.nodes[0].host, "/dev/zero", "hostPath");
		is_str(s->devices[0].edits.nodes[0].path, "/dev/gpu0", "path");
		is_int(s->devices[0].edits.nodes[0].major, 1, "major");
		is_int(s->devices[0].edits.nodes[0].minor, 5, "minor");
		is_int(s->devices[0].edits.nodes[0].type, 'c', "type");
		is_str(s->edits.env[0], "A=1", "the spec-wide env");
		is_str(s->edits.mounts[0].options[0], "ro", "mount options");
		is_int(s->edits.nhooks, 0, "no hooks");
	}
	cdi_spec_free(s);
	err_clear(&e);

	s = parse(good_yaml, true, &e);
	if (!ok(s != NULL, "a YAML spec parses"))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	if (s) {
		is_str(s->version, "0.8.0", "cdiVersion");
		is_str(s->devices[0].edits.nodes[0].host, "/dev/full", "hostPath");
		is_int(s->devices[0].edits.nodes[0].major, 1, "a hex integer");
		is_int(s->devices[0].edits.nodes[0].minor, 7, "a decimal integer");
		is_str(s->devices[0].edits.env[1], "Q=a: b", "a quoted string");
		is_str(s->devices[1].name, "0", "a quoted number is a string");
	}
	cdi_spec_free(s);
	err_clear(&e);

	/* YAML is a superset of JSON: a .yaml file may hold JSON */
	s = parse(good_json, true, &e);
	ok(s != NULL && s->ndevices == 2, "JSON read as YAML gives the same spec");
	cdi_spec_free(s);
	err_clear(&e);

	s = parse(
		"{\"cdiVersion\":\"0.6.0\",\"kind\":\"x.com/y\",\"devices\":[{\"name\":\"d\",\"containerEdits\":"
		"{\"hooks\":[{\"hookName\":\"poststop\",\"path\":\"/bin/true\",\"args\":[\"true\"],"
		"\"env\":[\"A=b\"],\"timeout\":5}]}}]}",
		false, &e);
	ok(s && s->devices[0].edits.nhooks == 1 && s->devices[0].edits.hooks[0].kind == HOOK_POSTSTOP,
	   "a hook parses and its kind is kept");
	if (s && s->devices[0].edits.nhooks == 1) {
		const struct hook_spec *h = &s->devices[0].edits.hooks[0];
		is_str(h->path, "/bin/true", "the hook's path");
		is_str(h->args[0], "true", "its args");
		is_str(h->env[0], "A=b", "its env");
		is_int(h->timeout, 5, "its timeout");
	}
	cdi_spec_free(s);
	err_clear(&e);

	/* as nvidia-ctk generates them: spec-wide createContainer hooks */
	s = parse(
		"cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: \"0\"\n"
		"  containerEdits:\n    deviceNodes:\n    - path: /dev/nvidia0\n"
		"containerEdits:\n  hooks:\n  - hookName: createContainer\n"
		"    path: /usr/bin/nvidia-ctk\n    args: [nvidia-ctk, hook, update-ldcache, --folder, /usr/lib]\n"
		"  - hookName: createContainer\n    path: /usr/bin/nvidia-ctk\n"
		"    args: [nvidia-ctk, hook, create-symlinks, --link, libcuda.so.1::/usr/lib/libcuda.so]\n"
		"  additionalGids: [44]\n",
		true, &e);
	if (!ok(s != NULL, "an nvidia-ctk style spec (0.5.0, createContainer hooks, additionalGids) parses"))
		printf("# error: %s\n", e.msg ? e.msg : "(none)");
	ok(s && s->edits.nhooks == 2 && s->edits.hooks[1].kind == HOOK_CREATE_CONTAINER &&
		   !strcmp(s->edits.hooks[1].args[2], "create-symlinks"),
	   "both hooks, in order");
	ok(s && s->edits.ngids == 1 && s->edits.gids[0] == 44, "additionalGids");
	cdi_spec_free(s);
	err_clear(&e);
}

#define HEAD \
	"{\"cdiVersion\":\"0.6.0\",\"kind\":\"example.com/gpu\",\"devices\":[{\"name\":\"g\",\"containerEdits\":"

static void hostile(void)
{
	char *big;

	bad("", false, "malformed", "an empty JSON document");
	bad("", true, "malformed", "an empty YAML document");
	bad("[1,2]", false, "not an object", "a list");
	bad("{\"kind\":\"a.com/b\",\"devices\":[]}", false, "cdiVersion is missing", "no cdiVersion");
	bad("{\"cdiVersion\":6,\"kind\":\"a.com/b\"}", false, "cdiVersion must be a string",
	    "a numeric cdiVersion");
	bad("{\"cdiVersion\":\"2.0.0\",\"kind\":\"a.com/b\"}", false, "unsupported cdiVersion",
	    "cdiVersion 2");
	bad("{\"cdiVersion\":\"0.6.0\",\"kind\":\"nokind\"}", false, "invalid kind",
	    "a kind without a class");
	bad("{\"cdiVersion\":\"0.6.0\",\"kind\":\"a.com/b\",\"devices\":[]}", false, "no devices",
	    "no devices");
	bad("{\"cdiVersion\":\"0.6.0\",\"kind\":\"a.com/b\",\"devices\":{}}", false, "must be a list",
	    "devices as an object");
	bad(HEAD "{}},{\"name\":\"g\",\"containerEdits\":{}}]}", false, "defined twice",
	    "a device twice in one spec");
	bad("{\"cdiVersion\":\"0.6.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"g\"}]}", false,
	    "no containerEdits", "a device without edits");
	bad(HEAD "{\"deviceNodes\":[{\"hostPath\":\"/dev/zero\"}]}}]}", false, "path is missing",
	    "a node without path");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"dev/x\"}]}}]}", false, "absolute and clean",
	    "a relative node path");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"hostPath\":\"/dev/../etc/shadow\"}]}}]}", false,
	    "absolute and clean", "a host path with ..");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x:y\"}]}}]}", false, "absolute and clean",
	    "a path with ':'");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"major\":-1}]}}]}", false, "out of range",
	    "a negative major");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"major\":1.5}]}}]}", false, "must be an integer",
	    "a fractional major");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"fileMode\":99999}]}}]}", false, "out of range",
	    "a fileMode past 07777");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"type\":\"z\"}]}}]}", false, "must be c, b, u or p",
	    "an unknown node type");
	bad(HEAD "{\"deviceNodes\":[{\"path\":\"/dev/x\",\"permissions\":\"rwx\"}]}}]}", false, "r, w and m",
	    "bad permissions");
	bad(HEAD "{\"deviceNodes\":[\"/dev/x\"]}}]}", false, "list of objects", "a node as a string");
	bad(HEAD "{\"env\":\"A=1\"}}]}", false, "env must be a list", "env as a string");
	bad(HEAD "{\"env\":[\"=1\"]}}]}", false, "NAME=VALUE", "an env entry without a name");
	bad(HEAD "{\"env\":[\"A\\u0000B=1\"]}}]}", false, "NUL", "a NUL byte in a string");
	bad(HEAD "{\"mounts\":[{\"hostPath\":\"/a\",\"containerPath\":\"b\"}]}}]}", false,
	    "absolute and clean", "a relative mount target");
	bad(HEAD "{\"mounts\":[{\"hostPath\":\"/a\",\"containerPath\":\"/b\",\"type\":\"tmpfs\"}]}}]}", false,
	    "only bind", "a tmpfs mount");
	bad(HEAD "{\"mounts\":[{\"hostPath\":\"/a\",\"containerPath\":\"/b\",\"options\":[1]}]}}]}", false,
	    "must be a string", "a numeric mount option");
	bad(HEAD "{\"hooks\":[{\"hookName\":\"whenever\",\"path\":\"/bin/true\"}]}}]}", false,
	    "unknown hook kind", "an unknown hook kind");
	bad(HEAD "{\"hooks\":[{\"hookName\":\"poststart\",\"path\":\"true\"}]}}]}", false,
	    "absolute and clean", "a relative hook path");
	bad(HEAD "{\"additionalGids\":[\"x\"]}}]}", false, "additionalGids must be a list of group IDs",
	    "additionalGids that are not numbers");
	bad(HEAD "{\"hooks\":[{\"hookName\":\"poststart\",\"path\":\"/bin/true\",\"timeout\":0}]}}]}", false,
	    "timeout is out of range", "a hook timeout of 0");
	bad(HEAD "{\"hooks\":[{\"hookName\":\"poststart\",\"path\":\"/bin/true\",\"env\":[\"X\"]}]}}]}",
	    false, "is not NAME=VALUE", "a hook env entry without =");
	bad("{\"cdiVersion\":\"0.6.0\"} trailing", false, "malformed", "JSON with trailing text");
	bad("a: 1\n---\nb: 2\n", true, "more than one", "two YAML documents");
	bad("a: &x 1\nb: *x\n", true, "aliases", "a YAML alias");
	bad("a: 1\na: 2\n", true, "given twice", "a YAML key given twice");
	bad("? [1]\n: 2\n", true, "not a string", "a YAML key that is a list");
	bad("a: [1, 2\n", true, "malformed", "truncated YAML");
	bad("cdiVersion: 0.6.0\nkind: a.com/b\ndevices:\n  - name: 0\n    containerEdits: {}\n", true,
	    "name must be a string", "an unquoted numeric name in YAML");
	bad("cdiVersion: 0.6.0\nkind: a.com/b\ndevices:\n  - name: g\n    containerEdits:\n      deviceNodes:\n"
	    "        - path: /dev/x\n          major: 99999999999999999999999\n",
	    true, "must be an integer", "an integer too large");
	{
		struct err e = ERR_INIT;
		struct cdi_spec *s =
			parse(HEAD "{\"mounts\":[{\"hostPath\":\"/a\\nb\",\"containerPath\":\"/b\"}]}}]}",
			      false, &e);
		ok(!s && e.msg && !strchr(e.msg, '\n') && strstr(e.msg, "/a?b"),
		   "a line end quoted from the spec is not printed");
		err_clear(&e);
	}
	/* nesting: 100 levels of lists */
	big = xcalloc(1, 512);
	for (int i = 0; i < 100; i++)
		strcat(big, "[");
	bad(big, true, "nested deeper", "deep YAML nesting");
	free(big);
	/* a document over the bound is refused before it is parsed */
	big = xmalloc(CDI_MAX_SPEC_BYTES + 2);
	memset(big, ' ', CDI_MAX_SPEC_BYTES + 1);
	big[CDI_MAX_SPEC_BYTES + 1] = '\0';
	bad(big, false, "larger than", "a spec over the size bound");
	free(big);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void apply(void)
{
	char tmpl[] = "/tmp/burrow-cdi-test.XXXXXX";
	const char *dir = mkdtemp(tmpl);
	_cleanup_free_ char *d2 = NULL, *conflict = NULL, *dirs = NULL;
	struct container_spec s;
	struct err e = ERR_INIT;
	char *devs[4] = { NULL, NULL, NULL, NULL };

	if (!dir) {
		ok(0, "mkdtemp");
		return;
	}
	d2 = xasprintf("%s/over", dir);
	conflict = xasprintf("%s/conflict", dir);
	if (mkdir_p_at(AT_FDCWD, d2, 0700, &e) < 0 || mkdir_p_at(AT_FDCWD, conflict, 0700, &e) < 0) {
		ok(0, "mkdir");
		return;
	}
	write_file(dir, "gpu.json", good_json);
	write_file(dir, "acc.yaml", good_yaml);
	write_file(dir, "notes.txt", "not a spec");
	write_file(d2, "gpu.json",
		   "{\"cdiVersion\":\"0.6.0\",\"kind\":\"example.com/gpu\",\"devices\":[{\"name\":\"gpu1\","
		   "\"containerEdits\":{\"env\":[\"B=over\"]}}]}");
	write_file(conflict, "a.json", good_json);
	write_file(conflict, "b.json", good_json);
	setenv("BURROW_CDI_SPEC_DIRS", dir, 1);

	memset(&s, 0, sizeof s);
	strv_push(&s.env, "A=image");
	devs[0] = "/dev/null:/dev/n";
	devs[1] = "example.com/gpu=all";
	if (!ok(cdi_apply(NULL, devs, &s, &e) == 0, "apply example.com/gpu=all"))
		printf("# error: %s\n", e.msg);
	is_int(strv_len(s.env), 2, "the env: one replaced, one added");
	is_str(s.env[0], "A=1", "the spec's A replaces the image's");
	is_str(s.env[1], "B=2", "and gpu1's B is added");
	is_int(strv_len(s.devices), 1, "one device node");
	is_str(s.devices[0], "/dev/zero:/dev/gpu0:rwm", "as HOST:CTR:rwm");
	is_int(s.nvolumes, 1, "one mount, the spec-wide one once");
	if (s.nvolumes) {
		is_str(s.volumes[0].src, "/usr/lib", "its source");
		ok(s.volumes[0].readonly, "read-only");
		is_str(s.volumes[0].mode, "ro,bind", "its options for inspect");
	}
	container_spec_free(&s);
	err_clear(&e);

	memset(&s, 0, sizeof s);
	devs[0] = "example.org/acc=fpga";
	devs[1] = "example.com/gpu=gpu0";
	devs[2] = "example.com/gpu=gpu0";
	ok(cdi_apply(NULL, devs, &s, &e) == 0 && strv_len(s.devices) == 2,
	   "two specs, a name given twice once");
	container_spec_free(&s);
	err_clear(&e);
	devs[1] = devs[2] = NULL;

	/* in a Slurm job, =all of a GPU kind is the job's GPUs */
	memset(&s, 0, sizeof s);
	devs[0] = "example.com/gpu=all";
	setenv("SLURM_JOB_GPUS", "gpu0", 1);
	ok(cdi_apply(NULL, devs, &s, &e) == 0 && strv_len(s.env) == 1 && strv_len(s.devices) == 1,
	   "SLURM_JOB_GPUS narrows =all");
	container_spec_free(&s);
	err_clear(&e);
	memset(&s, 0, sizeof s);
	setenv("SLURM_STEP_GPUS", "gpu1", 1);
	ok(cdi_apply(NULL, devs, &s, &e) == 0 && strv_len(s.env) == 2 && !s.devices,
	   "SLURM_STEP_GPUS wins over SLURM_JOB_GPUS");
	container_spec_free(&s);
	err_clear(&e);
	memset(&s, 0, sizeof s);
	setenv("SLURM_STEP_GPUS", "gpu1,gpu3", 1);
	ok(cdi_apply(NULL, devs, &s, &e) < 0 && e.msg && strstr(e.msg, "GPU gpu3"), "a GPU no spec defines");
	container_spec_free(&s);
	err_clear(&e);
	unsetenv("SLURM_STEP_GPUS");
	unsetenv("SLURM_JOB_GPUS");

	memset(&s, 0, sizeof s);
	devs[0] = "example.com/gpu=gpu9";
	ok(cdi_apply(NULL, devs, &s, &e) < 0 && e.msg &&
		   strstr(e.msg, "unknown CDI device example.com/gpu=gpu9"),
	   "an unknown device is named");
	container_spec_free(&s);
	err_clear(&e);

	/* a later directory overrides an earlier one */
	dirs = xasprintf("%s:%s", dir, d2);
	setenv("BURROW_CDI_SPEC_DIRS", dirs, 1);
	memset(&s, 0, sizeof s);
	devs[0] = "example.com/gpu=gpu1";
	ok(cdi_apply(NULL, devs, &s, &e) == 0 && s.env && !strcmp(s.env[0], "B=over") && !s.devices,
	   "a later directory overrides an earlier one");
	container_spec_free(&s);
	err_clear(&e);

	setenv("BURROW_CDI_SPEC_DIRS", conflict, 1);
	memset(&s, 0, sizeof s);
	ok(cdi_apply(NULL, devs, &s, &e) < 0 && e.msg && strstr(e.msg, "conflicting"),
	   "two files of one directory defining a device conflict");
	container_spec_free(&s);
	err_clear(&e);

	/* the burrow.conf list applies when the environment names none */
	unsetenv("BURROW_CDI_SPEC_DIRS");
	{
		char *conf[] = { d2, NULL };
		char **got = cdi_spec_dirs(conf);
		ok(strv_len(got) == 1 && !strcmp(got[0], d2), "cdi-spec-dirs from burrow.conf");
		strv_free(got);
		got = cdi_spec_dirs(NULL);
		ok(strv_len(got) == 2 && !strcmp(got[0], "/etc/cdi") && !strcmp(got[1], "/var/run/cdi"),
		   "the default directories");
		strv_free(got);
	}
	/* no CDI name: nothing is read */
	memset(&s, 0, sizeof s);
	devs[0] = "/dev/null";
	ok(cdi_apply(NULL, devs, &s, &e) == 0 && !s.env, "no CDI name, nothing done");
	container_spec_free(&s);
	err_clear(&e);

	rm_rf_at(AT_FDCWD, dir, &e);
	err_clear(&e);
}

int main(void)
{
	names();
	good();
	hostile();
	apply();
	return done_testing();
}
