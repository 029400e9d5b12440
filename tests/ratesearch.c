/* SPDX-License-Identifier: MIT */
/* kerf_rate_search on synthetic servers of known capacity: the knee within 5% below it, the miss above, a knee below the start, a cap, errors, and the step count bounded. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "kerf/ratesearch.h"

/* A server that meets the target below cap, client-bound from client_at. */
struct fake {
	double cap, client_at, fail_at;
	int calls;
	double last;
};

static int fake_step(void *arg, double rate, bool *met, bool *client)
{
	struct fake *f = arg;

	f->calls++;
	f->last = rate;
	if (f->fail_at > 0 && rate >= f->fail_at)
		return -EIO;
	*met = rate <= f->cap;
	*client = f->client_at > 0 && rate >= f->client_at;
	return 0;
}

/* Doubling steps plus bisection steps, as the header bounds them. */
static int bound(double start, double cap, double tol)
{
	return (int)floor(log2(cap / start)) + 1 +
	       (int)ceil(log2(log(2) / log(1 + tol))) + 1;
}

static void knee_at(double start, double x)
{
	struct fake f = { .cap = x };
	struct kerf_rate_search s = { .start = start, .cap = 1e7, .tol = 0.05 };
	int ret = kerf_rate_search(&s, fake_step, &f);

	CHECK(!ret, "knee %g: ret %d", x, ret);
	CHECK(s.knee <= x && s.knee >= x / 1.05, "knee %g: found %g", x,
	      s.knee);
	CHECK(s.above > x && s.above <= s.knee * 1.05 + 1,
	      "knee %g: miss at %g, knee %g", x, s.above, s.knee);
	CHECK(!s.below && !s.capped && !s.client, "knee %g: flags", x);
	CHECK(s.steps == f.calls && s.steps <= bound(start, 1e7, 0.05),
	      "knee %g: %d steps, bound %d", x, s.steps,
	      bound(start, 1e7, 0.05));
}

int main(void)
{
	struct kerf_rate_search s = { .start = 8000, .cap = 1e7, .tol = 0.05 };
	struct fake f = { .cap = 5000 };
	int ret;

	knee_at(8000, 8000);
	knee_at(8000, 12345);
	knee_at(8000, 31999);
	knee_at(1000, 4.5e6);
	knee_at(1, 37);

	/* integer rates: it stops when no integer is left between the two */
	f = (struct fake){ .cap = 1.5 };
	s.start = 1;
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(!ret && s.knee == 1 && s.above == 2 && s.steps == 2,
	      "knee 1.5: knee %g above %g steps %d", s.knee, s.above, s.steps);
	s.start = 8000;
	f = (struct fake){ .cap = 5000 };

	/* the start already misses: knee 0, said, one step */
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(!ret && s.knee == 0 && s.above == 8000 && s.below && !s.capped &&
		      s.steps == 1,
	      "below: knee %g above %g below %d steps %d", s.knee, s.above,
	      s.below, s.steps);

	/* never failing: stops at the cap */
	f = (struct fake){ .cap = INFINITY };
	s.cap = 1e6;
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(!ret && s.capped && s.above == 0 && s.knee == 512000 &&
		      f.last <= 1e6 && s.steps == 7,
	      "capped: knee %g above %g steps %d last %g", s.knee, s.above,
	      s.steps, f.last);

	/* the miss that bounds the knee was client-bound */
	f = (struct fake){ .cap = 20000, .client_at = 20001 };
	s.cap = 1e7;
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(!ret && s.client && s.above > 20000 && s.above <= 21000,
	      "client: %d above %g knee %g", s.client, s.above, s.knee);
	/* client-bound at 32000 only: the bracket's top, 20749, was not */
	f = (struct fake){ .cap = 20000, .client_at = 30000 };
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(!ret && !s.client && s.above < 30000,
	      "a client-bound miss above the bracket: %d above %g", s.client,
	      s.above);

	/* a step's error ends the search and comes back as is */
	f = (struct fake){ .cap = 1e6, .fail_at = 64000 };
	ret = kerf_rate_search(&s, fake_step, &f);
	CHECK(ret == -EIO && f.last == 64000 && f.calls == 4,
	      "error: ret %d last %g calls %d", ret, f.last, f.calls);

	s.start = 0;
	CHECK(kerf_rate_search(&s, fake_step, &f) == -EINVAL, "start 0");
	return fails ? 1 : 0;
}
