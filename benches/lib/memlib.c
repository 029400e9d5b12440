/* SPDX-License-Identifier: MIT */
/* Memory bench helpers: page-backed buffers, smaps, vmstat, chases, knees. */
#include <errno.h>
#include <inttypes.h>
#include <linux/mman.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "kerf/bench.h"
#include "kerf/memlib.h"
#include "kerf/procfs.h"
#include "kerf/stats.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define HUGETLB_DIR "/sys/kernel/mm/hugepages/"
/* Room for all of /proc/vmstat (about 6 KiB on 6.x kernels). */
#define VMSTAT_MAX (32 << 10)

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void kerf_thp_setting(const char *name, char *buf, size_t len)
{
	char path[128], line[256], *a, *b;

	snprintf(path, sizeof(path), THP_DIR "%s", name);
	snprintf(buf, len, "absent");
	if (kerf_read_file(path, line, sizeof(line)) <= 0)
		return;
	line[strcspn(line, "\n")] = '\0';
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = '\0';
		snprintf(buf, len, "%s", a + 1);
	} else {
		snprintf(buf, len, "%s", line);
	}
}

uint64_t kerf_mem_available(void)
{
	uint64_t kb;

	if (kerf_read_kv("/proc/meminfo", "MemAvailable:", &kb))
		return 0;
	return kb * 1024;
}

/* Is the hugetlb pool of this page size able to back npages more pages? */
static int hugetlb_check(size_t psize, size_t npages, char *why, size_t whylen)
{
	char path[160];
	uint64_t nr = 0, fr = 0, resv = 0;
	bool ok1, ok2, ok3;
	unsigned long kb = (unsigned long)(psize >> 10);

	snprintf(path, sizeof(path), HUGETLB_DIR "hugepages-%lukB/nr_hugepages",
		 kb);
	ok1 = !kerf_read_u64(path, &nr);
	snprintf(path, sizeof(path),
		 HUGETLB_DIR "hugepages-%lukB/free_hugepages", kb);
	ok2 = !kerf_read_u64(path, &fr);
	snprintf(path, sizeof(path),
		 HUGETLB_DIR "hugepages-%lukB/resv_hugepages", kb);
	ok3 = !kerf_read_u64(path, &resv);
	if (!ok1 || !ok2) {
		snprintf(why, whylen,
			 "no hugetlb pool of %lu kB pages (%s missing)", kb,
			 path);
		return -ENOTSUP;
	}
	if (ok3 && resv < fr)
		fr -= resv;
	else if (ok3)
		fr = 0;
	if (fr >= npages)
		return 0;
	if (psize == KERF_SZ_2M)
		snprintf(why, whylen,
			 "hugetlb 2M pool has %" PRIu64
			 " free pages of %" PRIu64
			 ", need %zu: as root, sysctl vm.nr_hugepages=%" PRIu64,
			 fr, nr, npages, nr + (npages - fr));
	else
		snprintf(why, whylen,
			 "hugetlb 1G pool has %" PRIu64
			 " free pages of %" PRIu64
			 ", need %zu: as root, echo %" PRIu64 " > " HUGETLB_DIR
			 "hugepages-1048576kB/nr_hugepages",
			 fr, nr, npages, nr + (npages - fr));
	return -ENOTSUP;
}

static int map_hugetlb(struct kerf_buf *b, size_t len, size_t psize, int flag,
		       char *why, size_t whylen)
{
	int rc;
	void *m;

	len = align_up(len, psize);
	rc = hugetlb_check(psize, len / psize, why, whylen);
	if (rc)
		return rc;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | flag, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(why, whylen, "mmap(MAP_HUGETLB) of %zu bytes: %s", len,
			 strerror(errno));
		return errno == ENOMEM ? -ENOTSUP : -errno;
	}
	b->map = b->p = m;
	b->maplen = b->len = len;
	return 0;
}

