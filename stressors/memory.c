/* SPDX-License-Identifier: MIT */
/* Memory stressors: anon, page cache, shmem, memory.high and the OOM victim. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kerf/stress.h"
#include "kerf/vmknobs.h"

#define MIB (1ull << 20)
#define PAGE 4096ull
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

/* Sleep 10 ms at a time until the run's deadline. */
static void hold(const struct kerf_stress *st)
{
	struct timespec ts = { 0, 10000000 };

	while (!kerf_stress_expired(st))
		nanosleep(&ts, NULL);
}

/* Write one byte per page of buf[from, to) at rate bytes/s (0: at once). */
static bool touch(const struct kerf_stress *st, volatile char *buf,
		  uint64_t from, uint64_t to, uint64_t rate)
{
	uint64_t next = kerf_now_ns(), off, i;
	uint64_t period = rate ? MIB * 1000000000ull / rate : 0;

	for (off = from; off < to; off += MIB) {
		uint64_t end = off + MIB < to ? off + MIB : to;

		if (kerf_stress_expired(st))
			return false;
		for (i = off; i < end; i += PAGE)
			buf[i] = 1;
		if (period)
			kerf_stress_pace(&next, period);
	}
	return true;
}

static void *reserve(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- memory/anon ---- */

struct anon_priv {
	int64_t workers;
	uint64_t rate;
	struct kerf_probe_cfg probe;
};

static const struct kerf_param anon_params[] = {
	KERF_INT("workers", struct anon_priv, workers, "1", "1", "8",
		 "workers, each allocating until it is killed"),
	KERF_SIZE("rate", struct anon_priv, rate, "256M", "1M", "64G",
		  "bytes each worker touches per second"),
	KERF_PROBE_PARAMS(struct anon_priv, probe, "0", "1ms"),
	{}
};

static int anon_worker(struct kerf_stress *st, int idx)
{
	struct anon_priv *pv = kerf_stress_priv(st);
	uint64_t cap = kerf_stress_limit(st) * 4;
	char *buf = reserve(cap);

	if (!buf)
		return 3;
	touch(st, buf, 0, cap, pv->rate);
	hold(st);
	return 0;
}

static int anon_start(struct kerf_stress *st)
{
	struct anon_priv *pv = kerf_stress_priv(st);
	pid_t pid;
	int i;

	for (i = 0; i < pv->workers; i++) {
		pid = kerf_stress_spawn(st, "anon", anon_worker, i);
		if (pid < 0)
			return pid;
	}
	return kerf_stress_probe(st, &pv->probe);
}

static int anon_verdict(struct kerf_stress *st)
{
	int killed = kerf_stress_nkilled(st);

	kerf_stress_observed(st, killed >= 1,
			     "%d of %d workers killed by SIGKILL, kerf alive",
			     killed, kerf_stress_nworkers(st));
	return 0;
}

const struct kerf_stressor memory_anon = {
	.name = "memory/anon",
	.summary =
		"workers touch anonymous memory at a set rate past memory.max",
	.expected =
		"the OOM killer kills a worker (one, with workers=1); kerf survives",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "s",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "time_to_kill_s",
	.params = anon_params,
	.priv_size = sizeof(struct anon_priv),
	.start = anon_start,
	.verdict = anon_verdict,
};

/* ---- memory/pagecache ---- */

struct pagecache_priv {
	uint64_t size;
	char dir[256];
};

struct pagecache_shared {
	uint64_t written, read, passes;
	int err;
};

static const struct kerf_param pagecache_params[] = {
	KERF_SIZE("size", struct pagecache_priv, size, "0", "0", "64G",
		  "file size (0: twice the limit)"),
	{}
};

static bool disk_backed(const char *dir, uint64_t need)
{
	struct statfs sf;

	if (!dir || !*dir || statfs(dir, &sf) || access(dir, W_OK))
		return false;
	if (sf.f_type == TMPFS_MAGIC_ || sf.f_type == RAMFS_MAGIC_)
		return false;
	return (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize > need + need / 4;
}

static int pagecache_setup(struct kerf_stress *st)
{
	struct pagecache_priv *pv = kerf_stress_priv(st);
	const char *tmpdir = kerf_stress_tmpdir(st);
	const char *cand[] = { tmpdir, getenv("TMPDIR"), "/var/tmp", "/tmp" };
	size_t i;

	if (!pv->size)
		pv->size = kerf_stress_limit(st) * 2;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (disk_backed(cand[i], pv->size)) {
			snprintf(pv->dir, sizeof(pv->dir), "%s", cand[i]);
			kerf_stress_info(st, "dir", "%s", pv->dir);
			return 0;
		}
		if (tmpdir)
			break;
	}
	return kerf_stress_skip(
		st,
		"no writable disk-backed directory with %llu MiB free (tmpfs and ramfs do not count: their pages are not reclaimable page cache); give one with --tmpdir",
		(unsigned long long)(pv->size * 5 / 4 / MIB));
}

static int open_scratch(const char *dir)
{
	char path[300];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/kerf-pagecache-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int pagecache_worker(struct kerf_stress *st, int idx)
{
	struct pagecache_priv *pv = kerf_stress_priv(st);
	struct pagecache_shared *sh = kerf_stress_shared(st);
	static char buf[1 << 20];
	uint64_t off;
	int fd = open_scratch(pv->dir);

	if (fd < 0) {
		sh->err = errno;
		return 3;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (off = 0; off < pv->size && !kerf_stress_expired(st);
	     off += sizeof(buf)) {
		if (pwrite(fd, buf, sizeof(buf), (off_t)off) < 0) {
			sh->err = errno;
			return 4;
		}
		/* Bound the dirty pages: clean page cache is reclaimable. */
		if ((off / sizeof(buf)) % 16 == 15)
			fdatasync(fd);
		__atomic_store_n(&sh->written, off + sizeof(buf),
				 __ATOMIC_RELAXED);
	}
	fdatasync(fd);
	while (!kerf_stress_expired(st)) {
		for (off = 0; off < pv->size && !kerf_stress_expired(st);
		     off += sizeof(buf)) {
			if (pread(fd, buf, sizeof(buf), (off_t)off) < 0) {
				sh->err = errno;
				return 4;
			}
			__atomic_add_fetch(&sh->read, sizeof(buf),
					   __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&sh->passes, 1, __ATOMIC_RELAXED);
	}
	close(fd);
	return 0;
}

static int pagecache_start(struct kerf_stress *st)
{
	pid_t pid = kerf_stress_spawn(st, "pagecache", pagecache_worker, 0);

	return pid < 0 ? pid : 0;
}

static int pagecache_verdict(struct kerf_stress *st)
{
	struct pagecache_priv *pv = kerf_stress_priv(st);
	struct pagecache_shared *sh = kerf_stress_shared(st);
	double ratio = kerf_stress_figure_value(st, "peak_ratio");
	int killed = kerf_stress_nkilled(st);

	if (sh->err)
		return kerf_stress_fail(st, -sh->err,
					"the worker's file I/O failed: %s",
					strerror(sh->err));
	kerf_stress_figure(st, "file_size", (double)pv->size, "B");
	kerf_stress_figure(st, "bytes_written", (double)sh->written, "B");
	kerf_stress_figure(st, "bytes_read", (double)sh->read, "B");
	kerf_stress_observed(
		st, killed == 0 && ratio >= 0.9,
		"%d kills; peak usage %.0f%% of the limit with a %llu MiB file",
		killed, ratio * 100, (unsigned long long)(pv->size / MIB));
	return 0;
}

const struct kerf_stressor memory_pagecache = {
	.name = "memory/pagecache",
	.summary = "a worker writes and rereads a file larger than memory.max",
	.expected =
		"reclaim, no kill, usage stays at the limit (file, not anon)",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "B",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "peak_usage",
	.params = pagecache_params,
	.priv_size = sizeof(struct pagecache_priv),
	.setup = pagecache_setup,
	.start = pagecache_start,
	.verdict = pagecache_verdict,
};

/* ---- memory/shmem ---- */

struct shmem_priv {
	int backing; /* 0 tmpfs, 1 memfd */
	uint64_t rate;
	char path[128];
};

static const struct kerf_param shmem_params[] = {
	KERF_ENUM(
		"backing", struct shmem_priv, backing, "tmpfs", "tmpfs,memfd",
		"a file in /dev/shm (stays charged after the kill) or a memfd"),
	KERF_SIZE("rate", struct shmem_priv, rate, "256M", "1M", "64G",
		  "bytes touched per second"),
	{}
};

static int shmem_setup(struct kerf_stress *st)
{
	struct shmem_priv *pv = kerf_stress_priv(st);
	static unsigned int seq;
	struct statfs sf;
	int fd;

	if (pv->backing == 1)
		return 0;
	if (statfs("/dev/shm", &sf) || sf.f_type != TMPFS_MAGIC_)
		return kerf_stress_skip(
			st, "/dev/shm is not a tmpfs; use -p backing=memfd");
	snprintf(pv->path, sizeof(pv->path), "/dev/shm/kerf-%d-shm-%u",
		 (int)getpid(), seq++);
	fd = open(pv->path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		pv->path[0] = '\0';
		return kerf_stress_fail(st, -errno, "cannot create %s",
					pv->path);
	}
	close(fd);
	kerf_stress_info(st, "file", "%s", pv->path);
	return 0;
}

static int shmem_worker(struct kerf_stress *st, int idx)
{
	struct shmem_priv *pv = kerf_stress_priv(st);
	uint64_t cap = kerf_stress_limit(st) * 4;
	char *buf;
	int fd;

	if (pv->backing == 1)
		fd = memfd_create("kerf-shmem", MFD_CLOEXEC);
	else
		fd = open(pv->path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)cap))
		return 3;
	buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		return 3;
	touch(st, buf, 0, cap, pv->rate);
	hold(st);
	return 0;
}

static int shmem_start(struct kerf_stress *st)
{
	pid_t pid = kerf_stress_spawn(st, "shmem", shmem_worker, 0);

	return pid < 0 ? pid : 0;
}

static int shmem_verdict(struct kerf_stress *st)
{
	size_t n = kerf_stress_col_len(st, "shmem");
	double left = n ? kerf_stress_col_at(st, "shmem", n - 1) : 0;
	int killed = kerf_stress_nkilled(st);

	kerf_stress_figure(st, "shmem_after_kill", left, "B");
	kerf_stress_observed(
		st, killed >= 1,
		"%d kills; %.1f MiB of shmem still charged after the kill",
		killed, left / (double)MIB);
	return 0;
}

static void shmem_teardown(struct kerf_stress *st)
{
	struct shmem_priv *pv = kerf_stress_priv(st);

	if (pv->path[0])
		unlink(pv->path);
}

const struct kerf_stressor memory_shmem = {
	.name = "memory/shmem",
	.summary = "a worker fills tmpfs (or a memfd) past memory.max",
	.expected =
		"a kill (shmem is not reclaimable without swap); a tmpfs file stays charged after it",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "s",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "time_to_kill_s",
	.params = shmem_params,
	.priv_size = sizeof(struct shmem_priv),
	.setup = shmem_setup,
	.start = shmem_start,
	.verdict = shmem_verdict,
	.teardown = shmem_teardown,
};

/* ---- memory/high ---- */

struct high_priv {
	uint64_t high;
	uint64_t rate;
	uint64_t ws;
	struct kerf_probe_cfg probe;
};

static const struct kerf_param high_params[] = {
	KERF_SIZE("high", struct high_priv, high, "0", "0", "64G",
		  "memory.high (0: half the limit)"),
	KERF_SIZE("rate", struct high_priv, rate, "128M", "1M", "64G",
		  "bytes touched per second"),
	KERF_SIZE(
		"ws", struct high_priv, ws, "0", "0", "64G",
		"the worker's working set (0: halfway from high to the limit)"),
	KERF_PROBE_PARAMS(struct high_priv, probe, "1", "1ms"),
	{}
};

static int high_setup(struct kerf_stress *st)
{
	struct high_priv *pv = kerf_stress_priv(st);
	struct kerf_cg *cg = kerf_stress_cg(st);
	uint64_t limit = kerf_stress_limit(st);
	int err;

	if (cg->version != 2)
		return kerf_stress_skip(
			st,
			"memory.high is a cgroup v2 file; this host's memory controller is on cgroup v1");
	if (!pv->high)
		pv->high = limit / 2;
	if (pv->high >= limit)
		return kerf_stress_fail(st, -EINVAL,
					"high must be below the limit");
	if (!pv->ws)
		pv->ws = pv->high + (limit - pv->high) / 2;
	if (pv->ws >= limit)
		return kerf_stress_fail(st, -EINVAL,
					"ws must be below the limit");
	err = kerf_cg_mem_high(cg, pv->high);
	if (err)
		return kerf_stress_fail(st, err, "cannot set memory.high");
	return 0;
}

static int high_worker(struct kerf_stress *st, int idx)
{
	struct high_priv *pv = kerf_stress_priv(st);
	char *buf = reserve(pv->ws);

	if (!buf)
		return 3;
	touch(st, buf, 0, pv->ws, pv->rate);
	hold(st);
	return 0;
}

static int high_start(struct kerf_stress *st)
{
	struct high_priv *pv = kerf_stress_priv(st);
	pid_t pid = kerf_stress_spawn(st, "high", high_worker, 0);

	return pid < 0 ? pid : kerf_stress_probe(st, &pv->probe);
}

/* Sample i of a timeline column; 0 past its end (a sample not read). */
static double high_col(const struct kerf_stress *st, const char *name, long i)
{
	double v = kerf_stress_col_at(st, name, (size_t)i);

	return isnan(v) ? 0 : v;
}

/* Index of the first sample with usage >= v, or -1. */
static long first_at(const struct kerf_stress *st, double v)
{
	long i, n = (long)kerf_stress_col_len(st, "usage");

	for (i = 0; i < n; i++)
		if (high_col(st, "usage", i) >= v)
			return i;
	return -1;
}

/*
 * Bytes per second of usage growth from sample i to sample j (usage, not
 * the anon of memory.stat, which v2 flushes lazily).
 */
static double growth(const struct kerf_stress *st, long i, long j)
{
	double dt;

	if (i < 0 || j <= i)
		return 0;
	dt = (high_col(st, "t_ms", j) - high_col(st, "t_ms", i)) / 1e3;
	return (high_col(st, "usage", j) - high_col(st, "usage", i)) / dt;
}

/* The last sample taken while the worker still allocated. */
static long last_alive(const struct kerf_stress *st)
{
	uint64_t t_exit = kerf_stress_worker(st, 0)->t_exit_ns;
	uint64_t duration = kerf_stress_duration_ns(st);
	uint64_t end_ns = t_exit < duration ? t_exit : duration;
	/* A sample just before the reap may already see the memory freed. */
	double end = (double)(end_ns - kerf_stress_sample_ns(st)) / 1e6;
	long i, last = -1, n = (long)kerf_stress_col_len(st, "t_ms");

	for (i = 0; i < n; i++)
		if (high_col(st, "t_ms", i) < end)
			last = i;
	return last;
}

static int high_verdict(struct kerf_stress *st)
{
	struct high_priv *pv = kerf_stress_priv(st);
	int64_t events = kerf_stress_event_delta(st, "high");
	int killed = kerf_stress_nkilled(st);
	double below, above, high = (double)pv->high;

	below = growth(st, first_at(st, high * 0.1), first_at(st, high * 0.9));
	above = growth(st, first_at(st, high), last_alive(st));
	kerf_stress_figure(st, "high", high, "B");
	kerf_stress_figure(st, "ws", (double)pv->ws, "B");
	kerf_stress_figure(st, "rate_below_high_Bps", below, "B/s");
	kerf_stress_figure(st, "rate_above_high_Bps", above, "B/s");
	/* The control: a working set well below memory.high is not throttled. */
	if (pv->ws + pv->ws / 8 < pv->high) {
		kerf_stress_observed(
			st, killed == 0 && events == 0,
			"control (ws %.0f MiB well below memory.high): %d kills, %lld high events",
			(double)pv->ws / (double)MIB, killed,
			(long long)events);
		return 0;
	}
	kerf_stress_observed(
		st, killed == 0 && above < below / 2 && events > 0,
		"%d kills; allocation %.1f MiB/s below memory.high, %.1f MiB/s above it; %lld high events",
		killed, below / (double)MIB, above / (double)MIB,
		(long long)events);
	return 0;
}

const struct kerf_stressor memory_high = {
	.name = "memory/high",
	.summary = "a worker allocates past memory.high, below memory.max (v2)",
	.expected =
		"throttling: allocation slows and pressure rises above memory.high; no kill",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "B/s",
	.better = KERF_HIGHER_IS_BETTER,
	.headline = "rate_above_high_Bps",
	.params = high_params,
	.priv_size = sizeof(struct high_priv),
	.setup = high_setup,
	.start = high_start,
	.verdict = high_verdict,
};

/* ---- memory/victim ---- */

struct victim_priv {
	bool group;
	int64_t adj;
};

struct victim_shared {
	int ready;
	int adj_failed;
};

static const struct kerf_param victim_params[] = {
	KERF_BOOL("group", struct victim_priv, group, "0",
		  "1: memory.oom.group (v2), the whole cgroup is killed"),
	KERF_INT("adj", struct victim_priv, adj, "500", "-1000", "1000",
		 "oom_score_adj of the medium worker (the others have 0)"),
	{}
};

/* Worker shares of the limit, in percent: small (keeps growing), big, medium. */
static const int victim_pct[3] = { 20, 40, 25 };
static const char *const victim_role[3] = { "small+growing", "big",
					    "medium+adj" };

static int victim_setup(struct kerf_stress *st)
{
	struct victim_priv *pv = kerf_stress_priv(st);
	struct kerf_cg *cg = kerf_stress_cg(st);
	int err;

	if (!pv->group)
		return 0;
	err = kerf_cg_mem_oom_group(cg);
	if (err == -EOPNOTSUPP)
		return kerf_stress_skip(
			st,
			"group=1 needs memory.oom.group, a cgroup v2 file; this host's memory controller is on cgroup v%d",
			cg->version);
	if (err)
		return kerf_stress_fail(st, err, "cannot set memory.oom.group");
	return 0;
}

static int victim_worker(struct kerf_stress *st, int idx)
{
	struct victim_priv *pv = kerf_stress_priv(st);
	struct victim_shared *sh = kerf_stress_shared(st);
	uint64_t limit = kerf_stress_limit(st);
	uint64_t share = limit / 100 * (uint64_t)victim_pct[idx];
	struct timespec ts = { 0, 1000000 };
	char *buf = reserve(limit * 2);
	char adj[32];
	int fd;

	if (!buf)
		return 3;
	if (idx == 2) {
		snprintf(adj, sizeof(adj), "%lld", (long long)pv->adj);
		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, adj, strlen(adj)) < 0)
			sh->adj_failed = 1;
		if (fd >= 0)
			close(fd);
	}
	touch(st, buf, 0, share, 0);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	if (idx != 0) {
		hold(st);
		return 0;
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < 3 &&
	       !kerf_stress_expired(st))
		nanosleep(&ts, NULL);
	/* The small one pushes the cgroup over its limit, slowly. */
	touch(st, buf, share, limit * 2, 64 * MIB);
	hold(st);
	return 0;
}

