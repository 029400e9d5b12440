/* SPDX-License-Identifier: MIT */
/* The gate's engine: compares BASE runs with NEW runs, result by result. */
#ifndef KERF_GATE_H
#define KERF_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kerf/hypo.h"

#define KERF_GATE_THRESHOLD_PCT 3.0 /* default smallest change that counts */
#define KERF_GATE_ALPHA 0.01 /* default family-wise error rate */
#define KERF_GATE_LEVEL 0.95 /* level of every interval */
#define KERF_GATE_POWER 0.80 /* power of the detectable change */
#define KERF_GATE_KEYLEN 1024 /* longest result key, "bench{k=v,...}" */
#define KERF_GATE_EXACT 20000 /* enumerate relabellings up to this many */
#define KERF_GATE_REPS 9999 /* else this many random ones */

struct kerf_gate_opts {
	double threshold; /* percent */
	bool threshold_set; /* given: BASE's noise_pct does not override */
	double alpha;
	bool plain; /* sample level: percentile interval, not expanded */
	bool allow_missing; /* a result missing or failed in NEW passes */
	bool allow_single_run; /* one run a side: a sample-level verdict */
	uint64_t seed; /* of the Monte Carlo relabellings */
	json_t *noise; /* NULL, or key -> noise floor, percent (noise/1) */
	json_t *noise_sd; /* NULL, or key -> run-level sd_log (noise/2) */
	bool allow[KERF_N_ENV_KEYS]; /* keys of kerf_env_keys allowed to differ */
};

/* The defaults of kerf compare: no option given. */
void kerf_gate_opts_init(struct kerf_gate_opts *o);
void kerf_gate_opts_free(struct kerf_gate_opts *o);

/*
 * --noise FILE: kerf.noise/2 {"schema", "sd_log": {"bench{k=v}": sd}}, the
 * run-to-run SD of each result's log median on this machine (the spread a
 * one-run-a-side comparison lacks), or kerf.noise/1 {"noise_pct": {key:
 * pct}}, noise floors that raise the threshold. Returns 0 or -EINVAL.
 */
int kerf_gate_load_noise(const char *path, struct kerf_gate_opts *o);

enum kerf_verdict {
	KERF_SAME, /* "no change": the design could see the threshold */
	KERF_REGRESSION,
	KERF_IMPROVEMENT,
	KERF_INCONCLUSIVE, /* not significant, and the design too weak */
	KERF_MISSING, /* in BASE, not in NEW: fails unless allow_missing */
	KERF_FAILED, /* ok in BASE, not ok in NEW: the same */
	KERF_NOT_COMPARED, /* units differ, a stressor, BASE skipped... */
	KERF_N_VERDICTS
};
extern const char *const kerf_verdict_name[KERF_N_VERDICTS];

/* The level a result was tested at. */
enum kerf_gate_level {
	KERF_LEVEL_ROUND, /* rounds interleaved in one kerf ab: paired */
	KERF_LEVEL_RUN, /* several runs a side: unpaired */
	KERF_LEVEL_NOISE, /* one run a side, run spread from --noise */
	KERF_LEVEL_SAMPLE, /* one run a side, --allow-single-run */
	KERF_LEVEL_NONE, /* not tested */
};
extern const char *const kerf_gate_level_name[];

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

/*
 * The samples of a result and the worker process of each, as a sampleset
 * for kerf_boot_ratio (arrays allocated; sample_procs is ignored, one
 * process, when missing or of another length). path and key name the
 * result in the message of a bad sample. Returns 0, -EINVAL or -ENOMEM.
 */
int kerf_gate_sampleset(const char *path, const char *key, const json_t *res,
			struct kerf_sampleset *s);
void kerf_gate_sampleset_free(struct kerf_sampleset *s);