int kerf_buf_map(struct kerf_buf *b, size_t len, enum kerf_pages kind,
		 char *why, size_t whylen)
{
	char mode[32];
	size_t maplen;
	char *m, *p;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if (!len)
		len = 1;
	switch (kind) {
	case KERF_PAGES_HUGETLB2M:
		return map_hugetlb(b, len, KERF_SZ_2M, MAP_HUGE_2MB, why,
				   whylen);
	case KERF_PAGES_HUGETLB1G:
		return map_hugetlb(b, len, KERF_SZ_1G, MAP_HUGE_1GB, why,
				   whylen);
	case KERF_PAGES_THP:
		kerf_thp_setting("enabled", mode, sizeof(mode));
		if (strcmp(mode, "always") && strcmp(mode, "madvise")) {
			snprintf(why, whylen,
				 "transparent huge pages are '%s' in " THP_DIR
				 "enabled (need madvise or always)",
				 mode);
			return -ENOTSUP;
		}
		if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1) {
			snprintf(
				why, whylen,
				"THP disabled for this process (PR_SET_THP_DISABLE)");
			return -ENOTSUP;
		}
		break;
	default:
		break;
	}

	/* 2 MiB-aligned in both cases: the 4k buffer differs only in advice.
	 * A THP buffer is whole huge pages, so a small one can be huge too. */
	len = align_up(len, kind == KERF_PAGES_THP ? KERF_SZ_2M : 4096);
	maplen = align_up(len, KERF_SZ_2M) + KERF_SZ_2M;
	m = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(why, whylen, "mmap of %zu bytes: %s", maplen,
			 strerror(errno));
		return -errno;
	}
	p = (char *)align_up((size_t)m, KERF_SZ_2M);
	/* Give back the slack so the range is a mapping of its own. */
	if (p > m)
		munmap(m, (size_t)(p - m));
	if (m + maplen > p + len)
		munmap(p + len, (size_t)(m + maplen - (p + len)));
	b->map = b->p = p;
	b->maplen = b->len = len;
	if (madvise(p, len,
		    kind == KERF_PAGES_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(why, whylen, "madvise(%s): %s",
			 kind == KERF_PAGES_THP ? "MADV_HUGEPAGE" :
						  "MADV_NOHUGEPAGE",
			 strerror(errno));
		kerf_buf_unmap(b);
		return -ENOTSUP;
	}
	return 0;
}

void kerf_buf_unmap(struct kerf_buf *b)
{
	if (b->map && b->maplen)
		munmap(b->map, b->maplen);
	b->map = b->p = NULL;
	b->maplen = b->len = 0;
}

double kerf_huge_fraction(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len, vs = 0, ve = 0;
	unsigned long long a, e, kb;
	double huge = 0.0;
	char line[512];
	FILE *f;

	if (!len)
		return -1.0;
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1.0;
	while (fgets(line, sizeof(line), f)) {
		size_t ov;

		if (sscanf(line, "%llx-%llx ", &a, &e) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			vs = (uintptr_t)a;
			ve = (uintptr_t)e;
			continue;
		}
		if (ve <= lo || vs >= hi)
			continue;
		ov = (size_t)((ve < hi ? ve : hi) - (vs > lo ? vs : lo));
		if (sscanf(line, "KernelPageSize: %llu kB", &kb) == 1 &&
		    kb > 4) {
			/* hugetlb: the whole overlap is huge. */
			huge += (double)ov;
		} else if (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			/* Counted for the whole area: take the overlap's share. */
			huge += (double)kb * 1024.0 * (double)ov /
				(double)(ve - vs);
		}
	}
	fclose(f);
	huge /= (double)len;
	return huge > 1.0 ? 1.0 : huge;
}

static const char *const vm_names[KERF_VM_N] = {
	[KERF_VM_THP_FAULT_ALLOC] = "thp_fault_alloc",
	[KERF_VM_THP_FAULT_FALLBACK] = "thp_fault_fallback",
	[KERF_VM_THP_COLLAPSE_ALLOC] = "thp_collapse_alloc",
	[KERF_VM_THP_SPLIT_PAGE] = "thp_split_page",
	[KERF_VM_COMPACT_STALL] = "compact_stall",
	[KERF_VM_COMPACT_SUCCESS] = "compact_success",
	[KERF_VM_COMPACT_FAIL] = "compact_fail",
	[KERF_VM_PGFAULT] = "pgfault",
	[KERF_VM_PGMAJFAULT] = "pgmajfault",
};

const char *kerf_vm_name(enum kerf_vm k)
{
	return k < KERF_VM_N ? vm_names[k] : "?";
}

int kerf_vmstat_read(struct kerf_vmstat *s)
{
	char *text = malloc(VMSTAT_MAX);
	int ret;

	memset(s, 0, sizeof(*s));
	if (!text)
		return -ENOMEM;
	ret = kerf_read_file("/proc/vmstat", text, VMSTAT_MAX);
	if (ret >= 0) {
		for (int k = 0; k < KERF_VM_N; k++)
			s->have[k] = !kerf_kv(text, vm_names[k], &s->v[k]);
		s->ok = true;
		ret = 0;
	}
	free(text);
	return ret;
}

void kerf_vmstat_metrics(struct kerf_ctx *ctx, const struct kerf_vmstat *before)
{
	struct kerf_vmstat now;
	char name[64];

	if (!before->ok || kerf_vmstat_read(&now))
		return;
	for (int k = 0; k < KERF_VM_N; k++) {
		if (!before->have[k] || !now.have[k])
			continue;
		snprintf(name, sizeof(name), "vmstat.%s", vm_names[k]);
		kerf_metric(ctx, name, (double)(now.v[k] - before->v[k]),
			    "count");
	}
}

void **kerf_chase_build(char *base, size_t n, size_t stride, size_t rot,
			uint64_t seed)
{
	struct kerf_rng r;
	size_t i;

#define SLOT(i) ((void **)(base + (i)*stride + ((i) % rot) * 64))
	if (rot < 1)
		rot = 1;
	for (i = 0; i < n; i++)
		*SLOT(i) = SLOT(i);
	kerf_rng_seed(&r, seed);
	/* Sattolo: swapping contents that start as "self" makes slot i hold
	 * slot p(i), with p one cycle over all the slots. */
	for (i = n - 1; i > 0; i--) {
		size_t j = (size_t)kerf_rng_below(&r, i);
		void *t = *SLOT(i);

		*SLOT(i) = *SLOT(j);
		*SLOT(j) = t;
	}
	return SLOT(0);
#undef SLOT
}

