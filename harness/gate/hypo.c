/* SPDX-License-Identifier: MIT */
/* Mann-Whitney U, Holm's correction and the bootstrap interval of a ratio. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/hypo.h"

/* Entries of the bootstrap pool at most: 128 MiB of doubles. */
#define HYPO_POOL_MAX ((size_t)16 << 20)
#include "kerf/stats.h"

double kerf_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

struct hypo_ranked {
	double v;
	int from_x;
};

static int hypo_cmp_ranked(const void *a, const void *b)
{
	const struct hypo_ranked *ra = a, *rb = b;

	return (ra->v > rb->v) - (ra->v < rb->v);
}

/*
 * P(U >= u) under the null for sample sizes m and n, no ties: counts of the
 * arrangements by U through f(a,b,u) = f(a-1,b,u-b) + f(a,b-1,u), the
 * largest value belonging to the first sample (it beats all b of the
 * second) or to the second. Counts fit a double up to C(1008, 8) ~ 1e19.
 */
static int hypo_exact_sf(size_t m, size_t n, double u, double *p)
{
	size_t umax = m * n, a, b, k;
	double **g, total = 0, tail = 0;
	int ret = -ENOMEM;

	if (m > n) {
		size_t t = m;

		m = n;
		n = t;
	}
	g = calloc(m + 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (a = 0; a <= m; a++) {
		g[a] = calloc(umax + 1, sizeof(**g));
		if (!g[a])
			goto out;
		g[a][0] = 1;
	}
	for (b = 1; b <= n; b++)
		for (a = 1; a <= m; a++)
			for (k = a * b; k >= b; k--)
				g[a][k] += g[a - 1][k - b];
	for (k = 0; k <= umax; k++) {
		total += g[m][k];
		if ((double)k >= u - 1e-9)
			tail += g[m][k];
	}
	*p = tail / total;
	ret = 0;
out:
	for (a = 0; a <= m; a++)
		free(g[a]);
	free(g);
	return ret;
}

int kerf_mwu(const double *x, size_t nx, const double *y, size_t ny,
	     bool force_asymptotic, struct kerf_mwu *out)
{
	size_t n = nx + ny, i, j;
	struct hypo_ranked *r;
	double r1 = 0, tie = 0, mu, var, umax;

	memset(out, 0, sizeof(*out));
	if (!nx || !ny)
		return -EINVAL;
	r = malloc(n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		r[i].v = i < nx ? x[i] : y[i - nx];
		r[i].from_x = i < nx;
		if (isnan(r[i].v)) {
			free(r);
			return -EINVAL;
		}
	}
	qsort(r, n, sizeof(*r), hypo_cmp_ranked);
	/* Average ranks (1-based) over each run of equal values. */
	for (i = 0; i < n; i = j) {
		double rank, t;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		t = (double)(j - i);
		rank = (double)(i + 1 + j) / 2;
		for (size_t k = i; k < j; k++)
			if (r[k].from_x)
				r1 += rank;
		tie += t * t * t - t;
	}
	free(r);
	out->ties = tie > 0;
	out->u1 = r1 - (double)nx * (double)(nx + 1) / 2;
	out->u2 = (double)nx * (double)ny - out->u1;
	umax = fmax(out->u1, out->u2);

	if (!force_asymptotic && !out->ties &&
	    (nx < ny ? nx : ny) <= KERF_MWU_EXACT_MAX &&
	    (nx > ny ? nx : ny) <= KERF_MWU_EXACT_NMAX) {
		double p;
		int ret = hypo_exact_sf(nx, ny, umax, &p);

		if (ret)
			return ret;
		out->exact = true;
		out->p = fmin(1, 2 * p);
		return 0;
	}
	mu = (double)nx * (double)ny / 2;
	var = (double)nx * (double)ny / 12 *
	      ((double)(n + 1) - tie / ((double)n * (double)(n - 1)));
	if (var <= 0) {
		/* Every value equal: nothing tells the samples apart. */
		out->p = 1;
		return 0;
	}
	out->z = (umax - mu - 0.5) / sqrt(var);
	out->p = fmin(1, fmax(0, 2 * kerf_norm_sf(out->z)));
	return 0;
}

struct hypo_pidx {
	double p;
	size_t i;
};

static int hypo_cmp_pidx(const void *a, const void *b)
{
	const struct hypo_pidx *pa = a, *pb = b;

	if (pa->p != pb->p)
		return (pa->p > pb->p) - (pa->p < pb->p);
	return (pa->i > pb->i) - (pa->i < pb->i);
}

int kerf_holm(const double *p, size_t n, double *adj)
{
	struct hypo_pidx *s;
	double run = 0;
	size_t k;

	if (!n)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		s[k].p = p[k];
		s[k].i = k;
	}
	qsort(s, n, sizeof(*s), hypo_cmp_pidx);
	/* The k-th smallest (0-based) is multiplied by n - k; keep monotone. */
	for (k = 0; k < n; k++) {
		double v = fmin(1, (double)(n - k) * s[k].p);

		run = fmax(run, v);
		adj[s[k].i] = run;
	}
	free(s);
	return 0;
}

