/* SPDX-License-Identifier: MIT */
/* kerf run: its options; the run itself is harness/runner.c. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"
#include "runner.h"
#include "kerf/parse.h"
#include "kerf/report.h"

struct run_opts {
	struct runner_opts run;
	bool report;
	bool dry_run;
	char *exports[8];
	int nexports;
};

static void run_help(void)
{
	printf("usage: kerf run [PATTERN...] [--quick|--full] [-p NAME=V1[,V2...]]...\n"
	       "                [--cpu auto|LIST] [--out DIR] [--tmpdir DIR]\n"
	       "                [--procs N] [--samples N] [--rounds R] [--seed N]\n"
	       "                [--report]\n"
	       "                [--export LIST] [--quiet]\n"
	       "\n"
	       "Run benches and write DIR/run.json (schema kerf.run/2, see results/README.md).\n"
	       "\n"
	       "  PATTERN            a bench (syscall/getppid), a family (syscall) or a glob\n"
	       "                     ('vdso/*'); none: the default suite (kerf list marks it)\n"
	       "  --quick, --full    measurement profile (default: in between)\n"
	       "                       quick:   3 processes x 5 samples, 2 ms per sample\n"
	       "                       default: 10 processes x 10 samples, 10 ms per sample\n"
	       "                       full:    20 processes x 20 samples, 20 ms per sample\n"
	       "  -p NAME=V1[,V2]    set a parameter; several values sweep it (each value and\n"
	       "                     each combination checked before anything runs: exit 2)\n"
	       "  --cpu auto|LIST    PUs kerf may use (LIST: 1,3-5); single-PU benches run on\n"
	       "                     the first; auto: all allowed, benches on the last PU\n"
	       "  --out DIR          write DIR/run.json (default results/<UTC time>-<host>/)\n"
	       "  --tmpdir DIR       scratch files of benches (default $TMPDIR or /tmp)\n"
	       "  --procs N          worker processes per result and round (default: the\n"
	       "                     profile's, split over the rounds, at least 1)\n"
	       "  --samples N        samples per worker process (overrides the profile)\n"
	       "  --rounds R         measure every result R times (1..1000, default 1),\n"
	       "                     each round in a fresh random order with fresh processes\n"
	       "  --seed N           bootstrap and round-order seed (default: random, recorded)\n"
	       "  --report           also write the HTML report with its plots into DIR\n"
	       "                     (DIR/index.html; see kerf report)\n"
	       "  --dry-run          print the planned results (bench and parameters), run nothing\n"
	       "  --export LIST      also write exports into DIR, LIST of " KERF_EXPORT_FORMATS
	       "\n"
	       "                     (DIR/run.FORMAT.json; csv: DIR/run.csv)\n"
	       "  --quiet            print the table at the end only; otherwise, where stdout\n"
	       "                     is not a terminal, a line when each family starts and\n"
	       "                     each result's row as it completes\n"
	       "\n"
	       "Exit status: 0 every bench ran (or skipped), 1 a bench failed, 2 bad usage.\n");
}

/* --export and --report: files beside run.json. Returns 0 or -1. */
static int run_extras(const struct run_opts *o, json_t *run)
{
	char path[PATH_MAX], err[1024];
	int bad = 0;

	for (int k = 0; k < o->nexports; k++) {
		snprintf(path, sizeof(path), "%s/%s", o->run.out,
			 kerf_export_file(o->exports[k]));
		if (kerf_export_write(run, o->exports[k], path, err,
				      sizeof(err))) {
			fprintf(stderr, "kerf run: --export %s: %s\n",
				o->exports[k], err);
			bad = -1;
		} else {
			printf("export:  %s\n", path);
		}
	}
	if (o->report) {
		json_t *runs[1] = { run };
		int rc = kerf_report_write(runs, NULL, 1, o->run.out, err,
					   sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "kerf run: --report: %s\n", err);
			bad = -1;
		} else {
			printf("report:  %s/index.html%s\n", o->run.out,
			       rc == 1 ? " (tables only: no plots, see above)" :
					 "");
		}
	}
	return bad;
}

/* --export LIST: the formats, each checked. */
static int run_exports(char *list, struct run_opts *o)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!kerf_export_known(t))
			return kerf_usage_error(
				"run",
				"--export: '%s' is not a format; accepted: a comma list of " KERF_EXPORT_FORMATS,
				t);
		if (o->nexports < 8)
			o->exports[o->nexports++] = t;
	}
	return 0;
}

static int run_parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option lopts[] = {
		RUNNER_LONGOPTS,
		{ "out", required_argument, NULL, 'o' },
		{ "report", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "export", required_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->run.profile = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:o:", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				return kerf_usage_error(
					"run",
					"--out: the directory name is empty");
			o->run.out = optarg;
			break;
		case 'R':
			o->report = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'E':
			if (run_exports(optarg, o))
				return KERF_EXIT_USAGE;
			break;
		case 'Q':
			o->run.quiet = true;
			break;
		case 'h':
			run_help();
			return -1;
		default:
			if (runner_opt("run", c, optarg, &o->run))
				return KERF_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (o->run.npat >= 256)
			return kerf_usage_error(
				"run", "too many patterns (256 at most)");
		o->run.patterns[o->run.npat++] = argv[i];
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct runner rn = { 0 };
	json_t *jobs = json_array();
	int rc;

	rc = run_parse_opts(argc, argv, &o);
	if (rc) {
		rc = rc < 0 ? KERF_EXIT_OK : KERF_EXIT_USAGE;
		goto out;
	}
	rc = KERF_EXIT_USAGE;
	if (plan_jobs("run", o.run.patterns, o.run.npat, o.run.sets,
		      o.run.nsets, o.run.profile, jobs))
		goto out;
	rc = KERF_EXIT_OK;
	if (o.dry_run) {
		kerf_print_plan(jobs, kerf_profiles[o.run.profile].name,
				stdout);
		goto out;
	}
	rc = runner_prepare(&rn, &o.run, argc, argv);
	if (rc)
		goto out;
	runner_loop(&rn, jobs);
	rc = runner_finish(&rn);
	if (!job_interrupted() && run_extras(&o, rn.run))
		rc = KERF_EXIT_FAIL;
out:
	runner_free(&rn);
	json_decref(jobs);
	return rc;
}
