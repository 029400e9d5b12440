/* SPDX-License-Identifier: MIT */
/* The gate's statistics: U test vs scipy, Holm by hand, bootstrap ratio, a pair. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/gate.h"
#include "kerf/hypo.h"
#include "kerf/stats.h"
#include "check.h"

static int close_rel(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

/*
 * Expected values computed once with SciPy 1.10.1 (Debian python3-scipy):
 *   scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *                            method='asymptotic', use_continuity=True)
 * and for case C also method='exact'. The datasets are built by the same
 * integer formulas in Python (see each case), so both sides see identical
 * doubles. scipy's statistic is U of x, our u1.
 */
static void test_mwu(void)
{
	double x[300], y[300];
	struct kerf_mwu m;
	int i;

	/* A: x = 1000 + (i*7919 % 1009)/10, i < 30;
	 *    y = 1010 + (j*104729 % 997)/10, j < 25 (ties across samples). */
	for (i = 0; i < 30; i++)
		x[i] = 1000 + (i * 7919 % 1009) / 10.0;
	for (i = 0; i < 25; i++)
		y[i] = 1010 + (i * 104729L % 997) / 10.0;
	CHECK(!kerf_mwu(x, 30, y, 25, false, &m), "A");
	CHECK(m.u1 == 344.5, "A: U %g, scipy 344.5", m.u1);
	CHECK(!m.exact, "A: asymptotic expected");
	CHECK(close_rel(m.p, 0.61208346242557909, 1e-9), "A: p %.17g", m.p);

	/* B: heavy ties. x = i*31 % 17, i < 40; y = j*29 % 19 + 2, j < 40. */
	for (i = 0; i < 40; i++) {
		x[i] = i * 31 % 17;
		y[i] = i * 29 % 19 + 2;
	}
	CHECK(!kerf_mwu(x, 40, y, 40, false, &m), "B");
	CHECK(m.u1 == 558.5, "B: U %g, scipy 558.5", m.u1);
	CHECK(m.ties, "B: ties not seen");
	CHECK(close_rel(m.p, 0.020221618245856589, 1e-9), "B: p %.17g", m.p);

	/* C: small, no ties: exact p (scipy method='exact') by default. */
	{
		double cx[] = { 1.5, 3.2, 7.1, 2.2, 9.0 };
		double cy[] = { 4.4, 5.5, 6.6, 8.8, 10.1, 11.3, 12.0 };

		CHECK(!kerf_mwu(cx, 5, cy, 7, false, &m), "C");
		CHECK(m.u1 == 7 && m.exact, "C: U %g exact %d", m.u1, m.exact);
		CHECK(close_rel(m.p, 0.10606060606060606, 1e-12), "C: p %.17g",
		      m.p);
		CHECK(!kerf_mwu(cy, 7, cx, 5, false, &m), "C swapped");
		CHECK(m.u1 == 28, "C swapped: U %g", m.u1);
		CHECK(close_rel(m.p, 0.10606060606060606, 1e-12),
		      "C swapped: p %.17g", m.p);
		CHECK(!kerf_mwu(cx, 5, cy, 7, true, &m), "C asym");
		CHECK(close_rel(m.p, 0.10437668659975609, 1e-9),
		      "C asym: p %.17g", m.p);
	}

	/* D: x = 50 + (i*7919 % 1009)/100, i < 200;
	 *    y = 50.3 + (j*6007 % 1013)/100, j < 300. */
	{
		double *dx = malloc(200 * sizeof(*dx));
		double *dy = malloc(300 * sizeof(*dy));

		for (i = 0; i < 200; i++)
			dx[i] = 50 + (i * 7919 % 1009) / 100.0;
		for (i = 0; i < 300; i++)
			dy[i] = 50.3 + (i * 6007 % 1013) / 100.0;
		CHECK(!kerf_mwu(dx, 200, dy, 300, false, &m), "D");
		CHECK(m.u1 == 28569.5, "D: U %g, scipy 28569.5", m.u1);
		CHECK(close_rel(m.p, 0.36625573103033193, 1e-9), "D: p %.17g",
		      m.p);
		free(dx);
		free(dy);
	}

	/* Identical constant samples: no evidence at all. */
	for (i = 0; i < 20; i++)
		x[i] = y[i] = 7;
	CHECK(!kerf_mwu(x, 20, y, 20, false, &m) && m.p == 1, "const: p %g",
	      m.p);
	/* Complete separation, 30 vs 30: p tiny. */
	for (i = 0; i < 30; i++) {
		x[i] = i;
		y[i] = 100 + i;
	}
	CHECK(!kerf_mwu(x, 30, y, 30, false, &m) && m.u1 == 0 && m.p < 1e-9,
	      "separated: U %g p %g", m.u1, m.p);
	CHECK(kerf_mwu(x, 0, y, 30, false, &m) == -EINVAL, "empty accepted");
	x[3] = NAN;
	CHECK(kerf_mwu(x, 30, y, 30, false, &m) == -EINVAL, "NaN accepted");
}

