/* SPDX-License-Identifier: MIT */
/* run.json (schema kerf.run/2, /1 read): writing it atomically and reading it back. */
#ifndef KERF_RESULT_H
#define KERF_RESULT_H

#include <jansson.h>
#include <stddef.h>

#include "kerf/stats.h"

#define KERF_RUN_SCHEMA "kerf.run/2"
/* The older schema readers still accept: a run of one round. */
#define KERF_RUN_SCHEMA_V1 "kerf.run/1"

/* A new run object: schema, tool, started; env and config set by callers. */
json_t *kerf_run_new(void);
/* Set "finished" to now. */
void kerf_run_finish(json_t *run);
/* The run's "derived" object (figures across results), made when missing. */
json_t *kerf_run_derived(json_t *run);
/* A JSON string that never fails on bytes jansson refuses (not UTF-8):
 * those and control characters become '?'. NULL only when s is NULL. */
json_t *kerf_json_str(const char *s);
/* Append a formatted string (at most 511 bytes) to the JSON array arr. */
void kerf_json_appendf(json_t *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Write run to DIR/run.json: temporary file in DIR, fsync, rename, fsync of
 * DIR. Returns 0 or a negative errno; the old file stays on failure.
 */
int kerf_run_write(const json_t *run, const char *dir);
/*
 * Load a run: PATH is a run.json or a directory holding one. On failure
 * returns NULL and puts "FILE:LINE:COL: what" (or "FILE: what") in err.
 * Checks the schema name (kerf.run/2 or /1) and the shape of "results".
 */
json_t *kerf_run_load(const char *path, char *err, size_t errlen);

/* The stats object of a result, as written in run.json. */
json_t *kerf_stats_to_json(const struct kerf_stats *st);

/* "bench{k=v,k2=v2}" with keys sorted: pairs results across runs. */
int kerf_result_key(const json_t *result, char *buf, size_t len);

/* mkdir -p, then check the directory is writable. 0 or a negative errno. */
int kerf_mkdir_p(const char *path);
/* "results/<UTC time>-<host>", where runs go without --out. */
void kerf_default_out(char *buf, size_t len);

/* Current UTC time as "2026-11-29T04:30:00Z" into buf (>= 21 bytes). */
void kerf_utc_now(char *buf, size_t len);

#endif
