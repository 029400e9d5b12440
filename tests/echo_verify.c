/* SPDX-License-Identifier: MIT */
/* The echo client checks every byte: a flipped byte is an error, never ok. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/bench.h"
#include "kerf/echo.h"
#include "check.h"

/* The verify function alone: whole, split, and corrupted replies. */
static void unit(void)
{
	const size_t msg = 100;
	uint8_t buf[100], bad[100];
	size_t pos;

	kerf_echo_fill(buf, msg, 7, 12345);
	CHECK(kerf_echo_verify(buf, msg, 0, msg, 7, 12345) == -1,
	      "an intact reply is refused");
	CHECK(kerf_echo_verify(buf + 10, 50, 10, msg, 7, 12345) == -1,
	      "an intact middle piece is refused");
	CHECK(kerf_echo_verify(buf, msg, 0, msg, 8, 12345) >= 0,
	      "a reply of another connection passes");
	CHECK(kerf_echo_verify(buf, msg, 0, msg, 7, 12346) >= 0,
	      "a reply to another request passes");
	for (pos = 0; pos < msg; pos++) {
		memcpy(bad, buf, msg);
		bad[pos] ^= 0x01;
		CHECK(kerf_echo_verify(bad, msg, 0, msg, 7, 12345) == (long)pos,
		      "one flipped bit at byte %zu not found there", pos);
	}
	memcpy(bad, buf, msg);
	bad[60] = (uint8_t)~bad[60];
	CHECK(kerf_echo_verify(bad + 40, 30, 40, msg, 7, 12345) == 20,
	      "a flipped byte in a split reply not found");
	/* A reply shifted by one byte (a lost byte) does not pass. */
	CHECK(kerf_echo_verify(buf + 1, msg - 1, 0, msg, 7, 12345) >= 0,
	      "a shifted reply passes");
}

/* The whole path: a server that flips one byte makes the run fail. */
static void end_to_end(enum kerf_echo_engine engine, int mode, uint64_t at)
{
	struct kerf_echo_cfg cfg = {
		.engine = engine,
		.transport = KERF_ECHO_UNIX,
		.conns = 4,
		.msg = 64,
		.depth = 2,
		.server_pu = -1,
		.uring_mode = mode,
		.corrupt_at = at,
	};
	struct kerf_echo_summary s;
	struct kerf_echo *e;
	char why[1024];
	uint64_t done;
	int ret, i;

	ret = kerf_echo_start(&cfg, &e, why, sizeof(why));
	if (ret == KERF_SKIP) {
		printf("skip engine %d mode %d: %s\n", engine, mode, why);
		return;
	}
	CHECK(ret == 0, "start engine %d: %d %s", engine, ret, why);
	if (ret)
		return;
	ret = kerf_echo_begin(e, 100, why, sizeof(why));
	for (i = 0; !ret && i < 5; i++)
		ret = kerf_echo_run(e, 1000, &done, why, sizeof(why));
	if (!ret)
		ret = kerf_echo_end(e, &s, why, sizeof(why));
	if (at) {
		CHECK(ret == -EBADMSG && strstr(why, "echo mismatch"),
		      "engine %d mode %d: byte %llu flipped, got %d '%s'",
		      engine, mode, (unsigned long long)at, ret, why);
		printf("engine %d mode %d corrupt_at %llu: %s\n", engine, mode,
		       (unsigned long long)at, why);
	} else {
		CHECK(ret == 0, "engine %d mode %d intact: %d %s", engine, mode,
		      ret, why);
		CHECK(ret || s.reqs >= 5000, "only %llu requests",
		      (unsigned long long)s.reqs);
	}
	kerf_echo_stop(e);
}

int main(void)
{
	unit();
	end_to_end(KERF_ECHO_EPOLL, 0, 0);
	end_to_end(KERF_ECHO_EPOLL, 0, 64 * 500 + 17);
	end_to_end(KERF_ECHO_SELECT, 0, 5);
	end_to_end(KERF_ECHO_URING, KERF_ECHO_URING_POLL, 0);
	end_to_end(KERF_ECHO_URING, KERF_ECHO_URING_POLL, 64 * 300 + 40);
	end_to_end(KERF_ECHO_URING, KERF_ECHO_URING_RECV, 0);
	end_to_end(KERF_ECHO_URING, KERF_ECHO_URING_RECV, 64 * 700 + 63);
	printf("%s\n", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}
