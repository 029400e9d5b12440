/* SPDX-License-Identifier: MIT */
/* `kerf stress`: options, --list, --cleanup; the run is in stress_run.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cli.h"
#include "fit.h"
#include "harness.h"
#include "kerf/cgroup.h"
#include "kerf/parse.h"
#include "kerf/report.h"
#include "kerf/result.h"
#include "stress_run.h"

#define MAXSETS 16

struct stress_opts {
	const char *name;
	const char *sets[MAXSETS];
	int nsets;
	struct kerf_stress_cfg cfg;
	const char *out;
	bool report;
};

static const struct kerf_param *find_param(const struct kerf_stressor *s,
					   const char *name)
{
	const struct kerf_param *p;

	for (p = s->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kerf stress NAME [-p NAME=V...] [--limit SIZE] [--duration T]\n"
		"                   [--sample-ms N] [--out DIR] [--report]\n"
		"       kerf stress --list | --cleanup | --help\n"
		"       kerf stress fit [--max SIZE] [--slowdown PCT] [--runs N] [--out DIR]\n"
		"                       -- CMD [ARGS...]   (see kerf stress fit --help)\n"
		"\n"
		"Provoke a kernel limit inside a cgroup kerf creates for the run (kerf\n"
		"stays outside it) and record what the kernel did, as a timeline, in\n"
		"DIR/run.json (see results/README.md, \"Stressor results\").\n"
		"\n"
		"  -p NAME=V          a stressor parameter (see --list)\n"
		"  --limit SIZE       memory.max of the run's cgroup (default 128M;\n"
		"                     16M up to the host's memory)\n"
		"  --duration T       how long workers run at most (default 5s, 100ms..10m)\n"
		"  --sample-ms N      timeline interval (default 10, 1..1000)\n"
		"  --out DIR          write DIR/run.json (default results/<UTC time>-<host>/)\n"
		"  --report           also write the HTML report (timeline plot) into DIR\n"
		"  --tmpdir DIR       scratch files of memory/pagecache (default: a\n"
		"                     non-tmpfs directory among $TMPDIR, /var/tmp, /tmp)\n"
		"  --list             the stressors, their parameters and expected outcomes\n"
		"  --cleanup          undo what a killed kerf left: cgroups, files, its\n"
		"                     swap file, THP settings (put back as found)\n"
		"\n"
		"exit status: 0 every outcome as expected, 1 an outcome differed or a\n"
		"run failed, 2 bad input or no writable cgroup.\n");
}

static void list_stressors(void)
{
	const struct kerf_param *p;
	char range[256];
	int i;

	for (i = 0; i < kerf_nstressors; i++) {
		const struct kerf_stressor *s = kerf_stressors[i];

		printf("%-18s %s\n", s->name, s->summary);
		printf("%-18s expected: %s\n", "", s->expected);
		for (p = s->params; p && p->name; p++) {
			kerf_param_range(p, range, sizeof(range));
			printf("%-18s   %s=%s (%s) %s\n", "", p->name, p->def,
			       range, p->help);
		}
	}
}

static void log_leftover(const char *path)
{
	fprintf(stderr, "kerf stress: removed leftover %s\n", path);
}

/* Check every -p against the stressor, fill params with canonical values. */
static int check_sets(const struct kerf_stressor *s,
		      const struct stress_opts *o, json_t *params)
{
	const struct kerf_param *p;
	char canon[256], err[512], name[64];
	int i;

	for (p = s->params; p && p->name; p++) {
		if (kerf_param_check(p, p->def, canon, sizeof(canon), err,
				     sizeof(err)))
			return kerf_usage_error("stress", "%s (default): %s",
						s->name, err);
		json_object_set_new(params, p->name, json_string(canon));
	}
	for (i = 0; i < o->nsets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		size_t n = eq ? (size_t)(eq - o->sets[i]) : 0;

		if (!eq || !n || n >= sizeof(name))
			return kerf_usage_error("stress",
						"-p '%s': expected NAME=VALUE",
						o->sets[i]);
		memcpy(name, o->sets[i], n);
		name[n] = '\0';
		p = find_param(s, name);
		if (!p)
			return kerf_usage_error(
				"stress",
				"%s has no parameter '%s' (see kerf stress --list)",
				s->name, name);
		if (kerf_param_check(p, eq + 1, canon, sizeof(canon), err,
				     sizeof(err)))
			return kerf_usage_error("stress", "%s", err);
		json_object_set_new(params, p->name, json_string(canon));
	}
	return 0;
}

