/* SPDX-License-Identifier: MIT */
/* Memory bench helpers: page-backed buffers, smaps, vmstat, chases, knees. */
#ifndef KERF_MEMLIB_H
#define KERF_MEMLIB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kerf_ctx;

#define KERF_SZ_2M (2ul << 20)
#define KERF_SZ_1G (1ul << 30)

/* What backs a buffer. */
enum kerf_pages {
	KERF_PAGES_4K, /* MADV_NOHUGEPAGE */
	KERF_PAGES_THP, /* MADV_HUGEPAGE on a 2 MiB-aligned range */
	KERF_PAGES_HUGETLB2M, /* MAP_HUGETLB | MAP_HUGE_2MB */
	KERF_PAGES_HUGETLB1G, /* MAP_HUGETLB | MAP_HUGE_1GB */
};
#define KERF_PAGES_CHOICES "4k,thp,hugetlb2m,hugetlb1g"

struct kerf_buf {
	char *p; /* aligned to the page size of the kind */
	size_t len; /* rounded up to that page size */
	void *map; /* what to munmap */
	size_t maplen;
	enum kerf_pages kind;
};

/*
 * Map len bytes of anonymous memory backed as kind; nothing is touched.
 * Returns 0, -ENOTSUP with the reason in why (THP "never", a hugetlb pool
 * short of pages: the reason names the setting to change), or -ENOMEM.
 */
int kerf_buf_map(struct kerf_buf *b, size_t len, enum kerf_pages kind,
		 char *why, size_t whylen);
/* Unmap; a zeroed or already unmapped buffer is fine. */
void kerf_buf_unmap(struct kerf_buf *b);

/*
 * Fraction of [p, p + len) backed by huge pages (AnonHugePages, or the
 * whole range of a hugetlb mapping), from /proc/self/smaps. -1 on error.
 */
double kerf_huge_fraction(const void *p, size_t len);
/* The selected word of /sys/kernel/mm/transparent_hugepage/NAME
 * ("enabled", "defrag"); "absent" when the file is missing. */
void kerf_thp_setting(const char *name, char *buf, size_t len);
/* MemAvailable from /proc/meminfo, bytes; 0 when unknown. */
uint64_t kerf_mem_available(void);

/* Counters of /proc/vmstat every memory result carries as deltas. */
enum kerf_vm {
	KERF_VM_THP_FAULT_ALLOC,
	KERF_VM_THP_FAULT_FALLBACK,
	KERF_VM_THP_COLLAPSE_ALLOC,
	KERF_VM_THP_SPLIT_PAGE,
	KERF_VM_COMPACT_STALL,
	KERF_VM_COMPACT_SUCCESS,
	KERF_VM_COMPACT_FAIL,
	KERF_VM_PGFAULT,
	KERF_VM_PGMAJFAULT,
	KERF_VM_N,
};

struct kerf_vmstat {
	uint64_t v[KERF_VM_N];
	bool have[KERF_VM_N];
	bool ok;
};

const char *kerf_vm_name(enum kerf_vm k);
/* Read the counters now. Returns 0 or a negative errno. */
int kerf_vmstat_read(struct kerf_vmstat *s);
/* Metrics "vmstat.<name>" (count) of the change since before; nothing when
 * before was never read. The counters are host-wide: other processes add. */
void kerf_vmstat_metrics(struct kerf_ctx *ctx,
			 const struct kerf_vmstat *before);

/*
 * Random pointer chase: slot i lies at base + i * stride + (i % rot) * 64
 * (rot > 1 spreads page-strided slots over the lines of a page, so they do
 * not all fall in one cache set). Each slot is made to point to the next
 * slot of one random cycle through all n slots (Sattolo's algorithm, done
 * in place on the slots, so no index array is needed). Returns slot 0.
 * Requires n >= 1, stride >= 8 and a multiple of 8, rot * 64 <= stride
 * when rot > 1.
 */
void **kerf_chase_build(char *base, size_t n, size_t stride, size_t rot,
			uint64_t seed);

/* Sattolo's algorithm on an index array: p becomes one cycle over [0, n). */
void kerf_sattolo(uint32_t *p, size_t n, uint64_t seed);

/* A knee: where latency bends up, and how far it goes up from there. */
struct kerf_knee {
	double wss; /* bytes: last point before the rise */
	double end; /* bytes: where the rise levels out */
	double ratio; /* latency at end / latency at wss */
};

/*
 * Knees of a latency curve (wss ascending, latency > 0): in log2(wss) and
 * log(latency), the curve smoothed by a median of 3 and then by its lower
 * non-decreasing envelope (each point's minimum with all points after it:
 * noise only adds time) is cut into runs of rising segments (slope over 0.1
 * per octave); a run is split at a segment less steep than 0.3 times the
 * mean slope on either side of it; a run that starts within an octave of
 * the last knee joins it; each run that rises by 20% or more is a knee at
 * its start.
 * Returns the number written to out (at most max), or -EINVAL.
 */
int kerf_knees(const double *wss, const double *lat, int n,
	       struct kerf_knee *out, int max);

/* TLB sizes the CPU reports (CPUID), 0 where it says nothing. */
struct kerf_cpu_tlb {
	int l1d_4k, l1d_2m, l1d_1g; /* entries */
	int l2d_4k, l2d_2m, l2d_1g;
	const char *source; /* "cpuid 0x80000005/6", ... */
};
int kerf_cpu_tlb(struct kerf_cpu_tlb *t);

/*
 * Derived figures of tlb/chase sweeps in a run (kerf.run/1): for each
 * parameter set but wss, the knees of the median curve ("knees") and of
 * the 5th-percentile curve ("knees_p5"), the points of each, the CPU's TLB
 * entries and reach, and the hwloc cache sizes, under run.derived with the
 * key "tlb/chase:knees{pages=..,stride=..}". Needs three sizes or more for
 * a knee. Returns the number of curves, or a negative errno.
 */
int kerf_tlb_derive(json_t *run);

#endif
