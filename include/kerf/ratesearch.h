/* SPDX-License-Identifier: MIT */
/* The search for the highest rate that meets a target: doubling, then geometric bisection, over a step the caller measures. */
#ifndef KERF_RATESEARCH_H
#define KERF_RATESEARCH_H

#include <stdbool.h>

/*
 * One measurement at rate: *met when the target held, *client when the
 * client, not the server, set the rate or the tail. Returns 0, or an error
 * that ends the search and is returned from kerf_rate_search.
 */
typedef int (*kerf_rate_step_fn)(void *arg, double rate, bool *met,
				 bool *client);

struct kerf_rate_search {
	double start; /* the first rate tried, above 0 */
	double cap; /* no rate above it is tried */
	double tol; /* bisect until above <= knee * (1 + tol) */
	/* results */
	double knee; /* the highest rate that met the target; 0: start missed */
	double above; /* the lowest rate that missed it; 0: none did */
	bool below; /* start already missed: the knee is below start */
	bool capped; /* every rate up to cap met it: the knee is above */
	bool client; /* the step that missed at above was client-bound */
	int steps; /* measurements taken */
};

/*
 * From start, double while the target holds (coarse steps, up to cap),
 * then bisect geometrically between the last rate that met it and the
 * first that missed until they are tol apart, rates rounded to integers.
 * At most log2(cap / start) + 1 doubling steps and log2(ln 2 / ln(1 +
 * tol)) + 1 bisection steps. Returns 0, -EINVAL (start or tol not above
 * 0) or the first step's error.
 */
int kerf_rate_search(struct kerf_rate_search *s, kerf_rate_step_fn step,
		     void *arg);

#endif