static int victim_start(struct kerf_stress *st)
{
	pid_t pid;
	int i;

	for (i = 0; i < 3; i++) {
		pid = kerf_stress_spawn(st, victim_role[i], victim_worker, i);
		if (pid < 0)
			return pid;
	}
	return 0;
}

static bool victim_tick(struct kerf_stress *st, uint64_t t_ns)
{
	/* After the first kill, 100 ms more to see what else happens. */
	return kerf_stress_nkilled(st) &&
	       t_ns > kerf_stress_first_kill_ns(st) + 100000000ull;
}

/* The worker the kernel killed first (NULL: none) and the top oom_score. */
static const struct kerf_worker *victim_find(const struct kerf_stress *st,
					     const struct kerf_worker **top)
{
	const struct kerf_worker *first = NULL;
	int i;

	*top = NULL;
	for (i = 0; i < kerf_stress_nworkers(st); i++) {
		const struct kerf_worker *w = kerf_stress_worker(st, i);
		bool killed = w->exited && !w->by_kerf &&
			      WIFSIGNALED(w->status) &&
			      WTERMSIG(w->status) == SIGKILL;

		if (killed && (!first || w->t_exit_ns < first->t_exit_ns))
			first = w;
		if (!*top || w->oom_score > (*top)->oom_score)
			*top = w;
	}
	return first;
}

