/* SPDX-License-Identifier: MIT */
/* Descriptive statistics, the bootstrap and the random numbers they use. */
#ifndef KERF_STATS_H
#define KERF_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Bootstrap replicates, for every interval kerf prints (run, gate, report). */
#define KERF_BOOT_REPS 2000

/* xoshiro256** seeded through splitmix64: fast, reproducible from a seed. */
struct kerf_rng {
	uint64_t s[4];
};

void kerf_rng_seed(struct kerf_rng *r, uint64_t seed);
uint64_t kerf_rng_next(struct kerf_rng *r);
/* Uniform in [0, n), without modulo bias. */
uint64_t kerf_rng_below(struct kerf_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double kerf_rng_double(struct kerf_rng *r);

struct kerf_stats {
	size_t n;
	double median, mean, stddev, min, max;
	double mad; /* median absolute deviation, unscaled */
	double cv; /* stddev / mean */
	double p1, p5, p25, p75, p95, p99;
	double ci_lo, ci_hi; /* bootstrap 95% interval of the median */
	uint64_t seed; /* the bootstrap's seed */
	int boot_reps;
	/* Tukey fences: beyond 1.5 IQR (mild, includes severe), 3 IQR. */
	int out_low_mild, out_high_mild, out_low_severe, out_high_severe;
};

/* Compare for qsort on doubles. */
int kerf_cmp_double(const void *a, const void *b);
/* Quantile q in [0,1] of sorted x, linear interpolation between order
 * statistics (Hyndman-Fan type 7: R's default, numpy's "linear"). */
double kerf_quantile_sorted(const double *x, size_t n, double q);
/* Median of x (x is not changed). NaN when n == 0. */
double kerf_median(const double *x, size_t n);

/*
 * Bootstrap 95% percentile interval of the median. group[i] names the worker
 * process sample i came from (NULL: one group). Each replicate resamples the
 * groups with replacement, then samples with replacement within each chosen
 * group, so run-to-run variance is in the interval.
 */
void kerf_boot_median_ci(const double *x, const int *group, size_t n,
			 uint64_t seed, int reps, double *lo, double *hi);

/* The CV of the per-group (per worker process) medians: the run-to-run
 * spread that samples inside one process cannot show. NaN under 2 groups. */
double kerf_group_median_cv(const double *x, const int *group, size_t n,
			    int *ngroups);

/* Everything above for one set of samples. Returns 0 or -EINVAL (n == 0). */
int kerf_stats_compute(const double *x, const int *group, size_t n,
		       uint64_t seed, int boot_reps, struct kerf_stats *st);

#endif
