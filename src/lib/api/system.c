/* system.c - GET/HEAD /_ping, GET /version, GET /info: what docker clients
 * ask first, with the headers and fields they check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "api_int.h"
#include "lib/base/util.h"
#include "lib/record/container.h"
#include "lib/record/state.h"
#include "lib/store/store.h"

#define S(o, k, v) json_object_object_add(o, k, json_object_new_string(v))
#define I(o, k, v) json_object_object_add(o, k, json_object_new_int64(v))
#define B(o, k, v) json_object_object_add(o, k, json_object_new_boolean(v))
#define O(o, k, v) json_object_object_add(o, k, v)

enum MHD_Result api_ping(struct api_req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)(uintptr_t) "OK",
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
	MHD_add_response_header(resp, "Pragma", "no-cache");
	MHD_add_response_header(resp, "Api-Version", API_VERSION);
	MHD_add_response_header(resp, "Builder-Version", "1");
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "Ostype", "linux");
	MHD_add_response_header(resp, "Server", "burrow (linux)");
	ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *go_arch(const char *machine)
{
	if (strcmp(machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(machine, "aarch64") == 0)
		return "arm64";
	return machine;
}

enum MHD_Result api_version(struct api_req *r)
{
	json_object *o = json_object_new_object(), *plat = json_object_new_object();
	json_object *comps = json_object_new_array(), *c = json_object_new_object(),
		    *det = json_object_new_object();
	struct utsname u;

	uname(&u);
	S(plat, "Name", "burrow");
	O(o, "Platform", plat);
	S(c, "Name", "Engine");
	S(c, "Version", r->o->version);
	S(det, "ApiVersion", API_VERSION);
	S(det, "MinAPIVersion", API_MIN_VERSION);
	S(det, "Os", "linux");
	S(det, "Arch", go_arch(u.machine));
	S(det, "KernelVersion", u.release);
	O(c, "Details", det);
	json_object_array_add(comps, c);
	O(o, "Components", comps);
	S(o, "Version", r->o->version);
	S(o, "ApiVersion", API_VERSION);
	S(o, "MinAPIVersion", API_MIN_VERSION);
	S(o, "GitCommit", "");
	S(o, "GoVersion", "");
	S(o, "Os", "linux");
	S(o, "Arch", go_arch(u.machine));
	S(o, "KernelVersion", u.release);
	S(o, "BuildTime", "");
	return api_reply_json(r, MHD_HTTP_OK, o);
}

/* the first PRETTY_NAME of /etc/os-release */
static char *os_name(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/os-release", "re");
	char line[256];

	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
			char *v = line + 12;
			v[strcspn(v, "\n")] = '\0';
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = '\0';
			}
			return xstrdup(v);
		}
	}
	return xstrdup("Linux");
}

