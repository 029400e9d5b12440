/* SPDX-License-Identifier: MIT */
/* thp/fault_latency: the distribution of single huge-page first-touch faults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kerf/bench.h"
#include "kerf/memlib.h"
#include "kerf/stats.h"

/* Huge pages held before they are all given back (128 MiB). */
#define THP_HOLD 64

struct thp_priv {
	bool fragment;
	uint64_t fragbytes;
	struct kerf_buf hold; /* THP_HOLD huge pages, touched in turn */
	struct kerf_buf frag; /* 4k pages, every other one freed */
	struct kerf_vmstat vm0;
	int next; /* next huge page of hold to touch */
	double *lat; /* samples of the last run() call */
	uint64_t nlat;
	double *calm; /* those during which no other task ran here */
	uint64_t ncalm;
	double huge_sum;
	int huge_n;
};

/*
 * Hold fragbytes in 4 KiB pages, then free every other one: the holes
 * cannot merge, so free memory inside the bound has no 2 MiB block left.
 */
static int thp_fragment(struct kerf_ctx *ctx, struct thp_priv *tp)
{
	char why[256] = "";
	size_t off;
	int rc;

	rc = kerf_buf_map(&tp->frag, tp->fragbytes, KERF_PAGES_4K, why,
			  sizeof(why));
	if (rc)
		return kerf_fail(ctx, rc, "fragmenting: %s", why);
	for (off = 0; off < tp->frag.len; off += 4096)
		tp->frag.p[off] = 1;
	for (off = 0; off < tp->frag.len; off += 2 * 4096)
		madvise(tp->frag.p + off, 4096, MADV_DONTNEED);
	kerf_info(ctx, "fragment",
		  "%llu bytes touched in 4 KiB pages, every other page freed",
		  (unsigned long long)tp->frag.len);
	return 0;
}

static int thp_setup(struct kerf_ctx *ctx)
{
	struct thp_priv *tp = kerf_priv(ctx);
	uint64_t avail = kerf_mem_available();
	char why[256] = "", en[32], df[32];
	int rc;

	kerf_thp_setting("enabled", en, sizeof(en));
	kerf_thp_setting("defrag", df, sizeof(df));
	kerf_info(ctx, "thp", "enabled=%s defrag=%s", en, df);
	if (tp->fragment && avail && tp->fragbytes > avail / 4)
		return kerf_skip(ctx,
				 "fragbytes=%llu is over a quarter of "
				 "MemAvailable (%llu bytes)",
				 (unsigned long long)tp->fragbytes,
				 (unsigned long long)avail);
	rc = kerf_buf_map(&tp->hold, THP_HOLD * KERF_SZ_2M, KERF_PAGES_THP, why,
			  sizeof(why));
	if (rc == -ENOTSUP)
		return kerf_skip(ctx, "%s", why);
	if (rc)
		return kerf_fail(ctx, rc, "%s", why);
	if (tp->fragment && tp->fragbytes) {
		rc = thp_fragment(ctx, tp);
		if (rc)
			return rc;
	}
	/* After fragmenting: the deltas are those of the huge-page faults. */
	kerf_vmstat_read(&tp->vm0);
	return 0;
}

/* Give every held huge page back, noting how many really were huge. */
static void thp_release(struct thp_priv *tp)
{
	double h = kerf_huge_fraction(tp->hold.p, tp->hold.len);

	if (h >= 0) {
		tp->huge_sum += h * THP_HOLD / (tp->next ? tp->next : THP_HOLD);
		tp->huge_n++;
	}
	madvise(tp->hold.p, tp->hold.len, MADV_DONTNEED);
	tp->next = 0;
}

/* Involuntary context switches of this thread so far. */
static long nivcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nivcsw;
}

static int thp_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct thp_priv *tp = kerf_priv(ctx);

	free(tp->lat);
	free(tp->calm);
	tp->lat = calloc(n, sizeof(double));
	tp->calm = calloc(n, sizeof(double));
	if (!tp->lat || !tp->calm)
		return kerf_fail(ctx, -ENOMEM, "no memory for %llu samples",
				 (unsigned long long)n);
	if (tp->next)
		thp_release(tp);
	tp->nlat = tp->ncalm = 0;
	tp->huge_sum = 0;
	tp->huge_n = 0;
	for (uint64_t i = 0; i < n; i++) {
		volatile char *p = tp->hold.p + (size_t)tp->next * KERF_SZ_2M;
		long cs = nivcsw();
		uint64_t ns;

		kerf_time_start(ctx);
		*p = 1;
		ns = kerf_time_stop(ctx);
		tp->lat[tp->nlat++] = (double)ns;
		if (nivcsw() == cs)
			tp->calm[tp->ncalm++] = (double)ns;
		kerf_sample(ctx, (double)ns);
		if (++tp->next == THP_HOLD)
			thp_release(tp);
	}
	return 0;
}

/* p99.9 (nearest rank below) and max of n samples, sorting them. */
static void tail_metrics(struct kerf_ctx *ctx, double *l, size_t n,
			 const char *suffix)
{
	char name[64];

	qsort(l, n, sizeof(double), kerf_cmp_double);
	snprintf(name, sizeof(name), "p99_9%s", suffix);
	kerf_metric(ctx, name, l[(size_t)(0.999 * (double)(n - 1))], "ns");
	snprintf(name, sizeof(name), "max%s", suffix);
	kerf_metric(ctx, name, l[n - 1], "ns");
}

static void thp_teardown(struct kerf_ctx *ctx)
{
	struct thp_priv *tp = kerf_priv(ctx);

	if (tp->next)
		thp_release(tp);
	if (tp->nlat) {
		tail_metrics(ctx, tp->lat, tp->nlat, "");
		/* Tails on a busy host are often another task's time slice. */
		kerf_metric(ctx, "preempted_fraction",
			    1.0 - (double)tp->ncalm / (double)tp->nlat,
			    "fraction");
		if (tp->ncalm)
			tail_metrics(ctx, tp->calm, tp->ncalm, "_unpreempted");
		if (tp->nlat < 1000)
			kerf_warn(ctx,
				  "%llu samples per process: p99.9 needs 1000 "
				  "or more (--samples)",
				  (unsigned long long)tp->nlat);
	}
	if (tp->huge_n)
		kerf_metric(ctx, "huge_fraction", tp->huge_sum / tp->huge_n,
			    "fraction");
	free(tp->lat);
	free(tp->calm);
	tp->lat = tp->calm = NULL;
	kerf_buf_unmap(&tp->hold);
	kerf_buf_unmap(&tp->frag);
	kerf_vmstat_metrics(ctx, &tp->vm0);
}

static const struct kerf_param thp_params[] = {
	KERF_BOOL("fragment", struct thp_priv, fragment, "0",
		  "1: first fragment fragbytes of free memory in 4 KiB holes"),
	KERF_SIZE("fragbytes", struct thp_priv, fragbytes, "1G", "0", "64G",
		  "memory fragmented when fragment=1 (at most MemAvailable/4)"),
	{}
};

const struct kerf_bench thp_fault_latency = {
	.name = "thp/fault_latency",
	.summary =
		"first touch of one fresh 2 MiB-aligned THP region, per fault",
	.unit = "ns",
	.better = KERF_LOWER_IS_BETTER,
	.flags = KERF_F_SAMPLES,
	.params = thp_params,
	.priv_size = sizeof(struct thp_priv),
	.quick = "fragbytes=64M",
	.setup = thp_setup,
	.run = thp_run,
	.teardown = thp_teardown,
};