static int victim_verdict(struct kerf_stress *st)
{
	struct victim_priv *pv = kerf_stress_priv(st);
	struct victim_shared *sh = kerf_stress_shared(st);
	int killed = kerf_stress_nkilled(st), n = kerf_stress_nworkers(st);
	const struct kerf_worker *first, *top;

	if (sh->adj_failed)
		return kerf_stress_skip(
			st,
			"cannot set oom_score_adj to %lld (a negative value needs CAP_SYS_RESOURCE)",
			(long long)pv->adj);
	first = victim_find(st, &top);
	if (!first) {
		kerf_stress_observed(st, false, "no worker was killed");
		return 0;
	}
	kerf_stress_figure(st, "victim_oom_score", (double)first->oom_score,
			   "");
	kerf_stress_figure(st, "top_oom_score", (double)top->oom_score, "");
	kerf_stress_outcome(st, "victim", "%s", first->role);
	kerf_stress_outcome(st, "highest_score", "%s", top->role);
	if (pv->group) {
		kerf_stress_observed(
			st, killed == n,
			"memory.oom.group: %d of %d workers killed", killed, n);
		return 0;
	}
	kerf_stress_observed(
		st, first->oom_score == top->oom_score,
		"the kernel killed '%s' (oom_score %lld); the highest oom_score before the kill was '%s' (%lld)",
		first->role, (long long)first->oom_score, top->role,
		(long long)top->oom_score);
	return 0;
}

