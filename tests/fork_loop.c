/* SPDX-License-Identifier: MIT */
/* A bare C loop of fork() + _exit(0) + waitpid(), the yardstick that
 * spawn/fork at rss=0 is compared with (tests/spawn_lean.sh): prints its
 * mapping count, then the ns per fork of each batch. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int batches = argc > 1 ? atoi(argv[1]) : 10;
	int ops = argc > 2 ? atoi(argv[2]) : 100;
	FILE *f = fopen("/proc/self/maps", "re");
	int maps = 0, c;

	while (f && (c = fgetc(f)) != EOF)
		maps += c == '\n';
	if (f)
		fclose(f);
	printf("maps %d\n", maps);
	for (int b = 0; b < batches; b++) {
		double t0 = now_ns();

		for (int i = 0; i < ops; i++) {
			pid_t pid = fork();
			int st;

			if (!pid)
				_exit(0);
			if (pid < 0 || waitpid(pid, &st, 0) != pid || st) {
				perror("fork_loop");
				return 1;
			}
		}
		printf("%.1f\n", (now_ns() - t0) / ops);
	}
	return 0;
}