/* Samples of one side grouped by worker process. */
struct hypo_groups {
	double *v; /* samples, process by process */
	size_t *off; /* group g is v[off[g] .. off[g + 1]) */
	size_t ng, n, maxg;
	double *pool; /* one replicate: at most ng * maxg samples */
};

struct hypo_vp {
	double v;
	int proc;
	size_t i;
};

static int hypo_cmp_vp(const void *a, const void *b)
{
	const struct hypo_vp *x = a, *y = b;

	if (x->proc != y->proc)
		return (x->proc > y->proc) - (x->proc < y->proc);
	return (x->i > y->i) - (x->i < y->i);
}

static void hypo_groups_free(struct hypo_groups *g)
{
	free(g->v);
	free(g->off);
	free(g->pool);
}

static int hypo_groups_make(const struct kerf_sampleset *s,
			    struct hypo_groups *g)
{
	struct hypo_vp *t;
	size_t i;

	memset(g, 0, sizeof(*g));
	t = malloc(s->n * sizeof(*t));
	g->v = malloc(s->n * sizeof(*g->v));
	g->off = malloc((s->n + 1) * sizeof(*g->off));
	if (!t || !g->v || !g->off)
		goto fail;
	for (i = 0; i < s->n; i++) {
		t[i].v = s->x[i];
		t[i].proc = s->proc ? s->proc[i] : 0;
		t[i].i = i;
	}
	qsort(t, s->n, sizeof(*t), hypo_cmp_vp);
	for (i = 0; i < s->n; i++) {
		if (!i || t[i].proc != t[i - 1].proc)
			g->off[g->ng++] = i;
		g->v[i] = t[i].v;
	}
	g->off[g->ng] = s->n;
	g->n = s->n;
	for (i = 0; i < g->ng; i++)
		if (g->off[i + 1] - g->off[i] > g->maxg)
			g->maxg = g->off[i + 1] - g->off[i];
	/*
	 * The pool holds a resample of every process at the largest one's
	 * size: ng * maxg grows with the square of the samples when a
	 * crafted sample_procs puts half of them in one process. Refuse
	 * what a real run never needs rather than ask for gigabytes.
	 */
	if (g->maxg && g->ng > HYPO_POOL_MAX / g->maxg) {
		fprintf(stderr,
			"kerf: refusing a bootstrap of %zu worker processes x %zu samples (%zu MiB of pool; kerf allows %d MiB): sample_procs is not what a kerf run writes\n",
			g->ng, g->maxg,
			(size_t)((double)g->ng * (double)g->maxg *
				 sizeof(*g->pool) / (1 << 20)),
			(int)(HYPO_POOL_MAX * sizeof(*g->pool) >> 20));
		free(t);
		hypo_groups_free(g);
		return -E2BIG;
	}
	g->pool = malloc(g->ng * g->maxg * sizeof(*g->pool));
	if (!g->pool)
		goto fail;
	free(t);
	return 0;
fail:
	free(t);
	hypo_groups_free(g);
	return -ENOMEM;
}

/*
 * The k-th smallest of x[0..n) by Wirth's selection; afterwards x[0..k) are
 * no larger than x[k] and x(k..n) no smaller.
 */
