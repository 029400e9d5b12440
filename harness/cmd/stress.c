/* SPDX-License-Identifier: MIT */
/* `kerf stress`: run a stressor in its own cgroup, sample a timeline, clean up. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "kerf/cgroup.h"
#include "kerf/env.h"
#include "kerf/parse.h"
#include "kerf/report.h"
#include "kerf/result.h"
#include "kerf/stress.h"

#define KERF_STRESSOR(sym) extern const struct kerf_stressor sym;
#include "../stressors/list.h"
#undef KERF_STRESSOR

#define KERF_STRESSOR(sym) &sym,
const struct kerf_stressor *const kerf_stressors[] = {
#include "../stressors/list.h"
	NULL
};
#undef KERF_STRESSOR

const int kerf_nstressors =
	(int)(sizeof(kerf_stressors) / sizeof(kerf_stressors[0])) - 1;

#define MAXSETS 16
#define TAIL_SAMPLES 5 /* samples kept after the last worker died */
#define GRACE_NS 2000000000ull /* past --duration before workers are killed */

struct stress_opts {
	const char *name;
	const char *sets[MAXSETS];
	int nsets;
	uint64_t limit; /* 0: the stressor's default */
	uint64_t duration_ns;
	uint64_t sample_ns;
	const char *out;
	const char *tmpdir;
	bool report;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void on_child(int sig)
{
	(void)sig;
}

static const struct kerf_stressor *find_stressor(const char *name)
{
	for (int i = 0; i < kerf_nstressors; i++)
		if (!strcmp(kerf_stressors[i]->name, name))
			return kerf_stressors[i];
	return NULL;
}

static const struct kerf_param *find_param(const struct kerf_stressor *s,
					   const char *name)
{
	const struct kerf_param *p;

	for (p = s->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* What a worker runs, handed through the spawn. */
struct spawn_arg {
	struct kerf_stress *st;
	int (*fn)(struct kerf_stress *st, int idx);
	int idx;
};

/* Runs in the worker: name it for top, then the stressor's loop. */
static int trampoline(void *a)
{
	struct spawn_arg *arg = a;
	char name[16];

	snprintf(name, sizeof(name), "kerf-w%d", arg->idx);
	prctl(PR_SET_NAME, name);
	return arg->fn(arg->st, arg->idx);
}

pid_t kerf_stress_spawn(struct kerf_stress *st, const char *role,
			int (*fn)(struct kerf_stress *st, int idx), int idx)
{
	struct spawn_arg arg = { st, fn, idx };
	struct kerf_worker *w;
	pid_t pid;

	if (st->nworkers >= KERF_STRESS_MAXW)
		return -ENOSPC;
	pid = kerf_cg_spawn(&st->cg, trampoline, &arg);
	if (pid < 0)
		return pid;
	w = &st->w[st->nworkers++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->oom_score = -1;
	snprintf(w->role, sizeof(w->role), "%s", role);
	return pid;
}

bool kerf_stress_expired(const struct kerf_stress *st)
{
	return kerf_now_ns() >= st->t0_ns + st->duration_ns;
}

int kerf_stress_skip(struct kerf_stress *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
	return KERF_SKIP;
}

int kerf_stress_fail(struct kerf_stress *st, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EIO;
}

void kerf_stress_col(struct kerf_stress *st, const char *name, double v)
{
	json_t *a = json_object_get(st->timeline, name);

	if (!a) {
		a = json_array();
		json_object_set_new(st->timeline, name, a);
	}
	if (v == floor(v) && fabs(v) < 9e15)
		json_array_append_new(a, json_integer((json_int_t)v));
	else
		json_array_append_new(a, json_real(v));
}

void kerf_stress_figure(struct kerf_stress *st, const char *name, double v)
{
	if (isfinite(v))
		json_object_set_new(st->figures, name, json_real(v));
}

void kerf_stress_info(struct kerf_stress *st, const char *key, const char *fmt,
		      ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(st->info, key, json_string(buf));
}

void kerf_stress_observed(struct kerf_stress *st, bool as_expected,
			  const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(st->outcome, "observed", json_string(buf));
	json_object_set_new(st->outcome, "as_expected",
			    json_boolean(as_expected));
}

void kerf_stress_pace(uint64_t *next, uint64_t period_ns)
{
	struct timespec ts;

	*next += period_ns;
	ts.tv_sec = (time_t)(*next / 1000000000ull);
	ts.tv_nsec = (long)(*next % 1000000000ull);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* Collect exited workers (and anything else of ours) without blocking. */
static void reap(struct kerf_stress *st)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < st->nworkers; i++) {
			struct kerf_worker *w = &st->w[i];

			if (w->pid != pid)
				continue;
			w->exited = true;
			w->status = status;
			w->t_exit_ns = kerf_now_ns() - st->t0_ns;
			w->by_kerf = st->stopping;
			if (WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL && !w->by_kerf) {
				if (!st->nkilled++)
					st->t_first_kill_ns = w->t_exit_ns;
			}
		}
	}
}

static int nalive(const struct kerf_stress *st)
{
	int i, n = 0;

	for (i = 0; i < st->nworkers; i++)
		n += !st->w[i].exited;
	return n;
}

/* oom_score, oom_score_adj and VmRSS of the live workers, into w[]. */
static void read_scores(const struct kerf_stress *st, struct kerf_worker *w)
{
	char path[64], buf[4096];
	long long v;
	int i;
	FILE *f;

	for (i = 0; i < st->nworkers; i++) {
		w[i] = st->w[i];
		if (w[i].exited)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/oom_score",
			 (int)w[i].pid);
		f = fopen(path, "re");
		if (f && fscanf(f, "%lld", &v) == 1)
			w[i].oom_score = v;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj",
			 (int)w[i].pid);
		f = fopen(path, "re");
		if (f && fscanf(f, "%lld", &v) == 1)
			w[i].oom_adj = v;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/status", (int)w[i].pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "VmRSS:", 6))
				w[i].rss = strtoull(buf + 6, NULL, 10) * 1024;
		fclose(f);
	}
}

