/* SPDX-License-Identifier: MIT */
/*
 * The stressor runtime: one stressor run in a cgroup of its own, its workers
 * sampled into a timeline, reaped, killed and cleaned up, its run.json entry
 * built (stressors reach it through stress_ctx.c, `kerf stress` drives it).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "cli.h"
#include "harness.h"
#include "kerf/env.h"
#include "kerf/parse.h"
#include "kerf/result.h"
#include "stress_run.h"

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

#define TAIL_SAMPLES 5 /* samples kept after the last worker died */
#define GRACE_NS 2000000000ull /* past --duration before workers are killed */

const struct kerf_stressor *kerf_stressor_find(const char *name)
{
	for (int i = 0; i < kerf_nstressors; i++)
		if (!strcmp(kerf_stressors[i]->name, name))
			return kerf_stressors[i];
	return NULL;
}

static volatile sig_atomic_t stop_sig;

static void stress_on_stop(int sig)
{
	stop_sig = sig;
}

static void stress_on_child(int sig)
{
	(void)sig;
}

void kerf_stress_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = stress_on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = stress_on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

int kerf_stress_stop_signal(void)
{
	return stop_sig;
}

void kerf_stress_reraise(void)
{
	if (stop_sig) {
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
}

/* Collect exited workers (and anything else of ours) without blocking. */
static void stress_reap(struct kerf_stress *st)
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

static int stress_nalive(const struct kerf_stress *st)
{
	int i, n = 0;

	for (i = 0; i < st->nworkers; i++)
		n += !st->w[i].exited;
	return n;
}

/* The number in /proc/PID/file into *v; *v stays as it was if unread. */
static void stress_read_ll(pid_t pid, const char *file, int64_t *v)
{
	char path[64];
	long long x;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "re");
	if (f && fscanf(f, "%lld", &x) == 1)
		*v = x;
	if (f)
		fclose(f);
}

/* oom_score, oom_score_adj and VmRSS of the live workers, into w[]. */
static void stress_read_scores(const struct kerf_stress *st,
			       struct kerf_worker *w)
{
	char path[64], buf[4096];
	int i;
	FILE *f;