const struct kerf_stressor memory_victim = {
	.name = "memory/victim",
	.summary =
		"three workers of different sizes and oom_score_adj share the limit",
	.expected =
		"the worker with the highest oom_score dies (group=1: all of them)",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "s",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "time_to_kill_s",
	.params = victim_params,
	.priv_size = sizeof(struct victim_priv),
	.setup = victim_setup,
	.start = victim_start,
	.tick = victim_tick,
	.verdict = victim_verdict,
};

/* ---- memory/swap ---- */

struct swap_priv {
	int64_t ws_pct;
	bool swap;
	uint64_t swapfile;
	uint64_t rate;
	struct kerf_probe_cfg probe;
	char path[300]; /* the swap file kerf made, "" when none */
};

static const struct kerf_param swap_params[] = {
	KERF_INT("ws_pct", struct swap_priv, ws_pct, "150", "50", "1600",
		 "working set, percent of the limit"),
	KERF_BOOL("swap", struct swap_priv, swap, "1",
		  "0: no swap for the cgroup (the control run)"),
	KERF_SIZE("swapfile", struct swap_priv, swapfile, "0", "0", "64G",
		  "with no swap on the host: a temporary swap file this big"),
	KERF_SIZE("rate", struct swap_priv, rate, "256M", "1M", "64G",
		  "bytes touched per second, pass after pass"),
	KERF_PROBE_PARAMS(struct swap_priv, probe, "1", "1ms"),
	{}
};