/* --limit, --duration or --sample-ms (option c) into o; 0 or a usage error. */
static int parse_number(int c, const char *arg, struct stress_opts *o)
{
	struct kerf_stress_cfg *cfg = &o->cfg;
	struct sysinfo si;
	uint64_t host = 0;
	int64_t ms;

	switch (c) {
	case 'l':
		if (!sysinfo(&si))
			host = (uint64_t)si.totalram * si.mem_unit;
		if (kerf_parse_size(arg, &cfg->limit) ||
		    cfg->limit < (16ull << 20))
			return kerf_usage_error(
				"stress",
				"--limit '%s': expected a size of at least 16M, such as 64M or 1G",
				arg);
		if (host && cfg->limit > host)
			return kerf_usage_error(
				"stress",
				"--limit '%s' is larger than this host's memory (%llu MiB)",
				arg, (unsigned long long)(host >> 20));
		return 0;
	case 'd':
		if (kerf_parse_time(arg, &cfg->duration_ns) ||
		    cfg->duration_ns < 100000000ull ||
		    cfg->duration_ns > 600000000000ull)
			return kerf_usage_error(
				"stress",
				"--duration '%s': expected a time from 100ms to 10m, such as 5s",
				arg);
		return 0;
	default:
		if (kerf_parse_int(arg, &ms) || ms < 1 || ms > 1000)
			return kerf_usage_error(
				"stress",
				"--sample-ms '%s': expected an integer from 1 to 1000",
				arg);
		cfg->sample_ns = (uint64_t)ms * 1000000ull;
		return 0;
	}
}

static int parse_opts(int argc, char **argv, struct stress_opts *o, bool *list,
		      bool *cleanup)
{
	static const struct option lopts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'd' },
		{ "sample-ms", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "report", no_argument, NULL, 'R' },
		{ "list", no_argument, NULL, 'L' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	o->cfg.limit = 128ull << 20;
	o->cfg.duration_ns = 5000000000ull;
	o->cfg.sample_ns = 10000000ull;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o->nsets >= MAXSETS)
				return kerf_usage_error("stress",
							"at most %d -p options",
							MAXSETS);
			o->sets[o->nsets++] = optarg;
			break;
		case 'l':
		case 'd':
		case 's':
			err = parse_number(c, optarg, o);
			if (err)
				return err;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'R':
			o->report = true;
			break;
		case 't':
			o->cfg.tmpdir = optarg;
			break;
		case 'L':
			*list = true;
			break;
		case 'C':
			*cleanup = true;
			break;
		case 'h':
			usage(stdout);
			exit(KERF_EXIT_OK);
		default:
			usage(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	if (*list || *cleanup) {
		if (optind != argc)
			return kerf_usage_error(
				"stress",
				"--list and --cleanup take no stressor name");
		return 0;
	}
	if (optind != argc - 1)
		return kerf_usage_error(
			"stress",
			"expected one stressor NAME (kerf stress --list shows them)");
	o->name = argv[optind];
	return 0;
}

static void print_summary(json_t *res)
{
	json_t *o = json_object_get(res, "outcome");
	const char *status = json_string_value(json_object_get(res, "status"));

	printf("%s: %s", json_string_value(json_object_get(res, "bench")),
	       status);
	if (json_object_get(res, "reason"))
		printf(": %s",
		       json_string_value(json_object_get(res, "reason")));
	if (o)
		printf(", %s: %s",
		       json_is_true(json_object_get(o, "as_expected")) ?
			       "as expected" :
			       "NOT as expected",
		       json_string_value(json_object_get(o, "observed")));
	printf("\n");
}

