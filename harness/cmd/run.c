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
	       "                [--procs N] [--samples N] [--seed N] [--report]\n"
	       "                [--export LIST] [--quiet]\n"
	       "\n"
	       "Run benches and write DIR/run.json (schema kerf.run/1, see results/README.md).\n"
	       "\n"
	       "  PATTERN            a bench (syscall/getppid), a family (syscall) or a glob\n"
	       "                     ('vdso/*'); none: the default suite (kerf list marks it)\n"
	       "  --quick, --full    measurement profile (default: in between)\n"
	       "                       quick:   3 processes x 5 samples, 2 ms per sample\n"
	       "                       default: 10 processes x 10 samples, 10 ms per sample\n"
	       "                       full:    20 processes x 20 samples, 20 ms per sample\n"
	       "  -p NAME=V1[,V2]    set a parameter; several values sweep it\n"
	       "  --cpu auto|LIST    PUs kerf may use (LIST: 1,3-5); single-PU benches run on\n"
	       "                     the first; auto: all allowed, benches on the last PU\n"
	       "  --out DIR          write DIR/run.json (default results/<UTC time>-<host>/)\n"
	       "  --tmpdir DIR       scratch files of benches (default $TMPDIR or /tmp)\n"
	       "  --procs N          worker processes per result (overrides the profile)\n"
	       "  --samples N        samples per worker process (overrides the profile)\n"
	       "  --seed N           bootstrap seed (default: random, recorded)\n"
	       "  --report           also write the HTML report with its plots into DIR\n"
	       "                     (DIR/index.html; see kerf report)\n"
	       "  --dry-run          print the planned results (bench and parameters), run nothing\n"
	       "  --export LIST      also write exports into DIR, LIST of " KERF_EXPORT_FORMATS
	       "\n"
	       "                     (DIR/run.gbench.json, DIR/run.bmf.json, DIR/run.csv)\n"
	       "  --quiet            print the table at the end only; otherwise, where stdout\n"
	       "                     is not a terminal, a line when each family starts and\n"
	       "                     each result's row as it completes\n"
	       "\n"
	       "Exit status: 0 every bench ran (or skipped), 1 a bench failed, 2 bad usage.\n");
}

static int run_count(const char *opt, const char *s, int lo, int hi, int *out)
{
	int64_t v;

	if (kerf_parse_int(s, &v) || v < lo || v > hi)
		return kerf_usage_error("run",
					"%s: '%s' is not an integer in %d..%d",
					opt, s, lo, hi);
	*out = (int)v;
	return 0;
}

/* --export and --report: files beside run.json. Returns 0 or -1. */
static int run_extras(const struct run_opts *o, json_t *run)
{
	static const char *const ext[] = { "gbench", "run.gbench.json",
					   "bmf",    "run.bmf.json",
					   "csv",    "run.csv" };
	char path[PATH_MAX], err[1024];
	int bad = 0;

	for (int k = 0; k < o->nexports; k++) {
		const char *name = "run.export";

		for (int e = 0; e < 6; e += 2)
			if (!strcmp(o->exports[k], ext[e]))
				name = ext[e + 1];
		snprintf(path, sizeof(path), "%s/%s", o->run.out, name);
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

/* -p NAME=V1,V2: one more parameter set. */
static int run_set(char *arg, struct runner_opts *r)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return kerf_usage_error(
			"run", "-p '%s': expected NAME=VALUE or NAME=V1,V2,...",
			arg);
	if (r->nsets >= 64)
		return kerf_usage_error("run",
					"too many -p options (64 at most)");
	*eq = 0;
	r->sets[r->nsets].name = arg;
	r->sets[r->nsets++].values = eq + 1;
	return 0;
}

/* --export LIST: the formats, each checked. */
static int run_exports(char *list, struct run_opts *o)
{
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "gbench") && strcmp(t, "bmf") && strcmp(t, "csv"))
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
		{ "quick", no_argument, NULL, 'q' },
		{ "full", no_argument, NULL, 'F' },
		{ "param", required_argument, NULL, 'p' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'P' },
		{ "samples", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "report", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "export", required_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, v = 0;

	o->run.profile = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:o:", lopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->run.profile = 0;
			break;
		case 'F':
			o->run.profile = 2;
			break;
		case 'p':
			if (run_set(optarg, &o->run))
				return KERF_EXIT_USAGE;
			break;
		case 'c':
			o->run.cpu = optarg;
			break;
		case 'o':
			if (!*optarg)
				return kerf_usage_error(
					"run",
					"--out: the directory name is empty");
			o->run.out = optarg;
			break;
		case 't':
			o->run.tmpdir = optarg;
			break;
		case 'P':
			if (run_count("--procs", optarg, 1, 1000, &v))
				return KERF_EXIT_USAGE;
			o->run.procs = v;
			break;
		case 'S':
			if (run_count("--samples", optarg, 1, 100000, &v))
				return KERF_EXIT_USAGE;
			o->run.samples = v;
			break;
		case 's': {
			int64_t sd;

			if (kerf_parse_int(optarg, &sd) || sd < 0)
				return kerf_usage_error(
					"run",
					"--seed: '%s' is not a non-negative integer",
					optarg);
			o->run.seed = (uint64_t)sd;
			o->run.have_seed = true;
			break;
		}
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
			return kerf_usage_error("run", "see kerf run --help");
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

/* Patterns and -p options into jobs; --dry-run prints them. */
static int run_plan(struct runner_opts *r, json_t *jobs)
{
	bool *selected = calloc((size_t)kerf_nbenches + 1, sizeof(bool));
	int rc = KERF_EXIT_USAGE;

	if (plan_select(r->patterns, r->npat, selected) ||
	    plan_check_sets(r->sets, r->nsets, selected) ||
	    plan_expand(selected, r->sets, r->nsets, r->profile, jobs))
		goto out;
	if (!json_array_size(jobs)) {
		kerf_usage_error("run", "nothing to run");
		goto out;
	}
	rc = 0;
out:
	free(selected);
	return rc;
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
	rc = run_plan(&o.run, jobs);
	if (rc)
		goto out;
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
