/* SPDX-License-Identifier: MIT */
/* The gate's multiple test: max-T over relabellings of whole units, and t. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/hypo.h"
#include "kerf/stats.h"

/* Regularized incomplete beta I_x(a, b) by Lentz's continued fraction. */
static double maxt_betacf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < 1e-300)
		d = 1e-300;
	d = 1 / d;
	h = d;
	for (int m = 1; m < 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = fabs(d) < 1e-300 ? 1e300 : 1 / d;
		c = fabs(c) < 1e-300 ? 1e-300 : c;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = fabs(d) < 1e-300 ? 1e300 : 1 / d;
		c = fabs(c) < 1e-300 ? 1e-300 : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-14)
			break;
	}
	return h;
}

static double maxt_ibeta(double a, double b, double x)
{
	double lb;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	lb = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lb) * maxt_betacf(a, b, x) / a;
	return 1 - exp(lb) * maxt_betacf(b, a, 1 - x) / b;
}

double kerf_t_sf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 0 : 1;
	tail = 0.5 * maxt_ibeta(df / 2, 0.5, df / (df + t * t));
	return t > 0 ? tail : 1 - tail;
}

/* t of a statistic with zero spread: 0 when no difference, else huge. */
static double maxt_ratio(double num, double se)
{
	if (se > 0)
		return num / se;
	if (num == 0)
		return 0;
	return copysign(1e12, num);
}

/*
 * Paired rounds: Yuen's trimmed t on the n signed differences v (sorted in
 * place). The mean of the middle h = n - 2k (k = floor(0.2 n)) and the
 * winsorized spread: a round in which one arm's worker shared its CPU
 * (2-4x slower here, one round in seven or so) moves the mean and the SD
 * of plain t so far that a 5% change hides; trimming keeps it out. Under
 * KERF_UNIT_TRIM_MIN rounds nothing is trimmed (the plain paired t): with
 * few rounds, flipping the signs of the trimmed rounds barely moves the
 * statistic, and the smallest p a relabelling test can give rises (10
 * rounds: 8/1024 instead of 2/1024). sd is the effective SD of one round
 * (se sqrt(n)), for the rounds a design needs.
 */
static void maxt_yuen(double *v, size_t n, struct kerf_unit_t *out)
{
	size_t k = n < KERF_UNIT_TRIM_MIN ?
			   0 :
			   (size_t)(KERF_UNIT_TRIM * (double)n);
	size_t h = n - 2 * k, j;
	double lo, hi, s = 0, w = 0, q = 0;

	qsort(v, n, sizeof(*v), kerf_cmp_double);
	lo = v[k];
	hi = v[n - 1 - k];
	for (j = k; j < n - k; j++)
		s += v[j];
	for (j = 0; j < n; j++)
		w += v[j] < lo ? lo : v[j] > hi ? hi : v[j];
	w /= (double)n;
	for (j = 0; j < n; j++) {
		double c = (v[j] < lo ? lo : v[j] > hi ? hi : v[j]) - w;

		q += c * c;
	}
	out->est = s / (double)h;
	out->df = (double)h - 1;
	out->se = sqrt(q / ((double)h * (double)(h - 1)));
	out->sd = out->se * sqrt((double)n);
	out->t = maxt_ratio(out->est, out->se);
}

/* Paired: the signed differences, then Yuen's t; -EDOM under 2 rounds. */
static int maxt_paired(const double *x, size_t u, const signed char *lab,
		       struct kerf_unit_t *out)
{
	double v[KERF_UNIT_MAX];
	size_t n = 0, j;

	for (j = 0; j < u && n < KERF_UNIT_MAX; j++)
		if (!isnan(x[j]))
			v[n++] = x[j] * (lab ? lab[j] : 1);
	out->n1 = n;
	if (n < 2)
		return -EDOM;
	maxt_yuen(v, n, out);
	return 0;
}

int kerf_unit_t(const double *x, size_t u, const signed char *lab, bool paired,
		struct kerf_unit_t *out)
{
	double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
	size_t n0 = 0, n1 = 0, j;

	memset(out, 0, sizeof(*out));
	if (paired)
		return maxt_paired(x, u, lab, out);
	for (j = 0; j < u; j++) {
		double v = x[j];

		if (isnan(v))
			continue;
		if (paired) {
			v *= lab ? lab[j] : 1;
			s1 += v;
			n1++;
		} else if (lab[j]) {
			s1 += v;
			n1++;
		} else {
			s0 += v;
			n0++;
		}
	}
	out->n0 = n0;
	out->n1 = n1;
	if (paired ? n1 < 2 : n0 < 1 || n1 < 1 || n0 + n1 < 3)
		return -EDOM;
	s1 /= (double)n1;
	if (n0)
		s0 /= (double)n0;
	for (j = 0; j < u; j++) {
		double v = x[j];

		if (isnan(v))
			continue;
		if (paired) {
			v *= lab ? lab[j] : 1;
			q1 += (v - s1) * (v - s1);
		} else if (lab[j]) {
			q1 += (v - s1) * (v - s1);
		} else {
			q0 += (v - s0) * (v - s0);
		}
	}
	if (paired) {
		out->est = s1;
		out->df = (double)n1 - 1;
		out->sd = sqrt(q1 / out->df);
		out->se = out->sd / sqrt((double)n1);
	} else {
		out->est = s1 - s0;
		out->df = (double)(n0 + n1) - 2;
		out->sd = sqrt((q0 + q1) / out->df);
		out->se = out->sd * sqrt(1.0 / (double)n0 + 1.0 / (double)n1);
	}
	out->t = maxt_ratio(out->est, out->se);
	return 0;
}

