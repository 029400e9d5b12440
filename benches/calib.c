/* SPDX-License-Identifier: MIT */
/* calib/spin: a fixed amount of CPU work, so a change of known size can be
 * planted to test the regression gate (work=1000 vs 1050 is 5%). */
#include "kerf/bench.h"

struct spin_priv {
	int64_t work;
};

static const struct kerf_param spin_params[] = {
	KERF_INT("work", struct spin_priv, work, "1000", "1", "1000000000",
		 "steps of a dependent multiply-add chain per operation"),
	{ 0 }
};

static int spin_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct spin_priv *p = kerf_priv(ctx);
	uint64_t x = 88172645463325252ull;

	for (uint64_t i = 0; i < n; i++) {
		/* Each step depends on the last: no overlap, no vectorising. */
		for (int64_t w = 0; w < p->work; w++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			kerf_keep(x);
		}
	}
	return 0;
}

const struct kerf_bench calib_spin = {
	.name = "calib/spin",
	.summary =
		"a fixed chain of dependent multiply-adds: planted changes for the gate",
	.unit = "ns/op",
	.params = spin_params,
	.priv_size = sizeof(struct spin_priv),
	.run = spin_run,
};
