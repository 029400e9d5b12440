/* SPDX-License-Identifier: MIT */
/* cpu/throttle: a CFS quota below a busy worker's demand, and what a 1 ms waker sees. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "kerf/stats.h"
#include "kerf/stress.h"

struct throttle_priv {
	int64_t quota_pct;
	uint64_t period; /* ns */
	uint32_t seen; /* lateness entries already in the timeline */
};

#define MAX_WAKES ((KERF_STRESS_SHARED - 64) / sizeof(uint32_t))

struct throttle_shared {
	uint32_t n;
	uint32_t pad[15];
	uint32_t late_us[]; /* lateness of each 1 ms wakeup */
};

static const struct kerf_param throttle_params[] = {
	KERF_INT("quota", struct throttle_priv, quota_pct, "20", "1", "100",
		 "CPU quota in percent of one CPU per period"),
	KERF_TIME("period", struct throttle_priv, period, "100ms", "1ms", "1s",
		  "CFS period (cpu.max second field, cpu.cfs_period_us)"),
	{}
};

static int throttle_setup(struct kerf_stress *st)
{
	struct throttle_priv *pv = kerf_stress_priv(st);
	uint64_t period_us = pv->period / 1000;
	int err;

	err = kerf_cg_cpu_max(kerf_stress_cg(st),
			      period_us * (uint64_t)pv->quota_pct / 100,
			      period_us);
	if (err)
		return kerf_stress_fail(st, err, "cannot set the CPU quota");
	return 0;
}

static int busy_worker(struct kerf_stress *st, int idx)
{
	volatile uint64_t x = 0;

	while (!kerf_stress_expired(st))
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i;
	return 0;
}

static int waker_worker(struct kerf_stress *st, int idx)
{
	struct throttle_shared *sh = kerf_stress_shared(st);
	uint64_t next = kerf_now_ns(), now, late;

	while (!kerf_stress_expired(st) && sh->n < MAX_WAKES) {
		kerf_stress_pace(&next, 1000000);
		now = kerf_now_ns();
		late = now - next;
		sh->late_us[sh->n] = (uint32_t)(late / 1000);
		__atomic_store_n(&sh->n, sh->n + 1, __ATOMIC_RELEASE);
		/* Wakeups missed while throttled are skipped, not replayed. */
		while (next + 1000000 <= now)
			next += 1000000;
	}
	return 0;
}

static int throttle_start(struct kerf_stress *st)
{
	pid_t pid = kerf_stress_spawn(st, "busy", busy_worker, 0);

	if (pid < 0)
		return pid;
	pid = kerf_stress_spawn(st, "waker", waker_worker, 1);
	return pid < 0 ? pid : 0;
}

static bool throttle_tick(struct kerf_stress *st, uint64_t t_ns)
{
	struct throttle_priv *pv = kerf_stress_priv(st);
	struct throttle_shared *sh = kerf_stress_shared(st);
	uint32_t n = __atomic_load_n(&sh->n, __ATOMIC_ACQUIRE), i, worst = 0;
	struct kerf_cg_cpu c;

	for (i = pv->seen; i < n; i++)
		if (sh->late_us[i] > worst)
			worst = sh->late_us[i];
	pv->seen = n;
	kerf_stress_col(st, "lateness_max_us", worst);
	if (!kerf_cg_cpu_read(kerf_stress_cg(st), &c)) {
		if (c.nr_throttled != KERF_CG_NA)
			kerf_stress_col(st, "nr_throttled",
					(double)c.nr_throttled);
		if (c.throttled_us != KERF_CG_NA)
			kerf_stress_col(st, "throttled_us",
					(double)c.throttled_us);
	}
	return false;
}

static int throttle_verdict(struct kerf_stress *st)
{
	struct throttle_priv *pv = kerf_stress_priv(st);
	struct throttle_shared *sh = kerf_stress_shared(st);
	double *x, p50, p99, max;
	struct kerf_cg_cpu c;
	uint32_t i, n = sh->n;

	if (!n)
		return kerf_stress_fail(st, -EIO, "the waker never woke");
	x = malloc(n * sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		x[i] = sh->late_us[i];
	qsort(x, n, sizeof(*x), kerf_cmp_double);
	p50 = kerf_quantile_sorted(x, n, 0.50);
	p99 = kerf_quantile_sorted(x, n, 0.99);
	max = x[n - 1];
	free(x);
	kerf_stress_figure(st, "wakeups", n, "count");
	kerf_stress_figure(st, "lateness_p50_us", p50, "us");
	kerf_stress_figure(st, "lateness_p99_us", p99, "us");
	kerf_stress_figure(st, "lateness_max_us", max, "us");
	kerf_stress_figure(st, "quota_pct", (double)pv->quota_pct, "%");
	kerf_stress_figure(st, "period_us", (double)pv->period / 1e3, "us");
	if (!kerf_cg_cpu_read(kerf_stress_cg(st), &c)) {
		if (c.nr_periods != KERF_CG_NA)
			kerf_stress_figure(st, "nr_periods",
					   (double)c.nr_periods, "count");
		if (c.nr_throttled != KERF_CG_NA)
			kerf_stress_figure(st, "nr_throttled",
					   (double)c.nr_throttled, "count");
		if (c.throttled_us != KERF_CG_NA)
			kerf_stress_figure(st, "throttled_s",
					   (double)c.throttled_us / 1e6, "s");
	}
	kerf_stress_observed(
		st,
		c.nr_throttled != KERF_CG_NA && c.nr_throttled > 0 &&
			p99 > 1000,
		"%llu throttled periods; the 1 ms waker was late by p50 %.0f us, p99 %.0f us, max %.0f us",
		(unsigned long long)c.nr_throttled, p50, p99, max);
	return 0;
}

const struct kerf_stressor cpu_throttle = {
	.name = "cpu/throttle",
	.summary =
		"a busy worker under a CFS quota, and a task waking every 1 ms beside it",
	.expected =
		"periods throttled; the waker's lateness spikes to the rest of the period",
	.ctrls = KERF_CG_CPU,
	.unit = "us",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "lateness_p99_us",
	.params = throttle_params,
	.priv_size = sizeof(struct throttle_priv),
	.setup = throttle_setup,
	.start = throttle_start,
	.tick = throttle_tick,
	.verdict = throttle_verdict,
};