/* A temporary swap file, asked for with swapfile=SIZE, when none is on. */
static int swap_file(struct kerf_stress *st, struct swap_priv *pv)
{
	const char *tmpdir = kerf_stress_tmpdir(st);
	const char *cand[] = { tmpdir, "/var/tmp", "/tmp" };
	size_t i;
	int err;

	if (kerf_swap_total()) {
		kerf_stress_info(st, "swap", "the host's (%llu MiB)",
				 (unsigned long long)(kerf_swap_total() / MIB));
		return 0;
	}
	if (!pv->swapfile)
		return pv->swap ?
			       kerf_stress_skip(
				       st,
				       "no swap on this host; -p swapfile=SIZE makes a temporary swap file (removed at the end)") :
			       0;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (!disk_backed(cand[i], pv->swapfile)) {
			if (tmpdir)
				break;
			continue;
		}
		err = kerf_swapfile_add(cand[i], pv->swapfile, pv->path,
					sizeof(pv->path));
		if (err)
			return kerf_stress_fail(st, err,
						"cannot make a swap file in %s",
						cand[i]);
		kerf_stress_info(st, "swap", "temporary file %s (%llu MiB)",
				 pv->path,
				 (unsigned long long)(pv->swapfile / MIB));
		return 0;
	}
	return kerf_stress_skip(
		st,
		"no disk-backed directory with %llu MiB free for the swap file",
		(unsigned long long)(pv->swapfile * 5 / 4 / MIB));
}

