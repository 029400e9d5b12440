/* SPDX-License-Identifier: MIT */
/* numa/access: latency and bandwidth to memory placed on one NUMA node. */
#include <errno.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kerf/bench.h"
#include "kerf/memlib.h"

/* The node parameter's choices: local, remote, then node indexes. */
#define NUMA_LOCAL 0
#define NUMA_REMOTE 1
#define NUMA_INDEX 2

/* Pages whose placement is checked with move_pages(2). */
#define NUMA_CHECK 1024

struct numa_priv {
	int node; /* NUMA_LOCAL, NUMA_REMOTE, NUMA_INDEX + n */
	int mode; /* 0 latency, 1 bandwidth */
	uint64_t wss;
	int target;
	char *mem;
	size_t len;
	struct kerf_vmstat vm0;
	void **cur; /* latency */
	size_t pos; /* bandwidth: next word */
};

/* The node asked for, or -1 with the reason in ctx (a skip). */
static int numa_target(struct kerf_ctx *ctx, struct numa_priv *np, int *rc)
{
	int local = numa_node_of_cpu(kerf_cpu(ctx)), max = numa_max_node();
	int best = -1, bestd = 0, want = np->node - NUMA_INDEX;

	if (np->node == NUMA_LOCAL)
		return local;
	if (np->node == NUMA_REMOTE) {
		/* The nearest other node that has memory. */
		for (int n = 0; n <= max; n++) {
			int d = numa_distance(local, n);

			if (n == local || numa_node_size64(n, NULL) <= 0)
				continue;
			if (best < 0 || d < bestd) {
				best = n;
				bestd = d;
			}
		}
		if (best < 0)
			*rc = kerf_skip(ctx,
					"no other NUMA node with memory than "
					"node %d",
					local);
		return best;
	}
	if (want > max || numa_node_size64(want, NULL) <= 0) {
		*rc = kerf_skip(ctx, "node %d has no memory (nodes 0..%d)",
				want, max);
		return -1;
	}
	return want;
}

/* Fraction of the buffer's pages that move_pages(2) finds on the target. */
static double numa_placed(struct numa_priv *np)
{
	size_t npages = np->len / 4096,
	       k = npages < NUMA_CHECK ? npages : NUMA_CHECK;
	void *pages[NUMA_CHECK];
	int status[NUMA_CHECK], on = 0;

	for (size_t i = 0; i < k; i++)
		pages[i] = np->mem + (i * npages / k) * 4096;
	if (numa_move_pages(0, k, pages, NULL, status, 0))
		return -1.0;
	for (size_t i = 0; i < k; i++)
		on += status[i] == np->target;
	return (double)on / (double)k;
}

static int numa_setup(struct kerf_ctx *ctx)
{
	struct numa_priv *np = kerf_priv(ctx);
	uint64_t avail = kerf_mem_available();
	double placed;
	int rc = 0;

	if (numa_available() < 0)
		return kerf_skip(ctx, "no NUMA support in this kernel "
				      "(get_mempolicy fails)");
	if (numa_num_configured_nodes() < 2)
		return kerf_skip(ctx,
				 "single NUMA node host (%d node with memory): "
				 "no remote memory to compare",
				 numa_num_configured_nodes());
	if (avail && np->wss > avail / 4)
		return kerf_skip(ctx,
				 "wss=%llu bytes is over a quarter of "
				 "MemAvailable (%llu bytes)",
				 (unsigned long long)np->wss,
				 (unsigned long long)avail);
	np->target = numa_target(ctx, np, &rc);
	if (np->target < 0)
		return rc ? rc : kerf_fail(ctx, -EINVAL, "no target node");
	kerf_vmstat_read(&np->vm0);
	np->len = np->wss;
	np->mem = numa_alloc_onnode(np->len, np->target);
	if (!np->mem)
		return kerf_fail(ctx, -ENOMEM,
				 "numa_alloc_onnode(%zu, %d) failed", np->len,
				 np->target);
	madvise(np->mem, np->len, MADV_NOHUGEPAGE);
	if (np->mode == 0)
		np->cur = kerf_chase_build(np->mem, np->len / 64, 64, 1,
					   kerf_now_ns());
	else
		memset(np->mem, 1, np->len);
	placed = numa_placed(np);
	kerf_info(ctx, "placement", "cpu %d on node %d, memory on node %d",
		  kerf_cpu(ctx), numa_node_of_cpu(kerf_cpu(ctx)), np->target);
	if (np->mode == 1)
		kerf_info(ctx, "access",
			  "one 8-byte load per 64-byte line, in "
			  "order: GB/s = 64 / (ns/access)");
	if (placed >= 0) {
		kerf_metric(ctx, "on_node_fraction", placed, "fraction");
		if (placed < 0.99)
			kerf_warn(ctx,
				  "only %.1f%% of the pages are on node %d",
				  placed * 100, np->target);
	}
	return 0;
}

static int numa_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct numa_priv *np = kerf_priv(ctx);

	if (np->mode == 0) {
		void **p = np->cur;

		for (uint64_t i = 0; i < n; i++)
			p = (void **)*p;
		kerf_keep(p);
		np->cur = p;
	} else {
		const uint64_t *w = (const uint64_t *)np->mem;
		size_t pos = np->pos, nw = np->len / 8;
		uint64_t sum = 0;

		for (uint64_t i = 0; i < n; i++) {
			sum += w[pos];
			pos += 8;
			if (pos >= nw)
				pos = 0;
		}
		kerf_keep(sum);
		np->pos = pos;
	}
	return 0;
}

static void numa_teardown(struct kerf_ctx *ctx)
{
	struct numa_priv *np = kerf_priv(ctx);

	if (np->mem)
		numa_free(np->mem, np->len);
	np->mem = NULL;
	kerf_vmstat_metrics(ctx, &np->vm0);
}

static const struct kerf_param numa_params[] = {
	KERF_ENUM("node", struct numa_priv, node, "local,remote",
		  "local,remote,0,1,2,3,4,5,6,7",
		  "local, remote (the nearest other node) or a node index"),
	KERF_ENUM("mode", struct numa_priv, mode, "latency,bandwidth",
		  "latency,bandwidth",
		  "latency: random dependent chase; bandwidth: in-order reads"),
	KERF_SIZE("wss", struct numa_priv, wss, "256M", "1M", "16G",
		  "bytes placed on the node"),
	{}
};

const struct kerf_bench numa_access = {
	.name = "numa/access",
	.summary =
		"loads from memory bound to one NUMA node (move_pages checked)",
	.unit = "ns/access",
	.better = KERF_LOWER_IS_BETTER,
	.params = numa_params,
	.priv_size = sizeof(struct numa_priv),
	.quick = "wss=16M",
	.setup = numa_setup,
	.run = numa_run,
	.teardown = numa_teardown,
};