/* An unknown stressor name: say so, and which names are near it. */
static int unknown_stressor(const char *name)
{
	int i;

	kerf_usage_error("stress", "unknown stressor '%s'", name);
	for (i = 0; i < kerf_nstressors; i++)
		if (kerf_levenshtein(name, kerf_stressors[i]->name) <= 3 ||
		    strstr(kerf_stressors[i]->name, name))
			fprintf(stderr, "  did you mean %s?\n",
				kerf_stressors[i]->name);
	return KERF_EXIT_USAGE;
}

/* DIR/run.json, and with --report DIR/index.html; 0 or KERF_EXIT_FAIL. */
static int write_out(json_t *run, const struct stress_opts *o)
{
	json_t *runs[1] = { run };
	char msg[1024];
	int err;

	err = kerf_run_write(run, o->out);
	if (err) {
		fprintf(stderr, "kerf stress: cannot write %s/run.json: %s\n",
			o->out, strerror(-err));
		return KERF_EXIT_FAIL;
	}
	printf("%s/run.json\n", o->out);
	if (!o->report)
		return 0;
	err = kerf_report_write(runs, NULL, 1, o->out, msg, sizeof(msg));
	if (err < 0) {
		fprintf(stderr, "kerf stress: --report: %s\n", msg);
		return KERF_EXIT_FAIL;
	}
	printf("%s/index.html\n", o->out);
	return 0;
}

int cmd_stress(int argc, char **argv)
{
	bool made_out;
	struct stress_opts o = { 0 };
	const struct kerf_stressor *s;
	bool list = false, cleanup = false;
	json_t *run, *params, *res;
	char outbuf[4096];
	int rc, n;

	if (argc > 1 && !strcmp(argv[1], "fit"))
		return kerf_stress_fit(argc - 1, argv + 1);
	rc = parse_opts(argc, argv, &o, &list, &cleanup);
	if (rc)
		return rc;
	if (list) {
		list_stressors();
		return KERF_EXIT_OK;
	}
	if (cleanup) {
		n = kerf_cg_cleanup_leftovers(log_leftover);
		printf("kerf stress: %d leftover%s removed\n", n < 0 ? 0 : n,
		       n == 1 ? "" : "s");
		return n < 0 ? KERF_EXIT_FAIL : KERF_EXIT_OK;
	}
	s = kerf_stressor_find(o.name);
	if (!s)
		return unknown_stressor(o.name);
	params = json_object();
	rc = check_sets(s, &o, params);
	if (rc) {
		json_decref(params);
		return rc;
	}

	/* The output directory is checked before anything runs. */
	if (!o.out) {
		kerf_default_out(outbuf, sizeof(outbuf));
		o.out = outbuf;
	}
	made_out = access(o.out, F_OK) != 0;
	rc = kerf_mkdir_p(o.out);
	if (rc) {
		json_decref(params);
		return kerf_usage_error("stress",
					"--out '%s': cannot write there: %s",
					o.out, strerror(-rc));
	}

	kerf_stress_signals();
	kerf_cg_cleanup_leftovers(log_leftover);
	rc = KERF_EXIT_OK;
	res = kerf_stress_run(s, &o.cfg, params, &rc);
	json_decref(params);
	if (!res) {
		/* Refused before it started: no empty --out left behind. */
		if (made_out)
			rmdir(o.out);
		return rc;
	}
	print_summary(res);
	run = kerf_stress_run_json(res, &o.cfg, argc, argv);
	if (write_out(run, &o)) {
		rc = KERF_EXIT_FAIL;
		if (made_out)
			rmdir(o.out); /* only when it is empty */
	}
	json_decref(run);
	kerf_stress_reraise();
	return rc;
}