/*
 * Holm by hand. p = {0.01, 0.04, 0.03, 0.005}, m = 4.
 * Sorted: 0.005 (#3), 0.01 (#0), 0.03 (#2), 0.04 (#1).
 *   #3: 4 * 0.005 = 0.02
 *   #0: 3 * 0.01  = 0.03, max(0.02, 0.03) = 0.03
 *   #2: 2 * 0.03  = 0.06, max(0.03, 0.06) = 0.06
 *   #1: 1 * 0.04  = 0.04, max(0.06, 0.04) = 0.06 (monotone step-down)
 * So adj = {0.03, 0.06, 0.06, 0.02}: at alpha 0.05 #3 and #0 are rejected,
 * then #2 is not and the procedure stops (#1 not rejected although its raw
 * 0.04 is under 0.04 = alpha / 1 would be in a step-up method).
 * Second case: {0.5, 0.6}: 2 * 0.5 = 1.0, 0.6 -> max(1.0, 0.6) = 1.0.
 */
static void test_holm(void)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];
	double want[] = { 0.03, 0.06, 0.06, 0.02 };
	double q[] = { 0.5, 0.6 };
	int i;

	CHECK(!kerf_holm(p, 4, adj), "holm");
	for (i = 0; i < 4; i++)
		CHECK(fabs(adj[i] - want[i]) < 1e-15, "holm[%d] %.17g want %g",
		      i, adj[i], want[i]);
	CHECK(!kerf_holm(q, 2, q), "holm in place");
	CHECK(q[0] == 1 && q[1] == 1, "holm cap: %g %g", q[0], q[1]);
	p[0] = 0.2;
	CHECK(!kerf_holm(p, 1, adj) && adj[0] == 0.2, "holm n=1");
}

