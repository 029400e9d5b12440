/* SPDX-License-Identifier: MIT */
/*
 * The latency probe of a stressor run: a worker in the run's cgroup that
 * faults a page at a fixed period and records how late each one finished,
 * and kerf's side of it: timeline columns, percentiles, spikes and the
 * counters that moved with each.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "kerf/procfs.h"
#include "kerf/stats.h"
#include "stress_run.h"

#define PROBE_HUGE (2ull << 20)
#define PROBE_PAGE 4096ull
#define PROBE_MAXN (4ull << 20) /* iterations kept (32 MiB of delays) */
#define PROBE_MAXSPIKES 100 /* spikes listed (all are counted) */

/* What the probe worker writes and kerf reads: MAP_SHARED, kerf's charge. */
struct probe_ring {
	uint64_t n; /* iterations done (release store) */
	uint64_t start_ns; /* iteration i's deadline: start + (i+1) period */
	int rt; /* 1: SCHED_FIFO granted, -1: refused */
	uint64_t delay_ns[];
};

struct stress_probe {
	struct kerf_probe_cfg cfg;
	struct probe_ring *ring;
	size_t len, cap;
	uint64_t seen; /* iterations already in the timeline */
	json_t *json;
};

/* System-wide counters sampled beside the cgroup's while a probe runs. */
static const char *const probe_vm[] = {
	"pswpin",	   "pswpout",
	"pgmajfault",	   "compact_stall",
	"compact_fail",	   "compact_success",
	"thp_fault_alloc", "thp_fault_fallback",
};
#define PROBE_NVM (sizeof(probe_vm) / sizeof(probe_vm[0]))

/* Timeline counters a spike is checked against (what moved with it). */
static const char *const probe_moved[] = {
	"pgscan",
	"pgsteal",
	"events_high",
	"events_max",
	"events_oom_kill",
	"pressure_some_total_us",
	"vm_pswpin",
	"vm_pswpout",
	"vm_pgmajfault",
	"vm_compact_stall",
	"vm_compact_fail",
	"vm_thp_fault_alloc",
	"vm_thp_fault_fallback",
};