static json_object *strs(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

enum MHD_Result api_info(struct api_req *r)
{
	json_object *o = json_object_new_object(), *plugins = json_object_new_object();
	json_object *reg = json_object_new_object(), *swarm = json_object_new_object();
	_cleanup_strv_ char **ids = NULL;
	_cleanup_free_ char *os = os_name();
	struct err e = ERR_INIT;
	struct store *st = NULL;
	struct utsname u;
	struct sysinfo si;
	long long running = 0, paused = 0, stopped = 0, nimages = 0;
	char host[256] = "";
	static const char *const vol[] = { "local", NULL }, *const net[] = { "bridge", "host", "none", NULL },
				 *const logd[] = { "k8s-file", "none", NULL },
				 *const sec[] = { "name=seccomp,profile=default", "name=rootless", NULL },
				 *const none[] = { NULL };

	uname(&u);
	gethostname(host, sizeof host - 1);
	if (sysinfo(&si) < 0)
		memset(&si, 0, sizeof si);
	if (container_list(r->b->root, &ids, &e) < 0)
		err_clear(&e);
	for (size_t i = 0; ids && ids[i]; i++) {
		_cleanup_free_ char *dir = xasprintf("%s/containers/%s", r->b->root, ids[i]);
		struct ctr_state cs;
		ctr_state_init(&cs);
		if (state_load(dir, &cs, &e) < 0) {
			err_clear(&e);
			continue;
		}
		if (cs.status == ST_RUNNING && proc_alive(cs.pid, cs.pid_start))
			running++;
		else if (cs.status == ST_PAUSED)
			paused++;
		else
			stopped++;
		ctr_state_free(&cs);
	}
	if (store_open(r->b->root, &st, &e) == 0) {
		struct image **imgs = NULL;
		size_t n = 0;
		if (store_image_list(st, &imgs, &n, &e) == 0) {
			for (size_t i = 0; i < n; i++) {
				nimages += !imgs[i]->intermediate;
				image_free(imgs[i]);
			}
			free(imgs);
		}
		store_close(st);
	}
	err_clear(&e);
	S(o, "ID", host);
	I(o, "Containers", running + paused + stopped);
	I(o, "ContainersRunning", running);
	I(o, "ContainersPaused", paused);
	I(o, "ContainersStopped", stopped);
	I(o, "Images", nimages);
	S(o, "Driver", "overlay");
	O(o, "DriverStatus", json_object_new_array());
	O(plugins, "Volume", strs(vol));
	O(plugins, "Network", strs(net));
	O(plugins, "Authorization", NULL);
	O(plugins, "Log", strs(logd));
	O(o, "Plugins", plugins);
	B(o, "MemoryLimit", true);
	B(o, "SwapLimit", true);
	B(o, "CpuCfsPeriod", true);
	B(o, "CpuCfsQuota", true);
	B(o, "CPUShares", true);
	B(o, "CPUSet", true);
	B(o, "PidsLimit", true);
	B(o, "IPv4Forwarding", true);
	B(o, "BridgeNfIptables", false);
	B(o, "BridgeNfIp6tables", false);
	B(o, "Debug", false);
	I(o, "NFd", 0);
	B(o, "OomKillDisable", false);
	I(o, "NGoroutines", 0);
	S(o, "SystemTime", "");
	S(o, "LoggingDriver", "k8s-file");
	S(o, "CgroupDriver", "systemd");
	S(o, "CgroupVersion", "2");
	I(o, "NEventsListener", 0);
	S(o, "KernelVersion", u.release);
	S(o, "OperatingSystem", os);
	S(o, "OSVersion", "");
	S(o, "OSType", "linux");
	S(o, "Architecture", u.machine);
	I(o, "NCPU", sysconf(_SC_NPROCESSORS_ONLN));
	I(o, "MemTotal", (long long)si.totalram * si.mem_unit);
	S(o, "IndexServerAddress", "https://index.docker.io/v1/");
	O(reg, "AllowNondistributableArtifactsCIDRs", json_object_new_array());
	O(reg, "AllowNondistributableArtifactsHostnames", json_object_new_array());
	O(reg, "InsecureRegistryCIDRs", json_object_new_array());
	O(reg, "IndexConfigs", json_object_new_object());
	O(reg, "Mirrors", json_object_new_array());
	O(o, "RegistryConfig", reg);
	S(o, "Name", host);
	O(o, "Labels", strs(none));
	B(o, "ExperimentalBuild", false);
	S(o, "ServerVersion", r->o->version);
	O(o, "Runtimes", json_object_new_object());
	S(o, "DefaultRuntime", "burrow");
	S(swarm, "LocalNodeState", "inactive");
	S(swarm, "NodeID", "");
	S(swarm, "NodeAddr", "");
	B(swarm, "ControlAvailable", false);
	S(swarm, "Error", "");
	O(swarm, "RemoteManagers", NULL);
	O(o, "Swarm", swarm);
	B(o, "LiveRestoreEnabled", false);
	S(o, "Isolation", "");
	S(o, "InitBinary", "burrow-init");
	O(o, "SecurityOptions", strs(sec));
	S(o, "DockerRootDir", r->b->root);
	S(o, "HttpProxy", getenv("HTTP_PROXY") ? getenv("HTTP_PROXY") : "");
	S(o, "HttpsProxy", getenv("HTTPS_PROXY") ? getenv("HTTPS_PROXY") : "");
	S(o, "NoProxy", getenv("NO_PROXY") ? getenv("NO_PROXY") : "");
	O(o, "Warnings", json_object_new_array());
	return api_reply_json(r, MHD_HTTP_OK, o);
}
