/* SPDX-License-Identifier: MIT */
/* What kerf's export formats share: their entry points and unit helpers. */
#ifndef KERF_REPORT_EXPORT_H
#define KERF_REPORT_EXPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A json_real that is never NaN or Infinity (jansson refuses them). */
json_t *export_real(double v);

/*
 * A rate unit "X/s" (req/s, GB/s): true, and "X" into per. A result in such
 * a unit is exported as time per X where a format wants a time.
 */
bool export_rate_unit(const char *unit, char *per, size_t len);

json_t *export_gbench(const json_t *run);
json_t *export_bmf(const json_t *run);
/* github-action-benchmark's custom formats: the results whose better is
 * "lower" (customSmallerIsBetter) or "higher" (customBiggerIsBetter). */
json_t *export_gab(const json_t *run, bool bigger);
void export_csv(const json_t *run, FILE *f);

#endif