/* Sleep until the absolute CLOCK_MONOTONIC time t. */
static void probe_sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ull),
			       (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/*
 * A 2 MiB-aligned 2 MiB region: huge pages refused, or (thp) left to the
 * system's setting, as a program that does not madvise would get them.
 */
static char *probe_region(bool thp)
{
	char *raw = mmap(NULL, 2 * PROBE_HUGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *buf;

	if (raw == MAP_FAILED)
		return NULL;
	buf = (char *)(((uintptr_t)raw + PROBE_HUGE - 1) & ~(PROBE_HUGE - 1));
	if (!thp)
		madvise(buf, PROBE_HUGE, MADV_NOHUGEPAGE);
	memset(buf, 1, PROBE_HUGE);
	return buf;
}

/*
 * The probe worker: each period, drop one page of its working set and
 * fault it back (a fresh page, charged to the cgroup: what an allocating
 * application does), and record completion minus deadline. Late
 * iterations do not move the schedule: the next one is due on time.
 */
static int probe_worker(struct kerf_stress *st, int idx)
{
	struct stress_probe *p = st->probe;
	struct probe_ring *r = p->ring;
	uint64_t period = p->cfg.period_ns, start, deadline, i;
	size_t len = p->cfg.thp ? PROBE_HUGE : PROBE_PAGE;
	char *buf = probe_region(p->cfg.thp);

	(void)idx;
	if (!buf)
		return 3;
	prctl(PR_SET_TIMERSLACK, 1UL);
	/*
	 * Real-time priority where allowed: the CPU the host's other tasks
	 * take is then not in the delay, what the memory mechanism costs is.
	 */
	if (p->cfg.rt) {
		struct sched_param sp = { .sched_priority = 1 };

		r->rt = sched_setscheduler(0, SCHED_FIFO, &sp) ? -1 : 1;
	}
	start = kerf_now_ns();
	r->start_ns = start;
	for (i = 0; i < p->cap && !kerf_stress_expired(st); i++) {
		size_t off = p->cfg.thp ? 0 : (i % (PROBE_HUGE / len)) * len;

		deadline = start + (i + 1) * period;
		probe_sleep_until(deadline);
		madvise(buf + off, len, MADV_DONTNEED);
		buf[off] = (char)i;
		r->delay_ns[i] = kerf_now_ns() - deadline;
		__atomic_store_n(&r->n, i + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static void probe_sample_vm(struct kerf_stress *st, size_t reps);

/*
 * The probe's columns for the rows taken before it started: no delay, the
 * vmstat counters as they are now (they moved by 0 then).
 */
static void probe_backfill(struct kerf_stress *st)
{
	size_t i, n = kerf_stress_col_len(st, "t_ms");

	probe_sample_vm(st, n);

	for (i = 0; i < n; i++) {
		kerf_stress_col(st, "probe_delay_max_us", 0);
		kerf_stress_col(st, "probe_spikes", 0);
	}
}

int kerf_stress_probe(struct kerf_stress *st, const struct kerf_probe_cfg *cfg)
{
	struct stress_probe *p;
	pid_t pid;

	if (!cfg->on)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->cap = st->duration_ns / cfg->period_ns + 16;
	if (p->cap > PROBE_MAXN)
		p->cap = PROBE_MAXN;
	p->len = sizeof(*p->ring) + p->cap * sizeof(uint64_t);
	p->ring = mmap(NULL, p->len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->ring == MAP_FAILED) {
		free(p);
		return -errno;
	}
	/* Touched here: charged to kerf, not to the run. */
	memset(p->ring, 0, p->len);
	st->probe = p;
	probe_backfill(st);
	pid = kerf_stress_spawn(st, "probe", probe_worker, st->nworkers);
	if (pid < 0)
		return (int)pid;
	kerf_stress_info(st, "probe",
			 "%s fault every %.3f ms, spike above %.3f ms",
			 cfg->thp ? "2 MiB huge page" : "4 KiB page",
			 (double)cfg->period_ns / 1e6,
			 (double)cfg->spike_ns / 1e6);
	return 0;
}

/* /proc/vmstat's counters as vm_* columns, reps rows of them. */
static void probe_sample_vm(struct kerf_stress *st, size_t reps)
{
	static char buf[16384];
	char col[48];
	uint64_t v;
	size_t i;

	if (kerf_read_file("/proc/vmstat", buf, sizeof(buf)) <= 0)
		buf[0] = '\0';
	for (i = 0; i < PROBE_NVM; i++) {
		snprintf(col, sizeof(col), "vm_%s", probe_vm[i]);
		/* A counter this kernel lacks (no THP): no column. */
		if (kerf_kv(buf, probe_vm[i], &v))
			continue;
		for (size_t k = 0; k < reps; k++)
			kerf_stress_col(st, col, (double)v);
	}
}

void kerf_stress_probe_sample(struct kerf_stress *st, uint64_t t_ns)
{
	struct stress_probe *p = st->probe;
	uint64_t n, i, worst = 0, spikes = 0, due, now;

	if (!p)
		return;
	probe_sample_vm(st, 1);
	n = __atomic_load_n(&p->ring->n, __ATOMIC_ACQUIRE);
	for (i = p->seen; i < n; i++) {
		uint64_t d = p->ring->delay_ns[i];

		worst = d > worst ? d : worst;
		spikes += d > p->cfg.spike_ns;
	}
	/* None finished since the last row: how late the pending one is. */
	if (n == p->seen && p->ring->start_ns && n < p->cap) {
		due = p->ring->start_ns + (n + 1) * p->cfg.period_ns;
		now = st->t0_ns + t_ns;
		worst = now > due ? now - due : 0;
	}
	p->seen = n;
	kerf_stress_col(st, "probe_delay_max_us", (double)worst / 1e3);
	kerf_stress_col(st, "probe_spikes", (double)spikes);
}

static int probe_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The first row at or after t_ms (the last row when none is). */
static size_t probe_row(const struct kerf_stress *st, double t_ms, bool after)
{
	size_t i, n = kerf_stress_col_len(st, "t_ms");

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		double t = kerf_stress_col_at(st, "t_ms", i);

		if (after ? t >= t_ms : t > t_ms)
			return after ? i : (i ? i - 1 : 0);
	}
	return n - 1;
}

/* One spike: when, how long, how bad, and each counter that moved. */
static json_t *probe_spike(const struct kerf_stress *st, double t0_ms,
			   double t1_ms, uint64_t worst, uint64_t count)
{
	size_t a = probe_row(st, t0_ms, false), b = probe_row(st, t1_ms, true);
	json_t *moved = json_object();
	size_t i;

	for (i = 0; i < sizeof(probe_moved) / sizeof(probe_moved[0]); i++) {
		double d = kerf_stress_col_at(st, probe_moved[i], b) -
			   kerf_stress_col_at(st, probe_moved[i], a);

		if (d > 0)
			json_object_set_new(moved, probe_moved[i],
					    json_real(d));
	}
	return json_pack("{s:f, s:f, s:f, s:I, s:I, s:I, s:o}", "t_ms", t0_ms,
			 "end_ms", t1_ms, "delay_max_us", (double)worst / 1e3,
			 "iterations", (json_int_t)count, "row_from",
			 (json_int_t)a, "row_to", (json_int_t)b, "moved",
			 moved);
}

/*
 * Spikes: runs of consecutive iterations above the threshold, from the
 * first one's deadline to the last one's completion (ms since the run's
 * start, the timeline's clock).
 */
static uint64_t probe_spikes(struct kerf_stress *st, uint64_t n, json_t *out)
{
	struct stress_probe *p = st->probe;
	const uint64_t *d = p->ring->delay_ns;
	double base = (double)(p->ring->start_ns - st->t0_ns);
	uint64_t i = 0, j, worst, total = 0;

	while (i < n) {
		if (d[i] <= p->cfg.spike_ns) {
			i++;
			continue;
		}
		worst = 0;
		for (j = i; j < n && d[j] > p->cfg.spike_ns; j++)
			worst = d[j] > worst ? d[j] : worst;
		if (json_array_size(out) < PROBE_MAXSPIKES) {
			double per = (double)p->cfg.period_ns;
			double t0 = (base + (double)(i + 1) * per) / 1e6;
			double t1 =
				(base + (double)j * per + (double)d[j - 1]) /
				1e6;

			json_array_append_new(out, probe_spike(st, t0, t1,
							       worst, j - i));
		}
		total++;
		i = j;
	}
	return total;
}

void kerf_stress_probe_finish(struct kerf_stress *st)
{
	struct stress_probe *p = st->probe;
	json_t *spikes;
	uint64_t n, i, total;
	double *x;

	if (!p)
		return;
	n = __atomic_load_n(&p->ring->n, __ATOMIC_ACQUIRE);
	kerf_stress_figure(st, "probe_iterations", (double)n, "count");
	x = n ? malloc(n * sizeof(*x)) : NULL;
	if (x) {
		for (i = 0; i < n; i++)
			x[i] = (double)p->ring->delay_ns[i] / 1e3;
		qsort(x, n, sizeof(*x), probe_cmp);
		kerf_stress_figure(st, "probe_p50_us",
				   kerf_quantile_sorted(x, n, 0.5), "us");
		kerf_stress_figure(st, "probe_p99_us",
				   kerf_quantile_sorted(x, n, 0.99), "us");
		kerf_stress_figure(st, "probe_p999_us",
				   kerf_quantile_sorted(x, n, 0.999), "us");
		kerf_stress_figure(st, "probe_max_us", x[n - 1], "us");
		free(x);
	}
	spikes = json_array();
	total = probe_spikes(st, n, spikes);
	kerf_stress_figure(st, "probe_spikes", (double)total, "count");
	p->json = json_pack(
		"{s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "work",
		p->cfg.thp ? "fault a 2 MiB huge page" : "fault a 4 KiB page",
		"sched",
		p->ring->rt > 0 ? "SCHED_FIFO 1" :
		p->ring->rt < 0 ? "SCHED_OTHER (SCHED_FIFO refused)" :
				  "SCHED_OTHER",
		"period_ns", (json_int_t)p->cfg.period_ns, "spike_ns",
		(json_int_t)p->cfg.spike_ns, "iterations", (json_int_t)n,
		"spikes_total", (json_int_t)total, "spikes", spikes);
}

json_t *kerf_stress_probe_json(struct kerf_stress *st)
{
	return st->probe && st->probe->json ? json_incref(st->probe->json) :
					      NULL;
}

void kerf_stress_probe_free(struct kerf_stress *st)
{
	struct stress_probe *p = st->probe;

	if (!p)
		return;
	munmap(p->ring, p->len);
	json_decref(p->json);
	free(p);
	st->probe = NULL;
}
