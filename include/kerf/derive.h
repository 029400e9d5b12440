/* SPDX-License-Identifier: MIT */
/* Figures derived from several results of a run (fits across a sweep). */
#ifndef KERF_DERIVE_H
#define KERF_DERIVE_H

#include <jansson.h>

/* A vDSO call at least this many times cheaper than its syscall was served
 * by the vDSO; below it the kernel was entered (derived.vdso, the report). */
#define KERF_VDSO_SERVED_RATIO 1.5

/*
 * Least-squares line of the median against a size parameter, over all ok
 * results of bench in run["results"] that share the other parameters. The
 * x value is the parameter in bytes divided by scale (1 << 30: per GiB).
 * Each fit with two or more distinct x values is stored in run["derived"]
 * under "bench:param{k=v,...}" (the other parameters, sorted) as
 * {name, bench, param, params, slope, intercept, r2, n, unit, scale}:
 * slope in unit (the result unit per scale bytes), intercept in the result
 * unit. Returns the number of fits stored or a negative errno.
 */
int kerf_derive_linear(json_t *run, const char *bench, const char *param,
		       const char *name, double scale, const char *unit);

#endif
