/* SPDX-License-Identifier: MIT */
/* The search for the highest rate that meets a target (evloop load=search), apart from what measures a rate. */
#include <errno.h>
#include <math.h>

#include "kerf/ratesearch.h"

/* One step; the bracket moved to rate on the side it fell. */
static int ratesearch_step(struct kerf_rate_search *s, kerf_rate_step_fn step,
			   void *arg, double rate)
{
	bool met = false, client = false;
	int ret = step(arg, rate, &met, &client);

	if (ret)
		return ret;
	s->steps++;
	if (met) {
		s->knee = rate;
	} else {
		s->above = rate;
		s->client = client;
	}
	return 0;
}

int kerf_rate_search(struct kerf_rate_search *s, kerf_rate_step_fn step,
		     void *arg)
{
	double r;
	int ret;

	s->knee = s->above = 0;
	s->below = s->capped = s->client = false;
	s->steps = 0;
	if (!(s->start > 0) || !(s->tol > 0))
		return -EINVAL;
	for (r = s->start; !s->above && r <= s->cap; r *= 2) {
		ret = ratesearch_step(s, step, arg, r);
		if (ret)
			return ret;
	}
	s->below = s->knee == 0 && s->above > 0;
	s->capped = s->above == 0;
	while (s->knee > 0 && s->above > s->knee * (1 + s->tol)) {
		r = round(sqrt(s->knee * s->above));
		/* integer rates: nothing left between the two */
		if (r <= s->knee || r >= s->above)
			break;
		ret = ratesearch_step(s, step, arg, r);
		if (ret)
			return ret;
	}
	return 0;
}
