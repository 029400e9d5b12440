/* SPDX-License-Identifier: MIT */
/* kerf price without --run: kerf's own runner measures the benches needed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/price.h"

#define MEASURE_MAX 64

/*
 * Run `kerf run --quick --out DIR BENCH...` for the benches the profile
 * needs, its output on stderr. Returns 0 when DIR/run.json was written
 * (some benches may have failed: their calls are then unpriced).
 */
int kerf_price_measure(const char *const *benches, int n, const char *dir,
		       char *err, size_t errlen)
{
	const char *argv[MEASURE_MAX + 8];
	int argc = 0, status;
	pid_t pid;

	if (n > MEASURE_MAX)
		n = MEASURE_MAX;
	argv[argc++] = "kerf";
	argv[argc++] = "run";
	argv[argc++] = "--quick";
	argv[argc++] = "--out";
	argv[argc++] = dir;
	for (int i = 0; i < n; i++)
		argv[argc++] = benches[i];
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (!pid) {
		dup2(2, 1);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -ECHILD;
		}
	/* 1: a bench failed, the others are in run.json. */
	if (WIFEXITED(status) &&
	    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1))
		return 0;
	snprintf(err, errlen,
		 "kerf run of the needed benches failed (status 0x%x)", status);
	return -EIO;
}
