/* cgwork.c - static workloads for the cgroup tests (tests/vm/cgroup.t):
 * run by cgtest as a container's process, or bound into a container by
 * the `burrow run` versions of the same tests.
 *
 *   cgwork hog MB        touch MB MiB of memory, print "survived", exit 0
 *   cgwork forkbomb      fork until fork fails, print "forks=N", exit 0
 *   cgwork burn SECONDS  spin on the CPU
 *   cgwork hold MB SECONDS  touch MB MiB, keep them, sleep
 *   cgwork sleep SECONDS
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "hog") == 0 && argc == 3) {
		long mb = atol(argv[2]);
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): never freed on purpose, it fills the memory limit
		for (long i = 0; i < mb; i++) {
			char *p = malloc(1 << 20);
			if (!p)
				return 3;
			memset(p, 1, 1 << 20);
		}
		puts("survived");
		return 0;
	}
	if (strcmp(argv[1], "hold") == 0 && argc == 4) {
		long mb = atol(argv[2]);
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): never freed on purpose, it fills the memory limit
		for (long i = 0; i < mb; i++) {
			char *p = malloc(1 << 20);
			if (!p)
				return 3;
			memset(p, 1, 1 << 20);
		}
		sleep((unsigned)atoi(argv[3]));
		return 0;
	}
	if (strcmp(argv[1], "forkbomb") == 0) {
		int n = 0;
		for (;;) {
			pid_t p = fork();
			if (p == 0) {
				pause();
				_exit(0);
			}
			if (p < 0)
				break;
			if (++n > 10000)
				break;
		}
		printf("forks=%d\nerrno=%s\n", n, strerror(errno));
		fflush(stdout);
		return 0;
	}
	if (strcmp(argv[1], "burn") == 0 && argc == 3) {
		double end = now() + atof(argv[2]);
		volatile unsigned long x = 0;
		while (now() < end)
			for (int i = 0; i < 100000; i++)
				x++;
		return 0;
	}
	if (strcmp(argv[1], "sleep") == 0 && argc == 3) {
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	return 2;
}
