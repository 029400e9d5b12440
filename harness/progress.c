/* SPDX-License-Identifier: MIT */
/* kerf run's output as it goes where stdout is not a terminal (CI logs): a
 * line when a family starts, then each result's row as it completes. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

static int progress_wb, progress_wp;
static char progress_family[128];

/* Stream only into a pipe or a file, and not under --quiet. */
static bool progress_on(const struct runner *rn)
{
	return !rn->quiet && !isatty(STDOUT_FILENO);
}

/* The family of a bench name: what comes before the '/'. */
static int progress_famlen(const char *bench)
{
	const char *slash = strchr(bench, '/');

	return slash ? (int)(slash - bench) : (int)strlen(bench);
}

void kerf_progress_job(const struct runner *rn, const json_t *jobs, size_t i)
{
	const char *bench = json_string_value(
		json_object_get(json_array_get(jobs, i), "bench"));
	int fl = progress_famlen(bench), count = 0;
	const json_t *job;
	size_t k;

	if (!progress_on(rn))
		return;
	if (i == 0) {
		kerf_table_widths(jobs, &progress_wb, &progress_wp);
		progress_family[0] = 0;
	}
	if ((int)strlen(progress_family) == fl &&
	    !strncmp(progress_family, bench, (size_t)fl))
		return;
	snprintf(progress_family, sizeof(progress_family), "%.*s", fl, bench);
	json_array_foreach(jobs, k, job)
	{
		const char *b =
			json_string_value(json_object_get(job, "bench"));

		count += k >= i && progress_famlen(b) == fl &&
			 !strncmp(b, bench, (size_t)fl);
	}
	printf("== %s: %d result%s; result %zu of %zu, %.0f s into the run\n",
	       progress_family, count, count == 1 ? "" : "s", i + 1,
	       json_array_size(jobs),
	       (double)(kerf_now_ns() - rn->start) / 1e9);
	if (i == 0)
		kerf_table_header(progress_wb, progress_wp, stdout);
	fflush(stdout);
}

void kerf_progress_result(const struct runner *rn, const json_t *r)
{
	if (!progress_on(rn))
		return;
	kerf_table_row(r, progress_wb, progress_wp, stdout);
	fflush(stdout);
}
