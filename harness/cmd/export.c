/* SPDX-License-Identifier: MIT */
/* kerf export: its options, and one run handed to kerf_export_write(). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kerf/escape.h"
#include "kerf/report.h"
#include "kerf/result.h"

/* A message that may quote the input (a path, a schema): escaped. */
static void export_err(const char *err)
{
	fputs("kerf export: ", stderr);
	kerf_put_term(stderr, err);
	fputc('\n', stderr);
}

static void export_usage(FILE *f)
{
	fprintf(f,
		"usage: kerf export RUN --format FORMAT [-o FILE]\n"
		"  RUN        a run.json or the directory holding one\n"
		"  --format   %s:\n"
		"    gbench       Google Benchmark JSON (compare.py)\n"
		"    bmf          Bencher Metric Format (median, 95%% interval)\n"
		"    gab-smaller  github-action-benchmark customSmallerIsBetter\n"
		"    gab-bigger   github-action-benchmark customBiggerIsBetter\n"
		"    csv          one row per sample, skip or failure\n"
		"  -o FILE    write FILE (whole or not at all); default or '-': "
		"stdout\n"
		"gbench: an entry per sample and mean, median, stddev, cv "
		"aggregates, named\n"
		"bench/param:value; times keep their unit; a rate X/s is time "
		"per X in ns,\n"
		"named .../time_per_X (the rate stays as a counter); a skip or "
		"failure is\n"
		"skipped/error_occurred with its message and no times.\n"
		"bmf: times as latency (ns), rates as throughput (X/s), "
		"metrics named with\n"
		"their unit (p99-ns). gab-*: the median in the result's unit, "
		"the 95%%\n"
		"interval as range; split by the result's better. csv: "
		"run_id,host,bench,\n"
		"params (k=v;...),unit,better,status,reason,round,proc,sample,"
		"value.\n",
		KERF_EXPORT_FORMATS);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *format = NULL, *path = NULL;
	char err[1024];
	json_t *run;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			export_usage(stdout);
			return KERF_EXIT_OK;
		default:
			export_usage(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "kerf export: %s\n",
			optind >= argc ? "no RUN given" :
					 "exactly one RUN is exported");
		export_usage(stderr);
		return KERF_EXIT_USAGE;
	}
	if (!format) {
		fprintf(stderr, "kerf export: --format is required (%s)\n",
			KERF_EXPORT_FORMATS);
		return KERF_EXIT_USAGE;
	}
	if (!kerf_export_known(format)) {
		fprintf(stderr,
			"kerf export: unknown format '%s' (accepted: %s)\n",
			format, KERF_EXPORT_FORMATS);
		return KERF_EXIT_USAGE;
	}
	run = kerf_run_load(argv[optind], err, sizeof(err));
	if (!run) {
		export_err(err);
		return KERF_EXIT_USAGE;
	}
	ret = kerf_export_write(run, format, path, err, sizeof(err));
	json_decref(run);
	if (ret) {
		export_err(err);
		return ret == -EINVAL ? KERF_EXIT_USAGE : KERF_EXIT_FAIL;
	}
	return KERF_EXIT_OK;
}