static double hypo_select_kth(double *x, size_t n, size_t k)
{
	long l = 0, m = (long)n - 1, kk = (long)k;

	while (l < m) {
		double piv = x[kk];
		long i = l, j = m;

		do {
			while (x[i] < piv)
				i++;
			while (piv < x[j])
				j--;
			if (i <= j) {
				double t = x[i];

				x[i] = x[j];
				x[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return x[kk];
}

/* Median of x[0..n), reordering x; the mean of the middle two for even n. */
static double hypo_median_inplace(double *x, size_t n)
{
	double a, b;
	size_t i;

	a = hypo_select_kth(x, n, n / 2);
	if (n & 1)
		return a;
	/* The lower middle is the largest of what hypo_select_kth left below. */
	b = x[0];
	for (i = 1; i < n / 2; i++)
		if (x[i] > b)
			b = x[i];
	return (a + b) / 2;
}

/* One replicate: processes with replacement, then samples within each. */
static double hypo_boot_median(struct hypo_groups *g, struct kerf_rng *r)
{
	size_t k, m = 0;

	for (k = 0; k < g->ng; k++) {
		size_t grp = g->ng > 1 ? kerf_rng_below(r, g->ng) : 0;
		size_t base = g->off[grp], len = g->off[grp + 1] - base, i;

		for (i = 0; i < len; i++)
			g->pool[m++] = g->v[base + kerf_rng_below(r, len)];
	}
	return hypo_median_inplace(g->pool, m);
}

/*
 * Student's t quantile: exact for df 1 and 2, otherwise the Cornish-Fisher
 * expansion around the normal quantile (Abramowitz & Stegun 26.7.5), within
 * 0.1% of the exact value from df = 3 on at the 97.5% point.
 */
double kerf_t_quantile(double p, double df)
{
	double z, z2, z3, z5, z7, z9;

	if (df < 1.5)
		return tan(M_PI * (p - 0.5));
	if (df < 2.5)
		return (2 * p - 1) / sqrt(2 * p * (1 - p));
	/* Normal quantile by Newton steps on erfc, from a rough start. */
	z = p > 0.5 ? 1 : -1;
	for (int i = 0; i < 60; i++) {
		double f = 0.5 * erfc(-z / M_SQRT2) - p;
		double d = exp(-z * z / 2) / sqrt(2 * M_PI);

		z -= f / d;
	}
	z2 = z * z;
	z3 = z2 * z;
	z5 = z3 * z2;
	z7 = z5 * z2;
	z9 = z7 * z2;
	return z + (z3 + z) / (4 * df) +
	       (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df) +
	       (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) /
		       (92160 * df * df * df * df);
}

double kerf_expanded_level(double level, size_t k)
{
	double t, z;

	if (k < 2)
		return level;
	t = kerf_t_quantile(1 - (1 - level) / 2, 2.0 * (double)(k - 1));
	z = sqrt((double)k / (double)(k - 1)) * t;
	return erf(z / M_SQRT2);
}

uint64_t kerf_gate_seed(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64 bits */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ull;
	return KERF_GATE_SEED ^ h;
}

int kerf_boot_ratio(const struct kerf_sampleset *base,
		    const struct kerf_sampleset *new, uint64_t seed, int reps,
		    double level, unsigned int flags, struct kerf_ratio_ci *out)
{
	struct hypo_groups gb, gn;
	struct kerf_rng rng;
	double *rat, mb, mn;
	int ret, i;

	memset(out, 0, sizeof(*out));
	if (!base->n || !new->n || reps < 1 || !(level > 0 && level < 1))
		return -EINVAL;
	mb = kerf_median(base->x, base->n);
	mn = kerf_median(new->x, new->n);
	if (!(mb > 0) || !(mn >= 0))
		return -EINVAL;
	ret = hypo_groups_make(base, &gb);
	if (ret)
		return ret;
	ret = hypo_groups_make(new, &gn);
	if (ret) {
		hypo_groups_free(&gb);
		return ret;
	}
	rat = malloc((size_t)reps * sizeof(*rat));
	if (!rat) {
		ret = -ENOMEM;
		goto out;
	}
	out->procs_base = gb.ng;
	out->procs_new = gn.ng;
	if (flags & KERF_BOOT_EXPAND) {
		size_t k = gb.ng < gn.ng ? gb.ng : gn.ng;

		if (k < 2)
			k = base->n < new->n ? base->n : new->n;
		level = kerf_expanded_level(level, k);
	}
	out->level = level;
	kerf_rng_seed(&rng, seed);
	for (i = 0; i < reps; i++) {
		double b = hypo_boot_median(&gb, &rng);
		double a = hypo_boot_median(&gn, &rng);

		/* A replicate median of zero or less: the ratio is unbounded. */
		rat[i] = b > 0 ? a / b : INFINITY;
	}
	qsort(rat, (size_t)reps, sizeof(*rat), kerf_cmp_double);
	out->ratio = mn / mb;
	out->lo = kerf_quantile_sorted(rat, (size_t)reps, (1 - level) / 2);
	out->hi = kerf_quantile_sorted(rat, (size_t)reps, (1 + level) / 2);
	out->reps = reps;
	out->seed = seed;
	free(rat);
out:
	hypo_groups_free(&gb);
	hypo_groups_free(&gn);
	return ret;
}