void kerf_sattolo(uint32_t *p, size_t n, uint64_t seed)
{
	struct kerf_rng r;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	kerf_rng_seed(&r, seed);
	for (size_t i = n - 1; n && i > 0; i--) {
		size_t j = (size_t)kerf_rng_below(&r, i);
		uint32_t t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
}

/* Knee detection thresholds: a rising segment climbs more than KNEE_SLOPE
 * (natural log of latency per octave of wss); a rise must total KNEE_RISE. */
#define KNEE_SLOPE 0.1
#define KNEE_RISE 0.18232155679395462 /* ln 1.2 */
#define KNEE_DIP 0.3
#define KNEE_MERGE 1.0

static double med3(double a, double b, double c)
{
	if (a > b) {
		double t = a;

		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

struct kcurve {
	const double *x, *y, *s; /* log2 wss, smoothed ln latency, slopes */
	struct kerf_knee *out;
	int max, nk;
	int last; /* start of the last run seen, -1: none */
	bool last_out; /* it is out[nk - 1] */
};

static void knee_emit(struct kcurve *k, int a, int b)
{
	double rise;

	/* Trim flat ends: segments that add little to the whole rise. */
	rise = k->y[b] - k->y[a];
	while (a < b && k->y[a + 1] - k->y[a] < 0.1 * rise)
		a++;
	while (b > a && k->y[b] - k->y[b - 1] < 0.1 * rise)
		b--;
	if (a >= b)
		return;
	/* A run starting within KNEE_MERGE octaves of the last knee is the
	 * same rise, broken by noise: one knee, at the first start. */
	if (k->last_out && k->x[a] - k->x[k->last] <= KNEE_MERGE) {
		a = k->last;
		k->nk--;
	}
	k->last = a;
	k->last_out = false;
	rise = k->y[b] - k->y[a];
	if (rise < KNEE_RISE || k->nk >= k->max)
		return;
	k->out[k->nk].wss = exp2(k->x[a]);
	k->out[k->nk].end = exp2(k->x[b]);
	k->out[k->nk].ratio = exp(rise);
	k->nk++;
	k->last_out = true;
}

/* Points a..b rise throughout; split at a slope dip between two climbs. */
static void knee_run(struct kcurve *k, int a, int b)
{
	int dip = -1;
	double dipr = KNEE_DIP;

	for (int i = a + 1; i < b - 1; i++) {
		double left = 0, right = 0, r;

		for (int j = a; j < i; j++)
			left += k->s[j] / (i - a);
		for (int j = i + 1; j < b; j++)
			right += k->s[j] / (b - 1 - i);
		r = k->s[i] / fmin(left, right);
		if (r < dipr) {
			dipr = r;
			dip = i;
		}
	}
	if (dip < 0) {
		knee_emit(k, a, b);
		return;
	}
	knee_run(k, a, dip);
	knee_run(k, dip + 1, b);
}

int kerf_knees(const double *wss, const double *lat, int n,
	       struct kerf_knee *out, int max)
{
	double *x, *y, *s;
	struct kcurve k = { .out = out, .max = max };
	int i, start = -1;

	if (n < 0 || max < 0)
		return -EINVAL;
	if (n < 3)
		return 0;
	x = calloc((size_t)n * 3, sizeof(double));
	if (!x)
		return -ENOMEM;
	y = x + n;
	s = y + n;
	for (i = 0; i < n; i++) {
		if (wss[i] <= 0 || lat[i] <= 0 || (i && wss[i] <= wss[i - 1])) {
			free(x);
			return -EINVAL;
		}
		x[i] = log2(wss[i]);
	}
	y[0] = log(lat[0]);
	y[n - 1] = log(lat[n - 1]);
	for (i = 1; i < n - 1; i++)
		y[i] = med3(log(lat[i - 1]), log(lat[i]), log(lat[i + 1]));
	/*
	 * Latency cannot fall as the working set grows, and noise (preemption,
	 * a neighbour's cache traffic) only adds time: keep the lower monotone
	 * envelope, so a spike followed by lower points is no knee.
	 */
	for (i = n - 2; i >= 0; i--)
		y[i] = fmin(y[i], y[i + 1]);
	for (i = 0; i < n - 1; i++)
		s[i] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
	k.x = x;
	k.y = y;
	k.s = s;
	for (i = 0; i < n; i++) {
		bool up = i < n - 1 && s[i] > KNEE_SLOPE;

		if (up && start < 0)
			start = i;
		if (!up && start >= 0) {
			knee_run(&k, start, i);
			start = -1;
		}
	}
	free(x);
	return k.nk;
}
