/* SPDX-License-Identifier: MIT */
/*
 * One result of a run: its worker processes started and read, their answers
 * merged, the statistics and warnings of the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"
#include "kerf/env.h"
#include "kerf/parse.h"
#include "kerf/result.h"
#include "kerf/stats.h"

#define CV_WARN 0.05
#define STEAL_WARN 1.0
#define PREEMPT_WARN 0.2

static volatile sig_atomic_t interrupted;
static volatile pid_t worker_pid;

static void job_on_signal(int sig)
{
	interrupted = sig;
	if (worker_pid > 0)
		kill(-worker_pid, SIGKILL);
}

void job_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = job_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int job_interrupted(void)
{
	return interrupted;
}

/* Fork and exec one worker given spec; its answer comes on *rfd. */
static pid_t job_start_worker(const char *self, json_t *spec, int *rfd,
			      char *msg, size_t msglen)
{
	char *text = json_dumps(spec, JSON_COMPACT);
	int fds[2], err;
	pid_t pid, parent;

	if (!text || pipe2(fds, O_CLOEXEC)) {
		free(text);
		snprintf(msg, msglen, "cannot start a worker: %s",
			 strerror(errno));
		return -errno;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		err = -errno;
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(text);
		return err;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		/* A killed runner takes its worker along, even one that
		 * died before the prctl (the worker then has a new parent). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(fds[1], 3);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execl(self, "kerf", "__worker", text, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	worker_pid = pid;
	close(fds[1]);
	free(text);
	*rfd = fds[0];
	return pid;
}

/* Read the answer until the worker closes it, the deadline or a signal. */
static int job_read_answer(int fd, uint64_t deadline, uint64_t timeout_ns,
			   char **bufp, size_t *lenp, char *msg, size_t msglen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int err = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = kerf_now_ns();
		int left = now >= deadline ? 0 :
					     (int)((deadline - now) / 1000000);
		ssize_t r;

		if (interrupted)
			break;
		if (poll(&pfd, 1, left > 1000 ? 1000 : left) < 0 &&
		    errno != EINTR)
			break;
		if (interrupted)
			break;
		if (kerf_now_ns() >= deadline) {
			char t[32];

			kerf_fmt_time(timeout_ns, t, sizeof(t));
			snprintf(msg, msglen,
				 "timed out after %s; worker killed", t);
			err = -ETIMEDOUT;
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	*bufp = buf;
	*lenp = len;
	return err;
}

/* The worker's JSON answer in *out, or why there is none. */
static int job_parse_answer(int status, char *buf, size_t len, json_t **out,
			    char *msg, size_t msglen)
{
	json_error_t je;

	if (interrupted) {
		snprintf(msg, msglen, "interrupted by signal %d",
			 (int)interrupted);
		return -EINTR;
	}
	if (WIFSIGNALED(status) && len == 0) {
		snprintf(msg, msglen, "worker died of signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return -ECHILD;
	}
	*out = json_loadb(buf ? buf : "", len, 0, &je);
	if (!*out) {
		snprintf(msg, msglen,
			 "worker exited with status %d and no valid answer",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EPROTO;
	}
	return 0;
}

/* Run one worker; its JSON answer in *out. Returns 0 or -errno with msg. */
static int job_spawn_worker(const char *self, json_t *spec, uint64_t timeout_ns,
			    json_t **out, char *msg, size_t msglen)
{
	uint64_t deadline = kerf_now_ns() + timeout_ns;
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, status, err;
	pid_t pid;

	*out = NULL;
	pid = job_start_worker(self, spec, &fd, msg, msglen);
	if (pid < 0)
		return pid;
	err = job_read_answer(fd, deadline, timeout_ns, &buf, &len, msg,
			      msglen);
	close(fd);
	/* The worker's process group goes: strays of a bench must not live on. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	worker_pid = 0;
	if (interrupted || !err)
		err = job_parse_answer(status, buf, len, out, msg, msglen);
	free(buf);
	return err;
}

/* Merge one worker's metrics: name -> {value: median, unit, per_proc}. */
static void job_merge_metrics(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v)
	{
		json_t *m = json_object_get(dst, k);

		if (!m) {
			m = json_pack("{s:O, s:[]}", "unit",
				      json_object_get(v, "unit"), "per_proc");
			json_object_set_new(dst, k, m);
		}
		json_array_append(json_object_get(m, "per_proc"),
				  json_object_get(v, "value"));
	}
}

static void job_finish_metrics(json_t *metrics)
{
	const char *k;
	json_t *m;

	json_object_foreach(metrics, k, m)
	{
		json_t *pp = json_object_get(m, "per_proc"), *v;
		double *x = calloc(json_array_size(pp) + 1, sizeof(double));
		size_t i, n = 0;

		json_array_foreach(pp, i, v) if (json_is_number(v) &&
						 isfinite(json_number_value(v)))
			x[n++] = json_number_value(v);
		if (n)
			json_object_set_new(m, "value",
					    json_real(kerf_median(x, n)));
		free(x);
	}
}

static void job_union_into(json_t *dst, json_t *src)
{
	size_t i, j;
	json_t *v, *w;

	json_array_foreach(src, i, v)
	{
		bool dup = false;

		json_array_foreach(dst, j, w) dup |= json_equal(v, w);
		if (!dup)
			json_array_append(dst, v);
	}
}

/* Timed results: how many samples another task interrupted. */
static void job_note_preempted(json_t *r, json_t *preempted, json_t *warnings)
{
	size_t i, hit = 0, n = json_array_size(preempted);
	json_t *v;

	json_array_foreach(preempted, i, v) hit += json_integer_value(v) > 0;
	json_object_set_new(r, "sample_preempted", json_copy(preempted));
	json_object_set_new(r, "preempted_frac",
			    json_real((double)hit / (double)n));
	if ((double)hit > PREEMPT_WARN * (double)n)
		kerf_json_appendf(
			warnings,
			"%zu of %zu samples were preempted (another task ran on the PU)",
			hit, n);
}

/* What the workers of one result hand back, gathered over the rounds. */
struct job_acc {
	const struct kerf_bench *b;
	json_t *job; /* {bench, params}: params without an arm's parameter */
	json_t *samples, *procs, *rounds, *preempted;
	json_t *metrics, *info, *warnings, *cpus, *overhead, *linearity;
	int nprocs, nsamples; /* per round */
	int wnext; /* the next worker's number: unique across rounds */
	uint64_t iters; /* from the first worker, kept for every round */
	uint64_t steal, total; /* /proc/stat ticks of the bench's PU */
	double elapsed;
	const char *status;
	char reason[1024];
};

/* Worker w's instructions: the job's parameters and the arm's. */
static json_t *job_spec(const struct runner *rn, const struct job_acc *a, int w)
{
	json_t *params = json_deep_copy(json_object_get(a->job, "params"));
	const char *k;
	json_t *v;

	/* The arm's parameter, where the bench takes it. */
	json_object_foreach(rn->arm_params, k, v)
	{
		if (kerf_param_find(a->b, k))
			json_object_set(params, k, v);
	}
	return json_pack(
		"{s:s, s:o, s:i, s:O, s:i, s:s, s:I, s:i, s:I, s:I, s:I, s:b}",
		"bench", a->b->name, "params", params, "cpu", rn->cpu,
		"allowed", rn->allowed, "profile", rn->prof->id, "tmpdir",
		rn->tmpdir, "iters", (json_int_t)a->iters, "samples",
		a->nsamples, "target_ns", (json_int_t)rn->prof->target_ns,
		"warmup_ns", (json_int_t)rn->prof->warmup_ns, "budget_ns",
		(json_int_t)rn->prof->budget_ns, "linearity", w == 0);
}

/* Take worker w's ok answer of round rd into a. */
static void job_take(struct job_acc *a, json_t *out, int w, int rd)
{
	size_t i;
	json_t *v;

	if (w == 0) {
		a->iters = (uint64_t)json_integer_value(
			json_object_get(out, "iterations"));
		a->overhead = json_incref(json_object_get(out, "overhead"));
		a->linearity = json_incref(json_object_get(out, "linearity"));
	}
	json_array_foreach(json_object_get(out, "samples"), i, v)
	{
		json_array_append(a->samples, v);
		json_array_append_new(a->procs, json_integer(w));
		json_array_append_new(a->rounds, json_integer(rd));
	}
	json_array_extend(a->preempted, json_object_get(out, "preempted"));
	job_merge_metrics(a->metrics, json_object_get(out, "metrics"));
	json_object_update_missing(a->info, json_object_get(out, "info"));
	job_union_into(a->warnings, json_object_get(out, "warnings"));
	job_union_into(a->cpus, json_object_get(out, "cpus"));
}

/* The worker processes of one result in round rd, one after the other. */
static void job_workers(const struct runner *rn, struct job_acc *a, int rd)
{
	for (int k = 0; k < a->nprocs; k++) {
		int w = a->wnext++, err;
		json_t *spec, *out = NULL;
		const char *ws;

		spec = job_spec(rn, a, w);
		err = job_spawn_worker(rn->self, spec, rn->prof->timeout_ns,
				       &out, a->reason, sizeof(a->reason));
		json_decref(spec);
		if (err) {
			a->status = "error";
			break;
		}
		ws = json_string_value(json_object_get(out, "status"));
		if (!ws || strcmp(ws, "ok")) {
			a->status = ws && !strcmp(ws, "skip") ? "skip" :
								"error";
			snprintf(
				a->reason, sizeof(a->reason), "%s",
				json_string_value(json_object_get(out, "reason")) ?:
					"no reason given");
			json_decref(out);
			break;
		}
		job_take(a, out, w, rd);
		json_decref(out);
		if (interrupted)
			break;
	}
}

/* The median of each round's samples, null for a round without any. */
static json_t *job_round_medians(const json_t *samples, const json_t *rounds,
				 int nrounds, double *sd_log)
{
	size_t n = json_array_size(samples), i;
	double *x = calloc(n + 1, sizeof(double));
	double *lm = calloc((size_t)nrounds + 1, sizeof(double));
	json_t *meds = json_array();
	int nl = 0;

	for (int rd = 0; rd < nrounds; rd++) {
		size_t m = 0;
		double med;

		for (i = 0; i < n; i++)
			if (json_integer_value(json_array_get(rounds, i)) == rd)
				x[m++] = json_number_value(
					json_array_get(samples, i));
		med = m ? kerf_median(x, m) : NAN;
		json_array_append_new(meds, isfinite(med) ? json_real(med) :
							    json_null());
		if (isfinite(med) && med > 0)
			lm[nl++] = log(med);
	}
	*sd_log = NAN;
	if (nl >= 2) {
		double mean = 0, ss = 0;

		for (int k = 0; k < nl; k++)
			mean += lm[k] / nl;
		for (int k = 0; k < nl; k++)
			ss += (lm[k] - mean) * (lm[k] - mean);
		*sd_log = sqrt(ss / (nl - 1));
	}
	free(x);
	free(lm);
	return meds;
}

/* An ok result: its samples, statistics and the warnings they call for. */
static void job_stats(const struct runner *rn, json_t *r,
		      const struct job_acc *a, json_t *warnings, int index)
{
	size_t n = json_array_size(a->samples), i;
	double *x = calloc(n + 1, sizeof(double)), sd_log;
	int *g = calloc(n + 1, sizeof(int));
	struct kerf_stats st;
	json_t *v;

	json_array_foreach(a->samples, i, v)
	{
		x[i] = json_number_value(v);
		g[i] = (int)json_integer_value(json_array_get(a->procs, i));
	}
	json_object_set_new(r, "iterations",
			    json_integer(a->b->flags & KERF_F_SAMPLES ?
						 1 :
						 (json_int_t)a->iters));
	json_object_set_new(r, "procs", json_integer(a->wnext));
	/* Copies: the next round appends to the accumulated arrays while
	 * run.json still holds this result. */
	json_object_set_new(r, "samples", json_copy(a->samples));
	json_object_set_new(r, "sample_procs", json_copy(a->procs));
	json_object_set_new(r, "sample_rounds", json_copy(a->rounds));
	json_object_set_new(r, "round_medians",
			    job_round_medians(a->samples, a->rounds, rn->rounds,
					      &sd_log));
	if (json_array_size(a->preempted) == n)
		job_note_preempted(r, a->preempted, warnings);
	if (!kerf_stats_compute(x, g, n, rn->seed + (uint64_t)index,
				KERF_BOOT_REPS, &st)) {
		json_t *sj = kerf_stats_to_json(&st);
		int ng;
		double pcv = kerf_group_median_cv(x, g, n, &ng);

		if (isfinite(pcv))
			json_object_set_new(sj, "proc_cv", json_real(pcv));
		if (isfinite(sd_log))
			json_object_set_new(sj, "round_sd_log",
					    json_real(sd_log));
		json_object_set_new(r, "stats", sj);
		if (st.cv > CV_WARN)
			kerf_json_appendf(
				warnings,
				"high variation: CV %.1f%% (above %.0f%%)",
				st.cv * 100, CV_WARN * 100);
	}
	v = a->linearity;
	if (v && !json_is_true(json_object_get(v, "ok")))
		kerf_json_appendf(
			warnings,
			"not linear: 2n operations took %.2f times as long as n (2 expected)",
			json_number_value(json_object_get(v, "ratio")));
	free(x);
	free(g);
}

/* CPU steal on the bench's PU over the rounds so far. */
static void job_steal(const struct runner *rn, json_t *r, json_t *warnings,
		      const struct job_acc *a)
{
	double steal;

	if (!a->total)
		return;
	steal = 100.0 * (double)a->steal / (double)a->total;
	json_object_set_new(r, "steal_pct", json_real(steal));
	if (steal > STEAL_WARN)
		kerf_json_appendf(
			warnings,
			"CPU steal %.1f%% on PU %d during this result (the hypervisor ran something else)",
			steal, rn->cpu);
}

struct job_acc *job_acc_new(const struct runner *rn, const json_t *job)
{
	struct job_acc *a = calloc(1, sizeof(*a));

	a->b = kerf_bench_find(
		json_string_value(json_object_get(job, "bench")));
	a->job = json_deep_copy(job);
	a->samples = json_array();
	a->procs = json_array();
	a->rounds = json_array();
	a->preempted = json_array();
	a->metrics = json_object();
	a->info = json_object();
	a->warnings = json_array();
	a->cpus = json_array();
	a->nprocs = rn->procs;
	a->nsamples = rn->samples;
	a->status = "ok";
	if (a->b->flags & KERF_F_ONEPROC) {
		a->nsamples *= a->nprocs;
		a->nprocs = 1;
	}
	if ((a->b->flags & KERF_F_ROOT) && geteuid() != 0) {
		a->status = "skip";
		snprintf(a->reason, sizeof(a->reason),
			 "needs root (run kerf as root for this bench)");
	}
	return a;
}

bool job_acc_done(const struct job_acc *a)
{
	return strcmp(a->status, "ok") != 0;
}

void job_round(const struct runner *rn, struct job_acc *a, int rd)
{
	uint64_t st0 = 0, tt0 = 0, st1 = 0, tt1 = 0, t0 = kerf_now_ns();

	if (job_acc_done(a))
		return;
	kerf_env_cpu_times(rn->cpu, &st0, &tt0);
	job_workers(rn, a, rd);
	kerf_env_cpu_times(rn->cpu, &st1, &tt1);
	if (tt1 > tt0) {
		a->steal += st1 - st0;
		a->total += tt1 - tt0;
	}
	a->elapsed += (double)(kerf_now_ns() - t0) / 1e9;
}

json_t *job_result(const struct runner *rn, const struct job_acc *a, int index)
{
	json_t *r, *warnings = json_deep_copy(a->warnings);
	json_t *metrics = json_deep_copy(a->metrics);
	json_t *cpus = json_deep_copy(a->cpus);
	bool ok = !strcmp(a->status, "ok");

	r = json_pack(
		"{s:s, s:O, s:s, s:s, s:s}", "bench", a->b->name, "params",
		json_object_get(a->job, "params"), "unit", a->b->unit, "better",
		a->b->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower",
		"status", a->status);
	if (!ok)
		json_object_set_new(r, "reason", json_string(a->reason));
	if (!json_array_size(cpus))
		json_array_append_new(cpus, json_integer(rn->cpu));
	json_object_set_new(r, "cpus", cpus);
	json_object_set_new(r, "mode",
			    json_string(a->b->flags & KERF_F_SAMPLES ?
						"samples" :
						"timed"));
	if (a->overhead)
		json_object_set(r, "overhead", a->overhead);
	if (a->linearity)
		json_object_set(r, "linearity", a->linearity);
	if (ok)
		job_stats(rn, r, a, warnings, index);
	job_finish_metrics(metrics);
	json_object_set_new(r, "metrics", metrics);
	json_object_set_new(r, "info", json_deep_copy(a->info));
	job_steal(rn, r, warnings, a);
	if (a->b->noise_pct > 0)
		json_object_set_new(r, "noise_pct", json_real(a->b->noise_pct));
	json_object_set_new(r, "warnings", warnings);
	json_object_set_new(r, "elapsed_s", json_real(a->elapsed));
	return r;
}

void job_acc_free(struct job_acc *a)
{
	if (!a)
		return;
	json_decref(a->job);
	json_decref(a->samples);
	json_decref(a->procs);
	json_decref(a->rounds);
	json_decref(a->preempted);
	json_decref(a->metrics);
	json_decref(a->info);
	json_decref(a->warnings);
	json_decref(a->cpus);
	json_decref(a->overhead);
	json_decref(a->linearity);
	free(a);
}
