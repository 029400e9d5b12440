/* SPDX-License-Identifier: MIT */
/* Planning a run: which benches, which parameter sets. */
#ifndef KERF_PLAN_H
#define KERF_PLAN_H

#include <jansson.h>
#include <stdbool.h>

/* One -p NAME=V1,V2 option. */
struct plan_set {
	const char *name;
	const char *values;
};

/* Mark the benches the patterns select (none: the default suite).
 * An unmatched pattern prints a message and returns -EINVAL. */
int plan_select(char **patterns, int npat, bool *selected);
/* Every -p name must be taken by at least one selected bench. */
int plan_check_sets(const struct plan_set *sets, int nsets,
		    const bool *selected);
/* Append {bench, params} jobs, each value checked and canonical. */
int plan_expand(const bool *selected, const struct plan_set *sets, int nsets,
		int profile, json_t *jobs);

/*
 * Patterns and -p options into jobs (select, check, expand); an empty plan
 * is refused. Messages name cmd. Returns 0 or -EINVAL (said on stderr).
 */
int plan_jobs(const char *cmd, char **patterns, int npat,
	      const struct plan_set *sets, int nsets, int profile,
	      json_t *jobs);

#endif