static double gauss(struct kerf_rng *r)
{
	double u1 = kerf_rng_double(r), u2 = kerf_rng_double(r);

	return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

/*
 * Samples of one side: procs worker processes, per samples each; every
 * process has its own level (sd between, relative) and samples scatter
 * around it (sd within, relative).
 */
static void synth(struct kerf_rng *r, double scale, int procs, int per,
		  double between, double within, double *x, int *g)
{
	int p, s, k = 0;

	for (p = 0; p < procs; p++) {
		double lvl = scale * exp(between * gauss(r));

		for (s = 0; s < per; s++, k++) {
			x[k] = lvl * exp(within * gauss(r));
			g[k] = p;
		}
	}
}

static void test_boot(void)
{
	enum { PROCS = 10, PER = 20, N = PROCS * PER };
	double bx[N], nx[N];
	int bg[N], ng[N], i, t, cover = 0, cover_flat = 0, trials = 200;
	struct kerf_sampleset b = { bx, bg, N }, n = { nx, ng, N };
	struct kerf_sampleset bf = { bx, NULL, N }, nf = { nx, NULL, N };
	struct kerf_ratio_ci ci, ci2, flat;
	struct kerf_rng r;

	/* NEW = 1.10 * BASE exactly: the ratio of medians is 1.10 and the
	 * interval holds it. */
	kerf_rng_seed(&r, 42);
	synth(&r, 100, PROCS, PER, 0.02, 0.01, bx, bg);
	for (i = 0; i < N; i++) {
		nx[i] = 1.10 * bx[i];
		ng[i] = bg[i];
	}
	CHECK(!kerf_boot_ratio(&b, &n, 7, 2000, 0.95, 0, &ci), "boot");
	CHECK(fabs(ci.ratio - 1.10) < 1e-12, "ratio %.17g", ci.ratio);
	CHECK(ci.lo < 1.10 && ci.hi > 1.10, "[%g, %g] misses 1.10", ci.lo,
	      ci.hi);
	CHECK(ci.reps == 2000 && ci.seed == 7, "reps/seed not recorded");
	/* Same seed, same interval; another seed, a different one. */
	CHECK(!kerf_boot_ratio(&b, &n, 7, 2000, 0.95, 0, &ci2), "boot again");
	CHECK(ci2.lo == ci.lo && ci2.hi == ci.hi, "not reproducible");
	CHECK(!kerf_boot_ratio(&b, &n, 8, 2000, 0.95, 0, &ci2), "boot seed 8");
	CHECK(ci2.lo != ci.lo || ci2.hi != ci.hi, "seed ignored");
	/* Process-level variance is in the interval: resampling processes
	 * makes it much wider than pretending all samples are independent
	 * (between-process sd 2% vs within 1%). */
	CHECK(!kerf_boot_ratio(&bf, &nf, 7, 2000, 0.95, 0, &flat), "flat");
	CHECK(ci.hi - ci.lo > 2 * (flat.hi - flat.lo),
	      "hier [%g,%g] not wider than flat [%g,%g]", ci.lo, ci.hi, flat.lo,
	      flat.hi);

	/* Constant sides: the interval collapses onto the ratio. */
	for (i = 0; i < N; i++) {
		bx[i] = 4;
		nx[i] = 5;
	}
	CHECK(!kerf_boot_ratio(&b, &n, 1, 500, 0.95, 0, &ci), "const");
	CHECK(ci.lo == 1.25 && ci.hi == 1.25 && ci.ratio == 1.25,
	      "const: %g [%g, %g]", ci.ratio, ci.lo, ci.hi);
	for (i = 0; i < N; i++)
		bx[i] = 0;
	CHECK(kerf_boot_ratio(&b, &n, 1, 500, 0.95, 0, &ci) == -EINVAL,
	      "zero base median accepted");

	/*
	 * Coverage: true ratio 1.05, process effects 3%, within 1%. The
	 * population median of a side is scale * exp(0) (symmetric log
	 * effects), so the true ratio of medians is 1.05. A 95% interval
	 * should cover it in about 95% of the trials; the flat bootstrap,
	 * blind to the process effects, covers far less often.
	 */
	kerf_rng_seed(&r, 2026);
	for (t = 0; t < trials; t++) {
		synth(&r, 100, PROCS, PER, 0.03, 0.01, bx, bg);
		synth(&r, 105, PROCS, PER, 0.03, 0.01, nx, ng);
		CHECK(!kerf_boot_ratio(&b, &n, t, 1000, 0.95, 0, &ci), "cov");
		CHECK(!kerf_boot_ratio(&bf, &nf, t, 1000, 0.95, 0, &flat),
		      "covf");
		cover += ci.lo <= 1.05 && 1.05 <= ci.hi;
		cover_flat += flat.lo <= 1.05 && 1.05 <= flat.hi;
	}
	printf("coverage of 95%% intervals over %d trials: by process %d, "
	       "flat %d\n",
	       trials, cover, cover_flat);
	CHECK(cover >= trials * 85 / 100, "coverage %d/%d too low", cover,
	      trials);
	CHECK(cover_flat < cover && cover_flat < trials * 70 / 100,
	      "flat coverage %d/%d: process effects not shown", cover_flat,
	      trials);
}

/*
 * Student's t quantiles against SciPy 1.10.1, scipy.stats.t.ppf(0.975, df):
 * df 2: 4.302652729911275, 3: 3.182446305284263, 4: 2.7764451051977987,
 * 8: 2.3060041350333704, 18: 2.10092204024096, 38: 2.024394164575136.
 * The expanded level for k = 10 processes a side: z = sqrt(10/9) * t(18) =
 * 2.21460..., 2 * Phi(z) - 1 = 0.97321 (scipy.stats.norm.cdf).
 */
static void test_expand(void)
{
	static const struct {
		double df, t;
	} tq[] = { { 2, 4.302652729911275 },  { 3, 3.182446305284263 },
		   { 4, 2.7764451051977987 }, { 8, 2.3060041350333704 },
		   { 18, 2.10092204024096 },  { 38, 2.024394164575136 } };
	enum { PROCS = 3, PER = 5, N = PROCS * PER };
	double bx[N], nx[N], lv;
	int bg[N], ng[N], t, cov_e = 0, cov_p = 0, trials = 300;
	struct kerf_sampleset b = { bx, bg, N }, n = { nx, ng, N };
	struct kerf_ratio_ci ci, pl;
	struct kerf_rng r;
	size_t i;

	for (i = 0; i < sizeof(tq) / sizeof(tq[0]); i++) {
		double v = kerf_t_quantile(0.975, tq[i].df);

		CHECK(close_rel(v, tq[i].t, tq[i].df < 3 ? 1e-9 : 2e-3),
		      "t(0.975, %g) = %.6f, scipy %.6f", tq[i].df, v, tq[i].t);
	}
	CHECK(close_rel(kerf_t_quantile(0.025, 2), -4.302652729911275, 1e-9),
	      "lower t quantile");
	lv = kerf_expanded_level(0.95, 10);
	CHECK(fabs(lv - 0.97321) < 5e-4, "expanded level k=10: %.5f", lv);
	CHECK(kerf_expanded_level(0.95, 1) == 0.95, "k=1 must not expand");

	/*
	 * Three processes a side (the quick profile), process effects 5%,
	 * samples 1%, no true change: the plain percentile interval covers
	 * the true ratio about 90% of the time, the expanded one about 95%.
	 */
	kerf_rng_seed(&r, 77);
	for (t = 0; t < trials; t++) {
		synth(&r, 100, PROCS, PER, 0.05, 0.01, bx, bg);
		synth(&r, 100, PROCS, PER, 0.05, 0.01, nx, ng);
		CHECK(!kerf_boot_ratio(&b, &n, t, 1000, 0.95, KERF_BOOT_EXPAND,
				       &ci),
		      "expand");
		CHECK(!kerf_boot_ratio(&b, &n, t, 1000, 0.95, 0, &pl), "plain");
		cov_e += ci.lo <= 1 && 1 <= ci.hi;
		cov_p += pl.lo <= 1 && 1 <= pl.hi;
	}
	CHECK(ci.procs_base == PROCS && ci.procs_new == PROCS &&
		      ci.level > 0.999,
	      "procs %zu/%zu level %g", ci.procs_base, ci.procs_new, ci.level);
	printf("3 processes a side, %d trials: coverage expanded %d, plain %d\n",
	       trials, cov_e, cov_p);
	CHECK(cov_e >= trials * 90 / 100, "expanded coverage %d/%d", cov_e,
	      trials);
	CHECK(cov_p < cov_e, "expansion changed nothing: %d vs %d", cov_p,
	      cov_e);
}

/* A result of 10 processes x 10 samples around level, each off by <= 1%. */
static json_t *gate_result(double level, const char *status)
{
	json_t *s = json_array(), *p = json_array();

	for (int i = 0; i < 100; i++) {
		json_array_append_new(
			s, json_real(level *
				     (1 + 0.01 * ((i * 37) % 11 - 5) / 5)));
		json_array_append_new(p, json_integer(i / 10));
	}
	return json_pack("{s:s, s:{}, s:s, s:s, s:s, s:o, s:o}", "bench",
			 "syscall/getppid", "params", "unit", "ns/op", "better",
			 "lower", "status", status, "samples", s,
			 "sample_procs", p);
}

/* A kerf_gate_run holding the one result res (reference taken). */
static void gate_run(struct kerf_gate_run *r, const char *path, json_t *res)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->run = json_pack("{s:[o]}", "results", res);
	r->index = json_pack("{s:O}", "syscall/getppid{}", res);
	r->order = json_pack("[s]", "syscall/getppid{}");
}