/*
 * Scores as they were before the kernel chose a victim: taken each sample,
 * kept only when no OOM kill happened before or while they were read (a
 * dying task reads 0).
 */
static void track_scores(struct kerf_stress *st, uint64_t oom_kill0)
{
	struct kerf_worker w[KERF_STRESS_MAXW];
	struct kerf_cg_mem m;

	if (st->oom_seen || st->nkilled)
		return;
	read_scores(st, w);
	if (st->s->memory) {
		if (kerf_cg_mem_read(&st->cg, &m))
			return;
		if (m.ev_oom_kill != KERF_CG_NA && m.ev_oom_kill > oom_kill0) {
			st->oom_seen = true;
			return;
		}
	}
	reap(st);
	for (int i = 0; i < st->nworkers; i++)
		if (!st->w[i].exited) {
			st->w[i].oom_score = w[i].oom_score;
			st->w[i].oom_adj = w[i].oom_adj;
			st->w[i].rss = w[i].rss;
		}
}

static void col_na(struct kerf_stress *st, const char *name, uint64_t v)
{
	if (v != KERF_CG_NA)
		kerf_stress_col(st, name, (double)v);
}

static void sample_memory(struct kerf_stress *st, uint64_t t_ns,
			  struct kerf_cg_mem *m)
{
	kerf_stress_col(st, "t_ms", (double)t_ns / 1e6);
	if (kerf_cg_mem_read(&st->cg, m))
		return;
	col_na(st, "usage", m->usage);
	col_na(st, "anon", m->anon);
	col_na(st, "file", m->file);
	col_na(st, "shmem", m->shmem);
	col_na(st, "limit", m->limit);
	col_na(st, "pgscan", m->pgscan);
	col_na(st, "pgsteal", m->pgsteal);
	if (m->psi_ok) {
		kerf_stress_col(st, "pressure_some_avg10", m->psi_avg10);
		kerf_stress_col(st, "pressure_some_total_us",
				(double)m->psi_total_us);
	}
	col_na(st, "events_high", m->ev_high);
	col_na(st, "events_max", m->ev_max);
	col_na(st, "events_oom", m->ev_oom);
	col_na(st, "events_oom_kill", m->ev_oom_kill);
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGKILL:
		return "SIGKILL";
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "signal";
	}
}

