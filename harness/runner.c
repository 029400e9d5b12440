/* SPDX-License-Identifier: MIT */
/*
 * The core of kerf run: prepare run.json from checked options, run the plan
 * job by job, then the families' derived figures, the last write, the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"
#include "kerf/env.h"
#include "kerf/parse.h"
#include "kerf/result.h"
#include "kerf/stats.h"
#include "kerf/topo.h"

#define RUNNER_MAX_PUS 4096

/* An integer option in lo..hi into *out. */
static int runner_count(const char *cmd, const char *opt, const char *s, int lo,
			int hi, int *out)
{
	int64_t v;

	if (kerf_parse_int(s, &v) || v < lo || v > hi)
		return kerf_usage_error(cmd,
					"%s: '%s' is not an integer in %d..%d",
					opt, s, lo, hi);
	*out = (int)v;
	return 0;
}

/* -p NAME=V1,V2: one more parameter set. */
static int runner_set(const char *cmd, char *arg, struct runner_opts *r)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || kerf_parse_list(eq + 1))
		return kerf_usage_error(
			cmd,
			"-p '%s': expected NAME=VALUE or NAME=V1,V2,... (no empty value)",
			arg);
	if (r->nsets >= 64)
		return kerf_usage_error(cmd,
					"too many -p options (64 at most)");
	*eq = 0;
	r->sets[r->nsets].name = arg;
	r->sets[r->nsets++].values = eq + 1;
	return 0;
}

int runner_opt(const char *cmd, int c, char *arg, struct runner_opts *o)
{
	int64_t sd;

	switch (c) {
	case 'q':
	case 'F':
		o->profile = c == 'q' ? 0 : 2;
		return 0;
	case 'p':
		return runner_set(cmd, arg, o);
	case 'c':
		o->cpu = arg;
		return 0;
	case 't':
		o->tmpdir = arg;
		return 0;
	case 'P':
		return runner_count(cmd, "--procs", arg, 1, 1000, &o->procs);
	case 'S':
		return runner_count(cmd, "--samples", arg, 1, 100000,
				    &o->samples);
	case 'r':
		return runner_count(cmd, "--rounds", arg, 1, 1000, &o->rounds);
	case 's':
		if (kerf_parse_int(arg, &sd) || sd < 0)
			return kerf_usage_error(
				cmd,
				"--seed: '%s' is not a non-negative integer",
				arg);
		o->seed = (uint64_t)sd;
		o->have_seed = true;
		return 0;
	}
	return kerf_usage_error(cmd, "see kerf %s --help", cmd);
}

/* One "a" or "a-b" of --cpu into pus, each checked against the allowed. */
static int runner_cpu_range(const char *s, const char *t, const int *allowed,
			    int nallowed, int *pus, int *n)
{
	char *dash = strchr(t, '-');
	int64_t a, b;

	if (dash)
		*dash = 0;
	if (kerf_parse_int(t, &a) || (dash && kerf_parse_int(dash + 1, &b)) ||
	    a < 0)
		return kerf_usage_error(
			"run",
			"--cpu: '%s' is not 'auto' or a list of PU numbers such as 1,3-5",
			s);
	if (!dash)
		b = a;
	for (int64_t c = a; c <= b; c++) {
		bool ok = false;

		for (int i = 0; i < nallowed; i++)
			ok |= allowed[i] == c;
		if (!ok)
			return kerf_usage_error(
				"run",
				"--cpu: PU %lld is not one kerf may run on (see kerf env: topology)",
				(long long)c);
		if (*n < RUNNER_MAX_PUS)
			pus[(*n)++] = (int)c;
	}
	return 0;
}

/* "1,3-5" into PUs, each checked against the allowed ones. */
static int runner_parse_cpus(const char *s, const int *allowed, int nallowed,
			     int *pus, int *npus)
{
	char *dup = strdup(s), *save = NULL, *t;
	int n = 0, err = 0;

	for (t = strtok_r(dup, ",", &save); t && !err;
	     t = strtok_r(NULL, ",", &save))
		err = runner_cpu_range(s, t, allowed, nallowed, pus, &n);
	free(dup);
	if (!err && !n)
		err = kerf_usage_error("run", "--cpu: '%s' names no PU", s);
	*npus = n;
	return err;
}