	for (i = 0; i < st->nworkers; i++) {
		w[i] = st->w[i];
		if (w[i].exited)
			continue;
		stress_read_ll(w[i].pid, "oom_score", &w[i].oom_score);
		stress_read_ll(w[i].pid, "oom_score_adj", &w[i].oom_adj);
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
static void stress_track_scores(struct kerf_stress *st, uint64_t oom_kill0)
{
	struct kerf_worker w[KERF_STRESS_MAXW];
	struct kerf_cg_mem m;

	if (st->oom_seen || st->nkilled)
		return;
	stress_read_scores(st, w);
	if (st->s->memory) {
		if (kerf_cg_mem_read(&st->cg, &m))
			return;
		if (m.ev_oom_kill != KERF_CG_NA && m.ev_oom_kill > oom_kill0) {
			st->oom_seen = true;
			return;
		}
	}
	stress_reap(st);
	for (int i = 0; i < st->nworkers; i++)
		if (!st->w[i].exited) {
			st->w[i].oom_score = w[i].oom_score;
			st->w[i].oom_adj = w[i].oom_adj;
			st->w[i].rss = w[i].rss;
		}
}

static void stress_col_na(struct kerf_stress *st, const char *name, uint64_t v)
{
	if (v != KERF_CG_NA)
		kerf_stress_col(st, name, (double)v);
}

static void stress_sample_memory(struct kerf_stress *st, uint64_t t_ns,
				 struct kerf_cg_mem *m)
{
	kerf_stress_col(st, "t_ms", (double)t_ns / 1e6);
	kerf_stress_probe_sample(st, t_ns);
	if (kerf_cg_mem_read(&st->cg, m))
		return;
	stress_col_na(st, "usage", m->usage);
	stress_col_na(st, "anon", m->anon);
	stress_col_na(st, "file", m->file);
	stress_col_na(st, "shmem", m->shmem);
	stress_col_na(st, "limit", m->limit);
	stress_col_na(st, "pgscan", m->pgscan);
	stress_col_na(st, "pgsteal", m->pgsteal);
	if (m->psi_ok) {
		kerf_stress_col(st, "pressure_some_avg10", m->psi_avg10);
		kerf_stress_col(st, "pressure_some_total_us",
				(double)m->psi_total_us);
	}
	stress_col_na(st, "events_high", m->ev_high);
	stress_col_na(st, "events_max", m->ev_max);
	stress_col_na(st, "events_oom", m->ev_oom);
	stress_col_na(st, "events_oom_kill", m->ev_oom_kill);
}

static const char *stress_signame(int sig)
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

static void stress_describe_exits(struct kerf_stress *st)
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
				 stress_signame(WTERMSIG(w->status)),
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

/* Last minus first value of a timeline column, NAN when it is empty. */
static double stress_col_delta(const struct kerf_stress *st, const char *name)
{
	size_t n = kerf_stress_col_len(st, name);

	if (!n)
		return NAN;
	return kerf_stress_col_at(st, name, n - 1) -
	       kerf_stress_col_at(st, name, 0);
}

/* Figures every memory run has, from the timeline and the exits. */
static void stress_memory_figures(struct kerf_stress *st)
{
	static const char *const evs[] = { "high", "max", "oom", "oom_kill" };
	size_t i, n = kerf_stress_col_len(st, "t_ms");
	double max0 = kerf_stress_col_at(st, "events_max", 0);
	double peak = 0, t_limit = NAN, lim = (double)st->limit;
	json_t *ev = json_object();
	char key[32];

	for (i = 0; i < n; i++) {
		double u = kerf_stress_col_at(st, "usage", i);

		if (u > peak)
			peak = u;
		if (isnan(t_limit) &&
		    (u >= 0.97 * lim ||
		     kerf_stress_col_at(st, "events_max", i) > max0))
			t_limit = kerf_stress_col_at(st, "t_ms", i) / 1e3;
	}
	kerf_stress_figure(st, "limit", lim, "B");
	kerf_stress_figure(st, "peak_usage", peak, "B");
	kerf_stress_figure(st, "peak_ratio", peak / lim, "fraction");
	if (n)
		kerf_stress_figure(st, "usage_at_end",
				   kerf_stress_col_at(st, "usage", n - 1), "B");
	kerf_stress_figure(st, "time_to_limit_s", t_limit, "s");
	kerf_stress_figure(st, "kills", st->nkilled, "count");
	if (st->nkilled) {
		double tk = (double)st->t_first_kill_ns / 1e9;

		kerf_stress_figure(st, "time_to_kill_s", tk, "s");
		if (!isnan(t_limit))
			kerf_stress_figure(st, "limit_to_kill_s", tk - t_limit,
					   "s");
	}
	kerf_stress_figure(st, "pressure_some_us",
			   stress_col_delta(st, "pressure_some_total_us"),
			   "us");
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "events_%s", evs[i]);
		if (kerf_stress_col_len(st, key))
			json_object_set_new(
				ev, evs[i],
				json_integer(
					(json_int_t)stress_col_delta(st, key)));
	}
	json_object_set_new(st->outcome, "events_delta", ev);
}

static int stress_map_shared(struct kerf_stress *st)
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
static void stress_stop_workers(struct kerf_stress *st)
{
	uint64_t end = kerf_now_ns() + 3000000000ull;
	struct timespec ts = { 0, 1000000 };
	int i;

	stress_reap(st);
	st->stopping = true;
	kerf_cg_kill(&st->cg);
	for (i = 0; i < st->nworkers; i++)
		if (!st->w[i].exited)
			kill(st->w[i].pid, SIGKILL);
	while (stress_nalive(st) && kerf_now_ns() < end) {
		nanosleep(&ts, NULL);
		stress_reap(st);
	}
}

