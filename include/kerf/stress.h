/* SPDX-License-Identifier: MIT */
/* The stressor descriptor and the API a stressor is written against. */
#ifndef KERF_STRESS_H
#define KERF_STRESS_H

#include <jansson.h>
#include <stdbool.h>
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

struct kerf_stress {
	const struct kerf_stressor *s;
	void *priv;
	struct kerf_cg cg;
	uint64_t limit; /* bytes, --limit */
	uint64_t duration_ns; /* --duration: workers stop by then */
	uint64_t sample_ns;
	uint64_t t0_ns; /* start of the run, CLOCK_MONOTONIC */
	const char *tmpdir;
	/* KERF_STRESS_SHARED bytes, MAP_SHARED, touched by kerf first. */
	void *shared;
	int nworkers;
	struct kerf_worker w[KERF_STRESS_MAXW];
	int nkilled; /* workers the kernel killed (SIGKILL) */
	bool stopping; /* kerf is killing what is left */
	bool oom_seen; /* the OOM killer acted (memory events) */
	uint64_t t_first_kill_ns;
	/* Filled by the stressor, written to the result. */
	json_t *outcome; /* "expected", "observed", "as_expected", ... */
	json_t *figures; /* name -> number */
	json_t *info; /* name -> string */
	json_t *timeline; /* column name -> array */
	char reason[512];
};

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
/* Figures, outcome fields and info. */
void kerf_stress_figure(struct kerf_stress *st, const char *name, double v);
void kerf_stress_info(struct kerf_stress *st, const char *key, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* Set outcome.observed and outcome.as_expected. */
void kerf_stress_observed(struct kerf_stress *st, bool as_expected,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sleep until the next multiple of period_ns after *next (absolute). */
void kerf_stress_pace(uint64_t *next, uint64_t period_ns);

/* The registry, in stressors/list.h order. */
extern const struct kerf_stressor *const kerf_stressors[];
extern const int kerf_nstressors;

#endif
