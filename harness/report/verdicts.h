/* SPDX-License-Identifier: MIT */
/* The gate's verdicts as the report reads them: one adapter (verdicts.c) between the page and the gate's engine. */
#ifndef KERF_REPORT_VERDICTS_H
#define KERF_REPORT_VERDICTS_H

#include <jansson.h>
#include <stdbool.h>

#include "kerf/gate.h"

/* The verdicts of gate v2 (SPEC-gate2.md); today's engine gives a subset. */
enum rep_v {
	REP_SAME, /* "no change" */
	REP_REGRESSION,
	REP_IMPROVEMENT,
	REP_INCONCLUSIVE, /* today: the gate's "blind" results */
	REP_MISSING, /* in BASE, not in the run */
	REP_FAILED, /* ok in BASE, not ok in the run */
	REP_NOT_COMPARED, /* units differ, a stressor, BASE skipped... */
	REP_N_VERDICTS
};
extern const char *const rep_verdict_name[REP_N_VERDICTS];
extern const char *const rep_verdict_colour[REP_N_VERDICTS];

/* One result of BASE against one other run, as the gate judged it. */
struct rep_verdict {
	char key[KERF_GATE_KEYLEN];
	const json_t *base, *new; /* new NULL when missing */
	double est, lo,
		hi; /* ratio run / BASE and its interval; NaN: untested */
	double p_adj, thr_pct, detectable_pct; /* NaN when the gate has none */
	const char *level; /* "sample (one run a side)", ... */
	const char *thr_from; /* "default", "noise_pct", "--noise file" */
	int units_needed; /* runs a side that would decide; 0: not said */
	enum rep_v v;
	char why[512];
};

/* BASE (run 0) against one other run: a verdict per result of BASE. */
struct rep_cmp {
	int run;
	struct rep_verdict *r; /* in BASE's order; the same for every run */
	size_t n;
	int count[REP_N_VERDICTS];
	int only_new; /* results the run has and BASE lacks */
	int refused; /* environment keys that make kerf compare refuse */
	json_t *env_diff; /* the gate's [{"key", "base", "new", "matters"}] */
	bool single; /* one run a side: the verdicts need replication */
	char method[320]; /* what the gate tested, in its words */
};

/*
 * The gate's verdicts of every run against run 0, into *out (nruns - 1
 * comparisons, allocated). Returns the count or a negative errno.
 */
int rep_verdicts(json_t *const *runs, int nruns, struct rep_cmp **out);
void rep_verdicts_free(struct rep_cmp *c, int n);

#endif
