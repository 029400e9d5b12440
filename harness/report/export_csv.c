/* SPDX-License-Identifier: MIT */
/* The CSV export: one fixed column set, so two runs' files append. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/escape.h"
#include "kerf/result.h"
#include "report/export.h"
#include "report/util.h"

/* The columns, the same for every run (results/README.md documents them). */
static const char *const csv_cols[] = {
	"run_id", "host",  "bench", "params", "unit",  "better", "status",
	"reason", "round", "proc",  "sample", "value", NULL,
};

/*
 * Every cell goes through here: RFC 4180 quoting of a field holding a
 * comma, a quote or a line break. (The one place to neutralise cells.)
 */
static void csv_cell(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (s)
		kerf_put_csv(f, s);
}

static void csv_num(FILE *f, const json_t *v)
{
	char num[64];

	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
	else if (json_is_number(v))
		kerf_fmt_double(json_number_value(v), num, sizeof(num));
	csv_cell(f, json_is_number(v) ? num : NULL, false);
}

/* The run's id: its start time and host, "20261129T043000Z-host", the
 * name build.sh gives its directory. */
static void csv_run_id(const json_t *run, char *buf, size_t len)
{
	const char *t = ju_str(run, "started");
	const char *host = ju_str(json_object_get(run, "env"), "host");
	size_t o = 0;

	for (; t && *t && o + 1 < len; t++)
		if (*t != '-' && *t != ':' && *t != '.')
			buf[o++] = *t;
	buf[o] = '\0';
	snprintf(buf + o, len - o, "-%s", host ? host : "");
}

/* The fields every row of a result shares: run_id ... reason. */
static void csv_head(FILE *f, const char *run_id, const char *host,
		     const json_t *r, const char *params)
{
	const char *st = ju_str(r, "status");

	csv_cell(f, run_id, true);
	csv_cell(f, host, false);
	csv_cell(f, ju_str(r, "bench"), false);
	csv_cell(f, params, false);
	csv_cell(f, ju_str(r, "unit"), false);
	csv_cell(f, ju_str(r, "better"), false);
	csv_cell(f, st ? st : "error", false);
	csv_cell(f, ju_result_ok(r) ? NULL : ju_str(r, "reason"), false);
}

/* One result's rows: a row per sample; one row for a stressor's value, a
 * skip or a failure (its status and reason, no value). */
static void csv_result(FILE *f, const char *run_id, const char *host,
		       const json_t *r)
{
	json_t *samples = json_object_get(r, "samples"), *s;
	json_t *procs = json_object_get(r, "sample_procs");
	json_t *rounds = json_object_get(r, "sample_rounds");
	char params[2048], idx[32];
	size_t i;

	rep_params_label(r, NULL, ";", params, sizeof(params));
	if (!ju_result_ok(r) || !json_array_size(samples)) {
		csv_head(f, run_id, host, r, params);
		csv_cell(f, NULL, false);
		csv_cell(f, NULL, false);
		csv_cell(f, ju_result_ok(r) ? "0" : NULL, false);
		csv_num(f,
			ju_result_ok(r) ? json_object_get(r, "value") : NULL);
		fputc('\n', f);
		return;
	}
	json_array_foreach(samples, i, s)
	{
		json_t *rd = json_array_get(rounds, i);

		csv_head(f, run_id, host, r, params);
		/* a kerf.run/1 file is one round: round 0 */
		if (rounds)
			csv_num(f, rd);
		else
			csv_cell(f, "0", false);
		csv_num(f, json_array_get(procs, i));
		snprintf(idx, sizeof(idx), "%zu", i);
		csv_cell(f, idx, false);
		csv_num(f, s);
		fputc('\n', f);
	}
}

void export_csv(const json_t *run, FILE *f)
{
	const char *host = ju_str(json_object_get(run, "env"), "host");
	json_t *r;
	char run_id[256];
	size_t i;

	csv_run_id(run, run_id, sizeof(run_id));
	for (i = 0; csv_cols[i]; i++)
		csv_cell(f, csv_cols[i], i == 0);
	fputc('\n', f);
	json_array_foreach(json_object_get(run, "results"), i, r)
		csv_result(f, run_id, host, r);
}
