/* SPDX-License-Identifier: MIT */
/* tlb/chase: a dependent random pointer chase, the cost of a TLB or cache miss. */
#include <errno.h>

#include "kerf/bench.h"
#include "kerf/derive.h"
#include "kerf/memlib.h"
#include "kerf/perf.h"

struct chase_priv {
	uint64_t wss;
	int stride; /* 0: one slot per line, 1: one per page */
	int pages; /* enum kerf_pages */
	struct kerf_buf buf;
	struct kerf_perf perf;
	struct kerf_vmstat vm0;
	void **cur;
	uint64_t accesses;
};

static const struct kerf_param chase_params[] = {
	KERF_SIZE("wss", struct chase_priv, wss, "16K,256K,4M,64M,1G", "4K",
		  "64G",
		  "working set the chase spans (over MemAvailable/2: skip)"),
	KERF_ENUM("stride", struct chase_priv, stride, "line", "line,page",
		  "one pointer per 64-byte line, or one per 4 KiB page (TLB "
		  "reach with a cache footprint of wss/64)"),
	KERF_ENUM("pages", struct chase_priv, pages, "4k,thp",
		  KERF_PAGES_CHOICES,
		  "backing: 4k (MADV_NOHUGEPAGE), thp (MADV_HUGEPAGE), hugetlb "
		  "2M or 1G pool pages"),
	{}
};

static int chase_setup(struct kerf_ctx *ctx)
{
	struct chase_priv *cp = kerf_priv(ctx);
	size_t step = cp->stride ? 4096 : 64, n;
	uint64_t avail = kerf_mem_available(), seed = kerf_now_ns();
	char why[256] = "", en[32], df[32];
	double huge;
	int rc;

	if (avail && cp->wss > avail / 2)
		return kerf_skip(ctx,
				 "wss=%llu bytes is over half of MemAvailable "
				 "(%llu bytes): not run, to keep the host safe",
				 (unsigned long long)cp->wss,
				 (unsigned long long)avail);
	kerf_vmstat_read(&cp->vm0);
	rc = kerf_buf_map(&cp->buf, cp->wss, cp->pages, why, sizeof(why));
	if (rc == -ENOTSUP)
		return kerf_skip(ctx, "%s", why);
	if (rc)
		return kerf_fail(ctx, rc, "%s", why);
	n = cp->wss / step;
	if (!n)
		n = 1;
	cp->cur =
		kerf_chase_build(cp->buf.p, n, step, cp->stride ? 64 : 1, seed);

	kerf_thp_setting("enabled", en, sizeof(en));
	kerf_thp_setting("defrag", df, sizeof(df));
	kerf_info(ctx, "thp", "enabled=%s defrag=%s", en, df);
	kerf_info(ctx, "chase",
		  "%zu slots, %zu bytes apart, one cycle, seed %llu", n, step,
		  (unsigned long long)seed);
	huge = kerf_huge_fraction(cp->buf.p, cp->buf.len);
	if (huge >= 0)
		kerf_metric(ctx, "huge_fraction", huge, "fraction");
	if (cp->pages == KERF_PAGES_THP && huge >= 0 && huge < 0.9)
		kerf_warn(ctx,
			  "only %.0f%% of the buffer is in huge pages (THP "
			  "defrag=%s): the result mixes page sizes",
			  huge * 100, df);
	if (cp->pages == KERF_PAGES_4K && huge > 0.1)
		kerf_warn(ctx, "%.0f%% of the 4k buffer is in huge pages",
			  huge * 100);

	kerf_perf_open(&cp->perf, (1u << KERF_PEV_DTLB_LOAD_MISSES) |
					  (1u << KERF_PEV_DTLB_LOADS) |
					  (1u << KERF_PEV_CYCLES) |
					  (1u << KERF_PEV_PAGE_FAULTS));
	return 0;
}

static int chase_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct chase_priv *cp = kerf_priv(ctx);
	void **p = cp->cur;

	kerf_perf_start(&cp->perf);
	for (uint64_t i = 0; i < n; i++)
		p = (void **)*p;
	kerf_perf_stop(&cp->perf);
	kerf_keep(p);
	cp->cur = p;
	cp->accesses += n;
	return 0;
}

static void chase_teardown(struct kerf_ctx *ctx)
{
	struct chase_priv *cp = kerf_priv(ctx);

	if (cp->accesses)
		kerf_perf_report(ctx, &cp->perf, (double)cp->accesses,
				 "access");
	kerf_perf_close(&cp->perf);
	kerf_buf_unmap(&cp->buf);
	kerf_vmstat_metrics(ctx, &cp->vm0);
}

const struct kerf_bench tlb_chase = {
	.name = "tlb/chase",
	.summary = "dependent loads in one random cycle over wss bytes",
	.unit = "ns/access",
	.better = KERF_LOWER_IS_BETTER,
	.params = chase_params,
	.priv_size = sizeof(struct chase_priv),
	.quick = "wss=16K,4M",
	.full = "wss=4K,8K,16K,32K,64K,128K,256K,384K,512K,768K,1M,1536K,2M,"
		"3M,4M,6M,8M,12M,16M,24M,32M,48M,64M,128M,256M,512M,1G,2G,4G "
		"stride=line,page",
	.setup = chase_setup,
	.run = chase_run,
	.teardown = chase_teardown,
	.derive = &kerf_derive_tlb,
};