static void describe_exits(struct kerf_stress *st)
{
	json_t *exits = json_array(), *killed = json_array();
	char buf[64];
	int i;

	for (i = 0; i < st->nworkers; i++) {
		struct kerf_worker *w = &st->w[i];
		json_t *e;

		if (!w->exited)
			snprintf(buf, sizeof(buf), "not reaped");
		else if (WIFSIGNALED(w->status))
			snprintf(buf, sizeof(buf), "killed by %s (%d)%s",
				 signame(WTERMSIG(w->status)),
				 WTERMSIG(w->status),
				 w->by_kerf ? " at kerf's cleanup" : "");
		else
			snprintf(buf, sizeof(buf), "exit %d",
				 WEXITSTATUS(w->status));
		e = json_pack("{s:i, s:s, s:s, s:f}", "pid", (int)w->pid,
			      "role", w->role, "status", buf, "t_s",
			      (double)w->t_exit_ns / 1e9);
		if (w->oom_score >= 0) {
			json_object_set_new(e, "oom_score_before",
					    json_integer(w->oom_score));
			json_object_set_new(e, "oom_score_adj",
					    json_integer(w->oom_adj));
			json_object_set_new(e, "rss_before",
					    json_integer((json_int_t)w->rss));
		}
		json_array_append_new(exits, e);
		if (w->exited && WIFSIGNALED(w->status) &&
		    WTERMSIG(w->status) == SIGKILL && !w->by_kerf)
			json_array_append_new(killed,
					      json_pack("{s:i, s:s}", "pid",
							(int)w->pid, "role",
							w->role));
	}
	json_object_set_new(st->outcome, "exits", exits);
	json_object_set_new(st->outcome, "killed", killed);
	json_object_set_new(st->outcome, "kerf_alive", json_true());
}

static double col_at(json_t *tl, const char *name, size_t i)
{
	json_t *a = json_object_get(tl, name);

	if (!a || i >= json_array_size(a))
		return NAN;
	return json_number_value(json_array_get(a, i));
}

static double col_delta(json_t *tl, const char *name)
{
	json_t *a = json_object_get(tl, name);
	size_t n = json_array_size(a);

	if (!a || !n)
		return NAN;
	return json_number_value(json_array_get(a, n - 1)) -
	       json_number_value(json_array_get(a, 0));
}

/* Figures every memory run has, from the timeline and the exits. */
static void memory_figures(struct kerf_stress *st)
{
	json_t *tl = st->timeline, *ev = json_object();
	size_t i, n = json_array_size(json_object_get(tl, "t_ms"));
	double peak = 0, t_limit = NAN, max0 = col_at(tl, "events_max", 0);
	static const char *const evs[] = { "high", "max", "oom", "oom_kill" };
	char key[32];

	for (i = 0; i < n; i++) {
		double u = col_at(tl, "usage", i);

		if (u > peak)
			peak = u;
		if (isnan(t_limit) && (u >= 0.97 * (double)st->limit ||
				       col_at(tl, "events_max", i) > max0))
			t_limit = col_at(tl, "t_ms", i) / 1e3;
	}
	kerf_stress_figure(st, "limit", (double)st->limit);
	kerf_stress_figure(st, "peak_usage", peak);
	kerf_stress_figure(st, "peak_ratio", peak / (double)st->limit);
	if (n)
		kerf_stress_figure(st, "usage_at_end",
				   col_at(tl, "usage", n - 1));
	kerf_stress_figure(st, "time_to_limit_s", t_limit);
	kerf_stress_figure(st, "kills", st->nkilled);
	if (st->nkilled) {
		double tk = (double)st->t_first_kill_ns / 1e9;

		kerf_stress_figure(st, "time_to_kill_s", tk);
		if (!isnan(t_limit))
			kerf_stress_figure(st, "limit_to_kill_s", tk - t_limit);
	}
	kerf_stress_figure(st, "pressure_some_us",
			   col_delta(tl, "pressure_some_total_us"));
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "events_%s", evs[i]);
		if (json_object_get(tl, key))
			json_object_set_new(
				ev, evs[i],
				json_integer((json_int_t)col_delta(tl, key)));
	}
	json_object_set_new(st->outcome, "events_delta", ev);
}

static int map_shared(struct kerf_stress *st)
{
	st->shared = mmap(NULL, KERF_STRESS_SHARED, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->shared == MAP_FAILED) {
		st->shared = NULL;
		return -errno;
	}
	/* Touched here, so the pages are charged to kerf, not to the run. */
	memset(st->shared, 0, KERF_STRESS_SHARED);
	return 0;
}

