/* SPDX-License-Identifier: MIT */
/* Descriptive statistics, Tukey outliers and the hierarchical bootstrap. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/stats.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void kerf_rng_seed(struct kerf_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t kerf_rng_next(struct kerf_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t kerf_rng_below(struct kerf_rng *r, uint64_t n)
{
	uint64_t limit, x;

	if (n <= 1)
		return 0;
	/* Reject the top partial bucket: no modulo bias. */
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = kerf_rng_next(r);
	while (x >= limit);
	return x % n;
}

double kerf_rng_double(struct kerf_rng *r)
{
	return (double)(kerf_rng_next(r) >> 11) * 0x1.0p-53;
}

int kerf_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double kerf_quantile_sorted(const double *x, size_t n, double q)
{
	double h, lo;
	size_t i;

	if (!n)
		return NAN;
	if (q <= 0)
		return x[0];
	if (q >= 1)
		return x[n - 1];
	h = (double)(n - 1) * q;
	i = (size_t)floor(h);
	lo = x[i];
	if (i + 1 >= n)
		return lo;
	return lo + (h - (double)i) * (x[i + 1] - lo);
}

double kerf_median(const double *x, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), kerf_cmp_double);
	m = kerf_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

/* Samples grouped by worker process: offsets into an index array. */
struct groups {
	size_t ng;
	size_t *start; /* ng + 1 entries */
	size_t *idx; /* sample indexes, group by group */
};