/* The PUs of the run: rn->allowed, and rn->cpu for single-PU benches. */
static int runner_pus(struct runner *rn, const char *cpu)
{
	int allowed[RUNNER_MAX_PUS], nallowed, pus[RUNNER_MAX_PUS], npus;

	if (kerf_topo_init())
		fprintf(stderr,
			"kerf run: hwloc could not load the topology; PUs from the affinity mask\n");
	nallowed = kerf_topo_pus(allowed, RUNNER_MAX_PUS);
	if (nallowed <= 0) {
		allowed[0] = 0;
		nallowed = 1;
	}
	if (cpu && strcmp(cpu, "auto")) {
		if (runner_parse_cpus(cpu, allowed, nallowed, pus, &npus))
			return KERF_EXIT_USAGE;
	} else {
		/* auto: everything allowed, single-PU benches on the last PU. */
		npus = nallowed;
		for (int k = 0; k < nallowed; k++)
			pus[k] = allowed[nallowed - 1 - k];
	}
	rn->cpu = pus[0];
	rn->allowed = json_array();
	for (int k = 0; k < npus; k++)
		json_array_append_new(rn->allowed, json_integer(pus[k]));
	return 0;
}

/* Scratch and output directories, the kerf binary, the seed. */
static int runner_paths(struct runner *rn, struct runner_opts *o)
{
	ssize_t sl;

	if (!o->tmpdir)
		o->tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ?
				    getenv("TMPDIR") :
				    "/tmp";
	if (access(o->tmpdir, W_OK | X_OK))
		return kerf_usage_error(
			"run",
			"--tmpdir '%s': %s (a writable directory is needed)",
			o->tmpdir, strerror(errno));
	if (!o->out) {
		kerf_default_out(rn->outbuf, sizeof(rn->outbuf));
		o->out = rn->outbuf;
	}
	sl = readlink("/proc/self/exe", rn->selfbuf, sizeof(rn->selfbuf) - 1);
	if (sl < 0)
		return kerf_usage_error("run",
					"cannot find the kerf binary: %s",
					strerror(errno));
	rn->selfbuf[sl] = 0;
	if (o->self && !realpath(o->self, rn->selfbuf))
		return kerf_usage_error("run", "'%s': %s", o->self,
					strerror(errno));
	if (!o->have_seed &&
	    getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed))
		o->seed = (uint64_t)kerf_now_ns();
	o->seed &= (1ull << 53) - 1;
	rn->self = rn->selfbuf;
	rn->tmpdir = o->tmpdir;
	rn->out = o->out;
	rn->seed = o->seed;
	return 0;
}

/* run.json before the first result: command, env and config. */
static json_t *runner_doc(const struct runner *rn, const struct runner_opts *o,
			  int argc, char **argv)
{
	json_t *run = kerf_run_new(), *a, *env, *cfg;

	a = json_array();
	for (int k = 0; k < argc; k++)
		json_array_append_new(a, json_string(argv[k]));
	json_array_insert_new(a, 0, json_string("kerf"));
	json_object_set_new(run, "command", a);
	env = kerf_env_capture();
	a = kerf_env_warnings(env);
	json_array_extend(json_object_get(run, "warnings"), a);
	json_decref(a);
	json_object_set_new(run, "env", env);
	cfg = json_pack(
		"{s:s, s:i, s:i, s:i, s:I, s:I, s:i, s:O, s:[], s:{}, s:I, s:s}",
		"profile", rn->prof->name, "procs", rn->procs, "samples",
		rn->samples, "rounds", rn->rounds, "target_ns",
		(json_int_t)rn->prof->target_ns, "warmup_ns",
		(json_int_t)rn->prof->warmup_ns, "cpu", rn->cpu, "cpus_allowed",
		rn->allowed, "patterns", "sets", "seed", (json_int_t)rn->seed,
		"tmpdir", rn->tmpdir);
	for (int k = 0; k < o->npat; k++)
		json_array_append_new(json_object_get(cfg, "patterns"),
				      json_string(o->patterns[k]));
	for (int k = 0; k < o->nsets; k++)
		json_object_set_new(json_object_get(cfg, "sets"),
				    o->sets[k].name,
				    json_string(o->sets[k].values));
	if (o->arm)
		json_object_set(cfg, "arm", o->arm);
	json_object_set_new(run, "config", cfg);
	return run;
}

int runner_prepare(struct runner *rn, struct runner_opts *o, int argc,
		   char **argv)
{
	int rc;

	rc = runner_pus(rn, o->cpu);
	if (!rc)
		rc = runner_paths(rn, o);
	if (rc)
		return rc;
	rn->prof = &kerf_profiles[o->profile];
	rn->rounds = o->rounds > 0 ? o->rounds : 1;
	/* The profile's processes split over the rounds, at least one. */
	rn->procs = o->procs ? o->procs :
			       (rn->prof->procs + rn->rounds - 1) / rn->rounds;
	rn->samples = o->samples ? o->samples : rn->prof->samples;
	rn->arm_params = json_incref(o->arm_params);
	rn->quiet = o->quiet;
	rn->run = runner_doc(rn, o, argc, argv);

	/* Everything checked: now the directory, and a first (empty) file. */
	rc = kerf_mkdir_p(rn->out);
	if (!rc)
		rc = kerf_run_write(rn->run, rn->out);
	if (rc)
		return kerf_usage_error(
			"run", "--out '%s': cannot write run.json there: %s",
			rn->out, strerror(-rc));
	return 0;
}

