/* SPDX-License-Identifier: MIT */
/* CHECK(cond, fmt, ...), the C tests' assertion: a failure is printed with
 * its file and line and counted in fails, and the test goes on. */
#ifndef KERF_TESTS_CHECK_H
#define KERF_TESTS_CHECK_H

#include <stdio.h>

/* Checks that failed so far; main returns 1 when any did. */
static int fails;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			fails++;                                             \
		}                                                            \
	} while (0)

#endif
