/* SPDX-License-Identifier: MIT */
/* The chase visits every slot: Sattolo's permutation is one cycle, in place too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/memlib.h"

/* One cycle: following p from 0 comes back to 0 after exactly n steps. */
static int check_perm(size_t n, uint64_t seed)
{
	uint32_t *p = malloc(n * sizeof(*p));
	size_t steps = 0, fixed = 0;
	uint32_t i = 0;

	kerf_sattolo(p, n, seed);
	for (size_t k = 0; k < n; k++)
		fixed += p[k] == k;
	do {
		i = p[i];
		steps++;
	} while (i != 0 && steps <= n);
	free(p);
	if (steps != n || (n > 1 && fixed)) {
		printf("FAIL sattolo n=%zu seed=%llu: cycle of %zu, %zu fixed\n",
		       n, (unsigned long long)seed, steps, fixed);
		return 1;
	}
	return 0;
}

/* The in-place chase over slots: every slot once, then back to slot 0. */
static int check_chase(size_t n, size_t stride, size_t rot, uint64_t seed)
{
	size_t len = n * stride + 64, steps = 0;
	char *base = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
	unsigned char *seen = calloc(n, 1);
	void **start, **p;
	int bad = 0;

	memset(base, 0, len);
	start = kerf_chase_build(base, n, stride, rot, seed);
	p = start;
	do {
		size_t idx = (size_t)((char *)p - base) / stride;
		size_t off = (size_t)((char *)p - base) % stride;

		if (idx >= n || off != (rot > 1 ? (idx % rot) * 64 : 0) ||
		    seen[idx]) {
			bad = 1;
			break;
		}
		seen[idx] = 1;
		p = (void **)*p;
		steps++;
	} while (p != start && steps <= n);
	if (bad || steps != n) {
		printf("FAIL chase n=%zu stride=%zu rot=%zu: %zu steps%s\n", n,
		       stride, rot, steps, bad ? ", bad slot" : "");
		bad = 1;
	}
	free(seen);
	free(base);
	return bad;
}

int main(void)
{
	int fails = 0;

	for (size_t n = 1; n <= 300; n++)
		for (uint64_t seed = 1; seed <= 5; seed++)
			fails += check_perm(n, seed * 7919 + n);
	fails += check_perm(1u << 20, 42);
	fails += check_perm(1000003, 43);

	for (size_t n = 1; n <= 200; n += 7)
		fails += check_chase(n, 64, 1, n);
	fails += check_chase(4096, 4096, 64, 5);
	fails += check_chase(777, 4096, 64, 6);
	fails += check_chase(100000, 64, 1, 7);
	if (fails)
		return 1;
	printf("ok: every permutation and chase is one cycle over all slots\n");
	return 0;
}
