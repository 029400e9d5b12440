/* SPDX-License-Identifier: MIT */
/* Hypothesis tests for the gate: Mann-Whitney U, Holm, bootstrap ratios. */
#ifndef KERF_HYPO_H
#define KERF_HYPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest smaller sample for which the exact null distribution is used. */
#define KERF_MWU_EXACT_MAX 8
#define KERF_MWU_EXACT_NMAX 1000

struct kerf_mwu {
	double u1; /* U of x: pairs (x_i, y_j) with x_i > y_j, ties 1/2 */
	double u2; /* nx * ny - u1 */
	double z; /* normal score, continuity corrected (0 when exact) */
	double p; /* two-sided p-value */
	bool exact; /* p from the exact distribution (no ties, small n) */
	bool ties;
};

/*
 * Two-sided Mann-Whitney U test of x against y. The p-value is exact when
 * there are no ties and the smaller sample has at most KERF_MWU_EXACT_MAX
 * values (the larger at most KERF_MWU_EXACT_NMAX); otherwise it is the
 * normal approximation with the tie correction of the variance and a
 * continuity correction of 1/2 (what scipy.stats.mannwhitneyu computes with
 * method='asymptotic', use_continuity=True). force_asymptotic skips the
 * exact path. Returns 0, or -EINVAL when a sample is empty or holds NaN,
 * -ENOMEM.
 */
int kerf_mwu(const double *x, size_t nx, const double *y, size_t ny,
	     bool force_asymptotic, struct kerf_mwu *out);

/*
 * Holm's step-down correction of n p-values: adj[i] is the adjusted p-value
 * of p[i] (monotone in the sorted order, capped at 1). p and adj may be the
 * same array. Returns 0 or -ENOMEM.
 */
int kerf_holm(const double *p, size_t n, double *adj);

/* One side of a comparison: samples and the worker process of each. */
struct kerf_sampleset {
	const double *x;
	const int *proc; /* NULL: all from one process */
	size_t n;
};

struct kerf_ratio_ci {
	double ratio; /* median(new) / median(base) */
	double lo, hi; /* percentile interval of the ratio */
	double level; /* the percentile level used (after expansion) */
	size_t procs_base, procs_new; /* worker processes on each side */
	int reps;
	uint64_t seed;
};

/*
 * Bootstrap interval (level, say 0.95) of median(new) / median(base).
 * Each replicate resamples, on each side independently, the worker
 * processes with replacement, then within every chosen process as many
 * samples as it has, with replacement; the ratio of the two pooled medians
 * is one replicate. So the interval holds the variance between processes,
 * not only the variance inside them. Returns 0, -EINVAL (empty side, a
 * median of zero, level outside (0,1)) or -ENOMEM.
 */
int kerf_boot_ratio(const struct kerf_sampleset *base,
		    const struct kerf_sampleset *new, uint64_t seed, int reps,
		    double level, unsigned int flags,
		    struct kerf_ratio_ci *out);

/*
 * Flag of kerf_boot_ratio: widen the percentile interval for few worker
 * processes (Hesterberg's expanded percentile interval, with the processes
 * as the units): the percentiles are taken at the level whose normal score
 * is sqrt(k / (k - 1)) * t(df) where k is the smaller process count and
 * df = 2 (k - 1). A plain percentile interval from 3 processes a side
 * covers about 90%, not 95%; this restores it. With one process on a
 * side, k is the smaller sample count instead.
 */
#define KERF_BOOT_EXPAND (1u << 0)

/* The level kerf_boot_ratio uses for KERF_BOOT_EXPAND with k units. */
double kerf_expanded_level(double level, size_t k);

/* Quantile p of Student's t with df degrees of freedom (df >= 1). */
double kerf_t_quantile(double p, double df);

/* Standard normal upper tail, P(Z > z). */
double kerf_norm_sf(double z);

/* Student's t upper tail, P(T > t), df > 0 (incomplete beta). */
double kerf_t_sf(double t, double df);

/* Paired rounds: the share trimmed from each end (Yuen) from
 * KERF_UNIT_TRIM_MIN rounds on, and the most rounds a test reads. */
#define KERF_UNIT_TRIM 0.2
#define KERF_UNIT_TRIM_MIN 20
#define KERF_UNIT_MAX 1000

/*
 * The t statistic of one result over u units. paired: x[j] is the log
 * difference NEW - BASE of unit (round) j, multiplied by lab[j] (+-1; NULL:
 * all +1), and t is Yuen's one-sample t of their 20% trimmed mean from 20
 * rounds on, the plain t below (sd: the effective SD of one round, se
 * sqrt(n)).
 * Unpaired: x[j] is the log median of unit (run) j, lab[j] 1 for NEW and 0
 * for BASE, and t is the pooled two-sample t of mean(NEW) - mean(BASE).
 * NaN units are absent. Returns 0, or -EDOM when there are too few units
 * for a spread.
 */

struct kerf_unit_t {
	double est; /* mean log difference (paired, 20+ rounds: trimmed) */
	double sd; /* of the units (pooled when unpaired) */
	double se, t, df;
	size_t n0, n1; /* units: BASE and NEW (paired: n1 rounds) */
};
int kerf_unit_t(const double *x, size_t u, const signed char *lab, bool paired,
		struct kerf_unit_t *out);

/*
 * Westfall-Young single-step max-T over m results that share u units: the
 * same relabelling is applied to every result at once (signs of whole
 * rounds when paired; assignment of whole runs to BASE and NEW when not),
 * so the test keeps the results' correlation. p[k] is result k's own
 * permutation p-value, p_adj[k] the share of relabellings whose largest
 * |t| over all results reaches |t_k|: the family-wise error stays at the
 * level for any dependence between results. Exact when the relabellings
 * number at most max_exact, else reps random ones plus the observed one.
 */
struct kerf_maxt_in {
	const double *x; /* m rows of u values (see kerf_unit_t) */
	const bool *skip; /* NULL, or m flags: results left out */
	size_t m, u;
	bool paired;
	size_t nb; /* unpaired: the first nb units are BASE */
	double max_exact;
	long reps;
	uint64_t seed;
};
struct kerf_maxt_info {
	long n; /* relabellings counted */
	bool exact;
	uint64_t seed;
};
int kerf_maxt(const struct kerf_maxt_in *in, double *p, double *p_adj,
	      struct kerf_maxt_info *info);

/* The smallest p-value kerf_maxt can give for that design. */
double kerf_maxt_pmin(bool paired, size_t u, size_t nb);

/*
 * The seed the gate gives kerf_boot_ratio for the pair of results with this
 * key (kerf_result_key): KERF_GATE_SEED xor the key's FNV-1a hash, so that
 * every caller gets the same interval for the same pair.
 */
#define KERF_GATE_SEED 0x6b6572662d676174ull /* "kerf-gat" */
uint64_t kerf_gate_seed(const char *key);

/*
 * The environment keys that decide whether two runs compare (kerf.run/1
 * environment member names). A key that matters refuses a comparison when
 * the two runs differ on it; the others are shown. The gate and the report
 * both read this one list.
 */
struct kerf_env_key {
	const char *key;
	bool matters;
};
#define KERF_N_ENV_KEYS 11
extern const struct kerf_env_key kerf_env_keys[KERF_N_ENV_KEYS];

/* The index of key in kerf_env_keys, or -1. */
int kerf_env_key_index(const char *key);

#endif
