/* SPDX-License-Identifier: MIT */
/* The log-bucket histogram against exact nearest-rank percentiles of known samples. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "kerf/hdr.h"

#define N 200000

static struct kerf_hdr h;
static uint64_t v[N];

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The ceil(q * n)-th smallest of a sorted array. */
static uint64_t exact(const uint64_t *s, size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);

	return s[(r ? r : 1) - 1];
}

static void check_buckets(void)
{
	uint64_t x = 1;

	for (int k = 0; k < 4000; k++, x = x * 1013 / 1000 + 1) {
		unsigned int i = kerf_hdr_index(x);
		uint64_t lo = kerf_hdr_low(i), w = kerf_hdr_width(i);

		CHECK(lo <= x && x - lo < w, "%llu outside bucket %u",
		      (unsigned long long)x, i);
		CHECK(x < 256 ? w == 1 : w * 256 <= lo,
		      "bucket %u of %llu is %llu wide", i,
		      (unsigned long long)x, (unsigned long long)w);
		CHECK(i < KERF_HDR_BUCKETS, "index %u out of range", i);
		if (x > UINT64_MAX / 2)
			break;
	}
	CHECK(kerf_hdr_index(UINT64_MAX) == KERF_HDR_BUCKETS - 1,
	      "top bucket %u", kerf_hdr_index(UINT64_MAX));
}

/* Every percentile of the sample within 1/512 of the exact one. */
static void check_sample(const char *what, size_t n)
{
	static const double qs[] = { 0.001, 0.1,   0.5,	   0.9,
				     0.99,  0.999, 0.9999, 1.0 };

	kerf_hdr_reset(&h);
	for (size_t i = 0; i < n; i++)
		kerf_hdr_add(&h, v[i]);
	qsort(v, n, sizeof(v[0]), cmp_u64);
	CHECK(h.n == n, "%s: n %llu", what, (unsigned long long)h.n);
	CHECK(h.min == v[0] && h.max == v[n - 1], "%s: min/max", what);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		double want = (double)exact(v, n, qs[k]);
		double got = kerf_hdr_quantile(&h, qs[k]);

		CHECK(fabs(got - want) <= want / 512 + 0.5,
		      "%s: q=%g got %.1f want %.0f", what, qs[k], got, want);
	}
}

int main(void)
{
	uint64_t s = 88172645463325252ull;

	check_buckets();
	kerf_hdr_reset(&h);
	CHECK(kerf_hdr_quantile(&h, 0.99) == 0, "empty histogram");
	/* 1..1000: p99 is exactly 990, p50 500, max 1000. */
	for (size_t i = 0; i < 1000; i++)
		v[i] = i + 1;
	check_sample("1..1000", 1000);
	CHECK(fabs(kerf_hdr_quantile(&h, 0.99) - 990) <= 1, "p99 of 1..1000 %f",
	      kerf_hdr_quantile(&h, 0.99));
	/* Log-uniform from 1 us to 100 ms (xorshift64), then a tail of 0.2%
	 * near 50 ms that p99.9 must find. */
	for (size_t i = 0; i < N; i++) {
		double u;

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		u = (double)(s >> 11) / 9007199254740992.0;
		v[i] = (uint64_t)(1000 * pow(1e5, u));
		if (i % 500 == 0)
			v[i] = 50000000 + i;
	}
	check_sample("log-uniform", N);
	CHECK(kerf_hdr_quantile(&h, 0.9995) > 4.9e7, "tail lost: %f",
	      kerf_hdr_quantile(&h, 0.9995));
	return fails ? 1 : 0;
}
