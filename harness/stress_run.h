/* SPDX-License-Identifier: MIT */
/* What the stressor runtime shares with `kerf stress` and the stressor API. */
#ifndef KERF_STRESS_RUN_H
#define KERF_STRESS_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kerf/stress.h"

/* The stressor registry, in stressors/list.h order. */
extern const struct kerf_stressor *const kerf_stressors[];
extern const int kerf_nstressors;
const struct kerf_stressor *kerf_stressor_find(const char *name);

/* What `kerf stress` hands the runtime (see its --help). */
struct kerf_stress_cfg {
	uint64_t limit; /* bytes, --limit */
	uint64_t duration_ns; /* --duration: workers stop by then */
	uint64_t sample_ns; /* --sample-ms */
	const char *tmpdir; /* --tmpdir, or NULL */
};

/* One run of a stressor: opaque to stressors, which use kerf/stress.h. */
struct kerf_stress {
	const struct kerf_stressor *s;
	void *priv;
	struct kerf_cg cg;
	uint64_t limit;
	uint64_t duration_ns;
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
	json_t *units; /* name -> unit of each figure */
	json_t *info; /* name -> string */
	json_t *timeline; /* column name -> array */
	struct stress_probe *probe; /* the latency probe, NULL: none */
	char reason[512];
};

/* The latency probe's side in kerf (stress_probe.c). */
/* Its columns of one timeline row (vmstat counters, the probe's delay). */
void kerf_stress_probe_sample(struct kerf_stress *st, uint64_t t_ns);
/* After the workers: percentiles, spikes and what moved with them. */
void kerf_stress_probe_finish(struct kerf_stress *st);
/* The result's "probe" object (NULL: no probe), then everything freed. */
json_t *kerf_stress_probe_json(struct kerf_stress *st);
void kerf_stress_probe_free(struct kerf_stress *st);

/*
 * SIGINT and SIGTERM stop the run (it is still cleaned up and written);
 * SIGCHLD wakes the sampler. Call before kerf_stress_run.
 */
void kerf_stress_signals(void);
/* The signal that stopped the run, 0 if none. */
int kerf_stress_stop_signal(void);
/* After the run.json is written: die of the signal that stopped the run. */
void kerf_stress_reraise(void);

/*
 * One run of s with params (name -> canonical value): its cgroup made,
 * workers started and sampled, all of it removed. Returns the run.json
 * entry; *rc becomes KERF_EXIT_FAIL when the run failed or its outcome
 * was not as expected. NULL (and *rc KERF_EXIT_USAGE) when this host gives
 * kerf no cgroup to work in.
 */
json_t *kerf_stress_run(const struct kerf_stressor *s,
			const struct kerf_stress_cfg *cfg, json_t *params,
			int *rc);
/* The run.json of a stress run holding the entry res (reference taken). */
json_t *kerf_stress_run_json(json_t *res, const struct kerf_stress_cfg *cfg,
			     int argc, char **argv);

#endif
