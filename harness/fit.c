/* SPDX-License-Identifier: MIT */
/* `kerf stress fit`: bisect the memory limit of a user's command in kerf's cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fit.h"
#include "kerf/bench.h"
#include "kerf/cgroup.h"
#include "kerf/parse.h"
#include "kerf/result.h"
#include "kerf/stats.h"
#include "stress_run.h"

#define FIT_FLOOR (16ull << 20) /* the smallest limit probed */
#define FIT_STEP 1.02 /* bisection stops when hi / lo is below this */
#define FIT_TICK_NS 10000000ull /* usage sampled every 10 ms */
#define FIT_MAXRUNS 9

struct fit_opts {
	uint64_t max;
	double slowdown; /* percent */
	int runs;
	const char *out;
	char **cmd;
	int logfd;
};

/* What one run of the command did at one limit. */
struct fit_run {
	int status; /* wait status */
	bool oom, timeout;
	double wall_s;
	uint64_t peak, pgscan, pgsteal, psi_us;
	uint64_t hits; /* times usage reached the limit (failcnt, events max) */
	bool reached; /* hits, or the peak within 1M of the limit */
	bool no_reclaim; /* v1: memory.stat counts no pgscan, pgsteal */
	double base_s; /* the paired run at --max, when the limit was hit */
	json_t *usage; /* timeline, MiB every 10 ms */
};

static void fit_usage(FILE *f)
{
	fprintf(f,
		"usage: kerf stress fit [--max SIZE] [--slowdown PCT] [--runs N]\n"
		"                       [--out DIR] -- CMD [ARGS...]\n"
		"\n"
		"Run CMD in a memory cgroup kerf creates, first at --max, then at limits\n"
		"found by bisection between 16M and --max, and report the smallest limit\n"
		"at which CMD exits 0, is not OOM-killed and takes at most PCT percent\n"
		"longer than at --max. Each probe's peak usage, reclaim (pgscan, pgsteal)\n"
		"and memory pressure go to DIR/fit.json; CMD's output to DIR/cmd.log.\n"
		"\n"
		"  --max SIZE       the largest limit (default: what the host and the\n"
		"                   cgroups above can give, at most 4G)\n"
		"  --slowdown PCT   allowed slowdown, percent (default 10, 0..1000)\n"
		"  --runs N         runs per probe, all must pass; wall is the median\n"
		"                   (default 1, 1..%d)\n"
		"  --out DIR        where fit.json goes (default results/<UTC>-<host>-fit/)\n"
		"\n"
		"exit status: 0 a limit was found, 1 CMD fails even at --max,\n"
		"2 bad input or no writable cgroup.\n",
		FIT_MAXRUNS);
}