/* The engine at the sample level, and the gate failing closed. */
static void test_gate(void)
{
	json_t *nb = gate_result(110, "ok");
	struct kerf_gate_run b, n, f;
	struct kerf_gate_opts o;
	struct kerf_gate_cmp c;

	/* FNV-1a by hand in Python: h = (h ^ c) * 0x100000001b3 mod 2^64. */
	CHECK(kerf_gate_seed("syscall/getppid{}") == 0xba8484ed8677e0c4ull,
	      "seed %llx",
	      (unsigned long long)kerf_gate_seed("syscall/getppid{}"));
	/* NEW's own noise_pct would excuse it: it must not be read. */
	json_object_set_new(nb, "noise_pct", json_real(1e9));
	gate_run(&b, "b", gate_result(100, "ok"));
	gate_run(&n, "n", nb);
	gate_run(&f, "f", gate_result(110, "error"));
	kerf_gate_opts_init(&o);
	CHECK(!kerf_gate_compare(&b, 1, &n, 1, &o, &c), "compare");
	CHECK(c.insufficient && kerf_gate_exit(&c, 1, &o) == 2,
	      "one run a side not insufficient");
	kerf_gate_cmp_free(&c);
	o.allow_single_run = true;
	CHECK(!kerf_gate_compare(&b, 1, &n, 1, &o, &c), "compare single");
	CHECK(c.n == 1 && c.r[0].level == KERF_LEVEL_SAMPLE, "level %d",
	      c.r[0].level);
	CHECK(close_rel(c.r[0].est, 1.1, 1e-9), "ratio %g", c.r[0].est);
	CHECK(c.r[0].lo < 1.1 && c.r[0].hi > 1.1 && c.r[0].lo > 1.05,
	      "ci [%g, %g]", c.r[0].lo, c.r[0].hi);
	CHECK(c.r[0].thr_pct == KERF_GATE_THRESHOLD_PCT,
	      "threshold %g from NEW", c.r[0].thr_pct);
	CHECK(c.r[0].v == KERF_REGRESSION && kerf_gate_exit(&c, 1, &o) == 1,
	      "verdict %s", kerf_verdict_name[c.r[0].v]);
	kerf_gate_cmp_free(&c);
	CHECK(!kerf_gate_compare(&b, 1, &f, 1, &o, &c), "compare failed");
	CHECK(c.r[0].v == KERF_FAILED && kerf_gate_exit(&c, 1, &o) == 1 &&
		      !strcmp(c.r[0].why, "NEW error: no reason given"),
	      "failed: %s, why '%s'", kerf_verdict_name[c.r[0].v], c.r[0].why);
	o.allow_missing = true;
	CHECK(kerf_gate_exit(&c, 1, &o) == 0, "--allow-missing");
	kerf_gate_cmp_free(&c);
	kerf_gate_run_free(&b);
	kerf_gate_run_free(&n);
	kerf_gate_run_free(&f);
}

int main(void)
{
	test_mwu();
	test_holm();
	test_boot();
	test_expand();
	test_gate();
	if (fails) {
		fprintf(stderr, "%d check(s) failed\n", fails);
		return 1;
	}
	printf("hypo: all checks passed\n");
	return 0;
}