static int groups_build(const int *group, size_t n, struct groups *g)
{
	int maxg = 0;
	size_t *fill;

	for (size_t i = 0; group && i < n; i++)
		if (group[i] > maxg)
			maxg = group[i];
	g->ng = (size_t)maxg + 1;
	g->start = calloc(g->ng + 1, sizeof(size_t));
	g->idx = malloc(n * sizeof(size_t));
	fill = calloc(g->ng, sizeof(size_t));
	if (!g->start || !g->idx || !fill) {
		free(g->start);
		free(g->idx);
		free(fill);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		g->start[(group && group[i] >= 0 ? group[i] : 0) + 1]++;
	for (size_t k = 0; k < g->ng; k++)
		g->start[k + 1] += g->start[k];
	for (size_t i = 0; i < n; i++) {
		size_t k = group && group[i] >= 0 ? (size_t)group[i] : 0;

		g->idx[g->start[k] + fill[k]++] = i;
	}
	free(fill);
	/* Drop empty groups: they would make empty replicates. */
	size_t w = 0;
	for (size_t k = 0; k < g->ng; k++) {
		if (g->start[k + 1] == g->start[k])
			continue;
		g->start[w] = g->start[k];
		g->start[w + 1] = g->start[k + 1];
		w++;
	}
	/* start[] was rewritten in place; rebuild the ends for compactness. */
	g->ng = w;
	return 0;
}

void kerf_boot_median_ci(const double *x, const int *group, size_t n,
			 uint64_t seed, int reps, double *lo, double *hi)
{
	struct kerf_rng rng;
	struct groups g;
	double *meds, *buf;
	size_t *gs, *ge;

	*lo = *hi = NAN;
	if (!n || reps < 10)
		return;
	if (groups_build(group, n, &g))
		return;
	/* Keep each group's [start, end) before the arrays are reused. */
	gs = malloc(g.ng * sizeof(*gs));
	ge = malloc(g.ng * sizeof(*ge));
	meds = malloc((size_t)reps * sizeof(*meds));
	buf = malloc(n * 2 * sizeof(*buf) + sizeof(*buf));
	if (!gs || !ge || !meds || !buf)
		goto out;
	for (size_t k = 0; k < g.ng; k++) {
		gs[k] = g.start[k];
		ge[k] = g.start[k + 1];
	}
	kerf_rng_seed(&rng, seed);
	for (int r = 0; r < reps; r++) {
		size_t m = 0;

		for (size_t k = 0; k < g.ng; k++) {
			size_t pick = g.ng > 1 ? kerf_rng_below(&rng, g.ng) : 0;
			size_t len = ge[pick] - gs[pick];

			for (size_t j = 0; j < len; j++) {
				size_t at =
					gs[pick] + kerf_rng_below(&rng, len);

				if (m < 2 * n)
					buf[m++] = x[g.idx[at]];
			}
		}
		qsort(buf, m, sizeof(*buf), kerf_cmp_double);
		meds[r] = kerf_quantile_sorted(buf, m, 0.5);
	}
	qsort(meds, (size_t)reps, sizeof(*meds), kerf_cmp_double);
	*lo = kerf_quantile_sorted(meds, (size_t)reps, 0.025);
	*hi = kerf_quantile_sorted(meds, (size_t)reps, 0.975);
out:
	free(gs);
	free(ge);
	free(meds);
	free(buf);
	free(g.start);
	free(g.idx);
}

int kerf_stats_compute(const double *x, const int *group, size_t n,
		       uint64_t seed, int boot_reps, struct kerf_stats *st)
{
	double *s, *dev, sum = 0, ss = 0, iqr, f1, f3;

	memset(st, 0, sizeof(*st));
	if (!n)
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	dev = malloc(n * sizeof(*dev));
	if (!s || !dev) {
		free(s);
		free(dev);
		return -ENOMEM;
	}
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), kerf_cmp_double);
	st->n = n;
	st->min = s[0];
	st->max = s[n - 1];
	st->median = kerf_quantile_sorted(s, n, 0.5);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	st->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - st->mean) * (s[i] - st->mean);
	/* Sample standard deviation (n - 1), as R's sd() and numpy ddof=1. */
	st->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	st->cv = st->mean != 0 ? st->stddev / fabs(st->mean) : 0;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - st->median);
	st->mad = kerf_median(dev, n);
	st->p1 = kerf_quantile_sorted(s, n, 0.01);
	st->p5 = kerf_quantile_sorted(s, n, 0.05);
	st->p25 = kerf_quantile_sorted(s, n, 0.25);
	st->p75 = kerf_quantile_sorted(s, n, 0.75);
	st->p95 = kerf_quantile_sorted(s, n, 0.95);
	st->p99 = kerf_quantile_sorted(s, n, 0.99);
	iqr = st->p75 - st->p25;
	for (size_t i = 0; i < n; i++) {
		f1 = 1.5 * iqr;
		f3 = 3.0 * iqr;
		if (s[i] < st->p25 - f1)
			st->out_low_mild++;
		if (s[i] < st->p25 - f3)
			st->out_low_severe++;
		if (s[i] > st->p75 + f1)
			st->out_high_mild++;
		if (s[i] > st->p75 + f3)
			st->out_high_severe++;
	}
	st->seed = seed;
	st->boot_reps = boot_reps;
	kerf_boot_median_ci(x, group, n, seed, boot_reps, &st->ci_lo,
			    &st->ci_hi);
	free(s);
	free(dev);
	return 0;
}

double kerf_group_median_cv(const double *x, const int *group, size_t n,
			    int *ngroups)
{
	struct groups g;
	double *meds, *buf, sum = 0, ss = 0, mean;
	size_t k;

	*ngroups = 0;
	if (!n || !group || groups_build(group, n, &g))
		return NAN;
	meds = calloc(g.ng + 1, sizeof(*meds));
	buf = calloc(n + 1, sizeof(*buf));
	for (k = 0; meds && buf && k < g.ng; k++) {
		size_t len = g.start[k + 1] - g.start[k];

		for (size_t j = 0; j < len; j++)
			buf[j] = x[g.idx[g.start[k] + j]];
		meds[k] = kerf_median(buf, len);
		sum += meds[k];
	}
	*ngroups = (int)g.ng;
	mean = sum / (double)g.ng;
	for (k = 0; meds && k < g.ng; k++)
		ss += (meds[k] - mean) * (meds[k] - mean);
	free(meds);
	free(buf);
	free(g.start);
	free(g.idx);
	if (g.ng < 2 || mean == 0)
		return NAN;
	return sqrt(ss / (double)(g.ng - 1)) / fabs(mean);
}
