/* SPDX-License-Identifier: MIT */
/* Helpers the report and the exports share: output files, JSON, results, names, units. */
#ifndef KERF_REPORT_UTIL_H
#define KERF_REPORT_UTIL_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kerf/outfile.h"

/* Members of a JSON object, NULL or false when absent or of another type. */
const char *ju_str(const json_t *o, const char *key);
bool ju_num(const json_t *o, const char *key, double *v);
/* A member by dotted path ("cpu.model"). */
json_t *ju_path(const json_t *o, const char *dotted);

/*
 * J flattened into members of OUT named "prefix.a.b", every value as text:
 * numbers in their shortest form, arrays of scalars as compact JSON, other
 * arrays by index ("a[0]" with brackets, else "a.0"), null as null_text.
 */
void ju_flatten(json_t *out, const char *prefix, const json_t *j, bool brackets,
		const char *null_text);

/* The keys of a result's params, sorted; returns the count (at most max). */
int ju_param_keys(const json_t *result, const char **keys, int max);

/* The result's status is "ok". */
bool ju_result_ok(const json_t *r);

/*
 * The median of an ok result and its 95% interval (lo and hi are the median
 * when the result has none); false when the result has no median.
 */
bool rep_median(const json_t *r, double *med, double *lo, double *hi);

/* A parameter's value as text (numbers formatted into buf), NULL if absent. */
const char *rep_param_text(const json_t *r, const char *key, char *buf,
			   size_t len);

/* "4K" 4096, "10ms" 1e7, "12" 12: a parameter value as a number. */
bool rep_value_num(const char *s, double *x);

/* "k=v<sep>k2=v2" of a result's params, leaving out skip (may be NULL). */
void rep_params_label(const json_t *r, const char *skip, const char *sep,
		      char *buf, size_t len);

/* A key that pairs results across runs: "bench{k=v,...}". */
void rep_key(const json_t *r, char *buf, size_t len);

/* "clock_gettime" of "vdso/clock_gettime". */
const char *rep_variant_of(const char *bench);

/* A number for a table, for people: kerf_fmt_num() (kerf/fmt.h). */
void rep_fmt_num(double v, char *buf, size_t len);

/* 25276502016: "23.5 GiB" (kerf_fmt_bytes()). */
void rep_human_bytes(double v, char *buf, size_t len);

/*
 * The export name of a result: "bench/k:v/k2:v2" with the params in key
 * order, google/benchmark's way of naming arguments.
 */
void kerf_result_name(const json_t *result, char *buf, size_t len);

/*
 * Nanoseconds per unit of a time-per-something unit ("ns/op" 1, "us/op"
 * 1000, "ms" 1e6, "s/op" 1e9); 0 for units that are not times ("req/s").
 * *tu gets google/benchmark's time_unit name ("ns", "us", "ms", "s").
 */
double kerf_unit_ns(const char *unit, const char **tu);

/* The shortest decimal text that reads back as the same double. */
void kerf_fmt_double(double v, char *buf, size_t len);

/* Lower-case letters and digits, anything else one '-': "req/s" "req-s". */
void kerf_slug(const char *s, char *buf, size_t len);

/* gnuplot's path from $PATH into buf; -ENOENT when it is not there. */
int kerf_gnuplot_find(char *buf, size_t len);
/*
 * Run GNUPLOT on SCRIPT (a file name inside DIR) with DIR as the working
 * directory, stdin from /dev/null, its output in DIR/NAME.log (removed when
 * empty). Returns 0, or a negative errno with gnuplot's last line in err.
 */
int kerf_gnuplot_run(const char *gnuplot, const char *dir, const char *script,
		     char *err, size_t errlen);

#endif
