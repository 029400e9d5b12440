/* SPDX-License-Identifier: MIT */
/*
 * kerf run: plan the jobs, run each in fresh worker processes, compute the
 * statistics, rewrite run.json after every job, print the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "plan.h"
#include "kerf/derive.h"
#include "kerf/env.h"
#include "kerf/memlib.h"
#include "kerf/parse.h"
#include "kerf/report.h"
#include "kerf/result.h"
#include "kerf/stats.h"
#include "kerf/topo.h"

#define CV_WARN 0.05
#define STEAL_WARN 1.0
#define PREEMPT_WARN 0.2

static volatile sig_atomic_t interrupted;
static volatile pid_t worker_pid;

static void on_signal(int sig)
{
	interrupted = sig;
	if (worker_pid > 0)
		kill(-worker_pid, SIGKILL);
}

struct run_opts {
	int profile;
	char *patterns[256];
	int npat;
	struct plan_set sets[64];
	int nsets;
	const char *cpu;
	const char *out;
	const char *tmpdir;
	int procs, samples;
	uint64_t seed;
	bool have_seed;
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
	       "                [--export LIST]\n"
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
	       "\n"
	       "Exit status: 0 every bench ran (or skipped), 1 a bench failed, 2 bad usage.\n");
}

static int parse_count(const char *opt, const char *s, int lo, int hi, int *out)
{
	int64_t v;

	if (kerf_parse_int(s, &v) || v < lo || v > hi)
		return kerf_usage_error("run",
					"%s: '%s' is not an integer in %d..%d",
					opt, s, lo, hi);
	*out = (int)v;
	return 0;
}

/* "1,3-5" into PUs, each checked against the allowed ones. */
static int parse_cpus(const char *s, const int *allowed, int nallowed, int *pus,
		      int *npus)
{
	char *dup = strdup(s), *save = NULL, *t;
	int n = 0, err = 0;

	for (t = strtok_r(dup, ",", &save); t && !err;
	     t = strtok_r(NULL, ",", &save)) {
		int64_t a, b;
		char *dash = strchr(t, '-');

		if (dash)
			*dash = 0;
		if (kerf_parse_int(t, &a) ||
		    (dash && kerf_parse_int(dash + 1, &b)) || a < 0) {
			err = kerf_usage_error(
				"run",
				"--cpu: '%s' is not 'auto' or a list of PU numbers such as 1,3-5",
				s);
			break;
		}
		if (!dash)
			b = a;
		for (int64_t c = a; c <= b && !err; c++) {
			bool ok = false;

			for (int i = 0; i < nallowed; i++)
				ok |= allowed[i] == c;
			if (!ok) {
				err = kerf_usage_error(
					"run",
					"--cpu: PU %lld is not one kerf may run on (see kerf env: topology)",
					(long long)c);
				break;
			}
			if (n < 4096)
				pus[n++] = (int)c;
		}
	}
	free(dup);
	if (!err && !n)
		err = kerf_usage_error("run", "--cpu: '%s' names no PU", s);
	*npus = n;
	return err;
}

static void __attribute__((format(printf, 2, 3)))
kerf_warnf(json_t *arr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_string(buf));
}

