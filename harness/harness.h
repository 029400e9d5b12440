/* SPDX-License-Identifier: MIT */
/* What the harness files share among themselves: registry, plan, context. */
#ifndef KERF_HARNESS_H
#define KERF_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kerf/bench.h"

/* The registry, in benches/list.h order. */
extern const struct kerf_bench *const kerf_benches[];
extern const int kerf_nbenches;
const struct kerf_bench *kerf_bench_find(const char *name);
/* Print "did you mean" lines for an unknown name to stderr. */
void kerf_suggest(const char *name);

const struct kerf_param *kerf_param_find(const struct kerf_bench *b,
					 const char *name);
/*
 * Check one value of a parameter; on success write its canonical text to
 * canon. On failure write a message naming the value and the accepted form
 * to err and return -EINVAL.
 */
int kerf_param_check(const struct kerf_param *p, const char *val, char *canon,
		     size_t clen, char *err, size_t elen);
/* Store a (checked) value into the bench's private struct. */
int kerf_param_store(const struct kerf_param *p, void *priv, const char *val);
/* "4K..64G", "a|b|c" and so on, for messages and `kerf list`. */
void kerf_param_range(const struct kerf_param *p, char *buf, size_t len);
const char *kerf_ptype_name(enum kerf_ptype t);

/* kerf list: a bench as its lines of text (name, summary, parameters), or
 * as the JSON object of kerf list --json. */
void kerf_bench_print(const struct kerf_bench *b, FILE *f);
json_t *kerf_bench_json(const struct kerf_bench *b);

/* kerf env: the fingerprint and its warnings as "path: value" lines under
 * topic headings (system, cpu, timing, ...), then the warnings. */
void kerf_env_print(FILE *out, json_t *env, json_t *warnings);

/* Measurement profile. */
struct kerf_profile {
	int id; /* 0 quick, 1 default, 2 full */
	const char *name;
	int procs; /* worker processes per result */
	int samples; /* samples per worker */
	uint64_t target_ns; /* minimum time of one timed sample */
	uint64_t warmup_ns;
	uint64_t budget_ns; /* per worker: samples stop past it */
	uint64_t timeout_ns; /* per worker, then it is killed */
};
extern const struct kerf_profile kerf_profiles[3];

/* One worker's instructions and what it hands back (JSON on fd 3). */
struct kerf_ctx {
	const struct kerf_bench *bench;
	void *priv;
	int cpu;
	int *allowed;
	int nallowed;
	int profile;
	const char *tmpdir;
	json_t *params; /* name -> canonical string */
	uint64_t window_t0; /* the clock at kerf_time_start() */
	/* Collected for the parent: */
	json_t *out_samples;
	json_t *out_metrics; /* name -> {value, unit} */
	json_t *out_info;
	json_t *out_warnings;
	json_t *out_cpus;
	char reason[512];
};

int kerf_worker_main(int argc, char **argv);

#endif