static void runner_progress(int i, int n, const char *bench,
			    const json_t *params, uint64_t start)
{
	double el = (double)(kerf_now_ns() - start) / 1e9;
	char p[256];

	if (!isatty(STDERR_FILENO))
		return;
	kerf_params_text(params, p, sizeof(p));
	if (i == 0)
		fprintf(stderr, "\r\033[K[%d/%d] %s %s  elapsed %.0fs", i + 1,
			n, bench, p, el);
	else
		fprintf(stderr,
			"\r\033[K[%d/%d] %s %s  elapsed %.0fs, ~%.0fs left",
			i + 1, n, bench, p, el, el / i * (n - i));
	fflush(stderr);
}

/* One (arm, job) of a round. */
struct runner_item {
	int arm, job;
};

/* Round rd's order: Fisher-Yates from the seed and the round. */
static void runner_shuffle(struct runner_item *it, size_t n, uint64_t seed,
			   int rd)
{
	struct kerf_rng g;

	kerf_rng_seed(&g, seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(rd + 1)));
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)kerf_rng_below(&g, i);
		struct runner_item t = it[i - 1];

		it[i - 1] = it[j];
		it[j] = t;
	}
}

/* The arm's results so far, in plan order, into run.json; written. */
static void runner_publish(struct runner *rn, json_t **last, size_t nj)
{
	json_t *res = json_array();
	int rc;

	for (size_t j = 0; j < nj; j++)
		if (last[j])
			json_array_append(res, last[j]);
	json_object_set_new(rn->run, "results", res);
	rc = kerf_run_write(rn->run, rn->out);
	if (rc)
		fprintf(stderr, "\nkerf: cannot rewrite %s/run.json: %s\n",
			rn->out, strerror(-rc));
}

/* config.round_order of the arm: one more round, or one more key in it. */
static void runner_order(struct runner *rn, const json_t *job)
{
	json_t *cfg = json_object_get(rn->run, "config");
	json_t *ro = json_object_get(cfg, "round_order");
	char key[1024];

	if (!ro) {
		ro = json_array();
		json_object_set_new(cfg, "round_order", ro);
	}
	if (!job) {
		json_array_append_new(ro, json_array());
		return;
	}
	kerf_result_key(job, key, sizeof(key));
	json_array_append_new(json_array_get(ro, json_array_size(ro) - 1),
			      json_string(key));
}

/* Measure item it in round rd; its arm's run.json rewritten. */
static int runner_item(struct runner_arms *arms, struct runner_item it,
		       struct job_acc *a, json_t **last, size_t nj, int rd,
		       bool order)
{
	struct runner *rn = arms->rn[it.arm];
	int rc;

	if (job_acc_done(a)) {
		/* Skipped from the start: said once. */
		if (!last[it.job]) {
			last[it.job] = job_result(rn, a, it.job);
			runner_publish(rn, last, nj);
		}
		return 0;
	}
	if (arms->enter && (rc = arms->enter(arms->ctx, it.arm)))
		return rc;
	job_round(rn, a, rd);
	if (job_interrupted())
		return 0;
	json_decref(last[it.job]);
	last[it.job] = job_result(rn, a, it.job);
	if (order)
		runner_order(rn, last[it.job]);
	runner_publish(rn, last, nj);
	return 0;
}

