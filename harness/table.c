/* SPDX-License-Identifier: MIT */
/* What kerf run prints: the plan of a dry run, the result table at the end. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kerf/fmt.h"
#include "runner.h"

/* A number for people (kerf/fmt.h): 3 significant digits, thousands. */
static void table_num(double v, char *buf, size_t len)
{
	kerf_fmt_num(v, buf, len);
}

void kerf_params_text(const json_t *params, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t off = 0;

	buf[0] = 0;
	json_object_foreach((json_t *)params, k, v)
	{
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					off ? " " : "", k,
					json_string_value(v));
	}
}

/* The line of an ok result: median, interval, CV, unit, warnings. */
static void table_line(const json_t *r, int wb, int wp, const char *p, FILE *f)
{
	const json_t *st = json_object_get(r, "stats");
	const json_t *w = json_object_get(r, "warnings");
	char med[32], lo[32], hi[32], ci[80], cv[32];

	table_num(json_number_value(json_object_get(st, "median")), med,
		  sizeof(med));
	table_num(json_number_value(
			  json_array_get(json_object_get(st, "ci95"), 0)),
		  lo, sizeof(lo));
	table_num(json_number_value(
			  json_array_get(json_object_get(st, "ci95"), 1)),
		  hi, sizeof(hi));
	snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
	snprintf(cv, sizeof(cv), "%.1f",
		 json_number_value(json_object_get(st, "cv")) * 100);
	fprintf(f, "%-*s  %-*.*s  %10s  %-23s  %6s  %-9s  ", wb,
		json_string_value(json_object_get(r, "bench")), wp, wp, p, med,
		ci, cv, json_string_value(json_object_get(r, "unit")));
	for (size_t k = 0; k < json_array_size(w); k++)
		fprintf(f, "%s%s", k ? "; " : "",
			json_string_value(json_array_get(w, k)));
	fprintf(f, "\n");
}

void kerf_table_widths(const json_t *rows, int *wb, int *wp)
{
	const json_t *r;
	size_t i;

	*wb = 5;
	*wp = 6;
	json_array_foreach(rows, i, r)
	{
		char p[512];
		int l = (int)strlen(
			json_string_value(json_object_get(r, "bench")));

		kerf_params_text(json_object_get(r, "params"), p, sizeof(p));
		*wb = l > *wb ? l : *wb;
		*wp = (int)strlen(p) > *wp ? (int)strlen(p) : *wp;
	}
	*wp = *wp > 48 ? 48 : *wp;
}

void kerf_table_header(int wb, int wp, FILE *f)
{
	fprintf(f, "%-*s  %-*s  %10s  %-23s  %6s  %-9s  %s\n", wb, "bench", wp,
		"params", "median", "ci95", "cv%", "unit", "warnings");
}

void kerf_table_row(const json_t *r, int wb, int wp, FILE *f)
{
	const char *status = json_string_value(json_object_get(r, "status"));
	char p[512];

	kerf_params_text(json_object_get(r, "params"), p, sizeof(p));
	if (strcmp(status, "ok"))
		fprintf(f, "%-*s  %-*.*s  %10s  %s\n", wb,
			json_string_value(json_object_get(r, "bench")), wp, wp,
			p, status,
			json_string_value(json_object_get(r, "reason")));
	else
		table_line(r, wb, wp, p, f);
}

void kerf_print_table(const json_t *run, FILE *f)
{
	const json_t *results = json_object_get(run, "results"), *r;
	int wb, wp;
	size_t i;

	kerf_table_widths(results, &wb, &wp);
	kerf_table_header(wb, wp, f);
	json_array_foreach(results, i, r) kerf_table_row(r, wb, wp, f);
}

void kerf_print_plan(const json_t *jobs, const char *profile, FILE *f)
{
	const json_t *job;
	char p[512];
	size_t i;

	json_array_foreach(jobs, i, job)
	{
		kerf_params_text(json_object_get(job, "params"), p, sizeof(p));
		fprintf(f, "%s %s\n",
			json_string_value(json_object_get(job, "bench")), p);
	}
	fprintf(f, "%zu results planned (profile %s)\n", json_array_size(jobs),
		profile);
}