/* C(n, k) as a double (large values lose digits, not range). */
static double maxt_choose(size_t n, size_t k)
{
	double c = 1;

	for (size_t i = 0; i < k; i++)
		c = c * (double)(n - i) / (double)(i + 1);
	return c;
}

double kerf_maxt_pmin(bool paired, size_t u, size_t nb)
{
	double n = paired ? ldexp(1, (int)(u < 1000 ? u : 1000)) :
			    maxt_choose(u, nb);

	/* Two-sided: a labelling and its mirror give the same |t|. */
	if (paired || 2 * nb == u)
		return 2 / n;
	return 1 / n;
}

/* Score one labelling: the largest |t| over the results, and each |t|. */
static double maxt_score(const struct kerf_maxt_in *in, const signed char *lab,
			 double *abs_t)
{
	double mx = 0;

	for (size_t k = 0; k < in->m; k++) {
		struct kerf_unit_t ut;

		abs_t[k] = 0;
		if (in->skip && in->skip[k])
			continue;
		if (kerf_unit_t(in->x + k * in->u, in->u, lab, in->paired, &ut))
			continue;
		abs_t[k] = fabs(ut.t);
		if (abs_t[k] > mx)
			mx = abs_t[k];
	}
	return mx;
}

/* Tally one labelling against the observed statistics. */
static void maxt_tally(const struct kerf_maxt_in *in, const double *obs,
		       const double *abs_t, double mx, long *cnt, long *cnt_adj)
{
	for (size_t k = 0; k < in->m; k++) {
		/* A relative tolerance: equal statistics count as reached. */
		double o = obs[k] * (1 - 1e-9);

		cnt[k] += abs_t[k] >= o;
		cnt_adj[k] += mx >= o;
	}
}

/* The labelling of *comb, and *comb advanced; false past the last one. */
static bool maxt_label(const struct kerf_maxt_in *in, unsigned long long *comb,
		       signed char *lab)
{
	unsigned long long c = *comb, t;

	if (in->u < 64 && c >> in->u)
		return false;
	for (size_t j = 0; j < in->u; j++)
		lab[j] = in->paired ? ((c >> j) & 1 ? -1 : 1) :
				      (signed char)((c >> j) & 1);
	if (in->paired) {
		*comb = c + 1;
	} else {
		/* Gosper's hack: the next number with as many bits set. */
		t = c | (c - 1);
		*comb = (t + 1) |
			(((~t & -~t) - 1) >> (__builtin_ctzll(c) + 1));
	}
	return true;
}

/* A random labelling: random signs, or a shuffle of nb BASE units. */
static void maxt_random(const struct kerf_maxt_in *in, struct kerf_rng *r,
			signed char *lab)
{
	for (size_t j = 0; j < in->u; j++)
		lab[j] = in->paired ? (kerf_rng_next(r) >> 63 ? -1 : 1) :
				      (signed char)(j >= in->nb);
	if (in->paired)
		return;
	for (size_t j = in->u - 1; j > 0; j--) {
		size_t i = (size_t)kerf_rng_below(r, j + 1);
		signed char s = lab[i];

		lab[i] = lab[j];
		lab[j] = s;
	}
}

int kerf_maxt(const struct kerf_maxt_in *in, double *p, double *p_adj,
	      struct kerf_maxt_info *info)
{
	double *obs, *abs_t, mx, nlab;
	signed char *lab;
	long *cnt, n = 0;
	unsigned long long comb;
	struct kerf_rng rng;
	int ret = 0;

	memset(info, 0, sizeof(*info));
	if (!in->u || in->u > 4096 || (!in->paired && in->nb >= in->u))
		return -EINVAL;
	obs = calloc(2 * in->m + 1, sizeof(*obs));
	cnt = calloc(2 * in->m + 1, sizeof(*cnt));
	lab = calloc(in->u, 1);
	if (!obs || !cnt || !lab) {
		ret = -ENOMEM;
		goto out;
	}
	abs_t = obs + in->m;
	for (size_t j = 0; j < in->u; j++)
		lab[j] = in->paired ? 1 : (signed char)(j >= in->nb);
	maxt_score(in, lab, obs);
	nlab = in->paired ? ldexp(1, (int)(in->u < 1000 ? in->u : 1000)) :
			    maxt_choose(in->u, in->nb);
	info->exact = in->u < 63 && nlab <= (double)in->max_exact;
	info->seed = in->seed;
	if (info->exact) {
		/* Unpaired: a set bit marks a NEW unit, from the lowest. */
		comb = in->paired ? 0 : (1ull << (in->u - in->nb)) - 1;
		while (maxt_label(in, &comb, lab)) {
			mx = maxt_score(in, lab, abs_t);
			maxt_tally(in, obs, abs_t, mx, cnt, cnt + in->m);
			n++;
		}
	} else {
		kerf_rng_seed(&rng, in->seed);
		/* The observed labelling counts once (Phipson-Smyth). */
		maxt_tally(in, obs, obs, INFINITY, cnt, cnt + in->m);
		for (n = 1; n <= in->reps; n++) {
			maxt_random(in, &rng, lab);
			mx = maxt_score(in, lab, abs_t);
			maxt_tally(in, obs, abs_t, mx, cnt, cnt + in->m);
		}
	}
	info->n = n;
	for (size_t k = 0; k < in->m; k++) {
		p[k] = (double)cnt[k] / (double)n;
		p_adj[k] = (double)cnt[in->m + k] / (double)n;
	}
out:
	free(obs);
	free(cnt);
	free(lab);
	return ret;
}
