/* SPDX-License-Identifier: MIT */
/* Figures derived from several results of a run: the families' hooks. */
#ifndef KERF_DERIVE_H
#define KERF_DERIVE_H

#include <stdio.h>

#include "kerf/bench.h" /* struct kerf_derive; json_t is struct json_t */

/*
 * The hooks the descriptors name in .derive (struct kerf_derive in
 * kerf/bench.h), one per family with figures across results.
 * Knees of tlb/chase sweeps, beside the CPU's TLB and cache sizes:
 */
extern const struct kerf_derive kerf_derive_tlb;
/* spawn/fork cost against the parent's RSS, slope per GiB and intercept: */
extern const struct kerf_derive kerf_derive_fork_rss;
/* vdso family, syscall/vdso ratio of each call and whether it was served: */
extern const struct kerf_derive kerf_derive_vdso;

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
int kerf_derive_linear(struct json_t *run, const char *bench, const char *param,
		       const char *name, double scale, const char *unit);

/* vdso/syscall ratio of each vdso pair in a run; "note" where not served. */
struct json_t *kerf_vdso_ratios(struct json_t *run);
void kerf_print_vdso_ratios(const struct json_t *ratios, FILE *f);

#endif