/* Sample every sample_ns until the workers are gone, told to stop or late. */
static uint64_t stress_sample_loop(struct kerf_stress *st, uint64_t oom_kill0)
{
	const struct kerf_stressor *s = st->s;
	uint64_t next = st->t0_ns, t = 0;
	struct kerf_cg_mem m = { 0 };
	bool stop = false;
	int tail = 0;

	while (!stop) {
		kerf_stress_pace(&next, st->sample_ns);
		t = kerf_now_ns() - st->t0_ns;
		stress_reap(st);
		if (s->memory)
			stress_sample_memory(st, t, &m);
		else
			kerf_stress_col(st, "t_ms", (double)t / 1e6);
		if (s->memory && m.ev_oom_kill != KERF_CG_NA &&
		    m.ev_oom_kill > oom_kill0)
			st->oom_seen = true;
		stress_track_scores(st, oom_kill0);
		if (s->tick && s->tick(st, t))
			stop = true;
		if (stop_sig)
			stop = true;
		if (!stress_nalive(st) && ++tail >= TAIL_SAMPLES)
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

/* The workers gone: what they left, how they ended, the memory figures. */
static void stress_after_workers(struct kerf_stress *st)
{
	struct kerf_cg_mem m;

	stress_stop_workers(st);
	if (st->s->memory) {
		/* After the kill: what stays charged (tmpfs, page cache). */
		stress_reap(st);
		stress_sample_memory(st, kerf_now_ns() - st->t0_ns, &m);
	}
	stress_describe_exits(st);
	if (st->s->memory)
		stress_memory_figures(st);
	kerf_stress_probe_finish(st);
}

/*
 * The stressor's part, in an existing cgroup: setup, workers started and
 * sampled until done (*t: how long), stopped, the verdict, teardown.
 */
static int stress_exercise(struct kerf_stress *st, uint64_t *t)
{
	const struct kerf_stressor *s = st->s;
	uint64_t oom_kill0 = 0;
	struct kerf_cg_mem m;
	int err;

	st->t0_ns = kerf_now_ns();
	err = s->setup ? s->setup(st) : 0;
	if (err)
		goto out_teardown;
	/* The baseline row, before any worker runs. */
	if (s->memory) {
		stress_sample_memory(st, 0, &m);
		oom_kill0 = m.ev_oom_kill;
	}
	st->t0_ns = kerf_now_ns();
	err = s->start(st);
	if (err < 0) {
		if (!st->reason[0])
			snprintf(st->reason, sizeof(st->reason),
				 "starting the workers: %s", strerror(-err));
		goto out_stop;
	}
	if (st->cg.version)
		kerf_stress_info(
			st, "spawn", "%s",
			st->cg.clone3 ?
				"clone3 CLONE_INTO_CGROUP" :
				"fork, pid written to cgroup.procs before the worker runs");
	*t = stress_sample_loop(st, oom_kill0);
out_stop:
	stress_after_workers(st);
	if (!err && !stop_sig)
		err = s->verdict(st);
out_teardown:
	if (s->teardown)
		s->teardown(st);
	/* What the stressor's own cleanup (a tmpfs file removed) gave back. */
	if (s->memory && st->nworkers && !kerf_cg_mem_read(&st->cg, &m))
		kerf_stress_figure(st, "usage_after_teardown", (double)m.usage,
				   "B");
	return err;
}

/* The run's cgroup made: its name in info, the shared page, memory.max. */
static int stress_prepare(struct kerf_stress *st)
{
	int err;

	for (int i = 0; i < KERF_CG_NCTRL; i++)
		if (st->cg.dir[i][0]) {
			kerf_stress_info(st, "cgroup", "v%d %s", st->cg.version,
					 st->cg.dir[i]);
			break;
		}
	err = stress_map_shared(st);
	if (err || !st->s->memory)
		return err;
	err = kerf_cg_mem_max(&st->cg, st->limit);
	if (err)
		kerf_stress_fail(st, err, "cannot set the memory limit: %s",
				 strerror(-err));
	return err;
}

/* Remove the cgroup (an error when it stays) and the shared page. */
static int stress_remove(struct kerf_stress *st, int err)
{
	if (kerf_cg_destroy(&st->cg, 5000)) {
		fprintf(stderr, "kerf stress: could not remove cgroup %s\n",
			st->cg.name);
		if (!err)
			err = kerf_stress_fail(st, -EBUSY,
					       "cgroup %s not removed",
					       st->cg.name);
	}
	if (st->shared)
		munmap(st->shared, KERF_STRESS_SHARED);
	return err;
}

static void stress_init(struct kerf_stress *st, const struct kerf_stressor *s,
			const struct kerf_stress_cfg *cfg, json_t *params)
{
	const struct kerf_param *p;

	memset(st, 0, sizeof(*st));
	st->s = s;
	st->limit = cfg->limit;
	st->duration_ns = cfg->duration_ns;
	st->sample_ns = cfg->sample_ns;
	st->tmpdir = cfg->tmpdir;
	st->priv = calloc(1, s->priv_size ? s->priv_size : 1);
	st->outcome = json_pack("{s:s}", "expected", s->expected);
	st->figures = json_object();
	st->units = json_object();
	st->info = json_object();
	st->timeline = json_object();
	for (p = s->params; p && p->name; p++)
		kerf_param_store(
			p, st->priv,
			json_string_value(json_object_get(params, p->name)));
}

static void stress_free(struct kerf_stress *st)
{
	json_decref(st->outcome);
	json_decref(st->figures);
	json_decref(st->units);
	json_decref(st->info);
	json_decref(st->timeline);
	kerf_stress_probe_free(st);
	free(st->priv);
}

/* The status of a finished run, with its reason in st->reason. */
static const char *stress_status(struct kerf_stress *st, int err)
{
	if (stop_sig) {
		snprintf(st->reason, sizeof(st->reason), "interrupted by %s",
			 stress_signame(stop_sig));
		return "error";
	}
	if (err == KERF_SKIP)
		return "skip";
	if (!err)
		return "ok";
	if (!st->reason[0])
		snprintf(st->reason, sizeof(st->reason), "%s", strerror(-err));
	return "error";
}

/* The run.json entry of one finished (or skipped, failed) run. */
static json_t *stress_result(struct kerf_stress *st, json_t *params, int err,
			     uint64_t t, int *rc)
{
	const struct kerf_stressor *s = st->s;
	const char *status = stress_status(st, err);
	json_t *res, *v;

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
		json_object_set(res, "figure_units", st->units);
		if (json_object_size(st->timeline))
			json_object_set(res, "timeline", st->timeline);
		v = kerf_stress_probe_json(st);
		if (v)
			json_object_set_new(res, "probe", v);
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

/*
 * A memory limit the run's cgroup cannot really get: above what the
 * cgroups over it leave, or above the host's available memory. Filling it
 * would OOM a parent cgroup or the host, not the run. 0, or -ERANGE with
 * the message printed.
 */
static int stress_check_room(const struct kerf_stress *st)
{
	struct kerf_cg_room room;
	char lim[32], a[32], b[32];

	kerf_cg_room(&st->cg, &room);
	kerf_fmt_size(st->limit, lim, sizeof(lim));
	if (room.headroom != UINT64_MAX && st->limit > room.headroom) {
		kerf_fmt_size(room.parent_limit, a, sizeof(a));
		kerf_fmt_size(room.parent_limit - room.headroom, b, sizeof(b));
		fprintf(stderr,
			"kerf stress: %s: --limit %s does not fit in the enclosing cgroup %s (limit %s, %s in use): filling it would OOM that cgroup, not the run's; give a --limit below %llu MiB\n",
			st->s->name, lim, room.where, a, b,
			(unsigned long long)(room.headroom >> 20));
		return -ERANGE;
	}
	if (room.avail != UINT64_MAX && st->limit > room.avail) {
		kerf_fmt_size(room.avail, a, sizeof(a));
		fprintf(stderr,
			"kerf stress: %s: --limit %s is more than this host's available memory (MemAvailable %s): filling it would push the host, not the run, into OOM; give a --limit below %llu MiB\n",
			st->s->name, lim, a,
			(unsigned long long)(room.avail >> 20));
		return -ERANGE;
	}
	return 0;
}

json_t *kerf_stress_run(const struct kerf_stressor *s,
			const struct kerf_stress_cfg *cfg, json_t *params,
			int *rc)
{
	struct kerf_stress st;
	char why[1024];
	uint64_t t = 0;
	json_t *res;
	int err;

	stress_init(&st, s, cfg, params);
	err = kerf_cg_create(&st.cg, s->ctrls, why, sizeof(why));
	if (err) {
		fprintf(stderr, "kerf stress: %s: %s\n", s->name, why);
		*rc = KERF_EXIT_USAGE;
		stress_free(&st);
		return NULL;
	}
	if ((s->ctrls & KERF_CG_MEM) && stress_check_room(&st)) {
		kerf_cg_destroy(&st.cg, 5000);
		*rc = KERF_EXIT_USAGE;
		stress_free(&st);
		return NULL;
	}
	err = stress_prepare(&st);
	if (!err)
		err = stress_exercise(&st, &t);
	err = stress_remove(&st, err);
	res = stress_result(&st, params, err, t, rc);
	stress_free(&st);
	return res;
}

json_t *kerf_stress_run_json(json_t *res, const struct kerf_stress_cfg *cfg,
			     int argc, char **argv)
{
	json_t *run = kerf_run_new(), *cmd = json_array();
	int i;

	for (i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	json_object_set_new(run, "command", cmd);
	json_object_set_new(run, "env", kerf_env_capture());
	json_object_set_new(run, "config",
			    json_pack("{s:s, s:I, s:I, s:I, s:s}", "kind",
				      "stress", "limit", (json_int_t)cfg->limit,
				      "duration_ns",
				      (json_int_t)cfg->duration_ns, "sample_ms",
				      (json_int_t)(cfg->sample_ns / 1000000),
				      "cgroup_mode", kerf_cg_mode()));
	json_array_append_new(json_object_get(run, "results"), res);
	kerf_run_finish(run);
	return run;
}
