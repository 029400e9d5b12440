/* SPDX-License-Identifier: MIT */
/* Knee detection finds the knees of synthetic latency curves built with known knees. */
#include <math.h>
#include <stdio.h>

#include "kerf/memlib.h"
#include "kerf/stats.h"

#define MAXP 128

/*
 * Latency curve on a grid of ppo points per octave from 2^lo to 2^hi:
 * flat, then for each knee k a linear climb in log latency over w octaves
 * from log2 wss = knee[k] by a factor of up[k]; noise is multiplicative,
 * uniform in +-noise.
 */
static int curve(double lo, double hi, int ppo, const double *knee,
		 const double *up, int nk, double w, double noise,
		 uint64_t seed, double *wss, double *lat)
{
	struct kerf_rng r;
	int n = 0;

	kerf_rng_seed(&r, seed);
	for (double x = lo; x <= hi + 1e-9 && n < MAXP; x += 1.0 / ppo) {
		double y = log(1.5);

		for (int k = 0; k < nk; k++) {
			double f = (x - knee[k]) / w;

			f = f < 0 ? 0 : f > 1 ? 1 : f;
			y += f * log(up[k]);
		}
		wss[n] = exp2(x);
		lat[n] = exp(y) * (1 + noise * (2 * kerf_rng_double(&r) - 1));
		n++;
	}
	return n;
}

static int expect(const char *what, const double *wss, const double *lat, int n,
		  const double *knee, int nk, double tol)
{
	struct kerf_knee out[16];
	int got = kerf_knees(wss, lat, n, out, 16), bad = got != nk;

	for (int k = 0; !bad && k < nk; k++)
		bad = fabs(log2(out[k].wss) - knee[k]) > tol;
	if (bad) {
		printf("FAIL %s: %d knees, want %d:", what, got, nk);
		for (int k = 0; k < got; k++)
			printf(" %.2f", log2(out[k].wss));
		printf(" (want");
		for (int k = 0; k < nk; k++)
			printf(" %.2f", knee[k]);
		printf(")\n");
	}
	return bad;
}

int main(void)
{
	double wss[MAXP], lat[MAXP];
	/* Like a cache hierarchy: 32K, 1M, 32M, plus a TLB knee at 256M. */
	const double k4[] = { 15, 20, 25, 28 }, u4[] = { 3, 3, 5, 1.6 };
	const double k2[] = { 18, 21 }, u2[] = { 2, 4 };
	int n, fails = 0;

	for (uint64_t seed = 1; seed <= 20; seed++) {
		n = curve(12, 32, 4, k4, u4, 4, 1.0, 0.03, seed, wss, lat);
		fails += expect("4 knees, 4/octave, 3% noise", wss, lat, n, k4,
				4, 0.5);
		n = curve(12, 32, 2, k4, u4, 4, 1.0, 0.03, seed, wss, lat);
		fails += expect("4 knees, 2/octave, 3% noise", wss, lat, n, k4,
				4, 0.5);
		/* Two climbs back to back, the second steeper: a dip between. */
		n = curve(12, 28, 4, k2, u2, 2, 2.5, 0.02, seed, wss, lat);
		fails += expect("adjacent climbs", wss, lat, n, k2, 2, 0.75);
		/* Preemption adds time: pairs of points 3x to 10x too slow
		 * (a pair at a knee can move it: within an octave). */
		n = curve(12, 32, 4, k4, u4, 4, 1.0, 0.03, seed, wss, lat);
		for (int i = 2 + (int)(seed % 5); i + 1 < n; i += 9) {
			lat[i] *= 3 + (double)(seed % 8);
			lat[i + 1] *= 10 - (double)(seed % 8);
		}
		fails += expect("4 knees, slow pairs", wss, lat, n, k4, 4, 1.0);
		/* Flat with noise: no knee. */
		n = curve(12, 32, 4, k4, u4, 0, 1.0, 0.05, seed, wss, lat);
		fails += expect("flat, 5% noise", wss, lat, n, k4, 0, 0.5);
	}
	/* A coarse default sweep: 16K 256K 4M 64M 1G, knees at 256K, 64M. */
	{
		double w5[] = { 16384, 262144, 4194304, 67108864, 1073741824 };
		double l5[] = { 1.0, 1.1, 12.0, 14.0, 80.0 };
		double want[] = { 18, 26 };

		fails += expect("coarse", w5, l5, 5, want, 2, 0.01);
	}
	/* Bad input: sizes out of order. */
	{
		double w[] = { 2, 1, 3 }, l[] = { 1, 1, 1 };
		struct kerf_knee o[2];

		if (kerf_knees(w, l, 3, o, 2) >= 0) {
			printf("FAIL unordered sizes accepted\n");
			fails++;
		}
	}
	if (fails)
		return 1;
	printf("ok: knees found within tolerance on every synthetic curve\n");
	return 0;
}