/* Run one worker; its JSON answer in *out. Returns 0 or -errno with msg. */
static int spawn_worker(const char *self, json_t *spec, uint64_t timeout_ns,
			json_t **out, char *msg, size_t msglen)
{
	char *text = json_dumps(spec, JSON_COMPACT), *buf = NULL;
	size_t len = 0, cap = 0;
	uint64_t deadline = kerf_now_ns() + timeout_ns;
	int fds[2], status, err = 0;
	json_error_t je;
	pid_t pid;

	*out = NULL;
	if (!text || pipe2(fds, O_CLOEXEC)) {
		free(text);
		snprintf(msg, msglen, "cannot start a worker: %s",
			 strerror(errno));
		return -errno;
	}
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
		/* A killed runner takes its worker along. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
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
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
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
		r = read(fds[0], buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	/* The worker's process group goes: strays of a bench must not live on. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	worker_pid = 0;
	if (interrupted) {
		snprintf(msg, msglen, "interrupted by signal %d",
			 (int)interrupted);
		err = -EINTR;
	} else if (!err && WIFSIGNALED(status) && len == 0) {
		snprintf(msg, msglen, "worker died of signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		err = -ECHILD;
	} else if (!err) {
		buf = realloc(buf, len + 1);
		buf[len] = 0;
		*out = json_loadb(buf, len, 0, &je);
		if (!*out) {
			snprintf(
				msg, msglen,
				"worker exited with status %d and no valid answer",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			err = -EPROTO;
		}
	}
	free(buf);
	return err;
}

/* Merge one worker's metrics: name -> {value: median, unit, per_proc}. */
static void merge_metrics(json_t *dst, json_t *src)
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

static void finish_metrics(json_t *metrics)
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

static void union_into(json_t *dst, json_t *src)
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
static void note_preempted(json_t *r, json_t *preempted, json_t *warnings)
{
	size_t i, hit = 0, n = json_array_size(preempted);
	json_t *v;

	json_array_foreach(preempted, i, v) hit += json_integer_value(v) > 0;
	json_object_set(r, "sample_preempted", preempted);
	json_object_set_new(r, "preempted_frac",
			    json_real((double)hit / (double)n));
	if ((double)hit > PREEMPT_WARN * (double)n)
		kerf_warnf(
			warnings,
			"%zu of %zu samples were preempted (another task ran on the PU)",
			hit, n);
}

struct runner {
	const char *self;
	const struct kerf_profile *prof;
	int procs, samples;
	int cpu;
	json_t *allowed;
	const char *tmpdir;
	uint64_t seed;
};

static json_t *run_job(const struct runner *rn, json_t *job, int index)
{
	const struct kerf_bench *b = kerf_bench_find(
		json_string_value(json_object_get(job, "bench")));
	json_t *r, *samples = json_array(), *procs = json_array();
	json_t *metrics = json_object(), *info = json_object();
	json_t *warnings = json_array(), *cpus = json_array();
	json_t *preempted = json_array();
	int nprocs = rn->procs, nsamples = rn->samples;
	uint64_t st0 = 0, tt0 = 0, st1 = 0, tt1 = 0;
	uint64_t t0 = kerf_now_ns(), iters = 0;
	const char *status = "ok";
	char reason[1024] = "";

	r = json_pack("{s:s, s:O, s:s, s:s}", "bench", b->name, "params",
		      json_object_get(job, "params"), "unit", b->unit, "better",
		      b->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower");
	if (b->flags & KERF_F_ONEPROC) {
		nsamples *= nprocs;
		nprocs = 1;
	}
	if ((b->flags & KERF_F_ROOT) && geteuid() != 0) {
		status = "skip";
		snprintf(reason, sizeof(reason),
			 "needs root (run kerf as root for this bench)");
		nprocs = 0;
	}
	kerf_env_cpu_times(rn->cpu, &st0, &tt0);
	for (int w = 0; w < nprocs; w++) {
		json_t *spec, *out = NULL, *s, *v;
		const char *ws;
		size_t i;
		int err;

		spec = json_pack(
			"{s:s, s:O, s:i, s:O, s:i, s:s, s:I, s:i, s:I, s:I, s:I, s:b}",
			"bench", b->name, "params",
			json_object_get(job, "params"), "cpu", rn->cpu,
			"allowed", rn->allowed, "profile", rn->prof->id,
			"tmpdir", rn->tmpdir, "iters", (json_int_t)iters,
			"samples", nsamples, "target_ns",
			(json_int_t)rn->prof->target_ns, "warmup_ns",
			(json_int_t)rn->prof->warmup_ns, "budget_ns",
			(json_int_t)rn->prof->budget_ns, "linearity", w == 0);
		err = spawn_worker(rn->self, spec, rn->prof->timeout_ns, &out,
				   reason, sizeof(reason));
		json_decref(spec);
		if (err) {
			status = "error";
			break;
		}
		ws = json_string_value(json_object_get(out, "status"));
		if (!ws || strcmp(ws, "ok")) {
			status = ws && !strcmp(ws, "skip") ? "skip" : "error";
			snprintf(
				reason, sizeof(reason), "%s",
				json_string_value(json_object_get(out, "reason")) ?:
					"no reason given");
			json_decref(out);
			break;
		}
		if (w == 0) {
			iters = (uint64_t)json_integer_value(
				json_object_get(out, "iterations"));
			if ((v = json_object_get(out, "overhead")))
				json_object_set(r, "overhead", v);
			if ((v = json_object_get(out, "linearity")))
				json_object_set(r, "linearity", v);
		}
		s = json_object_get(out, "samples");
		json_array_foreach(s, i, v)
		{
			json_array_append(samples, v);
			json_array_append_new(procs, json_integer(w));
		}
		json_array_extend(preempted, json_object_get(out, "preempted"));
		merge_metrics(metrics, json_object_get(out, "metrics"));
		json_object_update_missing(info, json_object_get(out, "info"));
		union_into(warnings, json_object_get(out, "warnings"));
		union_into(cpus, json_object_get(out, "cpus"));
		json_decref(out);
		if (interrupted)
			break;
	}
	kerf_env_cpu_times(rn->cpu, &st1, &tt1);

	json_object_set_new(r, "status", json_string(status));
	if (strcmp(status, "ok"))
		json_object_set_new(r, "reason", json_string(reason));
	if (!json_array_size(cpus))
		json_array_append_new(cpus, json_integer(rn->cpu));
	json_object_set_new(r, "cpus", cpus);
	json_object_set_new(r, "mode",
			    json_string(b->flags & KERF_F_SAMPLES ? "samples" :
								    "timed"));
	if (!strcmp(status, "ok")) {
		size_t n = json_array_size(samples), i;
		double *x = calloc(n + 1, sizeof(double));
		int *g = calloc(n + 1, sizeof(int));
		struct kerf_stats st;
		json_t *v;

		json_array_foreach(samples, i, v)
		{
			x[i] = json_number_value(v);
			g[i] = (int)json_integer_value(
				json_array_get(procs, i));
		}
		json_object_set_new(r, "iterations",
				    json_integer(b->flags & KERF_F_SAMPLES ?
							 1 :
							 (json_int_t)iters));
		json_object_set_new(r, "procs", json_integer(nprocs));
		json_object_set(r, "samples", samples);
		json_object_set(r, "sample_procs", procs);
		if (json_array_size(preempted) == n)
			note_preempted(r, preempted, warnings);
		if (!kerf_stats_compute(x, g, n, rn->seed + (uint64_t)index,
					KERF_BOOT_REPS, &st)) {
			json_t *sj = kerf_stats_to_json(&st);
			int ng;
			double pcv = kerf_group_median_cv(x, g, n, &ng);

			if (isfinite(pcv))
				json_object_set_new(sj, "proc_cv",
						    json_real(pcv));
			json_object_set_new(r, "stats", sj);
			if (st.cv > CV_WARN)
				kerf_warnf(
					warnings,
					"high variation: CV %.1f%% (above %.0f%%)",
					st.cv * 100, CV_WARN * 100);
		}
		v = json_object_get(r, "linearity");
		if (v && !json_is_true(json_object_get(v, "ok")))
			kerf_warnf(
				warnings,
				"not linear: 2n operations took %.2f times as long as n (2 expected)",
				json_number_value(json_object_get(v, "ratio")));
		free(x);
		free(g);
	}
	finish_metrics(metrics);
	json_object_set_new(r, "metrics", metrics);
	json_object_set_new(r, "info", info);
	if (tt1 > tt0) {
		double steal =
			100.0 * (double)(st1 - st0) / (double)(tt1 - tt0);

		json_object_set_new(r, "steal_pct", json_real(steal));
		if (steal > STEAL_WARN)
			kerf_warnf(
				warnings,
				"CPU steal %.1f%% on PU %d during this result (the hypervisor ran something else)",
				steal, rn->cpu);
	}
	if (b->noise_pct > 0)
		json_object_set_new(r, "noise_pct", json_real(b->noise_pct));
	json_object_set_new(r, "warnings", warnings);
	json_object_set_new(r, "elapsed_s",
			    json_real((double)(kerf_now_ns() - t0) / 1e9));
	json_decref(samples);
	json_decref(procs);
	json_decref(preempted);
	return r;
}

/* A number with about four significant digits, for the table. */
static void fmt_num(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (a >= 100000)
		snprintf(buf, len, "%.4g", v);
	else if (a >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void params_text(const json_t *params, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t off = 0;

	buf[0] = 0;
	json_object_foreach((json_t *)params, k, v)
	{
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					off ? " " : "", k,
					json_string_value(v));
	}
}

void kerf_print_table(const json_t *run, FILE *f)
{
	const json_t *results = json_object_get(run, "results"), *r;
	int wb = 5, wp = 6;
	size_t i;

	json_array_foreach(results, i, r)
	{
		char p[512];
		int l = (int)strlen(
			json_string_value(json_object_get(r, "bench")));

		params_text(json_object_get(r, "params"), p, sizeof(p));
		wb = l > wb ? l : wb;
		wp = (int)strlen(p) > wp ? (int)strlen(p) : wp;
	}
	wp = wp > 48 ? 48 : wp;
	fprintf(f, "%-*s  %-*s  %10s  %-23s  %6s  %-9s  %s\n", wb, "bench", wp,
		"params", "median", "ci95", "cv%", "unit", "warnings");
	json_array_foreach(results, i, r)
	{
		const json_t *st = json_object_get(r, "stats");
		const char *status =
			json_string_value(json_object_get(r, "status"));
		char p[512], med[32], lo[32], hi[32], ci[80], cv[32];
		const json_t *w = json_object_get(r, "warnings");

		params_text(json_object_get(r, "params"), p, sizeof(p));
		if (strcmp(status, "ok")) {
			fprintf(f, "%-*s  %-*.*s  %10s  %s\n", wb,
				json_string_value(json_object_get(r, "bench")),
				wp, wp, p, status,
				json_string_value(
					json_object_get(r, "reason")));
			continue;
		}
		fmt_num(json_number_value(json_object_get(st, "median")), med,
			sizeof(med));
		fmt_num(json_number_value(
				json_array_get(json_object_get(st, "ci95"), 0)),
			lo, sizeof(lo));
		fmt_num(json_number_value(
				json_array_get(json_object_get(st, "ci95"), 1)),
			hi, sizeof(hi));
		snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
		snprintf(cv, sizeof(cv), "%.1f",
			 json_number_value(json_object_get(st, "cv")) * 100);
		fprintf(f, "%-*s  %-*.*s  %10s  %-23s  %6s  %-9s  ", wb,
			json_string_value(json_object_get(r, "bench")), wp, wp,
			p, med, ci, cv,
			json_string_value(json_object_get(r, "unit")));
		for (size_t k = 0; k < json_array_size(w); k++)
			fprintf(f, "%s%s", k ? "; " : "",
				json_string_value(json_array_get(w, k)));
		fprintf(f, "\n");
	}
}

static void progress(int i, int n, const char *bench, const json_t *params,
		     uint64_t start)
{
	double el = (double)(kerf_now_ns() - start) / 1e9;
	char p[256];

	if (!isatty(STDERR_FILENO))
		return;
	params_text(params, p, sizeof(p));
	if (i == 0)
		fprintf(stderr, "\r\033[K[%d/%d] %s %s  elapsed %.0fs", i + 1,
			n, bench, p, el);
	else
		fprintf(stderr,
			"\r\033[K[%d/%d] %s %s  elapsed %.0fs, ~%.0fs left",
			i + 1, n, bench, p, el, el / i * (n - i));
	fflush(stderr);
}

/* The run's "derived" object: figures computed across results. */
static json_t *derived(json_t *run)
{
	json_t *d = json_object_get(run, "derived");

	if (!d) {
		d = json_object();
		json_object_set_new(run, "derived", d);
	}
	return d;
}

/* --export and --report: files beside run.json. Returns 0 or -1. */
static int write_extras(const struct run_opts *o, json_t *run)
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
		snprintf(path, sizeof(path), "%s/%s", o->out, name);
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
		int rc = kerf_report_write(runs, NULL, 1, o->out, err,
					   sizeof(err));

		if (rc < 0) {
			fprintf(stderr, "kerf run: --report: %s\n", err);
			bad = -1;
		} else {
			printf("report:  %s/index.html%s\n", o->out,
			       rc == 1 ? " (tables only: no plots, see above)" :
					 "");
		}
	}
	return bad;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, v = 0;

	o->profile = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:o:", lopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->profile = 0;
			break;
		case 'F':
			o->profile = 2;
			break;
		case 'p': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || !eq[1])
				return kerf_usage_error(
					"run",
					"-p '%s': expected NAME=VALUE or NAME=V1,V2,...",
					optarg);
			if (o->nsets >= 64)
				return kerf_usage_error(
					"run",
					"too many -p options (64 at most)");
			*eq = 0;
			o->sets[o->nsets].name = optarg;
			o->sets[o->nsets++].values = eq + 1;
			break;
		}
		case 'c':
			o->cpu = optarg;
			break;
		case 'o':
			if (!*optarg)
				return kerf_usage_error(
					"run",
					"--out: the directory name is empty");
			o->out = optarg;
			break;
		case 't':
			o->tmpdir = optarg;
			break;
		case 'P':
			if (parse_count("--procs", optarg, 1, 1000, &v))
				return KERF_EXIT_USAGE;
			o->procs = v;
			break;
		case 'S':
			if (parse_count("--samples", optarg, 1, 100000, &v))
				return KERF_EXIT_USAGE;
			o->samples = v;
			break;
		case 's': {
			int64_t sd;

			if (kerf_parse_int(optarg, &sd) || sd < 0)
				return kerf_usage_error(
					"run",
					"--seed: '%s' is not a non-negative integer",
					optarg);
			o->seed = (uint64_t)sd;
			o->have_seed = true;
			break;
		}
		case 'R':
			o->report = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'E': {
			char *save = NULL;

			for (char *t = strtok_r(optarg, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				if (strcmp(t, "gbench") && strcmp(t, "bmf") &&
				    strcmp(t, "csv"))
					return kerf_usage_error(
						"run",
						"--export: '%s' is not a format; accepted: a comma list of " KERF_EXPORT_FORMATS,
						t);
				if (o->nexports < 8)
					o->exports[o->nexports++] = t;
			}
			break;
		}
		case 'h':
			run_help();
			return -1;
		default:
			return kerf_usage_error("run", "see kerf run --help");
		}
	}
	for (int i = optind; i < argc; i++) {
		if (o->npat >= 256)
			return kerf_usage_error(
				"run", "too many patterns (256 at most)");
		o->patterns[o->npat++] = argv[i];
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct runner rn = { 0 };
	char self[PATH_MAX], outbuf[PATH_MAX], msg[1024];
	bool *selected = calloc((size_t)kerf_nbenches + 1, sizeof(bool));
	int allowed[4096], nallowed, pus[4096], npus, rc, failed = 0;
	json_t *jobs = json_array(), *run = NULL, *cfg, *env, *a, *job, *ratios;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start;
	ssize_t sl;
	size_t i;

	rc = parse_opts(argc, argv, &o);
	if (rc) {
		rc = rc < 0 ? KERF_EXIT_OK : KERF_EXIT_USAGE;
		goto out;
	}
	rc = KERF_EXIT_USAGE;
	if (plan_select(o.patterns, o.npat, selected) ||
	    plan_check_sets(o.sets, o.nsets, selected) ||
	    plan_expand(selected, o.sets, o.nsets, o.profile, jobs))
		goto out;
	if (!json_array_size(jobs)) {
		kerf_usage_error("run", "nothing to run");
		goto out;
	}
	if (o.dry_run) {
		char p[512];

		json_array_foreach(jobs, i, job)
		{
			params_text(json_object_get(job, "params"), p,
				    sizeof(p));
			printf("%s %s\n",
			       json_string_value(json_object_get(job, "bench")),
			       p);
		}
		printf("%zu results planned (profile %s)\n",
		       json_array_size(jobs), kerf_profiles[o.profile].name);
		rc = KERF_EXIT_OK;
		goto out;
	}

	if (kerf_topo_init())
		fprintf(stderr,
			"kerf run: hwloc could not load the topology; PUs from the affinity mask\n");
	nallowed = kerf_topo_pus(allowed, 4096);
	if (nallowed <= 0) {
		allowed[0] = 0;
		nallowed = 1;
	}
	if (o.cpu && strcmp(o.cpu, "auto")) {
		if (parse_cpus(o.cpu, allowed, nallowed, pus, &npus))
			goto out;
	} else {
		/* auto: everything allowed, single-PU benches on the last PU. */
		npus = nallowed;
		for (int k = 0; k < nallowed; k++)
			pus[k] = allowed[nallowed - 1 - k];
	}
	if (!o.tmpdir)
		o.tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ?
				   getenv("TMPDIR") :
				   "/tmp";
	if (access(o.tmpdir, W_OK | X_OK)) {
		kerf_usage_error(
			"run",
			"--tmpdir '%s': %s (a writable directory is needed)",
			o.tmpdir, strerror(errno));
		goto out;
	}
	if (!o.out) {
		kerf_default_out(outbuf, sizeof(outbuf));
		o.out = outbuf;
	}
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl < 0) {
		kerf_usage_error("run", "cannot find the kerf binary: %s",
				 strerror(errno));
		goto out;
	}
	self[sl] = 0;
	if (!o.have_seed &&
	    getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (uint64_t)kerf_now_ns();
	o.seed &= (1ull << 53) - 1;

	rn.self = self;
	rn.prof = &kerf_profiles[o.profile];
	rn.procs = o.procs ? o.procs : rn.prof->procs;
	rn.samples = o.samples ? o.samples : rn.prof->samples;
	rn.cpu = pus[0];
	rn.allowed = json_array();
	for (int k = 0; k < npus; k++)
		json_array_append_new(rn.allowed, json_integer(pus[k]));
	rn.tmpdir = o.tmpdir;
	rn.seed = o.seed;

	run = kerf_run_new();
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
		"{s:s, s:i, s:i, s:I, s:I, s:i, s:O, s:[], s:{}, s:I, s:s}",
		"profile", rn.prof->name, "procs", rn.procs, "samples",
		rn.samples, "target_ns", (json_int_t)rn.prof->target_ns,
		"warmup_ns", (json_int_t)rn.prof->warmup_ns, "cpu", rn.cpu,
		"cpus_allowed", rn.allowed, "patterns", "sets", "seed",
		(json_int_t)o.seed, "tmpdir", o.tmpdir);
	for (int k = 0; k < o.npat; k++)
		json_array_append_new(json_object_get(cfg, "patterns"),
				      json_string(o.patterns[k]));
	for (int k = 0; k < o.nsets; k++)
		json_object_set_new(json_object_get(cfg, "sets"),
				    o.sets[k].name,
				    json_string(o.sets[k].values));
	json_object_set_new(run, "config", cfg);

	/* Everything checked: now the directory, and a first (empty) file. */
	rc = kerf_mkdir_p(o.out);
	if (!rc)
		rc = kerf_run_write(run, o.out);
	if (rc) {
		rc = kerf_usage_error(
			"run", "--out '%s': cannot write run.json there: %s",
			o.out, strerror(-rc));
		goto out;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = kerf_now_ns();
	json_array_foreach(jobs, i, job)
	{
		json_t *r;

		progress((int)i, (int)json_array_size(jobs),
			 json_string_value(json_object_get(job, "bench")),
			 json_object_get(job, "params"), start);
		r = run_job(&rn, job, (int)i);
		if (interrupted) {
			json_decref(r);
			break;
		}
		if (!strcmp(json_string_value(json_object_get(r, "status")),
			    "error"))
			failed++;
		json_array_append_new(json_object_get(run, "results"), r);
		rc = kerf_run_write(run, o.out);
		if (rc)
			fprintf(stderr,
				"\nkerf run: cannot rewrite %s/run.json: %s\n",
				o.out, strerror(-rc));
	}
	/* Knees of tlb/chase sweeps, beside the CPU's TLB and cache sizes. */
	kerf_tlb_derive(run);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	if (interrupted) {
		json_object_set_new(run, "interrupted", json_true());
		kerf_run_write(run, o.out);
		fprintf(stderr,
			"kerf run: interrupted; %s/run.json holds the %zu finished results\n",
			o.out,
			json_array_size(json_object_get(run, "results")));
		rc = 128 + interrupted;
		goto out;
	}
	/* Fork cost against the parent's RSS: slope per GiB and intercept. */
	kerf_derive_linear(run, "spawn/fork", "rss", "fork_rss_slope",
			   1073741824.0, "ns/op per GiB");
	ratios = kerf_vdso_ratios(run);
	if (json_array_size(ratios))
		json_object_set_new(derived(run), "vdso", json_incref(ratios));
	kerf_run_finish(run);
	rc = kerf_run_write(run, o.out);
	kerf_print_table(run, stdout);
	kerf_print_vdso_ratios(ratios, stdout);
	json_decref(ratios);
	for (i = 0; i < json_array_size(json_object_get(run, "warnings")); i++)
		printf("%s %s\n", i ? "        " : "warning:",
		       json_string_value(json_array_get(
			       json_object_get(run, "warnings"), i)));
	snprintf(msg, sizeof(msg), "%s/run.json", o.out);
	printf("results: %s (%.1f s)\n", msg,
	       (double)(kerf_now_ns() - start) / 1e9);
	if (write_extras(&o, run))
		failed++;
	rc = rc || failed ? KERF_EXIT_FAIL : KERF_EXIT_OK;
out:
	json_decref(run);
	json_decref(jobs);
	json_decref(rn.allowed);
	free(selected);
	return rc;
}
