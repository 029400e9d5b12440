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
		"usage: kerf export RUN --format %s [-o FILE]\n"
		"  RUN        a run.json or the directory holding one\n"
		"  --format   gbench: Google Benchmark JSON (compare.py, "
		"github-action-benchmark)\n"
		"             bmf: Bencher Metric Format (median, 95%% "
		"interval)\n"
		"             csv: one row per sample\n"
		"  -o FILE    write FILE (whole or not at all); default or '-': "
		"stdout\n"
		"gbench: one entry per sample (a repetition) and mean, median, "
		"stddev, cv\n"
		"aggregates, named bench/param:value; times keep their unit "
		"(ns/op: \"ns\");\n"
		"cpu_time repeats real_time (kerf measures wall time); a unit "
		"that is not a\n"
		"time (req/s) is a counter named after it (req_per_s) with the "
		"times 0;\n"
		"skips and errors are entries with error_occurred.\n"
		"bmf: time units as \"latency\" in ns, other units as a measure "
		"named after the\n"
		"unit (req-s), derived metrics as measures of their own.\n"
		"csv: bench, one column per parameter (empty where a result "
		"lacks it), unit,\n"
		"proc (worker process), value; RFC 4180 quoting, LF line "
		"ends.\n",
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
	if (strcmp(format, "gbench") && strcmp(format, "bmf") &&
	    strcmp(format, "csv")) {
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