/* One result of BASE compared with NEW. */
struct kerf_gate_result {
	char key[KERF_GATE_KEYLEN];
	const json_t *res; /* a BASE result: bench, params, unit, better */
	bool lower_better;
	enum kerf_gate_level level;
	int n_base, n_new; /* units (rounds, runs or samples) */
	double mb, mn; /* geometric mean of unit medians (sample: medians) */
	double est, lo, hi; /* NEW/BASE ratio, KERF_GATE_LEVEL interval */
	double sd_log; /* unit-level SD of the log medians (or differences) */
	double p, p_adj; /* NaN: not tested */
	double detectable_pct; /* change seen with KERF_GATE_POWER */
	double thr_pct;
	const char *thr_from; /* "option", "default", "BASE noise_pct"... */
	enum kerf_verdict v;
	int units_needed; /* inconclusive: rounds (runs a side) to decide */
	char why[512];
};

/* BASE runs against NEW runs: the design, the test, every result. */
struct kerf_gate_cmp {
	struct kerf_gate_run *base, *new; /* not owned */
	int nb, nn;
	enum kerf_gate_level level; /* of the design */
	const char *method; /* "max-T sign-flip", "Holm t", ... */
	char method_why[256];
	bool exact;
	long nperm;
	uint64_t seed;
	bool insufficient; /* one run a side and nothing else: exit 2 */
	int refused; /* environment keys that refuse the comparison */
	struct kerf_gate_result *r;
	size_t n;
	json_t *env_diff; /* array of {"key", "run", "base", "new", ...} */
	json_t *only_new; /* keys NEW has and BASE lacks */
	int count[KERF_N_VERDICTS];
	double geomean; /* of cost ratios (above 1 worse); NaN: none */
};

/*
 * Compare nb BASE runs with nn NEW runs (the report and kerf ab call this
 * too). Paired by round when one run a side carries the same rounds of one
 * kerf ab (config.rounds >= 2 and config.arm on both); else unpaired, the
 * run being the unit. Returns 0 (see c->refused and c->insufficient),
 * -EINVAL (bad input, said on stderr) or -ENOMEM.
 */
int kerf_gate_compare(struct kerf_gate_run *base, int nb,
		      struct kerf_gate_run *new, int nn,
		      const struct kerf_gate_opts *o, struct kerf_gate_cmp *c);
void kerf_gate_cmp_free(struct kerf_gate_cmp *c);

/* The exit code of kerf compare for these comparisons: 0, 1 or 2. */
int kerf_gate_exit(const struct kerf_gate_cmp *c, int n,
		   const struct kerf_gate_opts *o);

/*
 * The environment differences between the runs and base[0], into c->env_diff;
 * a key that matters refuses when it differs or one side lacks it. Returns
 * the number of refusing keys.
 */
int kerf_gate_env(struct kerf_gate_cmp *c, const struct kerf_gate_opts *o);

/* Whether two runs agree on every environment key that matters. */
bool kerf_gate_env_matches(const struct kerf_gate_run *a,
			   const struct kerf_gate_run *b);

/*
 * --history DIR: the runs DIR/x/run.json and DIR/x.json whose environment
 * matches ref's on every key that matters, newest `started` first, at most
 * last; paths in skip (n_skip) are left out. *runs is allocated. Returns
 * the count, or -EINVAL / -ENOMEM.
 */
int kerf_gate_history(const char *dir, int last,
		      const struct kerf_gate_run *ref, char *const *skip,
		      int n_skip, struct kerf_gate_run **runs);
void kerf_gate_history_free(struct kerf_gate_run *runs, int n);

enum kerf_gate_fmt { KERF_GATE_TEXT, KERF_GATE_MD, KERF_GATE_JSON };

/*
 * Every string that came from a file goes out through here: text drops
 * control characters, Markdown also escapes | ` * _ [ ] < > \ and turns
 * newlines into spaces. Returns the characters written (f NULL: counted).
 */
size_t kerf_gate_put_str(FILE *f, enum kerf_gate_fmt fmt, const char *s);

/* kerf compare's output: one column per comparison. */
void kerf_gate_print(FILE *f, enum kerf_gate_fmt fmt,
		     const struct kerf_gate_cmp *c, int n,
		     const struct kerf_gate_opts *o);
/* On stderr: the keys that refused the comparison. */
void kerf_gate_print_refusal(const struct kerf_gate_cmp *c, int n);

#endif