/* Kill every worker (in the cgroup or not) and reap them, bounded. */
static void stop_workers(struct kerf_stress *st)
{
	uint64_t end = kerf_now_ns() + 3000000000ull;
	struct timespec ts = { 0, 1000000 };
	int i;

	reap(st);
	st->stopping = true;
	kerf_cg_kill(&st->cg);
	for (i = 0; i < st->nworkers; i++)
		if (!st->w[i].exited)
			kill(st->w[i].pid, SIGKILL);
	while (nalive(st) && kerf_now_ns() < end) {
		nanosleep(&ts, NULL);
		reap(st);
	}
}

static void stress_free(struct kerf_stress *st)
{
	json_decref(st->outcome);
	json_decref(st->figures);
	json_decref(st->info);
	json_decref(st->timeline);
	free(st->priv);
}

/* The run.json entry of one finished (or skipped, failed) run. */
static json_t *build_result(struct kerf_stress *st, json_t *params, int err,
			    uint64_t t, int *rc)
{
	const struct kerf_stressor *s = st->s;
	const char *status = "ok";
	json_t *res, *v;

	if (stop_sig) {
		status = "error";
		snprintf(st->reason, sizeof(st->reason), "interrupted by %s",
			 signame(stop_sig));
	} else if (err == KERF_SKIP) {
		status = "skip";
	} else if (err) {
		status = "error";
		if (!st->reason[0])
			snprintf(st->reason, sizeof(st->reason), "%s",
				 strerror(-err));
	}
	res = json_pack("{s:s, s:O, s:s, s:s, s:s, s:s}", "bench", s->name,
			"params", params, "mode", "stress", "unit", s->unit,
			"better",
			s->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower",
			"status", status);
	if (st->reason[0])
		json_object_set_new(res, "reason", json_string(st->reason));
	if (!strcmp(status, "ok")) {
		v = json_object_get(st->figures, s->headline);
		if (v)
			json_object_set(res, "value", v);
		json_object_set(res, "outcome", st->outcome);
		json_object_set(res, "figures", st->figures);
		if (json_object_size(st->timeline))
			json_object_set(res, "timeline", st->timeline);
		if (!json_is_true(json_object_get(st->outcome, "as_expected")))
			*rc = KERF_EXIT_FAIL;
	} else if (!strcmp(status, "error")) {
		*rc = KERF_EXIT_FAIL;
	}
	json_object_set(res, "info", st->info);
	if (s->memory)
		json_object_set_new(
			res, "timeline_info",
			json_pack("{s:I, s:s}", "interval_ms",
				  (json_int_t)(st->sample_ns / 1000000),
				  "pressure",
				  st->cg.version == 1 ?
					  "system (/proc/pressure/memory)" :
					  "cgroup (memory.pressure)"));
	json_object_set_new(res, "elapsed_s", json_real((double)t / 1e9));
	return res;
}

/* Sample every sample_ns until the workers are gone, told to stop or late. */
static uint64_t sample_loop(struct kerf_stress *st, uint64_t oom_kill0)
{
	const struct kerf_stressor *s = st->s;
	uint64_t next = st->t0_ns, t = 0;
	struct kerf_cg_mem m = { 0 };
	bool stop = false;
	int tail = 0;

	while (!stop) {
		kerf_stress_pace(&next, st->sample_ns);
		t = kerf_now_ns() - st->t0_ns;
		reap(st);
		if (s->memory)
			sample_memory(st, t, &m);
		else
			kerf_stress_col(st, "t_ms", (double)t / 1e6);
		if (s->memory && m.ev_oom_kill != KERF_CG_NA &&
		    m.ev_oom_kill > oom_kill0)
			st->oom_seen = true;
		track_scores(st, oom_kill0);
		if (s->tick && s->tick(st, t))
			stop = true;
		if (stop_sig)
			stop = true;
		if (!nalive(st) && ++tail >= TAIL_SAMPLES)
			stop = true;
		if (t > st->duration_ns + GRACE_NS) {
			kerf_stress_info(
				st, "stopped",
				"workers still running %.1f s past --duration: killed",
				(double)GRACE_NS / 1e9);
			stop = true;
		}
	}
	return t;
}