static int fit_parse(int argc, char **argv, struct fit_opts *o)
{
	static const struct option lopts[] = {
		{ "max", required_argument, NULL, 'm' },
		{ "slowdown", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t n;
	int c;

	o->slowdown = 10;
	o->runs = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (kerf_parse_size(optarg, &o->max) ||
			    o->max < 2 * FIT_FLOOR)
				return kerf_usage_error(
					"stress fit",
					"--max '%s': expected a size of at least 32M, such as 512M or 2G",
					optarg);
			break;
		case 's':
			if (kerf_parse_double(optarg, &o->slowdown) ||
			    !(o->slowdown >= 0 && o->slowdown <= 1000))
				return kerf_usage_error(
					"stress fit",
					"--slowdown '%s': expected a percentage from 0 to 1000, such as 10",
					optarg);
			break;
		case 'r':
			if (kerf_parse_int(optarg, &n) || n < 1 ||
			    n > FIT_MAXRUNS)
				return kerf_usage_error(
					"stress fit",
					"--runs '%s': expected an integer from 1 to %d",
					optarg, FIT_MAXRUNS);
			o->runs = (int)n;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			fit_usage(stdout);
			exit(KERF_EXIT_OK);
		default:
			fit_usage(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return kerf_usage_error(
			"stress fit",
			"expected a command after the options: kerf stress fit [OPTIONS] -- CMD [ARGS...]");
	o->cmd = argv + optind;
	return 0;
}

/* --max against what the cgroups above and the host can give. */
static int fit_check_max(struct fit_opts *o, const struct kerf_cg *cg)
{
	struct kerf_cg_room room;
	uint64_t room_max;
	char a[32];

	kerf_cg_room(cg, &room);
	room_max = room.avail < room.headroom ? room.avail : room.headroom;
	if (!o->max) {
		o->max = room_max == UINT64_MAX ? 4ull << 30 : room_max;
		if (o->max > 4ull << 30)
			o->max = 4ull << 30;
		o->max &= ~((1ull << 20) - 1);
		if (o->max < 2 * FIT_FLOOR)
			return kerf_usage_error(
				"stress fit",
				"this host and its cgroups give under 32M: nothing to fit in");
		return 0;
	}
	if (room_max != UINT64_MAX && o->max > room_max) {
		kerf_fmt_size(room_max, a, sizeof(a));
		return kerf_usage_error(
			"stress fit",
			"--max: more than %s, what %s can give (MemAvailable or the headroom of the cgroups above): the command could push the host into OOM",
			a,
			room.headroom < room.avail ? room.where : "the host");
	}
	return 0;
}

static int fit_exec(void *arg)
{
	struct fit_opts *o = arg;

	dup2(o->logfd, 1);
	dup2(o->logfd, 2);
	execvp(o->cmd[0], o->cmd);
	dprintf(2, "kerf stress fit: cannot run %s: %s\n", o->cmd[0],
		strerror(errno));
	return 127;
}

static double fit_now_s(void)
{
	return (double)kerf_now_ns() / 1e9;
}

/* Sample the cgroup until the command exits or its time is up. */
static void fit_wait(struct kerf_cg *cg, pid_t pid, double limit_s,
		     struct fit_run *r)
{
	struct timespec ts = { 0, FIT_TICK_NS };
	struct kerf_cg_mem m;
	double t0 = fit_now_s();

	for (;;) {
		if (waitpid(pid, &r->status, WNOHANG) == pid)
			break;
		if (!kerf_cg_mem_read(cg, &m) && m.usage != KERF_CG_NA) {
			if (m.usage > r->peak)
				r->peak = m.usage;
			json_array_append_new(
				r->usage,
				json_real((double)m.usage / 1048576.0));
		}
		if (fit_now_s() - t0 > limit_s || kerf_stress_stop_signal()) {
			r->timeout = true;
			kerf_cg_kill(cg);
			waitpid(pid, &r->status, 0);
			break;
		}
		nanosleep(&ts, NULL);
	}
	r->wall_s = fit_now_s() - t0;
}

static uint64_t fit_delta(uint64_t a, uint64_t b)
{
	return a == KERF_CG_NA || b == KERF_CG_NA || b < a ? 0 : b - a;
}

/* v1: with memsw.limit set too, a charge that fails may count there. */
static uint64_t fit_memsw(const struct kerf_cg *cg)
{
	char buf[64];
	uint64_t v;

	if (cg->version != 1 ||
	    kerf_cg_read(cg, KERF_CG_MEM, "memory.memsw.failcnt", buf,
			 sizeof(buf)) < 0 ||
	    kerf_parse_size(strtok(buf, "\n"), &v))
		return KERF_CG_NA;
	return v;
}

/* One run of the command in a fresh cgroup at limit; 0 or -errno (why). */
static int fit_run1(struct fit_opts *o, uint64_t limit, double limit_s,
		    struct fit_run *r, char *why, size_t whylen)
{
	struct kerf_cg_mem m0, m1;
	struct kerf_cg cg;
	uint64_t v, sw0;
	char buf[64];
	pid_t pid;
	int err;

	memset(r, 0, sizeof(*r));
	r->usage = json_array();
	err = kerf_cg_create(&cg, KERF_CG_MEM, why, whylen);
	if (err)
		return err;
	err = kerf_cg_mem_max(&cg, limit);
	if (err) {
		snprintf(why, whylen, "memory limit: %s", strerror(-err));
		kerf_cg_destroy(&cg, 5000);
		return err;
	}
	kerf_cg_mem_read(&cg, &m0);
	sw0 = fit_memsw(&cg);
	pid = kerf_cg_spawn(&cg, fit_exec, o);
	if (pid < 0) {
		snprintf(why, whylen, "spawn: %s", strerror((int)-pid));
		kerf_cg_destroy(&cg, 5000);
		return (int)pid;
	}
	fit_wait(&cg, pid, limit_s, r);
	kerf_cg_mem_read(&cg, &m1);
	/* The kernel's own high-water mark where it keeps one. */
	if (!kerf_cg_read(&cg, KERF_CG_MEM,
			  cg.version == 2 ? "memory.peak" :
					    "memory.max_usage_in_bytes",
			  buf, sizeof(buf)) &&
	    !kerf_parse_size(strtok(buf, "\n"), &v) && v > r->peak)
		r->peak = v;
	r->pgscan = fit_delta(m0.pgscan, m1.pgscan);
	r->pgsteal = fit_delta(m0.pgsteal, m1.pgsteal);
	r->hits = fit_delta(m0.ev_max, m1.ev_max) +
		  fit_delta(sw0, fit_memsw(&cg));
	r->no_reclaim = m1.pgscan == KERF_CG_NA;
	/* v1 with memsw.limit set counts no failcnt on some kernels (6.18):
	 * the kernel's high-water mark tells as well. */
	r->reached = r->hits || r->peak + (1ull << 20) >= limit;
	r->psi_us = m1.psi_ok ? fit_delta(m0.psi_total_us, m1.psi_total_us) : 0;
	r->oom = fit_delta(m0.ev_oom_kill, m1.ev_oom_kill) > 0 ||
		 (!r->timeout && WIFSIGNALED(r->status) &&
		  WTERMSIG(r->status) == SIGKILL);
	kerf_cg_destroy(&cg, 5000);
	return 0;
}

static json_t *fit_run_json(const struct fit_run *r)
{
	return json_pack(
		"{s:i, s:b, s:b, s:f, s:f, s:I, s:b, s:I, s:o, s:o, s:I, s:o}",
		"exit",
		WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
				       128 + WTERMSIG(r->status),
		"oom_kill", r->oom, "timeout", r->timeout, "wall_s", r->wall_s,
		"base_wall_s", r->base_s, "limit_hits", (json_int_t)r->hits,
		"limit_reached", r->reached, "peak", (json_int_t)r->peak,
		"pgscan",
		r->no_reclaim ? json_null() :
				json_integer((json_int_t)r->pgscan),
		"pgsteal",
		r->no_reclaim ? json_null() :
				json_integer((json_int_t)r->pgsteal),
		"pressure_us", (json_int_t)r->psi_us, "usage_mib", r->usage);
}

/*
 * One run at limit and, when the limit was reached (so it could have
 * slowed the command), a run at --max right after it: the ratio of the
 * pair is the slowdown, side by side on a noisy machine. A run that never
 * reached its limit was not slowed by it: its ratio is 1.
 */
static int fit_pair(struct fit_opts *o, uint64_t limit, double base_s,
		    struct fit_run *r, double *ratio)
{
	double limit_s = 3 * base_s * (1 + o->slowdown / 100) + 2;
	struct fit_run b;
	char why[1024];
	int err;

	*ratio = 1;
	err = fit_run1(o, limit, base_s > 0 ? limit_s : 3600, r, why,
		       sizeof(why));
	if (!err && base_s > 0 && r->reached && !r->oom && !r->timeout) {
		err = fit_run1(o, o->max, limit_s, &b, why, sizeof(why));
		json_decref(b.usage);
		r->base_s = b.wall_s;
		*ratio = b.wall_s > 0 ? r->wall_s / b.wall_s : 1;
	}
	if (err)
		fprintf(stderr, "kerf stress fit: %s\n", why);
	return err;
}

/*
 * Probe a limit: o->runs runs, all must exit 0 without an OOM kill, and
 * the median slowdown must be within --slowdown (base_s 0: the baseline
 * itself). Appends the probe to probes; *wall gets the median wall.
 */
static int fit_probe(struct fit_opts *o, uint64_t limit, double base_s,
		     json_t *probes, bool *pass, double *wall)
{
	double walls[FIT_MAXRUNS], ratios[FIT_MAXRUNS], slow = 1;
	json_t *runs = json_array();
	struct fit_run r;
	char sz[32];
	bool ok = true;
	int i, n, err;

	for (i = 0; i < o->runs; i++) {
		err = fit_pair(o, limit, base_s, &r, &ratios[i]);
		if (err) {
			json_decref(r.usage);
			json_decref(runs);
			return err;
		}
		ok &= !r.timeout && !r.oom && WIFEXITED(r.status) &&
		      !WEXITSTATUS(r.status);
		walls[i] = r.wall_s;
		json_array_append_new(runs, fit_run_json(&r));
		if (!ok || kerf_stress_stop_signal())
			break;
	}
	n = i < o->runs ? i + 1 : o->runs;
	*wall = kerf_median(walls, (size_t)n);
	if (ok && base_s > 0) {
		slow = kerf_median(ratios, (size_t)n);
		ok = slow <= 1 + o->slowdown / 100;
	}
	*pass = ok;
	json_array_append_new(probes,
			      json_pack("{s:I, s:b, s:f, s:f, s:o}", "limit",
					(json_int_t)limit, "pass", ok, "wall_s",
					*wall, "slowdown", slow, "runs", runs));
	kerf_fmt_size(limit, sz, sizeof(sz));
	printf("  limit %-8s %s  wall %.3f s  slowdown x%.2f\n", sz,
	       ok ? "fits" : "no  ", *wall, slow);
	fflush(stdout);
	return 0;
}

/* Bisect (geometrically) between a failing lo and a passing hi. */
static int fit_bisect(struct fit_opts *o, double base_s, json_t *probes,
		      uint64_t *lo, uint64_t *hi)
{
	double wall;
	uint64_t mid;
	bool pass;
	int err;

	while ((double)*hi / (double)*lo > FIT_STEP &&
	       !kerf_stress_stop_signal()) {
		mid = (uint64_t)(sqrt((double)*lo * (double)*hi) / 1048576.0 +
				 0.5)
		      << 20;
		if (mid <= *lo || mid >= *hi)
			break;
		err = fit_probe(o, mid, base_s, probes, &pass, &wall);
		if (err)
			return err;
		if (pass)
			*hi = mid;
		else
			*lo = mid;
	}
	return 0;
}

/* The passing probe at limit: its runs' largest peak. */
static json_int_t fit_peak_at(json_t *probes, uint64_t limit)
{
	json_int_t peak = 0;
	json_t *p, *r;
	size_t i, j;

	json_array_foreach(probes, i, p)
	{
		if (json_integer_value(json_object_get(p, "limit")) !=
		    (json_int_t)limit)
			continue;
		json_array_foreach(json_object_get(p, "runs"), j, r)
		{
			json_int_t v =
				json_integer_value(json_object_get(r, "peak"));
			if (v > peak)
				peak = v;
		}
	}
	return peak;
}

/* The search: baseline at --max, the floor, then bisection. */
static int fit_search(struct fit_opts *o, json_t *res)
{
	json_t *probes = json_object_get(res, "probes");
	uint64_t lo = FIT_FLOOR, hi = o->max;
	double base_s, wall;
	char a[32], b[32], c[32];
	bool pass;
	int err;

	err = fit_probe(o, o->max, 0, probes, &pass, &base_s);
	if (err)
		return err;
	json_object_set_new(res, "baseline_wall_s", json_real(base_s));
	if (!pass) {
		kerf_fmt_size(o->max, a, sizeof(a));
		printf("%s does not run well even at --max %s (see cmd.log)\n",
		       o->cmd[0], a);
		return KERF_EXIT_FAIL;
	}
	err = fit_probe(o, lo, base_s, probes, &pass, &wall);
	if (err)
		return err;
	if (pass)
		hi = lo;
	else
		err = fit_bisect(o, base_s, probes, &lo, &hi);
	if (err)
		return err;
	json_object_set_new(res, "fit", json_integer((json_int_t)hi));
	json_object_set_new(res, "fit_bracket",
			    json_pack("[I, I]", (json_int_t)(pass ? 0 : lo),
				      (json_int_t)hi));
	json_object_set_new(res, "fit_peak",
			    json_integer(fit_peak_at(probes, hi)));
	kerf_fmt_size(hi, a, sizeof(a));
	kerf_fmt_size(pass ? 0 : lo, b, sizeof(b));
	kerf_fmt_size((uint64_t)fit_peak_at(probes, hi), c, sizeof(c));
	printf("fits in %s (fails at %s), peak usage there %s; %zu probes\n", a,
	       pass ? "nothing probed" : b, c, json_array_size(probes));
	return KERF_EXIT_OK;
}

/* A cgroup to check --max against; 0 or a usage error. */
static int fit_prepare(struct fit_opts *o)
{
	struct kerf_cg cg;
	char why[1024];
	int err;

	err = kerf_cg_create(&cg, KERF_CG_MEM, why, sizeof(why));
	if (err)
		return kerf_usage_error("stress fit", "%s", why);
	err = fit_check_max(o, &cg);
	kerf_cg_destroy(&cg, 5000);
	return err;
}

static int fit_write(json_t *res, const char *out)
{
	char path[4096];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/fit.json", out);
	f = fopen(path, "w");
	bad = !f || json_dumpf(res, f, JSON_INDENT(1) | JSON_SORT_KEYS) ||
	      fputc('\n', f) == EOF;
	if (f && fclose(f))
		bad = 1;
	if (bad) {
		fprintf(stderr, "kerf stress fit: cannot write %s\n", path);
		return KERF_EXIT_FAIL;
	}
	printf("%s\n", path);
	return 0;
}

int kerf_stress_fit(int argc, char **argv)
{
	struct fit_opts o = { 0 };
	char outbuf[4096], log[4200];
	json_t *res, *cmd;
	double t0;
	int rc, i;

	rc = fit_parse(argc, argv, &o);
	if (!rc)
		rc = fit_prepare(&o);
	if (rc)
		return rc;
	if (!o.out) {
		kerf_default_out(outbuf, sizeof(outbuf));
		o.out = outbuf;
	}
	rc = kerf_mkdir_p(o.out);
	if (rc)
		return kerf_usage_error("stress fit",
					"--out '%s': cannot write there: %s",
					o.out, strerror(-rc));
	snprintf(log, sizeof(log), "%s/cmd.log", o.out);
	o.logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o.logfd < 0)
		return kerf_usage_error("stress fit", "%s: %s", log,
					strerror(errno));
	cmd = json_array();
	for (i = 0; o.cmd[i]; i++)
		json_array_append_new(cmd, json_string(o.cmd[i]));
	res = json_pack("{s:s, s:o, s:s, s:I, s:f, s:i, s:[]}", "schema",
			"kerf.fit/1", "command", cmd, "cgroup", kerf_cg_mode(),
			"max", (json_int_t)o.max, "slowdown_pct", o.slowdown,
			"runs", o.runs, "probes");
	kerf_stress_signals();
	kerf_cg_cleanup_leftovers(NULL);
	t0 = fit_now_s();
	rc = fit_search(&o, res);
	if (rc < 0)
		rc = KERF_EXIT_FAIL;
	json_object_set_new(res, "elapsed_s", json_real(fit_now_s() - t0));
	if (kerf_stress_stop_signal())
		json_object_set_new(res, "interrupted", json_true());
	close(o.logfd);
	if (fit_write(res, o.out))
		rc = KERF_EXIT_FAIL;
	json_decref(res);
	kerf_stress_reraise();
	return rc;
}