/* Swap allowed for the cgroup, or refused (the control run). */
static int swap_limit(struct kerf_stress *st, struct swap_priv *pv)
{
	struct kerf_cg *cg = kerf_stress_cg(st);
	int err = kerf_cg_mem_swap(cg, pv->swap, kerf_stress_limit(st));

	if (err && !pv->swap && !kerf_swap_total())
		return 0; /* no swap anywhere: refused anyway */
	if (err)
		return kerf_stress_skip(
			st,
			"cannot %s swap for the cgroup (v%d: %s; v1 needs swapaccount=1)",
			pv->swap ? "allow" : "refuse", cg->version,
			cg->version == 2 ? "memory.swap.max" :
					   "memory.memsw.limit_in_bytes");
	return 0;
}

static int swap_setup(struct kerf_stress *st)
{
	struct swap_priv *pv = kerf_stress_priv(st);
	int err = swap_file(st, pv);

	return err ? err : swap_limit(st, pv);
}

static int swap_worker(struct kerf_stress *st, int idx)
{
	struct swap_priv *pv = kerf_stress_priv(st);
	uint64_t ws = kerf_stress_limit(st) / 100 * (uint64_t)pv->ws_pct;
	char *buf = reserve(ws);

	(void)idx;
	if (!buf)
		return 3;
	madvise(buf, ws, MADV_NOHUGEPAGE);
	while (touch(st, buf, 0, ws, pv->rate))
		;
	return 0;
}

static int swap_start(struct kerf_stress *st)
{
	struct swap_priv *pv = kerf_stress_priv(st);
	pid_t pid = kerf_stress_spawn(st, "swap", swap_worker, 0);

	return pid < 0 ? pid : kerf_stress_probe(st, &pv->probe);
}

/* Growth of a timeline column over the run (0 when absent). */
static double col_delta(const struct kerf_stress *st, const char *name)
{
	size_t n = kerf_stress_col_len(st, name);

	return n ? high_col(st, name, (long)n - 1) - high_col(st, name, 0) : 0;
}

