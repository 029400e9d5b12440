/* SPDX-License-Identifier: MIT */
/*
 * kerf ab: the two arms checked and prepared, each round's items measured
 * in random order with the arm switched before each, the restore command,
 * then the gate on DIR/a and DIR/b.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab.h"
#include "cli.h"
#include "kerf/env.h"
#include "kerf/gate.h"
#include "kerf/outfile.h"
#include "kerf/result.h"

/* Two arms under way. */
struct ab {
	struct ab_opts *o;
	struct runner rn[2];
	json_t *jobs;
	int current; /* the arm the last setup command set, -1: none yet */
	bool entered[2];
	char out[PATH_MAX - 64], dir[2][PATH_MAX];
};

/* The option that gave arm k, for messages. */
static const char *ab_flag(const struct ab_opts *o, int k)
{
	static const char *const f[4][2] = { { "", "" },
					     { "--a-param", "--b-param" },
					     { "--a-setup", "--b-setup" },
					     { "--a-kerf", "--b-kerf" } };

	return f[o->mode][k];
}

/*
 * CMD through /bin/sh -c, its output on stderr (stdout may carry JSON).
 * A signal to kerf waits for it. Returns 0 when it exited with status 0.
 */
static int ab_sh(const char *what, const char *cmd)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		fprintf(stderr, "kerf ab: %s: fork: %s\n", what,
			strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return 0;
	fprintf(stderr, "kerf ab: %s '%s' failed (%s %d)\n", what, cmd,
		WIFEXITED(st) ? "exit status" : "signal",
		WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

/* --restore, when given. Returns 0 or -1 (said). */
static int ab_restore(const struct ab *ab)
{
	if (!ab->o->restore)
		return 0;
	return ab_sh("--restore", ab->o->restore);
}

/*
 * --a-param/--b-param NAME=V: one name, a single value each, taken by at
 * least one selected bench and checked by each; NAME leaves the jobs'
 * parameters (so the arms' results pair) and goes to arm_params.
 */
static int ab_param(struct ab *ab, json_t **params, json_t **arm)
{
	const struct ab_opts *o = ab->o;
	char name[2][256], canon[256] = "", msg[512], text[512];
	const char *val[2];
	size_t i;
	json_t *job;

	for (int k = 0; k < 2; k++) {
		const char *eq = strchr(o->arm[k], '=');

		if (!eq || eq == o->arm[k] || !eq[1] || strchr(eq, ',') ||
		    (size_t)(eq - o->arm[k]) >= sizeof(name[k]))
			return kerf_usage_error(
				"ab", "%s '%s': expected NAME=VALUE, one value",
				ab_flag(o, k), o->arm[k]);
		snprintf(name[k], sizeof(name[k]), "%.*s",
			 (int)(eq - o->arm[k]), o->arm[k]);
		val[k] = eq + 1;
	}
	if (strcmp(name[0], name[1]))
		return kerf_usage_error(
			"ab",
			"--a-param '%s' and --b-param '%s' set different parameters",
			o->arm[0], o->arm[1]);
	for (int s = 0; s < o->run.nsets; s++)
		if (!strcmp(o->run.sets[s].name, name[0]))
			return kerf_usage_error(
				"ab",
				"-p %s: the parameter the arms switch cannot also be set",
				name[0]);
	for (int k = 0; k < 2; k++) {
		bool taken = false;

		json_array_foreach(ab->jobs, i, job)
		{
			const struct kerf_param *p = kerf_param_find(
				kerf_bench_find(json_string_value(
					json_object_get(job, "bench"))),
				name[k]);

			if (!p)
				continue;
			if (kerf_param_check(p, val[k], canon, sizeof(canon),
					     msg, sizeof(msg)))
				return kerf_usage_error("ab", "%s '%s': %s",
							ab_flag(o, k),
							o->arm[k], msg);
			taken = true;
		}
		if (!taken)
			return kerf_usage_error(
				"ab",
				"%s '%s': none of the selected benches takes '%s' (see kerf list)",
				ab_flag(o, k), o->arm[k], name[k]);
		params[k] = json_pack("{s:s}", name[k], canon);
		snprintf(text, sizeof(text), "%s=%s", name[k], canon);
		json_object_set_new(arm[k], "param", json_string(text));
	}
	json_array_foreach(ab->jobs, i, job)
		json_object_del(json_object_get(job, "params"), name[0]);
	return 0;
}

/* --a-kerf/--b-kerf PATH: an executable whose --version says "kerf ". */
static int ab_kerf(const char *flag, const char *path, json_t *arm)
{
	char ver[256] = "";
	int fds[2], st;
	ssize_t n = 0;
	pid_t pid;

	if (access(path, X_OK))
		return kerf_usage_error(
			"ab",
			"%s '%s': %s (the path of a kerf binary is needed)",
			flag, path, strerror(errno));
	if (pipe(fds))
		return kerf_usage_error("ab", "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(path, "kerf", "--version", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0)
		n = read(fds[0], ver, sizeof(ver) - 1);
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	ver[n > 0 ? n : 0] = 0;
	ver[strcspn(ver, "\n")] = 0;
	if (strncmp(ver, "kerf ", 5))
		return kerf_usage_error(
			"ab",
			"%s '%s': not a kerf binary (its --version did not say \"kerf ...\")",
			flag, path);
	json_object_set_new(arm, "kerf", json_string(path));
	json_object_set_new(arm, "version", json_string(ver));
	return 0;
}

/* Each arm's config.arm and parameter; checks per mode. */
static int ab_arms(struct ab *ab, json_t **params, json_t **arm)
{
	const struct ab_opts *o = ab->o;

	for (int k = 0; k < 2; k++)
		arm[k] = json_pack("{s:s}", "name", k ? "b" : "a");
	if (o->mode == AB_PARAM)
		return ab_param(ab, params, arm);
	for (int k = 0; k < 2; k++) {
		if (o->mode == AB_KERF &&
		    ab_kerf(ab_flag(o, k), o->arm[k], arm[k]))
			return KERF_EXIT_USAGE;
		if (o->mode != AB_SETUP)
			continue;
		json_object_set_new(arm[k], "setup", json_string(o->arm[k]));
		if (o->restore)
			json_object_set_new(arm[k], "restore",
					    json_string(o->restore));
	}
	return 0;
}

/*
 * Before each item of arm k: its setup command when the system is set
 * for the other arm; the arm's environment captured once it is in place.
 */
static int ab_enter(void *ctx, int k)
{
	struct ab *ab = ctx;

	if (ab->o->mode != AB_SETUP || ab->current == k)
		return 0;
	if (ab_sh(ab_flag(ab->o, k), ab->o->arm[k]))
		return KERF_EXIT_USAGE;
	ab->current = k;
	if (!ab->entered[k]) {
		json_object_set_new(ab->rn[k].run, "env", kerf_env_capture());
		ab->entered[k] = true;
	}
	return 0;
}

/*
 * The verdict of the two arms, BASE a and NEW b, from the gate's engine:
 * paired by round, since both arms carry config.arm and the same rounds.
 * DIR/compare.json (kerf.compare/2) written whole, the table printed.
 * Returns kerf compare's exit status.
 */
static int ab_compare(const char *dir, const struct ab_opts *o)
{
	char pa[PATH_MAX], pb[PATH_MAX], dst[PATH_MAX];
	struct kerf_gate_run a, b;
	struct kerf_gate_cmp c = { 0 };
	struct kerf_gate_opts g;
	struct kerf_outfile out;
	int rc = KERF_EXIT_USAGE;

	if (strlen(dir) > PATH_MAX - 64)
		return kerf_usage_error("ab", "--out: the path is too long");
	kerf_gate_opts_init(&g);
	if (o->threshold >= 0) {
		g.threshold = o->threshold;
		g.threshold_set = true;
	}
	if (o->alpha > 0)
		g.alpha = o->alpha;
	/* The arms may differ in what ab switched (a sysctl, THP). */
	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++)
		g.allow[i] = true;
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pb, sizeof(pb), "%s/b", dir);
	snprintf(dst, sizeof(dst), "%s/compare.json", dir);
	if (kerf_gate_load(pa, &a))
		goto out_opts;
	if (kerf_gate_load(pb, &b))
		goto out_a;
	if (kerf_gate_compare(&a, 1, &b, 1, &g, &c))
		goto out_b;
	if (kerf_out_open(&out, dst)) {
		fprintf(stderr, "kerf ab: cannot write %s: %s\n", dst,
			strerror(errno));
		goto out_c;
	}
	kerf_gate_print(out.f, KERF_GATE_JSON, &c, 1, &g);
	if (kerf_out_close(&out, true)) {
		fprintf(stderr, "kerf ab: cannot write %s\n", dst);
		goto out_c;
	}
	kerf_gate_print(stdout,
			o->fmt == 2 ? KERF_GATE_JSON :
			o->fmt == 1 ? KERF_GATE_MD :
				      KERF_GATE_TEXT,
			&c, 1, &g);
	fflush(stdout);
	rc = kerf_gate_exit(&c, 1, &g);
out_c:
	kerf_gate_cmp_free(&c);
out_b:
	kerf_gate_run_free(&b);
out_a:
	kerf_gate_run_free(&a);
out_opts:
	kerf_gate_opts_free(&g);
	return rc;
}

/* Both arms' run.json made (one seed); setups probed first. */
static int ab_prepare(struct ab *ab, json_t **params, json_t **arm, int argc,
		      char **argv)
{
	struct ab_opts *o = ab->o;
	struct runner_opts ro[2];

	if (o->mode == AB_SETUP) {
		/* A command that fails says so before anything is written. */
		if (ab_sh("--a-setup", o->arm[0]) ||
		    ab_sh("--b-setup", o->arm[1])) {
			ab_restore(ab);
			return KERF_EXIT_USAGE;
		}
		ab->current = 1;
	}
	for (int k = 0; k < 2; k++) {
		int rc;

		ro[k] = o->run;
		ro[k].out = ab->dir[k];
		ro[k].arm = arm[k];
		ro[k].arm_params = params[k];
		ro[k].self = o->mode == AB_KERF ? o->arm[k] : NULL;
		if (k) {
			ro[1].seed = ro[0].seed;
			ro[1].have_seed = true;
		}
		rc = runner_prepare(&ab->rn[k], &ro[k], argc, argv);
		if (rc) {
			ab_restore(ab);
			return rc;
		}
	}
	return 0;
}

int ab_main(struct ab_opts *o, int argc, char **argv)
{
	struct ab ab = { .o = o, .current = -1 };
	struct runner_arms arms = { .rn = { &ab.rn[0], &ab.rn[1] },
				    .n = 2,
				    .enter = ab_enter,
				    .ctx = &ab };
	json_t *params[2] = { 0 }, *arm[2] = { 0 };
	int rc = KERF_EXIT_USAGE, rrc;

	ab.jobs = json_array();
	if (plan_jobs("ab", o->run.patterns, o->run.npat, o->run.sets,
		      o->run.nsets, o->run.profile, ab.jobs) ||
	    ab_arms(&ab, params, arm))
		goto out;
	if (o->out && strlen(o->out) >= sizeof(ab.out)) {
		rc = kerf_usage_error("ab", "--out: the path is too long");
		goto out;
	}
	if (o->out)
		snprintf(ab.out, sizeof(ab.out), "%s", o->out);
	else
		kerf_default_out(ab.out, sizeof(ab.out));
	snprintf(ab.dir[0], sizeof(ab.dir[0]), "%s/a", ab.out);
	snprintf(ab.dir[1], sizeof(ab.dir[1]), "%s/b", ab.out);
	/* From here SIGINT and SIGTERM stop the rounds; restore still runs. */
	job_catch_signals();
	rc = ab_prepare(&ab, params, arm, argc, argv);
	if (rc)
		goto out;
	rc = runner_rounds(&arms, ab.jobs);
	rrc = ab_restore(&ab);
	runner_close(&ab.rn[0]);
	runner_close(&ab.rn[1]);
	if (job_interrupted())
		rc = 128 + job_interrupted();
	else if (!rc)
		rc = ab_compare(ab.out, o);
	if (rrc)
		rc = KERF_EXIT_USAGE;
	if (o->fmt != 2 && !job_interrupted())
		printf("runs: %s/a/run.json %s/b/run.json\nverdict: %s/compare.json\n",
		       ab.out, ab.out, ab.out);
out:
	runner_free(&ab.rn[0]);
	runner_free(&ab.rn[1]);
	for (int k = 0; k < 2; k++) {
		json_decref(params[k]);
		json_decref(arm[k]);
	}
	json_decref(ab.jobs);
	return rc;
}
