/* SPDX-License-Identifier: MIT */
/* Statistics against values computed independently: Python 3.11's statistics
 * module (median, mean, stdev, quantiles(method='inclusive') = type 7) and
 * tests/ref/boot_ref.py for the bootstrap interval. */
#include <math.h>
#include <stdio.h>

#include "kerf/stats.h"

static int fails;

static void near(const char *what, double got, double want, double tol)
{
	if (fabs(got - want) > tol * (fabs(want) > 1 ? fabs(want) : 1)) {
		printf("FAIL %s: got %.17g, want %.17g\n", what, got, want);
		fails++;
	}
}

static void eq(const char *what, long got, long want)
{
	if (got != want) {
		printf("FAIL %s: got %ld, want %ld\n", what, got, want);
		fails++;
	}
}

/* One flat list of checks against reference values; it is one piece so each
 * value stays next to the tool that computed it. */
int main(void)
{
	static const double x[] = { 12.5, 10.1, 11.7, 10.9, 13.2, 10.4,
				    55.0, 11.1, 10.8, 12.0, 9.7,  11.3 };
	static const int g[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 };
	struct kerf_stats st;
	double lo, hi, lo2, hi2, c[50];

	if (kerf_stats_compute(x, NULL, 12, 42, 200, &st))
		return 1;
	/* python3: statistics.median/mean/stdev on the same list */
	near("median", st.median, 11.2, 1e-12);
	near("mean", st.mean, 14.891666666666666, 1e-12);
	near("stddev", st.stddev, 12.670112170941598, 1e-12);
	near("cv", st.cv, 0.8508189482445394, 1e-12);
	near("min", st.min, 9.7, 0);
	near("max", st.max, 55.0, 0);
	near("mad", st.mad, 0.8, 1e-12);
	/* statistics.quantiles(x, n=100, method='inclusive') */
	near("p1", st.p1, 9.744, 1e-12);
	near("p5", st.p5, 9.92, 1e-12);
	near("p25", st.p25, 10.7, 1e-12);
	near("p75", st.p75, 12.125, 1e-12);
	near("p95", st.p95, 32.01, 1e-12);
	near("p99", st.p99, 50.402, 1e-12);
	/* 55.0 is beyond both fences above; nothing below */
	eq("high mild", st.out_high_mild, 1);
	eq("high severe", st.out_high_severe, 1);
	eq("low mild", st.out_low_mild, 0);
	eq("low severe", st.out_low_severe, 0);
	/* tests/ref/boot_ref.py, seed 42, 200 replicates */
	near("flat ci lo", st.ci_lo, 10.600000000000001, 1e-12);
	near("flat ci hi", st.ci_hi, 12.5, 1e-12);
	kerf_boot_median_ci(x, g, 12, 42, 200, &lo, &hi);
	near("grouped ci lo", lo, 10.597500000000002, 1e-12);
	near("grouped ci hi", hi, 13.199999999999999, 1e-12);

	/* The same seed gives the same interval; constant data a point. */
	kerf_boot_median_ci(x, g, 12, 42, 200, &lo2, &hi2);
	near("reproducible lo", lo2, lo, 0);
	near("reproducible hi", hi2, hi, 0);
	for (int i = 0; i < 50; i++)
		c[i] = 7.0;
	kerf_boot_median_ci(c, NULL, 50, 1, 500, &lo, &hi);
	near("constant lo", lo, 7.0, 0);
	near("constant hi", hi, 7.0, 0);

	/* Groups far apart: the hierarchical interval must be wider than
	 * the one that pretends all samples are independent. */
	for (int i = 0; i < 50; i++)
		c[i] = 100.0 * (i / 10) + (i % 10);
	{
		int gg[50];

		for (int i = 0; i < 50; i++)
			gg[i] = i / 10;
		kerf_boot_median_ci(c, NULL, 50, 3, 1000, &lo, &hi);
		kerf_boot_median_ci(c, gg, 50, 3, 1000, &lo2, &hi2);
		if (!(hi2 - lo2 > hi - lo)) {
			printf("FAIL grouped interval %.3g not wider than flat %.3g\n",
			       hi2 - lo2, hi - lo);
			fails++;
		}
	}
	/* Per-process medians (each of four samples): 11.3, 12.15, 11.05;
	 * their CV by python3 statistics.stdev(m) / statistics.mean(m). */
	{
		int ng;
		double cv = kerf_group_median_cv(x, g, 12, &ng);

		eq("groups", ng, 3);
		near("proc cv", cv, 0.050141576498568576, 1e-9);
	}
	/* The rng: below(n) stays in range and hits every value. */
	{
		struct kerf_rng r;
		int seen[7] = { 0 };

		kerf_rng_seed(&r, 9);
		for (int i = 0; i < 7000; i++) {
			uint64_t v = kerf_rng_below(&r, 7);

			if (v >= 7) {
				fails++;
				break;
			}
			seen[v]++;
		}
		for (int i = 0; i < 7; i++)
			if (seen[i] < 800 || seen[i] > 1200) {
				printf("FAIL rng bucket %d: %d of 7000\n", i,
				       seen[i]);
				fails++;
			}
	}
	if (kerf_stats_compute(x, NULL, 0, 1, 10, &st) == 0) {
		printf("FAIL empty input accepted\n");
		fails++;
	}
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