static int swap_verdict(struct kerf_stress *st)
{
	struct swap_priv *pv = kerf_stress_priv(st);
	double out = col_delta(st, "vm_pswpout"),
	       in = col_delta(st, "vm_pswpin");
	int killed = kerf_stress_nkilled(st);

	kerf_stress_figure(st, "pswpout", out, "pages");
	kerf_stress_figure(st, "pswpin", in, "pages");
	if (pv->swap)
		kerf_stress_observed(
			st, killed == 0 && out > 0,
			"%d kills; %.0f pages swapped out, %.0f in (host-wide); probe p99 %.0f us, max %.0f us",
			killed, out, in,
			kerf_stress_figure_value(st, "probe_p99_us"),
			kerf_stress_figure_value(st, "probe_max_us"));
	else
		kerf_stress_observed(
			st, pv->ws_pct <= 100 || killed >= 1,
			"control (no swap): %d kills; probe p99 %.0f us, max %.0f us",
			killed, kerf_stress_figure_value(st, "probe_p99_us"),
			kerf_stress_figure_value(st, "probe_max_us"));
	return 0;
}

static void swap_teardown(struct kerf_stress *st)
{
	struct swap_priv *pv = kerf_stress_priv(st);

	if (pv->path[0] && kerf_swapfile_remove(pv->path))
		fprintf(stderr,
			"kerf stress: could not remove swap file %s (kerf stress --cleanup retries)\n",
			pv->path);
	pv->path[0] = '\0';
}

const struct kerf_stressor memory_swap = {
	.name = "memory/swap",
	.summary =
		"a worker cycles through a working set larger than memory.max, swap allowed",
	.expected =
		"swapping (pswpout, pswpin), no kill; the probe stalls while it swaps",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "us",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "probe_p99_us",
	.params = swap_params,
	.priv_size = sizeof(struct swap_priv),
	.setup = swap_setup,
	.start = swap_start,
	.verdict = swap_verdict,
	.teardown = swap_teardown,
};

/* ---- memory/thp_compaction ---- */

struct thp_priv {
	bool set_thp;
	int defrag;
	int64_t frag_pct;
	struct kerf_probe_cfg probe;
	struct kerf_thp_saved old;
};

struct thp_shared {
	int fragmented;
	uint64_t passes;
};

static const char *const thp_defrag[] = { "always", "defer", "madvise",
					  "never" };

static const struct kerf_param thp_params[] = {
	KERF_BOOL(
		"set_thp", struct thp_priv, set_thp, "0",
		"1: kerf may set THP enabled=always and defrag (put back after)"),
	KERF_ENUM("defrag", struct thp_priv, defrag, "always",
		  "always,defer,madvise,never", "THP defrag during the run"),
	KERF_INT(
		"frag_pct", struct thp_priv, frag_pct, "80", "10", "95",
		"percent of the limit the fragmenter fills, then frees every other page of"),
	KERF_PROBE_PARAMS(struct thp_priv, probe, "1", "10ms"),
	{}
};

static int thp_setup(struct kerf_stress *st)
{
	struct thp_priv *pv = kerf_stress_priv(st);
	const char *want = thp_defrag[pv->defrag];
	char en[32], df[32];
	int err;

	if (kerf_thp_get("enabled", en, sizeof(en)) ||
	    kerf_thp_get("defrag", df, sizeof(df)))
		return kerf_stress_skip(
			st, "no transparent huge pages on this kernel");
	pv->probe.thp = true;
	if (!strcmp(en, "always") && !strcmp(df, want)) {
		kerf_stress_info(st, "thp",
				 "enabled=always defrag=%s (as found)", want);
		return 0;
	}
	if (!pv->set_thp)
		return kerf_stress_skip(
			st,
			"needs THP enabled=always defrag=%s (now enabled=%s defrag=%s); kerf changes them only when asked: -p set_thp=1",
			want, en, df);
	err = kerf_thp_set("always", want, &pv->old);
	if (err)
		return kerf_stress_fail(st, err, "cannot set THP settings");
	kerf_stress_info(
		st, "thp",
		"enabled=always defrag=%s (were enabled=%s defrag=%s, put back after)",
		want, pv->old.enabled, pv->old.defrag);
	return 0;
}

/*
 * The fragmenter fills frag_pct of the limit with 4 KiB pages, then frees
 * every other one: the free memory it leaves is in single pages, no huge
 * page fits there without compaction.
 */
