/* SPDX-License-Identifier: MIT */
/* Latency targets ("p99:1ms") and the knee of an open-loop rate sweep. */
#ifndef KERF_KNEE_H
#define KERF_KNEE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "kerf/bench.h"

/*
 * Parse a latency target "pQ:TIME" (p99:1ms, p99.9:500us, p50:80us): q in
 * (0, 1) and the bound in ns. Returns 0 or -EINVAL with why saying the
 * accepted form.
 */
int kerf_slo_parse(const char *s, double *q, uint64_t *bound_ns, char *why,
		   size_t whylen);

/*
 * The derived key of r's knee group, "knee:BENCH{k=v,...}" of every
 * parameter but rate, keys sorted. Returns 0 or a negative errno.
 */
int kerf_knee_key(const json_t *r, char *buf, size_t len);

/*
 * The evloop open-loop knee: over the ok results of each bench that share
 * every parameter but rate and carry an slo, the highest rate whose
 * latency_slo metric is within the bound below the lowest rate where it is
 * not, stored in run["derived"] as "knee:BENCH{params}" with the bracket
 * [rate, next failing rate], the server PU, and the points.
 */
extern const struct kerf_derive kerf_derive_knee;

#endif
