/* SPDX-License-Identifier: MIT */
/* The stressor descriptor and the API a stressor is written against. */
#ifndef KERF_STRESS_H
#define KERF_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kerf/bench.h"
#include "kerf/cgroup.h"

#define KERF_STRESS_MAXW 16

/* A worker process kerf spawned into the run's cgroup. */
struct kerf_worker {
	pid_t pid;
	char role[32];
	bool exited;
	bool by_kerf; /* killed by kerf's cleanup, not by the kernel */
	int status; /* wait status */
	uint64_t t_exit_ns; /* since the start of the run */
	int64_t oom_score; /* last /proc/PID/oom_score read, -1: none */
	int64_t oom_adj;
	uint64_t rss; /* last VmRSS read, bytes */
};

/* Shared page(s) between kerf and its workers, mapped before the spawn. */
#define KERF_STRESS_SHARED (1u << 20)

/* One run of a stressor; the runtime owns it (harness/stress_run.h). */
struct kerf_stress;

struct kerf_stressor {
	const char *name; /* "family/variant" */
	const char *summary;
	const char *expected; /* one line: what the kernel should do */
	unsigned int ctrls; /* KERF_CG_*: the cgroup controllers needed */
	bool memory; /* a memory run: --limit, memory timeline */
	const char *unit; /* of the headline figure */
	enum kerf_better better;
	const char *headline; /* the figure shown as "value" */
	const struct kerf_param *params;
	size_t priv_size;
	/* The cgroup exists, empty: set limits, prepare files. */
	int (*setup)(struct kerf_stress *st);
	/* Spawn the workers (kerf_stress_spawn). */
	int (*start)(struct kerf_stress *st);
	/* Optional, once per sample: add columns, decide to stop (true). */
	bool (*tick)(struct kerf_stress *st, uint64_t t_ns);
	/* Every worker is gone: outcome and figures. 0 or a negative errno. */
	int (*verdict)(struct kerf_stress *st);
	/* Always called after setup, whatever happened. */
	void (*teardown)(struct kerf_stress *st);
};

/* What the run was given: parameters, limits, scratch room, its cgroup. */
void *kerf_stress_priv(const struct kerf_stress *st);
/* KERF_STRESS_SHARED bytes, MAP_SHARED, charged to kerf, not to the run. */
void *kerf_stress_shared(const struct kerf_stress *st);
uint64_t kerf_stress_limit(const struct kerf_stress *st); /* --limit, bytes */
uint64_t kerf_stress_duration_ns(const struct kerf_stress *st);
uint64_t kerf_stress_sample_ns(const struct kerf_stress *st);
const char *kerf_stress_tmpdir(const struct kerf_stress *st); /* or NULL */
struct kerf_cg *kerf_stress_cg(struct kerf_stress *st);

/* The workers, as the runtime saw them (exits, kills, last scores). */
int kerf_stress_nworkers(const struct kerf_stress *st);
const struct kerf_worker *kerf_stress_worker(const struct kerf_stress *st,
					     int i);
/* Workers the kernel killed (SIGKILL not sent by kerf). */
int kerf_stress_nkilled(const struct kerf_stress *st);
/* When the first of them died, ns since the start of the run. */
uint64_t kerf_stress_first_kill_ns(const struct kerf_stress *st);

/* Spawn a worker into the run's cgroup; its role names it in the result. */
pid_t kerf_stress_spawn(struct kerf_stress *st, const char *role,
			int (*fn)(struct kerf_stress *st, int idx), int idx);
/* A worker's deadline passed (workers poll it, kerf kills them anyway). */
bool kerf_stress_expired(const struct kerf_stress *st);
/* Skip with a reason; returns KERF_SKIP. */
int kerf_stress_skip(struct kerf_stress *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int kerf_stress_fail(struct kerf_stress *st, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append v to the timeline column name (creating it). */
void kerf_stress_col(struct kerf_stress *st, const char *name, double v);
/* Length of a timeline column (0: none), and its i-th value (NAN: none). */
size_t kerf_stress_col_len(const struct kerf_stress *st, const char *name);
double kerf_stress_col_at(const struct kerf_stress *st, const char *name,
			  size_t i);
/* Growth of a memory.events counter over a memory run (0: not counted). */
int64_t kerf_stress_event_delta(const struct kerf_stress *st,
				const char *event);

/* A figure of the result and its unit (a value not finite is left out). */
void kerf_stress_figure(struct kerf_stress *st, const char *name, double v,
			const char *unit);
/* A figure already set (the memory runs' own ones too), or NAN. */
double kerf_stress_figure_value(const struct kerf_stress *st, const char *name);
void kerf_stress_info(struct kerf_stress *st, const char *key, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* Set outcome.observed and outcome.as_expected. */
void kerf_stress_observed(struct kerf_stress *st, bool as_expected,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Another outcome field: a string, or a boolean. */
void kerf_stress_outcome(struct kerf_stress *st, const char *key,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kerf_stress_outcome_bool(struct kerf_stress *st, const char *key, bool v);
/* Sleep until the next multiple of period_ns after *next (absolute). */
void kerf_stress_pace(uint64_t *next, uint64_t period_ns);

/*
 * The latency probe (harness/stress_probe.c): a worker in the run's cgroup
 * that every period faults one page of its own (a 2 MiB huge page with thp)
 * and records how late it finished against an absolute schedule. Its delay
 * goes into the timeline (probe_delay_max_us, probe_spikes), its
 * percentiles into the figures (probe_p50_us ... probe_max_us), and each
 * spike above the threshold, with the counters that moved while it
 * lasted, into the result's "probe" object.
 */
struct kerf_probe_cfg {
	bool on;
	uint64_t period_ns;
	uint64_t spike_ns; /* a delay above this is a spike */
	bool thp; /* fault a huge page each period, not a 4 KiB one */
	bool rt; /* ask for SCHED_FIFO (kept SCHED_OTHER when refused) */
};

/* The probe's parameters, for a stressor whose priv holds a kerf_probe_cfg. */
#define KERF_PROBE_PARAMS(st, fld, dflt, period)                              \
	KERF_BOOL("probe", st, fld.on, dflt,                                  \
		  "1: a latency probe in the cgroup (figures probe_*)"),      \
		KERF_TIME("probe_period", st, fld.period_ns, period, "100us", \
			  "1s", "the probe's period (absolute deadlines)"),   \
		KERF_TIME("probe_spike", st, fld.spike_ns, "5ms", "10us",     \
			  "10s", "a probe delay above this is a spike"),      \
		KERF_BOOL("probe_rt", st, fld.rt, "1",                        \
			  "1: the probe asks for SCHED_FIFO (CPU noise out)")

/*
 * Spawn the probe (when cfg->on) after the stressor's own workers, from its
 * start(). 0 or a negative errno.
 */
int kerf_stress_probe(struct kerf_stress *st, const struct kerf_probe_cfg *cfg);

#endif