static int thp_fragmenter(struct kerf_stress *st)
{
	struct thp_priv *pv = kerf_stress_priv(st);
	struct thp_shared *sh = kerf_stress_shared(st);
	uint64_t len = kerf_stress_limit(st) / 100 * (uint64_t)pv->frag_pct;
	char *buf = reserve(len);
	uint64_t off;

	if (!buf)
		return 3;
	madvise(buf, len, MADV_NOHUGEPAGE);
	touch(st, buf, 0, len, 0);
	for (off = 0; off < len; off += 2 * PAGE)
		madvise(buf + off, PAGE, MADV_DONTNEED);
	__atomic_store_n(&sh->fragmented, 1, __ATOMIC_RELEASE);
	hold(st);
	return 0;
}

/* The faulter: a region of what is left, faulted and dropped, again. */
static int thp_worker(struct kerf_stress *st, int idx)
{
	struct thp_priv *pv = kerf_stress_priv(st);
	struct thp_shared *sh = kerf_stress_shared(st);
	uint64_t limit = kerf_stress_limit(st);
	uint64_t held = limit / 200 * (uint64_t)pv->frag_pct;
	uint64_t len = (limit - held) / 2 & ~(2 * MIB - 1);
	struct timespec ts = { 0, 1000000 };
	char *raw, *buf;

	if (idx == 0)
		return thp_fragmenter(st);
	raw = reserve(len + 2 * MIB);
	if (!raw || len < 2 * MIB)
		return 3;
	buf = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	while (!__atomic_load_n(&sh->fragmented, __ATOMIC_ACQUIRE) &&
	       !kerf_stress_expired(st))
		nanosleep(&ts, NULL);
	while (touch(st, buf, 0, len, 0)) {
		madvise(buf, len, MADV_DONTNEED);
		__atomic_add_fetch(&sh->passes, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static int thp_start(struct kerf_stress *st)
{
	struct thp_priv *pv = kerf_stress_priv(st);
	pid_t pid = kerf_stress_spawn(st, "fragmenter", thp_worker, 0);

	if (pid >= 0)
		pid = kerf_stress_spawn(st, "faulter", thp_worker, 1);
	return pid < 0 ? pid : kerf_stress_probe(st, &pv->probe);
}

static int thp_verdict(struct kerf_stress *st)
{
	struct thp_priv *pv = kerf_stress_priv(st);
	struct thp_shared *sh = kerf_stress_shared(st);
	static const char *const vm[] = { "compact_stall", "compact_fail",
					  "thp_fault_alloc",
					  "thp_fault_fallback" };
	double d[4];
	char col[48];
	int i, killed = kerf_stress_nkilled(st);

	for (i = 0; i < 4; i++) {
		snprintf(col, sizeof(col), "vm_%s", vm[i]);
		d[i] = col_delta(st, col);
		kerf_stress_figure(st, vm[i], d[i], "count");
	}
	kerf_stress_figure(st, "faulter_passes", (double)sh->passes, "count");
	kerf_stress_observed(
		st, killed == 0 && sh->passes > 0 && d[2] + d[3] > 0,
		"defrag=%s: %d kills, %llu passes; compact_stall +%.0f, compact_fail +%.0f, thp_fault_alloc +%.0f, thp_fault_fallback +%.0f (host-wide); probe p99 %.0f us, max %.0f us",
		thp_defrag[pv->defrag], killed, (unsigned long long)sh->passes,
		d[0], d[1], d[2], d[3],
		kerf_stress_figure_value(st, "probe_p99_us"),
		kerf_stress_figure_value(st, "probe_max_us"));
	return 0;
}

static void thp_teardown(struct kerf_stress *st)
{
	struct thp_priv *pv = kerf_stress_priv(st);

	if (kerf_thp_restore(&pv->old))
		fprintf(stderr,
			"kerf stress: could not put THP back to enabled=%s defrag=%s (kerf stress --cleanup retries from %s)\n",
			pv->old.enabled, pv->old.defrag, pv->old.state);
}

const struct kerf_stressor memory_thp_compaction = {
	.name = "memory/thp_compaction",
	.summary =
		"huge page faults after memory is fragmented, THP defrag as set",
	.expected =
		"defrag=always: direct compaction (compact_stall) and probe stalls; never: fallbacks instead",
	.ctrls = KERF_CG_MEM,
	.memory = true,
	.unit = "us",
	.better = KERF_LOWER_IS_BETTER,
	.headline = "probe_p99_us",
	.params = thp_params,
	.priv_size = sizeof(struct thp_priv),
	.setup = thp_setup,
	.start = thp_start,
	.verdict = thp_verdict,
	.teardown = thp_teardown,
};
