/* SPDX-License-Identifier: MIT */
/* The gate's engine: pairs two runs' results, tests them, gives verdicts. */
#ifndef KERF_GATE_H
#define KERF_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kerf/hypo.h"

#define KERF_GATE_THRESHOLD_PCT 3.0 /* default smallest change that counts */
#define KERF_GATE_ALPHA 0.05 /* default significance level */
#define KERF_GATE_LEVEL 0.95 /* level of the interval of every pair */
#define KERF_GATE_KEYLEN 1024 /* longest result key, "bench{k=v,...}" */

struct kerf_gate_opts {
	double threshold; /* percent */
	bool threshold_set; /* given: a bench's noise_pct does not override */
	double alpha;
	bool plain; /* percentile interval, not KERF_BOOT_EXPAND */
	json_t *noise; /* NULL, or key -> measured noise floor, percent */
	bool allow[KERF_N_ENV_KEYS]; /* keys of kerf_env_keys allowed to differ */
};

/* The defaults of kerf compare: no option given. */
void kerf_gate_opts_init(struct kerf_gate_opts *o);

/*
 * --noise FILE: {"schema": "kerf.noise/1", "noise_pct": {"bench{k=v}": pct}},
 * the run-to-run noise floors measured on this machine; o->noise gets the
 * noise_pct object. Returns 0 or -EINVAL (said on stderr).
 */
int kerf_gate_load_noise(const char *path, struct kerf_gate_opts *o);

enum kerf_verdict { KERF_SAME, KERF_REGRESSION, KERF_IMPROVEMENT };
extern const char *const kerf_verdict_name[]; /* "no change", ... */

/* A run loaded for comparison. */
struct kerf_gate_run {
	const char *path;
	json_t *run;
	json_t *index; /* key -> result (first of each key) */
	json_t *order; /* keys in run order */
};

/* Load and index a run (file or directory). Returns 0 or -EINVAL (said). */
int kerf_gate_load(const char *path, struct kerf_gate_run *r);
void kerf_gate_run_free(struct kerf_gate_run *r);

/* One bench + params compared between BASE and NEW. */
struct kerf_gate_pair {
	char key[KERF_GATE_KEYLEN];
	const json_t *b, *n; /* the two results */
	bool lower_better;
	double mb, mn; /* medians */
	struct kerf_ratio_ci ci; /* of mn / mb */
	struct kerf_mwu u; /* NEW against BASE */
	double p_holm;
	double thr_pct;
	bool thr_own; /* threshold from noise_pct or the --noise file */
	bool thr_measured; /* from the --noise file */
	bool blind; /* one process a side, no noise floor: no verdict */
	enum kerf_verdict v;
};

/*
 * The samples of a result and the worker process of each, as a sampleset
 * for kerf_boot_ratio (arrays allocated; sample_procs is ignored, one
 * process, when missing or of another length). path and key name the
 * result in the message of a bad sample. Returns 0, -EINVAL or -ENOMEM.
 */
int kerf_gate_sampleset(const char *path, const char *key, const json_t *res,
			struct kerf_sampleset *s);
void kerf_gate_sampleset_free(struct kerf_sampleset *s);

/*
 * Everything of one pair but the Holm correction and the verdict: medians,
 * the bootstrap interval (seed kerf_gate_seed(key)), the Mann-Whitney test
 * and the threshold. Returns 0 (compared), 1 with the reason in why (not
 * comparable: a status not ok, units or directions that differ, no samples,
 * a median of zero), or a negative errno (bad samples, said on stderr).
 */
int kerf_gate_pair(const char *key, const char *bpath, const json_t *b,
		   const char *npath, const json_t *n,
		   const struct kerf_gate_opts *o, struct kerf_gate_pair *p,
		   char *why, size_t whylen);

/* The verdicts of a set of pairs. */
struct kerf_gate_tally {
	double geomean; /* of cost ratios (above 1 worse); NAN: none */
	int nreg, nimp;
};

/*
 * Holm over the n pairs, then each pair's verdict: a regression or an
 * improvement when p_holm < alpha and the whole interval lies beyond the
 * threshold.
 */
void kerf_gate_verdicts(struct kerf_gate_pair *p, size_t n,
			const struct kerf_gate_opts *o,
			struct kerf_gate_tally *t);

/* BASE against one NEW run. */
struct kerf_gate_column {
	struct kerf_gate_run *run;
	struct kerf_gate_pair *pairs;
	size_t np;
	json_t *only_base, *only_new; /* arrays of keys */
	json_t *skipped; /* array of {"key", "why"} */
	json_t *env_diff; /* array of {"key", "base", "new", "matters", ...} */
	struct kerf_gate_tally t;
};

/* An empty column for NEW. Returns 0 or -ENOMEM. */
int kerf_gate_column_init(struct kerf_gate_column *c, struct kerf_gate_run *r);
void kerf_gate_column_free(struct kerf_gate_column *c);

/*
 * The environment differences of BASE and the column's run, appended to
 * c->env_diff. Returns the number of differing keys that matter and are
 * not allowed: the comparison is refused when it is not 0.
 */
int kerf_gate_env(const struct kerf_gate_run *base, struct kerf_gate_column *c,
		  const struct kerf_gate_opts *o);

/* Pair every result of BASE with the column's run and give the verdicts. */
int kerf_gate_column(const struct kerf_gate_run *base,
		     struct kerf_gate_column *c,
		     const struct kerf_gate_opts *o);

/* Printers of kerf compare: text or Markdown tables, and kerf.compare/1. */
void kerf_gate_print_table(FILE *f, const struct kerf_gate_run *base,
			   const struct kerf_gate_column *cols, int ncol,
			   const struct kerf_gate_opts *o, bool md);
void kerf_gate_print_json(FILE *f, const struct kerf_gate_run *base,
			  const struct kerf_gate_column *cols, int ncol,
			  const struct kerf_gate_opts *o, bool regress);
/* On stderr: the keys that refused the comparison. */
void kerf_gate_print_refusal(const struct kerf_gate_column *cols, int ncol);

#endif
