/* SPDX-License-Identifier: MIT */
/* Test helper for kerf stress fit: allocate and touch N MiB, then exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0;
	size_t len = (size_t)mib << 20;
	volatile char *p;
	int ok;

	if (mib <= 0) {
		fprintf(stderr, "usage: fit_alloc MIB\n");
		return 2;
	}
	p = malloc(len);
	if (!p)
		return 1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)i;
	usleep(100000);
	ok = p[len - 4096] == (char)(len - 4096);
	free((void *)p);
	return ok ? 0 : 1;
}