/* One run of one stressor: the result object, or NULL on a usage error. */
static json_t *run_one(const struct kerf_stressor *s,
		       const struct stress_opts *o, json_t *params, int *rc)
{
	struct kerf_stress st;
	struct kerf_cg_mem m;
	const struct kerf_param *p;
	uint64_t t = 0, oom_kill0 = 0;
	int err = 0;
	char why[1024];
	json_t *res;

	memset(&st, 0, sizeof(st));
	st.s = s;
	st.limit = o->limit;
	st.duration_ns = o->duration_ns;
	st.sample_ns = o->sample_ns;
	st.tmpdir = o->tmpdir;
	st.priv = calloc(1, s->priv_size ? s->priv_size : 1);
	st.outcome = json_pack("{s:s}", "expected", s->expected);
	st.figures = json_object();
	st.info = json_object();
	st.timeline = json_object();
	for (p = s->params; p && p->name; p++)
		kerf_param_store(
			p, st.priv,
			json_string_value(json_object_get(params, p->name)));

	err = kerf_cg_create(&st.cg, s->ctrls, why, sizeof(why));
	if (err) {
		fprintf(stderr, "kerf stress: %s: %s\n", s->name, why);
		*rc = KERF_EXIT_USAGE;
		goto out_free;
	}
	for (int i = 0; i < KERF_CG_NCTRL; i++)
		if (st.cg.dir[i][0]) {
			kerf_stress_info(&st, "cgroup", "v%d %s", st.cg.version,
					 st.cg.dir[i]);
			break;
		}
	err = map_shared(&st);
	if (err)
		goto out_cg;
	if (s->memory) {
		err = kerf_cg_mem_max(&st.cg, st.limit);
		if (err) {
			kerf_stress_fail(&st, err,
					 "cannot set the memory limit: %s",
					 strerror(-err));
			goto out_cg;
		}
	}

	st.t0_ns = kerf_now_ns();
	err = s->setup ? s->setup(&st) : 0;
	if (err)
		goto out_teardown;
	/* The baseline row, before any worker runs. */
	if (s->memory) {
		sample_memory(&st, 0, &m);
		oom_kill0 = m.ev_oom_kill;
	}
	st.t0_ns = kerf_now_ns();
	err = s->start(&st);
	if (err < 0) {
		if (!st.reason[0])
			snprintf(st.reason, sizeof(st.reason),
				 "starting the workers: %s", strerror(-err));
		goto out_stop;
	}

	if (st.cg.version)
		kerf_stress_info(
			&st, "spawn", "%s",
			st.cg.clone3 ?
				"clone3 CLONE_INTO_CGROUP" :
				"fork, pid written to cgroup.procs before the worker runs");
	t = sample_loop(&st, oom_kill0);
out_stop:
	stop_workers(&st);
	if (s->memory) {
		/* After the kill: what stays charged (tmpfs, page cache). */
		reap(&st);
		sample_memory(&st, kerf_now_ns() - st.t0_ns, &m);
	}
	describe_exits(&st);
	if (s->memory)
		memory_figures(&st);
	if (!err && !stop_sig)
		err = s->verdict(&st);
out_teardown:
	if (s->teardown)
		s->teardown(&st);
	/* What the stressor's own cleanup (a tmpfs file removed) gave back. */
	if (s->memory && st.nworkers && !kerf_cg_mem_read(&st.cg, &m))
		kerf_stress_figure(&st, "usage_after_teardown",
				   (double)m.usage);
out_cg:
	if (kerf_cg_destroy(&st.cg, 5000)) {
		fprintf(stderr, "kerf stress: could not remove cgroup %s\n",
			st.cg.name);
		if (!err)
			err = kerf_stress_fail(&st, -EBUSY,
					       "cgroup %s not removed",
					       st.cg.name);
	}
	if (st.shared)
		munmap(st.shared, KERF_STRESS_SHARED);

	res = build_result(&st, params, err, t, rc);
	stress_free(&st);
	return res;
out_free:
	stress_free(&st);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kerf stress NAME [-p NAME=V...] [--limit SIZE] [--duration T]\n"
		"                   [--sample-ms N] [--out DIR] [--report]\n"
		"       kerf stress --list | --cleanup | --help\n"
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
		"  --cleanup          remove cgroups and files left by a kerf that was killed\n"
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
	struct sysinfo si;
	uint64_t host = 0;
	int64_t ms;
	int c;

	if (!sysinfo(&si))
		host = (uint64_t)si.totalram * si.mem_unit;
	o->limit = 128ull << 20;
	o->duration_ns = 5000000000ull;
	o->sample_ns = 10000000ull;
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
			if (kerf_parse_size(optarg, &o->limit) ||
			    o->limit < (16ull << 20))
				return kerf_usage_error(
					"stress",
					"--limit '%s': expected a size of at least 16M, such as 64M or 1G",
					optarg);
			if (host && o->limit > host)
				return kerf_usage_error(
					"stress",
					"--limit '%s' is larger than this host's memory (%llu MiB)",
					optarg,
					(unsigned long long)(host >> 20));
			break;
		case 'd':
			if (kerf_parse_time(optarg, &o->duration_ns) ||
			    o->duration_ns < 100000000ull ||
			    o->duration_ns > 600000000000ull)
				return kerf_usage_error(
					"stress",
					"--duration '%s': expected a time from 100ms to 10m, such as 5s",
					optarg);
			break;
		case 's':
			if (kerf_parse_int(optarg, &ms) || ms < 1 || ms > 1000)
				return kerf_usage_error(
					"stress",
					"--sample-ms '%s': expected an integer from 1 to 1000",
					optarg);
			o->sample_ns = (uint64_t)ms * 1000000ull;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'R':
			o->report = true;
			break;
		case 't':
			o->tmpdir = optarg;
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

int cmd_stress(int argc, char **argv)
{
	struct stress_opts o = { 0 };
	const struct kerf_stressor *s;
	struct sigaction sa = { 0 };
	bool list = false, cleanup = false;
	json_t *run, *params, *res, *cmd;
	char outbuf[4096];
	int rc, i, n, err;

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
	s = find_stressor(o.name);
	if (!s) {
		kerf_usage_error("stress", "unknown stressor '%s'", o.name);
		for (i = 0; i < kerf_nstressors; i++)
			if (kerf_levenshtein(o.name, kerf_stressors[i]->name) <=
				    3 ||
			    strstr(kerf_stressors[i]->name, o.name))
				fprintf(stderr, "  did you mean %s?\n",
					kerf_stressors[i]->name);
		return KERF_EXIT_USAGE;
	}
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
	rc = kerf_mkdir_p(o.out);
	if (rc) {
		json_decref(params);
		return kerf_usage_error("stress",
					"--out '%s': cannot write there: %s",
					o.out, strerror(-rc));
	}

	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	kerf_cg_cleanup_leftovers(log_leftover);

	rc = KERF_EXIT_OK;
	res = run_one(s, &o, params, &rc);
	json_decref(params);
	if (!res)
		return rc;
	print_summary(res);

	run = kerf_run_new();
	cmd = json_array();
	for (i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	json_object_set_new(run, "command", cmd);
	json_object_set_new(run, "env", kerf_env_capture());
	json_object_set_new(run, "config",
			    json_pack("{s:s, s:I, s:I, s:I, s:s}", "kind",
				      "stress", "limit", (json_int_t)o.limit,
				      "duration_ns", (json_int_t)o.duration_ns,
				      "sample_ms",
				      (json_int_t)(o.sample_ns / 1000000),
				      "cgroup_mode", kerf_cg_mode()));
	json_array_append_new(json_object_get(run, "results"), res);
	kerf_run_finish(run);
	err = kerf_run_write(run, o.out);
	if (err) {
		fprintf(stderr, "kerf stress: cannot write %s/run.json: %s\n",
			o.out, strerror(-err));
		rc = KERF_EXIT_FAIL;
	} else {
		printf("%s/run.json\n", o.out);
	}
	if (!err && o.report) {
		json_t *runs[1] = { run };
		char msg[1024];

		err = kerf_report_write(runs, NULL, 1, o.out, msg, sizeof(msg));
		if (err < 0) {
			fprintf(stderr, "kerf stress: --report: %s\n", msg);
			rc = KERF_EXIT_FAIL;
		} else {
			printf("%s/index.html\n", o.out);
		}
	}
	json_decref(run);
	if (stop_sig) {
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
	return rc;
}
