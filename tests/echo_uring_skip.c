/* SPDX-License-Identifier: MIT */
/* An io_uring feature the kernel refuses makes the variant skip, with why. */
#include <stdio.h>
#include <string.h>

#include "kerf/bench.h"
#include "kerf/echo.h"

int main(void)
{
	struct kerf_echo_cfg cfg = {
		.engine = KERF_ECHO_URING,
		.transport = KERF_ECHO_UNIX,
		.conns = 2,
		.msg = 64,
		.depth = 1,
		.server_pu = -1,
		.uring_mode = KERF_ECHO_URING_RECV,
		/* No kernel defines setup flag bit 31. */
		.extra_setup_flags = 1u << 31,
	};
	struct kerf_echo *e = NULL;
	char why[1024] = "";
	int ret, fails = 0;

	ret = kerf_echo_start(&cfg, &e, why, sizeof(why));
	printf("unknown setup flag: ret %d, why '%s'\n", ret, why);
	if (ret != KERF_SKIP) {
		printf("FAIL: expected a skip (%d)\n", KERF_SKIP);
		fails++;
		kerf_echo_stop(e);
	} else if (!strstr(why, "0x80000000") &&
		   !strstr(why, "io_uring_disabled")) {
		printf("FAIL: the reason names neither the flag nor why\n");
		fails++;
	}

	/* SQPOLL with DEFER_TASKRUN: the kernel says no, or a newer one
	 * may say yes; an error is wrong either way. */
	cfg.extra_setup_flags = 0;
	cfg.sqpoll = true;
	cfg.taskrun = KERF_ECHO_TASKRUN_DEFER;
	why[0] = 0;
	ret = kerf_echo_start(&cfg, &e, why, sizeof(why));
	printf("sqpoll + defer: ret %d, why '%s'\n", ret, why);
	if (ret < 0 || (ret == KERF_SKIP && !strstr(why, "DEFER_TASKRUN") &&
			!strstr(why, "io_uring_disabled"))) {
		printf("FAIL: expected ok or a skip naming DEFER_TASKRUN\n");
		fails++;
	}
	if (ret == 0)
		kerf_echo_stop(e);
	printf("%s\n", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}
