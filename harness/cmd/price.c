/* SPDX-License-Identifier: MIT */
/* `kerf price`: cost a workload's system call profile with a run's benches. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/parse.h"
#include "kerf/price.h"
#include "kerf/result.h"

#define PRICE_MAX_RUNS 2
#define PRICE_MAX_MAPS 64

struct price_opts {
	const char *runs[PRICE_MAX_RUNS];
	int nruns;
	double per;
	const char *format;
	const char *report;
	struct kerf_price_map maps[PRICE_MAX_MAPS];
	int nmaps;
};

static void price_help(FILE *f)
{
	fprintf(f,
		"usage: kerf price PROFILE... [--run RUN.json]... [--per N]\n"
		"                  [--format text|md|json] [--map CALL=BENCH{k=v}]...\n"
		"                  [--report DIR]\n"
		"\n"
		"Price a workload's system calls on this host: each call's count times\n"
		"its cost in RUN (the call family and a few others), per unit of work,\n"
		"with an interval from the results' bootstrap ci95, each call's share,\n"
		"the calls left unpriced, and the ceiling on units of work per second\n"
		"per core. Counts only: a profile's times are never used.\n"
		"\n"
		"  PROFILE          strace -c or strace -c -f output (-o FILE), perf trace -s\n"
		"                   output, or a CSV of syscall,count[,bytes] (bytes: the\n"
		"                   total; sized calls are interpolated along size=);\n"
		"                   several files are one workload (their counts add)\n"
		"  --run RUN        a run.json (or its directory) holding the costs; twice:\n"
		"                   both hosts and the ratio B/A; none: measure the\n"
		"                   benches needed now (kerf run --quick, into results/)\n"
		"  --per N          units of work in the profile (requests, rows); default 1\n"
		"  --format F       text (default), md or json (schema kerf.price/1)\n"
		"  --map C=B{k=v}   price call C with bench B and parameters k=v, such as\n"
		"                   read=call/read{on=dev} for a program reading /dev/zero\n"
		"  --report DIR     also write DIR/index.html with a bar chart (gnuplot)\n"
		"\n"
		"Exit status: 0 priced, 2 bad usage or input (file:line named).\n");
}

static int price_parse(int argc, char **argv, struct price_opts *o)
{
	static const struct option lopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "per", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "map", required_argument, NULL, 'm' },
		{ "report", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char err[256];
	int c;

	o->per = 1;
	o->format = "text";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->nruns == PRICE_MAX_RUNS)
				return kerf_usage_error(
					"price",
					"--run: at most 2 runs (A and B)");
			o->runs[o->nruns++] = optarg;
			break;
		case 'n':
			if (kerf_parse_double(optarg, &o->per) ||
			    !(o->per > 0) || o->per > 1e15)
				return kerf_usage_error(
					"price",
					"--per: '%s' is not a number of units above 0 (such as 1000)",
					optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "md") &&
			    strcmp(optarg, "json"))
				return kerf_usage_error(
					"price",
					"--format: '%s' is not text, md or json",
					optarg);
			o->format = optarg;
			break;
		case 'm':
			if (o->nmaps == PRICE_MAX_MAPS)
				return kerf_usage_error("price",
							"--map: at most %d",
							PRICE_MAX_MAPS);
			if (kerf_price_map_parse(optarg, &o->maps[o->nmaps++],
						 err, sizeof(err)))
				return kerf_usage_error("price", "%s", err);
			break;
		case 'R':
			o->report = optarg;
			break;
		case 'h':
			price_help(stdout);
			return -1;
		default:
			price_help(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return kerf_usage_error(
			"price",
			"no PROFILE (strace -c, perf trace -s or syscall,count CSV)");
	return 0;
}

/* Without --run: measure the benches the profile needs, into results/. */
static int price_measure_now(struct kerf_profile *pr, struct price_opts *o,
			     char *dir, size_t len)
{
	const struct kerf_profile *prs[1] = { pr };
	const char *benches[64];
	char err[256];
	int n = kerf_price_needs(prs, 1, o->maps, o->nmaps, benches, 64);

	if (!n) {
		fprintf(stderr,
			"kerf price: no call of the profile is in the catalogue\n");
		return KERF_EXIT_USAGE;
	}
	kerf_default_out(dir, len);
	fprintf(stderr,
		"kerf price: measuring %d benches (quick profile) into %s\n", n,
		dir);
	if (kerf_price_measure(benches, n, dir, err, sizeof(err))) {
		fprintf(stderr, "kerf price: %s\n", err);
		return KERF_EXIT_FAIL;
	}
	o->runs[o->nruns++] = dir;
	return 0;
}

static int price_out(const struct price_opts *o, const struct kerf_profile *pr,
		     const struct kerf_price *ps, int np)
{
	char err[256];
	int rc;

	if (!strcmp(o->format, "json")) {
		json_t *j = kerf_price_json(pr, ps, np);

		json_dumpf(j, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(j);
	} else {
		kerf_price_print(stdout, o->format, pr, ps, np);
	}
	if (!o->report)
		return KERF_EXIT_OK;
	rc = kerf_price_report(o->report, pr, ps, np, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "kerf price: --report: %s\n", err);
		return KERF_EXIT_FAIL;
	}
	if (rc > 0)
		fprintf(stderr, "kerf price: --report: no plot: %s\n", err);
	return KERF_EXIT_OK;
}

int cmd_price(int argc, char **argv)
{
	struct price_opts o = { 0 };
	struct kerf_profile pr = { 0 };
	struct kerf_price ps[PRICE_MAX_RUNS] = { 0 };
	json_t *runs[PRICE_MAX_RUNS] = { 0 };
	char err[512], dir[PATH_MAX], labels[PRICE_MAX_RUNS][256];
	int rc = price_parse(argc, argv, &o), np = 0;

	if (rc)
		return rc < 0 ? KERF_EXIT_OK : rc;
	for (int i = optind; i < argc; i++)
		if (kerf_profile_load(argv[i], &pr, err, sizeof(err))) {
			fprintf(stderr, "kerf price: %s\n", err);
			rc = KERF_EXIT_USAGE;
			goto out;
		}
	if (!o.nruns && (rc = price_measure_now(&pr, &o, dir, sizeof(dir))))
		goto out;
	for (np = 0; np < o.nruns; np++) {
		runs[np] = kerf_run_load(o.runs[np], err, sizeof(err));
		if (!runs[np]) {
			fprintf(stderr, "kerf price: --run: %s\n", err);
			rc = KERF_EXIT_USAGE;
			goto out;
		}
		kerf_price_label(o.runs[np], labels[np], sizeof(labels[np]));
		if (kerf_price_compute(&pr, runs[np], labels[np], o.maps,
				       o.nmaps, o.per, &ps[np])) {
			rc = KERF_EXIT_FAIL;
			np++;
			goto out;
		}
	}
	rc = price_out(&o, &pr, ps, np);
out:
	for (int k = 0; k < np; k++) {
		kerf_price_free(&ps[k]);
		json_decref(runs[k]);
	}
	kerf_profile_free(&pr);
	return rc;
}