int runner_rounds(struct runner_arms *arms, json_t *jobs)
{
	size_t nj = json_array_size(jobs), n = nj * (size_t)arms->n, k;
	int nr = arms->rn[0]->rounds, rc = 0;
	struct job_acc **acc = calloc(n + 1, sizeof(*acc));
	json_t **last = calloc(n + 1, sizeof(*last));
	struct runner_item *it = calloc(n + 1, sizeof(*it));
	bool order = nr > 1 || arms->n > 1;
	uint64_t start = kerf_now_ns();

	job_catch_signals();
	for (k = 0; k < n; k++)
		acc[k] = job_acc_new(arms->rn[k / nj],
				     json_array_get(jobs, k % nj));
	for (int a = 0; a < arms->n; a++)
		arms->rn[a]->start = start;
	for (int rd = 0; rd < nr && !rc && !job_interrupted(); rd++) {
		for (k = 0; k < n; k++)
			it[k] = (struct runner_item){ (int)(k / nj),
						      (int)(k % nj) };
		if (order)
			runner_shuffle(it, n, arms->rn[0]->seed, rd);
		for (int a = 0; order && a < arms->n; a++)
			runner_order(arms->rn[a], NULL);
		for (k = 0; k < n && !rc && !job_interrupted(); k++) {
			size_t at = (size_t)it[k].arm * nj + (size_t)it[k].job;
			const json_t *job = json_array_get(jobs, it[k].job);

			runner_progress((int)(k + (size_t)rd * n),
					(int)(n * (size_t)nr),
					json_string_value(
						json_object_get(job, "bench")),
					json_object_get(job, "params"), start);
			/* Rows as they come into a log: the plain run's
			 * plan order (progress.c), not shuffled rounds. */
			if (!order)
				kerf_progress_job(arms->rn[0], jobs, k);
			rc = runner_item(arms, it[k], acc[at],
					 last + (size_t)it[k].arm * nj, nj, rd,
					 order);
			if (!order && last[k] && !job_interrupted())
				kerf_progress_result(arms->rn[0], last[k]);
		}
	}
	for (k = 0; k < n; k++) {
		job_acc_free(acc[k]);
		json_decref(last[k]);
	}
	free(acc);
	free(last);
	free(it);
	return rc;
}

void runner_loop(struct runner *rn, json_t *jobs)
{
	struct runner_arms arms = { .rn = { rn }, .n = 1 };

	runner_rounds(&arms, jobs);
}

/*
 * The distinct derive hooks of the benches that have a result, in the
 * order of their first result. Returns how many.
 */
static int runner_hooks(const json_t *run, const struct kerf_derive **hooks)
{
	const json_t *r;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(run, "results"), i, r)
	{
		const struct kerf_bench *b = kerf_bench_find(
			json_string_value(json_object_get(r, "bench")));
		int k;

		if (!b || !b->derive)
			continue;
		for (k = 0; k < n && hooks[k] != b->derive; k++)
			;
		if (k == n && n < kerf_nbenches)
			hooks[n++] = b->derive;
	}
	return n;
}

/* Each family's figures across its results, into run.json's "derived". */
static void runner_derive(struct runner *rn)
{
	const struct kerf_derive **hooks =
		calloc((size_t)kerf_nbenches + 1, sizeof(*hooks));
	int n = runner_hooks(rn->run, hooks);

	/* A failed analysis leaves its figures out; the results stand. */
	for (int k = 0; k < n; k++)
		hooks[k]->derive(rn->run);
	free(hooks);
}

/* Under the table: what the families print of their figures. */
static void runner_print_derived(const struct runner *rn)
{
	const struct kerf_derive **hooks =
		calloc((size_t)kerf_nbenches + 1, sizeof(*hooks));
	int n = runner_hooks(rn->run, hooks);

	for (int k = 0; k < n; k++)
		if (hooks[k]->print)
			hooks[k]->print(rn->run);
	free(hooks);
}

/* The run was stopped by a signal: run.json keeps the finished results. */
static int runner_interrupted(struct runner *rn)
{
	json_object_set_new(rn->run, "interrupted", json_true());
	kerf_run_write(rn->run, rn->out);
	fprintf(stderr,
		"kerf: interrupted; %s/run.json holds the %zu finished results\n",
		rn->out, json_array_size(json_object_get(rn->run, "results")));
	return 128 + job_interrupted();
}

int runner_close(struct runner *rn)
{
	const json_t *r;
	int rc, failed = 0;
	size_t i;

	runner_derive(rn);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	if (job_interrupted())
		return runner_interrupted(rn);
	/* A finished run has "derived", empty when no family derived any. */
	kerf_run_derived(rn->run);
	kerf_run_finish(rn->run);
	rc = kerf_run_write(rn->run, rn->out);
	json_array_foreach(json_object_get(rn->run, "results"), i, r) failed +=
		!strcmp(json_string_value(json_object_get(r, "status")),
			"error");
	return rc || failed ? KERF_EXIT_FAIL : KERF_EXIT_OK;
}

int runner_finish(struct runner *rn)
{
	json_t *warnings = json_object_get(rn->run, "warnings");
	int rc = runner_close(rn);

	if (job_interrupted())
		return rc;
	kerf_print_table(rn->run, stdout);
	runner_print_derived(rn);
	for (size_t i = 0; i < json_array_size(warnings); i++)
		printf("%s %s\n", i ? "        " : "warning:",
		       json_string_value(json_array_get(warnings, i)));
	printf("results: %s/run.json (%.1f s)\n", rn->out,
	       (double)(kerf_now_ns() - rn->start) / 1e9);
	return rc;
}

void runner_free(struct runner *rn)
{
	json_decref(rn->run);
	json_decref(rn->allowed);
	json_decref(rn->arm_params);
}
